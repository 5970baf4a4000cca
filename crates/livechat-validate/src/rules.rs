//! Per-kind rules: what the plugin (and the bot) do when they read a file, as
//! findings with the plugin's severity, plus the digest the cross-file rules need.
//!
//! The engine hands every parsed document to [`check_document`] together with the
//! JSON Schema errors it found. The rules decide what the plugin makes of the
//! file. Every schema error whose instance pointer is at or below one of
//! [`DocumentCheck::covered`] is considered explained by a finding here and is not
//! reported again; any other schema error is reported by the engine as an error
//! (code `schema`). So a deviation the plugin tolerates must be covered here, with a
//! warning that says what the plugin actually reads.
//!
//! Each kind has a module that walks the document the way the plugin's reader does
//! (`channel`: `sanitize.ts`; `bot`: xmppjs-chat-bot's `readRoomConf` and handlers;
//! `federation`: `federation/sanitize.ts`, `storage.ts` and the Lua modules;
//! `room_channel`, `emojis`, `tokens`), with the JavaScript semantics of [`js`].
//! The rules never read the file system and never quote a secret.

use std::collections::{HashMap, HashSet};

use livechat_schema::{Kind, PathParams};
use serde_json::Value;

use crate::{Finding, Severity, ValidateOptions};

mod bot;
mod channel;
mod emojis;
mod federation;
pub mod js;
mod room_channel;
pub(crate) mod roomconf;
mod tokens;

/// Where a document sits, and the run's options.
#[derive(Debug, Clone, Copy)]
pub struct FileContext<'a> {
    /// The path relative to the data directory, `/` separators.
    pub rel_path: &'a str,
    pub kind: Kind,
    pub params: &'a PathParams,
    pub options: &'a ValidateOptions,
}

/// One schema error, owned (converted at the boundary from `jsonschema`'s error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// The JSON pointer of the failing value.
    pub pointer: String,
    /// The failing keyword (`type`, `required`, `pattern`, ...).
    pub keyword: String,
    /// The validator's message; it may quote the value, so never show it for a secret.
    pub message: String,
}

/// What the rules make of one parsed document.
#[derive(Debug, Clone, Default)]
pub struct DocumentCheck {
    pub findings: Vec<Finding>,
    /// Pointers whose schema errors the findings already explain.
    pub covered: Vec<String>,
    /// The compact facts the cross-file rules need (None when the kind needs none or
    /// the plugin would not read the file).
    pub digest: Option<Digest>,
}

/// The facts about one file that cross-file rules use. Kept small: the engine holds
/// one per file for the whole run.
#[derive(Debug, Clone, PartialEq)]
pub enum Digest {
    ChannelConfig(ChannelConfigDigest),
    RoomChannel(RoomChannelDigest),
    BotRoom(BotRoomDigest),
    BotModeration(BotModerationDigest),
    Emojis(EmojisDigest),
}

/// A channel configuration, as `RoomChannel.sync` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelConfigDigest {
    /// Whether `sanitizeChannelConfigurationOptions` accepts the file.
    pub valid: bool,
    /// `bot.enabled` after sanitising (false when invalid).
    pub bot_enabled: bool,
    /// Fingerprints of the room file content the plugin generates from this
    /// configuration ([`roomconf`]), with the setting `enable-users-regexp` on and off.
    pub expected: [u64; 2],
}

/// `room-channel/<muc>.json` as `RoomChannel._readData` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomChannelDigest {
    /// Whether the plugin reads the file as a map (false: it rebuilds it).
    pub readable: bool,
    /// Channel id, the room local parts listed (string entries only), in the order
    /// the plugin iterates the keys.
    pub channels: Vec<(u64, Vec<Box<str>>)>,
}

/// A bot room file, as the bot reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotRoomDigest {
    /// `local` when the bot accepts the file.
    pub local: Option<Box<str>>,
    /// `domain` when the bot accepts the file.
    pub domain: Option<Box<str>>,
    /// Whether the bot loads the file at all (it is JSON with `local` and `domain`).
    pub loaded: bool,
    /// `!!(enabled ?? true)`.
    pub enabled: bool,
    /// Fingerprint of the nick and enabled handlers ([`roomconf`]).
    pub fingerprint: u64,
}

/// `bot/<muc>/moderation.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotModerationDigest {
    /// `connection.domain`, when a string.
    pub domain: Option<Box<str>>,
}

