//! Property tests: every generated canonical document matches its schema, serde
//! accepts it, the registry classifies its path as its kind, and the registry and the
//! path-safety predicates never panic on arbitrary paths.

use livechat_schema::{Entry, Kind, classify, names, schema, strategies};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_documents_match_schema_and_model((kind, path, value) in strategies::any_document()) {
        let validator = jsonschema::draft202012::new(&schema::schema_for(kind)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} {}", e.instance_path(), e.kind().keyword()))
            .collect();
        prop_assert!(errors.is_empty(), "{kind} {path}: {errors:?}\n{value}");
        prop_assert_eq!(schema::model_accepts(kind, &value), Ok(()));
        match classify(&path) {
            Entry::Document { kind: found, .. } => prop_assert_eq!(found, kind),
            other => prop_assert!(false, "{path} classified as {other:?}"),
        }
    }

    #[test]
    fn classify_never_panics(path in "[a-zA-Z0-9._@/%-]{0,80}") {
        let _ = classify(&path);
        for part in path.split('/') {
            let _ = names::safe_component(part);
            let _ = names::classify_room_local(part);
            let _ = names::is_normalized_host(part);
        }
    }

    #[test]
    fn safe_components_never_escape(s in "\\PC{0,40}") {
        if let Ok(c) = names::safe_component(&s) {
            prop_assert!(!c.contains('/') && !c.contains('\0') && c != "." && c != ".." && !c.contains(".."));
        }
    }
}

#[test]
fn every_data_dir_kind_has_a_strategy() {
    for &kind in Kind::DATA_DIR {
        let _ = strategies::document(kind);
    }
}
