//! Every code's explanation page (`src/codes/<id>.md`) is complete, and its example
//! is real: the files it shows are written to a temporary data directory, the
//! validator runs on it with the options of the command the page shows, and the
//! findings the page prints are exactly the ones the validator reports (a last line
//! `...` stands for findings left out), among them one with the page's code.
//!
//! The example's syntax, one item per line of the `## Example` section (any other
//! line is prose):
//!
//! - `` `PATH`: `` then a fenced block: a file with the block's text (no trailing
//!   newline, as the plugin writes); `` `PATH`, in Latin-1: `` encodes it in Latin-1;
//! - `` `PATH`: an empty file ``, `` `PATH`: a folder ``, `` `PATH`: a symbolic link
//!   to `TARGET` ``, `` `PATH`: a file of N bytes `` (spaces), `` `PATH`: a PNG
//!   image of N bytes `` (the PNG signature, then zeros) and
//!   `` `emojis/channel/ID/definition.json`: a definition of N emojis `` (`:e1:` to
//!   `:eN:`, files `1.png` to `N.png` of the instance `peertube.example.com`);
//! - `` `livechat-data validate [--instance-url URL] [--room-type video|channel]` ``
//!   and some words ending with `:`, then a fenced block of findings, one per line:
//!   `SEVERITY[CODE] PATH[:LINE:COLUMN]: MESSAGE` (`PATH` `.` for the directory).

use std::path::Path;

use livechat_validate::codes::{ALL, CodeInfo, PAGE_SECTIONS};
use livechat_validate::engine::{Diagnostic, validate_dir};
use livechat_validate::{Instance, RoomType, Severity, ValidateOptions};

/// One entry of an example's data directory.
#[derive(Debug)]
enum Entry {
    File(String, Vec<u8>),
    Folder(String),
    Link(String, String),
}

/// A page's example: the directory, the command's options, the findings shown.
#[derive(Debug)]
struct Example {
    entries: Vec<Entry>,
    options: ValidateOptions,
    findings: Vec<String>,
    elided: bool,
}

/// The lines of the fenced block that starts at or after `lines[*i]` (blank lines
/// before it skipped); `*i` ends after the closing fence.
fn fenced<'a>(lines: &[&'a str], i: &mut usize) -> Result<Vec<&'a str>, String> {
    while lines.get(*i).is_some_and(|l| l.trim().is_empty()) {
        *i += 1;
    }
    if !lines.get(*i).is_some_and(|l| l.starts_with("```")) {
        return Err(format!("expected a fenced block at line {}", *i + 1));
    }
    *i += 1;
    let start = *i;
    while lines.get(*i).is_some_and(|l| l.trim_end() != "```") {
        *i += 1;
    }
    if *i >= lines.len() {
        return Err("unclosed fenced block".to_owned());
    }
    let block = lines[start..*i].to_vec();
    *i += 1;
    Ok(block)
}

/// `` `PATH`: REST `` split into the path and the rest.
fn path_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('`')?;
    let end = rest.find('`')?;
    Some((&rest[..end], &rest[end + 1..]))
}

fn parse_options(args: &str) -> Result<ValidateOptions, String> {
    let mut options = ValidateOptions::default();
    let mut words = args.split_whitespace();
    while let Some(word) = words.next() {
        let value = words.next().ok_or(format!("`{word}` without a value"))?;
        match word {
            "--instance-url" => {
                options.instance =
                    Some(Instance::from_url(value).map_err(|e| format!("{value}: {e}"))?);
                options.instance_source = Some("--instance-url".to_owned());
            }
            "--room-type" => {
                options.room_type = match value {
                    "video" => RoomType::Video,
                    "channel" => RoomType::Channel,
                    _ => return Err(format!("room type `{value}`")),
                };
            }
            _ => return Err(format!("an option examples do not support: `{word}`")),
        }
    }
    Ok(options)
}

/// `emojis/channel/<id>/definition.json` with `n` emojis `:e1:`, `:e2:`, ... whose
/// files are `1.png`, `2.png`, ... (too long a document to show in a page).
fn emoji_definition(path: &str, n: &str) -> Result<Vec<u8>, String> {
    let channel = path
        .strip_prefix("emojis/channel/")
        .and_then(|p| p.strip_suffix("/definition.json"))
        .ok_or(format!("{path}: not an emoji definition"))?;
    let n: usize = n.parse().map_err(|_| n.to_owned())?;
    let entries: Vec<serde_json::Value> = (1..=n)
        .map(|i| {
            serde_json::json!({
                "sn": format!(":e{i}:"),
                "url": format!(
                    "https://peertube.example.com/plugins/livechat/router/emojis/channel/{channel}/files/{i}.png"
                ),
            })
        })
        .collect();
    Ok(serde_json::json!({ "customEmojis": entries })
        .to_string()
        .into_bytes())
}

