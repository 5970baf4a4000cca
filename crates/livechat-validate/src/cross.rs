//! Cross-file rules: room-channel against bot room files against channel
//! configurations, emoji definitions against their files, other MUC domains, token
//! files of another domain, the bot's credentials against the instance.
//!
//! The engine indexes every path it saw ([`IndexedFile`]); [`check`] works only on
//! that index and the digests of [`crate::rules`], never on the file system. (The
//! content of emoji images is judged per file by [`crate::rules::check_emoji_image`],
//! which the engine calls with the first bytes of each image.) Rules that need the
//! instance host are listed by [`checks_needing_instance`] and skipped without it.

use std::collections::{BTreeMap, HashMap, HashSet};

use livechat_schema::{Entry, Kind, names};

use crate::codes::*;
use crate::rules::{BotRoomDigest, ChannelConfigDigest, Digest, EmojisDigest, RoomChannelDigest};
use crate::{Finding, ValidateOptions, work};

/// One path of the data directory, as the engine saw it. Kept compact (the engine
/// holds one per path for the whole run, a million on a large instance): the path
/// once, what the registry says it is without the parameters (re-read from the path
/// by [`IndexedFile::entry`] for the few kinds the rules need them for), and the
/// digest boxed (most files have none).
#[derive(Debug, Clone)]
pub struct IndexedFile {
    /// Relative to the data directory, `/` separators.
    pub rel_path: Box<str>,
    /// What the registry says the path is.
    pub class: FileClass,
    /// The file's size in bytes.
    pub size: u64,
    /// Whether the file parsed as JSON (always false for non-JSON entries).
    pub parsed: bool,
    /// The rules' digest of the file, if any.
    pub digest: Option<Box<Digest>>,
}

impl IndexedFile {
    /// What the registry says the path is, with its parameters.
    pub fn entry(&self) -> Entry {
        livechat_schema::classify(&self.rel_path)
    }
}

/// An [`Entry`] without its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileClass {
    Document(Kind),
    EmojiImage,
    Marker,
    AdminSwitch,
    Prosody,
    Unknown,
}

impl FileClass {
    pub fn of(entry: &Entry) -> FileClass {
        match entry {
            Entry::Document { kind, .. } => FileClass::Document(*kind),
            Entry::EmojiImage { .. } => FileClass::EmojiImage,
            Entry::Marker(_) => FileClass::Marker,
            Entry::AdminSwitch(_) => FileClass::AdminSwitch,
            Entry::Prosody => FileClass::Prosody,
            Entry::Unknown => FileClass::Unknown,
        }
    }
}

/// The MUC domain of `bot/<muc>/...` (the registry's pattern for bot files).
fn bot_muc(rel: &str) -> &str {
    rel.split('/').nth(1).unwrap_or("")
}

/// The codes of the checks skipped when the instance host is unknown.
pub fn checks_needing_instance() -> &'static [&'static str] {
    NEEDING_INSTANCE
}

/// The largest emoji file the plugin accepts on upload.
pub const EMOJI_MAX_SIZE: u64 = 30 * 1024;

#[derive(Default)]
struct Domain<'a> {
    room_channel: Option<(&'a str, Option<&'a RoomChannelDigest>)>,
    moderation: Option<&'a str>,
    moderation_domain: Option<Option<&'a str>>,
    rooms: Vec<(&'a str, Option<&'a BotRoomDigest>)>,
}

#[derive(Default)]
struct EmojiChannel<'a> {
    definition: Option<(&'a str, Option<&'a EmojisDigest>)>,
    images: Vec<(&'a str, &'a str, u64)>,
}

