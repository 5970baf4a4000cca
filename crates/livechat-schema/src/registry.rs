//! The registry: which kind of file a path of the data directory holds.
//!
//! [`classify`] maps a path relative to the data directory (with `/` separators) to
//! a JSON document kind and its path parameters, or to one of the non-JSON entries
//! the plugin keeps there (emoji images, marker files, admin switches, Prosody's
//! folders). It is purely lexical: it does no I/O and does not judge whether the
//! parameters are canonical (the validator does, with [`crate::names`]).

use std::sync::LazyLock;

use glob::{MatchOptions, Pattern};

use crate::Kind;

/// The parameters a path pattern captures. Values are the raw path components:
/// they have not been checked, so check them with [`crate::names::safe_component`]
/// before building a path from them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathParams {
    /// `serverInfos/<host>`, `videoInfos/remote/<host>`, the host part of a token file.
    pub host: Option<String>,
    /// The video UUID of a `videoInfos` file (the file stem).
    pub uuid: Option<String>,
    /// The channel id of a channel configuration or an emoji folder.
    pub channel_id: Option<String>,
    /// The MUC domain of a `room-channel` file or a `bot/` folder.
    pub muc_domain: Option<String>,
    /// The room local part of a bot room file (the file stem).
    pub room: Option<String>,
    /// The user part of a token file (`<user>@<host>.json`).
    pub user: Option<String>,
}

/// The marker files the plugin's migrations leave at the top of the data dir.
pub const MARKER_FILES: &[&str] = &[
    "fix-v10-affiliations",
    "fix-v11.1-emojis",
    "fix-v13-forbidspecialchars",
    "fix-v14-regexp",
];

/// The optional files an admin creates at the top of the data dir to switch features.
pub const ADMIN_SWITCH_FILES: &[&str] = &[
    "debug_mode",
    "no_lua_unbound",
    "disable_mod_firewall_editing",
];

/// Top-level folders owned by Prosody: read-only for the toolkit, never validated.
pub const PROSODY_DIRS: &[&str] = &["prosody", "prosodyAppImage"];

/// What a path of the data directory is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A JSON document of a known kind.
    Document { kind: Kind, params: PathParams },
    /// A custom emoji image: `emojis/channel/<channel id>/files/<name>`.
    EmojiImage {
        channel_id: String,
        file_name: String,
    },
    /// An empty "migration done" marker file.
    Marker(&'static str),
    /// An admin feature switch file.
    AdminSwitch(&'static str),
    /// Anything below `prosody/` or `prosodyAppImage/`.
    Prosody,
    /// A path that matches nothing the plugin writes or reads.
    Unknown,
}

struct Rule {
    kind: Kind,
    pattern: Pattern,
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    Kind::DATA_DIR
        .iter()
        .filter_map(|&kind| {
            let glob = kind.glob()?;
            // The patterns are literals of this crate; a test checks each compiles.
            Pattern::new(glob)
                .ok()
                .map(|pattern| Rule { kind, pattern })
        })
        .collect()
});

const MATCH: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// Classifies a path relative to the data directory. `rel` uses `/` separators and
/// has no leading `/` (a leading `./` is ignored).
pub fn classify(rel: &str) -> Entry {
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    let parts: Vec<&str> = rel.split('/').collect();
    if parts.len() > 1 && PROSODY_DIRS.contains(&parts[0]) {
        return Entry::Prosody;
    }
    if parts.len() == 1 {
        if let Some(marker) = MARKER_FILES.iter().find(|m| **m == rel) {
            return Entry::Marker(marker);
        }
        if let Some(switch) = ADMIN_SWITCH_FILES.iter().find(|m| **m == rel) {
            return Entry::AdminSwitch(switch);
        }
    }
    if let ["emojis", "channel", channel_id, "files", file_name] = parts.as_slice() {
        if !channel_id.is_empty() && !file_name.is_empty() {
            return Entry::EmojiImage {
                channel_id: (*channel_id).to_owned(),
                file_name: (*file_name).to_owned(),
            };
        }
    }
    if parts.iter().any(|p| p.is_empty()) {
        return Entry::Unknown;
    }
    for rule in RULES.iter() {
        if rule.pattern.matches_with(rel, MATCH) {
            return Entry::Document {
                kind: rule.kind,
                params: params_of(rule.kind, &parts),
            };
        }
    }
    Entry::Unknown
}

/// Whether a directory relative to the data directory belongs to Prosody (`prosody/`,
/// `prosodyAppImage/`): walkers do not descend into it.
pub fn is_prosody_dir(rel: &str) -> bool {
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    let top = rel.split('/').next().unwrap_or("");
    PROSODY_DIRS.contains(&top)
}

fn stem(name: &str) -> String {
    name.strip_suffix(".json").unwrap_or(name).to_owned()
}

