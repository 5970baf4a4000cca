//! `cargo xtask bench`: measures `livechat-data` on generated data dirs of N files
//! (see [`crate::gen_data`]; `--files 100000,1000000` for several sizes and a scaling
//! table) in one run against its anchors, and writes the report to
//! `target/bench/report.md`.
//!
//! - validation: `livechat-data validate DIR --format json` (every schema and every
//!   cross-file rule) against `jsonschema-cli` and `check-jsonschema` validating the
//!   same JSON documents against the exported schemas (schema checks only), batched
//!   many instances per invocation and grouped by schema;
//! - migrations: `migrate rename-domain --apply` and `migrate prune --apply` on a fresh
//!   copy of the dir, against `cp -a` of the same files.
//!
//! Each command runs under `/usr/bin/time -v` (wall time, user and system CPU time,
//! peak RSS of the process tree). The bench installs what it lacks (`time` with apt,
//! `jsonschema-cli` with cargo, `check-jsonschema` into the xtask venv) and writes only
//! under `target/bench/`. It is not run by `.ci/run`.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use livechat_schema::{Kind, schema};
use serde_json::Value;

use crate::codegen::root;
use crate::gen_data;
use crate::tools;

/// Options of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Number of files in the generated data dir; several (`--files 100000,1000000`)
    /// give a scaling table.
    #[arg(long, value_delimiter = ',', default_value = "100000")]
    files: Vec<usize>,
    /// A 5,000-file smoke run.
    #[arg(long)]
    quick: bool,
    /// Measured runs of `livechat-data validate` (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Measure only the migrations (rename-domain, prune, restore) against `cp -a`.
    #[arg(long)]
    migrations_only: bool,
    /// Skip the migrations (validation only).
    #[arg(long, conflicts_with = "migrations_only")]
    no_migrations: bool,
    /// Run `check-jsonschema` (slow: about 35 times `livechat-data`) up to this many
    /// files.
    #[arg(long, default_value_t = 100_000)]
    check_jsonschema_max: usize,
    /// Delete each generated data dir after measuring it (they take about 4.5 GB
    /// per million files).
    #[arg(long)]
    clean: bool,
    /// Measure this `livechat-data` instead of building the release binary (the
    /// report says so: only its scaling and memory mean something then).
    #[arg(long)]
    binary: Option<PathBuf>,
    /// Skip the anchors (`jsonschema-cli`, `check-jsonschema`).
    #[arg(long)]
    no_anchors: bool,
}

/// What `/usr/bin/time -v` and the clock saw of one command.
#[derive(Debug, Clone)]
pub struct Measure {
    pub wall: f64,
    pub user: f64,
    pub sys: f64,
    pub max_rss_kib: u64,
    pub status: i32,
}

impl Measure {
    pub fn cpu(&self) -> f64 {
        self.user + self.sys
    }
    fn cores(&self) -> f64 {
        if self.wall > 0.0 {
            self.cpu() / self.wall
        } else {
            0.0
        }
    }
    pub fn rss_mib(&self) -> f64 {
        self.max_rss_kib as f64 / 1024.0
    }
}

/// Instances per anchor invocation: enough that start-up does not dominate, few
/// enough to stay well below the kernel's argument-size limit.
const BATCH_ARG_BYTES: usize = 512 * 1024;

/// One size's row of the scaling table.
struct Scale {
    files: usize,
    load: String,
    ours: Measure,
    jcli: Option<Measure>,
    migrations: Vec<crate::bench_migrate::Row>,
}

