//! `bot/<muc>/moderation.json` and `bot/<muc>/rooms/<room>.json`, read the way
//! xmppjs-chat-bot 0.7.0 reads them (`config/read.ts`, `bot.ts loadRoomConf`, the
//! handlers' `loadOptions`), the way Prosody's `mod_auth_peertubelivechat_bot` reads
//! the bot's credentials, and the way the plugin's `RoomChannel.sync` iterates a
//! previous room file's handlers.

use serde_json::Value;

use super::js::{self, RegexpVerdict};
use super::{
    BotModerationDigest, BotRoomDigest, Digest, FileContext, Out, SchemaError, child, idx, roomconf,
};
use crate::Severity;
use crate::codes::*;

const SKIPPED: &str = "the bot skips the whole file, so it never joins this room";
const THROWS: &str =
    "the bot throws while loading the room; at start-up the room files after it are not loaded";

pub(super) fn moderation(v: &Value, out: &mut Out) -> Digest {
    let digest = BotModerationDigest {
        domain: v
            .get("connection")
            .and_then(|c| c.get("domain"))
            .and_then(Value::as_str)
            .map(Into::into),
    };
    if !js::truthy(v) || !v.is_object() {
        out.error(
            WRONG_TYPE,
            "",
            format!("the file holds {}, not an object: the bot cannot start and Prosody refuses its logins", js::type_name(v)),
        );
        return Digest::BotModeration(digest);
    }
    out.unknown_keys(
        v,
        "",
        &[
            "type",
            "connection",
            "name",
            "logger",
            "log_level",
            "xmpp_debug",
            "rooms",
            "handlers",
        ],
        "the bot",
    );
    match v.get("type") {
        Some(Value::String(t)) if t == "client" => {}
        Some(Value::String(t)) if t == "component" => {
            out.error(INVALID_VALUE, "/type", "`type` is \"component\": the plugin configures no Prosody component for the bot, which connects as a client")
                .help = Some("write \"client\", or delete the file: the plugin regenerates it at its next start".to_owned());
        }
        None => {
            out.missing(
                Severity::Error,
                MISSING_FIELD,
                "",
                "type",
                "`type` is missing: the bot throws \"Invalid type\" and does not start",
            );
        }
        Some(other) => {
            out.error(
                INVALID_VALUE,
                "/type",
                format!(
                    "`type` is {}: the bot throws \"Invalid type\" and does not start",
                    js::show(other)
                ),
            );
        }
    }
    match v.get("connection") {
        Some(c @ Value::Object(_)) => {
            out.unknown_keys(
                c,
                "/connection",
                &["username", "password", "domain", "service"],
                "the bot's Prosody login",
            );
            for key in ["username", "password", "domain", "service"] {
                let p = child("/connection", key);
                let what = match key {
                    "username" | "password" => "Prosody refuses every bot login",
                    _ => "the bot cannot connect",
                };
                match c.get(key) {
                    None => {
                        let key: &'static str = key;
                        out.missing(
                            Severity::Error,
                            MISSING_FIELD,
                            "/connection",
                            key,
                            format!("`connection.{key}` is missing: {what}"),
                        );
                    }
                    Some(Value::String(s)) if !s.is_empty() => {}
                    // Never quote the value: the password is a secret.
                    Some(other) => {
                        out.error(
                            INVALID_VALUE,
                            &p,
                            format!(
                                "`connection.{key}` must be a non-empty string, not {}: {what}",
                                if matches!(other, Value::String(_)) {
                                    "an empty string"
                                } else {
                                    js::type_name(other)
                                }
                            ),
                        );
                    }
                }
            }
        }
        None => {
            out.missing(Severity::Error, MISSING_FIELD, "", "connection", "`connection` is missing: the bot cannot connect and Prosody refuses every bot login");
        }
        Some(other) => {
            out.error(
                WRONG_TYPE,
                "/connection",
                format!(
                    "`connection` must be an object, not {}: the bot cannot connect",
                    js::type_name(other)
                ),
            );
        }
    }
    match v.get("name") {
        None => {
            out.missing(Severity::Warning, MISSING_FIELD, "", "name", "`name` is missing: the bot's default nickname is \"Bot\" (the plugin writes \"Sepia\")");
        }
        Some(Value::String(_)) => {}
        Some(other) => {
            out.warn(
                WRONG_TYPE,
                "/name",
                format!(
                    "`name` is {}, not a string: the bot uses it as its nickname as is",
                    js::type_name(other)
                ),
            );
        }
    }
    match v.get("logger") {
        Some(Value::String(l)) if l == "ConsoleLogger" || l == "ColorConsoleLogger" => {}
        None => {
            out.missing(
                Severity::Warning,
                MISSING_FIELD,
                "",
                "logger",
                "`logger` is missing: the bot logs nothing",
            );
        }
        Some(Value::Null) => {
            out.warn(
                INVALID_VALUE,
                "/logger",
                "`logger` is null: the bot logs nothing",
            );
        }
        Some(other) => {
            out.error(
                INVALID_VALUE,
                "/logger",
                format!(
                    "`logger` is {}: the bot logs nothing, not what the file asks",
                    js::show(other)
                ),
            );
        }
    }
    match v.get("log_level") {
        Some(Value::String(l)) if ["debug", "info", "warn", "error"].contains(&l.as_str()) => {}
        None => {
            out.missing(
                Severity::Warning,
                MISSING_FIELD,
                "",
                "log_level",
                "`log_level` is missing: the bot keeps its default level",
            );
        }
        Some(Value::Null) => {
            out.warn(
                INVALID_VALUE,
                "/log_level",
                "`log_level` is null: the bot keeps its default level",
            );
        }
        Some(other) => {
            out.error(
                INVALID_VALUE,
                "/log_level",
                format!(
                    "`log_level` is {}: the bot ignores it and keeps its default level",
                    js::show(other)
                ),
            );
        }
    }
    if let Some(d) = v.get("xmpp_debug").filter(|d| !d.is_boolean()) {
        out.coercion(
            "/xmpp_debug",
            d,
            js::truthy(d),
            format!(
                "`xmpp_debug` is {}, not a boolean: the bot reads {}",
                js::show(d),
                js::truthy(d)
            ),
        );
    }
    if v.get("rooms").is_some() {
        out.warn(UNKNOWN_KEY, "/rooms", "`rooms` is never written by the plugin, which gives the bot its rooms through `rooms/`: remove it");
    }
    if v.get("handlers").is_some() {
        out.warn(UNKNOWN_KEY, "/handlers", "global `handlers` are only merged into `rooms` entries, never into the files of `rooms/`: the bot ignores them here");
    }
    Digest::BotModeration(digest)
}