fn params_of(kind: Kind, parts: &[&str]) -> PathParams {
    let mut p = PathParams::default();
    match kind {
        Kind::ServerInfosLastUpdate | Kind::ServerInfosS2s | Kind::ServerInfosWsS2s => {
            p.host = Some(parts[1].to_owned());
        }
        Kind::VideoInfosRemote => {
            p.host = Some(parts[2].to_owned());
            p.uuid = Some(stem(parts[3]));
        }
        Kind::VideoInfosLocal => p.uuid = Some(stem(parts[2])),
        Kind::ChannelConfigurationOptions => p.channel_id = Some(stem(parts[1])),
        Kind::RoomChannel => p.muc_domain = Some(stem(parts[1])),
        Kind::BotModeration => p.muc_domain = Some(parts[1].to_owned()),
        Kind::BotRoom => {
            p.muc_domain = Some(parts[1].to_owned());
            p.room = Some(stem(parts[3]));
        }
        Kind::EmojisDefinition => p.channel_id = Some(parts[2].to_owned()),
        Kind::Tokens => {
            let jid = stem(parts[1]);
            match jid.rsplit_once('@') {
                Some((user, host)) => {
                    p.user = Some(user.to_owned());
                    p.host = Some(host.to_owned());
                }
                None => p.user = Some(jid),
            }
        }
        Kind::Inventory | Kind::ValidationReport => {}
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(rel: &str) -> Option<Kind> {
        match classify(rel) {
            Entry::Document { kind, .. } => Some(kind),
            _ => None,
        }
    }

    #[test]
    fn every_glob_compiles() {
        let globs = Kind::DATA_DIR.iter().filter(|k| k.glob().is_some()).count();
        assert_eq!(RULES.len(), globs);
        assert_eq!(RULES.len(), Kind::DATA_DIR.len());
    }

    #[test]
    fn documents() {
        let cases = [
            (
                "serverInfos/tube.other.net/last-update",
                Kind::ServerInfosLastUpdate,
            ),
            ("serverInfos/room.tube.other.net/s2s", Kind::ServerInfosS2s),
            ("serverInfos/tube.other.net/ws-s2s", Kind::ServerInfosWsS2s),
            (
                "videoInfos/remote/tube.other.net/x.json",
                Kind::VideoInfosRemote,
            ),
            ("videoInfos/local/x.json", Kind::VideoInfosLocal),
            (
                "channelConfigurationOptions/1.json",
                Kind::ChannelConfigurationOptions,
            ),
            ("room-channel/room.example.com.json", Kind::RoomChannel),
            ("bot/room.example.com/moderation.json", Kind::BotModeration),
            ("bot/room.example.com/rooms/channel.1.json", Kind::BotRoom),
            ("emojis/channel/1/definition.json", Kind::EmojisDefinition),
            ("tokens/alice@example.com.json", Kind::Tokens),
            ("./tokens/alice@example.com.json", Kind::Tokens),
        ];
        for (rel, kind) in cases {
            assert_eq!(kind_of(rel), Some(kind), "{rel}");
        }
    }

    #[test]
    fn example_paths_are_of_their_kind() {
        for &kind in Kind::DATA_DIR {
            let path = kind
                .example_path()
                .expect("a data-dir kind has an example path");
            assert_eq!(kind_of(path), Some(kind), "{path}");
        }
    }

    #[test]
    fn params() {
        let Entry::Document { params, .. } = classify("videoInfos/remote/tube.other.net/abc.json")
        else {
            panic!("not a document");
        };
        assert_eq!(params.host.as_deref(), Some("tube.other.net"));
        assert_eq!(params.uuid.as_deref(), Some("abc"));
        let Entry::Document { params, .. } = classify("tokens/al.ice@example.com.json") else {
            panic!("not a document");
        };
        assert_eq!(params.user.as_deref(), Some("al.ice"));
        assert_eq!(params.host.as_deref(), Some("example.com"));
        let Entry::Document { params, .. } = classify("bot/room.d/rooms/channel.3.json") else {
            panic!("not a document");
        };
        assert_eq!(params.muc_domain.as_deref(), Some("room.d"));
        assert_eq!(params.room.as_deref(), Some("channel.3"));
    }

    #[test]
    fn non_documents() {
        assert_eq!(classify("fix-v14-regexp"), Entry::Marker("fix-v14-regexp"));
        assert_eq!(classify("debug_mode"), Entry::AdminSwitch("debug_mode"));
        assert_eq!(classify("prosody/prosody.cfg.lua"), Entry::Prosody);
        assert_eq!(
            classify("prosodyAppImage/squashfs-root/AppRun"),
            Entry::Prosody
        );
        assert!(matches!(
            classify("emojis/channel/1/files/1.png"),
            Entry::EmojiImage { .. }
        ));
        for unknown in [
            "serverInfos/a/b/last-update",
            "videoInfos/local/a/b.json",
            "room-channel/x.txt",
            "bot/room.d/rooms/sub/x.json",
            "README",
            "tokens//x.json",
            "fix-v14-regexp/x",
        ] {
            assert_eq!(classify(unknown), Entry::Unknown, "{unknown}");
        }
    }
}