/// `emojis/channel/<N>/definition.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmojisDigest {
    /// The file names the entries reference (last URL path segment), with the index
    /// of the entry.
    pub files: Vec<(u32, Box<str>)>,
}

/// How a finding relates to schema errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Explains {
    /// It explains every schema error at or below its pointer.
    Subtree,
    /// It explains none (a note about the file as a whole, a legacy shape).
    Nothing,
    /// It is about a missing key of the object at its pointer: it explains the
    /// `required` error naming that key, and structural errors at or above it.
    Required(&'static str),
}

/// The findings of one document, as the kind modules build them.
#[derive(Debug, Default)]
pub(crate) struct Out {
    items: Vec<(Finding, Explains)>,
}

impl Out {
    pub fn error(&mut self, code: &'static str, ptr: &str, msg: impl Into<String>) -> &mut Finding {
        self.push(Finding::error(code, ptr, msg), Explains::Subtree)
    }

    pub fn warn(&mut self, code: &'static str, ptr: &str, msg: impl Into<String>) -> &mut Finding {
        self.push(Finding::warning(code, ptr, msg), Explains::Subtree)
    }

    /// A warning that explains no schema error.
    pub fn note(&mut self, code: &'static str, ptr: &str, msg: impl Into<String>) -> &mut Finding {
        self.push(Finding::warning(code, ptr, msg), Explains::Nothing)
    }

    /// A `truthy-coercion` finding for the non-boolean `v` the reader reads as `read`:
    /// an error when that inverts what `v` evidently says (`[false]`, `"false"`,
    /// `{"value": false}` read as true), a warning otherwise (`1` read as true).
    pub fn coercion(&mut self, ptr: &str, v: &Value, read: bool, msg: String) -> &mut Finding {
        if js::evident_bool(v) == Some(!read) {
            self.error(
                crate::codes::TRUTHY_COERCION,
                ptr,
                format!("{msg}, the opposite of what the value says"),
            )
        } else {
            self.warn(crate::codes::TRUTHY_COERCION, ptr, msg)
        }
    }

    /// A finding about the missing key `key` of the object at `ptr`.
    pub fn missing(
        &mut self,
        severity: Severity,
        code: &'static str,
        ptr: &str,
        key: &'static str,
        msg: impl Into<String>,
    ) -> &mut Finding {
        let f = match severity {
            Severity::Error => Finding::error(code, ptr, msg),
            Severity::Warning => Finding::warning(code, ptr, msg),
        };
        self.push(f, Explains::Required(key))
    }

    fn push(&mut self, f: Finding, e: Explains) -> &mut Finding {
        self.items.push((f, e));
        let last = self.items.len() - 1;
        &mut self.items[last].0
    }

    pub fn has_error(&self) -> bool {
        self.items
            .iter()
            .any(|(f, _)| f.severity == Severity::Error)
    }

    pub fn has_error_except(&self, code: &str) -> bool {
        self.items
            .iter()
            .any(|(f, _)| f.severity == Severity::Error && f.code != code)
    }

    /// Whether an error carries the help `help` (a kind module marks the findings of
    /// a reader's `throw` with one help text, to tell them from errors about values
    /// it reads otherwise than written).
    pub fn has_error_with_help(&self, help: &str) -> bool {
        self.items
            .iter()
            .any(|(f, _)| f.severity == Severity::Error && f.help.as_deref() == Some(help))
    }

    /// Warnings for every key of `obj` not in `known`.
    pub fn unknown_keys(&mut self, obj: &Value, ptr: &str, known: &[&str], who: &str) {
        if let Value::Object(m) = obj {
            for k in m.keys() {
                if !known.contains(&k.as_str()) {
                    self.warn(
                        crate::codes::UNKNOWN_KEY,
                        &child(ptr, k),
                        format!("unknown key `{k}`: {who} ignores it"),
                    );
                }
            }
        }
    }
}

/// `ptr` + `/` + the escaped `key`.
pub(crate) fn child(ptr: &str, key: &str) -> String {
    let mut s = String::with_capacity(ptr.len() + key.len() + 1);
    s.push_str(ptr);
    s.push('/');
    for c in key.chars() {
        match c {
            '~' => s.push_str("~0"),
            '/' => s.push_str("~1"),
            c => s.push(c),
        }
    }
    s
}

