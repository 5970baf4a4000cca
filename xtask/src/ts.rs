//! TypeScript declarations of the exported schemas, `schemas/ts/<kind id>.d.ts` and
//! `schemas/ts/index.d.ts`, written by `cargo xtask codegen` with the pinned
//! json-schema-to-typescript of `xtask/node` (`ts-codegen.mjs`).
//!
//! json-schema-to-typescript ignores `if`/`then`/`else` and inlines a copy of a
//! `$ref`'d definition whenever the reference carries its own `description`, which
//! would give loose types (`options: {[k: string]: unknown}`) and unstable names
//! (`XmppServer1`). So this module first rewrites each exported schema into an
//! equivalent input for it ([`ts_input`]): every reference becomes a `tsType` naming
//! the definition, every definition is named by its `$defs` key, the root by the kind
//! id in PascalCase, and the two conditional shapes the models use become unions:
//! a root `if {required: [K]} then A else B` becomes `A | (B & {K?: never})` (what
//! the schema accepts and no more, as far as types go), a definition's `allOf` of
//! `if {P: const V} then {Q: S}` becomes one variant per value of `P`, named
//! `<V in PascalCase><definition>` (`ModerateHandler`), which is exact. Any other
//! conditional is refused, so a schema change can never silently loosen a type.
//!
//! Rules a type cannot state (patterns, ranges, lengths, item counts, uniqueness,
//! `contains`, `propertyNames`) stay in the schemas only; `cargo xtask ts-check`
//! lists the invalid fixtures that type-check because of them.

use std::collections::BTreeMap;
use std::fs;
use std::process::Command;

use anyhow::{Context, Result, bail};
use livechat_schema::{Kind, schema};
use serde_json::{Map, Value, json};

use crate::tools;

/// The folder of the declarations, relative to the workspace root.
pub const DIR: &str = "schemas/ts";

/// The TypeScript name of a kind's root type: the kind id in PascalCase
/// (`server-infos-s2s` -> `ServerInfosS2s`).
pub fn type_name(kind: Kind) -> String {
    pascal(kind.id())
}

/// `bot-room`, `quotes_random`, `no-duplicate` -> `BotRoom`, `QuotesRandom`,
/// `NoDuplicate`.
fn pascal(id: &str) -> String {
    id.split(['-', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().collect::<String>() + chars.as_str()
            })
        })
        .collect()
}

