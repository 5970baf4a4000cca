//! Every row of `fixtures/files/EXPECTED.md`: the plugin rejects or alters a file
//! (issue 9's severity rule) exactly when the rules (plus the uncovered schema
//! errors and the engine's duplicate keys) report at least one error.

use livechat_schema::{Kind, PathParams};
use livechat_validate::Severity;
use livechat_validate::engine::{json, locate};
use livechat_validate::rules;

use crate::support::{options, repo, verdict};

/// The path context single-file fixtures are checked in (see EXPECTED.md).
pub fn context(kind: Kind) -> (PathParams, String) {
    let mut p = PathParams::default();
    let uuid = "8df24108-6e70-4fc8-b1cc-f2db7fcdd535".to_owned();
    let rel = match kind {
        Kind::ServerInfosLastUpdate | Kind::ServerInfosS2s | Kind::ServerInfosWsS2s => {
            p.host = Some("tube.other.net".into());
            format!(
                "serverInfos/tube.other.net/{}",
                match kind {
                    Kind::ServerInfosLastUpdate => "last-update",
                    Kind::ServerInfosS2s => "s2s",
                    _ => "ws-s2s",
                }
            )
        }
        Kind::VideoInfosRemote => {
            // No folder host: the ingest-only host rules do not apply.
            p.uuid = Some(uuid.clone());
            format!("videoInfos/remote/unknown/{uuid}.json")
        }
        Kind::VideoInfosLocal => {
            p.uuid = Some(uuid.clone());
            format!("videoInfos/local/{uuid}.json")
        }
        Kind::ChannelConfigurationOptions => {
            p.channel_id = Some("1".into());
            "channelConfigurationOptions/1.json".into()
        }
        Kind::RoomChannel => {
            p.muc_domain = Some("room.peertube.example.com".into());
            "room-channel/room.peertube.example.com.json".into()
        }
        Kind::BotModeration => {
            p.muc_domain = Some("room.peertube.example.com".into());
            "bot/room.peertube.example.com/moderation.json".into()
        }
        Kind::BotRoom => {
            // File names are descriptive: the stem == local rule cannot apply.
            p.muc_domain = Some("room.peertube.example.com".into());
            "bot/room.peertube.example.com/rooms/x.json".into()
        }
        Kind::EmojisDefinition => {
            p.channel_id = Some("1".into());
            "emojis/channel/1/definition.json".into()
        }
        Kind::Tokens => {
            p.user = Some("alice".into());
            p.host = Some("peertube.example.com".into());
            "tokens/alice@peertube.example.com.json".into()
        }
        Kind::Inventory | Kind::ValidationReport => String::new(),
    };
    (p, rel)
}

/// `(file, error expected)` for every invalid file of EXPECTED.md: **rejects** and
/// **alters** expect an error, **tolerates** none.
fn rows() -> Vec<(String, bool)> {
    let text = std::fs::read_to_string(repo().join("fixtures/files/EXPECTED.md")).unwrap();
    text.lines()
        .filter(|l| l.starts_with("| `") && l.contains("/invalid/"))
        .map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            let file = cells[0]
                .trim_start_matches("| ")
                .trim_matches('`')
                .to_owned();
            let verdict = cells[2];
            assert!(
                verdict.contains("**rejects**")
                    || verdict.contains("**alters**")
                    || verdict.contains("**tolerates**"),
                "{l}"
            );
            (
                file,
                verdict.contains("**rejects**") || verdict.contains("**alters**"),
            )
        })
        .collect()
}

/// The verdict of the rules on one fixture file: `(rejects, explanation)`.
pub fn judge(file: &str) -> (bool, String) {
    let kind_id = file.split('/').next().unwrap();
    let kind = Kind::from_id(kind_id).unwrap();
    let bytes = std::fs::read(repo().join("fixtures/files").join(file)).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    match json::parse(&text) {
        Err(e) => (
            rules::unparsable_severity(kind) == Severity::Error,
            format!("unparsable: {e}"),
        ),
        Ok(parsed) => {
            let value = parsed.value;
            let (params, rel) = context(kind);
            let v = verdict(kind, &params, &rel, &value, &options());
            // The engine's duplicate keys: an error when a different value is lost.
            let lost: Vec<String> = locate::duplicate_keys(&text)
                .into_iter()
                .filter(|d| {
                    json::parse(&text[d.overridden.offset..d.overridden.end()])
                        .map_or(true, |first| {
                            value.pointer(&d.pointer) != Some(&first.value)
                        })
                })
                .map(|d| d.pointer)
                .collect();
            let why = format!(
                "errors: {:#?}\nwarnings: {:#?}\nduplicate keys losing a value: {lost:?}",
                v.errors(),
                v.warnings()
            );
            (v.rejects() || !lost.is_empty(), why)
        }
    }
}

#[test]
fn agrees_with_every_row_of_expected_md() {
    let rows = rows();
    assert!(rows.len() > 100, "EXPECTED.md has {} rows", rows.len());
    let mut wrong = Vec::new();
    for (file, rejects) in &rows {
        let (ours, why) = judge(file);
        if ours != *rejects {
            wrong.push(format!(
                "{file}: plugin {}, we {}\n{why}",
                if *rejects { "rejects" } else { "tolerates" },
                if ours { "reject" } else { "tolerate" }
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} disagreements:\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}

#[test]
fn every_tolerated_deviation_is_reported_as_a_warning() {
    let mut missing = Vec::new();
    // A tolerated file is never canonical: say what the plugin reads.
    for (file, rejects) in rows() {
        // Without a folder host the ingest-only host rule cannot apply (EXPECTED.md).
        // Duplicate keys are the engine's (code `duplicate-key`): serde_json, like
        // JSON.parse, keeps the last value.
        if rejects
            || file.ends_with("foreign-host-spoofed.json")
            || file.ends_with("duplicate-keys.json")
        {
            continue;
        }
        let kind = Kind::from_id(file.split('/').next().unwrap()).unwrap();
        let bytes = std::fs::read(repo().join("fixtures/files").join(&file)).unwrap();
        let Ok(json::Parsed { value, .. }) = json::parse(&String::from_utf8_lossy(&bytes)) else {
            continue;
        };
        let (params, rel) = context(kind);
        let v = verdict(kind, &params, &rel, &value, &options());
        if v.warnings().is_empty() {
            missing.push(file);
        }
    }
    assert!(missing.is_empty(), "no warning for: {missing:#?}");
}