/// `ptr` + `/` + `i`.
pub(crate) fn idx(ptr: &str, i: usize) -> String {
    format!("{ptr}/{i}")
}

/// Keywords that judge an object or array as a whole: a finding below the failing
/// value may explain them.
const STRUCTURAL: &[&str] = &[
    "required",
    "additionalProperties",
    "unevaluatedProperties",
    "propertyNames",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "dependentRequired",
    "minProperties",
    "maxProperties",
    "uniqueItems",
    "maxItems",
    "minItems",
    "contains",
    "additionalItems",
    "unevaluatedItems",
    "falseSchema",
];

/// Which schema errors the findings explain: the pointers to mark covered.
fn covered_pointers(items: &[(Finding, Explains)], errors: &[SchemaError]) -> Vec<String> {
    if errors.is_empty() {
        return Vec::new();
    }
    // Index the findings so that each error is judged in O(depth), whatever the
    // number of findings (a room-channel file may list thousands of rooms).
    let mut subtree: HashSet<&str> = HashSet::new();
    let mut below: HashSet<&str> = HashSet::new();
    let mut required: HashMap<&str, Vec<&str>> = HashMap::new();
    for (f, how) in items {
        let fp = f.pointer.as_str();
        match how {
            Explains::Nothing => continue,
            Explains::Subtree => {
                subtree.insert(fp);
            }
            Explains::Required(key) => required.entry(fp).or_default().push(key),
        }
        for anc in ancestors(fp) {
            below.insert(anc);
        }
    }
    let explained: Vec<bool> = errors
        .iter()
        .map(|err| {
            let p = err.pointer.as_str();
            if ancestors(p).any(|a| subtree.contains(a)) {
                return true;
            }
            if err.keyword == "required" {
                // `"key" is a required property`: a finding about that key explains it.
                let key = err.message.split('"').nth(1).unwrap_or("");
                return required.get(p).is_some_and(|keys| keys.contains(&key))
                    || subtree.contains(child(p, key).as_str());
            }
            STRUCTURAL.contains(&err.keyword.as_str()) && below.contains(p)
        })
        .collect();
    let mut unexplained_at_or_below: HashSet<&str> = HashSet::new();
    for (err, ok) in errors.iter().zip(&explained) {
        if !ok {
            unexplained_at_or_below.extend(ancestors(&err.pointer));
        }
    }
    let mut covered: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for (err, ok) in errors.iter().zip(&explained) {
        let p = err.pointer.as_str();
        if *ok && !unexplained_at_or_below.contains(p) && seen.insert(p) {
            covered.push(p.to_owned());
        }
    }
    covered
}

/// `p` and every pointer above it, up to `""`.
fn ancestors(p: &str) -> impl Iterator<Item = &str> {
    let mut next = Some(p);
    std::iter::from_fn(move || {
        let cur = next?;
        next = cur.rfind('/').map(|i| &cur[..i]);
        Some(cur)
    })
}

/// Checks one parsed document. `schema_errors` are all the schema errors of the
/// document (empty when it matches its schema).
pub fn check_document(
    value: &Value,
    schema_errors: &[SchemaError],
    ctx: &FileContext<'_>,
) -> DocumentCheck {
    let mut out = Out::default();
    let digest = match ctx.kind {
        Kind::ServerInfosLastUpdate => {
            federation::last_update(value, &mut out);
            None
        }
        Kind::ServerInfosS2s => {
            federation::s2s(value, schema_errors, &mut out);
            None
        }
        Kind::ServerInfosWsS2s => {
            federation::ws_s2s(value, &mut out);
            None
        }
        Kind::VideoInfosRemote => {
            federation::video_infos(value, ctx, false, &mut out);
            None
        }
        Kind::VideoInfosLocal => {
            federation::video_infos(value, ctx, true, &mut out);
            None
        }
        Kind::ChannelConfigurationOptions => Some(channel::check(value, ctx, &mut out)),
        Kind::RoomChannel => Some(room_channel::check(value, ctx, &mut out)),
        Kind::BotModeration => Some(bot::moderation(value, &mut out)),
        Kind::BotRoom => Some(bot::room(value, schema_errors, ctx, &mut out)),
        Kind::EmojisDefinition => Some(emojis::check(value, ctx, &mut out)),
        Kind::Tokens => {
            tokens::check(value, &mut out);
            None
        }
        Kind::Inventory | Kind::ValidationReport => None,
    };
    place_rules(ctx, &mut out);
    let covered = covered_pointers(&out.items, schema_errors);
    DocumentCheck {
        findings: out.items.into_iter().map(|(f, _)| f).collect(),
        covered,
        digest,
    }
}

