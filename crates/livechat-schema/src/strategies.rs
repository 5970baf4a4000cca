//! proptest strategies that generate canonical documents of every data-dir kind, as
//! the plugin would write them, each with a path consistent with its content.
//!
//! Only compiled with the `proptest` feature, for tests. The documents are
//! `serde_json::Value`s built in the plugin's key order; the instance is
//! `peertube.example.com`, the room type `video`.

use proptest::collection::{btree_set, vec};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

use crate::Kind;

/// The instance host every generated document belongs to.
pub const INSTANCE_HOST: &str = "peertube.example.com";

fn uuid() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
}

fn remote_host() -> impl Strategy<Value = String> {
    (
        "[a-z][a-z0-9]{0,10}",
        select(vec!["net", "org", "example", "fr", "xn--bcher-kva.example"]),
    )
        .prop_map(|(name, tld)| format!("{name}.{tld}"))
}

fn channel_id() -> impl Strategy<Value = u64> {
    1u64..100_000
}

/// Words without regular expression syntax, so every generated rule compiles.
fn word() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9éà][a-zA-Z0-9éà ]{0,12}[a-zA-Z0-9]"
}

/// Free text without the control characters the plugin strips, and never blank (the
/// plugin drops blank messages and entries, so it never writes one).
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9éàü👋][a-zA-Z0-9 .,!?éàü👋-]{0,39}"
}

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Map<_, _>>(),
    )
}

fn last_update() -> impl Strategy<Value = (String, Value)> {
    (remote_host(), 1_500_000_000_000i64..1_750_000_000_000).prop_map(|(host, ts)| {
        (
            format!("serverInfos/{host}/last-update"),
            json!({"timestamp": ts}),
        )
    })
}

fn s2s() -> impl Strategy<Value = (String, Value)> {
    (remote_host(), 1u32..65536).prop_map(|(host, port)| {
        (
            format!("serverInfos/{host}/s2s"),
            json!({"host": host, "port": port.to_string()}),
        )
    })
}

fn ws_s2s() -> impl Strategy<Value = (String, Value)> {
    remote_host().prop_map(|host| {
        let url = format!("wss://{host}/plugins/livechat/ws/xmpp-websocket-s2s");
        (
            format!("serverInfos/{host}/ws-s2s"),
            json!({"host": host, "url": url}),
        )
    })
}

fn video_remote() -> impl Strategy<Value = (String, Value)> {
    (
        remote_host(),
        uuid(),
        any::<[bool; 5]>(),
        1u32..65536,
        channel_id(),
    )
        .prop_map(
            |(host, uuid, [external, direct, ws, anon, emojis], port, channel)| {
                let mut server = vec![
                    ("host", json!(host)),
                    ("muc", json!(format!("room.{host}"))),
                ];
                if external {
                    server.push(("external", json!(format!("external.{host}"))));
                }
                if direct {
                    server.push(("directs2s", json!({"port": port.to_string()})));
                }
                // The plugin always publishes a connection method (websockets2s on
                // every PeerTube that lets plugins serve WebSockets): a file with
                // none shows no chat, which the validator reports.
                if ws || !(direct || anon) {
                    server.push((
                    "websockets2s",
                    json!({"url": format!("wss://{host}/plugins/livechat/ws/xmpp-websocket-s2s")}),
                ));
                }
                if anon {
                    server.push((
                        "anonymous",
                        json!({
                            "virtualhost": format!("anon.{host}"),
                            "bosh": format!("https://{host}/plugins/livechat/router/http-bind"),
                            "websocket": format!("wss://{host}/plugins/livechat/ws/xmpp-websocket"),
                        }),
                    ));
                }
                let mut doc = vec![
                    ("type", json!("xmpp")),
                    ("jid", json!(format!("{uuid}@room.{host}"))),
                    ("xmppserver", obj(server)),
                ];
                if emojis {
                    doc.push((
                    "customEmojisUrl",
                    json!(format!(
                        "https://{host}/plugins/livechat/router/emojis/channel/{channel}/definition"
                    )),
                ));
                }
                (format!("videoInfos/remote/{host}/{uuid}.json"), obj(doc))
            },
        )
}

fn video_local() -> impl Strategy<Value = (String, Value)> {
    (uuid(), any::<[bool; 3]>()).prop_map(|(uuid, [direct, anon, ws])| {
        let d = INSTANCE_HOST;
        let bosh = format!("https://{d}/plugins/livechat/router/http-bind");
        let websocket = format!("wss://{d}/plugins/livechat/ws/xmpp-websocket");
        let links = if anon {
            json!([
                {"type": "xmpp-bosh-anonymous", "url": bosh, "jid": format!("anon.{d}")},
                {"type": "xmpp-websocket-anonymous", "url": websocket, "jid": format!("anon.{d}")},
            ])
        } else {
            json!([])
        };
        let mut server = vec![
            ("host", json!(d)),
            ("muc", json!(format!("room.{d}"))),
            ("external", json!(format!("external.{d}"))),
        ];
        if direct {
            server.push(("directs2s", json!({"port": "5269"})));
        }
        if ws {
            server.push((
                "websockets2s",
                json!({"url": format!("wss://{d}/plugins/livechat/ws/xmpp-websocket-s2s")}),
            ));
        }
        if anon {
            server.push((
                "anonymous",
                json!({"bosh": bosh, "virtualhost": format!("anon.{d}"), "websocket": websocket}),
            ));
        }
        let doc = obj(vec![
            ("type", json!("xmpp")),
            ("jid", json!(format!("{uuid}@room.{d}"))),
            ("links", links),
            ("xmppserver", obj(server)),
        ]);
        (format!("videoInfos/local/{uuid}.json"), doc)
    })
}

