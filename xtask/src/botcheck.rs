//! `cargo xtask bot-check`: the moderation bot as a second opinion on room files.
//!
//! The bot (`xmppjs-chat-bot` 0.7.0 from npm, the version the plugin runs) is a real
//! reader of `bot/<muc>/rooms/*.json`. This task lays every bot room file of
//! `fixtures/` and deterministic mutations of them into a consistent data dir under
//! `target/xtask/bot-check/` (every room linked to a channel whose bot is enabled, so
//! that only the files themselves can be at fault), asks the bot what it makes of each
//! (`xtask/node/bot-check.mjs`: `readRoomConf`, then the construction of every enabled
//! handler), validates the dir with `livechat-validate`, and fails where the bot
//! rejects a file or drops a handler but the validator reports no error for it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use livechat_validate::{Instance, Severity, ValidateOptions};
use serde_json::{Value, json};

use crate::codegen::root;
use crate::tools;

const HOST: &str = "peertube.example.com";
/// Mutations per original file.
const MUTANTS: usize = 12;
/// Values a mutation puts in place of a leaf: every JSON type, and the strings and
/// numbers the bot's readers treat specially.
const VALUES: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "1",
    "-1",
    "2.5",
    "\"\"",
    "\" \"",
    "\"x\"",
    "\"false\"",
    "[]",
    "[\"a\"]",
    "{}",
    "{\"a\":1}",
    "\"(?:spam\"",
    "\"[a-\"",
    "\"uz\"",
    "\"gi\"",
    "\"moderate\"",
    "\"welcome\"",
];

pub fn run() -> Result<()> {
    let root = root();
    let originals = originals(&root)?;
    if originals.is_empty() {
        bail!("no bot room file found under fixtures/");
    }
    let work = tools::work_dir().join("bot-check");
    let dir = work.join("data");
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    let rooms = dir.join(format!("bot/room.{HOST}/rooms"));
    fs::create_dir_all(&rooms)?;

    // Lay out the originals and their mutants, each under a fresh room name.
    let mut rng = fastrand::Rng::with_seed(0x11fe_c4a7);
    let mut names: BTreeMap<String, String> = BTreeMap::new(); // stem -> origin
    let mut n = 0u32;
    for (origin, text) in &originals {
        let mut variants = vec![(origin.clone(), text.clone())];
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            for i in 0..MUTANTS {
                variants.push((format!("{origin} (mutant {i})"), mutate(&value, &mut rng)));
            }
        }
        for (label, text) in variants {
            n += 1;
            let stem = format!("{n:08x}-0000-4000-8000-000000000000");
            fs::write(rooms.join(format!("{stem}.json")), relocal(&text, &stem))?;
            names.insert(stem, label);
        }
    }
    // Link every room to channel 1, whose bot is enabled, so that cross-file rules have
    // nothing to say about a well-formed room.
    fs::create_dir_all(dir.join("room-channel"))?;
    fs::write(
        dir.join(format!("room-channel/room.{HOST}.json")),
        json!({ "1": names.keys().collect::<Vec<_>>() }).to_string(),
    )?;
    fs::create_dir_all(dir.join("channelConfigurationOptions"))?;
    fs::write(
        dir.join("channelConfigurationOptions/1.json"),
        json!({"bot": {"enabled": true, "nickname": "Sepia", "forbiddenWords": [], "quotes": [], "commands": []}})
            .to_string(),
    )?;

    let bot = bot_verdicts(&rooms)?;
    let options = ValidateOptions {
        instance: Some(Instance {
            host: HOST.to_owned(),
            scheme: "https".to_owned(),
            port: None,
        }),
        instance_source: Some("bot-check".to_owned()),
        ..ValidateOptions::default()
    };
    let report = livechat_validate::engine::validate_dir(&dir, &options)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in &report.diagnostics {
        if d.severity == Severity::Error {
            let stem = Path::new(&d.path)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("");
            errors
                .entry(stem.to_owned())
                .or_default()
                .push(format!("{} {}", d.code, d.pointer));
        }
    }

    let (mut rejected, mut missed, mut stricter) = (0, Vec::new(), 0);
    for (stem, label) in &names {
        let verdict = bot
            .get(stem)
            .with_context(|| format!("the bot said nothing of {stem}"))?;
        let ours = errors.get(stem);
        match (verdict.rejection(), ours) {
            (Some(why), None) => missed.push(format!(
                "{label}: the bot {why}, the validator reports no error"
            )),
            (Some(_), Some(_)) => rejected += 1,
            (None, Some(_)) => stricter += 1,
            (None, None) => {}
        }
    }
    println!(
        "bot-check: {} room files ({} from fixtures, {MUTANTS} mutants each); the bot rejects or drops in {}, \
all reported as errors but {}; the validator also errs on {stricter} files the bot loads (plugin-side rules)",
        names.len(),
        originals.len(),
        rejected + missed.len(),
        missed.len(),
    );
    if !missed.is_empty() {
        bail!(
            "the validator misses what the bot rejects:\n{}",
            missed.join("\n")
        );
    }
    Ok(())
}