/// Every declaration file, by its name in `schemas/ts/`, generated with node.
pub fn generated() -> Result<BTreeMap<String, String>> {
    const NEEDS: &str = "schemas/ts/ is generated with json-schema-to-typescript, which needs \
                         Node.js and npm (`cargo xtask codegen --no-ts` writes everything else)";
    if tools::which("node").is_none() {
        bail!("node is not on PATH: {NEEDS}");
    }
    let node_dir = tools::node_modules().context(NEEDS)?;
    let mut inputs = Vec::new();
    for &kind in Kind::ALL {
        inputs.push(json!({ "id": kind.id(), "schema": ts_input(kind)? }));
    }
    let work = tools::work_dir();
    fs::create_dir_all(&work)?;
    let manifest = work.join("ts-codegen-input.json");
    fs::write(&manifest, serde_json::to_vec(&inputs)?)?;
    let out = tools::output_ok(
        Command::new("node")
            .arg(node_dir.join("ts-codegen.mjs"))
            .arg(&manifest)
            .current_dir(&node_dir),
    )?;
    let doc: Value =
        serde_json::from_slice(&out.stdout).context("ts-codegen.mjs printed no JSON")?;
    let tool = doc["tool"].as_str().unwrap_or("json-schema-to-typescript");
    let mut files = BTreeMap::new();
    let mut declared: BTreeMap<String, (Kind, String)> = BTreeMap::new();
    let mut index = Vec::new();
    let mut texts = Vec::new();
    for &kind in Kind::ALL {
        let raw = doc["files"][kind.id()]
            .as_str()
            .with_context(|| format!("ts-codegen.mjs wrote nothing for {}", kind.id()))?;
        let Some(raw) = raw.split_once(&format!("export interface {WRAPPER} {{}}\n")) else {
            bail!(
                "ts-codegen.mjs: no `{WRAPPER}` in the output for {}",
                kind.id()
            );
        };
        let text = tidy(&format!("{}{}", raw.0, raw.1));
        let decls = declarations(&text);
        let root_name = type_name(kind);
        if !decls.contains_key(&root_name) {
            bail!(
                "{}.d.ts declares no `{root_name}` (it declares {:?})",
                kind.id(),
                decls.keys().collect::<Vec<_>>()
            );
        }
        // Each root is exported from its own kind's module, even when another kind
        // declares it too (`bot-moderation` holds `BotRoom`).
        declared.insert(root_name.clone(), (kind, decls[&root_name].clone()));
        texts.push((kind, text, decls));
    }
    for (kind, text, decls) in texts {
        let root_name = type_name(kind);
        let wanted = names(&ts_input(kind)?);
        let mut own = vec![root_name.clone()];
        for (name, decl) in &decls {
            if !wanted.contains(name) {
                bail!(
                    "{}.d.ts declares `{name}`, a name no schema gave (json-schema-to-typescript \
                     made it up: name the type in the model)",
                    kind.id()
                );
            }
            match declared.get(name) {
                Some((other, text)) if text != decl => bail!(
                    "`{name}` means two different things in {}.d.ts and {}.d.ts: \
                     give one of them another name in the models",
                    other.id(),
                    kind.id()
                ),
                Some(_) => {}
                None => {
                    declared.insert(name.clone(), (kind, decl.clone()));
                    own.push(name.clone());
                }
            }
        }
        // The root first, then the nested types in alphabetical order.
        own.sort_by_key(|n| (*n != root_name, n.clone()));
        index.push((kind, own));
        let banner = format!(
            "/* Generated by `cargo xtask codegen` from schemas/{} with {tool}.\n   \
             Edit the models in crates/livechat-schema, not this file. */\n\n",
            schema::file_name(kind)
        );
        files.insert(format!("{}.d.ts", kind.id()), banner + &text);
    }
    files.insert("index.d.ts".to_owned(), index_text(&index));
    Ok(files)
}

/// `index.d.ts`: every kind's root type and every nested type, each name once (a
/// nested type shared by two kinds is declared identically in both, which
/// [`generated`] checks).
fn index_text(index: &[(Kind, Vec<String>)]) -> String {
    let mut out = String::from(
        "/* Generated by `cargo xtask codegen`: the types of every file kind of the \
         peertube-plugin-livechat\n   data directory, one module per kind \
         (`<kind id>.d.ts`). Edit the models in crates/livechat-schema. */\n",
    );
    for (kind, names) in index {
        out.push_str(&format!(
            "\n/** `{}`: {} */\nexport type {{ {} }} from \"./{}.js\";\n",
            kind.id(),
            kind.summary(),
            names.join(", "),
            kind.id()
        ));
    }
    out
}

/// The title of the object that wraps a kind's types: json-schema-to-typescript
/// declares every `$defs` entry only below an interface root, and a kind's root may be
/// a union, so the root becomes a definition too and this empty wrapper is dropped
/// from the output.
const WRAPPER: &str = "LivechatDataTypes";

