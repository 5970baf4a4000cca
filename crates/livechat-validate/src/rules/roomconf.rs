//! The bot room content the plugin generates from a sanitised channel configuration
//! (`channelConfigurationOptionsToBotRoomConf` in `configuration/channel/storage.ts`),
//! reduced to a fingerprint, and the same fingerprint of an existing room file, so
//! the cross-file rules can tell an out-of-date room file with two integers.
//!
//! The fingerprint covers what the bot acts on: the nick and the enabled handlers
//! (id, type and options, with object keys sorted). Disabled handlers are left out:
//! the plugin keeps stale ones forever and the bot ignores them.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::{Map, Value, json};

use super::js;

/// A channel configuration after `sanitizeChannelConfigurationOptions`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sanitized {
    pub bot_enabled: bool,
    pub nickname: String,
    pub forbidden_words: Vec<ForbiddenWords>,
    pub special_chars: Filter,
    pub no_duplicate: Filter,
    pub quotes: Vec<(Vec<String>, i64)>,
    pub commands: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ForbiddenWords {
    pub enabled: bool,
    pub regexp: bool,
    pub entries: Vec<String>,
    pub apply_to_moderators: bool,
    pub reason: Option<String>,
}

/// `forbidSpecialChars` (`value` = tolerance) or `noDuplicate` (`value` = delay).
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    pub enabled: bool,
    pub reason: String,
    pub value: i64,
    pub apply_to_moderators: bool,
}

/// The handlers the plugin generates, as `(id, enabled, handler)`.
pub(crate) fn generate(s: &Sanitized, users_regexp: bool) -> Vec<(String, bool, Value)> {
    let mut handlers = Vec::new();
    for (i, fw) in s.forbidden_words.iter().enumerate() {
        let id = format!("forbidden_words_{i}");
        if fw.entries.is_empty() {
            handlers.push((
                id,
                false,
                json!({"type": "moderate", "options": {"rules": []}}),
            ));
            continue;
        }
        let enabled = fw.enabled && (users_regexp || !fw.regexp);
        let regexp = if fw.regexp {
            js::join_regexp_entries(&fw.entries)
        } else {
            js::join_word_entries(&fw.entries)
        };
        let mut rule = Map::new();
        rule.insert("name".into(), id.clone().into());
        rule.insert("regexp".into(), regexp.into());
        if let Some(reason) = fw.reason.as_ref().filter(|r| !r.is_empty()) {
            rule.insert("reason".into(), reason.clone().into());
        }
        handlers.push((
            id,
            enabled,
            json!({"type": "moderate", "options": {"rules": [rule], "applyToModerators": fw.apply_to_moderators}}),
        ));
    }
    if s.special_chars.enabled {
        let id = "forbid_special_chars".to_owned();
        let tolerance = u32::try_from(s.special_chars.value).unwrap_or(0);
        let rule = json!({
            "name": id,
            "regexp": js::special_chars_regexp(tolerance),
            "modifiers": "us",
            "reason": s.special_chars.reason,
        });
        handlers.push((
            id,
            true,
            json!({"type": "moderate", "options": {"rules": [rule], "applyToModerators": s.special_chars.apply_to_moderators}}),
        ));
    }
    if s.no_duplicate.enabled {
        handlers.push((
            "no_duplicate".to_owned(),
            true,
            json!({"type": "no-duplicate", "options": {
                "reason": s.no_duplicate.reason,
                "delay": s.no_duplicate.value,
                "applyToModerators": s.no_duplicate.apply_to_moderators,
            }}),
        ));
    }
    for (i, (messages, delay)) in s.quotes.iter().enumerate() {
        let id = format!("quote_{i}");
        if messages.is_empty() {
            handlers.push((
                id,
                false,
                json!({"type": "quotes_random", "options": {"quotes": [], "delay": 300}}),
            ));
        } else {
            handlers.push((
                id,
                true,
                json!({"type": "quotes_random", "options": {"quotes": messages, "delay": delay}}),
            ));
        }
    }
    for (i, (message, command)) in s.commands.iter().enumerate() {
        let id = format!("command_{i}");
        if message.is_empty() {
            handlers.push((
                id,
                false,
                json!({"type": "command_say", "options": {"quotes": [], "command": "undefined"}}),
            ));
        } else {
            handlers.push((
                id,
                true,
                json!({"type": "command_say", "options": {"quotes": [message], "command": command}}),
            ));
        }
    }
    handlers
}

/// The fingerprint of what the plugin would write for this configuration.
pub(crate) fn expected_fingerprint(s: &Sanitized, users_regexp: bool) -> u64 {
    let nick = (!s.nickname.is_empty()).then_some(s.nickname.as_str());
    let enabled: Vec<(String, Value)> = generate(s, users_regexp)
        .into_iter()
        .filter(|(_, enabled, _)| *enabled)
        .map(|(id, _, h)| (id, h))
        .collect();
    fingerprint(nick, enabled)
}

/// The fingerprint of an existing room file: its nick and its enabled handlers (as
/// the bot reads them: `!!(enabled ?? true)`, `type` and `id` strings).
pub(crate) fn actual_fingerprint(room: &Value) -> u64 {
    let nick = room.get("nick").and_then(Value::as_str);
    let mut enabled = Vec::new();
    if let Some(handlers) = room.get("handlers").and_then(Value::as_array) {
        for h in handlers {
            let (Some(id), Some(ty)) = (
                h.get("id").and_then(Value::as_str),
                h.get("type").and_then(Value::as_str),
            ) else {
                continue;
            };
            let on = h.get("enabled").is_none_or(js::truthy);
            if !on {
                continue;
            }
            let options = h.get("options").cloned().unwrap_or_else(|| json!({}));
            enabled.push((id.to_owned(), json!({"type": ty, "options": options})));
        }
    }
    fingerprint(nick, enabled)
}

fn fingerprint(nick: Option<&str>, mut handlers: Vec<(String, Value)>) -> u64 {
    handlers.sort_by(|a, b| a.0.cmp(&b.0));
    // The bot keeps the first handler of an id; later ones only reload it.
    handlers.dedup_by(|b, a| a.0 == b.0);
    let mut h = DefaultHasher::new();
    nick.hash(&mut h);
    for (id, value) in &handlers {
        id.hash(&mut h);
        canonical(value).hash(&mut h);
    }
    h.finish()
}

/// JSON text with object keys sorted, numbers by value.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Value::String((*k).clone()), canonical(&m[*k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), js::number_to_string),
        other => other.to_string(),
    }
}