/// What the bot made of one file (see `xtask/node/bot-check.mjs`).
#[derive(Debug, serde::Deserialize)]
struct BotVerdict {
    loaded: bool,
    dropped: Vec<String>,
    throws: Option<String>,
}

impl BotVerdict {
    fn rejection(&self) -> Option<String> {
        if !self.loaded {
            Some("skips the file".to_owned())
        } else if let Some(first) = self.dropped.first() {
            Some(format!("drops a handler ({first})"))
        } else {
            self.throws.as_ref().map(|t| format!("throws ({t})"))
        }
    }
}

fn bot_verdicts(rooms: &Path) -> Result<BTreeMap<String, BotVerdict>> {
    let node_dir = tools::node_modules()?;
    let out = tools::output_ok(
        Command::new("node")
            .current_dir(&node_dir)
            .arg("bot-check.mjs")
            .arg(rooms),
    )?;
    let by_path: BTreeMap<String, BotVerdict> =
        serde_json::from_slice(&out.stdout).context("reading bot-check.mjs's answer")?;
    Ok(by_path
        .into_iter()
        .map(|(path, v)| {
            let stem = Path::new(&path)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("")
                .to_owned();
            (stem, v)
        })
        .collect())
}

/// Every bot room file of the fixtures, by its path relative to the repository.
fn originals(root: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for pattern in [
        "fixtures/**/rooms/*.json",
        "fixtures/files/bot-room/*/*.json",
    ] {
        let full = root.join(pattern);
        for path in glob::glob(full.to_str().context("non-UTF-8 repository path")?)? {
            let path: PathBuf = path?;
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = fs::read(&path)?;
            out.push((rel, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    Ok(out)
}

/// Points `local` at the file's new name, when the file has a non-empty string
/// `local` (a missing or broken one is part of what is being tested).
fn relocal(text: &str, stem: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(mut obj))
            if obj
                .get("local")
                .and_then(Value::as_str)
                .is_some_and(|l| !l.is_empty()) =>
        {
            obj.insert("local".to_owned(), Value::String(stem.to_owned()));
            Value::Object(obj).to_string()
        }
        _ => text.to_owned(),
    }
}

/// One random mutation: a leaf (or container) replaced, or a key removed.
fn mutate(value: &Value, rng: &mut fastrand::Rng) -> String {
    let mut paths = Vec::new();
    collect_paths(value, &mut Vec::new(), &mut paths);
    let mut out = value.clone();
    let path = &paths[rng.usize(..paths.len())];
    if !path.is_empty() && rng.u8(..10) < 2 {
        remove(&mut out, path);
    } else {
        let new: Value =
            serde_json::from_str(VALUES[rng.usize(..VALUES.len())]).unwrap_or(Value::Null);
        if let Some(slot) = out.pointer_mut(&pointer(path)) {
            *slot = new;
        }
    }
    out.to_string()
}

fn collect_paths(value: &Value, here: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(here.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                here.push(k.clone());
                collect_paths(v, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                here.push(i.to_string());
                collect_paths(v, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

fn remove(value: &mut Value, path: &[String]) {
    let (last, parent) = path.split_last().expect("a non-empty path");
    match value.pointer_mut(&pointer(parent)) {
        Some(Value::Object(map)) => {
            map.shift_remove(last);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
}
