//! The `sarif` format: SARIF 2.1.0 (one run, the codes table as rules, one result
//! per finding with a physical location), as GitHub code scanning accepts it.
//! Columns are counted in Unicode code points, as the other formats do, and the run
//! says so (`columnKind`).

use std::path::Path;

use livechat_validate::engine::Report;
use livechat_validate::{Severity, codes};
use serde_json::{Value, json};

use super::shown_path;
use crate::version;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

pub fn render(report: &Report, dir: &Path) -> String {
    let rules: Vec<Value> = codes::ALL
        .iter()
        .map(|info| {
            json!({
                "id": info.code,
                "name": info.code,
                "shortDescription": { "text": info.summary },
                "fullDescription": { "text": info.summary },
                "help": { "text": format!("livechat-data explain {}", info.code) },
                "defaultConfiguration": { "level": level(info.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text = format!("{text}\nhelp: {help}");
            }
            let mut physical = json!({
                "artifactLocation": { "uri": uri(&shown_path(dir, &d.path)) },
            });
            if let (Some(line), Some(column)) = (d.line, d.column) {
                physical["region"] = json!({ "startLine": line, "startColumn": column });
            }
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{ "physicalLocation": physical }],
            });
            if let Some(index) = codes::ALL.iter().position(|c| c.code == d.code) {
                result["ruleIndex"] = json!(index);
            }
            if !d.pointer.is_empty() {
                result["properties"] = json!({ "pointer": d.pointer });
            }
            result
        })
        .collect();
    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "livechat-data",
                    "fullName": format!("livechat-data {}", version::short()),
                    "version": version::VERSION,
                    "semanticVersion": version::VERSION,
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                    "properties": driver_properties(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&sarif)
        .unwrap_or_else(|err| unreachable!("a SARIF log always serialises: {err}"));
    text.push('\n');
    text
}

/// The build's commit (left out when unknown) and the plugin version it implements.
fn driver_properties() -> Value {
    let mut properties = json!({ "pluginVersion": livechat_schema::PLUGIN_VERSION });
    if let Some(commit) = version::commit() {
        properties["commit"] = json!(commit);
    }
    properties
}

/// A relative URI reference for a path: `/` kept, anything outside RFC 3986's
/// unreserved and sub-delimiter characters percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris() {
        assert_eq!(super::uri("a b/é@x.json"), "a%20b/%C3%A9@x.json");
    }
}
