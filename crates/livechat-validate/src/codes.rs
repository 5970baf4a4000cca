//! The stable diagnostic codes, each defined once: its id, rule name, default
//! severity, one-line summary, fix applicability and explanation page. The page is a
//! Markdown file `codes/<id>.md` beside this module, included at build time; the
//! table below is the only list. `livechat-data explain CODE`, `docs/diagnostics.md`
//! (written by `cargo xtask codegen`), SARIF rules and the `fix` planner all read it.
//!
//! This module owns the definitions only: rules pick a code from it, they never
//! invent one, and nothing here checks data or renders text for a terminal. A code,
//! once released, keeps its id.
//!
//! One severity rule decides every finding (issue 9): **error** when the plugin, the
//! bot or Prosody, reading the file today, does something other than what the file
//! says (something configured is dropped or unreachable, a value silently replaces
//! another, data points somewhere the plugin would never have written); **warning**
//! when they do what the file says (legacy shapes, non-canonical spellings read as
//! intended, stale or orphan files nothing reads). The severity of a finding may
//! differ from its code's default when the answer depends on the value (a lone `"01"`
//! is read as intended, `"01"` beside `"1"` loses data) or on where the file sits (a
//! file the plugin never reads is at most a warning).

use crate::Severity;

/// What `livechat-data fix` may do about a code's findings (issue 11). The
/// distinction follows ruff's applicability: whether the plugin reads the result as
/// it read the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// The plugin reads the repaired file exactly as it read the original; the file is
    /// only put in the canonical form v14 writes. Applied by default.
    Safe,
    /// The file is removed or rebuilt so that the plugin regenerates it itself (its
    /// next start or sync). Applied by default.
    Regenerate,
    /// The repair changes what the plugin does; applied only when asked for.
    Unsafe,
    /// Nothing can be done without a person: the page says what to do.
    None,
}

impl Fix {
    /// The lower-case word used in reports and docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Fix::Safe => "safe",
            Fix::Regenerate => "regenerate",
            Fix::Unsafe => "unsafe",
            Fix::None => "none",
        }
    }
}

/// A diagnostic code and everything said about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The stable id, kebab-case (`legacy-shape`).
    pub code: &'static str,
    /// A readable rule name in PascalCase (`LegacyShape`), SARIF's `name`.
    pub name: &'static str,
    /// The default severity; a finding may differ (see the module comment).
    pub severity: Severity,
    /// One line, lower-case, no trailing period.
    pub summary: &'static str,
    /// What `fix` can do about it.
    pub fix: Fix,
    /// A short note on the fix: what it does, or why there is none.
    pub fix_note: &'static str,
    /// The explanation page (Markdown, the sections of [`PAGE_SECTIONS`]).
    pub page: &'static str,
}

/// The headings every page has, in this order (a test checks each page).
pub const PAGE_SECTIONS: [&str; 4] = [
    "What the plugin does",
    "Example",
    "Why it matters",
    "How to fix",
];

impl CodeInfo {
    /// The body of one section of the page (`heading` from [`PAGE_SECTIONS`]),
    /// trimmed; `None` when the page lacks it.
    pub fn section(&self, heading: &str) -> Option<&'static str> {
        section(self.page, heading)
    }
}

