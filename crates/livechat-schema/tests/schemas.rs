//! The schemas are right, not only unchanged: each validates against the 2020-12
//! meta-schema, serde accepts a fixture exactly when the schema does, every
//! fixture's verdict is snapshotted, and the committed `schemas/` match the models.

use std::path::{Path, PathBuf};

use livechat_schema::{Kind, schema};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn validator(kind: Kind) -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema::schema_for(kind)).expect("the schema compiles")
}

/// The kind of a single-file fixture: the folder two levels up.
fn fixture_kind(path: &Path) -> Kind {
    let id = path
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .expect("fixtures/files/<kind>/<valid|invalid>/<file>");
    Kind::from_id(id).unwrap_or_else(|| panic!("unknown kind folder {id}"))
}

/// The schema's verdict on a file: `None` when it is not JSON text at all.
fn schema_errors(kind: Kind, bytes: &[u8]) -> Option<Vec<String>> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let mut errors: Vec<String> = validator(kind)
        .iter_errors(&value)
        .map(|e| format!("{} ({})", e.instance_path(), e.kind().keyword()))
        .collect();
    errors.sort();
    errors.dedup();
    Some(errors)
}

#[test]
fn every_schema_validates_against_the_2020_12_meta_schema() {
    for &kind in Kind::ALL {
        let schema = schema::schema_for(kind);
        assert!(
            jsonschema::meta::is_valid(&schema),
            "{kind}: {:?}",
            jsonschema::meta::validate(&schema).err()
        );
        assert_eq!(schema["$schema"], schema::META_SCHEMA);
        assert_eq!(schema["title"], kind.id());
        assert!(
            schema["$id"]
                .as_str()
                .is_some_and(|id| id.ends_with(&schema::file_name(kind)))
        );
    }
}

#[test]
fn committed_schemas_match_the_models() {
    for &kind in Kind::ALL {
        let path = root().join("schemas").join(schema::file_name(kind));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == schema::schema_text(kind),
            "{} is out of date: run `cargo xtask codegen` and commit the result",
            path.display()
        );
    }
}

#[test]
fn schema_snapshots() {
    for &kind in Kind::ALL {
        insta::assert_snapshot!(kind.id(), schema::schema_text(kind));
    }
}

#[test]
fn serde_accepts_exactly_what_the_schema_accepts() {
    let mut checked = 0;
    let pattern = root().join("fixtures/files/*/*/*.json");
    for path in glob::glob(pattern.to_str().unwrap()).unwrap() {
        let path = path.unwrap();
        let kind = fixture_kind(&path);
        let bytes = std::fs::read(&path).unwrap();
        let by_schema = schema_errors(kind, &bytes).is_some_and(|e| e.is_empty());
        let by_serde = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .is_some_and(|v| schema::model_accepts(kind, &v).is_ok());
        assert_eq!(
            by_schema,
            by_serde,
            "{}: schema and serde disagree",
            path.display()
        );
        checked += 1;
    }
    assert!(checked > 100, "only {checked} fixture files found");
}

#[test]
fn sample_documents_match_their_schemas() {
    let sample = root().join("fixtures/sample");
    let mut checked = 0;
    for path in glob::glob(sample.join("**/*").to_str().unwrap()).unwrap() {
        let path = path.unwrap();
        if !path.is_file() {
            continue;
        }
        let rel = path
            .strip_prefix(&sample)
            .unwrap()
            .to_str()
            .unwrap()
            .replace('\\', "/");
        if let livechat_schema::Entry::Document { kind, .. } = livechat_schema::classify(&rel) {
            let bytes = std::fs::read(&path).unwrap();
            let errors = schema_errors(kind, &bytes);
            // The sample holds legacy shapes too; all are shapes the schema describes.
            assert_eq!(errors, Some(vec![]), "{rel}");
            let value: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(schema::model_accepts(kind, &value), Ok(()), "{rel}");
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} sample documents found");
}

#[test]
fn fixture_verdicts() {
    let mut wrong = Vec::new();
    insta::glob!("../../../fixtures/files", "*/*/*.json", |path| {
        let kind = fixture_kind(path);
        let bytes = std::fs::read(path).unwrap();
        let expected_valid = path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == "valid");
        let verdict = match schema_errors(kind, &bytes) {
            None => "not JSON".to_owned(),
            Some(errors) if errors.is_empty() => "valid".to_owned(),
            Some(errors) => format!("invalid\n{}", errors.join("\n")),
        };
        // An `invalid/` fixture may be wrong only in ways JSON Schema cannot say (a
        // regular expression that does not compile, a length in UTF-16 units): the
        // validator's semantic rules catch those. A `valid/` one must match.
        if expected_valid && verdict != "valid" {
            wrong.push(format!("{}: the schema says {verdict}", path.display()));
        }
        insta::assert_snapshot!(format!("kind: {kind}\nverdict: {verdict}"));
    });
    assert!(
        wrong.is_empty(),
        "fixtures in the wrong folder for the schema:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn secret_annotations_match_the_secret_table() {
    fn walk(value: &Value, found: &mut usize) {
        match value {
            Value::Object(obj) => {
                if obj.get("x-livechat-secret") == Some(&Value::Bool(true)) {
                    assert_eq!(obj.get("writeOnly"), Some(&Value::Bool(true)));
                    *found += 1;
                }
                obj.values().for_each(|v| walk(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    for &kind in Kind::ALL {
        let mut found = 0;
        walk(&schema::schema_for(kind), &mut found);
        assert_eq!(
            found,
            livechat_schema::secret::secret_pointers(kind).len(),
            "{kind}: schema annotations and secret::secret_pointers disagree"
        );
    }
}
