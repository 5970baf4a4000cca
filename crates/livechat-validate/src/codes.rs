//! The stable diagnostic codes. Each has a default severity and a one-line summary,
//! documented in `docs/diagnostics.md` and printed by `livechat-data explain CODE`.
//!
//! This module owns the list only: rules pick a code from it, they never invent one.
//! A code, once released, keeps its id; the severity of a finding may differ from the
//! default when the plugin's behaviour depends on where the file sits (a file the
//! plugin never reads is at most a warning).

use crate::Severity;

/// A diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

const fn e(code: &'static str, summary: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        severity: Severity::Error,
        summary,
    }
}

const fn w(code: &'static str, summary: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        severity: Severity::Warning,
        summary,
    }
}

// Engine codes: reading and parsing.
pub const JSON_SYNTAX: &str = "json-syntax";
pub const NOT_UTF8: &str = "not-utf8";
pub const EMPTY_FILE: &str = "empty-file";
pub const SCHEMA: &str = "schema";
pub const UNKNOWN_FILE: &str = "unknown-file";
pub const UNREADABLE: &str = "unreadable";
pub const NOT_A_FILE: &str = "not-a-file";
pub const SYMLINK_OUTSIDE: &str = "symlink-outside";
pub const FILE_TOO_LARGE: &str = "file-too-large";
pub const INSTANCE_UNKNOWN: &str = "instance-unknown";
pub const DUPLICATE_KEY: &str = "duplicate-key";

// Per-file rules: how the plugin reads a value.
pub const WRONG_TYPE: &str = "wrong-type";
pub const MISSING_FIELD: &str = "missing-field";
pub const OUT_OF_RANGE: &str = "out-of-range";
pub const INVALID_VALUE: &str = "invalid-value";
pub const NON_CANONICAL_INTEGER: &str = "non-canonical-integer";
pub const NON_CANONICAL_VALUE: &str = "non-canonical-value";
pub const TRUTHY_COERCION: &str = "truthy-coercion";
pub const FALSY_DROPPED: &str = "falsy-dropped";
pub const NULL_DEFAULTED: &str = "null-defaulted";
pub const CONTROL_CHARS: &str = "control-chars";
pub const TRAILING_CHAR_STRIPPED: &str = "trailing-char-stripped";
pub const WHITESPACE_REMOVED: &str = "whitespace-removed";
pub const EMPTY_ENTRY_DROPPED: &str = "empty-entry-dropped";
pub const UNKNOWN_KEY: &str = "unknown-key";
pub const LEGACY_SHAPE: &str = "legacy-shape";
pub const TERMS_TOO_LONG: &str = "terms-too-long";
pub const REGEXP_INVALID: &str = "regexp-invalid";
pub const REGEXP_JOIN_INVALID: &str = "regexp-join-invalid";
pub const REGEXP_UNVERIFIABLE: &str = "regexp-unverifiable";
pub const REGEXP_FLAGS_INVALID: &str = "regexp-flags-invalid";
pub const ENTRY_DROPPED: &str = "entry-dropped";
pub const FIELD_DROPPED: &str = "field-dropped";
pub const HOST_INVALID: &str = "host-invalid";
pub const URL_INVALID: &str = "url-invalid";
pub const TIMESTAMP_INVALID: &str = "timestamp-invalid";
pub const TIMESTAMP_SUSPICIOUS: &str = "timestamp-suspicious";
pub const HANDLER_SKIPPED: &str = "handler-skipped";
pub const HANDLER_INVALID: &str = "handler-invalid";
pub const DUPLICATE_HANDLER_ID: &str = "duplicate-handler-id";
pub const SYNC_CRASH: &str = "sync-crash";
pub const EMOJI_URL_INVALID: &str = "emoji-url-invalid";
pub const EMOJI_SHORTNAME_INVALID: &str = "emoji-shortname-invalid";
pub const EMOJI_TOO_MANY: &str = "emoji-too-many";
pub const EMOJI_DUPLICATE_SHORTNAME: &str = "emoji-duplicate-shortname";
pub const TOKEN_UNDECRYPTABLE: &str = "token-undecryptable";
pub const TOKEN_DUPLICATE_ID: &str = "token-duplicate-id";
pub const FILE_NAME_NOT_CANONICAL: &str = "file-name-not-canonical";
pub const FILE_NAME_MISMATCH: &str = "file-name-mismatch";
pub const ROOM_DOMAIN_MISMATCH: &str = "room-domain-mismatch";
pub const ROOM_LOCAL_INVALID: &str = "room-local-invalid";
pub const ROOM_DUPLICATE_IN_CHANNEL: &str = "room-duplicate-in-channel";
pub const ROOM_CHANNEL_DATA_LOST: &str = "room-channel-data-lost";