/// File-name rules, and the downgrade of files the plugin never reads: a finding in
/// a file nobody reads cannot be an error.
fn place_rules(ctx: &FileContext<'_>, out: &mut Out) {
    let Some(why) = never_read(ctx, out) else {
        return;
    };
    for (f, _) in &mut out.items {
        if f.severity == Severity::Error {
            f.severity = Severity::Warning;
            f.message = format!("{} (not an error: {why})", f.message);
        }
    }
}

/// Why the plugin never reads this file, if it never does; reports the file name.
fn never_read(ctx: &FileContext<'_>, out: &mut Out) -> Option<String> {
    use crate::codes::{FILE_NAME_NOT_CANONICAL, OTHER_MUC_DOMAIN, TOKEN_OTHER_DOMAIN};
    use livechat_schema::names;
    let p = ctx.params;
    let instance = ctx.options.instance.as_ref();
    match ctx.kind {
        Kind::ChannelConfigurationOptions => {
            let id = p.channel_id.as_deref().unwrap_or("1");
            if !names::is_canonical_channel_id(id) {
                out.note(
                    FILE_NAME_NOT_CANONICAL,
                    "",
                    format!("`{id}.json` is not a canonical channel id file name: the plugin only opens `String(parseInt(id)).json`, so it never reads this file"),
                );
                return Some("the plugin never reads this file".to_owned());
            }
        }
        Kind::VideoInfosLocal | Kind::VideoInfosRemote => {
            let uuid = p
                .uuid
                .as_deref()
                .unwrap_or("00000000-0000-4000-8000-000000000000");
            if !names::is_canonical_uuid(uuid) {
                out.note(
                    FILE_NAME_NOT_CANONICAL,
                    "",
                    format!("`{uuid}` is not a canonical lower-case video UUID: the plugin looks files up by `video.uuid`, so it never reads this file"),
                );
                return Some("the plugin never reads this file".to_owned());
            }
            if ctx.kind == Kind::VideoInfosRemote {
                let host = p.host.as_deref().unwrap_or("example.com");
                if !names::is_normalized_host(host) {
                    out.note(
                        FILE_NAME_NOT_CANONICAL,
                        "",
                        format!("the host folder `{host}` is not a normalised host name (lower case, no port): the plugin never looks it up"),
                    );
                    return Some("the plugin never reads this file".to_owned());
                }
            }
        }
        Kind::ServerInfosLastUpdate | Kind::ServerInfosWsS2s | Kind::ServerInfosS2s => {
            let host = p.host.as_deref().unwrap_or("example.com");
            if !names::is_normalized_host(host) {
                out.note(
                    FILE_NAME_NOT_CANONICAL,
                    "",
                    format!("the host folder `{host}` is not a normalised host name (lower case, no port): the plugin and Prosody never look it up"),
                );
                return Some("nobody reads this file".to_owned());
            }
        }
        Kind::RoomChannel | Kind::BotModeration | Kind::BotRoom => {
            if let (Some(inst), Some(muc)) = (instance, p.muc_domain.as_deref()) {
                if muc != inst.muc_domain() {
                    // The cross-file rules report the leftover domain once.
                    let _ = OTHER_MUC_DOMAIN;
                    return Some(format!(
                        "`{muc}` is not the instance's MUC domain, so the plugin and the bot never read it"
                    ));
                }
            }
        }
        Kind::Tokens => {
            if p.host.is_none() {
                out.note(
                    FILE_NAME_NOT_CANONICAL,
                    "",
                    "the file name has no `@<host>`: the plugin looks tokens up as `<user>@<instance host>.json`, so it never reads this file",
                );
                return Some("the plugin never reads this file".to_owned());
            }
            if let (Some(inst), Some(host)) = (instance, p.host.as_deref()) {
                if host != inst.host {
                    let _ = TOKEN_OTHER_DOMAIN;
                    return Some(
                        "the file is for another domain and is never looked up".to_owned(),
                    );
                }
            }
            let user = p.user.as_deref().unwrap_or("");
            if user.chars().any(|c| c.is_uppercase()) {
                out.note(
                    FILE_NAME_NOT_CANONICAL,
                    "",
                    "the user part of the file name has upper-case letters: the plugin looks tokens up by the lower-cased user name, so it never reads this file",
                );
                return Some("the plugin never reads this file".to_owned());
            }
        }
        Kind::EmojisDefinition => {
            let id = p.channel_id.as_deref().unwrap_or("1");
            if !names::is_canonical_channel_id(id) {
                out.note(
                    FILE_NAME_NOT_CANONICAL,
                    "",
                    format!("`{id}` is not a canonical channel id: the plugin builds emoji paths from the numeric id, so it never reads this folder"),
                );
                return Some("the plugin never reads this file".to_owned());
            }
        }
        Kind::Inventory | Kind::ValidationReport => {}
    }
    None
}

