//! `room-channel/<muc>.json`, read the way `RoomChannel.readData`/`_readData`
//! (`room-channel/room-channel-class.ts`) reads it: a whole-file failure means a
//! rebuild (or, for `null` and arrays, an empty map and lost links); a bad entry is
//! dropped with an error log, which is an error here: a configured link is lost.

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
    // The keys of each channel id (`"1"`, `"01"`): a non-canonical key is lost when
    // another key names the same channel.
    let mut by_id: HashMap<u64, Vec<&str>> = HashMap::new();
    for k in map.keys() {
        if !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(id) = k.parse::<u64>() {
                by_id.entry(id).or_default().push(k);
            }
        }
    }
    // Every room seen so far: the first channel listing it, and the first other
    // channel listing it (enough to name "another channel" for any later one).
    let mut seen: HashMap<&str, (u64, Option<u64>)> = HashMap::new();
    let (mut videos, mut channels) = (0usize, 0usize);
    for (k, rooms) in keys {
        work::tick(1);
        let p = || child("", k);
        if k.is_empty() || !k.bytes().all(|b| b.is_ascii_digit()) {
            out.error(
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
            out.error(
                INVALID_VALUE,
                &p(),
                "the channel id is too large to be one: the plugin reads it rounded (parseInt), a channel that never exists",
            );
            continue;
        };
        if id == 0 {
            out.error(
                INVALID_VALUE,
                &p(),
                "channel 0 never exists: the plugin keeps the entry, but no room can belong to it",
            );
        } else if !names::is_canonical_channel_id(k) {
            // Alone, `"01"` is read as channel 1; beside another key for channel 1,
            // the later one replaces the earlier one's room set.
            let twin = by_id
                .get(&id)
                .and_then(|ks| ks.iter().find(|o| **o != k.as_str()));
            match twin {
                Some(o) => {
                    out.error(
                        NON_CANONICAL_VALUE,
                        &p(),
                        format!("the key {} has leading zeros and the key {} is the same channel {id}: the plugin keeps the room list of whichever comes last in `for...in` order and loses the other", Value::String(k.clone()), Value::String((*o).to_owned())),
                    );
                }
                None => {
                    out.warn(
                        NON_CANONICAL_VALUE,
                        &p(),
                        format!(
                            "the key {} has leading zeros: the plugin reads channel {id}",
                            Value::String(k.clone())
                        ),
                    );
                }
            }
        }
        let Some(list) = rooms.as_array() else {
            out.error(
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
                out.error(
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
                    out.error(
                        ROOM_LOCAL_INVALID,
                        &rp(),
                        format!("the room {} is {why}", room()),
                    );
                }
                RoomLocal::Channel(n) => {
                    channels += 1;
                    if n != id {
                        out.error(
                            ROOM_CHANNEL_KEY_MISMATCH,
                            &rp(),
                            format!("the room {} is listed under channel {id}: the plugin links it to channel {id} (whose options then govern its bot), where it never files it; a rebuild files it under channel {n}", room()),
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
                out.error(
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
