//! Checking one path: reading a document (within its kind's cap, [`super::caps`]),
//! parsing it, validating it against its kind's schema, asking the rules what the
//! plugin makes of it, and locating the findings in its text; reading the head of an
//! emoji image. Called in parallel by [`super::validate_dir`], once per path.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use livechat_schema::{Entry, Kind, PathParams, classify, schema};
use serde_json::Value;

use super::{Diagnostic, SourceMeta, Span, ValidateError, caps, json, locate, walk};
use crate::cross::{FileClass, IndexedFile};
use crate::rules::{self, FileContext, SchemaError};
use crate::{Finding, Severity, ValidateOptions};

/// The validators, each compiled once per run, on first use.
#[derive(Default)]
pub(super) struct Schemas {
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

    pub(super) fn first_error(&self) -> Option<ValidateError> {
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
pub(super) struct Outcome {
    indexed: IndexedFile,
    diagnostics: Vec<Diagnostic>,
    source: Option<SourceMeta>,
    /// Where the file's bytes are.
    path: Option<PathBuf>,
}

/// What a file with findings keeps after the parallel pass.
pub(super) struct Found {
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) source: Option<SourceMeta>,
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

pub(super) fn finding_at(rel: &str, finding: Finding) -> Diagnostic {
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

pub(super) fn check_item(
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
                    class: FileClass::of(&classify(&rel)),
                    rel_path: rel.clone().into_boxed_str(),
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
            let path = target.map_or_else(|| dir.join(&*rel), PathBuf::from);
            // Documents get their size from the read; other files from a stat (the
            // cross-file rules compare emoji image sizes).
            let size = match entry {
                Entry::Document { .. } => 0,
                _ => std::fs::metadata(&path).map_or(0, |m| m.len()),
            };
            let mut outcome = Outcome {
                indexed: IndexedFile {
                    class: FileClass::of(&entry),
                    rel_path: rel,
                    size,
                    parsed: false,
                    digest: None,
                },
                diagnostics: Vec::new(),
                source: None,
                path: Some(path),
            };
            match &entry {
                Entry::Document { kind, params } => {
                    check_document_file(&mut outcome, *kind, params, options, schemas);
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
                    check_emoji_image(&mut outcome, file_name);
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
        let diagnostic = finding_at(&outcome.indexed.rel_path, finding);
        outcome.diagnostics.push(diagnostic);
    }
}

/// The default severity of a code (the engine's own codes use theirs as is).
pub(super) fn default_severity(code: &str) -> Severity {
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
    let read = match read_limited(path, caps::max_file_size(kind)) {
        Ok(Ok(read)) => read,
        Ok(Err(size)) => {
            outcome.indexed.size = size;
            outcome.diagnostics.push(whole(
                caps::too_large_severity(kind),
                "file-too-large",
                format!(
                    "the file is {size} bytes, more than the {} bytes the validator parses for a `{}` file",
                    caps::max_file_size(kind),
                    kind.id()
                ),
                caps::too_large_help(kind),
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
            let readable = json::parse(&lossy).is_ok();
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
    let value: Value = match json::parse(text) {
        Ok(parsed) => {
            for o in parsed.overflows {
                let (line, column) = locate::line_col(text, o.span.offset);
                let number = &text[o.span.offset..o.span.end()];
                let infinity = if o.negative { "-Infinity" } else { "Infinity" };
                outcome.diagnostics.push(Diagnostic {
                    path: rel.to_owned(),
                    severity: Severity::Warning,
                    code: crate::codes::NON_CANONICAL_VALUE,
                    pointer: String::new(),
                    line: Some(line),
                    column: Some(column),
                    span: Some(o.span),
                    message: format!(
                        "the number `{number}` is beyond a double's range: the plugin (JSON.parse) reads {infinity}, and the checks below judge that value"
                    ),
                    help: Some(format!(
                        "write the number you mean within a double's range (JSON.stringify writes {infinity} as null)"
                    )),
                });
            }
            parsed.value
        }
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
    outcome.indexed.digest = check.digest.map(Box::new);
    // A schema error is covered when its pointer or an ancestor is: a lookup per
    // ancestor, whatever the number of findings.
    let covered_set: std::collections::HashSet<&str> =
        check.covered.iter().map(String::as_str).collect();
    let covered = |pointer: &str| {
        let mut p = pointer;
        loop {
            crate::work::tick(1);
            if covered_set.contains(p) {
                return true;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return false,
            }
        }
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
    let dups = locate::duplicate_keys(text);
    let offsets: Vec<usize> = dups.iter().map(|d| d.overridden.offset).collect();
    for (dup, (line, column)) in dups.into_iter().zip(locate::line_cols(text, &offsets)) {
        let key = locate::pointer_segments(&dup.pointer)
            .pop()
            .unwrap_or_default();
        // The same value twice loses nothing (a warning); another value is silently
        // replaced by the last one (an error).
        let lost = json::parse(&text[dup.overridden.offset..dup.overridden.end()])
            .ok()
            .is_none_or(|first| value.pointer(&dup.pointer) != Some(&first.value));
        outcome.diagnostics.push(Diagnostic {
            path: rel.to_owned(),
            severity: if lost {
                default_severity("duplicate-key")
            } else {
                Severity::Warning
            },
            code: "duplicate-key",
            message: if lost {
                format!(
                    "the key `{key}` appears more than once in this object: the plugin (JSON.parse) \
                     keeps only the last value, not this one"
                )
            } else {
                format!(
                    "the key `{key}` appears more than once in this object, with the same value: \
                     the plugin (JSON.parse) keeps the last one, which says the same"
                )
            },
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
    outcome.diagnostics.extend(super::located_diagnostics(
        rel, kind, text, &value, findings,
    ));
    outcome.source = Some(source_meta(path.to_path_buf(), kind, &read));
}

/// Reads a whole file, unless it is larger than `cap` (then `Ok(Err(size))`,
/// having read nothing). It reads the size `fstat` gave, in one `read` for the files
/// the plugin writes, without the extra `read` that would only confirm the end of
/// the file (100,000 system calls on a big data dir): a file written while the
/// validator reads it is a race whatever the validator does.
pub(super) fn read_limited(path: &Path, cap: u64) -> std::io::Result<Result<Read, u64>> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let size = meta.len();
    if size > cap {
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
pub(super) struct Read {
    pub(super) bytes: Vec<u8>,
    pub(super) modified: Option<std::time::SystemTime>,
}

/// The byte offset of serde_json's 1-based line and column (a byte column; 0 at
/// the start of a line for errors at a line end).
pub(super) fn syntax_offset(text: &str, line: usize, column: usize) -> usize {
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

pub(super) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn source_meta(path: PathBuf, kind: Kind, read: &Read) -> SourceMeta {
    SourceMeta {
        path,
        kind,
        len: read.bytes.len() as u64,
        modified: read.modified,
    }
}