/// The input json-schema-to-typescript gets for a kind (see the module's doc): an
/// empty object whose `$defs` are the kind's root and its definitions, rewritten.
pub fn ts_input(kind: Kind) -> Result<Value> {
    let mut value = schema::schema_for(kind);
    let Some(root) = value.as_object_mut() else {
        bail!("the {} schema is not an object", kind.id());
    };
    root.retain(|k, _| !matches!(k.as_str(), "$schema" | "$id") && !k.starts_with("x-"));
    let root_name = type_name(kind);
    root.insert("title".into(), root_name.clone().into());
    let context = format!("the {} schema", kind.id());
    let mut defs = match root.remove("$defs") {
        Some(Value::Object(defs)) => defs,
        _ => Map::new(),
    };
    for (name, def) in defs.iter_mut() {
        rewrite(def, name, &format!("{context}, $defs/{name}"))?;
        if let Value::Object(obj) = def {
            obj.insert("title".into(), name.clone().into());
        }
    }
    rewrite(&mut value, &root_name, &context)?;
    let mut all = Map::new();
    all.insert(root_name.clone(), value);
    for (name, def) in defs {
        if all.insert(name.clone(), def).is_some() || name == WRAPPER {
            bail!("{context}: a definition is named `{name}`, like the root or the wrapper");
        }
    }
    Ok(json!({
        "title": WRAPPER,
        "type": "object",
        "additionalProperties": false,
        "properties": {},
        "$defs": all,
    }))
}

/// Rewrites one named schema (a definition or the root) in place.
fn rewrite(node: &mut Value, name: &str, context: &str) -> Result<()> {
    if let Value::Object(obj) = node {
        if obj.contains_key("if") {
            if_then_else(obj, context)?;
        }
        if obj.contains_key("allOf") {
            variants(obj, name, context)?;
        }
    }
    references(node, context)
}

