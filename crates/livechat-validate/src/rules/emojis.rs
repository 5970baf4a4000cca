//! `emojis/channel/<N>/definition.json`, read the way `Emojis.getChannelCustomEmojisRegexp`
//! (room creation: any throw makes Prosody refuse the room) and
//! `Emojis.sanitizeChannelDefinition` (every save: the settings page posts the stored
//! list back, so what it refuses blocks every later save) read it.

use std::collections::HashSet;

use serde_json::Value;

use super::js;
use super::{Digest, EmojisDigest, FileContext, Out, child, idx};
use crate::Severity;
use crate::codes::*;
use crate::work;

const ROOM: &str =
    "the plugin throws when a room of this channel is created, so Prosody refuses to create it";
const SAVE: &str =
    "the plugin refuses every later save of the channel's emojis (\"Invalid file url\")";

/// `validImageFileName`: `^\d+\.([a-z]+)$` with an allowed extension.
pub(crate) fn valid_image_file_name(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    !stem.is_empty()
        && stem.bytes().all(|b| b.is_ascii_digit())
        && ["png", "jpg", "jpeg", "gif"].contains(&ext)
}

fn valid_short_name(sn: &str) -> bool {
    let s = sn.strip_prefix(':').unwrap_or(sn);
    let s = s.strip_suffix(':').unwrap_or(s);
    !s.is_empty() && s.chars().all(|c| js::is_js_word(c) || c == '-')
}

pub(super) fn check(v: &Value, ctx: &FileContext<'_>, out: &mut Out) -> Digest {
    let mut digest = EmojisDigest { files: Vec::new() };
    let list = match v {
        Value::Object(o) => match o.get("customEmojis") {
            Some(Value::Array(l)) => Some(l),
            None => {
                out.missing(
                    Severity::Error,
                    MISSING_FIELD,
                    "",
                    "customEmojis",
                    format!("`customEmojis` is missing: {ROOM}"),
                );
                None
            }
            Some(other) => {
                out.error(
                    WRONG_TYPE,
                    "/customEmojis",
                    format!(
                        "`customEmojis` is {}, not an array: {ROOM}",
                        js::type_name(other)
                    ),
                );
                None
            }
        },
        other => {
            out.error(
                WRONG_TYPE,
                "",
                format!(
                    "the file holds {}, not an object with `customEmojis`: {ROOM}",
                    js::type_name(other)
                ),
            );
            None
        }
    };
    out.unknown_keys(v, "", &["customEmojis"], "the plugin");
    let Some(list) = list else {
        return Digest::Emojis(digest);
    };
    if list.len() > 200 {
        out.error(EMOJI_TOO_MANY, "/customEmojis", format!("{} custom emojis, more than 200: the plugin refuses every later save (\"Too many custom emojis\")", list.len()));
    }
    let channel = ctx.params.channel_id.as_deref().unwrap_or("");
    let base = ctx.options.instance.as_ref().map(|i| {
        format!(
            "{}/plugins/livechat/router/emojis/channel/{channel}/files/",
            i.base_url()
        )
    });
    let mut category_seen = false;
    let mut names: HashSet<&str> = HashSet::new();
    for (i, e) in list.iter().enumerate() {
        let p = idx("/customEmojis", i);
        let Value::Object(o) = e else {
            if e.is_null() {
                out.error(WRONG_TYPE, &p, format!("a null entry: {ROOM}"));
            } else if e.is_array() {
                out.error(
                    EMOJI_SHORTNAME_INVALID,
                    &p,
                    format!("an array entry has no short name: {SAVE}"),
                );
            } else {
                out.error(
                    WRONG_TYPE,
                    &p,
                    format!(
                        "an entry must be an object, not {}: {SAVE}",
                        js::type_name(e)
                    ),
                );
            }
            continue;
        };
        out.unknown_keys(e, &p, &["sn", "url", "isCategoryEmoji"], "the plugin");
        match o.get("sn") {
            Some(Value::String(sn)) if valid_short_name(sn) => {
                work::tick(1);
                if !names.insert(sn.as_str()) {
                    out.warn(
                        EMOJI_DUPLICATE_SHORTNAME,
                        &child(&p, "sn"),
                        format!("the short name {} is used by an earlier emoji: in the chat the last one wins", Value::String(sn.clone())),
                    );
                }
            }
            None => {
                out.missing(
                    Severity::Error,
                    EMOJI_SHORTNAME_INVALID,
                    &p,
                    "sn",
                    "`sn` is missing (\"Invalid short name\"): the plugin refuses every later save",
                );
            }
            Some(other) => {
                out.error(
                    EMOJI_SHORTNAME_INVALID,
                    &child(&p, "sn"),
                    format!("the short name {} does not match `^:?[\\w-]+:?$` (\"Invalid short name\"): the plugin refuses every later save, and Prosody gets a broken emoji regexp", js::show(other)),
                );
            }
        }
        let up = child(&p, "url");
        match o.get("url") {
            None => {
                out.missing(
                    Severity::Error,
                    EMOJI_URL_INVALID,
                    &p,
                    "url",
                    format!("`url` is missing: {SAVE}"),
                );
            }
            Some(Value::String(url)) => {
                let name = url.rsplit('/').next().unwrap_or("");
                let why = if !url.starts_with("https://") && !url.starts_with("http://") {
                    Some("it does not start with http:// or https://".to_owned())
                } else if !valid_image_file_name(name) {
                    Some(format!(
                        "the file name `{name}` is not digits and a png, jpg, jpeg or gif extension (lower case)"
                    ))
                } else if let Some(base) = &base {
                    (url != &format!("{base}{name}")).then(|| format!("it is not `{base}{name}`"))
                } else {
                    let tail =
                        format!("/plugins/livechat/router/emojis/channel/{channel}/files/{name}");
                    let rest = url.split_once("://").map_or("", |(_, r)| r);
                    let host_ok = rest
                        .split_once('/')
                        .is_some_and(|(h, path)| !h.is_empty() && format!("/{path}") == tail);
                    (!host_ok).then(|| format!("its path is not `{tail}`"))
                };
                if let Some(why) = why {
                    out.error(EMOJI_URL_INVALID, &up, format!("the emoji URL is not the canonical URL of this channel's file ({why}): {SAVE}"));
                }
                if valid_image_file_name(name) {
                    #[allow(clippy::cast_possible_truncation)]
                    digest.files.push((i as u32, name.into()));
                }
            }
            Some(other) => {
                out.error(
                    EMOJI_URL_INVALID,
                    &up,
                    format!("`url` is {}, not a string: {SAVE}", js::type_name(other)),
                );
            }
        }
        if let Some(c) = o.get("isCategoryEmoji") {
            let cp = child(&p, "isCategoryEmoji");
            if c == &Value::Bool(true) {
                if category_seen {
                    out.warn(FIELD_DROPPED, &cp, "an earlier emoji is already the category emoji: the plugin drops this flag at the next save");
                }
                category_seen = true;
            } else {
                out.warn(FIELD_DROPPED, &cp, format!("`isCategoryEmoji` is {}: the plugin keeps it only when it is true, and drops it at the next save", js::show(c)));
            }
        }
    }
    Digest::Emojis(digest)
}