pub fn run(args: BenchArgs) -> Result<()> {
    let sizes = if args.quick {
        vec![5_000]
    } else {
        args.files.clone()
    };
    let root = root();
    let bench = root.join("target/bench");
    fs::create_dir_all(&bench)?;
    let time = ensure_time()?;
    let binary = match &args.binary {
        Some(b) => b.clone(),
        None => build_release()?,
    };
    if args.migrations_only {
        let mut report = String::from("# livechat-data bench: migrations\n");
        for &n in &sizes {
            let data = gen_data::ensure(n)?;
            let _ = writeln!(
                report,
                "\nData dir: `{}`: {} files (`cargo xtask bench --migrations-only --files {n}`).",
                rel(&root, &data.dir),
                data.files
            );
            migrations(&time, &binary, &bench, &data, &mut report)?;
            if args.clean {
                remove(&data.dir)?;
            }
        }
        let path = bench.join("report-migrations.md");
        fs::write(&path, &report)?;
        println!("{report}");
        eprintln!("bench: wrote {}", path.display());
        return Ok(());
    }
    let jsonschema_cli = if args.no_anchors {
        None
    } else {
        Some(ensure_jsonschema_cli()?)
    };
    let mut report = format!(
        "# livechat-data bench\n\nMachine: {} cores (`nproc`); run of {} (UTC). Other work on the machine slows every command alike: the load average is given with each size.\n",
        nproc(),
        now_utc()
    );
    if let Some(b) = &args.binary {
        let _ = writeln!(
            report,
            "\nBinary measured: `{}` (given with `--binary`, not the release build).",
            b.display()
        );
    }
    let mut scales = Vec::new();
    for &n in &sizes {
        let data = gen_data::ensure(n)?;
        let scale = one_size(
            &args,
            n,
            &data,
            &time,
            &binary,
            jsonschema_cli.as_deref(),
            &mut report,
        )?;
        scales.push(scale);
        if args.clean {
            remove(&data.dir)?;
        }
    }
    report.push_str(&scaling_table(&scales));
    let _ = writeln!(
        report,
        "\nReproduce: `cargo xtask bench{}` (needs `jsonschema-cli`, installed with `cargo install jsonschema-cli --locked` when missing).",
        if args.quick {
            " --quick".to_owned()
        } else {
            format!(
                " --files {}",
                sizes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            )
        }
    );
    let path = bench.join("report.md");
    fs::write(&path, &report)?;
    println!("{report}");
    eprintln!("bench: wrote {}", path.display());
    Ok(())
}

