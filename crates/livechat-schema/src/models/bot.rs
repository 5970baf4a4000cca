//! `bot/<muc domain>/`: the moderation bot's configuration (plugin
//! `server/lib/configuration/bot.ts`, read by `xmppjs-chat-bot` 0.7.0).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};

use super::types::{Int, pattern_string, present};

/// The bot's connection type. The plugin always writes `client`; anything else than
/// these two makes the bot throw "Invalid type" and run no room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BotType {
    Client,
    Component,
}

/// The bot's logger; any other value means no logging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum BotLogger {
    ConsoleLogger,
    ColorConsoleLogger,
}

/// The bot's log level (`debug` in the plugin's debug mode, else `info`); other
/// values are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

/// A secret string (the bot's password): never shown in any output.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty() {
            Err(D::Error::custom("the secret is empty"))
        } else {
            Ok(Secret(s))
        }
    }
}

impl JsonSchema for Secret {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Secret".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "minLength": 1,
            "writeOnly": true,
            "x-livechat-secret": true,
        })
    }
}

/// A non-empty string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct NonEmpty(pub String);

impl<'de> Deserialize<'de> for NonEmpty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty() {
            Err(D::Error::custom("the string is empty"))
        } else {
            Ok(NonEmpty(s))
        }
    }
}

impl JsonSchema for NonEmpty {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "NonEmpty".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "minLength": 1 })
    }
}

/// `connection`: passed unchanged to `@xmpp/client`. Prosody's
/// `mod_auth_peertubelivechat_bot` re-reads `username` and `password` at every bot
/// login and refuses the login when either is missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    /// Always `moderator`.
    pub username: NonEmpty,
    /// The bot's password: 20 random characters, regenerated at every plugin start and
    /// settings save. SECRET: never printed.
    pub password: Secret,
    /// The bot domain, `bot.<instance host>`.
    pub domain: NonEmpty,
    /// Prosody's local address, `xmpp://localhost:<port>`.
    pub service: NonEmpty,
}

/// `bot/<muc domain>/moderation.json`: the bot's global configuration. The plugin
/// regenerates it (with a new password) at every start and settings save, so editing
/// it gains nothing; it must only be consistent with the instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BotModeration {
    /// `client` (what the plugin writes) or `component`.
    #[serde(rename = "type")]
    pub bot_type: BotType,
    /// The XMPP connection options.
    pub connection: Connection,
    /// The bot's default nickname (`Sepia`).
    pub name: String,
    /// The logger.
    pub logger: BotLogger,
    /// The log level.
    pub log_level: LogLevel,
    /// Logs the XMPP traffic (never written by the plugin).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub xmpp_debug: Option<bool>,
    /// Rooms configured inline (never written by the plugin, which uses `rooms/`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub rooms: Option<Vec<BotRoom>>,
    /// Handlers added in front of every room's handlers (never written by the plugin).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub handlers: Option<Vec<Handler>>,
}

/// `bot/<muc domain>/rooms/<room local part>.json`: the bot's configuration for one
/// room, regenerated by the plugin from the channel's configuration. The bot joins
/// `local@domain` (the file name is not used by the bot, but the plugin finds the file
/// by it) and reloads the file when it changes. Room files are never deleted: a room
/// the bot must leave gets `"enabled": false`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BotRoom {
    /// The room's local part; required and non-empty, else the bot skips the file.
    pub local: NonEmpty,
    /// The MUC domain, `room.<instance host>`; required, else the bot skips the file.
    pub domain: String,
    /// Whether the bot joins the room (the bot reads a missing value as true).
    pub enabled: bool,
    /// The room's handlers, in order. Stale handlers stay as disabled copies.
    pub handlers: Vec<Handler>,
    /// The bot's nickname in this room; absent means the global `name`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub nick: Option<String>,
}

/// A handler. The bot skips (and logs) a handler without a string `type` or `id`, or
/// whose type it does not know; ids are unique within a room.
///
/// The schema selects the options' schema by `type` with `if`/`then`, so an error in
/// the options points at the option, not at the whole handler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Handler {
    /// Moderates messages matching regular expressions (`forbidden_words_<i>`,
    /// `forbid_special_chars`).
    #[serde(rename = "moderate")]
    Moderate(HandlerOf<ModerateOptions>),
    /// Moderates repeated messages (`no_duplicate`).
    #[serde(rename = "no-duplicate")]
    NoDuplicate(HandlerOf<NoDuplicateOptions>),
    /// Sends the quotes in order.
    #[serde(rename = "quotes")]
    Quotes(HandlerOf<QuotesOptions>),
    /// Sends a random quote (`quote_<i>`).
    #[serde(rename = "quotes_random")]
    QuotesRandom(HandlerOf<QuotesOptions>),
    /// Answers a `!command` (`command_<i>`).
    #[serde(rename = "command_say")]
    CommandSay(HandlerOf<CommandSayOptions>),
    /// Greets users who join (never written by the plugin).
    #[serde(rename = "hello")]
    Hello(HandlerOf<HelloOptions>),
    /// Answers when mentioned (never written by the plugin).
    #[serde(rename = "respond")]
    Respond(HandlerOf<RespondOptions>),
}