fn parse_example(section: &str) -> Result<Example, String> {
    let lines: Vec<&str> = section.lines().collect();
    let mut entries = Vec::new();
    let mut command = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        i += 1;
        if let Some(args) = line
            .strip_prefix("`livechat-data validate")
            .filter(|_| line.ends_with(':'))
        {
            let args = &args[..args.find('`').ok_or("unclosed command")?];
            if command.is_some() {
                return Err("two `livechat-data validate` commands".to_owned());
            }
            command = Some((parse_options(args)?, fenced(&lines, &mut i)?));
            continue;
        }
        let Some((path, rest)) = path_line(line) else {
            continue;
        };
        let entry = match rest {
            ":" => Entry::File(path.to_owned(), fenced(&lines, &mut i)?.join("\n").into()),
            ", in Latin-1:" => {
                let text = fenced(&lines, &mut i)?.join("\n");
                let bytes = text
                    .chars()
                    .map(|c| {
                        u8::try_from(u32::from(c)).map_err(|_| format!("`{c}` is not Latin-1"))
                    })
                    .collect::<Result<_, _>>()?;
                Entry::File(path.to_owned(), bytes)
            }
            ": an empty file" => Entry::File(path.to_owned(), Vec::new()),
            ": a folder" => Entry::Folder(path.to_owned()),
            _ => {
                if let Some(target) = rest
                    .strip_prefix(": a symbolic link to `")
                    .and_then(|t| t.strip_suffix('`'))
                {
                    Entry::Link(path.to_owned(), target.to_owned())
                } else if let Some(n) = rest
                    .strip_prefix(": a file of ")
                    .and_then(|t| t.strip_suffix(" bytes"))
                {
                    Entry::File(
                        path.to_owned(),
                        vec![b' '; n.parse().map_err(|_| n.to_owned())?],
                    )
                } else if let Some(n) = rest
                    .strip_prefix(": a PNG image of ")
                    .and_then(|t| t.strip_suffix(" bytes"))
                {
                    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
                    bytes.resize(n.parse().map_err(|_| n.to_owned())?, 0);
                    Entry::File(path.to_owned(), bytes)
                } else if let Some(n) = rest
                    .strip_prefix(": a definition of ")
                    .and_then(|t| t.strip_suffix(" emojis"))
                {
                    Entry::File(path.to_owned(), emoji_definition(path, n)?)
                } else {
                    // A line that merely starts with a code span is prose.
                    continue;
                }
            }
        };
        entries.push(entry);
    }
    let (options, block) = command.ok_or("no `livechat-data validate ...:` line")?;
    let mut findings: Vec<String> = block.iter().map(|l| (*l).to_owned()).collect();
    let elided = findings.last().is_some_and(|l| l == "...");
    if elided {
        findings.pop();
    }
    if entries.is_empty() {
        return Err("no file".to_owned());
    }
    Ok(Example {
        entries,
        options,
        findings,
        elided,
    })
}

/// A finding as an example shows it.
fn finding_line(d: &Diagnostic) -> String {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let path = if d.path.is_empty() { "." } else { &d.path };
    match (d.line, d.column) {
        (Some(line), Some(column)) => {
            format!(
                "{severity}[{}] {path}:{line}:{column}: {}",
                d.code, d.message
            )
        }
        _ => format!("{severity}[{}] {path}: {}", d.code, d.message),
    }
}

fn run_example(example: &Example) -> Vec<String> {
    let tmp = tempfile::tempdir().expect("a temp dir");
    for entry in &example.entries {
        let (Entry::File(path, _) | Entry::Folder(path) | Entry::Link(path, _)) = entry;
        assert!(
            !path.starts_with('/') && !path.split('/').any(|c| c == ".."),
            "{path}: an example's paths stay inside its data directory"
        );
        let full = tmp.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
        match entry {
            Entry::File(_, bytes) => std::fs::write(&full, bytes).expect("write"),
            Entry::Folder(_) => std::fs::create_dir_all(&full).expect("mkdir"),
            Entry::Link(_, target) => {
                std::os::unix::fs::symlink(Path::new(target), &full).expect("symlink");
            }
        }
    }
    let report = validate_dir(tmp.path(), &example.options).expect("the example runs");
    report.diagnostics.iter().map(finding_line).collect()
}

