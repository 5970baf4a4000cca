//! The regression guard against work that grows faster than the data: each test
//! validates one large file at two sizes, on one thread, and compares the steps
//! counted by [`crate::work`] (values scanned, entries compared, lookups): doubling
//! the file must not much more than double them. A count, not a timing, so a loaded
//! machine cannot make it flaky. (Speed itself is measured by `cargo xtask bench`.)

use std::fmt::Write as _;
use std::path::Path;

use crate::engine::{Report, validate_dir};
use crate::{ValidateOptions, work};

const HOST: &str = "peertube.example.com";

fn uuid(i: usize) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", i, i * 7)
}

/// Validates a dir holding `files` (path, text) on one thread; the steps counted
/// and the report.
fn measure(files: &[(String, String)]) -> (u64, Report) {
    let tmp = tempfile::tempdir().expect("a temporary dir");
    for (rel, text) in files {
        let path = tmp.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).expect("mkdir");
        std::fs::write(&path, text).expect("write");
    }
    let options = ValidateOptions {
        instance: Some(crate::Instance::from_url(&format!("https://{HOST}")).expect("url")),
        ..ValidateOptions::default()
    };
    // One thread: the counter is per thread, and rayon runs the pool's work on it.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    pool.install(|| {
        work::take();
        let report = validate_dir(tmp.path(), &options).expect("runs");
        (work::take(), report)
    })
}

/// Fails when the work at `2n` is more than `2.2` times the work at `n`.
fn assert_linear(name: &str, build: impl Fn(usize) -> Vec<(String, String)>, n: usize) {
    let (small, small_report) = measure(&build(n));
    let (large, large_report) = measure(&build(2 * n));
    // The files have findings to locate, and twice as many at twice the size.
    let (a, b) = (
        small_report.diagnostics.len(),
        large_report.diagnostics.len(),
    );
    assert!(a > 100 && b >= 2 * a - 10, "{name}: {a} then {b} findings");
    let ratio = large as f64 / small as f64;
    assert!(
        ratio < 2.2,
        "{name}: {small} steps at {n}, {large} at {}: x{ratio:.2}, more than linear",
        2 * n
    );
}

/// `room-channel/room.<host>.json` with `rooms` rooms, ten per channel; every 50th
/// room is also listed under the next channel, every 100th is listed twice, and every
/// 200th entry is a number (findings at every scale, and schema errors to cover).
fn room_channel(rooms: usize) -> Vec<(String, String)> {
    let mut text = String::from("{");
    for c in 0..rooms / 10 {
        if c > 0 {
            text.push(',');
        }
        let _ = write!(text, "\"{}\":[", c + 1);
        for r in 0..10 {
            let i = c * 10 + r;
            if r > 0 {
                text.push(',');
            }
            if i % 200 == 199 {
                text.push_str("42");
                continue;
            }
            let _ = write!(text, "\"{}\"", uuid(i));
            if i % 100 == 5 {
                let _ = write!(text, ",\"{}\"", uuid(i));
            }
            if i % 50 == 7 {
                let _ = write!(text, ",\"{}\"", uuid(i + 10));
            }
        }
        text.push(']');
    }
    text.push('}');
    vec![(format!("room-channel/room.{HOST}.json"), text)]
}

/// An emoji definition of `n` entries (far beyond the plugin's 200), whose files are
/// missing, with every 10th short name used twice.
fn emojis(n: usize) -> Vec<(String, String)> {
    let mut text = String::from("{\"customEmojis\":[");
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        let sn = if i % 10 == 9 { i - 1 } else { i };
        let _ = write!(
            text,
            "{{\"sn\":\":e{sn}:\",\"url\":\"https://{HOST}/plugins/livechat/router/emojis/channel/1/files/{i}.png\"}}"
        );
    }
    text.push_str("]}");
    vec![("emojis/channel/1/definition.json".to_owned(), text)]
}

/// A token file of `n` tokens, each without a label, every 10th id reused.
fn tokens(n: usize) -> Vec<(String, String)> {
    let mut text = String::from("{\"userId\":3,\"tokens\":[");
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        let id = if i % 10 == 9 { i - 1 } else { i };
        let _ = write!(
            text,
            "{{\"id\":{id},\"date\":1700000000000,\"encryptedPassword\":\"{:032x}:{:064x}\"}}",
            i, i
        );
    }
    text.push_str("]}");
    vec![(format!("tokens/user@{HOST}.json"), text)]
}

#[test]
fn a_room_channel_file_of_200000_rooms_costs_twice_100000() {
    assert_linear("room-channel", room_channel, 100_000);
}

#[test]
fn an_emoji_definition_of_5000_entries_costs_twice_2500() {
    assert_linear("emojis", emojis, 2_500);
}

#[test]
fn a_token_file_of_4000_tokens_costs_twice_2000() {
    assert_linear("tokens", tokens, 2_000);
}
