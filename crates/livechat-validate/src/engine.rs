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

pub mod locate;
pub mod redact;
pub mod walk;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use livechat_schema::models::toolkit::{ReportDiagnostic, ValidationReport};
use livechat_schema::{Entry, Kind, PathParams, classify, schema};
use rayon::prelude::*;
use serde_json::Value;

use crate::cross::IndexedFile;
use crate::rules::{self, FileContext, SchemaError};
use crate::{Finding, Instance, Severity, ValidateOptions};

pub use locate::Span;

/// Files larger than this are not parsed (`file-too-large`): the plugin's files are
/// a few kilobytes; a bigger one is not what the plugin wrote, and reading it would
/// break the validator's memory budget.
pub const MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

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
        let bytes = read_limited(&meta.path).ok()?.ok()?;
        if bytes.bytes.len() as u64 != meta.len || bytes.modified != meta.modified {
            return None;
        }
        let bytes = bytes.bytes;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        };
        let value: Option<Value> = serde_json::from_str(&text).ok();
        Some(redact::redact_text(text, meta.kind, value.as_ref()))
    }

    /// The report as the `validation-report` document (`--format json`).
    pub fn to_model(&self, data_dir: &str) -> ValidationReport {
        ValidationReport {
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

/// Validates the data directory `dir`. `Err` only when the run cannot happen (the
/// directory is missing or unreadable); everything wrong with the data is a
/// finding of the report.
pub fn validate_dir(dir: &Path, options: &ValidateOptions) -> Result<Report, ValidateError> {
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

    let schemas = Schemas::default();
    // Only files with findings carry more than their index entry out of the
    // parallel pass (a box, so the common case costs one pointer).
    let (mut index, found): (Vec<IndexedFile>, Vec<Option<Box<Found>>>) = items
        .into_par_iter()
        .map(|item| check_item(item, dir, &options, &schemas))
        .unzip();
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
                sources.insert(file.rel_path.clone(), meta);
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
    let checked_paths = index.into_iter().map(|f| f.rel_path).collect();

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

/// The validators, each compiled once per run, on first use.
#[derive(Default)]
struct Schemas {
    validators: [OnceLock<Result<jsonschema::Validator, String>>; Kind::ALL.len()],
}

impl Schemas {
    fn get(&self, kind: Kind) -> Option<&jsonschema::Validator> {
        self.validators[kind as usize]
            .get_or_init(|| {
                jsonschema::draft202012::options()
                    .build(&schema::schema_for(kind))
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .ok()
    }

    fn first_error(&self) -> Option<ValidateError> {
        Kind::ALL
            .iter()
            .find_map(|&kind| match self.validators[kind as usize].get() {
                Some(Err(reason)) => Some(ValidateError::Schema {
                    kind: kind.id(),
                    reason: reason.clone(),
                }),
                _ => None,
            })
    }
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Schemas")
    }
}

/// What checking one path gives while it is being checked.
struct Outcome {
    indexed: IndexedFile,
    diagnostics: Vec<Diagnostic>,
    source: Option<SourceMeta>,
    /// Where the file's bytes are.
    path: Option<PathBuf>,
}

/// What a file with findings keeps after the parallel pass.
struct Found {
    diagnostics: Vec<Diagnostic>,
    source: Option<SourceMeta>,
}

impl Outcome {
    fn finish(self) -> (IndexedFile, Option<Box<Found>>) {
        let found = (!self.diagnostics.is_empty() || self.source.is_some()).then(|| {
            Box::new(Found {
                diagnostics: self.diagnostics,
                source: self.source,
            })
        });
        (self.indexed, found)
    }
}

fn finding_at(rel: &str, finding: Finding) -> Diagnostic {
    Diagnostic {
        path: rel.to_owned(),
        severity: finding.severity,
        code: finding.code,
        pointer: finding.pointer,
        line: None,
        column: None,
        span: None,
        message: finding.message,
        help: finding.help,
    }
}

fn check_item(
    item: walk::Item,
    dir: &Path,
    options: &ValidateOptions,
    schemas: &Schemas,
) -> (IndexedFile, Option<Box<Found>>) {
    match item {
        walk::Item::Problem(problem) => {
            let walk::Problem {
                rel,
                code,
                message,
                help,
            } = *problem;
            let severity = default_severity(code);
            let finding = Finding {
                severity,
                code,
                pointer: String::new(),
                message,
                help,
            };
            Outcome {
                indexed: IndexedFile {
                    entry: classify(&rel),
                    rel_path: rel.clone(),
                    size: 0,
                    parsed: false,
                    digest: None,
                },
                diagnostics: vec![finding_at(&rel, finding)],
                source: None,
                path: None,
            }
            .finish()
        }
        walk::Item::File { rel, target } => {
            let entry = classify(&rel);
            let path = target.map_or_else(|| dir.join(&rel), PathBuf::from);
            // Documents get their size from the read; other files from a stat (the
            // cross-file rules compare emoji image sizes).
            let size = match entry {
                Entry::Document { .. } => 0,
                _ => std::fs::metadata(&path).map_or(0, |m| m.len()),
            };
            let mut outcome = Outcome {
                indexed: IndexedFile {
                    rel_path: rel,
                    entry,
                    size,
                    parsed: false,
                    digest: None,
                },
                diagnostics: Vec::new(),
                source: None,
                path: Some(path),
            };
            match &outcome.indexed.entry {
                Entry::Document { kind, .. } => {
                    // The parameters are not cloned: the entry is moved out of the
                    // outcome while the document is checked.
                    let kind = *kind;
                    let entry = std::mem::replace(&mut outcome.indexed.entry, Entry::Unknown);
                    if let Entry::Document { params, .. } = &entry {
                        check_document_file(&mut outcome, kind, params, options, schemas);
                    }
                    outcome.indexed.entry = entry;
                }
                Entry::Unknown => {
                    let finding = Finding::warning(
                        "unknown-file",
                        "",
                        "a file the plugin neither writes nor reads at this path",
                    )
                    .with_help(
                        "check the name against `livechat-data schema list`; remove the file \
                         if it is a leftover",
                    );
                    outcome
                        .diagnostics
                        .push(finding_at(&outcome.indexed.rel_path, finding));
                }
                Entry::EmojiImage { file_name, .. } => {
                    let file_name = file_name.clone();
                    check_emoji_image(&mut outcome, &file_name);
                }
                Entry::Marker(_) | Entry::AdminSwitch(_) | Entry::Prosody => {}
            }
            outcome.finish()
        }
    }
}

/// Reads the first bytes of an emoji image (never the whole file) for the rules to
/// compare its content with its extension.
fn check_emoji_image(outcome: &mut Outcome, file_name: &str) {
    use std::io::Read;
    let Some(path) = outcome.path.as_ref() else {
        return;
    };
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| {
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..])? {
                0 => break,
                k => n += k,
            }
        }
        Ok(n)
    });
    let finding = match read {
        Ok(n) => rules::check_emoji_image(file_name, &head[..n]),
        Err(err) => Some(
            Finding::error(
                "unreadable",
                "",
                format!("cannot read the file: {}", walk::io_reason(&err)),
            )
            .with_help("give the validator (and PeerTube) read access to the file"),
        ),
    };
    if let Some(finding) = finding {
        let rel = outcome.indexed.rel_path.clone();
        outcome.diagnostics.push(finding_at(&rel, finding));
    }
}

