//! `cargo xtask ts-check`: proves `schemas/ts/` with the pinned TypeScript of
//! `xtask/node` (`tsc-programs.mjs` runs the compiler's API, `strict` on):
//!
//! 1. the declarations compile on their own;
//! 2. every fixture of `crossval` (single files, the sample, the inventory), and the
//!    JSON report of `livechat-data validate` on every data dir of the fixtures, is
//!    embedded as a typed literal (`const f: BotRoom = {...}`, the document as
//!    `JSON.parse` reads it, never a JSON import, which would widen `true` to
//!    `boolean`) and each diagnostic is attributed to the literal it falls in: a valid
//!    fixture must have none; an invalid one must have some, unless
//!    `fixtures/files/TYPESCRIPT.md` lists it with the rule a type cannot state
//!    (pattern, range, ...), and a listed one must have none (the list is checked
//!    both ways);
//! 3. a scratch project imports the types (`livechat-data/types`) and a schema
//!    (`livechat-data/schemas/bot-room.schema.json`) from a package laid out like
//!    the npm package, as ES module, CommonJS and with bundler resolution, and runs
//!    the emitted code;
//! 4. the TypeScript and Python examples of `docs/schemas.md` compile and run, and
//!    print what the doc shows (its Rust example is a doctest of `livechat-schema`).
//!
//! It writes only under `target/xtask/ts-check/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::codegen::root;
use crate::crossval::{self, rel_slash};
use crate::{tools, ts};

/// The list of invalid fixtures that type-check, relative to the workspace root.
const LIST: &str = "fixtures/files/TYPESCRIPT.md";

/// One diagnostic of `tsc-programs.mjs`.
#[derive(Debug, Clone, Deserialize)]
struct Diagnostic {
    file: Option<String>,
    line: Option<usize>,
    code: u32,
    category: String,
    message: String,
}

impl Diagnostic {
    fn render(&self) -> String {
        format!(
            "{}:{}: {} TS{}: {}",
            self.file.as_deref().unwrap_or("-"),
            self.line.unwrap_or(0),
            self.category.to_lowercase(),
            self.code,
            self.message.replace('\n', " ")
        )
    }
}

/// A TypeScript program to compile: its root files and compiler options (tsconfig's
/// `compilerOptions`).
struct Program {
    name: &'static str,
    files: Vec<PathBuf>,
    options: Value,
}