// Cross-file rules.
pub const OTHER_MUC_DOMAIN: &str = "other-muc-domain";
pub const ROOM_NOT_LINKED: &str = "room-not-linked";
pub const ROOM_CHANNEL_NO_CONFIG: &str = "room-channel-no-config";
pub const ROOM_BOT_DISABLED: &str = "room-bot-disabled";
pub const ROOM_LISTED_BUT_DISABLED: &str = "room-listed-but-disabled";
pub const ROOM_OUT_OF_DATE: &str = "room-out-of-date";
pub const ROOM_UNDER_TWO_CHANNELS: &str = "room-under-two-channels";
pub const ROOM_SHAPES_MIXED: &str = "room-shapes-mixed";
pub const ROOM_CHANNEL_KEY_MISMATCH: &str = "room-channel-key-mismatch";
pub const ROOM_TYPE_MISMATCH: &str = "room-type-mismatch";
pub const EMOJI_FILE_MISSING: &str = "emoji-file-missing";
pub const EMOJI_FILE_ORPHAN: &str = "emoji-file-orphan";
pub const EMOJI_FILE_TOO_LARGE: &str = "emoji-file-too-large";
pub const EMOJI_FILE_CONTENT: &str = "emoji-file-content";
pub const EMOJI_FILE_NAME_INVALID: &str = "emoji-file-name-invalid";
pub const EMOJI_FILES_WITHOUT_DEFINITION: &str = "emoji-files-without-definition";
pub const BOT_DOMAIN_MISMATCH: &str = "bot-domain-mismatch";
pub const BOT_MODERATION_MISSING: &str = "bot-moderation-missing";
pub const TOKEN_OTHER_DOMAIN: &str = "token-other-domain";
pub const VIDEO_INFOS_JID_MISMATCH: &str = "video-infos-jid-mismatch";
pub const VIDEO_INFOS_HOST_MISMATCH: &str = "video-infos-host-mismatch";