/// The default severity of a code (the engine's own codes use theirs as is).
fn default_severity(code: &str) -> Severity {
    crate::codes::info(code).map_or(Severity::Error, |info| info.severity)
}

/// Checks a JSON document. The path strings are taken out of `outcome` for the time
/// of the check (rather than cloned for every file) and put back.
fn check_document_file(
    outcome: &mut Outcome,
    kind: Kind,
    params: &PathParams,
    options: &ValidateOptions,
    schemas: &Schemas,
) {
    let rel = std::mem::take(&mut outcome.indexed.rel_path);
    let Some(path) = outcome.path.take() else {
        outcome.indexed.rel_path = rel;
        return;
    };
    check_document(outcome, &rel, &path, kind, params, options, schemas);
    outcome.indexed.rel_path = rel;
    outcome.path = Some(path);
}

fn check_document(
    outcome: &mut Outcome,
    rel: &str,
    path: &Path,
    kind: Kind,
    params: &PathParams,
    options: &ValidateOptions,
    schemas: &Schemas,
) {
    let whole = |severity, code, message: String, help: &str| Diagnostic {
        path: rel.to_owned(),
        severity,
        code,
        pointer: String::new(),
        line: None,
        column: None,
        span: None,
        message,
        help: Some(help.to_owned()),
    };
    let read = match read_limited(path) {
        Ok(Ok(read)) => read,
        Ok(Err(size)) => {
            outcome.indexed.size = size;
            outcome.diagnostics.push(whole(
                Severity::Error,
                "file-too-large",
                format!(
                    "the file is {size} bytes, more than the {MAX_FILE_SIZE} bytes the validator parses"
                ),
                "the plugin never writes files this large: move it away and look at what wrote it",
            ));
            return;
        }
        Err(err) => {
            outcome.diagnostics.push(whole(
                default_severity("unreadable"),
                "unreadable",
                format!("cannot read the file: {}", walk::io_reason(&err)),
                "give the validator (and the plugin) read access to the file",
            ));
            return;
        }
    };
    let bytes = &read.bytes;
    outcome.indexed.size = bytes.len() as u64;
    let unparsable = rules::unparsable_severity(kind);
    if bytes.is_empty() {
        outcome.diagnostics.push(whole(
            unparsable,
            "empty-file",
            "the file is empty, so it is not JSON".to_owned(),
            &format!(
                "{}; delete the file or restore it from a backup",
                rules::unparsable_effect(kind)
            ),
        ));
        return;
    }
    // The plugin reads every file as UTF-8 with Node's decoder, which turns each
    // invalid byte sequence into U+FFFD: when that text is still JSON, the plugin
    // reads the file (a warning, and the checks go on with that text, which is also
    // what a code frame shows); when it is not, the file is unparsable.
    let lossy: String;
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let offset = err.valid_up_to();
            lossy = String::from_utf8_lossy(bytes).into_owned();
            let (line, column) = locate::line_col(&lossy, offset);
            let readable = serde_json::from_str::<serde::de::IgnoredAny>(&lossy).is_ok();
            outcome.diagnostics.push(Diagnostic {
                path: rel.to_owned(),
                severity: if readable {
                    Severity::Warning
                } else {
                    unparsable
                },
                code: "not-utf8",
                pointer: String::new(),
                line: Some(line),
                column: Some(column),
                span: Some(Span {
                    offset,
                    len: char::REPLACEMENT_CHARACTER.len_utf8(),
                }),
                message: if readable {
                    format!(
                        "the file is not UTF-8 text (invalid byte at offset {offset}): the \
                         plugin reads each invalid sequence as U+FFFD"
                    )
                } else {
                    format!("the file is not UTF-8 text: invalid byte at offset {offset}")
                },
                help: Some(if readable {
                    "re-encode the file as UTF-8 (it was probably edited by hand in another \
                     encoding)"
                        .to_owned()
                } else {
                    format!(
                        "{}; re-encode the file as UTF-8 or restore it from a backup",
                        rules::unparsable_effect(kind)
                    )
                }),
            });
            outcome.source = Some(source_meta(path.to_path_buf(), kind, &read));
            if !readable {
                return;
            }
            &lossy
        }
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(err) => {
            let offset = syntax_offset(text, err.line(), err.column());
            let (line, column) = locate::line_col(text, offset);
            let message = err.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            outcome.diagnostics.push(Diagnostic {
                path: rel.to_owned(),
                severity: unparsable,
                code: "json-syntax",
                pointer: String::new(),
                line: Some(line),
                column: Some(column),
                span: Some(Span {
                    offset,
                    len: text[offset..].chars().next().map_or(0, char::len_utf8),
                }),
                message: format!("not valid JSON: {message}"),
                help: Some(format!(
                    "{}; fix the file or restore it from a backup",
                    rules::unparsable_effect(kind)
                )),
            });
            outcome.source = Some(source_meta(path.to_path_buf(), kind, &read));
            return;
        }
    };
    outcome.indexed.parsed = true;

    let schema_errors: Vec<SchemaError> = match schemas.get(kind) {
        Some(validator) if !validator.is_valid(&value) => validator
            .iter_errors(&value)
            .map(|e| SchemaError {
                pointer: e.instance_path().as_str().to_owned(),
                keyword: e.kind().keyword().to_owned(),
                // The masked message never quotes the value (which may be a secret).
                message: lower_first(&e.masked().to_string()),
            })
            .collect(),
        _ => Vec::new(),
    };
    let ctx = FileContext {
        rel_path: rel,
        kind,
        params,
        options,
    };
    let check = rules::check_document(&value, &schema_errors, &ctx);
    outcome.indexed.digest = check.digest;
    let covered = |pointer: &str| {
        check.covered.iter().any(|c| {
            pointer == c
                || (pointer.starts_with(c.as_str())
                    && pointer.as_bytes().get(c.len()) == Some(&b'/'))
        })
    };
    let mut findings = check.findings;
    for err in &schema_errors {
        if !covered(&err.pointer) {
            findings.push(
                Finding::error("schema", err.pointer.clone(), err.message.clone()).with_help(
                    format!(
                        "the `{}` schema requires it (keyword `{}`); see `livechat-data schema export`",
                        kind.id(),
                        err.keyword
                    ),
                ),
            );
        }
    }
    // JSON.parse, like serde_json, keeps the last of duplicate keys: say which value
    // is overridden (at that value, which no pointer can reach).
    for dup in locate::duplicate_keys(text) {
        let (line, column) = locate::line_col(text, dup.overridden.offset);
        let key = locate::pointer_segments(&dup.pointer)
            .pop()
            .unwrap_or_default();
        outcome.diagnostics.push(Diagnostic {
            path: rel.to_owned(),
            severity: default_severity("duplicate-key"),
            code: "duplicate-key",
            message: format!(
                "the key `{key}` appears more than once in this object: the plugin (JSON.parse) \
                 keeps only the last value, not this one"
            ),
            help: Some("remove the duplicate member you do not mean".to_owned()),
            pointer: dup.pointer,
            line: Some(line),
            column: Some(column),
            span: Some(dup.overridden),
        });
    }
    if findings.is_empty() {
        if !outcome.diagnostics.is_empty() {
            outcome.source = Some(source_meta(path.to_path_buf(), kind, &read));
        }
        return;
    }
    let secrets = livechat_schema::secret::secret_values(kind, &value);
    for finding in findings {
        let located = locate::locate(text, &finding.pointer);
        let (line, column) = locate::line_col(text, located.span.offset);
        outcome.diagnostics.push(Diagnostic {
            path: rel.to_owned(),
            severity: finding.severity,
            code: finding.code,
            message: redact::mask_message(&finding.message, &secrets),
            help: finding.help.map(|h| redact::mask_message(&h, &secrets)),
            pointer: finding.pointer,
            line: Some(line),
            column: Some(column),
            span: Some(located.span),
        });
    }
    outcome.source = Some(source_meta(path.to_path_buf(), kind, &read));
}