pub fn run() -> Result<()> {
    let root = root();
    let node_dir = tools::node_modules()?;
    let work = tools::work_dir().join("ts-check");
    if work.exists() {
        fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
    }
    let project = work.join("project");
    lay_out_package(&root, &project.join("node_modules/livechat-data"))?;
    for module in ["ajv", "ajv-formats", "@types/node"] {
        let link = project.join("node_modules").join(module);
        if let Some(parent) = link.parent() {
            fs::create_dir_all(parent)?;
        }
        std::os::unix::fs::symlink(node_dir.join("node_modules").join(module), &link)?;
    }
    fs::write(
        project.join("package.json"),
        "{\"private\": true, \"type\": \"module\"}\n",
    )?;

    // `types: []`: nothing of `@types/` (xtask/node has Node's) is needed by the declarations.
    let strict = json!({
        "strict": true, "noEmit": true, "skipLibCheck": false, "target": "es2022", "types": [],
    });
    let node_options = json!({
        "strict": true, "skipLibCheck": false, "target": "es2022",
        "module": "nodenext", "moduleResolution": "nodenext", "resolveJsonModule": true,
        "types": ["node"], "outDir": project.join("out").display().to_string(),
        "rootDir": project.display().to_string(),
    });

    // 1. The declarations alone.
    let mut declarations = Vec::new();
    for entry in fs::read_dir(root.join(ts::DIR)).context("reading schemas/ts/")? {
        declarations.push(entry?.path());
    }
    declarations.sort();

    // 2. The fixtures.
    let mut cases = crossval::collect(&root)?;
    cases.extend(reports(&root, &work)?);
    let listed = read_list(&root.join(LIST))?;
    let module = fixtures_module(&root, &cases)?;
    let fixtures_file = project.join("fixtures.ts");
    fs::write(&fixtures_file, &module.text)?;

    // 3. The package, imported three ways.
    fs::write(project.join("esm.mts"), ESM)?;
    fs::write(project.join("cjs.cts"), CJS)?;
    fs::write(project.join("bundler.ts"), BUNDLER)?;

    // 4. The doc's examples.
    let doc =
        fs::read_to_string(root.join("docs/schemas.md")).context("reading docs/schemas.md")?;
    let examples = examples(&doc);
    let mut doc_files = Vec::new();
    for (i, example) in examples.iter().enumerate() {
        if example.lang == "ts" {
            let path = project.join(format!("doc-example-{i}.ts"));
            fs::write(&path, &example.code)?;
            doc_files.push(path);
        }
    }

    let mut node_files = vec![project.join("esm.mts"), project.join("cjs.cts")];
    node_files.extend(doc_files.iter().cloned());
    let programs = [
        Program {
            name: "declarations",
            files: declarations,
            options: strict.clone(),
        },
        Program {
            name: "fixtures",
            files: vec![fixtures_file.clone()],
            options: node_options_no_emit(&node_options),
        },
        Program {
            name: "node",
            files: node_files,
            options: node_options.clone(),
        },
        Program {
            name: "bundler",
            files: vec![project.join("bundler.ts")],
            options: json!({
                "strict": true, "noEmit": true, "skipLibCheck": false, "target": "es2022",
                "module": "esnext", "moduleResolution": "bundler", "resolveJsonModule": true,
                "types": [],
            }),
        },
    ];
    let (tool, mut diagnostics) = compile(&node_dir, &work, &programs)?;
    println!("ts-check: {tool}, strict");

    let mut failures = Vec::new();
    for name in ["declarations", "node", "bundler"] {
        let found = diagnostics.remove(name).unwrap_or_default();
        if found.is_empty() {
            println!("  {name}: compiles");
        } else {
            failures.push(format!(
                "the {name} program does not compile:\n{}",
                found
                    .iter()
                    .map(|d| format!("    {}", d.render()))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    let fixtures = diagnostics.remove("fixtures").unwrap_or_default();
    check_fixtures(
        &root,
        &cases,
        &module,
        &listed,
        &fixtures,
        &fixtures_file,
        &mut failures,
    );

    if failures.is_empty() {
        run_node(&project, &examples, &mut failures)?;
        run_python(&root, &work, &examples, &mut failures)?;
    }
    if !failures.is_empty() {
        bail!("ts-check failed:\n\n{}", failures.join("\n\n"));
    }
    println!("ts-check: all good");
    Ok(())
}

fn node_options_no_emit(options: &Value) -> Value {
    let mut options = options.clone();
    if let Value::Object(obj) = &mut options {
        obj.remove("outDir");
        obj.remove("rootDir");
        obj.insert("noEmit".into(), true.into());
    }
    options
}

/// `package.json`, `schemas/*.schema.json` and `schemas/ts/*.d.ts`, as the npm
/// package ships them: `livechat-data/types` is `schemas/ts/index.d.ts`,
/// `livechat-data/schemas/*` the schemas.
fn lay_out_package(root: &Path, package: &Path) -> Result<()> {
    let ts_dir = package.join(ts::DIR);
    fs::create_dir_all(&ts_dir)?;
    for (from, to) in [
        (root.join("schemas"), package.join("schemas")),
        (root.join(ts::DIR), ts_dir),
    ] {
        for entry in fs::read_dir(&from).with_context(|| format!("reading {}", from.display()))? {
            let path = entry?.path();
            if path.is_file() {
                fs::copy(&path, to.join(path.file_name().unwrap_or_default()))?;
            }
        }
    }
    let manifest = json!({
        "name": "livechat-data",
        "version": env!("CARGO_PKG_VERSION"),
        "exports": {
            "./types": { "types": "./schemas/ts/index.d.ts" },
            "./schemas/*": "./schemas/*",
            "./package.json": "./package.json",
        },
    });
    fs::write(
        package.join("package.json"),
        serde_json::to_string_pretty(&manifest)?,
    )?;
    Ok(())
}

/// An ES module importing the types and a schema (an import attribute).
const ESM: &str = r#"import type { BotRoom, Handler, ModerateHandler } from "livechat-data/types";
import schema from "livechat-data/schemas/bot-room.schema.json" with { type: "json" };

const handler: ModerateHandler = {
  type: "moderate",
  id: "forbidden_words_0",
  enabled: true,
  options: { rules: [{ name: "forbidden_words_0", regexp: "spam" }] },
};
const handlers: Handler[] = [handler];
const room: BotRoom = { local: "8df24108-6e70-4fc8-b1cc-f2db7fcdd535", domain: "room.peertube.example.com", enabled: true, handlers };
console.log(`esm ${schema.$id} ${room.handlers.length}`);
"#;

/// A CommonJS module: `require` of a schema, the types through `import type`.
const CJS: &str = r#"import type { ChannelConfigurationOptions } from "livechat-data/types";
import schema = require("livechat-data/schemas/bot-room.schema.json");

const options: ChannelConfigurationOptions = {
  bot: { enabled: false, forbiddenWords: [], quotes: [], commands: [] },
};
console.log(`cjs ${schema.$id} ${options.bot.forbiddenWords.length}`);
"#;

/// A module for bundlers (`moduleResolution: bundler`).
const BUNDLER: &str = r#"import type { EmojisDefinition, RoomChannel, VideoInfosRemote } from "livechat-data/types";
import schema from "livechat-data/schemas/emojis-definition.schema.json";

export const emojis: EmojisDefinition = { customEmojis: [] };
export const rooms: RoomChannel = { "1": ["8df24108-6e70-4fc8-b1cc-f2db7fcdd535"] };
export const id: string = schema.$id;
export const host = (v: VideoInfosRemote): string => (v.xmppserver ? v.xmppserver.host : v.jid);
"#;

/// What the emitted ES and CommonJS modules must print.
const PACKAGE_OUTPUT: [(&str, &str); 2] = [
    (
        "esm.mjs",
        "esm https://livechat-data.github.io/schemas/bot-room.schema.json 1\n",
    ),
    (
        "cjs.cjs",
        "cjs https://livechat-data.github.io/schemas/bot-room.schema.json 0\n",
    ),
];

/// The module with one typed literal per fixture.
struct FixturesModule {
    text: String,
    /// Each case's lines (1-based, inclusive), `None` when it is not JSON.
    spans: Vec<Option<(usize, usize)>>,
    /// The cases that are not JSON.
    unparsable: BTreeSet<usize>,
}

fn fixtures_module(root: &Path, cases: &[crossval::Case]) -> Result<FixturesModule> {
    let mut types: BTreeSet<String> = BTreeSet::new();
    let mut body = String::new();
    let mut spans = Vec::with_capacity(cases.len());
    let mut unparsable = BTreeSet::new();
    // Lines before the body: the import and a blank line.
    let mut line = 3;
    for (i, case) in cases.iter().enumerate() {
        let bytes = fs::read(&case.path)?;
        let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
            unparsable.insert(i);
            spans.push(None);
            continue;
        };
        let name = ts::type_name(case.kind);
        types.insert(name.clone());
        let literal = serde_json::to_string_pretty(&value)?;
        let text = format!(
            "// {}\nexport const fixture{i}: {name} = {literal};\n",
            rel_slash(root, &case.path)
        );
        let lines = text.lines().count();
        // The comment line is not part of the case.
        spans.push(Some((line + 1, line + lines - 1)));
        line += lines;
        body.push_str(&text);
    }
    let head = format!(
        "import type {{ {} }} from \"livechat-data/types\";\n\n",
        types.into_iter().collect::<Vec<_>>().join(", ")
    );
    Ok(FixturesModule {
        text: head + &body,
        spans,
        unparsable,
    })
}

/// Real `validate --format json` reports, as more valid `validation-report` cases:
/// one per data dir of `fixtures/validate/`, one of the sample and one of a copy of
/// the sample with an empty file (a finding without a position: `"line": null`).
fn reports(root: &Path, work: &Path) -> Result<Vec<crossval::Case>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    tools::run_ok(
        Command::new(&cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "livechat-cli",
                "--bin",
                "livechat-data",
            ])
            .current_dir(root),
    )?;
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let binary = target.join("debug/livechat-data");
    let out_dir = work.join("reports");
    fs::create_dir_all(&out_dir)?;
    let broken = work.join("sample-with-empty-file");
    tools::run_ok(
        Command::new("cp")
            .arg("-a")
            .arg(root.join("fixtures/sample"))
            .arg(&broken),
    )?;
    fs::write(broken.join("channelConfigurationOptions/1.json"), "")?;
    let mut dirs = vec![root.join("fixtures/sample"), broken];
    for dir in crossval::sorted_dir(&root.join("fixtures/validate"))? {
        if dir.is_dir() {
            dirs.push(dir);
        }
    }
    let mut cases = Vec::new();
    for dir in dirs {
        let out = Command::new(&binary)
            .args(["validate", "--format", "json"])
            .arg(&dir)
            .output()
            .with_context(|| format!("running {}", binary.display()))?;
        if !matches!(out.status.code(), Some(0 | 1)) {
            bail!(
                "livechat-data validate {} failed: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let path = out_dir.join(format!("{name}.json"));
        fs::write(&path, &out.stdout)?;
        cases.push(crossval::Case {
            path,
            kind: livechat_schema::Kind::ValidationReport,
            expected_valid: true,
        });
    }
    Ok(cases)
}

/// The listed files (relative to `fixtures/files/`) and why each type-checks.
fn read_list(path: &Path) -> Result<BTreeMap<String, String>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let mut cells = rest.splitn(3, '|');
        let file = cells.next().unwrap_or("").trim().trim_end_matches('`');
        let why = cells.next().unwrap_or("").trim();
        if why.is_empty() {
            bail!(
                "{}:{}: `{file}` says nothing about why",
                path.display(),
                n + 1
            );
        }
        if out.insert(file.to_owned(), why.to_owned()).is_some() {
            bail!("{}:{}: `{file}` is listed twice", path.display(), n + 1);
        }
    }
    Ok(out)
}

fn check_fixtures(
    root: &Path,
    cases: &[crossval::Case],
    module: &FixturesModule,
    listed: &BTreeMap<String, String>,
    diagnostics: &[Diagnostic],
    file: &Path,
    failures: &mut Vec<String>,
) {
    let files_dir = root.join("fixtures/files");
    let file_name = file.display().to_string();
    let mut per_case: Vec<Vec<&Diagnostic>> = vec![Vec::new(); cases.len()];
    let mut stray = Vec::new();
    for d in diagnostics {
        let case = (d.file.as_deref() == Some(file_name.as_str()))
            .then(|| {
                module.spans.iter().position(|s| {
                    s.is_some_and(|(a, b)| d.line.is_some_and(|l| (a..=b).contains(&l)))
                })
            })
            .flatten();
        match case {
            // A syntax error would be a bug of this module, not a verdict.
            Some(i) if d.code >= 2000 => per_case[i].push(d),
            _ => stray.push(d.render()),
        }
    }
    if !stray.is_empty() {
        failures.push(format!(
            "diagnostics of the fixtures module that belong to no fixture:\n    {}",
            stray.join("\n    ")
        ));
    }
    let mut seen = BTreeSet::new();
    let mut rows: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    let mut problems = String::new();
    let mut rejected = String::new();
    for (i, case) in cases.iter().enumerate() {
        let rel = rel_slash(root, &case.path);
        let short = case
            .path
            .strip_prefix(&files_dir)
            .ok()
            .map(|p| rel_slash(Path::new(""), p));
        let why = short.as_deref().and_then(|s| listed.get(s));
        if let Some(s) = &short {
            seen.insert(s.clone());
        }
        let row = rows.entry(case.kind.id()).or_default();
        let found = &per_case[i];
        let not_json = module.unparsable.contains(&i);
        if case.expected_valid {
            row[0] += 1;
            if not_json {
                let _ = writeln!(problems, "  {rel}: a valid fixture that is not JSON");
            } else if !found.is_empty() {
                let _ = writeln!(
                    problems,
                    "  {rel}: a valid fixture that does not type-check:"
                );
                for d in found {
                    let _ = writeln!(problems, "      {}", d.render());
                }
            }
            if why.is_some() {
                let _ = writeln!(problems, "  {rel}: listed in {LIST}, but it is valid");
            }
            continue;
        }
        let accepted = not_json || found.is_empty();
        match (accepted, why) {
            (true, Some(_)) => row[if not_json { 3 } else { 2 }] += 1,
            (false, None) => {
                row[1] += 1;
                let first = found[0];
                let _ = writeln!(
                    rejected,
                    "  {rel}: TS{} {}",
                    first.code,
                    first.message.lines().next().unwrap_or("")
                );
            }
            (true, None) => {
                let _ = writeln!(
                    problems,
                    "  {rel}: an invalid fixture that {}: list it in {LIST} with the rule TypeScript cannot state",
                    if not_json {
                        "is not JSON"
                    } else {
                        "type-checks"
                    }
                );
            }
            (false, Some(_)) => {
                let _ = writeln!(
                    problems,
                    "  {rel}: listed in {LIST}, but it no longer type-checks ({}): remove it from the list",
                    found[0].render()
                );
            }
        }
    }
    for file in listed.keys() {
        if !seen.contains(file) {
            let _ = writeln!(problems, "  {file}: listed in {LIST}, but no such fixture");
        }
    }
    println!();
    println!(
        "| kind | valid, type-check | invalid, rejected by tsc | invalid, listed as beyond types | not JSON |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (kind, row) in &rows {
        println!(
            "| {kind} | {} | {} | {} | {} |",
            row[0], row[1], row[2], row[3]
        );
    }
    println!();
    println!("invalid fixtures rejected by tsc (first diagnostic):\n{rejected}");
    if !problems.is_empty() {
        failures.push(format!(
            "fixtures whose verdict is not the expected one:\n{problems}"
        ));
    }
}

/// Runs `tsc-programs.mjs` on the programs; returns the tool and every program's
/// diagnostics.
fn compile(
    node_dir: &Path,
    work: &Path,
    programs: &[Program],
) -> Result<(String, BTreeMap<String, Vec<Diagnostic>>)> {
    let input: Vec<Value> = programs
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "files": p.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                "options": p.options,
            })
        })
        .collect();
    let manifest = work.join("programs.json");
    fs::write(&manifest, serde_json::to_vec(&input)?)?;
    let out = tools::output_ok(
        Command::new("node")
            .arg(node_dir.join("tsc-programs.mjs"))
            .arg(&manifest)
            .current_dir(node_dir),
    )?;
    #[derive(Deserialize)]
    struct Output {
        tool: String,
        programs: BTreeMap<String, Vec<Diagnostic>>,
    }
    let out: Output =
        serde_json::from_slice(&out.stdout).context("tsc-programs.mjs printed no JSON")?;
    Ok((out.tool, out.programs))
}

