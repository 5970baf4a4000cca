//! How large a file of each kind may be before the validator refuses to parse it
//! (`file-too-large`): what the plugin can write, with a margin. The table is in
//! `docs/validate.md`; keep both in step.
//!
//! A cap bounds the memory a file costs (its text and its parsed value, about three
//! times the text for a room-channel file), so that a stray or hostile file cannot
//! exhaust the machine, while every file the plugin can write is checked.

use livechat_schema::Kind;

use crate::Severity;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// The largest file of `kind` the validator parses.
pub fn max_file_size(kind: Kind) -> u64 {
    match kind {
        // One entry of about 41 bytes per room (a UUID and its punctuation), and the
        // plugin reads any size: 32 MiB is about 800,000 rooms, three times the rooms
        // of the largest instances known.
        Kind::RoomChannel => 32 * MIB,
        // Written from a request body, which Express and PeerTube's nginx cap at
        // 100 KB (`shared/lib/emojis.ts`); an emoji definition also has at most 200
        // entries (`maxEmojisPerChannel`).
        Kind::ChannelConfigurationOptions | Kind::EmojisDefinition => MIB,
        // Generated from a channel configuration: its forbidden words become escaped
        // regular expressions, which can double their size.
        Kind::BotRoom => 4 * MIB,
        // One entry of about 250 bytes per token a user created, one at a time, with
        // no limit in the plugin: 4 MiB is about 16,000 tokens.
        Kind::Tokens => 4 * MIB,
        // A few hundred bytes, built by the plugin from a video or a remote's answer.
        Kind::BotModeration
        | Kind::VideoInfosLocal
        | Kind::VideoInfosRemote
        | Kind::ServerInfosLastUpdate
        | Kind::ServerInfosS2s
        | Kind::ServerInfosWsS2s => MIB,
        // Not in a data dir: written by PeerTube's inventory or by this tool.
        Kind::Inventory | Kind::ValidationReport => 256 * MIB,
    }
}

/// The severity of a file over its cap: an error when the plugin could never have
/// written it; a warning (the file is not checked) for a room-channel file, which
/// the plugin writes that large on an instance with that many rooms.
pub fn too_large_severity(kind: Kind) -> Severity {
    match kind {
        Kind::RoomChannel => Severity::Warning,
        _ => Severity::Error,
    }
}

/// What the plugin makes of a file over its cap, for the message's help.
pub fn too_large_help(kind: Kind) -> &'static str {
    match kind {
        Kind::RoomChannel => {
            "the plugin reads room-channel files of any size; the validator does not parse one this large (to bound its memory), so this file is not checked"
        }
        _ => "the plugin never writes files this large: move it away and look at what wrote it",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_cap_above_what_the_plugin_writes() {
        for &kind in Kind::ALL {
            assert!(max_file_size(kind) >= MIB, "{kind:?}");
        }
        // 250,000 rooms of 41 bytes: the room-channel file of a million-file dir.
        assert!(max_file_size(Kind::RoomChannel) > 250_000 * 41 * 3);
    }
}