/// Every code, in the order `docs/diagnostics.md` lists them.
pub const ALL: &[CodeInfo] = &[
    e(JSON_SYNTAX, "the file is not valid JSON"),
    e(NOT_UTF8, "the file is not UTF-8 text"),
    e(EMPTY_FILE, "the file is empty"),
    e(
        SCHEMA,
        "the value does not match the kind's JSON Schema and no plugin rule explains it",
    ),
    w(
        UNKNOWN_FILE,
        "the path matches no file the plugin writes or reads",
    ),
    e(UNREADABLE, "the file or folder cannot be read"),
    e(
        NOT_A_FILE,
        "a folder or special file sits where the plugin expects a file",
    ),
    e(
        SYMLINK_OUTSIDE,
        "a symbolic link points outside the data directory",
    ),
    e(
        FILE_TOO_LARGE,
        "the file is too large to be one the plugin wrote",
    ),
    w(
        DUPLICATE_KEY,
        "a key appears twice in an object: JSON.parse keeps the last value",
    ),
    w(
        INSTANCE_UNKNOWN,
        "the instance host is unknown, so the checks that need it were skipped",
    ),
    e(WRONG_TYPE, "a value has a type the plugin refuses"),
    e(MISSING_FIELD, "a field the plugin requires is missing"),
    e(
        OUT_OF_RANGE,
        "a number is outside the range the plugin accepts",
    ),
    e(INVALID_VALUE, "a value the plugin refuses or cannot use"),
    w(
        NON_CANONICAL_INTEGER,
        "an integer written as a string or a float: the plugin reads it with parseInt or Math.trunc",
    ),
    w(
        NON_CANONICAL_VALUE,
        "a value the plugin reads but normalises (case, coercion) and never writes as such",
    ),
    w(
        TRUTHY_COERCION,
        "a non-boolean the reader coerces with `!!`: say what it becomes",
    ),
    w(
        FALSY_DROPPED,
        "a falsy optional value the plugin silently drops",
    ),
    w(NULL_DEFAULTED, "a null the plugin replaces by its default"),
    w(CONTROL_CHARS, "control characters the plugin strips"),
    w(
        TRAILING_CHAR_STRIPPED,
        "a trailing character the plugin strips from the bot's nickname",
    ),
    w(
        WHITESPACE_REMOVED,
        "whitespace the plugin removes from a command name",
    ),
    w(
        EMPTY_ENTRY_DROPPED,
        "an empty or whitespace-only entry the plugin drops",
    ),
    w(UNKNOWN_KEY, "a key the plugin (or the bot) ignores"),
    w(
        LEGACY_SHAPE,
        "an older shape v14 still reads (never written by v14)",
    ),
    e(
        TERMS_TOO_LONG,
        "the channel terms exceed 400 UTF-16 code units",
    ),
    e(
        REGEXP_INVALID,
        "a regular expression JavaScript cannot compile",
    ),
    e(
        REGEXP_JOIN_INVALID,
        "regular expressions that compile alone but not once joined by the plugin",
    ),
    w(
        REGEXP_UNVERIFIABLE,
        "a regular expression this tool cannot judge exactly (the `v` flag's set syntax)",
    ),
    e(
        REGEXP_FLAGS_INVALID,
        "regular expression flags JavaScript refuses",
    ),
    w(ENTRY_DROPPED, "an array entry the reader skips"),
    w(
        FIELD_DROPPED,
        "a field the reader drops because it is invalid",
    ),
    e(HOST_INVALID, "a host the plugin refuses"),
    e(URL_INVALID, "a URL the plugin or Prosody cannot use"),
    e(
        TIMESTAMP_INVALID,
        "a last-update timestamp the plugin treats as missing (it re-fetches)",
    ),
    w(
        TIMESTAMP_SUSPICIOUS,
        "a last-update timestamp that is not an integer or lies in the future",
    ),
    e(
        HANDLER_SKIPPED,
        "a bot handler the bot drops with an error (no type, no id, unknown type): it never runs",
    ),
    e(
        HANDLER_INVALID,
        "a bot handler whose options make the bot throw",
    ),
    w(
        DUPLICATE_HANDLER_ID,
        "two handlers share an id: the second only reloads the first",
    ),
    e(
        SYNC_CRASH,
        "a room file that makes the plugin's room sync throw (the whole batch fails)",
    ),
    e(EMOJI_URL_INVALID, "an emoji URL the plugin refuses on save"),
    e(
        EMOJI_SHORTNAME_INVALID,
        "an emoji short name the plugin refuses",
    ),
    e(EMOJI_TOO_MANY, "more than 200 custom emojis"),
    w(
        EMOJI_DUPLICATE_SHORTNAME,
        "an emoji short name used twice (the last one wins in the chat)",
    ),
    e(
        TOKEN_UNDECRYPTABLE,
        "an encrypted token the plugin cannot decrypt: the whole file is unusable",
    ),
    w(TOKEN_DUPLICATE_ID, "two tokens share an id"),
    w(
        FILE_NAME_NOT_CANONICAL,
        "a file or folder name the plugin never builds, so it never reads the file",
    ),
    e(
        FILE_NAME_MISMATCH,
        "a file name that disagrees with the file's content",
    ),
    e(
        ROOM_DOMAIN_MISMATCH,
        "a bot room file whose domain is not its folder's MUC domain",
    ),
    w(
        ROOM_LOCAL_INVALID,
        "a room-channel entry that is neither a video UUID nor channel.N",
    ),
    w(
        ROOM_DUPLICATE_IN_CHANNEL,
        "a room listed twice under one channel",
    ),
    e(
        ROOM_CHANNEL_DATA_LOST,
        "a room-channel file the plugin reads as empty: every link is lost",
    ),
    w(
        OTHER_MUC_DOMAIN,
        "files of a MUC domain other than the instance's: leftovers of a domain change",
    ),
    e(
        ROOM_NOT_LINKED,
        "an enabled bot room file whose room no channel lists in room-channel",
    ),
    e(
        ROOM_CHANNEL_NO_CONFIG,
        "an enabled bot room file linked to a channel without a valid configuration",
    ),
    e(
        ROOM_BOT_DISABLED,
        "an enabled bot room file linked to a channel whose bot is disabled",
    ),
    w(
        ROOM_LISTED_BUT_DISABLED,
        "a room linked to a channel with the bot enabled, but its room file is disabled",
    ),
    w(
        ROOM_OUT_OF_DATE,
        "a bot room file that differs from what the plugin regenerates from the channel",
    ),
    w(ROOM_UNDER_TWO_CHANNELS, "a room listed under two channels"),
    w(
        ROOM_SHAPES_MIXED,
        "video and channel room names mixed (leftovers of a room type change)",
    ),
    w(
        ROOM_CHANNEL_KEY_MISMATCH,
        "a channel.N room listed under another channel than N",
    ),
    w(
        ROOM_TYPE_MISMATCH,
        "a room name of the other room type than the instance's setting",
    ),
    e(EMOJI_FILE_MISSING, "an emoji URL whose file does not exist"),
    w(
        EMOJI_FILE_ORPHAN,
        "an emoji file no entry references (deleted at the next save)",
    ),
    w(EMOJI_FILE_TOO_LARGE, "an emoji file over 30720 bytes"),
    w(
        EMOJI_FILE_CONTENT,
        "an emoji file whose content does not match its extension",
    ),
    w(
        EMOJI_FILE_NAME_INVALID,
        "an emoji file name the plugin never serves",
    ),
    w(
        EMOJI_FILES_WITHOUT_DEFINITION,
        "emoji files without a definition.json: the plugin serves none of them",
    ),
    e(
        BOT_DOMAIN_MISMATCH,
        "moderation.json's connection.domain is not the instance's bot domain",
    ),
    w(
        BOT_MODERATION_MISSING,
        "bot room files without moderation.json (regenerated at the next start)",
    ),
    w(
        TOKEN_OTHER_DOMAIN,
        "a token file of another domain: never looked up",
    ),
    w(
        VIDEO_INFOS_JID_MISMATCH,
        "a local videoInfos JID that does not match the instance or the room type",
    ),
    w(
        VIDEO_INFOS_HOST_MISMATCH,
        "a videoInfos host or URL that does not match its folder or the instance",
    ),
];

/// Looks a code up by its id.
pub fn info(code: &str) -> Option<&'static CodeInfo> {
    ALL.iter().find(|c| c.code == code)
}

/// The codes of the checks that need the instance host (the emoji URL check needs it
/// for the host and scheme part only); see [`crate::cross::checks_needing_instance`].
pub const NEEDING_INSTANCE: &[&str] = &[
    OTHER_MUC_DOMAIN,
    BOT_DOMAIN_MISMATCH,
    TOKEN_OTHER_DOMAIN,
    VIDEO_INFOS_JID_MISMATCH,
    EMOJI_URL_INVALID,
];
