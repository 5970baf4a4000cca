//! Renderers of a validation [`Report`]: `human` (miette code frames), `json` (the
//! `validation-report` document), `github` (workflow annotations), `sarif` (2.1.0)
//! and `junit`. They only format what the engine found: no checks here, and no
//! file text other than what [`Report::source`] gives (already redacted).

mod github;
mod human;
mod junit;
mod sarif;

use std::path::Path;

use livechat_validate::codes;
use livechat_validate::engine::Report;

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Code frames and a summary line, for people.
    Human,
    /// The `validation-report` JSON document (schemas/validation-report.schema.json).
    Json,
    /// GitHub Actions workflow annotations.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML, one test case per file.
    Junit,
}

/// Renders the report. `dir` is the data directory as the user gave it.
pub fn render(report: &Report, dir: &Path, format: Format) -> String {
    match format {
        Format::Human => human::render(report, dir),
        Format::Json => {
            let model = report.to_model(&dir.display().to_string());
            let mut text = serde_json::to_string_pretty(&model)
                .unwrap_or_else(|err| unreachable!("a report always serialises: {err}"));
            text.push('\n');
            text
        }
        Format::Github => github::render(report, dir),
        Format::Sarif => sarif::render(report, dir),
        Format::Junit => junit::render(report, dir),
    }
}

/// A path relative to the data directory as a path the user can open: joined to
/// the directory as given (so annotations and links work from where the command
/// ran). `""` (the directory itself) is the directory.
pub fn shown_path(dir: &Path, rel: &str) -> String {
    let dir = dir.display().to_string();
    let dir = dir.trim_end_matches('/');
    match (dir, rel) {
        ("" | ".", "") => ".".to_owned(),
        ("" | ".", rel) => rel.to_owned(),
        (dir, "") => dir.to_owned(),
        (dir, rel) => format!("{dir}/{rel}"),
    }
}

/// The text `explain CODE` prints, or `None` for an unknown code.
pub fn explain(code: &str) -> Option<String> {
    let info = codes::info(code)?;
    let severity = match info.severity {
        livechat_validate::Severity::Error => "error",
        livechat_validate::Severity::Warning => "warning",
    };
    Some(format!(
        "{}: {} (default severity: {severity})\n",
        info.code, info.summary
    ))
}
