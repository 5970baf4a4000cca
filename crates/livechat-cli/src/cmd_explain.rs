//! `livechat-data explain`: the page of a diagnostic code, or the list of them.
//!
//! This module only renders what `livechat_validate::codes` defines (the one source
//! of every code's severity, summary, fix and page); it says nothing of its own
//! about a code. The human page is the Markdown page lightly rendered for a terminal:
//! paragraphs and list items wrapped to its width, code blocks indented and never
//! wrapped (they hold file contents and findings to read as they are).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use livechat_validate::Severity;
use livechat_validate::codes::{self, CodeInfo};
use serde_json::{Value, json};

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
livechat-data explain room-not-linked\n  \
livechat-data explain --list")]
pub struct ExplainArgs {
    /// The diagnostic code (as printed by `validate`, e.g. `legacy-shape`).
    #[arg(required_unless_present = "list", conflicts_with = "list")]
    pub code: Option<String>,
    /// List every code with its default severity and summary.
    #[arg(long)]
    pub list: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub format: ExplainFormat,
}

/// `--format` of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// Text for a terminal.
    Human,
    /// The definition as JSON (with the page as Markdown).
    Json,
}

/// Pages are wrapped to the terminal, but never wider than this (long lines are
/// hard to read) and, when stdout is not a terminal, exactly this (stable output).
const MAX_WIDTH: usize = 100;
const PIPE_WIDTH: usize = 80;

pub fn run(args: ExplainArgs) -> miette::Result<ExitCode> {
    let text = if args.list {
        match args.format {
            ExplainFormat::Human => list_human(),
            ExplainFormat::Json => {
                json_text(&Value::Array(codes::ALL.iter().map(definition).collect()))
            }
        }
    } else {
        let code = args.code.unwrap_or_default();
        let Some(info) = codes::info(&code) else {
            return Err(unknown_code(&code));
        };
        match args.format {
            ExplainFormat::Human => page_human(info, width()),
            ExplainFormat::Json => {
                let mut value = definition(info);
                value["page"] = json!(info.page);
                json_text(&value)
            }
        }
    };
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is the reader's choice, not a failure.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    Ok(ExitCode::SUCCESS)
}

fn width() -> usize {
    if !std::io::stdout().is_terminal() {
        return PIPE_WIDTH;
    }
    terminal_size::terminal_size().map_or(PIPE_WIDTH, |(w, _)| usize::from(w.0).min(MAX_WIDTH))
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The definition of a code, without its page.
fn definition(info: &CodeInfo) -> Value {
    json!({
        "code": info.code,
        "name": info.name,
        "severity": severity(info.severity),
        "summary": info.summary,
        "fix": { "applicability": info.fix.as_str(), "note": info.fix_note },
    })
}

fn json_text(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value)
        .unwrap_or_else(|err| unreachable!("a JSON value always serialises: {err}"));
    text.push('\n');
    text
}

/// One line per code: id, severity, summary, aligned.
fn list_human() -> String {
    let width = codes::ALL.iter().map(|c| c.code.len()).max().unwrap_or(0);
    let mut out = String::new();
    for info in codes::ALL {
        out.push_str(&format!(
            "{:width$}  {:7}  {}\n",
            info.code,
            severity(info.severity),
            info.summary
        ));
    }
    out
}

/// The page for a terminal `width` columns wide.
pub fn page_human(info: &CodeInfo, width: usize) -> String {
    let mut out = String::new();
    let title = format!("{}: {}", info.code, info.summary);
    push_wrapped(&mut out, &title, width, "", "");
    out.push('\n');
    let meta = format!(
        "Rule {}. Default severity: {}. Automatic fix: {} ({}).",
        info.name,
        severity(info.severity),
        info.fix.as_str(),
        info.fix_note
    );
    push_wrapped(&mut out, &meta, width, "", "");
    let mut previous_item = false;
    for block in blocks(info.page) {
        // A blank line between blocks, except between the items of one list.
        let item = matches!(block, Block::Item(_));
        if !(item && previous_item) {
            out.push('\n');
        }
        previous_item = item;
        match block {
            Block::Heading(text) => {
                out.push_str(&text.to_uppercase());
                out.push('\n');
            }
            Block::Paragraph(text) => push_wrapped(&mut out, &text, width, "", ""),
            Block::Item(text) => push_wrapped(&mut out, &text, width, "  - ", "    "),
            Block::Code(lines) => {
                for line in lines {
                    if line.is_empty() {
                        out.push('\n');
                    } else {
                        out.push_str("    ");
                        out.push_str(line);
                        out.push('\n');
                    }
                }
            }
        }
    }
    out
}

