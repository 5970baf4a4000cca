//! The `sarif` format: SARIF 2.1.0 (one run, the codes table as rules, one result
//! per finding with a physical location), as GitHub code scanning and Microsoft's
//! SARIF multitool (`cargo xtask sarif-check`) accept it.
//!
//! Artifact URIs are relative references resolved against a base declared in
//! `run.originalUriBaseIds` (SARIF §3.4.4, §3.14.14), never bare absolute paths:
//! - when the data directory lies inside the current folder, URIs are relative to
//!   the current folder under the base `%SRCROOT%` (the name CodeQL uses), so a
//!   workflow that runs the command from the checkout gets paths GitHub maps to the
//!   repository root;
//! - otherwise they are relative to the data directory under the base `DATADIR`.
//!
//! Each base is the absolute `file://` URI of its folder, ending in `/`. Rules carry
//! a readable PascalCase `name` (from the codes table; left out when it only differs
//! from the `id` in case, as for `schema`) and
//! their explanation page as `help`. Columns are counted in Unicode code points,
//! as the other formats do, and the run says so (`columnKind`).

use std::path::{Path, PathBuf};

use livechat_validate::engine::Report;
use livechat_validate::{Severity, codes};
use serde_json::{Value, json};

use crate::version;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base id of URIs relative to the current folder (CodeQL's name for it).
pub const SRCROOT: &str = "%SRCROOT%";
/// The base id of URIs relative to the data directory.
pub const DATADIR: &str = "DATADIR";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Where the URIs of a log are relative to.
struct Base {
    /// `%SRCROOT%` or `DATADIR`.
    id: &'static str,
    /// The base folder, absolute.
    folder: PathBuf,
    /// The data directory relative to the base folder, as `/`-separated
    /// components (empty for `DATADIR`, or when the data directory is the base).
    prefix: String,
}

impl Base {
    fn new(dir: &Path) -> Base {
        let cwd = std::env::current_dir().ok();
        let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let abs = normalise(&abs);
        let inside = cwd
            .map(|c| normalise(&c))
            .and_then(|c| abs.strip_prefix(&c).ok().map(|rel| (rel.to_path_buf(), c)));
        if let Some((rel, cwd)) = inside {
            let prefix = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            return Base {
                id: SRCROOT,
                folder: cwd,
                prefix,
            };
        }
        Base {
            id: DATADIR,
            folder: abs,
            prefix: String::new(),
        }
    }

    /// The relative URI of a path relative to the data directory (`""` is the
    /// directory itself, `./` when it is the base).
    fn uri(&self, rel: &str) -> String {
        let path = match (self.prefix.as_str(), rel) {
            ("", "") => "./".to_owned(),
            (prefix, "") => format!("{prefix}/"),
            ("", rel) => rel.to_owned(),
            (prefix, rel) => format!("{prefix}/{rel}"),
        };
        encode(&path)
    }

    /// The base's absolute `file://` URI, ending in `/`.
    fn file_uri(&self) -> String {
        let path = self.folder.to_string_lossy();
        let path = path.trim_end_matches('/');
        format!("file://{}/", encode(path))
    }
}

/// `.` and `..` components resolved lexically (`std::path::absolute` keeps `..`).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

pub fn render(report: &Report, dir: &Path) -> String {
    let base = Base::new(dir);
    let rules: Vec<Value> = codes::ALL
        .iter()
        .map(|info| {
            let mut rule = json!({
                "id": info.code,
                "shortDescription": { "text": info.summary },
                "fullDescription": { "text": info.summary },
                "help": {
                    "text": format!("{}\n\n(livechat-data explain {})", info.page.trim_end(), info.code),
                    "markdown": info.page.trim_end(),
                },
                "helpUri": format!("{}/blob/main/docs/diagnostics.md#{}", env!("CARGO_PKG_REPOSITORY"), info.code),
                "defaultConfiguration": { "level": level(info.severity) },
            });
            // A name that only differs from the id in case (`Schema`) is no more
            // readable than the id: SARIF says to omit it (§3.49.7).
            if !info.name.eq_ignore_ascii_case(info.code) {
                rule["name"] = json!(info.name);
            }
            rule
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
                "artifactLocation": { "uri": base.uri(&d.path), "uriBaseId": base.id },
            });
            // A finding about a whole file (or a path) points at its first line:
            // consumers want a region (the multitool's SARIF2017).
            physical["region"] = match (d.line, d.column) {
                (Some(line), Some(column)) => json!({ "startLine": line, "startColumn": column }),
                _ => json!({ "startLine": 1 }),
            };
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
            "originalUriBaseIds": {
                base.id: { "uri": base.file_uri() },
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

/// A URI path: `/` kept, anything outside RFC 3986's unreserved and sub-delimiter
/// characters (and `:`, `@`) percent-encoded.
fn encode(path: &str) -> String {
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
    use std::path::Path;

    use super::{Base, DATADIR, SRCROOT};

    #[test]
    fn uris() {
        assert_eq!(super::encode("a b/é@x.json"), "a%20b/%C3%A9@x.json");
        let base = Base {
            id: SRCROOT,
            folder: "/home/runner/work/r/r".into(),
            prefix: "data dir".into(),
        };
        assert_eq!(base.uri("bot/x.json"), "data%20dir/bot/x.json");
        assert_eq!(base.uri(""), "data%20dir/");
        assert_eq!(base.file_uri(), "file:///home/runner/work/r/r/");
        let base = Base {
            id: DATADIR,
            folder: "/".into(),
            prefix: String::new(),
        };
        assert_eq!(base.uri(""), "./");
        assert_eq!(base.file_uri(), "file:///");
    }

    #[test]
    fn bases() {
        let cwd = std::env::current_dir().expect("a current folder");
        let base = Base::new(Path::new("a/./b/../c"));
        assert_eq!((base.id, base.prefix.as_str()), (SRCROOT, "a/c"));
        assert_eq!(base.folder, cwd);
        let base = Base::new(Path::new("/"));
        // The root is inside the current folder only when they are the same.
        if cwd != Path::new("/") {
            assert_eq!((base.id, base.prefix.as_str()), (DATADIR, ""));
        }
    }
}
