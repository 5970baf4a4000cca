//! `serverInfos/<host>/{last-update,s2s,ws-s2s}` and `videoInfos/{remote/<host>,local}/<uuid>.json`,
//! read the way `federation/storage.ts` (`hasRemoteServerInfos`,
//! `getVideoLiveChatInfos`), `federation/sanitize.ts` (`sanitizePeertubeLiveChatInfos`
//! without a reference URL, as on read) and Prosody's `mod_s2s_peertubelivechat`
//! read them. Ingest-only rules (hosts must match the folder) are errors for remote
//! files: the read path does not recheck them, so the plugin and Prosody use data
//! the plugin would never have stored. A connection method the reader drops is an
//! error for a remote file (and the chat disappears when none is left), a warning
//! for a local one, which nothing reads.

use serde_json::Value;

use super::js::{self, UrlProtocol};
use super::{FileContext, Out, SchemaError, child, idx};
use crate::codes::*;
use crate::{RoomType, Severity};

const REFETCH: &str =
    "the plugin treats the remote's infos as missing and fetches them again at the next connection";

pub(super) fn last_update(v: &Value, out: &mut Out) {
    if !js::truthy(v) || !v.is_object() {
        out.error(
            TIMESTAMP_INVALID,
            "",
            format!(
                "the file holds {}, not an object: {REFETCH}",
                js::type_name(v)
            ),
        );
        return;
    }
    out.unknown_keys(v, "", &["timestamp"], "the plugin");
    match v.get("timestamp") {
        None => {
            out.missing(
                Severity::Error,
                TIMESTAMP_INVALID,
                "",
                "timestamp",
                format!("`timestamp` is missing: {REFETCH}"),
            );
        }
        Some(t) if !js::truthy(t) => {
            out.error(
                TIMESTAMP_INVALID,
                "/timestamp",
                format!("`timestamp` is {}, which is falsy: {REFETCH}", js::show(t)),
            );
        }
        Some(Value::Number(n)) => {
            let f = n.as_f64().unwrap_or(0.0);
            if !(n.is_i64() || n.is_u64()) {
                out.warn(TIMESTAMP_SUSPICIOUS, "/timestamp", format!("`timestamp` is {}, not an integer (the plugin writes `Date.getTime()`): it still reads it", js::number_to_string(f)));
            }
            if f < 1.0 {
                out.warn(TIMESTAMP_SUSPICIOUS, "/timestamp", "`timestamp` is negative: the plugin reads the infos as outdated and fetches them again");
            }
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
            if now > 0.0 && f > now + 86_400_000.0 {
                out.note(TIMESTAMP_SUSPICIOUS, "/timestamp", "`timestamp` lies in the future: the plugin considers the infos fresh and never refreshes them before that date");
            }
        }
        Some(other) => {
            out.error(
                TIMESTAMP_INVALID,
                "/timestamp",
                format!(
                    "`timestamp` is {}, not a number: {REFETCH}",
                    js::type_name(other)
                ),
            );
        }
    }
}

pub(super) fn s2s(_v: &Value, errors: &[SchemaError], out: &mut Out) {
    if !errors.is_empty() {
        out.error(
            INVALID_VALUE,
            "",
            "the content differs from what the plugin writes (`{\"host\",\"port\"}`, only for a remote with a direct server-to-server port): Prosody only checks that the file exists, and then leaves this host to legacy server-to-server connections, skipping its WebSocket link",
        );
    }
}

