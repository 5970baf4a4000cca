//! `room-channel/<muc>.json`, read the way `RoomChannel.readData`/`_readData`
//! (`room-channel/room-channel-class.ts`) reads it: a whole-file failure means a
//! rebuild (or, for `null` and arrays, an empty map and lost links); a bad entry is
//! dropped with an error log, which is a warning here.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{Digest, FileContext, Out, RoomChannelDigest, child, idx};
use crate::RoomType;
use crate::codes::*;
use crate::work;
use livechat_schema::names::{self, RoomLocal};

/// A key JavaScript orders first in `for...in`: a canonical array index.
fn array_index(k: &str) -> Option<u64> {
    if k == "0" || (!k.is_empty() && !k.starts_with('0') && k.bytes().all(|b| b.is_ascii_digit())) {
        k.parse::<u64>().ok().filter(|n| *n < u64::from(u32::MAX))
    } else {
        None
    }
}

pub(super) fn check(v: &Value, ctx: &FileContext<'_>, out: &mut Out) -> Digest {
    let mut digest = RoomChannelDigest {
        readable: false,
        channels: Vec::new(),
    };
    let map = match v {
        Value::Object(m) => m,
        Value::Null => {
            out.error(
                ROOM_CHANNEL_DATA_LOST,
                "",
                "the file holds null, which the plugin reads as an empty map (`typeof null === 'object'`): no rebuild happens and every room-channel link is lost",
            );
            digest.readable = true;
            return Digest::RoomChannel(digest);
        }
        Value::Array(_) => {
            out.error(
                ROOM_CHANNEL_DATA_LOST,
                "",
                "the file holds an array, which the plugin reads as a map of indices: no rebuild happens and the room-channel links are lost",
            );
            digest.readable = true;
            return Digest::RoomChannel(digest);
        }
        other => {
            out.error(
                WRONG_TYPE,
                "",
                format!("the file holds {}, not an object: the plugin rebuilds it from Prosody's rooms at its next start", super::js::type_name(other)),
            );
            return Digest::RoomChannel(digest);
        }
    };
    digest.readable = true;
    // JavaScript's `for...in` order: array indices ascending, then the other keys.
    let mut keys: Vec<(&String, &Value)> = map.iter().collect();
    keys.sort_by_key(|(k, _)| array_index(k).map_or((1, 0), |n| (0, n)));
    // Every room seen so far: the first channel listing it, and the first other
    // channel listing it (enough to name "another channel" for any later one).
    let mut seen: HashMap<&str, (u64, Option<u64>)> = HashMap::new();
    let (mut videos, mut channels) = (0usize, 0usize);
    for (k, rooms) in keys {
        work::tick(1);
        let p = || child("", k);
        if k.is_empty() || !k.bytes().all(|b| b.is_ascii_digit()) {
            out.warn(
                INVALID_VALUE,
                &p(),
                format!(
                    "the key {} is not a channel id (`^\\d+$`): the plugin drops this entry",
                    Value::String(k.clone())
                ),
            );
            continue;
        }
        let Ok(id) = k.parse::<u64>() else {
            out.warn(
                INVALID_VALUE,
                &p(),
                "the channel id is too large to be one: the plugin drops this entry",
            );
            continue;
        };
        if id == 0 {
            out.warn(
                INVALID_VALUE,
                &p(),
                "channel 0 never exists: the plugin keeps the entry, but no room can belong to it",
            );
        } else if !names::is_canonical_channel_id(k) {
            out.warn(
                NON_CANONICAL_VALUE,
                &p(),
                format!("the key {} has leading zeros: the plugin reads channel {id}, and a later key for the same channel replaces this one", Value::String(k.clone())),
            );
        }
        let Some(list) = rooms.as_array() else {
            out.warn(
                WRONG_TYPE,
                &p(),
                format!(
                    "the rooms of channel {id} are {}, not an array: the plugin drops this channel",
                    super::js::type_name(rooms)
                ),
            );
            continue;
        };
        let p = p();
        let mut locals: Vec<Box<str>> = Vec::with_capacity(list.len());
        let mut in_channel: HashSet<&str> = HashSet::with_capacity(list.len());
        for (i, r) in list.iter().enumerate() {
            work::tick(1);
            let rp = || idx(&p, i);
            let Some(s) = r.as_str() else {
                out.warn(
                    ENTRY_DROPPED,
                    &rp(),
                    format!(
                        "{} in a room list: the plugin drops it",
                        super::js::type_name(r)
                    ),
                );
                continue;
            };
            if !in_channel.insert(s) {
                out.warn(
                    ROOM_DUPLICATE_IN_CHANNEL,
                    &rp(),
                    format!(
                        "the room {} is listed twice under channel {id}: the plugin keeps it once",
                        Value::String(s.to_owned())
                    ),
                );
                continue;
            }
            let room = || Value::String(s.to_owned());
            match names::classify_room_local(s) {
                RoomLocal::Other(_) => {
                    let why = if s.contains('@') {
                        "a full JID: lookups use the local part, so it never matches"
                    } else {
                        "neither a video UUID nor `channel.<id>`: the plugin never creates such a room"
                    };
                    out.warn(
                        ROOM_LOCAL_INVALID,
                        &rp(),
                        format!("the room {} is {why}", room()),
                    );
                }
                RoomLocal::Channel(n) => {
                    channels += 1;
                    if n != id {
                        out.warn(
                            ROOM_CHANNEL_KEY_MISMATCH,
                            &rp(),
                            format!("the room {} is listed under channel {id}: a rebuild files it under channel {n}", room()),
                        );
                    }
                    if ctx.options.room_type == RoomType::Video {
                        out.warn(ROOM_TYPE_MISMATCH, &rp(), format!("the room {} is a channel room, but the room type is `video`: a rebuild drops it", room()));
                    }
                }
                RoomLocal::Video(_) => {
                    videos += 1;
                    if ctx.options.room_type == RoomType::Channel {
                        out.warn(ROOM_TYPE_MISMATCH, &rp(), format!("the room {} is a video room, but the room type is `channel`: a rebuild drops it", room()));
                    }
                }
            }
            let earlier = seen.entry(s).or_insert((id, None));
            let other = if earlier.0 != id {
                Some(earlier.0)
            } else {
                earlier.1
            };
            if earlier.0 != id && earlier.1.is_none() {
                earlier.1 = Some(id);
            }
            if let Some(other) = other {
                out.warn(
                    ROOM_UNDER_TWO_CHANNELS,
                    &rp(),
                    format!("the room {} is also listed under channel {other}: the plugin links it to the channel listed last, but both lists keep it", room()),
                );
            }
            locals.push(s.into());
        }
        // A later key for the same channel replaces its room set, but `room2Channel`
        // keeps the earlier rooms: keep both, in order, as the plugin's lookups do.
        digest.channels.push((id, locals));
    }
    if videos > 0 && channels > 0 {
        out.warn(
            ROOM_SHAPES_MIXED,
            "",
            format!("{videos} video rooms and {channels} channel rooms are mixed: leftovers of a room type change (a rebuild keeps only one kind)"),
        );
    }
    Digest::RoomChannel(digest)
}