pub(super) fn room(
    v: &Value,
    errors: &[SchemaError],
    ctx: &FileContext<'_>,
    out: &mut Out,
) -> Digest {
    let mut digest = BotRoomDigest {
        local: None,
        domain: None,
        loaded: false,
        enabled: false,
        fingerprint: 0,
    };
    let Value::Object(o) = v else {
        let why = match v {
            Value::Array(_) => "an array, which has no `local`".to_owned(),
            other => js::type_name(other).to_owned(),
        };
        out.error(
            WRONG_TYPE,
            "",
            format!("the file holds {why}, not an object: {SKIPPED}"),
        );
        return Digest::BotRoom(digest);
    };
    out.unknown_keys(
        v,
        "",
        &["local", "domain", "enabled", "handlers", "nick"],
        "the bot",
    );
    let local = match o.get("local") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.as_str()),
        None => {
            out.missing(
                Severity::Error,
                MISSING_FIELD,
                "",
                "local",
                format!("`local` is missing (\"Missing local attribute\"): {SKIPPED}"),
            );
            None
        }
        Some(other) => {
            out.error(INVALID_VALUE, "/local", format!("`local` must be a non-empty string, not {} (\"Missing local attribute\"): {SKIPPED}", js::show(other)));
            None
        }
    };
    let domain = match o.get("domain") {
        Some(Value::String(s)) => Some(s.as_str()),
        None => {
            out.missing(
                Severity::Error,
                MISSING_FIELD,
                "",
                "domain",
                format!("`domain` is missing (\"Missing domain attribute\"): {SKIPPED}"),
            );
            None
        }
        Some(other) => {
            out.error(
                WRONG_TYPE,
                "/domain",
                format!(
                    "`domain` must be a string, not {} (\"Missing domain attribute\"): {SKIPPED}",
                    js::type_name(other)
                ),
            );
            None
        }
    };
    let enabled = match o.get("enabled") {
        Some(Value::Bool(b)) => *b,
        None => {
            out.missing(
                Severity::Warning,
                MISSING_FIELD,
                "",
                "enabled",
                "`enabled` is missing: the bot reads true and joins the room",
            );
            true
        }
        Some(other) => {
            let on = other.is_null() || js::truthy(other);
            out.coercion(
                "/enabled",
                other,
                on,
                format!(
                    "`enabled` is {}, not a boolean: the bot reads {on}{}",
                    js::show(other),
                    if on {
                        " and JOINS the room"
                    } else {
                        " and leaves the room"
                    }
                ),
            );
            on
        }
    };
    if o.get("nick").and_then(Value::as_str) == Some("") {
        out.warn(
            INVALID_VALUE,
            "/nick",
            "`nick` is empty (the plugin leaves it out instead): the bot tries to join with an empty nickname",
        );
    }
    if let Some(n) = o.get("nick").filter(|n| !n.is_string()) {
        let msg = format!(
            "`nick` is {}, not a string: the bot ignores it and uses its global name",
            js::type_name(n)
        );
        // A configured nickname is dropped; null says none.
        if enabled && !n.is_null() {
            out.error(WRONG_TYPE, "/nick", msg);
        } else {
            out.warn(WRONG_TYPE, "/nick", msg);
        }
    }

    if let Some(local) = local {
        use livechat_schema::names::{RoomLocal, classify_room_local};
        let room = Value::String(local.to_owned());
        match (classify_room_local(local), ctx.options.room_type) {
            (RoomLocal::Other(_), _) if enabled => {
                out.error(
                    ROOM_LOCAL_INVALID,
                    "/local",
                    format!("`local` {room} is neither a video UUID nor `channel.<id>`: the plugin never creates such a room, yet the bot joins it"),
                );
            }
            (RoomLocal::Other(_), _) => {
                out.warn(
                    ROOM_LOCAL_INVALID,
                    "/local",
                    format!("`local` {room} is neither a video UUID nor `channel.<id>`: the plugin never creates such a room"),
                );
            }
            (RoomLocal::Channel(_), crate::RoomType::Video) if enabled => {
                out.warn(
                    ROOM_TYPE_MISMATCH,
                    "/local",
                    format!("`local` {room} is a channel room, but the room type is `video`"),
                );
            }
            (RoomLocal::Video(_), crate::RoomType::Channel) if enabled => {
                out.warn(
                    ROOM_TYPE_MISMATCH,
                    "/local",
                    format!("`local` {room} is a video room, but the room type is `channel`"),
                );
            }
            _ => {}
        }
    }

    // File name and folder against content.
    if let (Some(local), Some(stem)) = (local, ctx.params.room.as_deref()) {
        if local != stem {
            out.error(
                FILE_NAME_MISMATCH,
                "/local",
                format!("`local` is {} but the file is named `{stem}.json`: the plugin updates and disables the room through the file name, the bot joins `local@domain`", Value::String(local.to_owned())),
            );
        }
    }
    if let (Some(domain), Some(muc)) = (domain, ctx.params.muc_domain.as_deref()) {
        if domain != muc && domain.to_lowercase() == muc {
            // @xmpp/jid (the bot's JID class) lower-cases the domain: same room.
            out.warn(
                NON_CANONICAL_VALUE,
                "/domain",
                format!("`domain` is {} but the folder is `bot/{muc}/`: the bot lower-cases JID domains (@xmpp/jid), so it joins the same room", Value::String(domain.to_owned())),
            );
        } else if domain != muc {
            out.error(
                ROOM_DOMAIN_MISMATCH,
                "/domain",
                format!("`domain` is {} but the file sits under `bot/{muc}/`: the bot joins a room on another domain", Value::String(domain.to_owned())),
            );
        }
    }

    let loaded = local.is_some() && domain.is_some();
    let handlers_read = handlers(o.get("handlers"), errors, enabled && loaded, out);

    digest.local = local.map(Into::into);
    digest.domain = domain.map(Into::into);
    digest.loaded = loaded && handlers_read;
    digest.enabled = enabled;
    digest.fingerprint = roomconf::actual_fingerprint(v);
    Digest::BotRoom(digest)
}

