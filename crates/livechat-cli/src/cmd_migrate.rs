//! `livechat-data migrate rename-domain|prune|restore` and `livechat-data inventory`.
//!
//! This module parses arguments, renders plans and reports, and draws progress; the
//! planning and applying live in `livechat_migrate`. Secrets (the bot password, token
//! ciphertexts, the database password) never reach any output: plans carry no
//! contents and database errors never repeat the connection URL.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use livechat_migrate::execute::{self, ApplyOptions, Progress};
use livechat_migrate::inventory;
use livechat_migrate::{Command, MigrateError, Plan};
use livechat_schema::models::Inventory;
use miette::IntoDiagnostic;

/// The migrations.
#[derive(Debug, clap::Subcommand)]
pub enum MigrateCommand {
    /// Move the data of the old instance host to the new one (room-channel, bot, tokens, URLs).
    #[command(
        after_help = "Examples (PeerTube stopped; without --apply only the plan is printed):\n  \
livechat-data migrate rename-domain --from old.example.com --to new.example.com /var/www/peertube/storage/plugins/data/peertube-plugin-livechat\n  \
livechat-data migrate rename-domain --from old.example.com --to new.example.com DIR --apply"
    )]
    RenameDomain(RenameDomainArgs),
    /// Remove what belongs to videos and channels that no longer exist in PeerTube.
    #[command(
        after_help = "Examples (PeerTube stopped; without --apply only the plan is printed):\n  \
livechat-data migrate prune DIR --peertube-config /var/www/peertube/config/production.yaml\n  \
livechat-data migrate prune DIR --peertube-db postgres://peertube@localhost/peertube_prod\n  \
livechat-data migrate prune DIR --inventory inventory.json --apply"
    )]
    Prune(PruneArgs),
    /// Put back exactly what an applied (or interrupted) migration changed.
    #[command(after_help = "Example:\n  \
livechat-data migrate restore /var/www/peertube/storage/plugins/data/peertube-plugin-livechat.livechat-backup-20261126T101500")]
    Restore(RestoreArgs),
}

/// Output format of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Options shared by the migrations.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Apply the plan (without it, only print the plan and change nothing).
    #[arg(long)]
    pub apply: bool,
    /// Where to put the backup (default: next to DIR, named `<DIR>.livechat-backup-<time>`).
    #[arg(long, value_name = "PATH")]
    pub backup_dir: Option<PathBuf>,
    /// Apply even though `prosody/prosody.pid` names a running process.
    #[arg(long)]
    pub force: bool,
    /// How to print the plan.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Arguments of `migrate rename-domain`.
#[derive(Debug, clap::Args)]
pub struct RenameDomainArgs {
    /// The old instance host, e.g. `old.example.com`.
    #[arg(long, value_name = "OLD_HOST")]
    pub from: String,
    /// The new instance host, e.g. `new.example.com`.
    #[arg(long, value_name = "NEW_HOST")]
    pub to: String,
    /// The plugin's data directory.
    #[arg(default_value = crate::DEFAULT_DATA_DIR)]
    pub dir: PathBuf,
    #[command(flatten)]
    pub common: ApplyArgs,
}

/// Where the inventory comes from.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct InventorySource {
    /// An inventory file (`livechat-data inventory -o FILE`).
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// PeerTube's database, as `postgres://user:password@host:port/dbname`.
    #[arg(long, value_name = "URL")]
    pub peertube_db: Option<String>,
    /// PeerTube's `production.yaml` (database connection and instance host).
    #[arg(long, value_name = "FILE")]
    pub peertube_config: Option<PathBuf>,
}

/// Arguments of `migrate prune`.
#[derive(Debug, clap::Args)]
pub struct PruneArgs {
    /// The plugin's data directory (default: from --peertube-config's
    /// `storage.plugins`, else /var/www/peertube/storage/plugins/data/peertube-plugin-livechat).
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub source: InventorySource,
    /// PeerTube's public URL (gives the instance host D; default: PeerTube's
    /// configuration, else its database's application actor, else inferred from DIR).
    #[arg(long, value_name = "URL")]
    pub instance_url: Option<String>,
    /// The database schema holding PeerTube's tables (default: the search path).
    #[arg(long, value_name = "NAME", hide = true)]
    pub db_schema: Option<String>,
    /// Keep Prosody's data (config, history, tasks and notes) of stale rooms: only the
    /// plugin's files are pruned.
    #[arg(long)]
    pub keep_history: bool,
    #[command(flatten)]
    pub common: ApplyArgs,
}

/// Arguments of `migrate restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup folder printed when the migration started.
    pub backup: PathBuf,
    /// The data directory (default: the one recorded in the backup).
    pub dir: Option<PathBuf>,
}