pub(super) fn ws_s2s(v: &Value, out: &mut Out) {
    const FALLBACK: &str = "Prosody falls back to legacy server-to-server connections, which usually fail between PeerTube instances";
    if !v.is_object() {
        out.error(
            URL_INVALID,
            "",
            format!(
                "the file holds {}, not an object with `url`: {FALLBACK}",
                js::type_name(v)
            ),
        );
        return;
    }
    out.unknown_keys(v, "", &["host", "url"], "Prosody");
    match v.get("url") {
        None | Some(Value::Null | Value::Bool(false)) => {
            if v.get("url").is_some() {
                out.error(
                    URL_INVALID,
                    "/url",
                    format!("`url` is not set (\"missing Websocket url\"): {FALLBACK}"),
                );
            } else {
                out.missing(
                    Severity::Error,
                    URL_INVALID,
                    "",
                    "url",
                    format!("`url` is missing (\"missing Websocket url\"): {FALLBACK}"),
                );
            }
        }
        Some(Value::String(s)) => match js::valid_url(s, UrlProtocol::Ws) {
            Ok(_) => {}
            Err("it has a query string") => {
                out.warn(URL_INVALID, "/url", "`url` has a query string, which the plugin never writes: Prosody uses it as is");
            }
            Err(why) => {
                out.error(URL_INVALID, "/url", format!("`url` cannot be a WebSocket endpoint ({why}): Prosody uses it and the connection fails"));
            }
        },
        Some(other) => {
            out.error(URL_INVALID, "/url", format!("`url` is {}, not a string: Prosody uses it as the WebSocket endpoint and the connection fails", js::type_name(other)));
        }
    }
    match v.get("host") {
        None => {
            out.missing(
                Severity::Warning,
                MISSING_FIELD,
                "",
                "host",
                "`host` is missing: nobody reads it",
            );
        }
        Some(Value::String(h)) if livechat_schema::names::is_normalized_host(h) => {}
        Some(_) => {
            out.warn(
                INVALID_VALUE,
                "/host",
                "`host` is not a normalised host name: nobody reads it",
            );
        }
    }
}

