//! The `human` format: one miette report per finding, with a code frame at the
//! value, then a summary line.
//!
//! The plugin writes compact JSON: a whole file is one line, often thousands of
//! characters. A code frame of that line would be unreadable, so the frame shows a
//! window of the line around the value ([`Excerpt`]), with the real line number.
//! Output is deterministic: no colour, a fixed width (tests snapshot it).

use std::fmt;
use std::path::Path;

use livechat_validate::Severity;
use livechat_validate::engine::{Diagnostic, Report, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::shown_path;

/// The width reports are wrapped at.
const WIDTH: usize = 100;
/// The most characters of a line a code frame shows.
const WINDOW: usize = 80;
/// The most characters of a value the label underlines.
const MAX_LABEL: usize = 40;

pub fn write(report: &Report, dir: &Path, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(WIDTH)
        .with_context_lines(0);
    let mut current: Option<(String, Option<String>)> = None;
    for diag in &report.diagnostics {
        // Files with several findings are re-read once.
        if current.as_ref().map(|(p, _)| p.as_str()) != Some(diag.path.as_str()) {
            let source = if diag.span.is_some() {
                report.source(&diag.path)
            } else {
                None
            };
            current = Some((diag.path.clone(), source));
        }
        let source = current.as_ref().and_then(|(_, s)| s.as_deref());
        let rendered = Rendered::new(diag, source, &shown_path(dir, &diag.path));
        let mut out = String::new();
        if handler.render_report(&mut out, &rendered).is_err() {
            out = format!("{rendered}\n");
        }
        out.push('\n');
        w.write_all(out.as_bytes())?;
    }
    w.write_all(summary(report).as_bytes())
}

fn summary(report: &Report) -> String {
    let plural = |n: u64, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let instance = match (&report.instance, &report.instance_source) {
        (Some(instance), Some(source)) => format!("instance {} ({source})", instance.host),
        (Some(instance), None) => format!("instance {}", instance.host),
        (None, _) => "instance unknown".to_owned(),
    };
    let mut text = format!(
        "checked {} in {:.2}s: {}, {}; {instance}\n",
        plural(report.files_checked, "file", "files"),
        report.elapsed.as_secs_f64(),
        plural(report.errors(), "error", "errors"),
        plural(report.warnings(), "warning", "warnings"),
    );
    if let Some(plugin) = &report.plugin {
        text.push_str(&plugin_summary(plugin));
    }
    text
}

/// The installed plugin, from PeerTube's database: its version and state, the
/// settings applied, and what a v14 upgrade would read differently.
fn plugin_summary(plugin: &livechat_validate::PluginInstall) -> String {
    let (major, minor, patch) = livechat_validate::context::RULES_VERSION;
    let mut text = format!(
        "plugin peertube-plugin-livechat {} installed ({}), from PeerTube's database; the rules describe {major}.{minor}.{patch}\n",
        plugin.version,
        if plugin.active {
            "enabled"
        } else {
            "disabled or uninstalled"
        },
    );
    let s = &plugin.settings;
    text.push_str(&format!(
        "settings applied{}: prosody-room-type {}, enable-users-regexp {}",
        if plugin.settings_saved {
            ""
        } else {
            " (never saved: the defaults)"
        },
        match s.room_type {
            livechat_validate::RoomType::Video => "video",
            livechat_validate::RoomType::Channel => "channel",
        },
        s.users_regexp,
    ));
    for (folder, setting) in livechat_validate::settings::unused_folders(s) {
        text.push_str(&format!("; {folder} unused ({setting})"));
    }
    text.push('\n');
    let notes = plugin.upgrade_notes();
    if !notes.is_empty() {
        text.push_str("an upgrade to v14 will read this data differently:\n");
        for note in notes {
            text.push_str(&format!("  - {note}\n"));
        }
    }
    text
}

/// One finding as a miette diagnostic.
#[derive(Debug)]
struct Rendered {
    message: String,
    code: &'static str,
    severity: Severity,
    help: Option<String>,
    excerpt: Option<Excerpt>,
}

impl Rendered {
    fn new(diag: &Diagnostic, source: Option<&str>, shown: &str) -> Rendered {
        let excerpt = match (source, diag.span, diag.line, diag.column) {
            (Some(text), Some(span), Some(line), Some(column)) => {
                Excerpt::new(text, span, line, column, shown, &diag.pointer, diag.code)
            }
            _ => None,
        };
        let message = if excerpt.is_some() {
            diag.message.clone()
        } else {
            format!("{shown}: {}", diag.message)
        };
        Rendered {
            message,
            code: diag.code,
            severity: diag.severity,
            help: diag.help.clone(),
            excerpt,
        }
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.excerpt.as_ref().map(|e| e as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let excerpt = self.excerpt.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(excerpt.label.clone()), excerpt.label_span),
        )))
    }
}