/// Runs every cross-file rule. Returns findings with the path of the file each one is
/// about (its pointer is located in that file by the engine).
pub fn check(files: &[IndexedFile], options: &ValidateOptions) -> Vec<(String, Finding)> {
    let mut out: Vec<(String, Finding)> = Vec::new();
    let mut domains: BTreeMap<&str, Domain<'_>> = BTreeMap::new();
    let mut configs: HashMap<u64, &ChannelConfigDigest> = HashMap::new();
    let mut emojis: BTreeMap<&str, EmojiChannel<'_>> = BTreeMap::new();
    let mut tokens: Vec<(&str, &str)> = Vec::new();

    // Parameters re-read from the path, for the kinds that need them (bot room files,
    // a quarter of a data dir, take their domain from the path directly).
    // (Only theirs: an entry is ten times an index entry.)
    let entries: Vec<(&IndexedFile, Entry)> = files
        .iter()
        .filter_map(|f| match f.class {
            FileClass::Document(
                Kind::RoomChannel
                | Kind::BotModeration
                | Kind::ChannelConfigurationOptions
                | Kind::EmojisDefinition
                | Kind::Tokens,
            )
            | FileClass::EmojiImage => Some((f, f.entry())),
            _ => None,
        })
        .collect();
    for f in files {
        work::tick(1);
        if f.class != FileClass::Document(Kind::BotRoom) {
            continue;
        }
        let d = match f.digest.as_deref() {
            Some(Digest::BotRoom(d)) => Some(d),
            _ => None,
        };
        domains
            .entry(bot_muc(&f.rel_path))
            .or_default()
            .rooms
            .push((&*f.rel_path, d));
    }
    for (f, entry) in &entries {
        work::tick(1);
        let digest = f.digest.as_deref();
        match entry {
            Entry::Document { kind, params } => {
                let muc = params.muc_domain.as_deref().unwrap_or("");
                match (kind, digest) {
                    (Kind::RoomChannel, d) => {
                        let d = match d {
                            Some(Digest::RoomChannel(d)) => Some(d),
                            _ => None,
                        };
                        domains.entry(muc).or_default().room_channel = Some((&*f.rel_path, d));
                    }
                    (Kind::BotModeration, d) => {
                        let dom = domains.entry(muc).or_default();
                        dom.moderation = Some(&*f.rel_path);
                        if let Some(Digest::BotModeration(m)) = d {
                            dom.moderation_domain = Some(m.domain.as_deref());
                        }
                    }
                    (Kind::ChannelConfigurationOptions, Some(Digest::ChannelConfig(c))) => {
                        if let Some(id) = params
                            .channel_id
                            .as_deref()
                            .and_then(names::parse_channel_id)
                        {
                            configs.insert(id, c);
                        }
                    }
                    (Kind::EmojisDefinition, d) => {
                        let d = match d {
                            Some(Digest::Emojis(d)) => Some(d),
                            _ => None,
                        };
                        let id = params.channel_id.as_deref().unwrap_or("");
                        emojis.entry(id).or_default().definition = Some((&*f.rel_path, d));
                    }
                    (Kind::Tokens, _) => {
                        if let Some(host) = params.host.as_deref() {
                            tokens.push((&*f.rel_path, host));
                        }
                    }
                    _ => {}
                }
            }
            Entry::EmojiImage {
                channel_id,
                file_name,
            } => {
                emojis.entry(channel_id.as_str()).or_default().images.push((
                    &*f.rel_path,
                    file_name.as_str(),
                    f.size,
                ));
            }
            _ => {}
        }
    }

    let current = options.instance.as_ref().map(|i| i.muc_domain());
    for (muc, dom) in &domains {
        if let Some(cur) = &current {
            if muc != cur {
                other_domain(muc, dom, cur, &mut out);
                continue;
            }
            if let (Some(path), Some(inst)) = (dom.moderation, options.instance.as_ref()) {
                if let Some(Some(d)) = dom.moderation_domain {
                    if d != inst.bot_domain() {
                        out.push((
                            path.to_owned(),
                            Finding::error(
                                BOT_DOMAIN_MISMATCH,
                                "/connection/domain",
                                format!("`connection.domain` is `{d}`, not the instance's bot domain `{}`: the bot logs in on a host Prosody does not serve for it", inst.bot_domain()),
                            )
                            .with_help("delete moderation.json: the plugin regenerates it at its next start"),
                        ));
                    }
                }
            }
        }
        if dom.moderation.is_none() && !dom.rooms.is_empty() {
            if let Some((first, _)) = dom.rooms.first() {
                out.push((
                    (*first).to_owned(),
                    Finding::warning(
                        BOT_MODERATION_MISSING,
                        "",
                        format!("`bot/{muc}/moderation.json` is missing: the bot cannot start until the plugin regenerates it at its next start"),
                    ),
                ));
            }
        }
        rooms(dom, &configs, &mut out);
    }

    for (channel, ec) in &emojis {
        emoji_files(channel, ec, &mut out);
    }

    if let Some(inst) = options.instance.as_ref() {
        for (path, host) in tokens {
            if host != inst.host {
                out.push((
                    path.to_owned(),
                    Finding::warning(
                        TOKEN_OTHER_DOMAIN,
                        "",
                        format!("a token file for `{host}`, not the instance's host `{}`: it is never looked up, so its tokens do not work (a leftover of a domain change: rename it)", inst.host),
                    ),
                ));
            }
        }
    }
    out
}

