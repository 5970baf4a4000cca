//! Fuzzes the per-file validator through its real entry point: the input's first
//! byte picks a kind, the rest becomes that file in a fresh data dir, and
//! `validate_dir` must neither panic nor stay silent about a file it cannot read as
//! its kind: every diagnostic names a file of the dir.
#![no_main]

use libfuzzer_sys::fuzz_target;
use livechat_validate::{Instance, ValidateOptions};

const PATHS: &[&str] = &[
    "serverInfos/tube.other.net/last-update",
    "serverInfos/tube.other.net/s2s",
    "serverInfos/tube.other.net/ws-s2s",
    "videoInfos/remote/tube.other.net/8df24108-6e70-4fc8-b1cc-f2db7fcdd535.json",
    "videoInfos/local/8df24108-6e70-4fc8-b1cc-f2db7fcdd535.json",
    "channelConfigurationOptions/1.json",
    "room-channel/room.peertube.example.com.json",
    "bot/room.peertube.example.com/moderation.json",
    "bot/room.peertube.example.com/rooms/8df24108-6e70-4fc8-b1cc-f2db7fcdd535.json",
    "emojis/channel/1/definition.json",
    "tokens/alice@peertube.example.com.json",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let rel = PATHS[usize::from(pick) % PATHS.len()];
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