/// A window of one line of a file, around a value.
#[derive(Debug)]
struct Excerpt {
    /// The path; miette appends the primary label's line and column.
    name: String,
    /// 0-based column (in characters) of the value in its line.
    column: usize,
    text: String,
    /// 0-based line number of the excerpt's line.
    line: usize,
    label_span: SourceSpan,
    label: String,
}

impl Excerpt {
    fn new(
        text: &str,
        span: Span,
        line: u64,
        column: u64,
        shown: &str,
        pointer: &str,
        code: &str,
    ) -> Option<Excerpt> {
        let start = span.offset.min(text.len());
        if !text.is_char_boundary(start) {
            return None;
        }
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_text = text[line_start..line_end].trim_end_matches('\r');
        let chars: Vec<char> = line_text.chars().collect();
        let col0 = text[line_start..start].chars().count();
        // The label covers the value on this line, at most MAX_LABEL characters (at
        // least one, so an empty span at the end of a line is still visible).
        let mut value_end = span.end().min(line_start + line_text.len()).max(start);
        while !text.is_char_boundary(value_end) {
            value_end += 1;
        }
        let value_chars = text[start..value_end].chars().count();
        let label_len = value_chars.clamp(1, MAX_LABEL);
        // Start the window a little before the value, and fill it to WINDOW characters.
        let to = (col0.saturating_sub(20) + WINDOW).min(chars.len());
        let from = to.saturating_sub(WINDOW);
        let label_end = (col0 + label_len).min(to);
        let mut shown_text = String::new();
        if from > 0 {
            shown_text.push('…');
        }
        let (mut label_from, mut label_to) = (None, None);
        for (i, c) in chars[from..to].iter().enumerate() {
            if from + i == col0 {
                label_from = Some(shown_text.len());
            }
            if from + i == label_end {
                label_to = Some(shown_text.len());
            }
            // Control characters would break the frame's layout.
            shown_text.push(if c.is_control() && *c != '\t' {
                '\u{fffd}'
            } else {
                *c
            });
        }
        let label_from = label_from.unwrap_or(shown_text.len());
        let label_to = label_to.unwrap_or(shown_text.len()).max(label_from);
        if to < chars.len() {
            shown_text.push('…');
        }
        let label = match (pointer, code) {
            ("", "json-syntax") => "the parser stops here".to_owned(),
            ("", "not-utf8") => "not UTF-8".to_owned(),
            ("", _) => "this file".to_owned(),
            (pointer, _) => pointer.to_owned(),
        };
        Some(Excerpt {
            name: shown.to_owned(),
            column: usize::try_from(column.saturating_sub(1)).unwrap_or(0),
            line: usize::try_from(line.saturating_sub(1)).unwrap_or(0),
            label_span: SourceSpan::new(label_from.into(), label_to - label_from),
            text: shown_text,
            label,
        })
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        _span: &SourceSpan,
        _context_lines_before: usize,
        _context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            SourceSpan::new(0.into(), self.text.len()),
            self.line,
            self.column,
            1,
        )))
    }
}