/// The load average, as `/proc/loadavg`'s first three fields.
fn load() -> String {
    fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The date and time, from `date -u` (no clock crate for one line).
fn now_utc() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Measures one data dir; appends its section to `report`.
#[allow(clippy::too_many_arguments)]
fn one_size(
    args: &BenchArgs,
    n: usize,
    data: &gen_data::Generated,
    time: &Path,
    binary: &Path,
    jsonschema_cli: Option<&Path>,
    report: &mut String,
) -> Result<Scale> {
    let root = root();
    let bench = root.join("target/bench");
    let docs = gen_data::documents_by_kind(&data.dir)?;
    let doc_count: usize = docs.values().map(Vec::len).sum();
    let schemas = root.join("schemas");
    let load_before = load();
    let _ = writeln!(
        report,
        "\n## {n} files\n\nData dir: `{}`: {} files, {} JSON documents ({} kinds), generated by `cargo xtask bench --files {n}` (seed fixed; built from `fixtures/`). Load average before: {load_before}.\n",
        rel(&root, &data.dir),
        data.files,
        doc_count,
        docs.len(),
    );

    // Validation. The first run of ours only warms the page cache.
    eprintln!("bench: {n} files: warming up (livechat-data validate)");
    let out = bench.join("ours.json");
    let validate = |out: &Path| -> Result<Measure> {
        let mut cmd = Command::new(time);
        cmd.arg(binary)
            .arg("validate")
            .arg(&data.dir)
            .args(["--format", "json"]);
        measure(&mut cmd, out)
    };
    let warm = validate(&out)?;
    let verdict = ours_verdict(&out, &warm);
    let mut runs = Vec::new();
    for i in 0..args.runs.max(1) {
        eprintln!("bench: {n} files: livechat-data validate, run {}", i + 1);
        runs.push(validate(&out)?);
    }
    runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    let ours = runs[runs.len() / 2].clone();

    // jsonschema-cli stops a whole invocation at the first file that is not JSON, so
    // those files (empty, truncated: a few of the invalid ones) get an invocation each;
    // check-jsonschema reports them and goes on, so it gets them in its batches.
    let unparsable = unparsable(&docs);
    let jcli = match jsonschema_cli {
        Some(jsonschema_cli) => {
            eprintln!("bench: {n} files: jsonschema-cli");
            let script =
                anchor_script(&data.dir, &docs, &schemas, &unparsable, |schema, files| {
                    let mut line = format!(
                        "{} validate {} -d 2020 --assert-format --offline --errors-only -i",
                        sh(jsonschema_cli),
                        sh(schema)
                    );
                    for f in files {
                        line.push(' ');
                        line.push_str(&sh(f));
                    }
                    line
                })?;
            Some(run_script(time, &bench, "jsonschema-cli", &script)?)
        }
        None => None,
    };

    let cjs = if !args.no_anchors && n <= args.check_jsonschema_max {
        eprintln!("bench: {n} files: check-jsonschema");
        let venv = tools::python_venv()?;
        let check_jsonschema = venv.join("check-jsonschema");
        let script = anchor_script(
            &data.dir,
            &docs,
            &schemas,
            &HashSet::new(),
            |schema, files| {
                let mut line = format!(
                    "{} --force-filetype json --schemafile {}",
                    sh(&check_jsonschema),
                    sh(schema)
                );
                for f in files {
                    line.push(' ');
                    line.push_str(&sh(f));
                }
                line
            },
        )?;
        Some(run_script(time, &bench, "check-jsonschema", &script)?)
    } else {
        None
    };

    let _ = writeln!(report, "### Validation\n");
    let _ = writeln!(
        report,
        "| command | checks | wall | CPU (user+sys) | cores used | peak RSS | exit |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |"
    );
    let row = |report: &mut String, name: &str, checks: &str, m: &Measure| {
        let _ = writeln!(
            report,
            "| {name} | {checks} | {:.2} s | {:.2} s | {:.2} | {:.1} MiB | {} |",
            m.wall,
            m.cpu(),
            m.cores(),
            m.rss_mib(),
            m.status
        );
    };
    row(
        report,
        &format!(
            "`livechat-data validate DIR --format json` (median of {})",
            runs.len()
        ),
        "schemas + every semantic and cross-file rule",
        &ours,
    );
    if let Some(jcli) = &jcli {
        row(
            report,
            "`jsonschema-cli validate SCHEMA -i FILE...`",
            "schemas only",
            jcli,
        );
    }
    if let Some(cjs) = &cjs {
        row(
            report,
            "`check-jsonschema --schemafile SCHEMA FILE...`",
            "schemas only",
            cjs,
        );
    }
    let _ = writeln!(
        report,
        "\nlivechat-data's verdict: {verdict}. The anchors validate the same {doc_count} JSON documents against `schemas/*.schema.json`, one invocation per kind and batch of at most {} KiB of arguments, run one after the other ({} files that are not JSON get a jsonschema-cli invocation each: it stops a batch at the first such file).\n",
        BATCH_ARG_BYTES / 1024,
        unparsable.len()
    );
    let _ = writeln!(
        report,
        "| ratio | value | target | met |\n| --- | ---: | --- | --- |"
    );
    let target = |report: &mut String, what: &str, value: String, goal: &str, met: bool| {
        let _ = writeln!(
            report,
            "| {what} | {value} | {goal} | {} |",
            if met { "yes" } else { "**no**" }
        );
    };
    if let Some(jcli) = &jcli {
        let ratio_jcli = ours.wall / jcli.wall;
        target(
            report,
            "wall time, livechat-data / jsonschema-cli",
            format!("{ratio_jcli:.2}"),
            "≤ 0.8",
            ratio_jcli <= 0.8,
        );
        let cpu_jcli = ours.cpu() / jcli.cpu();
        target(
            report,
            "CPU time, livechat-data / jsonschema-cli",
            format!("{cpu_jcli:.2}"),
            "≤ 1.3",
            cpu_jcli <= 1.3,
        );
    }
    if let Some(cjs) = &cjs {
        let ratio_cjs = cjs.wall / ours.wall;
        target(
            report,
            "wall time, check-jsonschema / livechat-data",
            format!("{ratio_cjs:.1}×"),
            "≥ 20×",
            ratio_cjs >= 20.0,
        );
    }
    let rss_goal = if n > 100_000 { 200.0 } else { 100.0 };
    target(
        report,
        "livechat-data peak RSS",
        format!("{:.1} MiB", ours.rss_mib()),
        &format!("< {rss_goal} MiB"),
        ours.rss_mib() < rss_goal,
    );
    target(
        report,
        "livechat-data cores used (CPU time / wall time)",
        format!("{:.2}", ours.cores()),
        "both cores (> 1.5)",
        ours.cores() > 1.5,
    );

    let migrations = if args.no_migrations {
        Vec::new()
    } else {
        migrations(time, binary, &bench, data, report)?
    };
    let _ = writeln!(
        report,
        "\n<details><summary>Generated files ({n})</summary>\n\n```\n{}```\n</details>",
        data.summary
    );
    Ok(Scale {
        files: data.files,
        load: load_before,
        ours,
        jcli,
        migrations,
    })
}

/// The scaling table: every size's measures side by side, time per file against the
/// smallest size's.
fn scaling_table(scales: &[Scale]) -> String {
    let mut out = String::from(
        "\n## Scaling\n\n| files | load before | `validate` wall | per file | × smallest | CPU | RSS | `jsonschema-cli` wall | CPU | RSS | wall ratio (≤ 0.8) | CPU ratio (≤ 1.3) |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    let Some(first) = scales.first() else {
        return out;
    };
    let per_file = |s: &Scale| s.ours.wall / s.files.max(1) as f64;
    for s in scales {
        let anchor = |f: &dyn Fn(&Measure) -> String| s.jcli.as_ref().map_or("-".to_owned(), f);
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} s | {:.2} µs | {:.2} | {:.2} s | {:.1} MiB | {} | {} | {} | {} | {} |",
            s.files,
            s.load,
            s.ours.wall,
            per_file(s) * 1e6,
            per_file(s) / per_file(first),
            s.ours.cpu(),
            s.ours.rss_mib(),
            anchor(&|j: &Measure| format!("{:.2} s", j.wall)),
            anchor(&|j: &Measure| format!("{:.2} s", j.cpu())),
            anchor(&|j: &Measure| format!("{:.1} MiB", j.rss_mib())),
            anchor(&|j: &Measure| format!("{:.2}", s.ours.wall / j.wall)),
            anchor(&|j: &Measure| format!("{:.2}", s.ours.cpu() / j.cpu())),
        );
    }
    if scales.iter().any(|s| !s.migrations.is_empty()) {
        out.push_str(
            "\n| files | migration | files touched | wall | ratio to `cp -a` of them (≤ 2) | `restore` wall | ratio | peak RSS, apply / restore (< 100 MiB) |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        );
        for s in scales {
            for r in &s.migrations {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {:.2} s | {:.2} | {:.2} s | {:.2} | {:.1} / {:.1} MiB |",
                    s.files,
                    r.name,
                    r.files,
                    r.apply.wall,
                    r.apply.wall / r.cp_touched.wall,
                    r.restore.wall,
                    r.restore.wall / r.cp_touched.wall,
                    r.apply.rss_mib(),
                    r.restore.rss_mib(),
                );
            }
        }
    }
    out
}