/// Remote and local videoInfos: `sanitizePeertubeLiveChatInfos(content)`.
pub(super) fn video_infos(v: &Value, ctx: &FileContext<'_>, local: bool, out: &mut Out) {
    const NO_CHAT: &str = "the plugin reads the video as having no chat";
    let no_chat = if local {
        "the plugin's reader would treat the video as having no chat (nothing reads local files; they are rewritten at the next federation)"
    } else {
        NO_CHAT
    };
    let Value::Object(o) = v else {
        out.error(
            INVALID_VALUE,
            "",
            format!(
                "the file holds {}, not an object: {no_chat}",
                js::type_name(v)
            ),
        );
        return;
    };
    match o.get("type") {
        Some(Value::String(t)) if t == "xmpp" => {}
        None => {
            out.missing(
                Severity::Error,
                MISSING_FIELD,
                "",
                "type",
                format!("`type` is missing: {no_chat}"),
            );
        }
        Some(other) => {
            out.error(
                INVALID_VALUE,
                "/type",
                format!("`type` is {}, not \"xmpp\": {no_chat}", js::show(other)),
            );
        }
    }
    let jid = match o.get("jid") {
        Some(Value::String(j)) => Some(j.as_str()),
        None => {
            out.missing(
                Severity::Error,
                MISSING_FIELD,
                "",
                "jid",
                format!("`jid` is missing: {no_chat}"),
            );
            None
        }
        Some(other) => {
            out.error(
                WRONG_TYPE,
                "/jid",
                format!("`jid` is {}, not a string: {no_chat}", js::type_name(other)),
            );
            None
        }
    };
    let reference = if local {
        ctx.options.instance.as_ref().map(|i| i.host.clone())
    } else {
        ctx.params
            .host
            .clone()
            .filter(|h| livechat_schema::names::is_normalized_host(h))
    };
    if !o.contains_key("xmppserver") {
        v0(v, jid, no_chat, local, out);
        return;
    }
    let known: &[&str] = if local {
        &["type", "jid", "links", "xmppserver", "customEmojisUrl"]
    } else {
        &["type", "jid", "xmppserver", "customEmojisUrl"]
    };
    out.unknown_keys(v, "", known, "the plugin");
    if local {
        match o.get("links") {
            None => {
                out.missing(Severity::Warning, MISSING_FIELD, "", "links", "`links` is missing (the plugin always writes it, for plugins up to 6.3): readers of the V1 shape ignore it");
            }
            Some(Value::Array(links)) => {
                for (i, l) in links.iter().enumerate() {
                    if !link_ok(l) {
                        out.warn(ENTRY_DROPPED, &idx("/links", i), "this link is not one the plugin writes: readers of the V1 shape ignore `links`");
                    }
                }
            }
            Some(_) => {
                out.warn(
                    WRONG_TYPE,
                    "/links",
                    "`links` is not an array: readers of the V1 shape ignore it",
                );
            }
        }
    }
    if let Some(j) = jid {
        if !jid_shape_ok(j) {
            out.warn(INVALID_VALUE, "/jid", format!("`jid` {} is not `room@domain`: the plugin does not check it, but the chat cannot be joined", Value::String(j.to_owned())));
        }
    }
    let xs = match o.get("xmppserver") {
        Some(x @ Value::Object(_)) => x,
        Some(other) => {
            out.error(
                INVALID_VALUE,
                "/xmppserver",
                format!(
                    "`xmppserver` is {}, not an object: {no_chat}",
                    js::type_name(other)
                ),
            );
            return;
        }
        None => return,
    };
    let xp = "/xmppserver";
    out.unknown_keys(
        xs,
        xp,
        &[
            "host",
            "muc",
            "external",
            "directs2s",
            "websockets2s",
            "anonymous",
        ],
        "the plugin",
    );
    for key in ["host", "muc"] {
        let key: &'static str = key;
        match xs.get(key) {
            None => {
                out.missing(
                    Severity::Error,
                    MISSING_FIELD,
                    xp,
                    key,
                    format!("`xmppserver.{key}` is missing: {no_chat}"),
                );
            }
            Some(Value::String(h)) => {
                match js::validate_host(h) {
                    None => {
                        out.error(
                            HOST_INVALID,
                            &child(xp, key),
                            format!(
                                "`xmppserver.{key}` {} is not a valid host: {no_chat}",
                                Value::String(h.clone())
                            ),
                        );
                    }
                    Some(norm) => {
                        if &norm != h || !livechat_schema::names::is_normalized_host(h) {
                            out.warn(NON_CANONICAL_VALUE, &child(xp, key), format!("`xmppserver.{key}` is not a normalised host: the plugin reads {}", Value::String(norm.clone())));
                        }
                        host_vs_reference(&norm, reference.as_deref(), &child(xp, key), local, out);
                    }
                }
            }
            Some(other) => {
                out.error(
                    WRONG_TYPE,
                    &child(xp, key),
                    format!(
                        "`xmppserver.{key}` is {}, not a string: {no_chat}",
                        js::type_name(other)
                    ),
                );
            }
        }
    }
    // What `fillVideoRemoteLiveChat` (custom-fields.ts) needs to show the chat: an
    // anonymous account with a BOSH or WebSocket URL, or a server-to-server link
    // (counted below). Only worth saying when the file is otherwise read.
    let rejected = out.has_error_except(VIDEO_INFOS_HOST_MISMATCH);
    match xs.get("external") {
        None => {
            if local {
                out.note(LEGACY_SHAPE, xp, "no `xmppserver.external`: legacy, still read by v14 (the plugin writes it since v9)");
            }
        }
        Some(e) => match e.as_str().and_then(js::validate_host) {
            None => {
                dropped(
                    out,
                    local,
                    &child(xp, "external"),
                    "`external` is not a valid host: the plugin drops it (remote accounts then cannot join)".to_owned(),
                );
            }
            Some(norm) => {
                if Some(norm.as_str()) != e.as_str()
                    || !livechat_schema::names::is_normalized_host(&norm)
                {
                    out.warn(
                        NON_CANONICAL_VALUE,
                        &child(xp, "external"),
                        format!(
                            "`external` is not a normalised host: the plugin reads {}",
                            Value::String(norm.clone())
                        ),
                    );
                }
                host_vs_reference(
                    &norm,
                    reference.as_deref(),
                    &child(xp, "external"),
                    local,
                    out,
                );
            }
        },
    }
    let mut methods = 0usize;
    if let Some(d) = xs.get("directs2s") {
        let p = child(xp, "directs2s");
        let ok = d.is_object()
            && d.get("port")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            let why = match d.get("port") {
                Some(Value::Number(_)) => "its `port` is a number, not a string of digits",
                _ if !d.is_object() => "it is not an object",
                _ => "its `port` is not a string of digits",
            };
            if js::truthy(d) {
                dropped(
                    out,
                    local,
                    &p,
                    format!("`directs2s` is dropped by the plugin: {why}"),
                );
            } else {
                out.warn(
                    FIELD_DROPPED,
                    &p,
                    format!("`directs2s` is {}, which is falsy: the plugin reads no direct server-to-server link", js::show(d)),
                );
            }
        } else {
            methods += 1;
            out.unknown_keys(d, &p, &["port"], "the plugin");
        }
    }
    if let Some(w) = xs.get("websockets2s") {
        let p = child(xp, "websockets2s");
        match w
            .get("url")
            .filter(|_| w.is_object())
            .and_then(Value::as_str)
        {
            Some(u) => match js::valid_url(u, UrlProtocol::Ws) {
                Ok(url) => {
                    methods += 1;
                    out.unknown_keys(w, &p, &["url"], "the plugin");
                    stripped_chars(u, &url, &child(&p, "url"), out);
                    url_vs_reference(&url, reference.as_deref(), &child(&p, "url"), local, out);
                }
                Err(why) => {
                    dropped(
                        out,
                        local,
                        &p,
                        format!(
                            "`websockets2s` is dropped by the plugin: its `url` is invalid ({why})"
                        ),
                    );
                }
            },
            None if !js::truthy(w) => {
                out.warn(
                    FIELD_DROPPED,
                    &p,
                    format!("`websockets2s` is {}, which is falsy: the plugin reads no WebSocket server-to-server link", js::show(w)),
                );
            }
            None => {
                dropped(
                    out,
                    local,
                    &p,
                    "`websockets2s` is dropped by the plugin: it has no string `url`".to_owned(),
                );
            }
        }
    }
    if let Some(a) = xs.get("anonymous") {
        let p = child(xp, "anonymous");
        let vh = a
            .get("virtualhost")
            .filter(|_| a.is_object())
            .and_then(Value::as_str);
        match vh.and_then(js::validate_host) {
            None if !js::truthy(a) => {
                out.warn(
                    FIELD_DROPPED,
                    &p,
                    format!(
                        "`anonymous` is {}, which is falsy: the plugin reads no anonymous access",
                        js::show(a)
                    ),
                );
            }
            None => {
                dropped(
                    out,
                    local,
                    &p,
                    "`anonymous` is dropped by the plugin: its `virtualhost` is not a valid host"
                        .to_owned(),
                );
            }
            Some(norm) => {
                out.unknown_keys(a, &p, &["virtualhost", "bosh", "websocket"], "the plugin");
                if Some(norm.as_str()) != vh || !livechat_schema::names::is_normalized_host(&norm) {
                    out.warn(
                        NON_CANONICAL_VALUE,
                        &child(&p, "virtualhost"),
                        format!(
                            "`virtualhost` is not a normalised host: the plugin reads {}",
                            Value::String(norm.clone())
                        ),
                    );
                }
                host_vs_reference(
                    &norm,
                    reference.as_deref(),
                    &child(&p, "virtualhost"),
                    local,
                    out,
                );
                for (key, proto) in [("bosh", UrlProtocol::Http), ("websocket", UrlProtocol::Ws)] {
                    let Some(u) = a.get(key) else { continue };
                    match u.as_str().map(|s| js::valid_url(s, proto)) {
                        Some(Ok(url)) => {
                            methods += 1;
                            stripped_chars(u.as_str().unwrap_or(""), &url, &child(&p, key), out);
                            url_vs_reference(
                                &url,
                                reference.as_deref(),
                                &child(&p, key),
                                local,
                                out,
                            );
                        }
                        Some(Err(why)) => {
                            dropped(
                                out,
                                local,
                                &child(&p, key),
                                format!("`{key}` is dropped by the plugin: {why}"),
                            );
                        }
                        None => {
                            dropped(
                                out,
                                local,
                                &child(&p, key),
                                format!("`{key}` is not a string: the plugin drops it"),
                            );
                        }
                    }
                }
            }
        }
    }
    if !local && !rejected && methods == 0 {
        no_connection(out, xp);
    }
    if let Some(c) = o.get("customEmojisUrl") {
        match c.as_str().map(|s| js::valid_url(s, UrlProtocol::Http)) {
            // `if (chatInfos.customEmojisUrl)`: a falsy value is no value.
            _ if !js::truthy(c) => {
                out.warn(
                    FIELD_DROPPED,
                    "/customEmojisUrl",
                    format!(
                        "`customEmojisUrl` is {}, which is falsy: the plugin reads no custom emojis",
                        js::show(c)
                    ),
                );
            }
            Some(Ok(url)) => {
                stripped_chars(c.as_str().unwrap_or(""), &url, "/customEmojisUrl", out);
                url_vs_reference(&url, reference.as_deref(), "/customEmojisUrl", local, out);
            }
            Some(Err(why)) => {
                dropped(
                    out,
                    local,
                    "/customEmojisUrl",
                    format!("`customEmojisUrl` is dropped by the plugin: {why}"),
                );
            }
            None => {
                dropped(
                    out,
                    local,
                    "/customEmojisUrl",
                    "`customEmojisUrl` is not a string: the plugin drops it".to_owned(),
                );
            }
        }
    }
    if local {
        if let (Some(j), Some(inst)) = (jid, ctx.options.instance.as_ref()) {
            local_jid(j, ctx, &inst.muc_domain(), out);
        }
    }
}

