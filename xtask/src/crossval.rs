//! `cargo xtask crossval`: proves the exported schemas (`schemas/*.schema.json`) in
//! other languages. Every fixture file (`fixtures/files/<kind>/{valid,invalid}/*`,
//! every JSON document of `fixtures/sample/`, `fixtures/sample-inventory.json`) gets
//! four verdicts: the `jsonschema` crate against `schema::schema_for(kind)`, serde
//! (`schema::model_accepts`), Python's `jsonschema` (Draft202012Validator with format
//! checking) and ajv (Ajv2020, strict, `ajv-formats`). The task fails, listing every
//! file, when any two verdicts differ. A file that is not JSON is "invalid" for all.
//!
//! It reads the fixtures and writes only under `target/xtask/`; it never changes a
//! verdict to make the implementations agree: a disagreement is a finding.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use livechat_schema::registry::{self, Entry};
use livechat_schema::{Kind, schema};
use serde_json::{Value, json};

use crate::codegen::root;
use crate::tools;

/// One fixture file and what the folder it sits in says about it.
#[derive(Debug)]
pub struct Case {
    pub path: PathBuf,
    pub kind: Kind,
    /// `valid/` (or the sample) says the plugin accepts it, `invalid/` that it does not.
    pub expected_valid: bool,
}

/// One implementation's verdict on one file.
#[derive(Debug, Clone)]
struct Verdict {
    valid: bool,
    error: Option<String>,
}

pub fn run() -> Result<()> {
    let root = root();
    let cases = collect(&root)?;
    if cases.is_empty() {
        bail!(
            "no fixture files found under {}",
            root.join("fixtures").display()
        );
    }

    // Our verdicts first: they need no installation.
    let mut rust = Vec::with_capacity(cases.len());
    let mut serde = Vec::with_capacity(cases.len());
    let mut validators = BTreeMap::new();
    for case in &cases {
        let (r, s) = ours(case, &mut validators)?;
        rust.push(r);
        serde.push(s);
    }

    let work = tools::work_dir();
    fs::create_dir_all(&work)?;
    let manifest = work.join("crossval-manifest.json");
    let entries: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "path": c.path.display().to_string(),
                "schema": root.join("schemas").join(schema::file_name(c.kind)).display().to_string(),
            })
        })
        .collect();
    fs::write(&manifest, serde_json::to_vec(&entries)?)?;

    let venv = tools::python_venv()?;
    let (python_tool, python) = foreign(
        Command::new(venv.join("python"))
            .arg(root.join("xtask/python/crossval.py"))
            .arg(&manifest),
        &cases,
    )?;
    let node_dir = tools::node_modules()?;
    let (node_tool, node) = foreign(
        Command::new("node")
            .arg(node_dir.join("crossval.mjs"))
            .arg(&manifest)
            .current_dir(&node_dir),
        &cases,
    )?;

    let names = [
        "jsonschema crate".to_owned(),
        "serde".to_owned(),
        format!("Python {python_tool}"),
        node_tool,
    ];
    let columns = [&rust, &serde, &python, &node];
    report(&root, &cases, &names, &columns)
}

/// Every fixture file, in a stable order (`ts-check` uses the same list).
pub fn collect(root: &Path) -> Result<Vec<Case>> {
    let mut cases = Vec::new();
    let files = root.join("fixtures/files");
    for kind_dir in sorted_dir(&files)? {
        if !kind_dir.is_dir() {
            continue;
        }
        let id = file_name(&kind_dir);
        let kind = Kind::ALL
            .iter()
            .copied()
            .find(|k| k.id() == id)
            .with_context(|| format!("{}: no kind has this id", kind_dir.display()))?;
        for (folder, expected_valid) in [("valid", true), ("invalid", false)] {
            let dir = kind_dir.join(folder);
            if !dir.is_dir() {
                continue;
            }
            for path in sorted_dir(&dir)? {
                if path.is_file() {
                    cases.push(Case {
                        path,
                        kind,
                        expected_valid,
                    });
                }
            }
        }
    }

    let sample = root.join("fixtures/sample");
    let mut stack = vec![sample.clone()];
    let mut sample_files = Vec::new();
    while let Some(dir) = stack.pop() {
        for path in sorted_dir(&dir)? {
            let rel = rel_slash(&sample, &path);
            if path.is_dir() {
                if !registry::is_prosody_dir(&rel) {
                    stack.push(path);
                }
            } else if let Entry::Document { kind, .. } = registry::classify(&rel) {
                sample_files.push(Case {
                    path,
                    kind,
                    expected_valid: true,
                });
            }
        }
    }
    sample_files.sort_by(|a, b| a.path.cmp(&b.path));
    cases.extend(sample_files);

    let inventory = root.join("fixtures/sample-inventory.json");
    if inventory.is_file() {
        cases.push(Case {
            path: inventory,
            kind: Kind::Inventory,
            expected_valid: true,
        });
    }
    Ok(cases)
}