/// The migration rows (see [`crate::bench_migrate`]), appended to `report`.
fn migrations(
    time: &Path,
    binary: &Path,
    bench: &Path,
    data: &gen_data::Generated,
    report: &mut String,
) -> Result<Vec<crate::bench_migrate::Row>> {
    let _ = writeln!(
        report,
        "\n### Migrations\n\nLoad average before the migrations: {}.\n",
        load()
    );
    let rows = crate::bench_migrate::measure_all(&crate::bench_migrate::Ctx {
        time,
        binary,
        bench,
        data: &data.dir,
        inventory: &data.inventory,
        host: gen_data::HOST,
    })?;
    report.push_str(&crate::bench_migrate::markdown(&rows, data.files));
    Ok(rows)
}

/// `/usr/bin/time`, installed with apt when missing.
fn ensure_time() -> Result<PathBuf> {
    let time = PathBuf::from("/usr/bin/time");
    if !time.exists() {
        eprintln!("bench: installing `time` (apt-get)");
        tools::run_ok(Command::new("apt-get").args(["install", "-y", "-q", "time"]))
            .or_else(|_| {
                tools::run_ok(Command::new("apt-get").args(["update", "-q"]))?;
                tools::run_ok(Command::new("apt-get").args(["install", "-y", "-q", "time"]))
            })
            .context("installing GNU time (`apt-get install time`)")?;
    }
    Ok(time)
}

/// `jsonschema-cli`, installed with `cargo install --locked` when missing.
fn ensure_jsonschema_cli() -> Result<PathBuf> {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin/jsonschema-cli"));
    if let Some(path) = tools::which("jsonschema-cli").or(cargo_bin.filter(|p| p.exists())) {
        return Ok(path);
    }
    eprintln!("bench: installing jsonschema-cli (cargo install jsonschema-cli --locked)");
    tools::run_ok(Command::new("cargo").args(["install", "jsonschema-cli", "--locked"]))?;
    tools::which("jsonschema-cli").context("jsonschema-cli is not on PATH after `cargo install`")
}

/// Builds `livechat-data` in release mode and returns the binary's path.
fn build_release() -> Result<PathBuf> {
    tools::build_cli(true)
}

