//! The planner of `migrate prune`: what belongs to videos and channels that no longer
//! exist, given the inventory of PeerTube's database.
//!
//! It only reads, and plans exactly what issue 4 lists for the MUC domain `room.D`:
//! entries of `room-channel/room.D.json`, bot room files (deleted, or disabled when no
//! longer linked), `channelConfigurationOptions/<N>.json`, `emojis/channel/<N>/`,
//! `videoInfos/local/<uuid>.json` and `videoInfos/remote/<host>/<uuid>.json`, and
//! Prosody's data of the rooms whose video or channel is gone ([`crate::prosody`]). Names
//! it does not recognise (non-canonical ids or UUIDs) are never deleted: only what
//! the inventory proves gone is.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use livechat_schema::models::Inventory;
use livechat_schema::names::{RoomLocal, classify_room_local, is_canonical_uuid, parse_channel_id};
use serde_json::Value;

use crate::error::{MigrateError, Result};
use crate::fsutil::{self, list_dir, rel_join};
use crate::plan::{Command, ContentTransform, OpKind, Operation, Plan, plugin_json};
use crate::rename_domain::check_host;
use crate::transforms::{self, Disable, JsonEdit};

/// What exists in PeerTube's database, indexed for the planner.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    pub channels: BTreeSet<i64>,
    /// uuid -> (channel id, remote)
    pub videos: HashMap<String, (i64, bool)>,
}

impl Existing {
    pub fn from_inventory(inv: &Inventory) -> Self {
        Existing {
            channels: inv.channels.0.iter().map(|c| c.0).collect(),
            videos: inv
                .videos
                .iter()
                .map(|v| (v.uuid.0.clone(), (v.channel_id.0, v.remote)))
                .collect(),
        }
    }

    fn has_channel(&self, id: u64) -> bool {
        i64::try_from(id).is_ok_and(|id| self.channels.contains(&id))
    }
}

fn read_err(path: &str) -> impl FnOnce(std::io::Error) -> MigrateError + '_ {
    move |source| MigrateError::Read {
        path: path.to_owned(),
        source,
    }
}

fn is_dir(dir: &Path, rel: &str) -> Result<bool> {
    Ok(fsutil::lstat(dir, rel)
        .map_err(read_err(rel))?
        .is_some_and(|m| m.is_dir() && !m.file_type().is_symlink()))
}

/// Plans the pruning of the data directory `dir` of the instance `instance_host`,
/// against the inventory of what exists, Prosody's data of stale rooms included.
pub fn plan_prune(dir: &Path, inventory: &Inventory, instance_host: &str) -> Result<Plan> {
    plan_prune_with(dir, inventory, instance_host, false)
}

/// [`plan_prune`], keeping Prosody's data of stale rooms when `keep_history` is set.
pub fn plan_prune_with(
    dir: &Path,
    inventory: &Inventory,
    instance_host: &str,
    keep_history: bool,
) -> Result<Plan> {
    check_host(instance_host)?;
    if !dir.is_dir() {
        return Err(MigrateError::NotADir {
            path: dir.to_path_buf(),
        });
    }
    let mut plan = Plan::new(Command::Prune {
        instance_host: instance_host.to_owned(),
    });
    if inventory.instance_host.0 != instance_host {
        plan.warn(format!(
            "the inventory was made for {}, not {instance_host}",
            inventory.instance_host.0
        ));
    }
    let ex = Existing::from_inventory(inventory);
    let linked = room_channel(dir, instance_host, &ex, &mut plan)?;
    bot_rooms(dir, instance_host, &ex, linked.as_ref(), &mut plan)?;
    channel_files(dir, &ex, &mut plan)?;
    video_infos(dir, &ex, &mut plan)?;
    crate::prosody::plan_prune(dir, instance_host, &ex, keep_history, &mut plan)?;
    Ok(plan)
}