/// A fenced code block of `docs/schemas.md` and the `text` block that follows it,
/// if any (what it prints).
#[derive(Debug)]
struct Example {
    lang: String,
    code: String,
    output: Option<String>,
}

fn examples(doc: &str) -> Vec<Example> {
    let mut blocks: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in doc.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(lang)) => current = Some((lang.trim().to_owned(), String::new())),
            (Some(_), Some("")) => blocks.extend(current.take()),
            (Some((_, code)), _) => {
                code.push_str(line);
                code.push('\n');
            }
            (None, None) => {}
        }
    }
    let mut out: Vec<Example> = Vec::new();
    for (lang, code) in blocks {
        if lang == "text" {
            if let Some(last) = out.last_mut()
                && last.output.is_none()
            {
                last.output = Some(code);
            }
            continue;
        }
        out.push(Example {
            lang,
            code,
            output: None,
        });
    }
    out
}

/// Runs the emitted modules: the package's and the doc's TypeScript examples.
fn run_node(project: &Path, examples: &[Example], failures: &mut Vec<String>) -> Result<()> {
    let out_dir = project.join("out");
    let mut runs: Vec<(String, Option<String>)> = PACKAGE_OUTPUT
        .iter()
        .map(|(file, output)| ((*file).to_owned(), Some((*output).to_owned())))
        .collect();
    for (i, example) in examples.iter().enumerate() {
        if example.lang == "ts" {
            runs.push((format!("doc-example-{i}.js"), example.output.clone()));
        }
    }
    for (file, expected) in runs {
        let out = Command::new("node")
            .arg(out_dir.join(&file))
            .current_dir(project)
            .output()
            .with_context(|| format!("running node {file}"))?;
        check_run(&format!("node {file}"), &out, expected.as_deref(), failures);
    }
    Ok(())
}

