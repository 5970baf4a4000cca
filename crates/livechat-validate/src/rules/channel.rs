//! `channelConfigurationOptions/<N>.json`, read the way
//! `sanitizeChannelConfigurationOptions` (`configuration/channel/sanitize.ts`) reads
//! it: every `throw` is an error (room creation fails for the channel and its bot is
//! disabled), every silent coercion a warning saying what the plugin reads. Also
//! checks what the plugin later builds from the file for the bot: the joined
//! forbidden-words regular expressions.

use serde_json::Value;

use super::js::{self, RegexpVerdict};
use super::roomconf::{self, Filter, ForbiddenWords, Sanitized};
use super::{ChannelConfigDigest, Digest, FileContext, Out, child, idx};
use crate::Severity;
use crate::codes::*;

const THROWS: &str = "the plugin throws when it reads the file: rooms of this channel cannot be created and its bot is disabled";

struct Reader<'o> {
    out: &'o mut Out,
}

impl Reader<'_> {
    fn fail(&mut self, code: &'static str, ptr: &str, msg: String) {
        self.out.error(code, ptr, msg).help = Some(THROWS.to_owned());
    }

    /// `_assertObjectType(v ?? {})` for an optional section: `Some(v)` when it
    /// passes (`None` also for null/missing: then the section is `{}`).
    fn section<'v>(
        &mut self,
        parent: &'v Value,
        key: &str,
        ptr: &str,
    ) -> Result<Option<&'v Value>, ()> {
        match js::get(parent, key) {
            None => Ok(None),
            Some(Value::Null) => {
                self.out.warn(
                    NULL_DEFAULTED,
                    ptr,
                    format!(
                        "`{key}` is null: the plugin reads it as missing and uses the defaults"
                    ),
                );
                Ok(None)
            }
            Some(v @ Value::Object(_)) => Ok(Some(v)),
            Some(v @ Value::Array(_)) => {
                self.array_as_object(
                    v,
                    ptr,
                    format!("`{key}` is an array: the plugin reads it as an object without keys"),
                );
                Ok(Some(v))
            }
            Some(other) => {
                self.fail(
                    WRONG_TYPE,
                    ptr,
                    format!("`{key}` must be an object, not {}", js::type_name(other)),
                );
                Err(())
            }
        }
    }

    /// An array where the plugin expects an object: it reads no key of it. Empty, it
    /// says nothing either (a warning); otherwise what it holds is lost (an error).
    fn array_as_object(&mut self, v: &Value, ptr: &str, msg: String) {
        if v.as_array().is_some_and(Vec::is_empty) {
            self.out.warn(WRONG_TYPE, ptr, msg);
        } else {
            self.out
                .error(WRONG_TYPE, ptr, format!("{msg}, so what it holds is lost"));
        }
    }

    /// `_readBoolean`.
    fn boolean(&mut self, obj: &Value, key: &str, ptr: &str) -> bool {
        match js::get(obj, key) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.fail(
                    WRONG_TYPE,
                    &child(ptr, key),
                    format!(
                        "`{key}` must be a boolean, not {} (\"Invalid data type for field {key}\")",
                        js::type_name(other)
                    ),
                );
                false
            }
        }
    }

    /// `_readInteger`.
    fn integer(
        &mut self,
        obj: &Value,
        key: &'static str,
        ptr: &str,
        min: f64,
        max: f64,
    ) -> Option<i64> {
        let Some(v) = js::get(obj, key) else {
            self.out
                .missing(
                    Severity::Error,
                    MISSING_FIELD,
                    ptr,
                    key,
                    format!("`{key}` is missing (\"Missing integer value for field {key}\")"),
                )
                .help = Some(THROWS.to_owned());
            return None;
        };
        let p = child(ptr, key);
        let Some(n) = js::read_integer(v) else {
            self.fail(
                WRONG_TYPE,
                &p,
                format!("`{key}` is {} that parseInt reads as NaN", js::show(v)),
            );
            return None;
        };
        if n < min || n > max {
            self.fail(
                OUT_OF_RANGE,
                &p,
                format!(
                    "`{key}` is {}, outside {min}..={max}",
                    if js::is_json_integer(v) || js::show(v) == js::show_integer(n) {
                        js::show(v)
                    } else {
                        format!("{} (read as {})", js::show(v), js::show_integer(n))
                    }
                ),
            );
            return None;
        }
        if !js::is_json_integer(v) {
            let how = if v.is_number() {
                "Math.trunc"
            } else {
                "parseInt"
            };
            let msg = format!(
                "`{key}` is {}, not an integer: the plugin reads {} ({how})",
                js::show(v),
                js::show_integer(n)
            );
            // `"300"` and `300.0` are read as written; `60.999`, `"300abc"` and
            // `[300]` are read as another number than the file says.
            if js::integer_read_as_written(v, n) {
                self.out.warn(NON_CANONICAL_INTEGER, &p, msg);
            } else {
                self.out.error(
                    NON_CANONICAL_INTEGER,
                    &p,
                    format!("{msg}, not the number the file says"),
                );
            }
        }
        #[allow(clippy::cast_possible_truncation)]
        Some(n as i64)
    }

    /// `_readSimpleInput`.
    fn simple(
        &mut self,
        obj: &Value,
        key: &str,
        ptr: &str,
        strict: bool,
        no_space: bool,
    ) -> String {
        let Some(v) = js::get(obj, key) else {
            return String::new();
        };
        let p = child(ptr, key);
        let Some(s) = v.as_str() else {
            self.fail(
                WRONG_TYPE,
                &p,
                format!(
                    "`{key}` must be a string, not {} (\"Invalid data type for field {key}\")",
                    js::type_name(v)
                ),
            );
            return String::new();
        };
        if s.chars().any(js::is_simple_control) {
            self.out.warn(
                CONTROL_CHARS,
                &p,
                format!("`{key}` holds control characters: the plugin strips them"),
            );
        }
        let stripped: String = s.chars().filter(|c| !js::is_simple_control(*c)).collect();
        let read = js::read_simple_input(s, strict, no_space);
        if strict && js::read_simple_input(s, true, false) != stripped {
            self.out.error(
                TRAILING_CHAR_STRIPPED,
                &p,
                format!(
                    "`{key}` ends with a character outside letters, digits, spaces, `_` and `-`: the plugin strips it and reads {}",
                    Value::String(read.clone())
                ),
            );
        }
        if no_space && read != js::read_simple_input(s, strict, false) {
            self.out.error(
                WHITESPACE_REMOVED,
                &p,
                format!(
                    "`{key}` holds whitespace: the plugin removes it and reads {}",
                    Value::String(read.clone())
                ),
            );
        }
        read
    }

    /// `_readStringArray` / `_readRegExpArray`.
    fn strings(&mut self, obj: &Value, key: &str, ptr: &str, regexp: bool) -> Vec<String> {
        let Some(v) = js::get(obj, key) else {
            return Vec::new();
        };
        let p = child(ptr, key);
        let Some(items) = v.as_array() else {
            self.fail(
                WRONG_TYPE,
                &p,
                format!("`{key}` must be an array, not {}", js::type_name(v)),
            );
            return Vec::new();
        };
        let mut result = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let ip = idx(&p, i);
            let Some(s) = item.as_str() else {
                self.fail(
                    WRONG_TYPE,
                    &ip,
                    format!(
                        "an entry of `{key}` must be a string, not {}",
                        js::type_name(item)
                    ),
                );
                continue;
            };
            if js::is_blank(s) {
                self.out.warn(
                    EMPTY_ENTRY_DROPPED,
                    &ip,
                    "empty or whitespace-only entry: the plugin drops it",
                );
                continue;
            }
            if regexp {
                match js::check_regexp(s, "") {
                    RegexpVerdict::Ok => {}
                    RegexpVerdict::Invalid(why) => {
                        self.fail(
                            REGEXP_INVALID,
                            &ip,
                            format!("the regular expression does not compile in JavaScript: {why}"),
                        );
                        continue;
                    }
                    RegexpVerdict::Unverifiable(why) => {
                        self.out.warn(
                            REGEXP_UNVERIFIABLE,
                            &ip,
                            format!("cannot verify this regular expression: {why}"),
                        );
                    }
                }
            }
            result.push(s.to_owned());
        }
        result
    }

    /// An optional label/reason/comments: read only when truthy.
    fn optional_text(
        &mut self,
        obj: &Value,
        key: &str,
        ptr: &str,
        multiline: bool,
    ) -> Option<String> {
        let v = js::get(obj, key)?;
        let p = child(ptr, key);
        if !js::truthy(v) {
            self.out.warn(
                FALSY_DROPPED,
                &p,
                format!(
                    "`{key}` is {}, which is falsy: the plugin drops it",
                    js::show(v)
                ),
            );
            return None;
        }
        let Some(s) = v.as_str() else {
            self.fail(
                WRONG_TYPE,
                &p,
                format!("`{key}` must be a string, not {}", js::type_name(v)),
            );
            return None;
        };
        let strip = if multiline {
            js::is_multiline_control
        } else {
            js::is_simple_control
        };
        if s.chars().any(strip) {
            self.out.warn(
                CONTROL_CHARS,
                &p,
                format!("`{key}` holds control characters: the plugin strips them"),
            );
        }
        Some(s.chars().filter(|c| !strip(*c)).collect())
    }
}