/// `{"$ref": "#/$defs/K", ...}` -> `{"tsType": "K", ...}` everywhere below `node`,
/// refusing any conditional left.
fn references(node: &mut Value, context: &str) -> Result<()> {
    match node {
        Value::Object(obj) => {
            for keyword in [
                "if",
                "then",
                "else",
                "not",
                "dependentSchemas",
                "unevaluatedProperties",
            ] {
                if obj.contains_key(keyword) {
                    bail!(
                        "{context}: `{keyword}` here has no TypeScript translation in xtask/src/ts.rs"
                    );
                }
            }
            if let Some(reference) = obj.remove("$ref") {
                let target = reference
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/$defs/"))
                    .with_context(|| format!("{context}: unexpected $ref {reference}"))?;
                obj.insert("tsType".into(), target.into());
            }
            for value in obj.values_mut() {
                references(value, context)?;
            }
        }
        Value::Array(items) => {
            for item in items {
                references(item, context)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A root `if {required: [..]} then A else B` -> `anyOf: [A, B]`.
fn if_then_else(obj: &mut Map<String, Value>, context: &str) -> Result<()> {
    let condition = obj.remove("if").unwrap_or_default();
    let only_required = condition
        .as_object()
        .is_some_and(|c| c.keys().all(|k| k == "required"));
    let (Some(then), Some(otherwise)) = (obj.remove("then"), obj.remove("else")) else {
        bail!("{context}: an `if` without both `then` and `else`");
    };
    if !only_required || obj.contains_key("properties") || obj.contains_key("anyOf") {
        bail!("{context}: an `if` other than `if {{required}} then A else B` alone");
    }
    // In `else`, the keys of the condition are absent: saying so (`?: never`) makes the
    // union discriminated, so a literal of the `then` shape cannot pass as the `else`
    // shape by carrying that shape's keys too.
    let absent: Map<String, Value> = condition["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|key| (key.to_owned(), json!({ "tsType": "never" })))
        .collect();
    let otherwise = json!({ "allOf": [otherwise, { "type": "object", "properties": absent }] });
    obj.insert("anyOf".into(), json!([then, otherwise]));
    Ok(())
}

/// An object whose `allOf` is a list of `if {properties: {P: {const: V}}, required:
/// [P]} then {properties: {Q: S}}`, P having an `enum` of exactly those values,
/// becomes an `anyOf` of one object per value, named `<V><name>`.
fn variants(obj: &mut Map<String, Value>, name: &str, context: &str) -> Result<()> {
    let all_of = obj.remove("allOf").unwrap_or_default();
    let branches = all_of.as_array().cloned().unwrap_or_default();
    let mut base = Map::new();
    for key in ["type", "additionalProperties", "properties", "required"] {
        if let Some(value) = obj.remove(key) {
            base.insert(key.to_owned(), value);
        }
    }
    let mut alternatives = Vec::new();
    let mut discriminant: Option<String> = None;
    let mut covered = Vec::new();
    for branch in &branches {
        let (Some(condition), Some(then)) = (branch.get("if"), branch.get("then")) else {
            bail!("{context}: an `allOf` item other than `if`/`then`");
        };
        let props = condition["properties"].as_object().filter(|p| p.len() == 1);
        let Some((property, constraint)) = props.and_then(|p| p.iter().next()) else {
            bail!("{context}: an `if` other than one property's `const`");
        };
        let Some(value) = constraint.get("const").and_then(Value::as_str) else {
            bail!("{context}: an `if` other than one property's `const`");
        };
        if condition["required"] != json!([property]) || branch.as_object().map(Map::len) != Some(2)
        {
            bail!("{context}: the `if` on `{property}` must require it, with only a `then`");
        }
        if discriminant.get_or_insert_with(|| property.clone()) != property {
            bail!("{context}: `if`s on two different properties");
        }
        let mut variant = base.clone();
        variant.insert("title".into(), format!("{}{name}", pascal(value)).into());
        let Some(Value::Object(properties)) = variant.get_mut("properties") else {
            bail!("{context}: an `allOf` of `if`s on an object without properties");
        };
        let description = properties
            .get(property)
            .and_then(|p| p.get("description"))
            .cloned();
        let mut tag = json!({ "const": value });
        if let Some(description) = description {
            tag["description"] = description;
        }
        properties.insert(property.clone(), tag);
        let then_props = then
            .as_object()
            .filter(|t| t.len() == 1)
            .and_then(|t| t.get("properties"))
            .and_then(Value::as_object)
            .with_context(|| format!("{context}: a `then` other than `properties`"))?;
        for (key, schema) in then_props {
            let mut schema = schema.clone();
            if let (Some(Value::Object(s)), Some(d)) = (
                Some(&mut schema),
                properties.get(key).and_then(|p| p.get("description")),
            ) {
                s.entry("description").or_insert_with(|| d.clone());
            }
            properties.insert(key.clone(), schema);
        }
        covered.push(value.to_owned());
        alternatives.push(Value::Object(variant));
    }
    let property = discriminant.with_context(|| format!("{context}: an empty `allOf`"))?;
    let values: Vec<String> = base["properties"][&property]["enum"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut sorted_values = values.clone();
    sorted_values.sort();
    covered.sort();
    if sorted_values != covered {
        bail!("{context}: the `if`s do not cover exactly the `enum` of `{property}`");
    }
    if let Some(kind) = base.get("type") {
        obj.insert("type".into(), kind.clone());
    }
    obj.insert("anyOf".into(), Value::Array(alternatives));
    Ok(())
}

/// Every `title` in a TypeScript input: the names its declarations must have.
fn names(input: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(node: &Value, out: &mut Vec<String>) {
        match node {
            Value::Object(obj) => {
                if let Some(Value::String(title)) = obj.get("title")
                    && title != WRAPPER
                {
                    out.push(title.clone());
                }
                obj.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(input, &mut out);
    out
}

/// Drops json-schema-to-typescript's "This interface was referenced by `X`'s
/// JSON-Schema via the `definition` "K"." paragraphs (they name the kind, so two
/// kinds' identical types would differ) and the comments left empty.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line
            .trim_start()
            .starts_with("* This interface was referenced by `")
            && lines
                .get(i + 1)
                .is_some_and(|l| l.trim_start().starts_with("* via the `definition`"))
        {
            // Also drop the blank ` *` line before it, if any.
            if out.ends_with(" *\n") {
                out.truncate(out.len() - " *\n".len());
            }
            i += 2;
            continue;
        }
        out.push_str(line);
        out.push('\n');
        i += 1;
    }
    // A comment left with nothing in it.
    out.replace("/**\n */\n", "")
}

/// The top-level declarations of a generated file: name -> its text with its doc
/// comment.
fn declarations(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current = String::new();
    let mut name: Option<String> = None;
    for line in text.lines() {
        let starts_decl = line.starts_with("export ");
        let starts_comment = line.starts_with("/**");
        if (starts_comment || (starts_decl && !current.trim_end().ends_with("*/")))
            && let Some(n) = name.take()
        {
            out.insert(n, std::mem::take(&mut current));
        }
        if starts_decl {
            let rest = line
                .trim_start_matches("export ")
                .trim_start_matches("interface ")
                .trim_start_matches("type ");
            let n: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            name = Some(n);
        }
        current.push_str(line);
        current.push('\n');
    }
    if let Some(n) = name {
        out.insert(n, current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_names_are_the_kind_ids_in_pascal_case() {
        assert_eq!(type_name(Kind::BotRoom), "BotRoom");
        assert_eq!(
            type_name(Kind::ChannelConfigurationOptions),
            "ChannelConfigurationOptions"
        );
        assert_eq!(type_name(Kind::ServerInfosWsS2s), "ServerInfosWsS2s");
        assert_eq!(pascal("quotes_random"), "QuotesRandom");
    }

    /// Every kind's schema has a translation: no conditional is left, and every
    /// reference names a definition.
    #[test]
    fn every_schema_translates() {
        for &kind in Kind::ALL {
            let input = ts_input(kind).unwrap_or_else(|e| panic!("{e:#}"));
            let text = input.to_string();
            assert!(!text.contains("\"$ref\""), "{}", kind.id());
            let defs = input.get("$defs").and_then(Value::as_object);
            for name in names(&input) {
                assert!(!name.is_empty());
            }
            let mut refs = Vec::new();
            collect_ts_types(&input, &mut refs);
            for r in refs.into_iter().filter(|r| r != "never") {
                assert!(
                    defs.is_some_and(|d| d.contains_key(&r)),
                    "{}: tsType {r} names no definition",
                    kind.id()
                );
            }
        }
    }

    fn collect_ts_types(node: &Value, out: &mut Vec<String>) {
        match node {
            Value::Object(obj) => {
                if let Some(Value::String(t)) = obj.get("tsType") {
                    out.push(t.clone());
                }
                obj.values().for_each(|v| collect_ts_types(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| collect_ts_types(v, out)),
            _ => {}
        }
    }

    /// The handler's `allOf` of `if`s becomes one exact variant per type.
    #[test]
    fn handler_variants_are_discriminated() {
        let input = ts_input(Kind::BotRoom).unwrap();
        assert_eq!(input["$defs"]["BotRoom"]["title"], "BotRoom");
        let handler = &input["$defs"]["Handler"];
        let variants = handler["anyOf"].as_array().unwrap();
        assert_eq!(variants.len(), 7);
        assert_eq!(variants[0]["title"], "ModerateHandler");
        assert_eq!(variants[0]["properties"]["type"]["const"], "moderate");
        assert_eq!(
            variants[0]["properties"]["options"]["tsType"],
            "ModerateOptions"
        );
        assert_eq!(variants[0]["additionalProperties"], false);
        assert_eq!(variants[3]["title"], "QuotesRandomHandler");
    }

    #[test]
    fn tidy_drops_the_referenced_by_paragraphs() {
        let raw = "/**\n * A thing.\n *\n * This interface was referenced by `A`'s JSON-Schema\n * via the `definition` \"B\".\n */\nexport interface B {}\n/**\n * This interface was referenced by `A`'s JSON-Schema\n * via the `definition` \"C\".\n */\nexport type C = string;\n";
        assert_eq!(
            tidy(raw),
            "/**\n * A thing.\n */\nexport interface B {}\nexport type C = string;\n"
        );
    }
}
