//! The engine: walks the data directory, parses, checks and locates findings.
//!
//! [`validate_dir`] is the one entry point (the CLI's `validate` and the migrator's
//! re-validation call it). It lists the directory ([`walk`]), infers the instance
//! when it was not given, checks every file in parallel (each file read once, each
//! kind's schema compiled once per run), runs the cross-file rules over the index,
//! and locates every finding at its value ([`locate`]). It keeps no file text: a
//! [`Report`] holds findings with spans, and [`Report::source`] re-reads a file
//! (checking it did not change) and masks its secrets ([`redact`]) when a renderer
//! wants a code frame. It never writes, and never prints.

pub mod caps;
mod check;
pub mod json;
pub mod locate;
pub mod redact;
pub mod walk;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use livechat_schema::Kind;
use livechat_schema::models::toolkit::{ReportDiagnostic, ReportTool, ValidationReport};
use rayon::prelude::*;
use serde_json::Value;

use crate::cross::{FileClass, IndexedFile};
use crate::{Finding, Instance, Severity, ValidateOptions};
use check::{Found, Schemas, check_item, default_severity, finding_at, read_limited};

pub use locate::Span;

/// Why a validation could not run at all (exit status 2). Problems with the data
/// are findings, never errors.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ValidateError {
    #[error("the data directory {path} does not exist")]
    #[diagnostic(
        code(livechat::validate::dir_not_found),
        help(
            "give the plugin's data directory, e.g. /var/www/peertube/storage/plugins/data/peertube-plugin-livechat"
        )
    )]
    NotFound { path: String },
    #[error("{path} is not a directory")]
    #[diagnostic(code(livechat::validate::not_a_directory))]
    NotADirectory { path: String },
    #[error("cannot read the data directory {path}: {reason}")]
    #[diagnostic(
        code(livechat::validate::dir_unreadable),
        help("run the validator as a user that can read the data directory")
    )]
    Unreadable { path: String, reason: String },
    #[error("the schema of {kind} does not compile: {reason}")]
    #[diagnostic(code(livechat::validate::schema_compile))]
    Schema { kind: &'static str, reason: String },
}

/// A located finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Relative to the data directory, `/` separators (`""` for the directory itself).
    pub path: String,
    pub severity: Severity,
    pub code: &'static str,
    /// The JSON pointer of the offending value (`""` for the whole file).
    pub pointer: String,
    /// 1-based line of the value, when the file has text to point into.
    pub line: Option<u64>,
    /// 1-based column, in characters.
    pub column: Option<u64>,
    /// The value's byte span in the file's text.
    pub span: Option<Span>,
    /// Never holds a secret.
    pub message: String,
    pub help: Option<String>,
}

/// What a renderer needs to re-read a file for a code frame.
#[derive(Debug, Clone)]
struct SourceMeta {
    path: PathBuf,
    kind: Kind,
    len: u64,
    /// The modification time seen when the file was checked.
    modified: Option<std::time::SystemTime>,
}

/// The result of a validation run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The data directory, as given.
    pub data_dir: PathBuf,
    /// The instance the checks used (given or inferred).
    pub instance: Option<Instance>,
    /// Where the instance came from, or why there is none.
    pub instance_source: Option<String>,
    /// The installed plugin and its settings, when PeerTube's database was read.
    pub plugin: Option<crate::PluginInstall>,
    /// How many paths were checked (files, and entries reported as not files).
    pub files_checked: u64,
    /// Sorted by path, line, column.
    pub diagnostics: Vec<Diagnostic>,
    /// Every path checked, relative to the data directory, sorted.
    pub checked_paths: Vec<String>,
    /// How long the run took.
    pub elapsed: Duration,
    sources: HashMap<String, SourceMeta>,
}