pub(super) fn check(value: &Value, ctx: &FileContext<'_>, out: &mut Out) -> Digest {
    let _ = ctx;
    let sanitized = read(value, out);
    // Every `throw` of sanitize carries the help THROWS; the other errors are values
    // the plugin reads, but otherwise than written (and the joined pattern, which
    // only the bot compiles).
    let valid = !out.has_error_with_help(THROWS);
    let digest = match sanitized {
        Some(s) if valid => ChannelConfigDigest {
            valid: true,
            bot_enabled: s.bot_enabled,
            expected: [
                roomconf::expected_fingerprint(&s, true),
                roomconf::expected_fingerprint(&s, false),
            ],
        },
        _ => ChannelConfigDigest {
            valid: false,
            bot_enabled: false,
            expected: [0, 0],
        },
    };
    Digest::ChannelConfig(digest)
}

fn read(data: &Value, out: &mut Out) -> Option<Sanitized> {
    let mut r = Reader { out };
    match data {
        Value::Object(_) => {}
        Value::Array(_) => {
            r.fail(WRONG_TYPE, "", "the file holds an array, not an object: the plugin finds no `bot.forbiddenWords` (\"Invalid forbiddenWords data\")".to_owned());
            return None;
        }
        other => {
            r.fail(
                WRONG_TYPE,
                "",
                format!(
                    "the file holds {}, not an object (\"Invalid data type\")",
                    js::type_name(other)
                ),
            );
            return None;
        }
    }
    r.out.unknown_keys(
        data,
        "",
        &["bot", "slowMode", "mute", "moderation", "terms"],
        "the plugin",
    );
    let mut legacy: Vec<&str> = Vec::new();

    // bot: `data.bot ?? {}`, then `bot.forbiddenWords` must be an array.
    let bot = match js::get(data, "bot") {
        None => {
            r.out
                .missing(
                    Severity::Error,
                    MISSING_FIELD,
                    "",
                    "bot",
                    "`bot` is missing (\"Invalid forbiddenWords data\")",
                )
                .help = Some(THROWS.to_owned());
            None
        }
        Some(Value::Null) => {
            r.fail(WRONG_TYPE, "/bot", "`bot` is null, read as `{}`, which has no `forbiddenWords` (\"Invalid forbiddenWords data\")".to_owned());
            None
        }
        Some(b) if js::truthy(b) && js::typeof_object(b) => Some(b),
        Some(other) => {
            r.fail(
                WRONG_TYPE,
                "/bot",
                format!(
                    "`bot` must be an object, not {} (\"Invalid data.bot data type\")",
                    js::type_name(other)
                ),
            );
            None
        }
    };

    // slowMode
    let mut s = Sanitized::default();
    match r.section(data, "slowMode", "/slowMode") {
        Ok(Some(sm)) => {
            r.out.unknown_keys(
                sm,
                "/slowMode",
                &["duration", "defaultDuration"],
                "the plugin",
            );
            let duration = js::get(sm, "duration");
            let default_duration = js::get(sm, "defaultDuration").filter(|v| !v.is_null());
            match (duration, default_duration) {
                (None | Some(Value::Null), Some(_)) => {
                    if duration.is_some() {
                        r.out.warn(
                            NULL_DEFAULTED,
                            "/slowMode/duration",
                            "`duration` is null: the plugin reads `defaultDuration` instead",
                        );
                    }
                    legacy.push("v8.3 `slowMode.defaultDuration`");
                    r.integer(sm, "defaultDuration", "/slowMode", 0.0, 1000.0);
                }
                (None | Some(Value::Null), None) => {
                    if duration.is_some() {
                        r.out.error(
                            NULL_DEFAULTED,
                            "/slowMode/duration",
                            "`duration` is null: the plugin reads 0, a number the file does not say",
                        );
                    }
                    if js::get(sm, "defaultDuration").is_some() {
                        r.out.error(
                            NULL_DEFAULTED,
                            "/slowMode/defaultDuration",
                            "`defaultDuration` is null: the plugin reads a duration of 0, a number the file does not say",
                        );
                    }
                }
                (Some(_), dd) => {
                    r.integer(sm, "duration", "/slowMode", 0.0, 1000.0);
                    if dd.is_some() {
                        r.out.warn(
                            UNKNOWN_KEY,
                            "/slowMode/defaultDuration",
                            "`defaultDuration` (v8.3) is ignored because `duration` is set",
                        );
                    }
                }
            }
        }
        Ok(None) => {
            if js::get(data, "slowMode").is_none() {
                legacy.push("no `slowMode` (v8.0-v8.2)");
            }
        }
        Err(()) => {}
    }

    // moderation
    match r.section(data, "moderation", "/moderation") {
        Ok(Some(m)) => {
            r.out
                .unknown_keys(m, "/moderation", &["delay", "anonymize"], "the plugin");
            match js::get(m, "delay") {
                None => legacy.push("no `moderation.delay`"),
                Some(Value::Null) => {
                    r.out.error(
                        NULL_DEFAULTED,
                        "/moderation/delay",
                        "`delay` is null: the plugin reads 0, a number the file does not say",
                    );
                }
                Some(_) => {
                    r.integer(m, "delay", "/moderation", 0.0, 60.0);
                }
            }
            match js::get(m, "anonymize") {
                None => legacy.push("no `moderation.anonymize` (v10.3)"),
                Some(Value::Null) => {
                    r.out.warn(
                        NULL_DEFAULTED,
                        "/moderation/anonymize",
                        "`anonymize` is null: the plugin reads false",
                    );
                }
                Some(_) => {
                    r.boolean(m, "anonymize", "/moderation");
                }
            }
        }
        Ok(None) => {
            if js::get(data, "moderation").is_none() {
                legacy.push("no `moderation` (before v10.3)");
            }
        }
        Err(()) => {}
    }

    // mute
    match r.section(data, "mute", "/mute") {
        Ok(Some(m)) => {
            r.out.unknown_keys(m, "/mute", &["anonymous"], "the plugin");
            if js::get(m, "anonymous").is_some_and(Value::is_null) {
                r.out.warn(
                    NULL_DEFAULTED,
                    "/mute/anonymous",
                    "`anonymous` is null: the plugin reads false",
                );
            } else {
                r.boolean(m, "anonymous", "/mute");
            }
        }
        Ok(None) => {
            if js::get(data, "mute").is_none() {
                legacy.push("no `mute` (before v10.2)");
            }
        }
        Err(()) => {}
    }

    // terms
    match js::get(data, "terms") {
        None => {}
        Some(Value::Null) => {
            r.out.warn(
                NULL_DEFAULTED,
                "/terms",
                "`terms` is null: the plugin reads no terms",
            );
        }
        Some(Value::String(t)) => {
            if t.is_empty() {
                r.out.warn(
                    FALSY_DROPPED,
                    "/terms",
                    "`terms` is empty: the plugin reads no terms",
                );
            } else {
                let len = js::utf16_len(t);
                if len > 400 {
                    r.fail(
                        TERMS_TOO_LONG,
                        "/terms",
                        format!("`terms` is {len} UTF-16 code units long, more than 400 (\"data.terms value too long\")"),
                    );
                }
            }
        }
        Some(other) => {
            r.fail(
                WRONG_TYPE,
                "/terms",
                format!(
                    "`terms` must be a string, not {} (\"Invalid data.terms data type\")",
                    js::type_name(other)
                ),
            );
        }
    }

    if let Some(bot) = bot {
        read_bot(&mut r, bot, &mut s, &mut legacy);
    }

    if !legacy.is_empty() {
        r.out.note(
            LEGACY_SHAPE,
            "",
            format!(
                "legacy shape, still read by v14 with defaults for what is missing: {}",
                legacy.join(", ")
            ),
        );
    }
    Some(s)
}