/// Runs the doc's Python examples with the xtask's venv (Python's `jsonschema`) in a
/// folder holding `schemas/`.
fn run_python(
    root: &Path,
    work: &Path,
    examples: &[Example],
    failures: &mut Vec<String>,
) -> Result<()> {
    if !examples.iter().any(|e| e.lang == "python") {
        return Ok(());
    }
    let venv = tools::python_venv()?;
    let dir = work.join("python");
    fs::create_dir_all(dir.join("schemas"))?;
    for entry in fs::read_dir(root.join("schemas"))? {
        let path = entry?.path();
        if path.is_file() {
            fs::copy(
                &path,
                dir.join("schemas")
                    .join(path.file_name().unwrap_or_default()),
            )?;
        }
    }
    for (i, example) in examples
        .iter()
        .enumerate()
        .filter(|(_, e)| e.lang == "python")
    {
        let out = Command::new(venv.join("python"))
            .arg("-c")
            .arg(&example.code)
            .current_dir(&dir)
            .output()
            .context("running python")?;
        check_run(
            &format!("python example {i}"),
            &out,
            example.output.as_deref(),
            failures,
        );
    }
    Ok(())
}

fn check_run(
    what: &str,
    out: &std::process::Output,
    expected: Option<&str>,
    failures: &mut Vec<String>,
) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        failures.push(format!(
            "{what} failed ({}):\n{stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    } else if let Some(expected) = expected
        && stdout != expected
    {
        failures.push(format!(
            "{what} printed:\n{stdout}\ninstead of:\n{expected}"
        ));
    } else {
        println!(
            "  {what}: ran{}",
            if expected.is_some() {
                ", output as shown"
            } else {
                ""
            }
        );
    }
}
