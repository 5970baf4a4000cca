//! Fuzzes the reader and the JID rewriter of Prosody's Lua-serialised files
//! (`livechat-prosody`) with the properties of
//! `crates/livechat-prosody/tests/common/roundtrip.rs`, which a test also runs on
//! every input kept in `fixtures/fuzz/prosody_lua/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/livechat-prosody/tests/common/roundtrip.rs"]
mod roundtrip;

fuzz_target!(|data: &[u8]| {
    roundtrip::check(data);
});
