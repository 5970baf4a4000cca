//! Fuzzes the path classifier and the path-safety predicates: any string, never a
//! panic, and a component `safe_component` accepts can never leave its folder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use livechat_schema::{classify, names, registry};

fuzz_target!(|data: &[u8]| {
    let Ok(path) = std::str::from_utf8(data) else {
        return;
    };
    let _ = classify(path);
    let _ = registry::is_prosody_dir(path);
    for part in path.split('/') {
        if let Ok(safe) = names::safe_component(part) {
            assert!(!safe.contains('/') && !safe.contains('\0') && !safe.contains(".."));
            assert!(safe != "." && !safe.is_empty());
        }
        let _ = names::classify_room_local(part);
        let _ = names::is_normalized_host(part);
        let _ = names::parse_channel_id(part);
    }
});