fn other_domain(muc: &str, dom: &Domain<'_>, current: &str, out: &mut Vec<(String, Finding)>) {
    let msg = format!(
        "`{muc}` is not the instance's MUC domain `{current}`: the plugin and the bot ignore these files, a leftover of a domain change"
    );
    if let Some((path, _)) = dom.room_channel {
        out.push((
            path.to_owned(),
            Finding::warning(OTHER_MUC_DOMAIN, "", msg.clone()),
        ));
    }
    let first_bot = dom
        .moderation
        .or_else(|| dom.rooms.first().map(|(p, _)| *p));
    if let Some(path) = first_bot {
        out.push((
            path.to_owned(),
            Finding::warning(OTHER_MUC_DOMAIN, "", format!("{msg} (`bot/{muc}/`)"))
                .with_help("livechat-data migrate rename-domain moves them to the current domain"),
        ));
    }
}

fn rooms(
    dom: &Domain<'_>,
    configs: &HashMap<u64, &ChannelConfigDigest>,
    out: &mut Vec<(String, Finding)>,
) {
    // `room2Channel`: the last channel listing a room wins.
    let room2channel: Option<HashMap<&str, u64>> = match dom.room_channel {
        Some((_, Some(rc))) if rc.readable => {
            let mut m = HashMap::new();
            for (id, rooms) in &rc.channels {
                work::tick(rooms.len() as u64);
                for r in rooms {
                    m.insert(&**r, *id);
                }
            }
            Some(m)
        }
        // Missing or unreadable: the plugin rebuilds it at its next start; the links
        // cannot be judged before.
        _ => None,
    };
    let Some(room2channel) = room2channel else {
        return;
    };
    let mut seen_locals: HashSet<&str> = HashSet::new();
    for (path, digest) in &dom.rooms {
        work::tick(1);
        let Some(d) = digest else { continue };
        if !d.loaded {
            continue;
        }
        let Some(local) = d.local.as_deref() else {
            continue;
        };
        seen_locals.insert(local);
        let linked = room2channel.get(local).copied();
        let config = linked.and_then(|c| configs.get(&c).copied());
        if d.enabled {
            let problem = match (linked, config) {
                (None, _) => Some((
                    ROOM_NOT_LINKED,
                    format!(
                        "the room `{local}` is enabled but no channel lists it in room-channel: the bot sits in a room no configuration governs, and the plugin never disables it"
                    ),
                )),
                (Some(c), None) => Some((
                    ROOM_CHANNEL_NO_CONFIG,
                    format!(
                        "the room `{local}` is enabled but its channel {c} has no configuration file: the plugin disables it at its next sync of the room"
                    ),
                )),
                (Some(c), Some(cfg)) if !cfg.valid => Some((
                    ROOM_CHANNEL_NO_CONFIG,
                    format!(
                        "the room `{local}` is enabled but the configuration of its channel {c} is invalid: the plugin disables it at its next sync of the room"
                    ),
                )),
                (Some(c), Some(cfg)) if !cfg.bot_enabled => Some((
                    ROOM_BOT_DISABLED,
                    format!(
                        "the room `{local}` is enabled but the bot is disabled in the configuration of its channel {c}"
                    ),
                )),
                _ => None,
            };
            if let Some((code, msg)) = problem {
                out.push(((*path).to_owned(), Finding::error(code, "/enabled", msg)));
            } else if let Some(cfg) = config {
                if !cfg.expected.contains(&d.fingerprint) {
                    out.push((
                        (*path).to_owned(),
                        Finding::warning(
                            ROOM_OUT_OF_DATE,
                            "",
                            format!("the room file differs from what the plugin generates from the configuration of channel {} (nick or enabled handlers): the next sync rewrites it", linked.unwrap_or(0)),
                        ),
                    ));
                }
            }
        } else if let (Some(c), Some(cfg)) = (linked, config) {
            if cfg.valid && cfg.bot_enabled {
                out.push((
                    (*path).to_owned(),
                    Finding::warning(
                        ROOM_LISTED_BUT_DISABLED,
                        "/enabled",
                        format!("the room `{local}` is linked to channel {c}, whose bot is enabled, but its file is disabled: the next sync of the room enables it"),
                    ),
                ));
            }
        }
    }
}

