//! JSON Schema generation: one draft 2020-12 schema per [`Kind`], with `$id` and
//! `title`, built from the models.
//!
//! The settings are explicit so that every build (tests, xtask, the CLI) produces
//! the same bytes: draft 2020-12, definitions under `$defs`, optional keys not
//! nullable (the plugin leaves keys out, see [`strip_optional_nulls`]), properties in
//! declaration order (the workspace enables schemars' `preserve_order`).

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use crate::Kind;
use crate::models::{
    BotModeration, BotRoom, ChannelConfigurationOptions, EmojisDefinition, Inventory, RoomChannel,
    ServerInfosLastUpdate, ServerInfosS2s, ServerInfosWsS2s, Tokens, ValidationReport,
    VideoInfosLocal, VideoInfosRemote,
};

/// The base of every schema's `$id`.
pub const ID_BASE: &str = "https://livechat-data.github.io/schemas/";

/// The meta-schema every exported schema declares.
pub const META_SCHEMA: &str = "https://json-schema.org/draft/2020-12/schema";

/// The file name of a kind's exported schema.
pub fn file_name(kind: Kind) -> String {
    format!("{}.schema.json", kind.id())
}

/// The schema of a kind, as exported.
pub fn schema_for(kind: Kind) -> Value {
    let schema = match kind {
        Kind::ServerInfosLastUpdate => generate::<ServerInfosLastUpdate>(),
        Kind::ServerInfosS2s => generate::<ServerInfosS2s>(),
        Kind::ServerInfosWsS2s => generate::<ServerInfosWsS2s>(),
        Kind::VideoInfosRemote => generate::<VideoInfosRemote>(),
        Kind::VideoInfosLocal => generate::<VideoInfosLocal>(),
        Kind::ChannelConfigurationOptions => generate::<ChannelConfigurationOptions>(),
        Kind::RoomChannel => generate::<RoomChannel>(),
        Kind::BotModeration => generate::<BotModeration>(),
        Kind::BotRoom => generate::<BotRoom>(),
        Kind::EmojisDefinition => generate::<EmojisDefinition>(),
        Kind::Tokens => generate::<Tokens>(),
        Kind::Inventory => generate::<Inventory>(),
        Kind::ValidationReport => generate::<ValidationReport>(),
    };
    finish(kind, schema)
}

/// The exported file's text: pretty JSON with a trailing newline.
pub fn schema_text(kind: Kind) -> String {
    let mut text = serde_json::to_string_pretty(&schema_for(kind))
        .unwrap_or_else(|err| unreachable!("a schema always serialises: {err}"));
    text.push('\n');
    text
}

/// Whether `value` deserialises into the kind's model (serde's verdict, which must
/// equal the schema's).
pub fn model_accepts(kind: Kind, value: &Value) -> Result<(), String> {
    fn check<T: serde::de::DeserializeOwned>(value: &Value) -> Result<(), String> {
        T::deserialize(value).map(|_| ()).map_err(|e| e.to_string())
    }
    match kind {
        Kind::ServerInfosLastUpdate => check::<ServerInfosLastUpdate>(value),
        Kind::ServerInfosS2s => check::<ServerInfosS2s>(value),
        Kind::ServerInfosWsS2s => check::<ServerInfosWsS2s>(value),
        Kind::VideoInfosRemote => check::<VideoInfosRemote>(value),
        Kind::VideoInfosLocal => check::<VideoInfosLocal>(value),
        Kind::ChannelConfigurationOptions => check::<ChannelConfigurationOptions>(value),
        Kind::RoomChannel => check::<RoomChannel>(value),
        Kind::BotModeration => check::<BotModeration>(value),
        Kind::BotRoom => check::<BotRoom>(value),
        Kind::EmojisDefinition => check::<EmojisDefinition>(value),
        Kind::Tokens => check::<Tokens>(value),
        Kind::Inventory => check::<Inventory>(value),
        Kind::ValidationReport => check::<ValidationReport>(value),
    }
}

fn generate<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// Doc comments are wrapped at 90 columns; a description is one paragraph of prose,
/// so join the wrapped lines (keeping blank-line paragraph breaks).
fn unwrap_descriptions(value: &mut Value) {
    match value {
        Value::Object(obj) => {
            for (k, v) in obj.iter_mut() {
                match v {
                    Value::String(s) if k == "description" => {
                        *s = s
                            .split("\n\n")
                            .map(|para| {
                                para.split('\n')
                                    .map(str::trim)
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            })
                            .collect::<Vec<_>>()
                            .join("\n\n");
                    }
                    _ => unwrap_descriptions(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

/// schemars makes every `Option<T>` nullable. The models' optional keys reject
/// `null` (the plugin leaves the key out), so drop `null` from every property that
/// is not required. Required nullable properties (the report's `line`) keep it.
fn strip_optional_nulls(value: &mut Value) {
    match value {
        Value::Object(obj) => {
            let required: Vec<String> = obj
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(Value::Object(props)) = obj.get_mut("properties") {
                for (name, prop) in props.iter_mut() {
                    if !required.contains(name) {
                        drop_null(prop);
                    }
                }
            }
            obj.values_mut().for_each(strip_optional_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_optional_nulls),
        _ => {}
    }
}

fn drop_null(prop: &mut Value) {
    let Some(obj) = prop.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = obj.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let single = types[0].clone();
            obj.insert("type".into(), single);
        }
    }
    // `Option<T>` of a `const` (`True`) comes out as `"enum": [<const>, null]`.
    if let Some(Value::Array(values)) = obj.get_mut("enum")
        && values.contains(&Value::Null)
    {
        values.retain(|v| !v.is_null());
        if values.len() == 1 {
            let single = values.remove(0);
            obj.remove("enum");
            obj.insert("const".into(), single);
        }
    }
    let any_of = obj.get_mut("anyOf").and_then(Value::as_array_mut);
    if let Some(any_of) = any_of {
        any_of.retain(|s| s.get("type").and_then(Value::as_str) != Some("null"));
        if any_of.len() == 1 {
            let single = any_of.remove(0);
            obj.remove("anyOf");
            if let Value::Object(inner) = single {
                for (k, v) in inner {
                    obj.entry(k).or_insert(v);
                }
            }
        }
    }
}

fn finish(kind: Kind, schema: Schema) -> Value {
    let mut value = schema.to_value();
    strip_optional_nulls(&mut value);
    unwrap_descriptions(&mut value);
    let Some(obj) = value.as_object_mut() else {
        return value;
    };
    // Rebuild the root so that `$schema`, `$id` and `title` come first.
    let mut root = serde_json::Map::new();
    root.insert("$schema".into(), META_SCHEMA.into());
    root.insert("$id".into(), format!("{ID_BASE}{}", file_name(kind)).into());
    root.insert("title".into(), kind.id().into());
    if let Some(pattern) = kind.path_pattern() {
        root.insert("x-livechat-path".into(), pattern.into());
    }
    for (k, v) in std::mem::take(obj) {
        if k != "$schema" && k != "title" {
            root.insert(k, v);
        }
    }
    Value::Object(root)
}