fn forbidden_words() -> impl Strategy<Value = Value> {
    (
        any::<[bool; 2]>(),
        vec(word(), 0..4),
        proptest::option::of(text()),
        proptest::option::of(text()),
    )
        .prop_map(|([enabled, apply], entries, label, reason)| {
            let mut line = vec![
                ("enabled", json!(enabled)),
                ("regexp", json!(false)),
                ("entries", json!(entries)),
                ("applyToModerators", json!(apply)),
            ];
            if let Some(label) = label {
                line.push(("label", json!(label)));
            }
            if let Some(reason) = reason {
                line.push(("reason", json!(reason)));
            }
            obj(line)
        })
}

fn channel_configuration() -> impl Strategy<Value = (String, Value)> {
    (
        channel_id(),
        any::<[bool; 8]>(),
        "[a-zA-Z0-9_-]{0,16}",
        vec(forbidden_words(), 0..4),
        (0i64..=10, 0i64..=86400, 0i64..=1000, 0i64..=60),
        vec((vec(text(), 0..3), 1i64..=6000), 0..3),
        vec((text(), "[a-z0-9]{1,10}"), 0..3),
        proptest::option::of(text()),
    )
        .prop_map(|(id, flags, nickname, words, (tolerance, delay, slow, moddelay), quotes, commands, terms)| {
            let quotes: Vec<Value> = quotes
                .into_iter()
                .map(|(messages, delay)| json!({"messages": messages, "delay": delay}))
                .collect();
            let commands: Vec<Value> = commands
                .into_iter()
                .map(|(message, command)| json!({"message": message, "command": command}))
                .collect();
            let bot = obj(vec![
                ("enabled", json!(flags[0])),
                ("nickname", json!(nickname)),
                ("forbiddenWords", json!(words)),
                (
                    "forbidSpecialChars",
                    json!({"enabled": flags[1], "reason": "", "tolerance": tolerance, "applyToModerators": flags[2]}),
                ),
                (
                    "noDuplicate",
                    json!({"enabled": flags[3], "reason": "", "delay": delay, "applyToModerators": flags[4]}),
                ),
                ("quotes", json!(quotes)),
                ("commands", json!(commands)),
            ]);
            let mut doc = vec![
                ("bot", bot),
                ("slowMode", json!({"duration": slow})),
                ("mute", json!({"anonymous": flags[5]})),
                ("moderation", json!({"delay": moddelay, "anonymize": flags[6]})),
            ];
            if let Some(terms) = terms {
                doc.push(("terms", json!(terms)));
            }
            (format!("channelConfigurationOptions/{id}.json"), obj(doc))
        })
}

fn room_channel() -> impl Strategy<Value = (String, Value)> {
    vec((channel_id(), btree_set(uuid(), 0..5)), 0..6).prop_map(|channels| {
        let mut map = Map::new();
        let mut seen = std::collections::BTreeSet::new();
        for (id, rooms) in channels {
            // A room belongs to one channel only.
            let rooms: Vec<String> = rooms
                .into_iter()
                .filter(|r| seen.insert(r.clone()))
                .collect();
            map.insert(id.to_string(), json!(rooms));
        }
        (
            format!("room-channel/room.{INSTANCE_HOST}.json"),
            Value::Object(map),
        )
    })
}

fn bot_moderation() -> impl Strategy<Value = (String, Value)> {
    ("[0-9a-z]{20}", any::<bool>(), 1024u32..65536).prop_map(|(password, debug, port)| {
        let doc = obj(vec![
            ("type", json!("client")),
            (
                "connection",
                obj(vec![
                    ("username", json!("moderator")),
                    ("password", json!(password)),
                    ("domain", json!(format!("bot.{INSTANCE_HOST}"))),
                    ("service", json!(format!("xmpp://localhost:{port}"))),
                ]),
            ),
            ("name", json!("Sepia")),
            ("logger", json!("ConsoleLogger")),
            ("log_level", json!(if debug { "debug" } else { "info" })),
        ]);
        (format!("bot/room.{INSTANCE_HOST}/moderation.json"), doc)
    })
}

