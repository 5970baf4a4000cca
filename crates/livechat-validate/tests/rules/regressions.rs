//! Verdicts found by running the plugin's own code (sanitize.ts, storage.ts,
//! xmppjs-chat-bot's readRoomConf and handlers, Node's crypto) on mutated files,
//! kept here so they stay right.

use livechat_schema::Kind;
use serde_json::{Value, json};

use crate::expected::context;
use crate::support::{options, verdict};

fn rejects(kind: Kind, value: &Value) -> bool {
    let (params, rel) = context(kind);
    verdict(kind, &params, &rel, value, &options()).rejects()
}

fn config(bot: Value) -> Value {
    json!({"bot": bot})
}

#[test]
fn channel_configuration() {
    let base = json!({"enabled": true, "forbiddenWords": [], "quotes": [], "commands": []});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        config(b)
    };
    let k = Kind::ChannelConfigurationOptions;
    // `'entries' in []` is true (Array.prototype.entries): the plugin throws.
    assert!(rejects(k, &with("forbiddenWords", json!([[]]))));
    // A command given as an array reads as an empty command.
    assert!(!rejects(k, &with("commands", json!([[]]))));
    // A quote given as an array has no delay.
    assert!(rejects(k, &with("quotes", json!([[]]))));
    // `regexp: "yes"` makes the entries regular expressions.
    assert!(rejects(
        k,
        &with(
            "forbiddenWords",
            json!([{"regexp": "yes", "entries": ["(?:x"]}])
        )
    ));
    assert!(!rejects(
        k,
        &with(
            "forbiddenWords",
            json!([{"regexp": 0, "entries": ["(?:x"]}])
        )
    ));
    // `\b+` compiles in regress, not in V8.
    assert!(rejects(
        k,
        &with(
            "forbiddenWords",
            json!([{"regexp": true, "entries": ["\\b+"]}])
        )
    ));
    // A null `defaultDuration` is read as 0: a number the file does not say, an
    // error under issue 9's rule.
    let mut c = config(base.clone());
    c["slowMode"] = json!({"defaultDuration": null});
    assert!(rejects(k, &c));
    // Strings for integers: parseInt; `true` is NaN.
    let mut c = config(base.clone());
    c["slowMode"] = json!({"duration": "0x10"});
    assert!(!rejects(k, &c));
    c["slowMode"] = json!({"duration": true});
    assert!(rejects(k, &c));
    // `parseInt([5])` is 5: the plugin accepts an array as a number, which is
    // not what the file says (an error, issue 9).
    c["slowMode"] = json!({"duration": [5]});
    assert!(rejects(k, &c));
    c["slowMode"] = json!({"duration": "1001"});
    assert!(rejects(k, &c));
}

#[test]
fn bot_rooms() {
    let k = Kind::BotRoom;
    let room = |enabled: bool, handler: Value| {
        json!({"local": "8df24108-6e70-4fc8-b1cc-f2db7fcdd535", "domain": "room.peertube.example.com",
               "enabled": enabled, "handlers": [handler]})
    };
    let bad = json!({"type": "moderate", "id": "a", "enabled": true, "options": {"rules": null}});
    // The bot builds no handler of a disabled room, and the plugin re-enables a room
    // only by regenerating its handlers: options it would refuse are harmless there.
    assert!(!rejects(k, &room(false, bad.clone())));
    assert!(rejects(k, &room(true, bad)));
    // A handler the bot drops (no id) is an error even in a disabled room: readRoomConf
    // drops it, and logs an error, whatever the room's state.
    let no_id = json!({"type": "moderate", "enabled": true, "options": {"rules": []}});
    assert!(rejects(k, &room(false, no_id)));
    let off = json!({"type": "moderate", "id": "a", "enabled": false, "options": {"rules": null}});
    assert!(!rejects(k, &room(true, off)));
    // The bot accepts a list of command names, and any quote delay above 0.
    let cmd = json!({"type": "command_say", "id": "c", "enabled": true, "options": {"quotes": ["x"], "command": ["a", "b"]}});
    assert!(!rejects(k, &room(true, cmd)));
    let q = json!({"type": "quotes_random", "id": "q", "enabled": true, "options": {"quotes": ["x"], "delay": 86401}});
    assert!(!rejects(k, &room(true, q)));
    // Any regexp_engine value is ignored by the bot.
    let re = json!({"type": "moderate", "id": "m", "enabled": true,
                    "options": {"rules": [{"name": "m", "regexp": "x", "regexp_engine": "pcre"}]}});
    assert!(!rejects(k, &room(true, re)));
    // Under `v`, Annex B escapes are errors.
    let v = json!({"type": "moderate", "id": "m", "enabled": true,
                   "options": {"rules": [{"name": "m", "regexp": "\\-", "modifiers": "v"}]}});
    assert!(rejects(k, &room(true, v)));
}

#[test]
fn tokens_and_video_infos() {
    let iv = "0123456789abcdef0123456789abcdef";
    let ct = "ab".repeat(32);
    let tokens = |enc: String| json!({"userId": 1, "tokens": [{"id": 1, "date": 1, "encryptedPassword": enc, "label": "x"}]});
    // decipher.update refuses an odd-length hex string; Buffer.from truncates the IV.
    assert!(rejects(Kind::Tokens, &tokens(format!("{iv}:{ct}a"))));
    assert!(!rejects(Kind::Tokens, &tokens(format!("{iv}a:{ct}"))));
    assert!(!rejects(Kind::Tokens, &tokens(format!("{iv}:{ct}zz"))));
    assert!(!rejects(
        Kind::Tokens,
        &tokens(format!("{}:{}", iv.to_uppercase(), ct.to_uppercase()))
    ));
    assert!(rejects(Kind::Tokens, &tokens(format!("{iv}:"))));
    // A local file in the V0 shape is read like a remote one.
    let v0 = json!({"type": "xmpp", "jid": "8df24108-6e70-4fc8-b1cc-f2db7fcdd535@room.peertube.example.com", "links": []});
    assert!(!rejects(Kind::VideoInfosLocal, &v0));
    // Remote, no link means no connection method: the chat disappears.
    assert!(rejects(Kind::VideoInfosRemote, &v0));
    let v0 = json!({"type": "xmpp", "jid": "8df24108-6e70-4fc8-b1cc-f2db7fcdd535@room.peertube.example.com", "links": [{"type": "xmpp-bosh-anonymous", "url": "https://peertube.example.com/plugins/livechat/router/http-bind", "jid": "anon.peertube.example.com"}]});
    assert!(!rejects(Kind::VideoInfosRemote, &v0));
}