impl Report {
    pub fn errors(&self) -> u64 {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> u64 {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> u64 {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count() as u64
    }

    /// The text of a file that has located findings, with its secrets masked, for a
    /// code frame. `None` when the file has no text to show or changed since it was
    /// checked (its spans would be wrong).
    pub fn source(&self, rel_path: &str) -> Option<String> {
        let meta = self.sources.get(rel_path)?;
        let bytes = read_limited(&meta.path, caps::max_file_size(meta.kind))
            .ok()?
            .ok()?;
        if bytes.bytes.len() as u64 != meta.len || bytes.modified != meta.modified {
            return None;
        }
        let bytes = bytes.bytes;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        };
        let value: Option<Value> = json::parse(&text).ok().map(|p| p.value);
        Some(redact::redact_text(text, meta.kind, value.as_ref()))
    }

    /// The report as the `validation-report` document (`--format json`), written by
    /// `tool`.
    pub fn to_model(&self, data_dir: &str, tool: ReportTool) -> ValidationReport {
        ValidationReport {
            tool,
            data_dir: data_dir.to_owned(),
            instance_host: self.instance.as_ref().map(|i| i.host.clone()),
            files_checked: self.files_checked,
            errors: self.errors(),
            warnings: self.warnings(),
            diagnostics: self
                .diagnostics
                .iter()
                .map(|d| ReportDiagnostic {
                    severity: d.severity,
                    code: d.code.to_owned(),
                    path: d.path.clone(),
                    pointer: d.pointer.clone(),
                    line: d.line,
                    column: d.column,
                    message: d.message.clone(),
                    help: d.help.clone(),
                })
                .collect(),
        }
    }
}

/// Receives a validation's progress (the CLI draws a bar on a terminal; this crate
/// never prints). Called from every thread of the parallel pass.
pub trait Progress: Sync {
    /// The paths are listed: `total` to check.
    fn start(&self, _total: u64) {}
    /// One more path checked.
    fn checked(&self) {}
    /// Every path is checked (the cross-file rules, quick, run next).
    fn done(&self) {}
}

/// No progress to show.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// Validates the data directory `dir`. `Err` only when the run cannot happen (the
/// directory is missing or unreadable); everything wrong with the data is a
/// finding of the report.
pub fn validate_dir(dir: &Path, options: &ValidateOptions) -> Result<Report, ValidateError> {
    validate_dir_with(dir, options, &NoProgress)
}

/// [`validate_dir`], telling `progress` how far it is.
pub fn validate_dir_with(
    dir: &Path,
    options: &ValidateOptions,
    progress: &dyn Progress,
) -> Result<Report, ValidateError> {
    let start = Instant::now();
    let shown = dir.display().to_string();
    let meta = std::fs::metadata(dir).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => ValidateError::NotFound {
            path: shown.clone(),
        },
        _ => ValidateError::Unreadable {
            path: shown.clone(),
            reason: walk::io_reason(&err),
        },
    })?;
    if !meta.is_dir() {
        return Err(ValidateError::NotADirectory { path: shown });
    }
    let root_canon = std::fs::canonicalize(dir).map_err(|err| ValidateError::Unreadable {
        path: shown.clone(),
        reason: walk::io_reason(&err),
    })?;
    // Listing the top level is the one failure that stops the run: nothing could be
    // checked. Deeper unreadable folders are findings.
    std::fs::read_dir(dir).map_err(|err| ValidateError::Unreadable {
        path: shown.clone(),
        reason: walk::io_reason(&err),
    })?;

    let items = walk::walk(dir, &root_canon);

    let mut options = options.clone();
    // The plugin's own setting, when known, beats a given or default room type.
    if let Some(plugin) = &options.plugin {
        options.room_type = plugin.settings.room_type;
    }
    let mut extra = Vec::new();
    if options.instance.is_none() {
        match infer_instance(&items) {
            Ok((instance, source)) => {
                options.instance = Some(instance);
                options.instance_source = Some(source);
            }
            Err(reason) => {
                options.instance_source = Some(reason.clone());
                extra.push(Diagnostic {
                    path: String::new(),
                    severity: default_severity("instance-unknown"),
                    code: "instance-unknown",
                    pointer: String::new(),
                    line: None,
                    column: None,
                    span: None,
                    message: format!(
                        "the instance is unknown ({reason}): skipped the checks that need it: {}",
                        crate::cross::checks_needing_instance().join(", ")
                    ),
                    help: Some(
                        "give the instance with --instance-url or --peertube-config".to_owned(),
                    ),
                });
            }
        }
    }

    progress.start(items.len() as u64);
    let schemas = Schemas::default();
    // Only files with findings carry more than their index entry out of the
    // parallel pass (a box, so the common case costs one pointer).
    let (mut index, found): (Vec<IndexedFile>, Vec<Option<Box<Found>>>) = items
        .into_par_iter()
        .map(|item| {
            let checked = check_item(item, dir, &options, &schemas);
            progress.checked();
            checked
        })
        .unzip();
    progress.done();
    if let Some(err) = schemas.first_error() {
        return Err(err);
    }

    let files_checked = index.len() as u64;
    let mut diagnostics = extra;
    let mut sources = HashMap::new();
    for (file, found) in index.iter().zip(found) {
        if let Some(found) = found {
            diagnostics.extend(found.diagnostics);
            if let Some(meta) = found.source {
                sources.insert(file.rel_path.to_string(), meta);
            }
        }
    }
    // Paths are unique: an unstable sort is exact.
    index.par_sort_unstable_by(|a, b| a.rel_path.cmp(&b.rel_path));

    let cross = crate::cross::check(&index, &options);
    diagnostics.extend(locate_cross(cross, &index, dir, &mut sources));

    if let Some(plugin) = &options.plugin {
        crate::settings::apply(&mut diagnostics, &plugin.settings);
    }
    diagnostics.par_sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.pointer, a.code, &a.message)
            .cmp(&(&b.path, b.line, b.column, &b.pointer, b.code, &b.message))
    });
    diagnostics.dedup();
    let checked_paths = index
        .into_iter()
        .map(|f| f.rel_path.into_string())
        .collect();

    Ok(Report {
        data_dir: dir.to_path_buf(),
        instance: options.instance.clone(),
        instance_source: options.instance_source.clone(),
        plugin: options.plugin.clone(),
        files_checked,
        diagnostics,
        checked_paths,
        elapsed: start.elapsed(),
        sources,
    })
}