fn has_schema_error_below(errors: &[SchemaError], ptr: &str) -> bool {
    errors
        .iter()
        .any(|e| e.pointer == ptr || e.pointer.starts_with(&format!("{ptr}/")))
}

/// The handlers; false when a handler makes the bot skip the whole file.
fn handlers(list: Option<&Value>, errors: &[SchemaError], room_on: bool, out: &mut Out) -> bool {
    let items = match list {
        Some(Value::Array(items)) => items,
        Some(Value::String(s)) if s.is_empty() => {
            out.warn(
                WRONG_TYPE,
                "/handlers",
                "`handlers` is an empty string: the bot and the plugin read no handler",
            );
            return true;
        }
        None => {
            out.missing(Severity::Error, SYNC_CRASH, "", "handlers", "`handlers` is missing: the bot reads no handler, but the plugin's room sync throws iterating it (\"Syncing failed\")");
            return true;
        }
        Some(other) => {
            out.error(
                SYNC_CRASH,
                "/handlers",
                format!("`handlers` is {}, not an array: the bot reads no handler, but the plugin's room sync throws iterating it (\"Syncing failed\")", js::type_name(other)),
            );
            return true;
        }
    };
    let mut read = true;
    // The first handler of each id: whether it was enabled, and the handler.
    let mut seen: std::collections::HashMap<&str, (bool, &Value)> =
        std::collections::HashMap::new();
    for (i, h) in items.iter().enumerate() {
        let hp = idx("/handlers", i);
        let Some(ho) = h.as_object() else {
            if h.is_array() {
                // The bot logs an error and drops the handler: what the admin configured
                // never runs, so this is an error (the bot-check xtask holds us to it).
                out.error(HANDLER_SKIPPED, &hp, "this handler is an array, without `type`: the bot drops it (\"Missing type attribute\")");
            } else {
                out.error(
                    HANDLER_INVALID,
                    &hp,
                    format!(
                        "a handler must be an object, not {}: `'type' in` throws, so {SKIPPED}",
                        js::type_name(h)
                    ),
                );
                read = false;
            }
            continue;
        };
        out.unknown_keys(h, &hp, &["type", "id", "enabled", "options"], "the bot");
        let Some(ty) = ho.get("type").and_then(Value::as_str) else {
            out.error(
                HANDLER_SKIPPED,
                &hp,
                "the handler has no string `type`: the bot drops it (\"Missing type attribute\")",
            );
            continue;
        };
        let Some(id) = ho.get("id").and_then(Value::as_str) else {
            out.error(
                HANDLER_SKIPPED,
                &hp,
                "the handler has no string `id`: the bot drops it (\"Missing id attribute\")",
            );
            continue;
        };
        let on = match ho.get("enabled") {
            None => {
                out.missing(
                    Severity::Warning,
                    MISSING_FIELD,
                    &hp,
                    "enabled",
                    "`enabled` is missing: the bot reads true",
                );
                true
            }
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                let on = other.is_null() || js::truthy(other);
                out.coercion(
                    &child(&hp, "enabled"),
                    other,
                    on,
                    format!(
                        "`enabled` is {}, not a boolean: the bot reads {on}",
                        js::show(other)
                    ),
                );
                on
            }
        };
        crate::work::tick(1);
        if let Some((first_on, first)) = seen.get(id) {
            // A reload calls `loadOptions(options)` without `?? {}`: `'x' in null` throws.
            if on && *first_on && ho.get("options").is_some_and(Value::is_null) {
                out.error(
                    HANDLER_INVALID,
                    &child(&hp, "options"),
                    "`options` is null on a handler whose id is already loaded: the bot reloads it with `'…' in null`, which throws",
                )
                .help = Some(THROWS.to_owned());
            }
            let effect = if on {
                "it only reloads the first one's options"
            } else if *first_on {
                "being disabled, it detaches the first one"
            } else {
                "the bot ignores it"
            };
            let msg = format!(
                "the id {} is used by an earlier handler: {effect}",
                Value::String(id.to_owned())
            );
            // Harmless only when nothing changes: both disabled, or the same handler
            // twice. Otherwise a configured handler is replaced or detached.
            let same = on
                && *first_on
                && first.get("type") == ho.get("type")
                && first.get("options") == ho.get("options");
            if same || (!on && !*first_on) {
                out.warn(DUPLICATE_HANDLER_ID, &child(&hp, "id"), msg);
            } else {
                out.error(DUPLICATE_HANDLER_ID, &child(&hp, "id"), msg);
            }
        } else {
            seen.insert(id, (on, h));
        }
        let known = [
            "moderate",
            "no-duplicate",
            "quotes",
            "quotes_random",
            "command_say",
            "hello",
            "respond",
        ];
        if !known.contains(&ty) {
            // The bot looks the class up only for an enabled handler of an enabled room,
            // and then logs an error and drops it.
            let message = format!(
                "unknown handler type {}: the bot drops it (\"Can't find class for handler type\")",
                Value::String(ty.to_owned())
            );
            if on && room_on {
                out.error(HANDLER_SKIPPED, &child(&hp, "type"), message);
            } else {
                out.warn(
                    HANDLER_SKIPPED,
                    &child(&hp, "type"),
                    format!("{message} once enabled"),
                );
            }
            continue;
        }
        let options = ho.get("options");
        if options.is_none() {
            out.missing(
                Severity::Warning,
                MISSING_FIELD,
                &hp,
                "options",
                "`options` is missing: the bot uses `{}`",
            );
        }
        if !on && has_schema_error_below(errors, &hp) {
            out.warn(
                HANDLER_SKIPPED,
                &hp,
                "this handler is disabled: the bot never reads its options, which it would not all accept",
            );
        }
        // The bot builds the handlers of an enabled room only (bot.ts `loadRoomConf`
        // returns early for a disabled one), and the plugin re-enables a room only by
        // regenerating it, which replaces or disables every stale handler: options
        // the bot would refuse are harmless until the room and the handler are both on.
        let sev = if on && room_on {
            Severity::Error
        } else {
            Severity::Warning
        };
        check_options(ty, options, &hp, sev, out);
    }
    read
}