fn push_wrapped(out: &mut String, text: &str, width: usize, first: &str, rest: &str) {
    let options = textwrap::Options::new(width)
        .initial_indent(first)
        .subsequent_indent(rest)
        .break_words(false)
        // Codes, paths and options hold hyphens: never break a line inside them.
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        // Break at spaces only: Unicode line breaking would split paths at `/`.
        .word_separator(textwrap::WordSeparator::AsciiSpace);
    for line in textwrap::wrap(text, options) {
        out.push_str(&line);
        out.push('\n');
    }
}

/// The blocks of the Markdown subset the pages use (a test holds every page to it):
/// `## ` headings, paragraphs, `- ` list items (continued by indented lines) and
/// fenced code blocks.
#[derive(Debug, PartialEq, Eq)]
enum Block<'a> {
    Heading(&'a str),
    Paragraph(String),
    Item(String),
    Code(Vec<&'a str>),
}

fn blocks(page: &str) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    let mut lines = page.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(heading) = trimmed.strip_prefix("## ") {
            blocks.push(Block::Heading(heading));
        } else if trimmed.starts_with("```") {
            let mut code = Vec::new();
            for line in lines.by_ref() {
                if line.trim_end() == "```" {
                    break;
                }
                code.push(line);
            }
            blocks.push(Block::Code(code));
        } else {
            let (item, first) = match trimmed.strip_prefix("- ") {
                Some(rest) => (true, rest),
                None => (false, trimmed),
            };
            let mut text = first.trim().to_owned();
            // A paragraph or item goes on until a blank line, a heading, a fence or
            // (for either) the next item.
            while let Some(next) = lines.peek() {
                let next = next.trim_end();
                if next.is_empty()
                    || next.starts_with("## ")
                    || next.starts_with("```")
                    || next.starts_with("- ")
                {
                    break;
                }
                text.push(' ');
                text.push_str(next.trim());
                lines.next();
            }
            blocks.push(if item {
                Block::Item(text)
            } else {
                Block::Paragraph(text)
            });
        }
    }
    blocks
}

/// The error for an unknown code, naming the nearest known ones.
fn unknown_code(code: &str) -> miette::Report {
    let near = nearest(code);
    let help = if near.is_empty() {
        "`livechat-data explain --list` lists every code".to_owned()
    } else {
        format!(
            "did you mean {}? (`livechat-data explain --list` lists every code)",
            near.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    miette::miette!(
        code = "livechat::explain::unknown_code",
        help = help,
        "unknown diagnostic code `{code}`"
    )
}

/// Up to three known codes closest to `code`: by normalised Damerau-Levenshtein
/// similarity (typos, swapped letters), and any code that contains what was typed
/// (a part of a code, such as `domain`).
pub fn nearest(code: &str) -> Vec<&'static str> {
    let wanted = code.trim().to_lowercase().replace('_', "-");
    let mut scored: Vec<(f64, &'static str)> = codes::ALL
        .iter()
        .map(|c| {
            let mut score = strsim::normalized_damerau_levenshtein(&wanted, c.code);
            if wanted.len() >= 3 && c.code.contains(wanted.as_str()) {
                score = score.max(0.7);
            }
            (score, c.code)
        })
        .filter(|(score, _)| *score >= 0.6)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_codes() {
        assert_eq!(nearest("legacy-shap")[0], "legacy-shape");
        assert_eq!(nearest("legacy_shape")[0], "legacy-shape");
        assert_eq!(nearest("room-not-linekd")[0], "room-not-linked");
        assert!(nearest("zzzzzzzzzz").is_empty());
    }

    #[test]
    fn markdown_blocks() {
        let page = "## A\n\nOne\ntwo.\n\n- item\n  more\n- next\n\n```json\n{}\n\n[]\n```\n";
        assert_eq!(
            blocks(page),
            vec![
                Block::Heading("A"),
                Block::Paragraph("One two.".to_owned()),
                Block::Item("item more".to_owned()),
                Block::Item("next".to_owned()),
                Block::Code(vec!["{}", "", "[]"]),
            ]
        );
    }
}