/// Prunes `room-channel/room.D.json`; returns the rooms still linked afterwards
/// (`None` when the file is missing or unreadable: then no room is disabled).
fn room_channel(
    dir: &Path,
    host: &str,
    ex: &Existing,
    plan: &mut Plan,
) -> Result<Option<HashSet<String>>> {
    let rel = format!("room-channel/room.{host}.json");
    let meta = fsutil::lstat(dir, &rel).map_err(read_err(&rel))?;
    let size = match meta {
        None => return Ok(None),
        Some(m) if m.file_type().is_symlink() || !m.is_file() => {
            plan.warn(format!(
                "{rel} is not a regular file (or is a symbolic link); left alone"
            ));
            return Ok(None);
        }
        Some(m) => m.len(),
    };
    let bytes = fsutil::read_regular(dir, &rel)
        .map_err(read_err(&rel))?
        .unwrap_or_default();
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&bytes) else {
        plan.warn(format!(
            "{rel} is not a JSON object; left alone (the plugin rebuilds it at its next start)"
        ));
        return Ok(None);
    };
    let mut out = serde_json::Map::new();
    let mut linked = HashSet::new();
    let mut reasons = Vec::new();
    for (key, value) in map {
        let Some(id) = parse_channel_id(&key).filter(|id| ex.has_channel(*id)) else {
            reasons.push(format!("channel key {key:?}: not an existing channel"));
            continue;
        };
        let Value::Array(rooms) = value else {
            plan.warn(format!(
                "{rel}: the value of channel {key} is not an array; left alone"
            ));
            out.insert(key, value);
            continue;
        };
        let mut kept = Vec::new();
        for room in rooms {
            let Some(s) = room.as_str() else {
                reasons.push(format!("channel {key}: a non-string entry"));
                continue;
            };
            let why = match classify_room_local(s) {
                RoomLocal::Video(uuid) => match ex.videos.get(uuid) {
                    None => Some("the video no longer exists"),
                    Some((_, true)) => Some("the video is remote"),
                    Some((c, false)) if i64::try_from(id).ok() != Some(*c) => {
                        Some("the video belongs to another channel")
                    }
                    Some(_) => None,
                },
                RoomLocal::Channel(n) if n != id => {
                    Some("a channel room filed under another channel")
                }
                RoomLocal::Channel(n) if !ex.has_channel(n) => Some("the channel no longer exists"),
                RoomLocal::Channel(_) => None,
                RoomLocal::Other(_) => Some("neither a video UUID nor channel.N"),
            };
            match why {
                Some(why) => reasons.push(format!("channel {key}: room {s:?}: {why}")),
                None => {
                    linked.insert(s.to_owned());
                    kept.push(room);
                }
            }
        }
        out.insert(key, Value::Array(kept));
    }
    if !reasons.is_empty() {
        plan.push(
            Operation::new(
                OpKind::Rewrite,
                &rel,
                format!("drops stale entries: {}", reasons.join("; ")),
            )
            .size(size)
            .bytes(plugin_json(&Value::Object(out))),
        );
    }
    Ok(Some(linked))
}

fn bot_rooms(
    dir: &Path,
    host: &str,
    ex: &Existing,
    linked: Option<&HashSet<String>>,
    plan: &mut Plan,
) -> Result<()> {
    let rooms_dir = format!("bot/room.{host}/rooms");
    if !is_dir(dir, &format!("bot/room.{host}"))? || !is_dir(dir, &rooms_dir)? {
        return Ok(());
    }
    let (entries, _) = list_dir(dir, &rooms_dir).map_err(read_err(&rooms_dir))?;
    let disable_reason =
        format!("enabled, but the room is no longer linked in room-channel/room.{host}.json");
    let mut disable: Option<Arc<dyn ContentTransform>> = None;
    for (name, meta) in entries {
        let Some(room) = name.strip_suffix(".json") else {
            continue;
        };
        let rel = rel_join(&rooms_dir, &name);
        if meta.file_type().is_symlink() || !meta.is_file() {
            plan.warn(format!(
                "{rel} is not a regular file (or is a symbolic link); left alone"
            ));
            continue;
        }
        let gone = match classify_room_local(room) {
            RoomLocal::Video(uuid) => match ex.videos.get(uuid) {
                None => Some("the room's video no longer exists".to_owned()),
                Some((c, _)) if !ex.channels.contains(c) => {
                    Some(format!("the room's channel {c} no longer exists"))
                }
                Some(_) => None,
            },
            RoomLocal::Channel(n) if !ex.has_channel(n) => {
                Some(format!("the room's channel {n} no longer exists"))
            }
            _ => None,
        };
        if let Some(why) = gone {
            plan.push(Operation::new(OpKind::Delete, &rel, why).size(meta.len()));
            continue;
        }
        let Some(linked) = linked else { continue };
        if linked.contains(room) {
            continue;
        }
        let bytes = fsutil::read_regular(dir, &rel)
            .map_err(read_err(&rel))?
            .unwrap_or_default();
        match serde_json::from_slice::<Value>(&bytes).map(|mut v| Disable.edit(&mut v)) {
            Ok(Ok(true)) => {
                let t = disable.get_or_insert_with(|| transforms::shared(Disable));
                plan.push(
                    Operation::new(OpKind::Disable, &rel, disable_reason.clone())
                        .transform(t)
                        .size(meta.len()),
                );
            }
            Ok(Ok(false)) => {}
            _ => plan.warn(format!("{rel} is not a JSON object; left alone")),
        }
    }
    Ok(())
}