fn local_jid(jid: &str, ctx: &FileContext<'_>, muc: &str, out: &mut Out) {
    let Some((room, domain)) = jid.split_once('@') else {
        return;
    };
    if domain != muc {
        out.warn(
            VIDEO_INFOS_JID_MISMATCH,
            "/jid",
            format!("`jid` is on `{domain}`, not the instance's MUC domain `{muc}`: a leftover of a domain change (the file is rewritten at the next federation of the video)"),
        );
        return;
    }
    let uuid = ctx.params.uuid.as_deref().unwrap_or("");
    match ctx.options.room_type {
        RoomType::Video => {
            if room != uuid {
                out.warn(
                    VIDEO_INFOS_JID_MISMATCH,
                    "/jid",
                    format!("`jid` names the room `{room}`, but in `video` room mode it is the video UUID `{uuid}`"),
                );
            }
        }
        RoomType::Channel => {
            if !matches!(
                livechat_schema::names::classify_room_local(room),
                livechat_schema::names::RoomLocal::Channel(_)
            ) {
                out.warn(
                    VIDEO_INFOS_JID_MISMATCH,
                    "/jid",
                    format!("`jid` names the room `{room}`, but in `channel` room mode rooms are `channel.<id>`"),
                );
            }
        }
    }
}

fn jid_shape_ok(j: &str) -> bool {
    match j.split_once('@') {
        Some((l, d)) => {
            !l.is_empty()
                && !d.is_empty()
                && !d.contains('@')
                && !j.contains('/')
                && !j.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

fn link_ok(l: &Value) -> bool {
    let ty = l.get("type").and_then(Value::as_str);
    matches!(ty, Some("xmpp-bosh-anonymous" | "xmpp-websocket-anonymous"))
        && l.get("url").is_some_and(Value::is_string)
        && l.get("jid")
            .and_then(Value::as_str)
            .is_some_and(livechat_schema::names::is_normalized_host)
        && l.as_object().is_some_and(|m| m.len() == 3)
}

/// The ingest rule: a host equals the reference or is exactly one label below it.
fn host_vs_reference(host: &str, reference: Option<&str>, ptr: &str, local: bool, out: &mut Out) {
    let Some(r) = reference else { return };
    let ok = host == r || host.split_once('.').is_some_and(|(_, rest)| rest == r);
    if !ok {
        let whose = if local {
            "the instance's host"
        } else {
            "the host of its folder"
        };
        let msg = format!(
            "`{host}` is neither {whose} `{r}` nor one label below it: the plugin refuses such data at ingest, but not on read"
        );
        host_mismatch(out, local, ptr, msg);
    }
}

fn url_vs_reference(
    url: &url::Url,
    reference: Option<&str>,
    ptr: &str,
    local: bool,
    out: &mut Out,
) {
    let Some(r) = reference else { return };
    if url.host_str() != Some(r) {
        let whose = if local {
            "the instance's host"
        } else {
            "the host of its folder"
        };
        let msg = format!(
            "the URL is not on {whose} `{r}`: the plugin refuses such data at ingest, but not on read"
        );
        host_mismatch(out, local, ptr, msg);
    }
}

/// The V0 shape (plugin 6.3 and older): `_sanitizePeertubeLiveChatInfosV0`.
fn v0(v: &Value, jid: Option<&str>, no_chat: &str, local: bool, out: &mut Out) {
    // Whether the file is already refused (`type` or `jid`), before its V0 parts.
    let rejected = out.has_error();
    out.unknown_keys(v, "", &["type", "jid", "links"], "the plugin");
    let links = match v.get("links") {
        Some(Value::Array(l)) => Some(l),
        None => {
            out.missing(
                Severity::Error,
                MISSING_FIELD,
                "",
                "links",
                format!("neither `xmppserver` nor `links`: {no_chat}"),
            );
            None
        }
        Some(other) => {
            out.error(
                WRONG_TYPE,
                "/links",
                format!(
                    "`links` is {}, not an array: {no_chat}",
                    js::type_name(other)
                ),
            );
            None
        }
    };
    let mut ok = links.is_some();
    let mut methods = 0usize;
    if let Some(j) = jid {
        let domain = j.split('@').nth(1);
        match domain.and_then(js::validate_host) {
            None => {
                out.error(
                    HOST_INVALID,
                    "/jid",
                    format!("the domain of `jid` is not a valid host: {no_chat}"),
                );
                ok = false;
            }
            Some(muc) if !muc.starts_with("room.") => {
                out.error(HOST_INVALID, "/jid", format!("the domain of `jid` does not start with `room.` (\"expected old format host to begin with room.\"): {no_chat}"));
                ok = false;
            }
            Some(muc) => {
                if js::validate_host(&muc["room.".len()..]).is_none() {
                    out.error(
                        HOST_INVALID,
                        "/jid",
                        format!(
                            "the domain of `jid` is `room.` followed by no valid host: {no_chat}"
                        ),
                    );
                    ok = false;
                }
            }
        }
    }
    if let Some(links) = links {
        for (i, l) in links.iter().enumerate() {
            let p = idx("/links", i);
            let ty = l
                .get("type")
                .and_then(Value::as_str)
                .filter(|_| l.is_object());
            let proto = match ty {
                Some("xmpp-bosh-anonymous") => UrlProtocol::Http,
                Some("xmpp-websocket-anonymous") => UrlProtocol::Ws,
                _ => {
                    link_dropped(
                        out,
                        local,
                        &p,
                        "this link has no known `type`: the plugin skips it".to_owned(),
                    );
                    continue;
                }
            };
            let url = l.get("url").and_then(Value::as_str);
            if !l.get("jid").is_some_and(Value::is_string) || url.is_none() {
                link_dropped(
                    out,
                    local,
                    &p,
                    "this link has no string `jid` or `url`: the plugin skips it".to_owned(),
                );
                continue;
            }
            match url.map(|u| (u, js::valid_url(u, proto))) {
                Some((_, Err(why))) => {
                    link_dropped(
                        out,
                        local,
                        &p,
                        format!("this link's `url` is invalid ({why}): the plugin skips it"),
                    );
                    continue;
                }
                Some((u, Ok(parsed))) => stripped_chars(u, &parsed, &child(&p, "url"), out),
                None => {}
            }
            methods += 1;
            out.unknown_keys(l, &p, &["type", "url", "jid"], "the plugin");
            if !l
                .get("jid")
                .and_then(Value::as_str)
                .is_some_and(livechat_schema::names::is_normalized_host)
            {
                out.warn(INVALID_VALUE, &child(&p, "jid"), "this link's `jid` is not a host name: the plugin uses it as the anonymous virtual host unchecked");
            }
        }
    }
    if ok && !rejected && !local && methods == 0 {
        no_connection(out, "");
    }
    if ok && !rejected {
        if local {
            // The local schema has no V0 branch: this explains its missing `xmppserver`.
            out.missing(
                Severity::Warning,
                LEGACY_SHAPE,
                "",
                "xmppserver",
                "V0 shape (plugin 6.3 and older, no `xmppserver`): legacy, still read by v14",
            );
        } else {
            out.note(
                LEGACY_SHAPE,
                "",
                "V0 shape (plugin 6.3 and older, no `xmppserver`): legacy, still read by v14, converted on read",
            );
        }
    }
}

/// A connection method (or another field) the reader drops: an error in a remote
/// file (what the remote instance published silently stops working), a warning in a
/// local one (nothing reads it).
fn dropped(out: &mut Out, local: bool, ptr: &str, msg: String) {
    if local {
        out.warn(
            FIELD_DROPPED,
            ptr,
            format!("{msg} (nothing reads local files)"),
        );
    } else {
        out.error(FIELD_DROPPED, ptr, msg);
    }
}

/// A V0 link the reader skips: as [`dropped`], for an array entry.
fn link_dropped(out: &mut Out, local: bool, ptr: &str, msg: String) {
    if local {
        out.warn(
            ENTRY_DROPPED,
            ptr,
            format!("{msg} (nothing reads local files)"),
        );
    } else {
        out.error(ENTRY_DROPPED, ptr, msg);
    }
}

/// A host or URL outside the reference: an error in a remote file (the plugin would
/// never have stored it, yet uses it), a warning in a local one (nothing reads it).
fn host_mismatch(out: &mut Out, local: bool, ptr: &str, msg: String) {
    if local {
        out.warn(
            VIDEO_INFOS_HOST_MISMATCH,
            ptr,
            format!("{msg} (nothing reads local files)"),
        );
    } else {
        out.error(VIDEO_INFOS_HOST_MISMATCH, ptr, msg);
    }
}

/// No connection method is left: `fillVideoRemoteLiveChat` never flags the video as
/// having a remote chat.
fn no_connection(out: &mut Out, ptr: &str) {
    out.note(
        VIDEO_INFOS_NO_CONNECTION,
        ptr,
        "no connection method the plugin can use is left (`anonymous` with `bosh` or `websocket`, `websockets2s`, `directs2s`): the plugin shows no chat for this remote video",
    )
    .severity = Severity::Error;
}

/// A URL with characters the WHATWG parser strips (`new URL` reads it as intended).
fn stripped_chars(raw: &str, url: &url::Url, ptr: &str, out: &mut Out) {
    if js::url_has_stripped_chars(raw) {
        out.warn(
            NON_CANONICAL_VALUE,
            ptr,
            format!(
                "the URL holds characters the WHATWG URL parser strips (a leading or trailing control character or space, a tab or a line break): the plugin reads {}",
                Value::String(url.as_str().to_owned())
            ),
        );
    }
}