fn bot_room() -> impl Strategy<Value = (String, Value)> {
    (
        uuid(),
        any::<[bool; 4]>(),
        vec(word(), 0..4),
        proptest::option::of("[a-zA-Z0-9_-]{1,16}"),
        vec(text(), 0..3),
        1i64..=6000,
    )
        .prop_map(|(uuid, flags, words, nick, quotes, delay)| {
            let rules: Vec<Value> = if words.is_empty() {
                vec![]
            } else {
                let regexp = words
                    .iter()
                    .map(|w| format!("(?:\\b{w}\\b)"))
                    .collect::<Vec<_>>()
                    .join("|");
                vec![json!({"name": "forbidden_words_0", "regexp": regexp})]
            };
            let mut moderate = vec![("rules", json!(rules))];
            if !words.is_empty() {
                moderate.push(("applyToModerators", json!(flags[1])));
            }
            let handlers = json!([
                {"type": "moderate", "id": "forbidden_words_0", "enabled": !words.is_empty() && flags[2],
                 "options": obj(moderate)},
                {"type": "no-duplicate", "id": "no_duplicate", "enabled": true,
                 "options": {"reason": "", "delay": 60, "applyToModerators": false}},
                {"type": "quotes_random", "id": "quote_0", "enabled": !quotes.is_empty(),
                 "options": {"quotes": quotes, "delay": delay}},
            ]);
            let mut doc = vec![
                ("local", json!(uuid)),
                ("domain", json!(format!("room.{INSTANCE_HOST}"))),
                ("enabled", json!(flags[0])),
                ("handlers", handlers),
            ];
            if let Some(nick) = nick {
                doc.push(("nick", json!(nick)));
            }
            (format!("bot/room.{INSTANCE_HOST}/rooms/{uuid}.json"), obj(doc))
        })
}

fn emojis_definition() -> impl Strategy<Value = (String, Value)> {
    (
        channel_id(),
        btree_set("[a-z0-9_]{1,12}", 0..12),
        select(vec!["png", "jpg", "jpeg", "gif"]),
        any::<bool>(),
    )
        .prop_map(|(id, names, ext, category)| {
            let emojis: Vec<Value> = names
                .into_iter()
                .enumerate()
                .map(|(i, name)| {
                    let url = format!(
                        "https://{INSTANCE_HOST}/plugins/livechat/router/emojis/channel/{id}/files/1718801234567{}.{ext}",
                        i + 1
                    );
                    let mut e = vec![("sn", json!(format!(":{name}:"))), ("url", json!(url))];
                    if category && i == 0 {
                        e.push(("isCategoryEmoji", json!(true)));
                    }
                    obj(e)
                })
                .collect();
            (
                format!("emojis/channel/{id}/definition.json"),
                json!({"customEmojis": emojis}),
            )
        })
}

fn tokens() -> impl Strategy<Value = (String, Value)> {
    (
        "[a-z0-9_]{1,20}",
        1i64..1_000_000,
        vec(("[0-9a-f]{32}", vec("[0-9a-f]{32}", 1..3), text()), 0..4),
    )
        .prop_map(|(user, user_id, tokens)| {
            let tokens: Vec<Value> = tokens
                .into_iter()
                .enumerate()
                .map(|(i, (iv, blocks, label))| {
                    let ts = 1_718_617_200_000i64 + i64::try_from(i).unwrap_or(0);
                    json!({"id": ts, "date": ts, "encryptedPassword": format!("{iv}:{}", blocks.concat()), "label": label})
                })
                .collect();
            (
                format!("tokens/{user}@{INSTANCE_HOST}.json"),
                json!({"userId": user_id, "tokens": tokens}),
            )
        })
}

/// A canonical document of `kind` with a consistent path relative to the data dir.
/// Panics for the kinds that do not live in the data dir.
pub fn document(kind: Kind) -> BoxedStrategy<(String, Value)> {
    match kind {
        Kind::ServerInfosLastUpdate => last_update().boxed(),
        Kind::ServerInfosS2s => s2s().boxed(),
        Kind::ServerInfosWsS2s => ws_s2s().boxed(),
        Kind::VideoInfosRemote => video_remote().boxed(),
        Kind::VideoInfosLocal => video_local().boxed(),
        Kind::ChannelConfigurationOptions => channel_configuration().boxed(),
        Kind::RoomChannel => room_channel().boxed(),
        Kind::BotModeration => bot_moderation().boxed(),
        Kind::BotRoom => bot_room().boxed(),
        Kind::EmojisDefinition => emojis_definition().boxed(),
        Kind::Tokens => tokens().boxed(),
        Kind::Inventory | Kind::ValidationReport => {
            unreachable!("{kind} is not a data-dir kind")
        }
    }
}

/// A canonical document of any data-dir kind.
pub fn any_document() -> BoxedStrategy<(Kind, String, Value)> {
    select(Kind::DATA_DIR.to_vec())
        .prop_flat_map(|kind| document(kind).prop_map(move |(path, value)| (kind, path, value)))
        .boxed()
}