fn check_page(info: &CodeInfo) -> Result<(), String> {
    let page = info.page;
    let headings: Vec<&str> = page
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| l.strip_prefix("## ").unwrap_or(l))
        .collect();
    if headings != PAGE_SECTIONS {
        return Err(format!("headings {headings:?}, not {PAGE_SECTIONS:?}"));
    }
    for heading in PAGE_SECTIONS {
        if info.section(heading).is_none_or(str::is_empty) {
            return Err(format!("the section `{heading}` is empty"));
        }
    }
    if page.lines().filter(|l| l.starts_with("```")).count() % 2 != 0 {
        return Err("an unclosed fenced block".to_owned());
    }
    if let Some(line) = page
        .lines()
        .find(|l| l.starts_with('|') || l.starts_with("* ") || l.starts_with('>'))
    {
        return Err(format!(
            "`{line}`: pages use paragraphs, `- ` lists and fenced blocks only (what `explain` renders)"
        ));
    }
    let what = info.section(PAGE_SECTIONS[0]).unwrap_or_default();
    if !what
        .split('`')
        .skip(1)
        .step_by(2)
        .any(|span| span.ends_with(".ts") || span.ends_with(".lua"))
    {
        return Err(format!(
            "`{}` names no source file of the plugin, the bot or Prosody (a `path.ts` or `path.lua`)",
            PAGE_SECTIONS[0]
        ));
    }

    let example = parse_example(info.section("Example").unwrap_or_default())?;
    let actual = run_example(&example);
    let shown = &example.findings;
    let tag = format!("[{}]", info.code);
    if !shown.iter().any(|l| l.contains(&tag)) {
        return Err(format!("the example shows no `{}` finding", info.code));
    }
    let missing: Vec<&String> = shown.iter().filter(|l| !actual.contains(l)).collect();
    let unshown: Vec<&String> = actual.iter().filter(|l| !shown.contains(l)).collect();
    if !missing.is_empty() || (!example.elided && !unshown.is_empty()) {
        return Err(format!(
            "the example's findings are not the validator's; it reports:\n{}",
            actual.join("\n")
        ));
    }
    Ok(())
}

#[test]
fn every_code_has_a_complete_page_whose_example_is_real() {
    let failures: Vec<String> = ALL
        .iter()
        .filter_map(|info| {
            check_page(info)
                .err()
                .map(|err| format!("src/codes/{}.md: {err}", info.code))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} pages fail:\n\n{}",
        failures.len(),
        ALL.len(),
        failures.join("\n\n")
    );
}

#[test]
fn examples_are_parsed_as_written() {
    let section = "Prose with `a code span`.\n\n`a/b.json`:\n\n```json\n{\"x\":1}\n```\n\n\
`c`: an empty file\n`d`: a folder\n`e`: a symbolic link to `/etc/passwd`\n\
`f`: a file of 3 bytes\n`g`, in Latin-1:\n```text\né\n```\n\n\
`livechat-data validate --instance-url https://peertube.example.com --room-type channel` reports:\n\n\
```text\nwarning[x] a/b.json:1:1: m\n...\n```\n";
    let example = parse_example(section).expect("parses");
    assert_eq!(example.entries.len(), 6, "{:?}", example.entries);
    assert!(
        matches!(&example.entries[0], Entry::File(p, b) if p == "a/b.json" && b == b"{\"x\":1}")
    );
    assert!(matches!(&example.entries[3], Entry::Link(p, t) if p == "e" && t == "/etc/passwd"));
    assert!(matches!(&example.entries[4], Entry::File(_, b) if b == b"   "));
    assert!(matches!(&example.entries[5], Entry::File(_, b) if b == &[0xE9]));
    assert_eq!(example.options.room_type, RoomType::Channel);
    assert_eq!(
        example.options.instance.as_ref().map(|i| i.host.as_str()),
        Some("peertube.example.com")
    );
    assert_eq!(example.findings, ["warning[x] a/b.json:1:1: m"]);
    assert!(example.elided);
    assert!(parse_example("`a`: a folder\n").is_err(), "no command");
    assert!(
        parse_example("`livechat-data validate --format json` reports:\n```\n```\n`a`: a folder\n")
            .is_err()
    );
}