/// Arguments of `inventory`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
livechat-data inventory --peertube-config /var/www/peertube/config/production.yaml -o inventory.json\n  \
livechat-data inventory --peertube-db postgres://peertube@localhost/peertube_prod")]
pub struct InventoryArgs {
    /// PeerTube's database, as `postgres://user:password@host:port/dbname`.
    #[arg(
        long,
        value_name = "URL",
        required_unless_present = "peertube_config",
        conflicts_with = "peertube_config"
    )]
    pub peertube_db: Option<String>,
    /// PeerTube's `production.yaml` (database connection and instance host).
    #[arg(long, value_name = "FILE")]
    pub peertube_config: Option<PathBuf>,
    /// PeerTube's public URL (gives the instance host; default: PeerTube's
    /// configuration, else its database's application actor).
    #[arg(long, value_name = "URL")]
    pub instance_url: Option<String>,
    /// The database schema holding PeerTube's tables (default: the search path).
    #[arg(long, value_name = "NAME", hide = true)]
    pub db_schema: Option<String>,
    /// Write the inventory to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(cmd: MigrateCommand) -> miette::Result<ExitCode> {
    match cmd {
        MigrateCommand::RenameDomain(args) => rename_domain(args),
        MigrateCommand::Prune(args) => prune(args),
        MigrateCommand::Restore(args) => restore(args),
    }
}

/// The host of a PeerTube public URL, as the plugin derives it
/// (`^https?://([^:/]*)(:\d+)?(/|$)`).
fn host_of_url(url: &str) -> miette::Result<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            miette::miette!("--instance-url {url:?} does not start with http:// or https://")
        })?;
    let end = rest.find([':', '/']).unwrap_or(rest.len());
    let host = &rest[..end];
    livechat_migrate::rename_domain::check_host(host)?;
    Ok(host.to_owned())
}

fn canonical_dir(dir: &Path) -> miette::Result<PathBuf> {
    let c = std::fs::canonicalize(dir)
        .map_err(|e| miette::miette!("cannot open the data directory {}: {e}", dir.display()))?;
    if !c.is_dir() {
        return Err(MigrateError::NotADir { path: c }.into());
    }
    Ok(c)
}

/// A path made absolute against the current folder (the journal records absolute paths).
fn absolute(path: Option<&Path>) -> miette::Result<Option<PathBuf>> {
    path.map(|p| {
        std::path::absolute(p).map_err(|e| miette::miette!("cannot resolve {}: {e}", p.display()))
    })
    .transpose()
}

fn rename_domain(args: RenameDomainArgs) -> miette::Result<ExitCode> {
    let dir = canonical_dir(&args.dir)?;
    let command = Command::RenameDomain {
        from: args.from.clone(),
        to: args.to.clone(),
    };
    migrate(
        &dir,
        command,
        &args.common,
        || {
            Ok(livechat_migrate::plan_rename_domain(
                &dir, &args.from, &args.to,
            )?)
        },
        &args.to,
    )
}

/// An inventory and the instance host it is for.
struct Loaded {
    inventory: Inventory,
    host: String,
}

/// The inventory from a file, or from PeerTube's database with the instance host
/// resolved as [`crate::peertube`] says; `dir`, when given, is the last resort for
/// the host (inferred from its MUC domains, as `validate` does).
fn load_inventory(
    source: &InventorySource,
    instance_url: Option<&str>,
    schema: Option<&str>,
    dir: Option<&Path>,
) -> miette::Result<Loaded> {
    let url_host = instance_url.map(host_of_url).transpose()?;
    if let Some(path) = &source.inventory {
        let inv = inventory::read_inventory(path)?;
        let host = url_host.unwrap_or_else(|| inv.instance_host.0.clone());
        return Ok(Loaded {
            inventory: inv,
            host,
        });
    }
    if source.peertube_db.is_none() && source.peertube_config.is_none() {
        return Err(miette::miette!(
            "give --inventory, --peertube-db or --peertube-config"
        ));
    }
    let sources = crate::peertube::Sources {
        instance_url,
        peertube_config: source.peertube_config.as_deref(),
        peertube_db: source.peertube_db.as_deref(),
        db_schema: schema,
    };
    let mut resolved = sources.resolve(true)?;
    let (host, from) = match (resolved.instance.take(), url_host) {
        // The plugin's own reading of --instance-url.
        (_, Some(host)) => (host, "--instance-url".to_owned()),
        (Some((instance, from)), None) => (instance.host, from),
        (None, None) => match dir.map(livechat_validate::engine::infer_instance_from_dir) {
            Some(Ok((instance, from))) => (instance.host, from),
            Some(Err(why)) => {
                return Err(miette::miette!(
                    "the instance host is unknown: PeerTube's database has no local application actor, and the data directory has {why}; give --instance-url"
                ));
            }
            None => {
                return Err(miette::miette!(
                    "the instance host is unknown: PeerTube's database has no local application actor; give --instance-url"
                ));
            }
        },
    };
    livechat_migrate::rename_domain::check_host(&host)?;
    eprintln!("instance {host} ({from})");
    if let Some(Ok((inferred, _))) = dir.map(livechat_validate::engine::infer_instance_from_dir) {
        if inferred.host != host {
            eprintln!(
                "note: the data directory's MUC domain is room.{}, not room.{host}: run `livechat-data migrate rename-domain --from {} --to {host}` first if the instance moved",
                inferred.host, inferred.host
            );
        }
    }
    let db = resolved
        .db
        .as_mut()
        .ok_or_else(|| miette::miette!("PeerTube's database is needed for the inventory"))?;
    let inv = inventory::inventory_from(db, &host)?;
    Ok(Loaded {
        inventory: inv,
        host,
    })
}