/// The options of an enabled handler, as its `loadOptions(options ?? {})` reads them.
fn check_options(ty: &str, options: Option<&Value>, hp: &str, sev: Severity, out: &mut Out) {
    let op = child(hp, "options");
    let options = match options {
        None | Some(Value::Null) => {
            if options.is_some() {
                out.warn(
                    NULL_DEFAULTED,
                    &op,
                    "`options` is null: the bot uses `{}` (no option set)",
                );
            }
            return;
        }
        Some(o @ Value::Object(_)) => o,
        Some(other) => {
            let msg = format!(
                "`options` is {}, not an object: the bot ignores it and uses its defaults",
                js::type_name(other)
            );
            // What a truthy value configured is dropped, in a handler the bot runs.
            if sev == Severity::Error && js::truthy(other) && other != &Value::Array(Vec::new()) {
                out.error(WRONG_TYPE, &op, msg);
            } else {
                out.warn(WRONG_TYPE, &op, msg);
            }
            return;
        }
    };
    // An option the bot ignores (it keeps its default): an error in a handler it
    // runs, unless the value says the default anyway.
    let ignored = |out: &mut Out, code, ptr: &str, msg: String, says_default: bool| {
        if sev == Severity::Error && !says_default {
            out.error(code, ptr, msg);
        } else {
            out.warn(code, ptr, msg);
        }
    };
    let bad = |out: &mut Out, code, ptr: &str, msg: String| match sev {
        Severity::Error => {
            out.error(code, ptr, msg).help = Some(THROWS.to_owned());
        }
        Severity::Warning => {
            out.warn(
                code,
                ptr,
                format!("{msg} (not loaded while the handler or its room is disabled)"),
            );
        }
    };
    let bool_opt = |out: &mut Out, key: &str| {
        if let Some(v) = options.get(key).filter(|v| !v.is_boolean()) {
            ignored(
                out,
                WRONG_TYPE,
                &child(&op, key),
                format!(
                    "`{key}` is {}, not a boolean: the bot ignores it and reads false",
                    js::show(v)
                ),
                js::evident_bool(v) != Some(true),
            );
        }
    };
    // `min_ok`: below it the bot misbehaves (an error); `max`: above it the plugin
    // never writes the value (a warning).
    let delay_opt = |out: &mut Out, key: &str, min_ok: f64, max: f64| match options.get(key) {
        None => {}
        Some(Value::Number(n)) => {
            let f = n.as_f64().unwrap_or(0.0);
            let p = child(&op, key);
            if f < min_ok {
                bad(
                    out,
                    OUT_OF_RANGE,
                    &p,
                    format!(
                        "`{key}` is {}: the bot would repeat its action without pause",
                        js::number_to_string(f)
                    ),
                );
            } else if f < 0.0 || f > max {
                out.warn(
                    OUT_OF_RANGE,
                    &p,
                    format!("`{key}` is {}, outside what the plugin writes (0 to {max}): the bot uses it as is", js::number_to_string(f)),
                );
            } else if !(n.is_i64() || n.is_u64()) {
                out.warn(
                    NON_CANONICAL_INTEGER,
                    &p,
                    format!(
                        "`{key}` is {}, not an integer: the bot uses it as is (seconds)",
                        js::number_to_string(f)
                    ),
                );
            }
        }
        Some(other) => {
            ignored(
                out,
                WRONG_TYPE,
                &child(&op, key),
                format!(
                    "`{key}` is {}, not a number: the bot ignores it and keeps its default",
                    js::type_name(other)
                ),
                other.is_null(),
            );
        }
    };
    match ty {
        "moderate" => {
            out.unknown_keys(options, &op, &["rules", "applyToModerators"], "the bot");
            bool_opt(out, "applyToModerators");
            let rp = child(&op, "rules");
            match options.get("rules") {
                None => {
                    out.missing(
                        Severity::Warning,
                        MISSING_FIELD,
                        &op,
                        "rules",
                        "`rules` is missing: the handler moderates nothing",
                    );
                }
                Some(Value::String(s)) => {
                    out.warn(WRONG_TYPE, &rp, "`rules` is a single string, not an array of rules: the bot compiles it with flag `i`");
                    regexp(s, "i", &rp, sev, out);
                }
                Some(Value::Array(rules)) => {
                    for (i, rule) in rules.iter().enumerate() {
                        let p = idx(&rp, i);
                        match rule {
                            Value::String(s) => {
                                out.warn(WRONG_TYPE, &p, "the rule is a plain string: the bot compiles it with flag `i` and names it after the pattern");
                                regexp(s, "i", &p, sev, out);
                            }
                            Value::Object(r) => {
                                let name_ok = r.get("name").is_some_and(js::truthy);
                                let re = r.get("regexp");
                                if !name_ok || !re.is_some_and(js::truthy) {
                                    bad(
                                        out,
                                        HANDLER_INVALID,
                                        &p,
                                        format!(
                                            "the rule has no {}: the bot throws \"Invalid rule value\"",
                                            if name_ok { "`regexp`" } else { "`name`" }
                                        ),
                                    );
                                    continue;
                                }
                                out.unknown_keys(
                                    rule,
                                    &p,
                                    &["name", "regexp", "modifiers", "reason", "regexp_engine"],
                                    "the bot",
                                );
                                if let Some(n) = r.get("name").filter(|n| !n.is_string()) {
                                    out.warn(
                                        WRONG_TYPE,
                                        &child(&p, "name"),
                                        format!(
                                            "`name` is {}, not a string: only used in logs",
                                            js::type_name(n)
                                        ),
                                    );
                                }
                                match r.get("regexp_engine") {
                                    None => {}
                                    Some(Value::String(e)) if e == "regexp" || e == "re2" => {
                                        out.note(
                                            LEGACY_SHAPE,
                                            &child(&p, "regexp_engine"),
                                            "`regexp_engine` is a v13 leftover, legacy, still read by v14: the bot ignores it",
                                        );
                                    }
                                    Some(_) => {
                                        out.warn(
                                            UNKNOWN_KEY,
                                            &child(&p, "regexp_engine"),
                                            "`regexp_engine` (a v13 key) has a value v13 never wrote: the bot ignores it",
                                        );
                                    }
                                }
                                if let Some(reason) = r.get("reason").filter(|x| !x.is_string()) {
                                    out.warn(
                                        WRONG_TYPE,
                                        &child(&p, "reason"),
                                        format!(
                                            "`reason` is {}, not a string: the bot sends it as is",
                                            js::type_name(reason)
                                        ),
                                    );
                                }
                                let modifiers = match r.get("modifiers") {
                                    Some(Value::String(m)) => Some(m.as_str()),
                                    None => None,
                                    Some(other) => {
                                        ignored(
                                            out,
                                            WRONG_TYPE,
                                            &child(&p, "modifiers"),
                                            format!(
                                                "`modifiers` is {}, not a string: the bot ignores it and uses `i`",
                                                js::type_name(other)
                                            ),
                                            other.is_null(),
                                        );
                                        None
                                    }
                                };
                                match (re, modifiers) {
                                    (Some(Value::String(s)), m) => {
                                        regexp(s, m.unwrap_or("i"), &p, sev, out)
                                    }
                                    (Some(other), Some(m)) => {
                                        let s = js::to_js_string(other);
                                        out.warn(WRONG_TYPE, &child(&p, "regexp"), format!("`regexp` is {}, not a string: the bot compiles `String(regexp)`", js::type_name(other)));
                                        regexp(&s, m, &p, sev, out);
                                    }
                                    (Some(other), None) => {
                                        bad(
                                            out,
                                            HANDLER_INVALID,
                                            &child(&p, "regexp"),
                                            format!(
                                                "`regexp` is {}, not a string: the bot keeps it as is and throws on every message",
                                                js::type_name(other)
                                            ),
                                        );
                                    }
                                    (None, _) => {}
                                }
                            }
                            other => {
                                bad(
                                    out,
                                    HANDLER_INVALID,
                                    &p,
                                    format!(
                                        "a rule must be an object or a string, not {}: the bot throws \"Invalid rule value\"",
                                        js::type_name(other)
                                    ),
                                );
                            }
                        }
                    }
                }
                Some(other) => {
                    bad(
                        out,
                        HANDLER_INVALID,
                        &rp,
                        format!(
                            "`rules` is {}: the bot throws \"Invalid rules options\"",
                            js::type_name(other)
                        ),
                    );
                }
            }
        }
        "no-duplicate" => {
            out.unknown_keys(
                options,
                &op,
                &["reason", "delay", "applyToModerators"],
                "the bot",
            );
            bool_opt(out, "applyToModerators");
            delay_opt(out, "delay", f64::NEG_INFINITY, 86400.0);
            if let Some(r) = options.get("reason").filter(|r| !r.is_string()) {
                ignored(
                    out,
                    WRONG_TYPE,
                    &child(&op, "reason"),
                    format!(
                        "`reason` is {}, not a string: the bot ignores it",
                        js::type_name(r)
                    ),
                    r.is_null(),
                );
            }
            for key in ["reason", "delay", "applyToModerators"] {
                if options.get(key).is_none() {
                    let key: &'static str = key;
                    out.missing(
                        Severity::Warning,
                        MISSING_FIELD,
                        &op,
                        key,
                        format!("`{key}` is missing: the bot uses its default"),
                    );
                }
            }
        }
        "quotes" | "quotes_random" => {
            out.unknown_keys(options, &op, &["quotes", "delay"], "the bot");
            delay_opt(out, "delay", 1.0, 6000.0);
            strings_opt(options, "quotes", &op, false, sev, out);
            for key in ["quotes", "delay"] {
                if options.get(key).is_none() {
                    let key: &'static str = key;
                    out.missing(
                        Severity::Warning,
                        MISSING_FIELD,
                        &op,
                        key,
                        format!("`{key}` is missing: the bot uses its default"),
                    );
                }
            }
        }
        "command_say" => {
            out.unknown_keys(options, &op, &["quotes", "command"], "the bot");
            strings_opt(options, "quotes", &op, true, sev, out);
            strings_opt(options, "command", &op, true, sev, out);
            if let Some(Value::String(c)) = options.get("command") {
                if c.chars().any(js::is_js_space) {
                    ignored(out, INVALID_VALUE, &child(&op, "command"), "the command holds whitespace: it can never match, the bot takes the first word of a message as the command".to_owned(), false);
                }
            }
            for key in ["quotes", "command"] {
                if options.get(key).is_none() {
                    let key: &'static str = key;
                    out.missing(
                        Severity::Warning,
                        MISSING_FIELD,
                        &op,
                        key,
                        format!("`{key}` is missing: the command does nothing"),
                    );
                }
            }
        }
        "hello" => {
            out.unknown_keys(options, &op, &["txt", "delay"], "the bot");
            if let Some(t) = options.get("txt").filter(|t| !t.is_string()) {
                ignored(
                    out,
                    WRONG_TYPE,
                    &child(&op, "txt"),
                    format!(
                        "`txt` is {}, not a string: the bot ignores it",
                        js::type_name(t)
                    ),
                    t.is_null(),
                );
            }
            delay_opt(out, "delay", f64::NEG_INFINITY, f64::INFINITY);
        }
        "respond" => {
            out.unknown_keys(options, &op, &["txt"], "the bot");
            if let Some(t) = options.get("txt").filter(|t| !t.is_string()) {
                ignored(
                    out,
                    WRONG_TYPE,
                    &child(&op, "txt"),
                    format!(
                        "`txt` is {}, not a string: the bot ignores it",
                        js::type_name(t)
                    ),
                    t.is_null(),
                );
            }
        }
        _ => {}
    }
}