fn channel_files(dir: &Path, ex: &Existing, plan: &mut Plan) -> Result<()> {
    if is_dir(dir, "channelConfigurationOptions")? {
        let (entries, _) = list_dir(dir, "channelConfigurationOptions")
            .map_err(read_err("channelConfigurationOptions"))?;
        for (name, meta) in entries {
            let Some(id) = name.strip_suffix(".json").and_then(parse_channel_id) else {
                continue;
            };
            if ex.has_channel(id) {
                continue;
            }
            let rel = format!("channelConfigurationOptions/{name}");
            if meta.file_type().is_symlink() || !meta.is_file() {
                plan.warn(format!(
                    "{rel} is not a regular file (or is a symbolic link); left alone"
                ));
                continue;
            }
            plan.push(
                Operation::new(
                    OpKind::Delete,
                    rel,
                    format!("channel {id} no longer exists"),
                )
                .size(meta.len()),
            );
        }
    }
    if is_dir(dir, "emojis/channel")? {
        let (entries, _) = list_dir(dir, "emojis/channel").map_err(read_err("emojis/channel"))?;
        for (name, meta) in entries {
            let Some(id) = parse_channel_id(&name) else {
                continue;
            };
            if ex.has_channel(id) {
                continue;
            }
            let rel = format!("emojis/channel/{name}");
            if meta.file_type().is_symlink() || !meta.is_dir() {
                plan.warn(format!(
                    "{rel} is not a folder (or is a symbolic link); left alone"
                ));
                continue;
            }
            let mut ops = Vec::new();
            if delete_tree(
                dir,
                &rel,
                &format!("channel {id} no longer exists"),
                &mut ops,
                plan,
            )? {
                ops.into_iter().for_each(|o| plan.push(o));
            }
        }
    }
    Ok(())
}

/// Plans the deletion of every file of a folder, then of its folders (deepest
/// first). Returns false (and plans nothing) when something in it cannot be deleted
/// safely (a symbolic link, an unsafe name).
fn delete_tree(
    dir: &Path,
    rel: &str,
    why: &str,
    ops: &mut Vec<Operation>,
    plan: &mut Plan,
) -> Result<bool> {
    let (entries, bad) = list_dir(dir, rel).map_err(read_err(rel))?;
    if !bad.is_empty() {
        plan.warn(format!(
            "{rel}/ holds entries with unsafe names; left alone"
        ));
        return Ok(false);
    }
    for (name, meta) in entries {
        let child = rel_join(rel, &name);
        if meta.file_type().is_symlink() {
            plan.warn(format!(
                "{child} is a symbolic link; not followed, {rel}/ left alone"
            ));
            return Ok(false);
        } else if meta.is_dir() {
            if !delete_tree(dir, &child, why, ops, plan)? {
                return Ok(false);
            }
        } else if meta.is_file() {
            ops.push(Operation::new(OpKind::Delete, child, why.to_owned()).size(meta.len()));
        } else {
            plan.warn(format!("{child} is not a regular file; {rel}/ left alone"));
            return Ok(false);
        }
    }
    ops.push(Operation::new(
        OpKind::Delete,
        format!("{rel}/"),
        why.to_owned(),
    ));
    Ok(true)
}

fn video_infos(dir: &Path, ex: &Existing, plan: &mut Plan) -> Result<()> {
    let stale = |name: &str| {
        name.strip_suffix(".json")
            .filter(|u| is_canonical_uuid(u))
            .is_some_and(|u| !ex.videos.contains_key(u))
    };
    if is_dir(dir, "videoInfos/local")? {
        let (entries, _) =
            list_dir(dir, "videoInfos/local").map_err(read_err("videoInfos/local"))?;
        for (name, meta) in entries {
            if !stale(&name) {
                continue;
            }
            let rel = format!("videoInfos/local/{name}");
            if meta.file_type().is_symlink() || !meta.is_file() {
                plan.warn(format!(
                    "{rel} is not a regular file (or is a symbolic link); left alone"
                ));
                continue;
            }
            plan.push(
                Operation::new(OpKind::Delete, rel, "the video no longer exists").size(meta.len()),
            );
        }
    }
    if is_dir(dir, "videoInfos/remote")? {
        let (hosts, _) =
            list_dir(dir, "videoInfos/remote").map_err(read_err("videoInfos/remote"))?;
        for (host, meta) in hosts {
            if meta.file_type().is_symlink() || !meta.is_dir() {
                continue;
            }
            let hdir = format!("videoInfos/remote/{host}");
            let (entries, bad) = list_dir(dir, &hdir).map_err(read_err(&hdir))?;
            let mut emptied = bad.is_empty();
            let mut any = false;
            for (name, meta) in entries {
                let rel = rel_join(&hdir, &name);
                if !stale(&name) || meta.file_type().is_symlink() || !meta.is_file() {
                    if stale(&name) {
                        plan.warn(format!(
                            "{rel} is not a regular file (or is a symbolic link); left alone"
                        ));
                    }
                    emptied = false;
                    continue;
                }
                any = true;
                plan.push(
                    Operation::new(OpKind::Delete, rel, "the video no longer exists")
                        .size(meta.len()),
                );
            }
            if any && emptied {
                plan.push(Operation::new(
                    OpKind::Delete,
                    format!("{hdir}/"),
                    "the host folder is empty once its stale files are deleted",
                ));
            }
        }
    }
    Ok(())
}