/// Infers the instance from the data directory alone, as [`validate_dir`] does when
/// none is given: `Ok((instance, where it came from))`, or why it cannot. Lists only
/// `bot/` and `room-channel/` (a migration uses it before planning).
pub fn infer_instance_from_dir(dir: &Path) -> Result<(Instance, String), String> {
    let mut rels = Vec::new();
    for top in ["bot", "room-channel"] {
        let Ok(entries) = std::fs::read_dir(dir.join(top)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            // A `bot/<muc>/` folder counts when it holds something.
            if top == "bot" && is_dir {
                let holds = std::fs::read_dir(entry.path()).is_ok_and(|mut e| e.next().is_some());
                if holds {
                    rels.push(format!("bot/{name}/x"));
                }
            } else if top == "room-channel" && !is_dir {
                rels.push(format!("room-channel/{name}"));
            }
        }
    }
    infer_instance_from(rels.iter().map(String::as_str))
}

/// Infers the instance host from the MUC domains the plugin wrote: `bot/room.D/`
/// folders and `room-channel/room.D.json` files. Exactly one domain is needed.
fn infer_instance(items: &[walk::Item]) -> Result<(Instance, String), String> {
    infer_instance_from(items.iter().map(walk::Item::rel))
}

fn infer_instance_from<'a>(
    rels: impl Iterator<Item = &'a str>,
) -> Result<(Instance, String), String> {
    let mut domains = BTreeSet::new();
    let mut seen_in = BTreeSet::new();
    for rel in rels {
        let mut parts = rel.split('/');
        let domain = match (parts.next(), parts.next()) {
            (Some("bot"), Some(d)) if parts.next().is_some() => {
                seen_in.insert(format!("bot/{d}/"));
                d
            }
            (Some("room-channel"), Some(file)) => match file.strip_suffix(".json") {
                Some(d) => {
                    seen_in.insert(format!("room-channel/{file}"));
                    d
                }
                None => continue,
            },
            _ => continue,
        };
        if domain.starts_with("room.") {
            domains.insert(domain.to_owned());
        }
    }
    let mut iter = domains.iter();
    match (iter.next(), iter.next()) {
        (None, _) => Err(
            "no bot/room.* folder or room-channel/room.*.json file to infer it from, \
                          and no --instance-url or --peertube-config"
                .to_owned(),
        ),
        (Some(a), Some(b)) => Err(format!(
            "several MUC domains ({a}, {b}{}) to infer it from",
            if domains.len() > 2 { ", ..." } else { "" }
        )),
        (Some(domain), None) => {
            let host = domain.trim_start_matches("room.");
            if !livechat_schema::names::is_normalized_host(host) {
                return Err(format!("the MUC domain {domain} is not room.<host>"));
            }
            let from: Vec<String> = seen_in
                .into_iter()
                .filter(|s| s.contains(domain.as_str()))
                .collect();
            Ok((
                Instance {
                    host: host.to_owned(),
                    scheme: "https".to_owned(),
                    port: None,
                },
                format!("inferred from {}; scheme https assumed", from.join(" and ")),
            ))
        }
    }
}