fn prune(args: PruneArgs) -> miette::Result<ExitCode> {
    // DIR: as given, else PeerTube's configuration's, else the default. The host
    // may be inferred from it, so it is found before the inventory is read.
    let config_dir = match (&args.dir, &args.source.peertube_config) {
        (None, Some(cfg)) => livechat_migrate::peertube::read_config(cfg)?.data_dir(),
        _ => None,
    };
    let dir = args
        .dir
        .clone()
        .or(config_dir)
        .unwrap_or_else(|| PathBuf::from(crate::DEFAULT_DATA_DIR));
    let dir = canonical_dir(&dir)?;
    let Loaded {
        inventory: inv,
        host,
    } = load_inventory(
        &args.source,
        args.instance_url.as_deref(),
        args.db_schema.as_deref(),
        Some(&dir),
    )?;
    let command = Command::Prune {
        instance_host: host.clone(),
    };
    migrate(
        &dir,
        command,
        &args.common,
        || {
            Ok(livechat_migrate::plan_prune_with(
                &dir,
                &inv,
                &host,
                args.keep_history,
            )?)
        },
        &host,
    )
}

/// A progress bar on stderr when it is a terminal, nothing otherwise.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
}

impl Bar {
    fn new() -> Self {
        Bar { bar: None }
    }
}

