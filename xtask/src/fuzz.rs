//! `cargo xtask fuzz [--seconds N] [TARGET...]`: runs the cargo-fuzz targets of
//! `fuzz/` (the path classifier, the span locator, the per-file validator, the reader
//! and JID rewriter of Prosody's Lua-serialised files), each for
//! N seconds, with a corpus seeded from `fixtures/`.
//!
//! The toolchain here is stable: cargo-fuzz's sanitizer flags need nightly features,
//! so the task sets `RUSTC_BOOTSTRAP=1` for the fuzz build only. cargo-fuzz is
//! installed from crates.io when missing. A crash fails the task, and its input is
//! copied to `fixtures/fuzz/<target>/` so that it becomes a regression fixture
//! (`crates/livechat-validate/tests` replays every file there).

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::codegen::root;
use crate::tools;

/// The targets, as named in `fuzz/Cargo.toml`.
pub const TARGETS: &[&str] = &["classify", "locate", "validate_file", "prosody_lua"];

#[derive(Debug, clap::Args)]
pub struct FuzzArgs {
    /// How long to run each target.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// The targets to run (default: all).
    targets: Vec<String>,
}

pub fn run(args: FuzzArgs) -> Result<()> {
    let root = root();
    if tools::which("cargo-fuzz").is_none() {
        eprintln!("xtask: installing cargo-fuzz from crates.io");
        tools::run_ok(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    let targets: Vec<&str> = if args.targets.is_empty() {
        TARGETS.to_vec()
    } else {
        args.targets.iter().map(String::as_str).collect()
    };
    let mut crashed = Vec::new();
    for target in targets {
        if !TARGETS.contains(&target) {
            bail!(
                "unknown fuzz target {target} (known: {})",
                TARGETS.join(", ")
            );
        }
        let corpus = root.join("fuzz/corpus").join(target);
        seed(&root, target, &corpus)?;
        let artifacts = root.join("fuzz/artifacts").join(target);
        let before = list(&artifacts);
        eprintln!("xtask: fuzzing {target} for {} s", args.seconds);
        let status = Command::new("cargo")
            .current_dir(root.join("fuzz"))
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", "-O", target])
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={}", args.seconds))
            .status()
            .context("running cargo fuzz")?;
        let new: Vec<String> = list(&artifacts)
            .into_iter()
            .filter(|a| !before.contains(a))
            .collect();
        if !status.success() || !new.is_empty() {
            let keep = root.join("fixtures/fuzz").join(target);
            fs::create_dir_all(&keep)?;
            for name in &new {
                fs::copy(artifacts.join(name), keep.join(name))?;
            }
            crashed.push(format!(
                "{target}: {} new crashing input(s) kept in fixtures/fuzz/{target}/",
                new.len()
            ));
        }
    }
    if !crashed.is_empty() {
        bail!("fuzzing found crashes:\n{}", crashed.join("\n"));
    }
    println!("fuzz: no crash");
    Ok(())
}

fn list(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Seeds the corpus of `target` with every fixture file (its path for `classify`,
/// its bytes for `locate`, a kind byte then its bytes for `validate_file`, and for
/// `prosody_lua` the Prosody store files, a byte picking `.dat` or `.list` first).
fn seed(root: &Path, target: &str, corpus: &Path) -> Result<()> {
    fs::create_dir_all(corpus)?;
    let mut n = 0usize;
    let pattern = root.join("fixtures/**/*");
    for path in glob::glob(pattern.to_str().context("non-UTF-8 repository path")?)? {
        let path = path?;
        if !path.is_file() {
            continue;
        }
        let rel = path.strip_prefix(root.join("fixtures")).unwrap_or(&path);
        let rel_text = rel.to_string_lossy().replace('\\', "/");
        let bytes = fs::read(&path)?;
        if bytes.len() > 64 * 1024 {
            continue;
        }
        let input = match target {
            "prosody_lua" => {
                let list = rel_text.ends_with(".list");
                if !list && !rel_text.ends_with(".dat") {
                    continue;
                }
                let mut input = vec![u8::from(list)];
                input.extend_from_slice(&bytes);
                input
            }
            "classify" => {
                // The path inside its data dir: drop the fixture's own leading folders.
                let inner = rel_text
                    .split_once("/sample/")
                    .map_or(rel_text.as_str(), |(_, r)| r);
                inner.as_bytes().to_vec()
            }
            "locate" => bytes,
            _ => {
                let kind = kind_index(&rel_text);
                let mut input = vec![kind];
                input.extend_from_slice(&bytes);
                input
            }
        };
        n += 1;
        fs::write(corpus.join(format!("seed-{n:05}")), input)?;
    }
    Ok(())
}

/// The kind byte of a fixture for `validate_file` (an index into `Kind::DATA_DIR`,
/// as the target reads it): its kind when the path says it.
fn kind_index(rel: &str) -> u8 {
    let kind = match livechat_schema::classify(rel.split_once("/sample/").map_or(rel, |(_, r)| r)) {
        livechat_schema::Entry::Document { kind, .. } => Some(kind.id()),
        _ => rel.strip_prefix("files/").and_then(|r| r.split('/').next()),
    };
    kind.and_then(|k| {
        livechat_schema::Kind::DATA_DIR
            .iter()
            .position(|x| x.id() == k)
    })
    .and_then(|i| u8::try_from(i).ok())
    .unwrap_or(0)
}