/// Locates the cross-file findings in their files (re-reading only those files).
fn locate_cross(
    cross: Vec<(String, Finding)>,
    index: &[IndexedFile],
    dir: &Path,
    sources: &mut HashMap<String, SourceMeta>,
) -> Vec<Diagnostic> {
    let mut by_path: HashMap<String, Vec<Finding>> = HashMap::new();
    for (path, finding) in cross {
        by_path.entry(path).or_default().push(finding);
    }
    let mut out = Vec::new();
    let mut by_path: Vec<_> = by_path.into_iter().collect();
    by_path.sort_by(|a, b| a.0.cmp(&b.0));
    for (rel, findings) in by_path {
        let kind = index
            .binary_search_by(|f| (*f.rel_path).cmp(rel.as_str()))
            .ok()
            .and_then(|i| match index[i].class {
                FileClass::Document(kind) if index[i].parsed => Some(kind),
                _ => None,
            });
        let loaded = kind.and_then(|kind| {
            // The file parsed, so it was a regular file or a link inside the directory.
            let path = dir.join(&rel);
            let read = read_limited(&path, caps::max_file_size(kind)).ok()?.ok()?;
            let modified = read.modified;
            let text = String::from_utf8(read.bytes).ok()?;
            let value: Value = json::parse(&text).ok()?.value;
            Some((kind, path, text, value, modified))
        });
        match loaded {
            Some((kind, path, text, value, modified)) => {
                out.extend(located_diagnostics(&rel, kind, &text, &value, findings));
                sources.entry(rel.clone()).or_insert_with(|| SourceMeta {
                    path,
                    kind,
                    len: text.len() as u64,
                    modified,
                });
            }
            None => out.extend(findings.into_iter().map(|f| finding_at(&rel, f))),
        }
    }
    out
}

/// The findings of one parsed document as diagnostics: every pointer located at a
/// span, line and column in one pass over `text`, messages and help masked with the
/// document's secrets. Shared by the per-file checks and the cross-file rules.
fn located_diagnostics(
    rel: &str,
    kind: Kind,
    text: &str,
    value: &Value,
    findings: Vec<Finding>,
) -> Vec<Diagnostic> {
    let masker = redact::Masker::new(&livechat_schema::secret::secret_values(kind, value));
    let pointers: Vec<&str> = findings.iter().map(|f| f.pointer.as_str()).collect();
    let located = locate::locate_all(text, &pointers);
    let offsets: Vec<usize> = located.iter().map(|l| l.span.offset).collect();
    let line_cols = locate::line_cols(text, &offsets);
    findings
        .into_iter()
        .zip(located)
        .zip(line_cols)
        .map(|((finding, located), (line, column))| Diagnostic {
            path: rel.to_owned(),
            severity: finding.severity,
            code: finding.code,
            message: masker.mask(&finding.message),
            help: finding.help.map(|h| masker.mask(&h)),
            pointer: finding.pointer,
            line: Some(line),
            column: Some(column),
            span: Some(located.span),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::check::syntax_offset;
    use super::*;

    #[test]
    fn the_engines_codes_are_in_the_table() {
        for code in [
            "json-syntax",
            "not-utf8",
            "empty-file",
            "schema",
            "unknown-file",
            "unreadable",
            "not-a-file",
            "symlink-outside",
            "file-too-large",
            "instance-unknown",
            "duplicate-key",
        ] {
            assert!(crate::codes::info(code).is_some(), "{code}");
        }
    }

    #[test]
    fn syntax_offsets() {
        let text = "{\n  \"é\": tru\n}";
        let err = serde_json::from_str::<Value>(text).expect_err("invalid");
        let offset = syntax_offset(text, err.line(), err.column());
        assert!(text.is_char_boundary(offset));
        assert_eq!(locate::line_col(text, offset).0, 2);
    }

    #[test]
    fn the_sample_validates_with_findings_located() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sample");
        let report = validate_dir(&dir, &ValidateOptions::default()).expect("runs");
        assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
        assert_eq!(
            report.instance.as_ref().map(|i| i.host.as_str()),
            Some("peertube.example.com")
        );
        for d in &report.diagnostics {
            if d.span.is_some() {
                assert!(d.line.is_some() && d.column.is_some());
                assert!(report.source(&d.path).is_some(), "{}", d.path);
            }
        }
        // Prosody's folders are not entered.
        assert!(
            !report
                .checked_paths
                .iter()
                .any(|p| p.starts_with("prosody"))
        );
    }
}
