//! A miniature engine for the tests: schema errors from the real `jsonschema`, the
//! rules' findings, and the final verdict (findings plus uncovered schema errors).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use livechat_schema::{Entry, Kind, PathParams, classify, schema::schema_for};
use livechat_validate::cross::{self, IndexedFile};
use livechat_validate::rules::{self, DocumentCheck, FileContext, SchemaError};
use livechat_validate::{Finding, Instance, Severity, ValidateOptions};
use serde_json::Value;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

static VALIDATORS: LazyLock<Mutex<HashMap<Kind, &'static jsonschema::Validator>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

pub fn schema_errors(kind: Kind, value: &Value) -> Vec<SchemaError> {
    let validator = {
        let mut map = VALIDATORS.lock().unwrap();
        *map.entry(kind).or_insert_with(|| {
            Box::leak(Box::new(
                jsonschema::validator_for(&schema_for(kind)).unwrap(),
            ))
        })
    };
    validator
        .iter_errors(value)
        .map(|e| SchemaError {
            pointer: e.instance_path().as_str().to_owned(),
            keyword: e.kind().keyword().to_owned(),
            message: e.to_string(),
        })
        .collect()
}

pub fn instance() -> Instance {
    Instance {
        host: "peertube.example.com".into(),
        scheme: "https".into(),
        port: None,
    }
}

pub fn options() -> ValidateOptions {
    ValidateOptions {
        instance: Some(instance()),
        instance_source: Some("test".into()),
        ..ValidateOptions::default()
    }
}

/// The verdict on one document: the rules' findings plus the schema errors they do
/// not cover (as the engine reports them, code `schema`).
pub struct Verdict {
    pub check: DocumentCheck,
    pub uncovered: Vec<SchemaError>,
}

impl Verdict {
    pub fn errors(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .check
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{} {} {}", f.code, f.pointer, f.message))
            .collect();
        v.extend(
            self.uncovered
                .iter()
                .map(|e| format!("schema {} {} {}", e.pointer, e.keyword, e.message)),
        );
        v
    }

    pub fn warnings(&self) -> Vec<String> {
        self.check
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .map(|f| format!("{} {} {}", f.code, f.pointer, f.message))
            .collect()
    }

    pub fn rejects(&self) -> bool {
        !self.errors().is_empty()
    }
}

fn is_at_or_below(p: &str, base: &str) -> bool {
    p == base || (p.starts_with(base) && p.as_bytes().get(base.len()) == Some(&b'/'))
}

pub fn verdict(
    kind: Kind,
    params: &PathParams,
    rel: &str,
    value: &Value,
    options: &ValidateOptions,
) -> Verdict {
    let errors = schema_errors(kind, value);
    let ctx = FileContext {
        rel_path: rel,
        kind,
        params,
        options,
    };
    let check = rules::check_document(value, &errors, &ctx);
    let uncovered = errors
        .into_iter()
        .filter(|e| !check.covered.iter().any(|c| is_at_or_below(&e.pointer, c)))
        .collect();
    Verdict { check, uncovered }
}

/// Runs every file of a data dir through the rules and the cross-file rules.
pub fn check_dir(dir: &Path, options: &ValidateOptions) -> Vec<(String, Finding)> {
    let mut files: Vec<String> = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    let mut findings = Vec::new();
    let mut index = Vec::new();
    for rel in files {
        let entry = classify(&rel);
        let path = dir.join(&rel);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let mut parsed = false;
        let mut digest = None;
        if let Entry::EmojiImage { file_name, .. } = &entry {
            let head = std::fs::read(&path).unwrap();
            if let Some(f) = rules::check_emoji_image(file_name, &head) {
                findings.push((rel.clone(), f));
            }
        }
        if let Entry::Document { kind, params } = &entry {
            let text = std::fs::read(&path).unwrap();
            match serde_json::from_slice::<Value>(&text) {
                Ok(value) => {
                    parsed = true;
                    let v = verdict(*kind, params, &rel, &value, options);
                    for f in v.check.findings {
                        findings.push((rel.clone(), f));
                    }
                    for e in v.uncovered {
                        findings
                            .push((rel.clone(), Finding::error("schema", e.pointer, e.message)));
                    }
                    digest = v.check.digest;
                }
                Err(err) => {
                    let f = Finding {
                        severity: rules::unparsable_severity(*kind),
                        code: "json-syntax",
                        pointer: String::new(),
                        message: err.to_string(),
                        help: None,
                    };
                    findings.push((rel.clone(), f));
                }
            }
        }
        index.push(IndexedFile {
            rel_path: rel.into_boxed_str(),
            class: cross::FileClass::of(&entry),
            size,
            parsed,
            digest: digest.map(Box::new),
        });
    }
    findings.extend(cross::check(&index, options));
    findings
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        let rel = p
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if livechat_schema::registry::is_prosody_dir(&rel) {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            walk(root, &p, out);
        } else {
            out.push(rel);
        }
    }
}

pub fn render(findings: &[(String, Finding)]) -> String {
    let mut lines: Vec<String> = findings
        .iter()
        .map(|(p, f)| {
            let sev = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            format!("{sev} {} {p}#{} {}", f.code, f.pointer, f.message)
        })
        .collect();
    lines.sort();
    lines.join("\n")
}
