//! The `github` format: GitHub Actions workflow commands
//! (`::error file=...,line=...,col=...,title=...::message`), one per finding, so
//! that a workflow step annotates the files. Paths are the data directory as given
//! joined with the file's path, so run the command from the repository root.

use std::path::Path;

use livechat_validate::Severity;
use livechat_validate::engine::Report;

use super::shown_path;

pub fn render(report: &Report, dir: &Path) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = format!("file={}", property(&shown_path(dir, &d.path)));
        if let (Some(line), Some(col)) = (d.line, d.column) {
            props.push_str(&format!(",line={line},col={col}"));
        }
        props.push_str(&format!(",title={}", property(d.code)));
        let mut message = d.message.clone();
        if !d.pointer.is_empty() {
            message = format!("{message} (at {})", d.pointer);
        }
        if let Some(help) = &d.help {
            message = format!("{message}\nhelp: {help}");
        }
        out.push_str(&format!("::{command} {props}::{}\n", data(&message)));
    }
    out
}

/// Escapes a command's message (GitHub's `escapeData`).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property (GitHub's `escapeProperty`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping() {
        assert_eq!(super::data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