/// The jsonschema crate's and serde's verdicts.
fn ours(
    case: &Case,
    validators: &mut BTreeMap<Kind, jsonschema::Validator>,
) -> Result<(Verdict, Verdict)> {
    let bytes = fs::read(&case.path).with_context(|| format!("reading {}", case.path.display()))?;
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(err) => {
            let verdict = Verdict {
                valid: false,
                error: Some(format!("unparsable: {err}")),
            };
            return Ok((verdict.clone(), verdict));
        }
    };
    let validator = match validators.entry(case.kind) {
        std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::btree_map::Entry::Vacant(e) => e.insert(
            jsonschema::draft202012::options()
                .should_validate_formats(true)
                .build(&schema::schema_for(case.kind))
                .map_err(|err| {
                    anyhow::anyhow!("the {} schema does not compile: {err}", case.kind.id())
                })?,
        ),
    };
    let rust = match validator.iter_errors(&value).next() {
        None => Verdict {
            valid: true,
            error: None,
        },
        Some(err) => Verdict {
            valid: false,
            error: Some(format!(
                "{}: {err}",
                pointer(&err.instance_path().to_string())
            )),
        },
    };
    let serde = match schema::model_accepts(case.kind, &value) {
        Ok(()) => Verdict {
            valid: true,
            error: None,
        },
        Err(err) => Verdict {
            valid: false,
            error: Some(err),
        },
    };
    Ok((rust, serde))
}

fn pointer(p: &str) -> &str {
    if p.is_empty() { "/" } else { p }
}

/// Runs a foreign implementation's script and reads its verdicts.
fn foreign(cmd: &mut Command, cases: &[Case]) -> Result<(String, Vec<Verdict>)> {
    let out = tools::output_ok(cmd)?;
    let doc: Value =
        serde_json::from_slice(&out.stdout).with_context(|| format!("{cmd:?} printed no JSON"))?;
    let tool = doc["tool"].as_str().unwrap_or("?").to_owned();
    let verdicts = &doc["verdicts"];
    let mut out = Vec::with_capacity(cases.len());
    for case in cases {
        let v = &verdicts[case.path.display().to_string()];
        let valid = v["valid"]
            .as_bool()
            .with_context(|| format!("{tool} gave no verdict for {}", case.path.display()))?;
        out.push(Verdict {
            valid,
            error: v["error"].as_str().map(str::to_owned),
        });
    }
    Ok((tool, out))
}

fn report(
    root: &Path,
    cases: &[Case],
    names: &[String; 4],
    columns: &[&Vec<Verdict>; 4],
) -> Result<()> {
    #[derive(Default)]
    struct Row {
        files: usize,
        valid: usize,
        invalid: usize,
        unparsable: usize,
        semantic_only: usize,
        rejected_valid: usize,
        disagreements: usize,
    }
    let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
    let mut disagreements = String::new();
    let mut notes = String::new();
    for (i, case) in cases.iter().enumerate() {
        let rel = rel_slash(root, &case.path);
        let verdicts: Vec<&Verdict> = columns.iter().map(|c| &c[i]).collect();
        let row = rows.entry(case.kind.id()).or_default();
        row.files += 1;
        let agree = verdicts.iter().all(|v| v.valid == verdicts[0].valid);
        if !agree {
            row.disagreements += 1;
            let _ = writeln!(disagreements, "  {rel} (kind {}):", case.kind.id());
            for (name, v) in names.iter().zip(&verdicts) {
                let _ = writeln!(
                    disagreements,
                    "    {name:<24} {:<8} {}",
                    if v.valid { "valid" } else { "invalid" },
                    v.error.as_deref().unwrap_or("")
                );
            }
            continue;
        }
        let unparsable = verdicts[0]
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("unparsable"));
        if verdicts[0].valid {
            row.valid += 1;
            if !case.expected_valid {
                row.semantic_only += 1;
            }
        } else {
            if unparsable {
                row.unparsable += 1;
            } else {
                row.invalid += 1;
            }
            if case.expected_valid {
                row.rejected_valid += 1;
                let _ = writeln!(
                    notes,
                    "  {rel}: the plugin reads it, but all reject it: {}",
                    verdicts[0].error.as_deref().unwrap_or("")
                );
            }
        }
    }

    println!(
        "crossval: {} files, 4 verdicts each: {}",
        cases.len(),
        names.join(", ")
    );
    println!();
    println!(
        "| kind | files | valid | invalid | unparsable | invalid/ left to semantic checks | disagreements |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut total = Row::default();
    for (kind, row) in &rows {
        println!(
            "| {kind} | {} | {} | {} | {} | {} | {} |",
            row.files, row.valid, row.invalid, row.unparsable, row.semantic_only, row.disagreements
        );
        total.files += row.files;
        total.valid += row.valid;
        total.invalid += row.invalid;
        total.unparsable += row.unparsable;
        total.semantic_only += row.semantic_only;
        total.rejected_valid += row.rejected_valid;
        total.disagreements += row.disagreements;
    }
    println!(
        "| **total** | {} | {} | {} | {} | {} | {} |",
        total.files,
        total.valid,
        total.invalid,
        total.unparsable,
        total.semantic_only,
        total.disagreements
    );
    println!();
    if !notes.is_empty() {
        println!("note: fixtures the plugin accepts but every implementation rejects:\n{notes}");
    }
    if total.disagreements > 0 {
        bail!(
            "{} file(s) where the verdicts differ:\n{disagreements}",
            total.disagreements
        );
    }
    println!("crossval: all verdicts agree");
    Ok(())
}

pub fn sorted_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    paths.sort();
    Ok(paths)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `path` relative to `base`, with `/` separators.
pub fn rel_slash(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
