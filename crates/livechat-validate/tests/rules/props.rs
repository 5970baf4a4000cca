//! Property tests: canonical documents of every kind, generated from the models'
//! strategies, validate with no diagnostic at all; arbitrary bytes at any kind's path,
//! and arbitrary paths, never panic the validator and each yields a diagnostic naming
//! the file.

use livechat_schema::{Entry, Kind, classify, strategies};
use livechat_validate::engine::validate_dir;
use proptest::prelude::*;

use crate::support::{options, verdict};

/// One data-dir path per kind, for the byte-level properties.
fn paths() -> Vec<&'static str> {
    Kind::DATA_DIR
        .iter()
        .filter_map(|k| k.example_path())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn canonical_documents_have_no_finding((kind, path, value) in strategies::any_document()) {
        let Entry::Document { params, .. } = classify(&path) else {
            panic!("{path} is not a document path");
        };
        let v = verdict(kind, &params, &path, &value, &options());
        prop_assert!(
            v.check.findings.is_empty() && v.uncovered.is_empty(),
            "{kind} {path}: {:?} {:?}\n{value}",
            v.check.findings,
            v.uncovered
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_are_reported(
        which in 0..Kind::DATA_DIR.len(),
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let rel = paths()[which];
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let report = validate_dir(dir.path(), &options()).unwrap();
        // Random bytes are never a document the plugin writes: something is said of
        // the file, under its own path.
        prop_assert!(report.diagnostics.iter().any(|d| d.path == rel), "{rel}: {bytes:?}");
    }

    #[test]
    fn arbitrary_paths_never_panic_and_are_reported(rel in "[a-zA-Z0-9._@%-]{1,12}(/[a-zA-Z0-9._@%-]{1,12}){0,4}") {
        prop_assume!(!rel.split('/').any(|p| p == "." || p == ".."));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"{}").unwrap();
        let report = validate_dir(dir.path(), &options()).unwrap();
        let reported = report.diagnostics.iter().any(|d| d.path == rel);
        match classify(&rel) {
            // `{}` is no valid document of any kind, and an unknown path is reported.
            Entry::Document { .. } | Entry::Unknown => prop_assert!(reported, "{rel}"),
            // Marker files, switches, emoji images and Prosody's files may be silent.
            _ => {}
        }
    }
}

#[test]
fn every_kind_has_a_path() {
    assert_eq!(paths().len(), Kind::DATA_DIR.len());
}
