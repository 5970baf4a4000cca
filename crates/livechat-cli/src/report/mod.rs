//! Renderers of a validation [`Report`]: `human` (miette code frames), `json` (the
//! `validation-report` document), `github` (workflow annotations), `sarif` (2.1.0)
//! and `junit`. They only format what the engine found: no checks here, and no
//! file text other than what [`Report::source`] gives (already redacted).

mod github;
mod human;
mod json;
mod junit;
mod sarif;

use std::io::Write;
use std::path::Path;

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

/// Writes the report to `out`. `dir` is the data directory as the user gave it. The
/// human and json formats stream finding by finding.
pub fn write(
    report: &Report,
    dir: &Path,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(report, dir, out),
        Format::Json => json::write(report, &dir.display().to_string(), out),
        Format::Github => out.write_all(github::render(report, dir).as_bytes()),
        Format::Sarif => out.write_all(sarif::render(report, dir).as_bytes()),
        Format::Junit => out.write_all(junit::render(report, dir).as_bytes()),
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
