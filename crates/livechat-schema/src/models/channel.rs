//! `channelConfigurationOptions/<channel id>.json`: a channel's chat options
//! (plugin `server/lib/configuration/channel/sanitize.ts`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::types::{
    BoundedString, CleanString, Int, NonBlankString, NonEmptyCleanString, pattern_string, present,
};

pattern_string!(
    /// A free-text comment: non-empty, without the control characters the plugin strips
    /// (U+0000 to U+0009, U+001B to U+001F, U+007F to U+009F; line breaks, U+000B,
    /// U+000C and U+001A are kept).
    CommentString,
    r"^[^\u0000-\u0009\u001B-\u001F\u007F-\u009F]+$"
);

pattern_string!(
    /// A bot command name, stored without its leading `!`: no whitespace (the plugin
    /// removes it) and no control characters.
    CommandName,
    r"^[^\s\u0000-\u001F\u007F-\u009F]*$"
);

/// `channelConfigurationOptions/<channel id>.json`. Written by the channel settings
/// form; read (and sanitised, never rewritten) when a room is created, when the
/// settings are shown and when the bot's room files are regenerated. A file the
/// plugin cannot sanitise makes room creation fail for the whole channel. Older
/// shapes (v8.0, v8.3, v10-v13) are still read: missing keys take their defaults.
/// Numbers must be JSON integers here; the plugin also accepts strings and floats
/// (`parseInt`, `Math.trunc`), which the validator reports as non-canonical.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfigurationOptions {
    /// The moderation bot's options.
    pub bot: BotOptions,
    /// Slow mode (v8.3 and later; defaults to a duration of 0).
    #[serde(
        rename = "slowMode",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub slow_mode: Option<SlowMode>,
    /// Muting (v10.2 and later).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub mute: Option<Mute>,
    /// Moderation delay and anonymisation (v10.3 and later).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub moderation: Option<Moderation>,
    /// The channel's chat terms (v10.2 and later): at most 400 UTF-16 code units (an
    /// emoji outside the BMP counts 2; the validator checks this exact limit, the
    /// schema only bounds code points). Left out when empty.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub terms: Option<BoundedString<1, 400>>,
}

/// `bot`: the moderation bot's options for the channel's rooms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BotOptions {
    /// Whether the bot is enabled (default false).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub enabled: Option<bool>,
    /// The bot's nickname; empty means the bot's global name. Control characters are
    /// stripped by the plugin.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub nickname: Option<CleanString>,
    /// Forbidden words lines; each becomes a `forbidden_words_<i>` handler.
    #[serde(rename = "forbiddenWords")]
    pub forbidden_words: Vec<ForbiddenWords>,
    /// The special characters filter (v12.0 and later).
    #[serde(
        rename = "forbidSpecialChars",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub forbid_special_chars: Option<ForbidSpecialChars>,
    /// The duplicate messages filter (v12.0 and later).
    #[serde(
        rename = "noDuplicate",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub no_duplicate: Option<NoDuplicate>,
    /// Timed messages; each becomes a `quote_<i>` handler.
    pub quotes: Vec<Quote>,
    /// Commands; each becomes a `command_<i>` handler.
    pub commands: Vec<Command>,
}

/// One line of forbidden words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForbiddenWords {
    /// Whether the line is active (v14.0 and later; a missing value means true). The
    /// plugin forces regexp lines off while the instance setting `enable-users-regexp`
    /// is off, without rewriting the file.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub enabled: Option<bool>,
    /// Whether `entries` are regular expressions (JavaScript syntax, no flags; each
    /// must compile, and so must their `(?:a)|(?:b)` join the bot uses).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub regexp: Option<bool>,
    /// The words or regular expressions; empty and whitespace-only items are dropped.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub entries: Option<Vec<NonBlankString>>,
    /// Whether the line also applies to moderators.
    #[serde(
        rename = "applyToModerators",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub apply_to_moderators: Option<bool>,
    /// A label for the line (v10.1 and later), without control characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub label: Option<NonEmptyCleanString>,
    /// The reason shown when a message is moderated, without control characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub reason: Option<NonEmptyCleanString>,
    /// Free comments (line breaks allowed).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub comments: Option<CommentString>,
}

/// `forbidSpecialChars`: moderate messages with too many special characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForbidSpecialChars {
    /// Whether the filter is active.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub enabled: Option<bool>,
    /// The moderation reason, without control characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub reason: Option<CleanString>,
    /// How many special characters are tolerated, 0 to 10.
    pub tolerance: Int<0, 10>,
    /// Whether the filter also applies to moderators.
    #[serde(
        rename = "applyToModerators",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub apply_to_moderators: Option<bool>,
}

/// `noDuplicate`: moderate repeated messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoDuplicate {
    /// Whether the filter is active.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub enabled: Option<bool>,
    /// The moderation reason, without control characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub reason: Option<CleanString>,
    /// The window in seconds during which a repeated message is moderated, 0 to 86400.
    pub delay: Int<0, 86400>,
    /// Whether the filter also applies to moderators.
    #[serde(
        rename = "applyToModerators",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub apply_to_moderators: Option<bool>,
}

/// A timed message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    /// The messages, one picked at random each time; empty items are dropped.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub messages: Option<Vec<NonBlankString>>,
    /// The interval in seconds (the form shows minutes), 1 to 6000.
    pub delay: Int<1, 6000>,
}

/// A bot command (`!<command>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// The bot's answer, without control characters; empty disables the command.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub message: Option<CleanString>,
    /// The command name, without the leading `!` and without whitespace.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub command: Option<CommandName>,
}

/// `slowMode`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlowMode {
    /// Seconds a participant must wait between two messages, 0 to 1000.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub duration: Option<Int<0, 1000>>,
    /// The v8.3 name of `duration`, still read when `duration` is missing.
    #[serde(
        rename = "defaultDuration",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub default_duration: Option<Int<0, 1000>>,
}

/// `mute`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mute {
    /// Whether anonymous users are muted by default.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub anonymous: Option<bool>,
}

/// `moderation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Moderation {
    /// Seconds a message is held before others see it, 0 to 60.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub delay: Option<Int<0, 60>>,
    /// Whether moderation actions are shown anonymously (v11.0 and later).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub anonymize: Option<bool>,
}
