//! The file kinds of the data directory, with their stable ids and path patterns.
//!
//! This module owns the list of kinds; it does no I/O. Ids and patterns are part of
//! the public interface (the CLI prints them, the schemas are named after them), so
//! they never change once released.

use std::fmt;

/// A JSON document kind: a file of the data directory, or a document the toolkit
/// itself reads or writes (the inventory, the validation report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    ServerInfosLastUpdate,
    ServerInfosS2s,
    ServerInfosWsS2s,
    VideoInfosRemote,
    VideoInfosLocal,
    ChannelConfigurationOptions,
    RoomChannel,
    BotModeration,
    BotRoom,
    EmojisDefinition,
    Tokens,
    /// The list of existing channels and videos, read from PeerTube's database.
    Inventory,
    /// The `--format json` output of `livechat-data validate`.
    ValidationReport,
}

impl Kind {
    /// Every kind, in the order the CLI lists them.
    pub const ALL: &'static [Kind] = &[
        Kind::ServerInfosLastUpdate,
        Kind::ServerInfosS2s,
        Kind::ServerInfosWsS2s,
        Kind::VideoInfosRemote,
        Kind::VideoInfosLocal,
        Kind::ChannelConfigurationOptions,
        Kind::RoomChannel,
        Kind::BotModeration,
        Kind::BotRoom,
        Kind::EmojisDefinition,
        Kind::Tokens,
        Kind::Inventory,
        Kind::ValidationReport,
    ];

    /// The kinds whose files live in the data directory.
    pub const DATA_DIR: &'static [Kind] = &[
        Kind::ServerInfosLastUpdate,
        Kind::ServerInfosS2s,
        Kind::ServerInfosWsS2s,
        Kind::VideoInfosRemote,
        Kind::VideoInfosLocal,
        Kind::ChannelConfigurationOptions,
        Kind::RoomChannel,
        Kind::BotModeration,
        Kind::BotRoom,
        Kind::EmojisDefinition,
        Kind::Tokens,
    ];

    /// The stable id: schema file names, `schema list`, diagnostics.
    pub const fn id(self) -> &'static str {
        match self {
            Kind::ServerInfosLastUpdate => "server-infos-last-update",
            Kind::ServerInfosS2s => "server-infos-s2s",
            Kind::ServerInfosWsS2s => "server-infos-ws-s2s",
            Kind::VideoInfosRemote => "video-infos-remote",
            Kind::VideoInfosLocal => "video-infos-local",
            Kind::ChannelConfigurationOptions => "channel-configuration-options",
            Kind::RoomChannel => "room-channel",
            Kind::BotModeration => "bot-moderation",
            Kind::BotRoom => "bot-room",
            Kind::EmojisDefinition => "emojis-definition",
            Kind::Tokens => "tokens",
            Kind::Inventory => "inventory",
            Kind::ValidationReport => "validation-report",
        }
    }

    /// The path pattern relative to the data directory, as documented; `None` for
    /// documents that do not live in the data directory.
    pub const fn path_pattern(self) -> Option<&'static str> {
        match self {
            Kind::ServerInfosLastUpdate => Some("serverInfos/<host>/last-update"),
            Kind::ServerInfosS2s => Some("serverInfos/<host>/s2s"),
            Kind::ServerInfosWsS2s => Some("serverInfos/<host>/ws-s2s"),
            Kind::VideoInfosRemote => Some("videoInfos/remote/<host>/<uuid>.json"),
            Kind::VideoInfosLocal => Some("videoInfos/local/<uuid>.json"),
            Kind::ChannelConfigurationOptions => {
                Some("channelConfigurationOptions/<channel id>.json")
            }
            Kind::RoomChannel => Some("room-channel/<muc domain>.json"),
            Kind::BotModeration => Some("bot/<muc domain>/moderation.json"),
            Kind::BotRoom => Some("bot/<muc domain>/rooms/<room local part>.json"),
            Kind::EmojisDefinition => Some("emojis/channel/<channel id>/definition.json"),
            Kind::Tokens => Some("tokens/<user>@<host>.json"),
            Kind::Inventory | Kind::ValidationReport => None,
        }
    }

    /// The glob (the `glob` crate's syntax, `*` never crossing `/`) that selects the
    /// kind's files, relative to the data directory.
    pub(crate) const fn glob(self) -> Option<&'static str> {
        match self {
            Kind::ServerInfosLastUpdate => Some("serverInfos/*/last-update"),
            Kind::ServerInfosS2s => Some("serverInfos/*/s2s"),
            Kind::ServerInfosWsS2s => Some("serverInfos/*/ws-s2s"),
            Kind::VideoInfosRemote => Some("videoInfos/remote/*/*.json"),
            Kind::VideoInfosLocal => Some("videoInfos/local/*.json"),
            Kind::ChannelConfigurationOptions => Some("channelConfigurationOptions/*.json"),
            Kind::RoomChannel => Some("room-channel/*.json"),
            Kind::BotModeration => Some("bot/*/moderation.json"),
            Kind::BotRoom => Some("bot/*/rooms/*.json"),
            Kind::EmojisDefinition => Some("emojis/channel/*/definition.json"),
            Kind::Tokens => Some("tokens/*.json"),
            Kind::Inventory | Kind::ValidationReport => None,
        }
    }

    /// One concrete path of the kind in the data dir of `peertube.example.com` (a
    /// remote host `tube.other.net`, channel 1, one video UUID): for tests, fuzzers
    /// and examples. `None` for documents that do not live in the data directory.
    pub const fn example_path(self) -> Option<&'static str> {
        match self {
            Kind::ServerInfosLastUpdate => Some("serverInfos/tube.other.net/last-update"),
            Kind::ServerInfosS2s => Some("serverInfos/tube.other.net/s2s"),
            Kind::ServerInfosWsS2s => Some("serverInfos/tube.other.net/ws-s2s"),
            Kind::VideoInfosRemote => {
                Some("videoInfos/remote/tube.other.net/8df24108-6e70-4fc8-b1cc-f2db7fcdd535.json")
            }
            Kind::VideoInfosLocal => {
                Some("videoInfos/local/8df24108-6e70-4fc8-b1cc-f2db7fcdd535.json")
            }
            Kind::ChannelConfigurationOptions => Some("channelConfigurationOptions/1.json"),
            Kind::RoomChannel => Some("room-channel/room.peertube.example.com.json"),
            Kind::BotModeration => Some("bot/room.peertube.example.com/moderation.json"),
            Kind::BotRoom => Some(
                "bot/room.peertube.example.com/rooms/8df24108-6e70-4fc8-b1cc-f2db7fcdd535.json",
            ),
            Kind::EmojisDefinition => Some("emojis/channel/1/definition.json"),
            Kind::Tokens => Some("tokens/alice@peertube.example.com.json"),
            Kind::Inventory | Kind::ValidationReport => None,
        }
    }

    /// A one-line description, as `schema list` prints it.
    pub const fn summary(self) -> &'static str {
        match self {
            Kind::ServerInfosLastUpdate => {
                "when a remote server's chat capabilities were last stored (ms since the epoch)"
            }
            Kind::ServerInfosS2s => "a remote server's direct XMPP server-to-server port",
            Kind::ServerInfosWsS2s => "a remote server's WebSocket server-to-server endpoint",
            Kind::VideoInfosRemote => {
                "chat connection infos of a remote video (V1, or the legacy V0 shape)"
            }
            Kind::VideoInfosLocal => {
                "chat connection infos the instance publishes for a local video (write-only)"
            }
            Kind::ChannelConfigurationOptions => {
                "a channel's chat options: moderation bot, slow mode, terms (v14 and older shapes)"
            }
            Kind::RoomChannel => {
                "which chat rooms belong to which local channel, for one MUC domain"
            }
            Kind::BotModeration => {
                "the moderation bot's global configuration (holds the bot password: secret)"
            }
            Kind::BotRoom => "the moderation bot's configuration for one chat room",
            Kind::EmojisDefinition => "a channel's custom emojis: short names and image URLs",
            Kind::Tokens => "a user's long-term chat tokens (encrypted passwords: secret)",
            Kind::Inventory => {
                "the channels and videos that exist in PeerTube's database (livechat-data inventory)"
            }
            Kind::ValidationReport => "the report of livechat-data validate --format json",
        }
    }

    /// Looks a kind up by its id.
    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|kind| kind.id() == id)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
