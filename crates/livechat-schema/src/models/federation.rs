//! `serverInfos/` and `videoInfos/`: what remote servers support, and the chat
//! connection infos of videos (plugin `server/lib/federation/`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::types::{Host, HttpUrl, Timestamp, WsUrl, pattern_string, present};

pattern_string!(
    /// A port number written as a string of decimal digits (the remote sends its
    /// setting as-is; the plugin drops a port that is not a string of digits).
    DigitsString,
    r"^[0-9]+$"
);

pattern_string!(
    /// A room JID, `<room local part>@<MUC domain>`. The plugin does not check its
    /// form on read (V1); it always writes `<local>@room.<host>`.
    RoomJid,
    r"^[^@/\s]+@[^@/\s]+$"
);

pattern_string!(
    /// A room JID on a MUC domain starting with `room.`: the V0 shape requires it,
    /// and derives the remote host from it.
    V0RoomJid,
    r"^[^@/\s]+@room\.[^@/\s]+$"
);

/// `serverInfos/<host>/last-update`: when the plugin last stored this remote
/// server's infos. Only read by the plugin to decide whether to fetch them again:
/// the file counts as fresh only when `timestamp` is a non-zero number no older than
/// 24 hours (1 hour in debug mode).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerInfosLastUpdate {
    /// Milliseconds since the Unix epoch (JavaScript `Date.getTime()`). A timestamp in
    /// the future counts as fresh until it has passed, so the infos are not refreshed.
    pub timestamp: Timestamp,
}

/// `serverInfos/<host>/s2s`: the remote server accepts direct XMPP server-to-server
/// connections. Prosody only checks that this file exists; its content is never read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerInfosS2s {
    /// The remote's main host (`xmppserver.host`), even in the `room.` and `external.`
    /// folders. Never read.
    pub host: Host,
    /// The remote's S2S port, as a string of digits.
    pub port: DigitsString,
}

/// `serverInfos/<host>/ws-s2s`: the remote server's WebSocket server-to-server
/// endpoint. Prosody (`mod_s2s_peertubelivechat`) reads `url`; when the file does not
/// parse or `url` is missing it falls back to legacy S2S, which usually fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerInfosWsS2s {
    /// The remote's main host. Never read.
    pub host: Host,
    /// The `ws:`/`wss:` endpoint, without a query string, typically
    /// `wss://<host>/plugins/livechat/ws/xmpp-websocket-s2s`.
    pub url: WsUrl,
}

/// Direct S2S connection infos.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectS2s {
    /// The S2S port as a string of digits; the plugin drops a numeric port.
    pub port: DigitsString,
}

/// WebSocket S2S connection infos.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebsocketS2s {
    /// The `ws:`/`wss:` endpoint without a query string; any other value is dropped.
    pub url: WsUrl,
}

/// Anonymous access, as the plugin stores it for a remote video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Anonymous {
    /// The anonymous virtual host (`anon.<host>`). When it is not a valid host, the
    /// plugin drops the whole `anonymous` object.
    pub virtualhost: Host,
    /// The BOSH endpoint (`http:`/`https:`, no query string).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub bosh: Option<HttpUrl>,
    /// The WebSocket endpoint (`ws:`/`wss:`, no query string).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub websocket: Option<WsUrl>,
}

/// The XMPP server of the video's instance (`xmppserver`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct XmppServer {
    /// The instance's XMPP host. The whole file is rejected when it is not a valid host.
    pub host: Host,
    /// The MUC domain (`room.<host>`). The whole file is rejected when it is not a
    /// valid host.
    pub muc: Host,
    /// The external accounts domain (`external.<host>`), from livechat 9.0.0 on.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub external: Option<Host>,
    /// Present when the instance accepts direct S2S connections.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub directs2s: Option<DirectS2s>,
    /// Present when the instance accepts WebSocket S2S connections.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub websockets2s: Option<WebsocketS2s>,
    /// Present when anonymous users may join.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub anonymous: Option<Anonymous>,
}

/// The chat type; only XMPP exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ChatType {
    #[serde(rename = "xmpp")]
    Xmpp,
}

/// The V1 shape (livechat 7.0.0 and later), as sanitised and stored for a remote video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VideoInfosV1 {
    /// Always `xmpp`; any other value makes the plugin treat the video as having no chat.
    #[serde(rename = "type")]
    pub chat_type: ChatType,
    /// The room's JID, `<room local part>@room.<host>`.
    pub jid: RoomJid,
    /// The XMPP server infos. Its presence is what marks the V1 shape.
    pub xmppserver: XmppServer,
    /// The URL of the channel's custom emojis definition (livechat 10.1.0 and later),
    /// `http:`/`https:` without a query string.
    #[serde(
        rename = "customEmojisUrl",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub custom_emojis_url: Option<HttpUrl>,
}

