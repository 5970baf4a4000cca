//! The bench's migration rows: `migrate rename-domain --apply`, `migrate prune
//! --apply` and `migrate restore` of each, on a fresh copy of the bench data dir,
//! against `cp -a` of exactly the files each migration touches (and of the whole dir).
//!
//! The files touched come from the migration's own plan (`--format json`, a dry run
//! on the same copy, untimed); the anchor copies them with `cp -a --parents` from the
//! copy, so both sides read from the same warm page cache. Each migration reports the
//! wall time of its phases (`seconds` in its JSON output: plan, apply with its
//! durability, and the validation of the result), so the rows show the migration
//! proper next to the whole command. Writes only under `target/bench/`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::bench::{Measure, measure, remove};

/// What the migration rows need of a bench run.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub time: &'a Path,
    pub binary: &'a Path,
    pub bench: &'a Path,
    pub data: &'a Path,
    pub inventory: &'a Path,
    pub host: &'a str,
}

/// One migration measured, with its anchor.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: &'static str,
    /// Files the plan touches, and their bytes.
    pub files: usize,
    pub bytes: u64,
    pub apply: Measure,
    /// `seconds` of the JSON output: plan, apply, validation.
    pub phases: Option<(f64, f64, f64)>,
    pub restore: Measure,
    /// `cp -a --parents` of the touched files.
    pub cp_touched: Measure,
    /// `cp -a` of the whole dir.
    pub cp_all: Measure,
    /// The restore gave back as many files as there were.
    pub restored_ok: bool,
}

fn migrations(ctx: &Ctx<'_>) -> [(&'static str, Vec<String>); 2] {
    [
        (
            "rename-domain",
            vec![
                "migrate".into(),
                "rename-domain".into(),
                "--from".into(),
                ctx.host.into(),
                "--to".into(),
                "chat.example.org".into(),
            ],
        ),
        (
            "prune",
            vec![
                "migrate".into(),
                "prune".into(),
                "--inventory".into(),
                ctx.inventory.display().to_string(),
            ],
        ),
    ]
}

fn count_files(dir: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(_) => n += 1,
                Err(_) => {}
            }
        }
    }
    n
}

/// Measures every migration on fresh copies of `ctx.data`.
pub fn measure_all(ctx: &Ctx<'_>) -> Result<Vec<Row>> {
    let copy = ctx.bench.join("copy");
    let backup = ctx.bench.join("backup");
    let dest = ctx.bench.join("cp-touched");
    let list = ctx.bench.join("touched.list");
    let mut rows = Vec::new();
    for (name, args) in migrations(ctx) {
        remove(&copy)?;
        remove(&backup)?;
        remove(&dest)?;
        eprintln!("bench: cp -a (fresh copy for migrate {name})");
        let mut cmd = Command::new(ctx.time);
        cmd.args(["cp", "-a"]).arg(ctx.data).arg(&copy);
        let cp_all = measure(&mut cmd, &ctx.bench.join("cp.out"))?;
        let files_before = count_files(&copy);

        // The plan, untimed: what the migration touches.
        let out = Command::new(ctx.binary)
            .args(&args)
            .arg(&copy)
            .args(["--format", "json"])
            .output()
            .with_context(|| format!("planning migrate {name}"))?;
        let plan: Value = serde_json::from_slice(&out.stdout)
            .with_context(|| format!("the plan of migrate {name} is not JSON"))?;
        let mut paths = Vec::new();
        for op in plan["operations"].as_array().into_iter().flatten() {
            if let Some(p) = op["path"].as_str().filter(|p| !p.ends_with('/')) {
                paths.extend_from_slice(p.as_bytes());
                paths.push(0);
            }
        }
        fs::write(&list, &paths)?;
        let files = plan["summary"]["files"].as_u64().unwrap_or(0) as usize;
        let bytes = plan["summary"]["bytes"].as_u64().unwrap_or(0);

        eprintln!("bench: cp -a of the {files} files migrate {name} touches");
        fs::create_dir_all(&dest)?;
        let mut cmd = Command::new(ctx.time);
        cmd.arg("bash").arg("-c").arg(format!(
            "cd '{}' && xargs -0 -a '{}' cp -a --parents -t '{}'",
            copy.display(),
            list.display(),
            dest.display()
        ));
        let cp_touched = measure(&mut cmd, &ctx.bench.join("cp-touched.out"))?;
        remove(&dest)?;

        eprintln!("bench: migrate {name} --apply");
        let out = ctx.bench.join(format!("migrate-{name}.out"));
        let mut cmd = Command::new(ctx.time);
        cmd.arg(ctx.binary)
            .args(&args)
            .arg(&copy)
            .args(["--apply", "--format", "json", "--backup-dir"])
            .arg(&backup);
        let apply = measure(&mut cmd, &out)?;
        let phases = fs::read(&out)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| {
                let s = &v["seconds"];
                Some((
                    s["plan"].as_f64()?,
                    s["apply"].as_f64()?,
                    s["validation"].as_f64()?,
                ))
            });

        eprintln!("bench: migrate restore (of {name})");
        let mut cmd = Command::new(ctx.time);
        cmd.arg(ctx.binary)
            .args(["migrate", "restore"])
            .arg(&backup);
        let restore = measure(&mut cmd, &ctx.bench.join(format!("restore-{name}.out")))?;
        let restored_ok = restore.status == 0 && count_files(&copy) == files_before;
        rows.push(Row {
            name,
            files,
            bytes,
            apply,
            phases,
            restore,
            cp_touched,
            cp_all,
            restored_ok,
        });
    }
    remove(&copy)?;
    remove(&backup)?;
    let _ = fs::remove_file(&list);
    Ok(rows)
}

/// The rows as a markdown table, for a data dir of `files` files.
pub fn markdown(rows: &[Row], files: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| files in DIR | command | files touched | wall | ratio to `cp -a` of the files touched | migration proper (plan + apply) / `cp -a` | CPU (user+sys) | peak RSS | `cp -a` of the files touched | `cp -a` of DIR | exit |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for r in rows {
        let proper = r
            .phases
            .map(|(p, a, _)| format!("{:.2}", (p + a) / r.cp_touched.wall))
            .unwrap_or_else(|| "-".into());
        let touched = format!("{} ({:.1} MiB)", r.files, r.bytes as f64 / 1_048_576.0);
        let apply = format!("`migrate {} --apply`", r.name);
        let restore = format!("`migrate restore` (of {})", r.name);
        let check = if r.restored_ok {
            ""
        } else {
            " (file count differs after restore)"
        };
        for (label, m, proper, note) in [
            (apply, &r.apply, proper.as_str(), ""),
            (restore, &r.restore, "-", check),
        ] {
            let _ = writeln!(
                out,
                "| {files} | {label} | {touched} | {:.2} s | {:.2} | {proper} | {:.2} s | {:.1} MiB | {:.2} s | {:.2} s | {}{note} |",
                m.wall,
                m.wall / r.cp_touched.wall,
                m.cpu(),
                m.rss_mib(),
                r.cp_touched.wall,
                r.cp_all.wall,
                m.status,
            );
        }
    }
    let _ = writeln!(
        out,
        "\nPhases of each migration (wall seconds, from its JSON output): {}.",
        rows.iter()
            .map(|r| match r.phases {
                Some((p, a, v)) => format!(
                    "{}: plan {p:.2}, apply (backup, steps, durability) {a:.2}, validation of the result {v:.2}",
                    r.name
                ),
                None => format!("{}: -", r.name),
            })
            .collect::<Vec<_>>()
            .join("; ")
    );
    out
}