/// `Emojis.validImageFileName`: digits, a dot and `png`, `jpg`, `jpeg` or `gif`.
pub fn valid_image_file_name(name: &str) -> bool {
    emojis::valid_image_file_name(name)
}

/// The content of an emoji image (its first bytes suffice) against its extension:
/// the plugin never checks it, but could not have produced a mismatch. The engine
/// calls it for every `emojis/channel/<N>/files/<name>`.
pub fn check_emoji_image(file_name: &str, head: &[u8]) -> Option<Finding> {
    let ext = file_name.rsplit_once('.').map(|(_, e)| e)?;
    let (expected, ok) = match ext {
        "png" => ("PNG", head.starts_with(b"\x89PNG\r\n\x1a\n")),
        "jpg" | "jpeg" => ("JPEG", head.starts_with(&[0xFF, 0xD8, 0xFF])),
        "gif" => (
            "GIF",
            head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
        ),
        _ => return None,
    };
    (!ok).then(|| {
        Finding::warning(
            crate::codes::EMOJI_FILE_CONTENT,
            "",
            format!("the file's content is not {expected}, as its `.{ext}` extension says: browsers may refuse to show it"),
        )
    })
}

/// The severity of a file of `kind` that is not JSON at all (empty, truncated, not
/// UTF-8): what the plugin does when its `JSON.parse` fails.
pub fn unparsable_severity(kind: Kind) -> Severity {
    match kind {
        // Prosody only checks that `s2s` exists, but the plugin writes it only with a
        // direct server-to-server port: a file it never wrote still makes Prosody
        // skip the host's WebSocket link, so it is an error like the others.
        Kind::ServerInfosS2s
        | Kind::ServerInfosLastUpdate
        | Kind::ServerInfosWsS2s
        | Kind::VideoInfosRemote
        | Kind::VideoInfosLocal
        | Kind::ChannelConfigurationOptions
        | Kind::RoomChannel
        | Kind::BotModeration
        | Kind::BotRoom
        | Kind::EmojisDefinition
        | Kind::Tokens
        | Kind::Inventory
        | Kind::ValidationReport => Severity::Error,
    }
}

/// What a JSON parse failure means, in words, per kind (for the engine's message).
pub fn unparsable_effect(kind: Kind) -> &'static str {
    match kind {
        Kind::ServerInfosLastUpdate => {
            "the plugin treats the remote's infos as missing and fetches them again"
        }
        Kind::ServerInfosS2s => {
            "Prosody only checks that the file exists: it then leaves this host to legacy server-to-server connections and never uses its WebSocket link, although the plugin writes this file only with a direct server-to-server port"
        }
        Kind::ServerInfosWsS2s => {
            "Prosody falls back to legacy server-to-server connections, which usually fail between PeerTube instances"
        }
        Kind::VideoInfosRemote | Kind::VideoInfosLocal => {
            "the plugin treats the video as having no chat"
        }
        Kind::ChannelConfigurationOptions => {
            "the plugin throws: rooms of this channel cannot be created and its bot is disabled"
        }
        Kind::RoomChannel => "the plugin rebuilds the file from Prosody's rooms at its next start",
        Kind::BotModeration => "the bot cannot start and Prosody refuses its logins",
        Kind::BotRoom => "the bot skips the file",
        Kind::EmojisDefinition => "the plugin throws: rooms of this channel cannot be created",
        Kind::Tokens => "the plugin throws: every token of this user stops working",
        Kind::Inventory | Kind::ValidationReport => "the document cannot be read",
    }
}