fn emoji_files(channel: &str, ec: &EmojiChannel<'_>, out: &mut Vec<(String, Finding)>) {
    if !names::is_canonical_channel_id(channel) {
        // The plugin builds emoji paths from the numeric id: it never reads this
        // folder (the definition, if any, says so itself).
        if ec.definition.is_none() {
            if let Some((path, _, _)) = ec.images.first() {
                out.push((
                    (*path).to_owned(),
                    Finding::warning(
                        FILE_NAME_NOT_CANONICAL,
                        "",
                        format!("`emojis/channel/{channel}/` is not named after a canonical channel id: the plugin never reads it"),
                    ),
                ));
            }
        }
        return;
    }
    let referenced: Option<&EmojisDigest> = match ec.definition {
        Some((_, Some(d))) => Some(d),
        Some((_, None)) => None,
        None => {
            if let Some((path, _, _)) = ec.images.first() {
                out.push((
                    (*path).to_owned(),
                    Finding::warning(
                        EMOJI_FILES_WITHOUT_DEFINITION,
                        "",
                        format!("`emojis/channel/{channel}/` has files but no definition.json: the plugin serves none of them"),
                    ),
                ));
            }
            None
        }
    };
    let used: HashSet<&str> = referenced
        .map(|d| d.files.iter().map(|(_, f)| &**f).collect())
        .unwrap_or_default();
    let present: HashSet<&str> = ec.images.iter().map(|(_, n, _)| *n).collect();
    for (path, name, size) in &ec.images {
        work::tick(1);
        if !crate::rules::valid_image_file_name(name) {
            out.push((
                (*path).to_owned(),
                Finding::warning(
                    EMOJI_FILE_NAME_INVALID,
                    "",
                    format!("`{name}` is not digits and a lower-case png, jpg, jpeg or gif extension: the plugin never serves it"),
                ),
            ));
        }
        if *size > EMOJI_MAX_SIZE {
            out.push((
                (*path).to_owned(),
                Finding::warning(
                    EMOJI_FILE_TOO_LARGE,
                    "",
                    format!("{size} bytes, more than the {EMOJI_MAX_SIZE} the plugin accepts on upload: it could not have written this file"),
                ),
            ));
        }
        if referenced.is_some() && !used.contains(name) {
            out.push((
                (*path).to_owned(),
                Finding::warning(
                    EMOJI_FILE_ORPHAN,
                    "",
                    format!("no emoji of channel {channel} uses `{name}`: the plugin deletes it at the next save"),
                ),
            ));
        }
    }
    if let (Some((def_path, _)), Some(d)) = (ec.definition, referenced) {
        for (i, name) in &d.files {
            work::tick(1);
            if !present.contains(&**name) {
                out.push((
                    def_path.to_owned(),
                    Finding::error(
                        EMOJI_FILE_MISSING,
                        format!("/customEmojis/{i}/url"),
                        format!("the file `files/{name}` does not exist: the chat shows a broken image (HTTP 404)"),
                    ),
                ));
            }
        }
    }
}