/// Runs `cmd` (which starts with `/usr/bin/time`) with stdout to `out` and stderr to
/// `out` with the extension `.err`, and reads what `time -v` measured.
pub fn measure(cmd: &mut Command, out: &Path) -> Result<Measure> {
    let stats = out.with_extension("time");
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(ToOwned::to_owned).collect();
    let mut timed = Command::new(program);
    timed.arg("-v").arg("-o").arg(&stats).args(args);
    if let Some(dir) = cmd.get_current_dir() {
        timed.current_dir(dir);
    }
    timed
        .stdin(Stdio::null())
        .stdout(fs::File::create(out)?)
        .stderr(fs::File::create(out.with_extension("err"))?);
    let start = Instant::now();
    let status = timed
        .status()
        .with_context(|| format!("running {timed:?}"))?;
    let wall = start.elapsed().as_secs_f64();
    let text =
        fs::read_to_string(&stats).with_context(|| format!("reading {}", stats.display()))?;
    let field = |name: &str| -> Option<&str> {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(str::trim)
    };
    let num = |name: &str| -> Result<f64> {
        field(name)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("`time -v` printed no `{name}`"))
    };
    Ok(Measure {
        wall,
        user: num("User time (seconds):")?,
        sys: num("System time (seconds):")?,
        max_rss_kib: num("Maximum resident set size (kbytes):")? as u64,
        status: status.code().unwrap_or(-1),
    })
}

/// A shell script running an anchor over every document, one line per batch,
/// with paths relative to the data dir (shorter command lines).
fn anchor_script(
    dir: &Path,
    docs: &BTreeMap<Kind, Vec<PathBuf>>,
    schemas: &Path,
    alone: &HashSet<PathBuf>,
    line: impl Fn(&Path, &[String]) -> String,
) -> Result<String> {
    let mut script = format!("cd {}\n", sh(dir));
    for (kind, paths) in docs {
        let schema = schemas.join(schema::file_name(*kind));
        let mut batch: Vec<String> = Vec::new();
        let mut bytes = 0;
        for path in paths {
            let rel = rel(dir, path);
            if alone.contains(path) {
                script.push_str(&line(&schema, &[rel]));
                script.push('\n');
                continue;
            }
            bytes += rel.len() + 4;
            batch.push(rel);
            if bytes >= BATCH_ARG_BYTES {
                script.push_str(&line(&schema, &batch));
                script.push('\n');
                batch.clear();
                bytes = 0;
            }
        }
        if !batch.is_empty() {
            script.push_str(&line(&schema, &batch));
            script.push('\n');
        }
    }
    // The exit status is that of the last batch; verdicts do not matter here.
    script.push_str("exit 0\n");
    Ok(script)
}

fn run_script(time: &Path, bench: &Path, name: &str, script: &str) -> Result<Measure> {
    let path = bench.join(format!("{name}.sh"));
    fs::write(&path, script)?;
    let mut cmd = Command::new(time);
    cmd.arg("bash").arg(&path);
    let m = measure(&mut cmd, &bench.join(format!("{name}.out")))?;
    if m.status != 0 {
        bail!("{name} failed (exit {}): see {}", m.status, path.display());
    }
    Ok(m)
}

/// The documents that are not JSON at all.
fn unparsable(docs: &BTreeMap<Kind, Vec<PathBuf>>) -> HashSet<PathBuf> {
    docs.values()
        .flatten()
        .filter(|path| {
            fs::read(path)
                .map(|bytes| serde_json::from_slice::<Value>(&bytes).is_err())
                .unwrap_or(true)
        })
        .cloned()
        .collect()
}

/// The summary of our JSON report (files checked, errors, warnings).
fn ours_verdict(out: &Path, m: &Measure) -> String {
    let report: Option<Value> = fs::read(out)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    match report {
        Some(r) => format!(
            "{} files checked, {} errors, {} warnings (exit {})",
            r["files_checked"], r["errors"], r["warnings"], m.status
        ),
        None => format!(
            "no JSON report (exit {}): {}",
            m.status,
            first_line(&fs::read_to_string(out.with_extension("err")).unwrap_or_default())
        ),
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("(no message)")
        .to_owned()
}

pub fn remove(path: &Path) -> Result<()> {
    if path.exists() {
        fs::remove_dir_all(path).with_context(|| format!("removing {}", path.display()))?;
    }
    Ok(())
}

fn rel(base: &Path, path: &Path) -> String {
    crate::crossval::rel_slash(base, path)
}

/// Quotes a word for bash.
fn sh(word: impl AsRef<std::ffi::OsStr>) -> String {
    let word = word.as_ref().to_string_lossy();
    if word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./@=:".contains(c))
    {
        word.into_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

fn nproc() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
