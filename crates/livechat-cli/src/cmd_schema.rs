//! `livechat-data schema list` and `livechat-data schema export`.

use std::path::PathBuf;
use std::process::ExitCode;

use livechat_schema::{Kind, schema};
use miette::{Context, IntoDiagnostic};

/// The schema subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SchemaCommand {
    /// Print each kind id, its path pattern and a one-line description.
    ///
    /// Example: livechat-data schema list --format json
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Write one `<kind id>.schema.json` per kind (JSON Schema draft 2020-12) into OUT_DIR.
    ///
    /// Example: livechat-data schema export ./schemas
    Export {
        /// The folder to write into (created if missing).
        out_dir: PathBuf,
    },
}

/// Output format of `schema list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

pub fn run(cmd: SchemaCommand) -> miette::Result<ExitCode> {
    match cmd {
        SchemaCommand::List { format } => {
            print!("{}", list(format));
            Ok(ExitCode::SUCCESS)
        }
        SchemaCommand::Export { out_dir } => {
            std::fs::create_dir_all(&out_dir)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot create {}", out_dir.display()))?;
            for &kind in Kind::ALL {
                let path = out_dir.join(schema::file_name(kind));
                std::fs::write(&path, schema::schema_text(kind))
                    .into_diagnostic()
                    .wrap_err_with(|| format!("cannot write {}", path.display()))?;
            }
            eprintln!("wrote {} schemas to {}", Kind::ALL.len(), out_dir.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The text of `schema list`.
pub fn list(format: ListFormat) -> String {
    match format {
        ListFormat::Human => {
            let width = Kind::ALL.iter().map(|k| k.id().len()).max().unwrap_or(0);
            let pwidth = Kind::ALL
                .iter()
                .map(|k| k.path_pattern().unwrap_or("-").len())
                .max()
                .unwrap_or(0);
            let mut out = String::new();
            for &kind in Kind::ALL {
                out.push_str(&format!(
                    "{:width$}  {:pwidth$}  {}\n",
                    kind.id(),
                    kind.path_pattern().unwrap_or("-"),
                    kind.summary()
                ));
            }
            out
        }
        ListFormat::Json => {
            let kinds: Vec<serde_json::Value> = Kind::ALL
                .iter()
                .map(|&kind| {
                    serde_json::json!({
                        "kind": kind.id(),
                        "path_pattern": kind.path_pattern(),
                        "description": kind.summary(),
                        "schema": schema::file_name(kind),
                    })
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&kinds).unwrap_or_default();
            text.push('\n');
            text
        }
    }
}