fn read_bot(r: &mut Reader<'_>, bot: &Value, s: &mut Sanitized, legacy: &mut Vec<&str>) {
    let bp = "/bot";
    r.out.unknown_keys(
        bot,
        bp,
        &[
            "enabled",
            "nickname",
            "forbiddenWords",
            "forbidSpecialChars",
            "noDuplicate",
            "quotes",
            "commands",
        ],
        "the plugin",
    );
    s.bot_enabled = r.boolean(bot, "enabled", bp);
    s.nickname = r.simple(bot, "nickname", bp, true, false);

    // forbiddenWords
    match js::get(bot, "forbiddenWords") {
        Some(Value::Array(lines)) => {
            let mut missing_enabled = false;
            for (i, fw) in lines.iter().enumerate() {
                let p = idx("/bot/forbiddenWords", i);
                if !fw.is_object() {
                    if fw.is_array() {
                        // `'entries' in []` is true (Array.prototype.entries), and a
                        // function is not an array.
                        r.fail(WRONG_TYPE, &p, "this line is an array: the plugin reads `Array.prototype.entries` as its entries and throws (\"Invalid data type for field entries\")".to_owned());
                    } else {
                        r.fail(WRONG_TYPE, &p, format!("a forbidden-words line must be an object, not {} (\"Invalid entry in botData.forbiddenWords\")", js::type_name(fw)));
                    }
                    continue;
                }
                r.out.unknown_keys(
                    fw,
                    &p,
                    &[
                        "enabled",
                        "regexp",
                        "entries",
                        "applyToModerators",
                        "label",
                        "reason",
                        "comments",
                    ],
                    "the plugin",
                );
                let regexp_v = js::get(fw, "regexp");
                let regexp = regexp_v.is_some_and(js::truthy);
                if let Some(v) = regexp_v.filter(|v| !v.is_boolean()) {
                    r.out.coercion(
                        &child(&p, "regexp"),
                        v,
                        regexp,
                        format!(
                            "`regexp` is {}, not a boolean: the plugin reads {regexp}",
                            js::show(v)
                        ),
                    );
                }
                let entries = r.strings(fw, "entries", &p, regexp);
                let apply = r.boolean(fw, "applyToModerators", &p);
                r.optional_text(fw, "label", &p, false);
                let reason = r.optional_text(fw, "reason", &p, false);
                r.optional_text(fw, "comments", &p, true);
                let enabled = if js::get(fw, "enabled").is_some() {
                    r.boolean(fw, "enabled", &p)
                } else {
                    missing_enabled = true;
                    true
                };
                if enabled && entries.len() > 1 {
                    let (joined, flags) = if regexp {
                        (js::join_regexp_entries(&entries), "i")
                    } else {
                        (js::join_word_entries(&entries), "i")
                    };
                    match js::check_regexp(&joined, flags) {
                        RegexpVerdict::Ok => {}
                        RegexpVerdict::Invalid(why) => {
                            r.out.error(
                                REGEXP_JOIN_INVALID,
                                &child(&p, "entries"),
                                format!("the entries compile one by one, but not the `(?:a)|(?:b)` pattern the plugin writes for the bot: {why}"),
                            ).help = Some("the bot throws when it loads the room; at start-up the room files after it are not loaded".to_owned());
                        }
                        RegexpVerdict::Unverifiable(why) => {
                            r.out.warn(
                                REGEXP_UNVERIFIABLE,
                                &child(&p, "entries"),
                                format!("cannot verify the joined `(?:a)|(?:b)` pattern the plugin writes for the bot: {why}"),
                            );
                        }
                    }
                }
                s.forbidden_words.push(ForbiddenWords {
                    enabled,
                    regexp,
                    entries,
                    apply_to_moderators: apply,
                    reason,
                });
            }
            if missing_enabled {
                legacy.push("no `forbiddenWords[].enabled` (before v14; read as enabled)");
            }
        }
        None | Some(Value::Null) => {
            r.out
                .missing(
                    Severity::Error,
                    MISSING_FIELD,
                    bp,
                    "forbiddenWords",
                    "`bot.forbiddenWords` is missing (\"Invalid forbiddenWords data\")",
                )
                .help = Some(THROWS.to_owned());
        }
        Some(other) => {
            r.fail(
                WRONG_TYPE,
                "/bot/forbiddenWords",
                format!(
                    "`forbiddenWords` must be an array, not {} (\"Invalid forbiddenWords data\")",
                    js::type_name(other)
                ),
            );
        }
    }

    // forbidSpecialChars, noDuplicate
    for (key, value_key, max, target, since) in [
        ("forbidSpecialChars", "tolerance", 10.0, 0usize, "v12"),
        ("noDuplicate", "delay", 86400.0, 1usize, "v12"),
    ] {
        let p = child(bp, key);
        let filter = match js::get(bot, key) {
            None => {
                legacy.push(if target == 0 {
                    "no `bot.forbidSpecialChars` (before v12)"
                } else {
                    "no `bot.noDuplicate` (before v12)"
                });
                let _ = since;
                Some(Filter {
                    value: if target == 0 { 0 } else { 60 },
                    ..Filter::default()
                })
            }
            Some(Value::Null) => {
                r.out.warn(
                    NULL_DEFAULTED,
                    &p,
                    format!("`{key}` is null: the plugin uses its defaults (disabled)"),
                );
                Some(Filter {
                    value: if target == 0 { 0 } else { 60 },
                    ..Filter::default()
                })
            }
            Some(v) if js::truthy(v) && js::typeof_object(v) => {
                if v.is_array() {
                    r.array_as_object(
                        v,
                        &p,
                        format!(
                            "`{key}` is an array: the plugin reads it as an object without keys"
                        ),
                    );
                }
                r.out.unknown_keys(
                    v,
                    &p,
                    &["enabled", "reason", value_key, "applyToModerators"],
                    "the plugin",
                );
                let enabled = r.boolean(v, "enabled", &p);
                let reason = r.simple(v, "reason", &p, false, false);
                let value = if target == 0 {
                    r.integer(v, "tolerance", &p, 0.0, max)
                } else {
                    r.integer(v, "delay", &p, 0.0, max)
                };
                let apply = r.boolean(v, "applyToModerators", &p);
                value.map(|value| Filter {
                    enabled,
                    reason,
                    value,
                    apply_to_moderators: apply,
                })
            }
            Some(other) => {
                r.fail(
                    WRONG_TYPE,
                    &p,
                    format!("`{key}` must be an object, not {}", js::show(other)),
                );
                None
            }
        };
        if let Some(f) = filter {
            if target == 0 {
                s.special_chars = f
            } else {
                s.no_duplicate = f
            }
        }
    }

    // quotes
    match js::get(bot, "quotes") {
        Some(Value::Array(items)) => {
            for (i, q) in items.iter().enumerate() {
                let p = idx("/bot/quotes", i);
                if !(js::truthy(q) && js::typeof_object(q)) {
                    r.fail(WRONG_TYPE, &p, format!("a quote must be an object, not {} (\"Invalid entry in botData.quotes\")", js::type_name(q)));
                    continue;
                }
                if q.is_array() {
                    r.array_as_object(
                        q,
                        &p,
                        "this quote is an array: the plugin reads it as an object without keys"
                            .to_owned(),
                    );
                }
                r.out
                    .unknown_keys(q, &p, &["messages", "delay"], "the plugin");
                let messages = r.strings(q, "messages", &p, false);
                let delay = r.integer(q, "delay", &p, 1.0, 6000.0);
                s.quotes.push((messages, delay.unwrap_or(1)));
            }
        }
        None | Some(Value::Null) => {
            r.out
                .missing(
                    Severity::Error,
                    MISSING_FIELD,
                    bp,
                    "quotes",
                    "`bot.quotes` is missing (\"Invalid quotes data\")",
                )
                .help = Some(THROWS.to_owned());
        }
        Some(other) => {
            r.fail(
                WRONG_TYPE,
                "/bot/quotes",
                format!(
                    "`quotes` must be an array, not {} (\"Invalid quotes data\")",
                    js::type_name(other)
                ),
            );
        }
    }

    // commands
    match js::get(bot, "commands") {
        Some(Value::Array(items)) => {
            for (i, c) in items.iter().enumerate() {
                let p = idx("/bot/commands", i);
                if !(js::truthy(c) && js::typeof_object(c)) {
                    r.fail(WRONG_TYPE, &p, format!("a command must be an object, not {} (\"Invalid entry in botData.commands\")", js::type_name(c)));
                    continue;
                }
                if c.is_array() {
                    r.array_as_object(
                        c,
                        &p,
                        "this command is an array: the plugin reads it as an empty command"
                            .to_owned(),
                    );
                }
                r.out
                    .unknown_keys(c, &p, &["message", "command"], "the plugin");
                let message = r.simple(c, "message", &p, false, false);
                let command = r.simple(c, "command", &p, false, true);
                s.commands.push((message, command));
            }
        }
        None | Some(Value::Null) => {
            r.out
                .missing(
                    Severity::Error,
                    MISSING_FIELD,
                    bp,
                    "commands",
                    "`bot.commands` is missing (\"Invalid commands data\")",
                )
                .help = Some(THROWS.to_owned());
        }
        Some(other) => {
            r.fail(
                WRONG_TYPE,
                "/bot/commands",
                format!(
                    "`commands` must be an array, not {} (\"Invalid commands data\")",
                    js::type_name(other)
                ),
            );
        }
    }
}