/// The fields every handler has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HandlerOf<O> {
    /// The handler's id, unique within the room.
    pub id: String,
    /// Whether the handler runs (the bot reads a missing value as true).
    pub enabled: bool,
    /// The handler's options.
    pub options: O,
}

/// Options of a `moderate` handler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerateOptions {
    /// The rules; `[]` for a forbidden words line without entries.
    pub rules: Vec<ModerateRule>,
    /// Whether the rules also apply to moderators.
    #[serde(
        rename = "applyToModerators",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub apply_to_moderators: Option<bool>,
}

/// The regular expression engine of v13's rules, left in disabled copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RegexpEngine {
    Regexp,
    Re2,
}

/// A moderation rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerateRule {
    /// The rule's name (the handler's id).
    pub name: NonEmpty,
    /// A JavaScript regular expression, compiled with `modifiers` (default `i`); an
    /// invalid one makes the bot throw while loading the room.
    pub regexp: NonEmpty,
    /// The regular expression's flags (`us` for the special characters rule).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub modifiers: Option<Modifiers>,
    /// The moderation reason shown to the author.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub reason: Option<String>,
    /// Written by v13 only, ignored by the bot; survives in disabled copies.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub regexp_engine: Option<RegexpEngine>,
}

pattern_string!(
    /// JavaScript regular expression flags.
    Modifiers,
    r"^[dgimsuvy]*$"
);

/// Options of a `no-duplicate` handler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoDuplicateOptions {
    /// The moderation reason.
    pub reason: String,
    /// The window in seconds.
    pub delay: Int<0, 86400>,
    /// Whether the handler also applies to moderators.
    #[serde(rename = "applyToModerators")]
    pub apply_to_moderators: bool,
}

/// Options of a `quotes` or `quotes_random` handler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotesOptions {
    /// The messages; nothing is sent when it is empty.
    pub quotes: Vec<String>,
    /// The interval in seconds (300 in a disabled copy).
    pub delay: Int<1, 6000>,
}

/// Options of a `command_say` handler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandSayOptions {
    /// The answers, one picked at random.
    pub quotes: Vec<String>,
    /// The command name without `!` (`"undefined"` in a disabled copy).
    pub command: String,
}

/// Options of a `hello` handler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelloOptions {
    /// The greeting; `{{NICK}}` is replaced by the user's nickname.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub txt: Option<String>,
    /// Seconds before greeting the same user again.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub delay: Option<Int<0, { i64::MAX }>>,
}

/// Options of a `respond` handler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondOptions {
    /// The answer; `{{NICK}}` is replaced by the user's nickname.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub txt: Option<String>,
}

impl JsonSchema for Handler {
    fn schema_name() -> Cow<'static, str> {
        "Handler".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let options = [
            ("moderate", generator.subschema_for::<ModerateOptions>()),
            (
                "no-duplicate",
                generator.subschema_for::<NoDuplicateOptions>(),
            ),
            ("quotes", generator.subschema_for::<QuotesOptions>()),
            ("quotes_random", generator.subschema_for::<QuotesOptions>()),
            (
                "command_say",
                generator.subschema_for::<CommandSayOptions>(),
            ),
            ("hello", generator.subschema_for::<HelloOptions>()),
            ("respond", generator.subschema_for::<RespondOptions>()),
        ];
        let types: Vec<&str> = options.iter().map(|(t, _)| *t).collect();
        let branches: Vec<serde_json::Value> = options
            .into_iter()
            .map(|(t, schema)| {
                serde_json::json!({
                    "if": { "properties": { "type": { "const": t } }, "required": ["type"] },
                    "then": { "properties": { "options": schema } },
                })
            })
            .collect();
        json_schema!({
            "description": "A handler. The bot skips (and logs) a handler without a string `type` or `id`, \
        or whose type it does not know; ids are unique within a room. `options` depends on `type`.",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "type": { "description": "The handler type.", "enum": types },
                "id": { "description": "The handler's id, unique within the room.", "type": "string" },
                "enabled": {
                    "description": "Whether the handler runs (the bot reads a missing value as true).",
                    "type": "boolean"
                },
                "options": { "description": "The handler's options, by type." },
            },
            "required": ["type", "id", "enabled", "options"],
            "allOf": branches,
        })
    }
}
