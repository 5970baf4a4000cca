//! The fuzz target's properties (`common/roundtrip.rs`) on the store files a real
//! Prosody wrote (`fixtures/prosody/`), renamed from their own domain, and on every
//! input the `prosody_lua` fuzz target once failed on (`fixtures/fuzz/prosody_lua/`).

#[path = "common/roundtrip.rs"]
mod roundtrip;

use std::fs;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn the_real_prosody_store_files_keep_the_properties() {
    let pattern = root().join("fixtures/prosody/dir/prosody/data/**/*");
    let mut checked = 0;
    for path in glob::glob(pattern.to_str().unwrap()).unwrap() {
        let path = path.unwrap();
        let name = path.to_string_lossy().into_owned();
        let list = name.ends_with(".list");
        if !list && !name.ends_with(".dat") {
            continue;
        }
        // The fixture's instance is `old.example`, the host the properties rename.
        let mut input = vec![u8::from(list)];
        input.extend(fs::read(&path).unwrap());
        let seen = roundtrip::check(&input);
        assert!(seen.scanned, "{name} does not scan");
        assert_eq!(seen.identity, Some(true), "{name}: there and back differs");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} store files found");
}

#[test]
fn the_inputs_the_fuzzer_kept_keep_the_properties() {
    let dir = root().join("fixtures/fuzz/prosody_lua");
    let Ok(entries) = fs::read_dir(&dir) else {
        return; // The fuzzer has never failed on this target.
    };
    for entry in entries {
        let path = entry.unwrap().path();
        roundtrip::check(&fs::read(&path).unwrap());
    }
}
