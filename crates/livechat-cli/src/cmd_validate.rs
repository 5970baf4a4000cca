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
use livechat_validate::{Instance, RoomType, ValidateOptions};

use report::Format;

// The renderers live in `report/` beside this file; only `validate` uses them.
#[path = "report/mod.rs"]
mod report;

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The plugin's data directory.
    #[arg(default_value = crate::DEFAULT_DATA_DIR)]
    pub dir: PathBuf,
    /// PeerTube's public URL, e.g. https://peertube.example.com (gives the host D and
    /// the scheme of emoji URLs).
    #[arg(long, value_name = "URL", conflicts_with = "peertube_config")]
    pub instance_url: Option<String>,
    /// PeerTube's production.yaml, to read the public URL from (`webserver`).
    #[arg(long, value_name = "FILE")]
    pub peertube_config: Option<PathBuf>,
    /// The plugin setting `prosody-room-type`.
    #[arg(long, value_enum, default_value_t = RoomTypeArg::Video)]
    pub room_type: RoomTypeArg,
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
    let mut options = ValidateOptions {
        room_type: match args.room_type {
            RoomTypeArg::Video => RoomType::Video,
            RoomTypeArg::Channel => RoomType::Channel,
        },
        ..ValidateOptions::default()
    };
    if let Some(url) = &args.instance_url {
        options.instance = Some(Instance::from_url(url)?);
        options.instance_source = Some("--instance-url".to_owned());
    } else if let Some(config) = &args.peertube_config {
        options.instance = Some(Instance::from_peertube_config(config)?);
        options.instance_source = Some(format!("--peertube-config {}", config.display()));
    }
    let bar = Bar::default();
    let result = validate_dir_with(&args.dir, &options, &bar)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written =
        report::write(&result, &args.dir, args.format, &mut out).and_then(|()| out.flush());
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
