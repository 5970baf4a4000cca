//! `livechat-data validate`.
//!
//! This module turns arguments into [`ValidateOptions`], runs the engine and picks
//! the renderer ([`crate::report`]); it checks nothing itself. Exit status: 0 when
//! there is no error (and, with `--deny-warnings`, no warning), 1 when the data has
//! errors, 2 when the validation could not run.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use livechat_validate::engine::{Progress, validate_dir_with};
use livechat_validate::{RoomType, ValidateOptions};

use report::Format;

// The renderers live in `report/` beside this file; only `validate` uses them.
#[path = "report/mod.rs"]
mod report;

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
livechat-data validate /var/www/peertube/storage/plugins/data/peertube-plugin-livechat --instance-url https://peertube.example.com\n  \
livechat-data validate --peertube-config /var/www/peertube/config/production.yaml --format github\n  \
livechat-data validate DIR --peertube-db postgres://peertube@localhost/peertube_prod --format sarif")]
pub struct ValidateArgs {
    /// The plugin's data directory (default: from --peertube-config's
    /// `storage.plugins`, else /var/www/peertube/storage/plugins/data/peertube-plugin-livechat).
    pub dir: Option<PathBuf>,
    /// PeerTube's public URL, e.g. https://peertube.example.com (gives the host D and
    /// the scheme of emoji URLs).
    #[arg(long, value_name = "URL")]
    pub instance_url: Option<String>,
    /// PeerTube's production.yaml, read as PeerTube layers it (default.yaml,
    /// local-production.json, Docker's PEERTUBE_* variables): the public URL, the data
    /// dir, and the database to read the plugin's settings and version from.
    #[arg(long, value_name = "FILE", conflicts_with = "peertube_db")]
    pub peertube_config: Option<PathBuf>,
    /// PeerTube's database, as `postgres://user:password@host:port/dbname`: the
    /// instance (its application actor) and the plugin's settings and version.
    #[arg(long, value_name = "URL")]
    pub peertube_db: Option<String>,
    /// The database schema holding PeerTube's tables (default: the search path).
    #[arg(long, value_name = "NAME", hide = true)]
    pub db_schema: Option<String>,
    /// The plugin setting `prosody-room-type` (default video); the database's value
    /// wins when it is read.
    #[arg(long, value_enum)]
    pub room_type: Option<RoomTypeArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with status 1 when there are warnings, too.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// `--room-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RoomTypeArg {
    Video,
    Channel,
}

pub fn run(args: ValidateArgs) -> miette::Result<ExitCode> {
    let given = match args.room_type {
        Some(RoomTypeArg::Channel) => RoomType::Channel,
        _ => RoomType::Video,
    };
    let sources = crate::peertube::Sources {
        instance_url: args.instance_url.as_deref(),
        peertube_config: args.peertube_config.as_deref(),
        peertube_db: args.peertube_db.as_deref(),
        db_schema: args.db_schema.as_deref(),
    };
    // An explicit --peertube-db must answer; the configuration's database is a bonus.
    let mut resolved = sources.resolve(args.peertube_db.is_some())?;
    let dir = resolved.data_dir(args.dir.as_deref());
    let plugin = resolved.plugin();
    if let (Some(p), Some(_)) = (&plugin, args.room_type) {
        if p.settings.room_type != given {
            eprintln!(
                "note: --room-type is ignored: the plugin's setting prosody-room-type, read from PeerTube's database, is {}",
                if p.settings.room_type == RoomType::Channel {
                    "channel"
                } else {
                    "video"
                }
            );
        }
    }
    let (instance, instance_source) = resolved.instance.take().unzip();
    let options = ValidateOptions {
        room_type: given,
        instance,
        instance_source,
        plugin,
    };
    let bar = Bar::default();
    let result = validate_dir_with(&dir, &options, &bar)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = report::write(&result, &dir, args.format, &mut out).and_then(|()| out.flush());
    if let Err(err) = written {
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        if err.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(miette::miette!(
                code = "livechat::validate::output",
                "cannot write the report: {err}"
            ));
        }
    }
    let failed = result.errors() > 0 || (args.deny_warnings && result.warnings() > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A progress bar on stderr while the files are checked, only for a person watching:
/// nothing when stderr is not a terminal, in CI, or for a small dir.
#[derive(Default)]
struct Bar {
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        use std::io::IsTerminal;
        if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() && total >= 1000 {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total),
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{msg:>8} [{bar:40}] {pos}/{len} {eta}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message("validate");
            let _ = self.bar.set(bar);
        }
    }
    fn checked(&self) {
        if let Some(b) = self.bar.get() {
            b.inc(1);
        }
    }
    fn done(&self) {
        if let Some(b) = self.bar.get() {
            b.finish_and_clear();
        }
    }
}