/// The body of the `## heading` section of a page, up to the next `## ` heading.
fn section(page: &'static str, heading: &str) -> Option<&'static str> {
    let mut offset = 0;
    let mut start = None;
    for line in page.split_inclusive('\n') {
        let title = line.trim_end().strip_prefix("## ");
        match (start, title) {
            (None, Some(t)) if t == heading => start = Some(offset + line.len()),
            (Some(s), Some(_)) => return Some(page[s..offset].trim()),
            _ => {}
        }
        offset += line.len();
    }
    start.map(|s| page[s..].trim())
}

/// Declares every code once: a `pub const` per id (what the rules use) and [`ALL`].
macro_rules! codes {
    ($(
        $konst:ident = $id:literal as $name:ident {
            severity: $severity:ident,
            summary: $summary:literal,
            fix: $fix:ident, $fix_note:literal $(,)?
        }
    )*) => {
        $(
            #[doc = concat!("`", $id, "`: ", $summary, ".")]
            pub const $konst: &str = $id;
        )*

        /// Every code, in the order `docs/diagnostics.md` lists them.
        pub const ALL: &[CodeInfo] = &[$(
            CodeInfo {
                code: $id,
                name: stringify!($name),
                severity: Severity::$severity,
                summary: $summary,
                fix: Fix::$fix,
                fix_note: $fix_note,
                page: include_str!(concat!("codes/", $id, ".md")),
            },
        )*];
    };
}

codes! {
    // Engine codes: reading and parsing.
    JSON_SYNTAX = "json-syntax" as JsonSyntax {
        severity: Error,
        summary: "the file is not valid JSON",
        fix: None, "no automatic fix yet",
    }
    NOT_UTF8 = "not-utf8" as NotUtf8 {
        severity: Error,
        summary: "the file is not UTF-8 text",
        fix: None, "no automatic fix yet",
    }
    EMPTY_FILE = "empty-file" as EmptyFile {
        severity: Error,
        summary: "the file is empty",
        fix: None, "no automatic fix yet",
    }
    SCHEMA = "schema" as Schema {
        severity: Error,
        summary: "the value does not match the kind's JSON Schema and no plugin rule explains it",
        fix: None, "no automatic fix yet",
    }
    UNKNOWN_FILE = "unknown-file" as UnknownFile {
        severity: Warning,
        summary: "the path matches no file the plugin writes or reads",
        fix: None, "no automatic fix yet",
    }
    UNREADABLE = "unreadable" as Unreadable {
        severity: Error,
        summary: "the file or folder cannot be read",
        fix: None, "no automatic fix yet",
    }
    NOT_A_FILE = "not-a-file" as NotAFile {
        severity: Error,
        summary: "a folder or special file sits where the plugin expects a file",
        fix: None, "no automatic fix yet",
    }
    SYMLINK_OUTSIDE = "symlink-outside" as SymlinkOutside {
        severity: Error,
        summary: "a symbolic link points outside the data directory",
        fix: None, "no automatic fix yet",
    }
    FILE_TOO_LARGE = "file-too-large" as FileTooLarge {
        severity: Error,
        summary: "the file is too large to be one the plugin wrote",
        fix: None, "no automatic fix yet",
    }
    DUPLICATE_KEY = "duplicate-key" as DuplicateKey {
        severity: Error,
        summary: "a key appears twice in an object: JSON.parse keeps the last value",
        fix: None, "no automatic fix yet",
    }
    INSTANCE_UNKNOWN = "instance-unknown" as InstanceUnknown {
        severity: Warning,
        summary: "the instance host is unknown, so the checks that need it were skipped",
        fix: None, "no automatic fix yet",
    }
    // Per-file rules: how the plugin reads a value.
    VIDEO_INFOS_NO_CONNECTION = "video-infos-no-connection" as VideoInfosNoConnection {
        severity: Error,
        summary: "a remote video's chat infos with no connection method the plugin can use: the chat disappears",
        fix: None, "no automatic fix yet",
    }
    WRONG_TYPE = "wrong-type" as WrongType {
        severity: Error,
        summary: "a value has a type the plugin refuses",
        fix: None, "no automatic fix yet",
    }
    MISSING_FIELD = "missing-field" as MissingField {
        severity: Error,
        summary: "a field the plugin requires is missing",
        fix: None, "no automatic fix yet",
    }
    OUT_OF_RANGE = "out-of-range" as OutOfRange {
        severity: Error,
        summary: "a number is outside the range the plugin accepts",
        fix: None, "no automatic fix yet",
    }
    INVALID_VALUE = "invalid-value" as InvalidValue {
        severity: Error,
        summary: "a value the plugin refuses or cannot use",
        fix: None, "no automatic fix yet",
    }
    NON_CANONICAL_INTEGER = "non-canonical-integer" as NonCanonicalInteger {
        severity: Warning,
        summary: "an integer written as a string or a float: the plugin reads it with parseInt or Math.trunc",
        fix: None, "no automatic fix yet",
    }
    NON_CANONICAL_VALUE = "non-canonical-value" as NonCanonicalValue {
        severity: Warning,
        summary: "a value the plugin reads but normalises (case, coercion) and never writes as such",
        fix: None, "no automatic fix yet",
    }
    TRUTHY_COERCION = "truthy-coercion" as TruthyCoercion {
        severity: Warning,
        summary: "a non-boolean the reader coerces with `!!`: say what it becomes",
        fix: None, "no automatic fix yet",
    }
    FALSY_DROPPED = "falsy-dropped" as FalsyDropped {
        severity: Warning,
        summary: "a falsy optional value the plugin silently drops",
        fix: None, "no automatic fix yet",
    }
    NULL_DEFAULTED = "null-defaulted" as NullDefaulted {
        severity: Warning,
        summary: "a null the plugin replaces by its default",
        fix: None, "no automatic fix yet",
    }
    CONTROL_CHARS = "control-chars" as ControlChars {
        severity: Warning,
        summary: "control characters the plugin strips",
        fix: None, "no automatic fix yet",
    }
    TRAILING_CHAR_STRIPPED = "trailing-char-stripped" as TrailingCharStripped {
        severity: Error,
        summary: "a trailing character the plugin strips from the bot's nickname",
        fix: None, "no automatic fix yet",
    }
    WHITESPACE_REMOVED = "whitespace-removed" as WhitespaceRemoved {
        severity: Error,
        summary: "whitespace the plugin removes from a command name",
        fix: None, "no automatic fix yet",
    }
    EMPTY_ENTRY_DROPPED = "empty-entry-dropped" as EmptyEntryDropped {
        severity: Warning,
        summary: "an empty or whitespace-only entry the plugin drops",
        fix: None, "no automatic fix yet",
    }
    UNKNOWN_KEY = "unknown-key" as UnknownKey {
        severity: Warning,
        summary: "a key the plugin (or the bot) ignores",
        fix: None, "no automatic fix yet",
    }
    LEGACY_SHAPE = "legacy-shape" as LegacyShape {
        severity: Warning,
        summary: "an older shape v14 still reads (never written by v14)",
        fix: None, "no automatic fix yet",
    }
    TERMS_TOO_LONG = "terms-too-long" as TermsTooLong {
        severity: Error,
        summary: "the channel terms exceed 400 UTF-16 code units",
        fix: None, "no automatic fix yet",
    }
    REGEXP_INVALID = "regexp-invalid" as RegexpInvalid {
        severity: Error,
        summary: "a regular expression JavaScript cannot compile",
        fix: None, "no automatic fix yet",
    }
    REGEXP_JOIN_INVALID = "regexp-join-invalid" as RegexpJoinInvalid {
        severity: Error,
        summary: "regular expressions that compile alone but not once joined by the plugin",
        fix: None, "no automatic fix yet",
    }
    REGEXP_UNVERIFIABLE = "regexp-unverifiable" as RegexpUnverifiable {
        severity: Warning,
        summary: "a regular expression this tool cannot judge exactly (the `v` flag's set syntax)",
        fix: None, "no automatic fix yet",
    }
    REGEXP_FLAGS_INVALID = "regexp-flags-invalid" as RegexpFlagsInvalid {
        severity: Error,
        summary: "regular expression flags JavaScript refuses",
        fix: None, "no automatic fix yet",
    }
    ENTRY_DROPPED = "entry-dropped" as EntryDropped {
        severity: Error,
        summary: "an array entry the reader skips",
        fix: None, "no automatic fix yet",
    }
    FIELD_DROPPED = "field-dropped" as FieldDropped {
        severity: Error,
        summary: "a field the reader drops because it is invalid",
        fix: None, "no automatic fix yet",
    }
    HOST_INVALID = "host-invalid" as HostInvalid {
        severity: Error,
        summary: "a host the plugin refuses",
        fix: None, "no automatic fix yet",
    }
    URL_INVALID = "url-invalid" as UrlInvalid {
        severity: Error,
        summary: "a URL the plugin or Prosody cannot use",
        fix: None, "no automatic fix yet",
    }
    TIMESTAMP_INVALID = "timestamp-invalid" as TimestampInvalid {
        severity: Error,
        summary: "a last-update timestamp the plugin treats as missing (it re-fetches)",
        fix: None, "no automatic fix yet",
    }
    TIMESTAMP_SUSPICIOUS = "timestamp-suspicious" as TimestampSuspicious {
        severity: Warning,
        summary: "a last-update timestamp that is not an integer or lies in the future",
        fix: None, "no automatic fix yet",
    }
    HANDLER_SKIPPED = "handler-skipped" as HandlerSkipped {
        severity: Error,
        summary: "a bot handler the bot drops with an error (no type, no id, unknown type): it never runs",
        fix: None, "no automatic fix yet",
    }
    HANDLER_INVALID = "handler-invalid" as HandlerInvalid {
        severity: Error,
        summary: "a bot handler whose options make the bot throw",
        fix: None, "no automatic fix yet",
    }
    DUPLICATE_HANDLER_ID = "duplicate-handler-id" as DuplicateHandlerId {
        severity: Error,
        summary: "two handlers share an id: the second only reloads the first",
        fix: None, "no automatic fix yet",
    }
    SYNC_CRASH = "sync-crash" as SyncCrash {
        severity: Error,
        summary: "a room file that makes the plugin's room sync throw (the whole batch fails)",
        fix: None, "no automatic fix yet",
    }
    EMOJI_URL_INVALID = "emoji-url-invalid" as EmojiUrlInvalid {
        severity: Error,
        summary: "an emoji URL the plugin refuses on save",
        fix: None, "no automatic fix yet",
    }
    EMOJI_SHORTNAME_INVALID = "emoji-shortname-invalid" as EmojiShortnameInvalid {
        severity: Error,
        summary: "an emoji short name the plugin refuses",
        fix: None, "no automatic fix yet",
    }
    EMOJI_TOO_MANY = "emoji-too-many" as EmojiTooMany {
        severity: Error,
        summary: "more than 200 custom emojis",
        fix: None, "no automatic fix yet",
    }
    EMOJI_DUPLICATE_SHORTNAME = "emoji-duplicate-shortname" as EmojiDuplicateShortname {
        severity: Error,
        summary: "an emoji short name used twice (the last one wins in the chat)",
        fix: None, "no automatic fix yet",
    }
    TOKEN_UNDECRYPTABLE = "token-undecryptable" as TokenUndecryptable {
        severity: Error,
        summary: "an encrypted token the plugin cannot decrypt: the whole file is unusable",
        fix: None, "no automatic fix yet",
    }
    TOKEN_DUPLICATE_ID = "token-duplicate-id" as TokenDuplicateId {
        severity: Warning,
        summary: "two tokens share an id",
        fix: None, "no automatic fix yet",
    }
    FILE_NAME_NOT_CANONICAL = "file-name-not-canonical" as FileNameNotCanonical {
        severity: Warning,
        summary: "a file or folder name the plugin never builds, so it never reads the file",
        fix: None, "no automatic fix yet",
    }
    FILE_NAME_MISMATCH = "file-name-mismatch" as FileNameMismatch {
        severity: Error,
        summary: "a file name that disagrees with the file's content",
        fix: None, "no automatic fix yet",
    }
    ROOM_DOMAIN_MISMATCH = "room-domain-mismatch" as RoomDomainMismatch {
        severity: Error,
        summary: "a bot room file whose domain is not its folder's MUC domain",
        fix: None, "no automatic fix yet",
    }
    ROOM_LOCAL_INVALID = "room-local-invalid" as RoomLocalInvalid {
        severity: Error,
        summary: "a room-channel entry that is neither a video UUID nor channel.N",
        fix: None, "no automatic fix yet",
    }
    ROOM_DUPLICATE_IN_CHANNEL = "room-duplicate-in-channel" as RoomDuplicateInChannel {
        severity: Warning,
        summary: "a room listed twice under one channel",
        fix: None, "no automatic fix yet",
    }
    ROOM_CHANNEL_DATA_LOST = "room-channel-data-lost" as RoomChannelDataLost {
        severity: Error,
        summary: "a room-channel file the plugin reads as empty: every link is lost",
        fix: None, "no automatic fix yet",
    }
    // Cross-file rules.
    OTHER_MUC_DOMAIN = "other-muc-domain" as OtherMucDomain {
        severity: Warning,
        summary: "files of a MUC domain other than the instance's: leftovers of a domain change",
        fix: None, "no automatic fix yet",
    }
    ROOM_NOT_LINKED = "room-not-linked" as RoomNotLinked {
        severity: Error,
        summary: "an enabled bot room file whose room no channel lists in room-channel",
        fix: None, "no automatic fix yet",
    }
    ROOM_CHANNEL_NO_CONFIG = "room-channel-no-config" as RoomChannelNoConfig {
        severity: Error,
        summary: "an enabled bot room file linked to a channel without a valid configuration",
        fix: None, "no automatic fix yet",
    }
    ROOM_BOT_DISABLED = "room-bot-disabled" as RoomBotDisabled {
        severity: Error,
        summary: "an enabled bot room file linked to a channel whose bot is disabled",
        fix: None, "no automatic fix yet",
    }
    ROOM_LISTED_BUT_DISABLED = "room-listed-but-disabled" as RoomListedButDisabled {
        severity: Warning,
        summary: "a room linked to a channel with the bot enabled, but its room file is disabled",
        fix: None, "no automatic fix yet",
    }
    ROOM_OUT_OF_DATE = "room-out-of-date" as RoomOutOfDate {
        severity: Warning,
        summary: "a bot room file that differs from what the plugin regenerates from the channel",
        fix: None, "no automatic fix yet",
    }
    ROOM_UNDER_TWO_CHANNELS = "room-under-two-channels" as RoomUnderTwoChannels {
        severity: Error,
        summary: "a room listed under two channels",
        fix: None, "no automatic fix yet",
    }
    ROOM_SHAPES_MIXED = "room-shapes-mixed" as RoomShapesMixed {
        severity: Warning,
        summary: "video and channel room names mixed (leftovers of a room type change)",
        fix: None, "no automatic fix yet",
    }
    ROOM_CHANNEL_KEY_MISMATCH = "room-channel-key-mismatch" as RoomChannelKeyMismatch {
        severity: Error,
        summary: "a channel.N room listed under another channel than N",
        fix: None, "no automatic fix yet",
    }
    ROOM_TYPE_MISMATCH = "room-type-mismatch" as RoomTypeMismatch {
        severity: Warning,
        summary: "a room name of the other room type than the instance's setting",
        fix: None, "no automatic fix yet",
    }
    EMOJI_FILE_MISSING = "emoji-file-missing" as EmojiFileMissing {
        severity: Error,
        summary: "an emoji URL whose file does not exist",
        fix: None, "no automatic fix yet",
    }
    EMOJI_FILE_ORPHAN = "emoji-file-orphan" as EmojiFileOrphan {
        severity: Warning,
        summary: "an emoji file no entry references (deleted at the next save)",
        fix: None, "no automatic fix yet",
    }
    EMOJI_FILE_TOO_LARGE = "emoji-file-too-large" as EmojiFileTooLarge {
        severity: Warning,
        summary: "an emoji file over 30720 bytes",
        fix: None, "no automatic fix yet",
    }
    EMOJI_FILE_CONTENT = "emoji-file-content" as EmojiFileContent {
        severity: Warning,
        summary: "an emoji file whose content does not match its extension",
        fix: None, "no automatic fix yet",
    }
    EMOJI_FILE_NAME_INVALID = "emoji-file-name-invalid" as EmojiFileNameInvalid {
        severity: Warning,
        summary: "an emoji file name the plugin never serves",
        fix: None, "no automatic fix yet",
    }
    EMOJI_FILES_WITHOUT_DEFINITION = "emoji-files-without-definition" as EmojiFilesWithoutDefinition {
        severity: Warning,
        summary: "emoji files without a definition.json: the plugin serves none of them",
        fix: None, "no automatic fix yet",
    }
    BOT_DOMAIN_MISMATCH = "bot-domain-mismatch" as BotDomainMismatch {
        severity: Error,
        summary: "moderation.json's connection.domain is not the instance's bot domain",
        fix: None, "no automatic fix yet",
    }
    BOT_MODERATION_MISSING = "bot-moderation-missing" as BotModerationMissing {
        severity: Warning,
        summary: "bot room files without moderation.json (regenerated at the next start)",
        fix: None, "no automatic fix yet",
    }
    TOKEN_OTHER_DOMAIN = "token-other-domain" as TokenOtherDomain {
        severity: Warning,
        summary: "a token file of another domain: never looked up",
        fix: None, "no automatic fix yet",
    }
    VIDEO_INFOS_JID_MISMATCH = "video-infos-jid-mismatch" as VideoInfosJidMismatch {
        severity: Warning,
        summary: "a local videoInfos JID that does not match the instance or the room type",
        fix: None, "no automatic fix yet",
    }
    VIDEO_INFOS_HOST_MISMATCH = "video-infos-host-mismatch" as VideoInfosHostMismatch {
        severity: Error,
        summary: "a videoInfos host or URL that does not match its folder or the instance",
        fix: None, "no automatic fix yet",
    }
}

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
