//! Fuzzes the per-file validator through its real entry point: the input's first
//! byte picks a kind (its `example_path`), the rest becomes that file in a fresh data dir, and
//! `validate_dir` must neither panic nor stay silent about a file it cannot read as
//! its kind: every diagnostic names a file of the dir.
#![no_main]

use libfuzzer_sys::fuzz_target;
use livechat_validate::{Instance, ValidateOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let kinds = livechat_schema::Kind::DATA_DIR;
    let kind = kinds[usize::from(pick) % kinds.len()];
    let Some(rel) = kind.example_path() else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("the folders");
    std::fs::write(&path, content).expect("the file");
    let options = ValidateOptions {
        instance: Some(Instance {
            host: "peertube.example.com".to_owned(),
            scheme: "https".to_owned(),
            port: None,
        }),
        ..ValidateOptions::default()
    };
    let report = livechat_validate::engine::validate_dir(dir.path(), &options)
        .expect("the data dir is readable");
    for d in &report.diagnostics {
        assert!(!d.path.is_empty() && !d.path.starts_with('/'), "{d:?}");
    }
});