impl Progress for Bar {
    fn phase(&mut self, name: &str, total: u64) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
        // Only for a person watching: nothing when piped or in CI.
        if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() && total >= 100 {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total),
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{msg:>8} [{bar:40}] {pos}/{len} {eta}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(name.to_owned());
            self.bar = Some(bar);
        }
    }
    fn inc(&mut self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }
    fn done(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

/// Prints a plan, streamed (a plan may hold a million operations). In JSON, the
/// object is left open when `open` is set: the caller adds fields, then closes it.
fn print_plan(plan: &Plan, format: Format, applied: bool, open: bool) {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = match format {
        Format::Human => plan.write_human(&mut out),
        Format::Json => plan
            .write_json_head(&mut out, applied)
            .and_then(|()| if open { Ok(()) } else { writeln!(out, "\n}}") }),
    };
    let _ = out.flush();
}

/// Adds fields to the JSON object [`print_plan`] left open, and closes it.
fn close_json(fields: &serde_json::Map<String, serde_json::Value>) {
    let mut out = std::io::stdout().lock();
    for (k, v) in fields {
        let v = serde_json::to_string_pretty(v)
            .unwrap_or_default()
            .replace('\n', "\n  ");
        let _ = write!(out, ",\n  {}: {v}", serde_json::Value::from(k.as_str()));
    }
    let _ = writeln!(out, "\n}}");
}

fn migrate(
    dir: &Path,
    command: Command,
    common: &ApplyArgs,
    make_plan: impl FnOnce() -> miette::Result<Plan>,
    host: &str,
) -> miette::Result<ExitCode> {
    let backup_dir = absolute(common.backup_dir.as_deref())?;
    let unfinished = execute::find_unfinished(dir, backup_dir.as_deref())?;
    if common.apply {
        if let Some((backup, st)) = &unfinished {
            if st.header.command == command && st.has_manifest() {
                // Resume: the journal, not a new plan, says what is left to do.
                eprintln!(
                    "resuming the unfinished migration journaled in {}",
                    backup.display()
                );
                return finish(dir, Plan::new(command), common, host, 0.0);
            }
            if st.header.command != command {
                return Err(MigrateError::Unfinished {
                    command: st.header.command.to_string(),
                    path: backup.clone(),
                }
                .into());
            }
            // Killed before its manifest: the data is untouched, so plan again and
            // apply, which restarts the backup in the same folder.
        }
    }
    let started = std::time::Instant::now();
    let plan = make_plan()?;
    let plan_seconds = started.elapsed().as_secs_f64();
    if !common.apply {
        print_plan(&plan, common.format, false, false);
        if let Some((backup, _)) = unfinished {
            eprintln!(
                "note: an unfinished migration is journaled in {}; run it again with --apply to finish it, or restore it",
                backup.display()
            );
        } else if !plan.is_empty() {
            eprintln!("dry run: nothing was changed (add --apply to apply the plan)");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !plan.errors.is_empty() {
        print_plan(&plan, common.format, false, false);
        return Err(MigrateError::PlanHasErrors {
            count: plan.errors.len(),
        }
        .into());
    }
    if plan.is_empty() && unfinished.is_none() {
        print_plan(&plan, common.format, false, false);
        eprintln!("nothing to do");
        return Ok(ExitCode::SUCCESS);
    }
    if common.format == Format::Human {
        print_plan(&plan, common.format, false, false);
    }
    finish(dir, plan, common, host, plan_seconds)
}

fn finish(
    dir: &Path,
    plan: Plan,
    common: &ApplyArgs,
    host: &str,
    plan_seconds: f64,
) -> miette::Result<ExitCode> {
    let opts = ApplyOptions {
        backup_dir: absolute(common.backup_dir.as_deref())?,
        force: common.force,
    };
    let mut bar = Bar::new();
    let started = std::time::Instant::now();
    let report = execute::apply(dir, &plan, &opts, &mut bar, &mut |backup, resumed| {
        if !resumed {
            eprintln!("backup: {}", backup.display());
        }
    })?;
    if common.format == Format::Json {
        print_plan(&plan, common.format, true, true);
    }
    let apply_seconds = started.elapsed().as_secs_f64();
    // The plan goes before the validator runs: the two never share the memory.
    drop(plan);
    let started = std::time::Instant::now();
    let verdict = verdict_after_migration(dir, host);
    let validation_seconds = started.elapsed().as_secs_f64();
    match common.format {
        Format::Human => {
            println!(
                "applied: {} step(s){}; backup in {}",
                report.steps,
                if report.resumed {
                    format!(" ({} already done before this run)", report.already_done)
                } else {
                    String::new()
                },
                report.backup_dir.display()
            );
            println!("validation: {}", verdict.summary);
        }
        Format::Json => {
            if let serde_json::Value::Object(fields) = serde_json::json!({
                "backup": report.backup_dir,
                "steps": report.steps,
                "resumed": report.resumed,
                "validation": verdict.json,
                // Wall time of each phase (the bench reads them).
                "seconds": {"plan": plan_seconds, "apply": apply_seconds, "validation": validation_seconds},
            }) {
                close_json(&fields);
            }
        }
    }
    Ok(if verdict.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn restore(args: RestoreArgs) -> miette::Result<ExitCode> {
    let dir = args.dir.as_deref().map(canonical_dir).transpose()?;
    let mut bar = Bar::new();
    let backup = absolute(Some(&args.backup))?.unwrap_or_default();
    let report = execute::restore(&backup, dir.as_deref(), &mut bar)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "restored {} file(s) and removed {} created by the migration in {}",
        report.restored,
        report.removed,
        report.data_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn inventory(args: InventoryArgs) -> miette::Result<ExitCode> {
    let source = InventorySource {
        inventory: None,
        peertube_db: args.peertube_db.clone(),
        peertube_config: args.peertube_config.clone(),
    };
    let Loaded { inventory: inv, .. } = load_inventory(
        &source,
        args.instance_url.as_deref(),
        args.db_schema.as_deref(),
        None,
    )?;
    let text = serde_json::to_string(&inv).into_diagnostic()?;
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))?,
        None => println!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The validator's verdict on the migrated directory.
struct Verdict {
    summary: String,
    errors: u64,
    json: serde_json::Value,
}

fn verdict_after_migration(dir: &Path, host: &str) -> Verdict {
    let options = livechat_validate::ValidateOptions {
        instance: Some(livechat_validate::Instance {
            host: host.to_owned(),
            scheme: "https".into(),
            port: None,
        }),
        instance_source: Some("the migration's instance host".into()),
        ..Default::default()
    };
    match livechat_validate::engine::validate_dir(dir, &options) {
        Ok(report) => {
            let (errors, warnings) = (report.errors(), report.warnings());
            Verdict {
                summary: format!(
                    "{} ({} file(s) checked, {errors} error(s), {warnings} warning(s); run `livechat-data validate` for details)",
                    if errors == 0 { "valid" } else { "invalid" },
                    report.files_checked
                ),
                errors,
                json: serde_json::json!({"valid": errors == 0, "files_checked": report.files_checked, "errors": errors, "warnings": warnings}),
            }
        }
        Err(e) => Verdict {
            summary: format!("the validator could not run: {e}"),
            errors: 0,
            json: serde_json::json!({"valid": null, "error": e.to_string()}),
        },
    }
}