/// The anonymous connection link types of the V0 shape and of the `links` kept in
/// local files for plugins up to 6.3.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum LinkType {
    #[serde(rename = "xmpp-bosh-anonymous")]
    BoshAnonymous,
    #[serde(rename = "xmpp-websocket-anonymous")]
    WebsocketAnonymous,
}

/// An anonymous connection link (`links[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// BOSH or WebSocket.
    #[serde(rename = "type")]
    pub link_type: LinkType,
    /// The endpoint: `http:`/`https:` for BOSH, `ws:`/`wss:` for WebSocket, no query
    /// string (the validator checks the scheme against the type).
    pub url: String,
    /// The anonymous virtual host (`anon.<host>`).
    pub jid: Host,
}

/// The legacy V0 shape (livechat 6.3.0 and earlier): no `xmppserver`, the host is
/// derived from the JID's `room.<host>` domain and anonymous access from `links`.
/// Still read by v14, converted on the fly, never written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VideoInfosV0 {
    /// Always `xmpp`.
    #[serde(rename = "type")]
    pub chat_type: ChatType,
    /// The room's JID; its domain must start with `room.`.
    pub jid: V0RoomJid,
    /// The anonymous connection links; the file is rejected when this is not an array.
    pub links: Vec<Link>,
}

/// `videoInfos/remote/<host>/<uuid>.json`: chat connection infos of a remote video,
/// stored from ActivityPub. The file's existence means the video has a chat.
///
/// Like the plugin, the shape is chosen by the presence of `xmppserver` (V1) or its
/// absence (V0); the schema says so with `if`/`then`/`else`, so errors point into the
/// shape the plugin would read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum VideoInfosRemote {
    /// The V1 shape, the only one v14 writes.
    V1(VideoInfosV1),
    /// The legacy V0 shape, still read by v14.
    V0(VideoInfosV0),
}

impl<'de> Deserialize<'de> for VideoInfosRemote {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let v1 = value
            .as_object()
            .is_some_and(|o| o.contains_key("xmppserver"));
        let result = if v1 {
            VideoInfosV1::deserialize(value).map(VideoInfosRemote::V1)
        } else {
            VideoInfosV0::deserialize(value).map(VideoInfosRemote::V0)
        };
        result.map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for VideoInfosRemote {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "VideoInfosRemote".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let v1 = generator.subschema_for::<VideoInfosV1>();
        let v0 = generator.subschema_for::<VideoInfosV0>();
        schemars::json_schema!({
            "description": "`videoInfos/remote/<host>/<uuid>.json`: chat connection infos of a remote video, \
        stored from ActivityPub; the file's existence means the video has a chat. The V1 shape (with `xmppserver`) is the \
        only one v14 writes; without `xmppserver` the plugin reads the legacy V0 shape.",
            "type": "object",
            "if": { "required": ["xmppserver"] },
            "then": v1,
            "else": v0,
        })
    }
}

/// Anonymous access, as the plugin publishes it for a local video (keys in the order
/// bosh, virtualhost, websocket).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalAnonymous {
    /// The BOSH endpoint.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub bosh: Option<HttpUrl>,
    /// The anonymous virtual host, `anon.<instance host>`.
    pub virtualhost: Host,
    /// The WebSocket endpoint.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub websocket: Option<WsUrl>,
}

/// The XMPP server of this instance, as published for a local video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalXmppServer {
    /// The instance host `D`.
    pub host: Host,
    /// The MUC domain, `room.D`.
    pub muc: Host,
    /// `external.D`, always written by v14 ("even if disabled"); absent in files
    /// written before livechat 9.0.0.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub external: Option<Host>,
    /// Present when the setting `prosody-room-allow-s2s` is on and a port is set.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub directs2s: Option<DirectS2s>,
    /// Present unless `federation-dont-publish-remotely` is on.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub websockets2s: Option<WebsocketS2s>,
    /// Present unless `chat-no-anonymous` is on.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub anonymous: Option<LocalAnonymous>,
}

/// `videoInfos/local/<uuid>.json`: the chat infos this instance publishes for a local
/// video (the "V1CompatV0" shape, written unsanitised). Nothing reads these files;
/// they are rewritten at each federation of the video. `jid` is `<uuid>@room.D` in
/// `video` room mode and `channel.<id>@room.D` in `channel` mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VideoInfosLocal {
    /// Always `xmpp`.
    #[serde(rename = "type")]
    pub chat_type: ChatType,
    /// The room's JID on this instance's MUC domain.
    pub jid: RoomJid,
    /// Anonymous connection links kept for plugins up to 6.3.0 (may be empty).
    pub links: Vec<Link>,
    /// This instance's XMPP server.
    pub xmppserver: LocalXmppServer,
    /// The channel's custom emojis definition URL, when the channel has custom emojis.
    #[serde(
        rename = "customEmojisUrl",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub custom_emojis_url: Option<HttpUrl>,
}
