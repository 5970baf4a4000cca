//! The `junit` format: JUnit XML with one test case per checked file. A file with
//! errors fails (one `<failure>` listing every finding of the file); warnings do not
//! fail a test case: they are listed in its `<system-out>`. Findings about the data
//! directory itself (`instance-unknown`) go to a test case named `.`.

use std::collections::BTreeMap;
use std::path::Path;

use livechat_validate::Severity;
use livechat_validate::engine::{Diagnostic, Report};

use super::shown_path;

pub fn render(report: &Report, dir: &Path) -> String {
    let mut by_path: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for path in &report.checked_paths {
        by_path.entry(path.as_str()).or_default();
    }
    for d in &report.diagnostics {
        by_path.entry(d.path.as_str()).or_default().push(d);
    }
    let failures = by_path
        .values()
        .filter(|ds| ds.iter().any(|d| d.severity == Severity::Error))
        .count();
    let suite = escape(&dir.display().to_string());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"livechat-data validate\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"{:.3}\">\n",
        by_path.len(),
        report.elapsed.as_secs_f64()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{suite}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        by_path.len()
    ));
    for (path, ds) in &by_path {
        let name = if path.is_empty() { "." } else { path };
        out.push_str(&format!(
            "    <testcase classname=\"{suite}\" name=\"{}\"",
            escape(name)
        ));
        if ds.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        let line = |d: &Diagnostic| {
            let at = match (d.line, d.column) {
                (Some(l), Some(c)) => format!(":{l}:{c}"),
                _ => String::new(),
            };
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let pointer = if d.pointer.is_empty() {
                String::new()
            } else {
                format!(" at {}", d.pointer)
            };
            format!(
                "{severity}[{}] {}{at}{pointer}: {}\n",
                d.code,
                shown_path(dir, &d.path),
                d.message
            )
        };
        let errors: Vec<&&Diagnostic> = ds
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let warnings: Vec<&&Diagnostic> = ds
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .collect();
        if let Some(first) = errors.first() {
            let body: String = errors.iter().map(|d| line(d)).collect();
            out.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                escape(first.code),
                escape(&first.message),
                escape(&body)
            ));
        }
        if !warnings.is_empty() {
            let body: String = warnings.iter().map(|d| line(d)).collect();
            out.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                escape(&body)
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Escapes text for XML content and attributes; drops characters XML 1.0 forbids.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