/// A string-array option; `single` when a lone string is accepted too.
fn strings_opt(options: &Value, key: &str, op: &str, single: bool, sev: Severity, out: &mut Out) {
    // Dropped values are errors in a handler the bot runs (see `check_options`).
    let dropped = |out: &mut Out, code, ptr: &str, msg: String| {
        if sev == Severity::Error {
            out.error(code, ptr, msg);
        } else {
            out.warn(code, ptr, msg);
        }
    };
    let p = child(op, key);
    match options.get(key) {
        None => {}
        Some(Value::Array(items)) => {
            if key == "command" {
                out.warn(
                    WRONG_TYPE,
                    &p,
                    format!("`command` is a list of {} names, not one name as the plugin writes: the bot answers to each string", items.len()),
                );
            }
            for (i, item) in items.iter().enumerate() {
                if item.is_null() {
                    out.warn(
                        ENTRY_DROPPED,
                        &idx(&p, i),
                        format!("null in `{key}`: the bot drops it"),
                    );
                } else if !item.is_string() {
                    dropped(
                        out,
                        ENTRY_DROPPED,
                        &idx(&p, i),
                        format!("{} in `{key}`: the bot drops it", js::type_name(item)),
                    );
                }
            }
        }
        Some(Value::String(_)) if single && key == "quotes" => {
            out.warn(
                WRONG_TYPE,
                &p,
                format!("`{key}` is a single string: the bot reads it as a list of one"),
            );
        }
        Some(Value::String(_)) if single => {}
        Some(other) if !js::truthy(other) => {
            out.warn(
                WRONG_TYPE,
                &p,
                format!("`{key}` is {}: the bot ignores it", js::show(other)),
            );
        }
        Some(other) => {
            dropped(
                out,
                WRONG_TYPE,
                &p,
                format!("`{key}` is {}: the bot ignores it", js::type_name(other)),
            );
        }
    }
}

fn regexp(pattern: &str, flags: &str, ptr: &str, sev: Severity, out: &mut Out) {
    let p = child(ptr, "regexp");
    match js::check_regexp(pattern, flags) {
        RegexpVerdict::Ok => {}
        RegexpVerdict::Invalid(why) => {
            let code = if js::check_flags(flags).is_err() {
                REGEXP_FLAGS_INVALID
            } else {
                REGEXP_INVALID
            };
            let at = if code == REGEXP_FLAGS_INVALID {
                child(ptr, "modifiers")
            } else {
                p
            };
            let msg = format!(
                "`new RegExp(regexp, {})` throws: {why}",
                Value::String(flags.to_owned())
            );
            match sev {
                Severity::Error => {
                    out.error(code, &at, msg).help = Some(THROWS.to_owned());
                }
                Severity::Warning => {
                    out.warn(
                        code,
                        &at,
                        format!("{msg} (not loaded while the handler or its room is disabled)"),
                    );
                }
            }
        }
        RegexpVerdict::Unverifiable(why) => {
            out.warn(
                REGEXP_UNVERIFIABLE,
                &p,
                format!("cannot verify this regular expression: {why}"),
            );
        }
    }
}