/// Reads a whole file, unless it is larger than [`MAX_FILE_SIZE`] (then `Ok(Err(size))`,
/// having read nothing). It reads the size `fstat` gave, in one `read` for the files
/// the plugin writes, without the extra `read` that would only confirm the end of
/// the file (100,000 system calls on a big data dir): a file written while the
/// validator reads it is a race whatever the validator does.
fn read_limited(path: &Path) -> std::io::Result<Result<Read, u64>> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let size = meta.len();
    if size > MAX_FILE_SIZE {
        return Ok(Err(size));
    }
    let mut bytes = vec![0u8; usize::try_from(size).unwrap_or(0)];
    let mut filled = 0;
    while filled < bytes.len() {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    bytes.truncate(filled);
    Ok(Ok(Read {
        bytes,
        modified: meta.modified().ok(),
    }))
}

/// A file's bytes and the modification time they were read at.
struct Read {
    bytes: Vec<u8>,
    modified: Option<std::time::SystemTime>,
}

/// The byte offset of serde_json's 1-based line and column (a byte column; 0 at
/// the start of a line for errors at a line end).
fn syntax_offset(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &text.as_bytes()[start..]) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    // Column 0 is serde_json's way of saying "after the end of the previous line".
    let mut offset = if column == 0 {
        start.saturating_sub(1)
    } else {
        (start + column - 1).min(text.len())
    };
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn source_meta(path: PathBuf, kind: Kind, read: &Read) -> SourceMeta {
    SourceMeta {
        path,
        kind,
        len: read.bytes.len() as u64,
        modified: read.modified,
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
            .binary_search_by(|f| f.rel_path.as_str().cmp(&rel))
            .ok()
            .and_then(|i| match &index[i].entry {
                Entry::Document { kind, .. } if index[i].parsed => Some(*kind),
                _ => None,
            });
        let loaded = kind.and_then(|kind| {
            // The file parsed, so it was a regular file or a link inside the directory.
            let path = dir.join(&rel);
            let read = read_limited(&path).ok()?.ok()?;
            let modified = read.modified;
            let text = String::from_utf8(read.bytes).ok()?;
            let value: Value = serde_json::from_str(&text).ok()?;
            Some((kind, path, text, value, modified))
        });
        match loaded {
            Some((kind, path, text, value, modified)) => {
                let secrets = livechat_schema::secret::secret_values(kind, &value);
                for finding in findings {
                    let located = locate::locate(&text, &finding.pointer);
                    let (line, column) = locate::line_col(&text, located.span.offset);
                    out.push(Diagnostic {
                        path: rel.clone(),
                        severity: finding.severity,
                        code: finding.code,
                        message: redact::mask_message(&finding.message, &secrets),
                        help: finding.help.map(|h| redact::mask_message(&h, &secrets)),
                        pointer: finding.pointer,
                        line: Some(line),
                        column: Some(column),
                        span: Some(located.span),
                    });
                }
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

#[cfg(test)]
mod tests {
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
