//! The planner of `migrate rename-domain`: what changes when the instance host goes
//! from `OLD` to `NEW` (spec `federation-rooms-tokens-prosody.md` §7).
//!
//! It only reads. It moves `room-channel/room.OLD.json` (merging into an existing
//! `room.NEW.json`), the bot folder `bot/room.OLD/` (rewriting the `domain` values,
//! files already under the new domain win), the token files `<user>@OLD.json`, and
//! rewrites the old host in `videoInfos/local/*.json` and in the emoji URLs; Prosody's
//! host folders under `prosody/data` move with their JIDs rewritten
//! ([`crate::prosody`]). It never plans anything elsewhere under `prosody/`, nor
//! under `prosodyAppImage/`, `serverInfos/`, `videoInfos/remote/` or
//! `channelConfigurationOptions/`.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use crate::error::{MigrateError, Result};
use crate::fsutil::{self, list_dir, rel_join};
use crate::hosts::replace_host;
use crate::plan::{Command, ContentTransform, OpKind, Operation, Plan, js_key_order, plugin_json};
use crate::transforms::{self, EmojiUrls, Hosts, JsonEdit, StringAt};

/// Checks that a host given on the command line is a normalised host name.
pub fn check_host(host: &str) -> Result<()> {
    if let Err(why) = livechat_schema::names::safe_component(host) {
        return Err(MigrateError::BadHost {
            host: host.to_owned(),
            why: why.to_string(),
        });
    }
    if !livechat_schema::names::is_normalized_host(host) {
        return Err(MigrateError::BadHost {
            host: host.to_owned(),
            why: "not a lower-case host name with at least two labels".into(),
        });
    }
    Ok(())
}

fn read_err(path: &str) -> impl FnOnce(std::io::Error) -> MigrateError + '_ {
    move |source| MigrateError::Read {
        path: path.to_owned(),
        source,
    }
}

/// Plans the rename of the instance host `from` to `to` in the data directory `dir`.
pub fn plan_rename_domain(dir: &Path, from: &str, to: &str) -> Result<Plan> {
    check_host(from)?;
    check_host(to)?;
    if !dir.is_dir() {
        return Err(MigrateError::NotADir {
            path: dir.to_path_buf(),
        });
    }
    let mut plan = Plan::new(Command::RenameDomain {
        from: from.to_owned(),
        to: to.to_owned(),
    });
    if from == to {
        plan.error("the old and the new host are the same");
        return Ok(plan);
    }
    room_channel(dir, from, to, &mut plan)?;
    bot(dir, from, to, &mut plan)?;
    tokens(dir, from, to, &mut plan)?;
    video_infos(dir, from, to, &mut plan)?;
    emojis(dir, from, to, &mut plan)?;
    crate::prosody::plan_rename(dir, from, to, &mut plan)?;
    Ok(plan)
}

/// What `lstat` says about a path, folded into the cases a planner cares about.
enum Found {
    Absent,
    /// A regular file, with its size.
    File(u64),
    Dir,
    /// A symbolic link or something else that is never followed or touched.
    Other(&'static str),
}

fn found(dir: &Path, rel: &str) -> Result<Found> {
    Ok(match fsutil::lstat(dir, rel).map_err(read_err(rel))? {
        None => Found::Absent,
        Some(m) if m.file_type().is_symlink() => Found::Other("a symbolic link"),
        Some(m) if m.is_file() => Found::File(m.len()),
        Some(m) if m.is_dir() => Found::Dir,
        Some(_) => Found::Other("not a regular file"),
    })
}

fn read_json(dir: &Path, rel: &str) -> Result<(Vec<u8>, Option<Value>)> {
    let bytes = fsutil::read_regular(dir, rel)
        .map_err(read_err(rel))?
        .unwrap_or_default();
    let value = serde_json::from_slice(&bytes).ok();
    Ok((bytes, value))
}

fn room_channel(dir: &Path, from: &str, to: &str, plan: &mut Plan) -> Result<()> {
    let old = format!("room-channel/room.{from}.json");
    let new = format!("room-channel/room.{to}.json");
    let size = match found(dir, &old)? {
        Found::Absent => return Ok(()),
        Found::File(size) => size,
        Found::Dir => {
            plan.warn(format!("{old} is a folder; left alone"));
            return Ok(());
        }
        Found::Other(what) => {
            plan.warn(format!("{old} is {what}; not followed, left alone"));
            return Ok(());
        }
    };
    match found(dir, &new)? {
        Found::Absent => plan.push(
            Operation::new(
                OpKind::Rename,
                &old,
                "the room-channel index of the old MUC domain becomes the new domain's, content unchanged",
            )
            .to(&new)
            .size(size),
        ),
        Found::File(_) => {
            let (old_bytes, old_v) = read_json(dir, &old)?;
            let (new_bytes, new_v) = read_json(dir, &new)?;
            if old_bytes == new_bytes {
                plan.push(
                    Operation::new(
                        OpKind::Delete,
                        &old,
                        format!("{new} already exists with identical content"),
                    )
                    .size(size),
                );
                return Ok(());
            }
            match (old_v, new_v) {
                (Some(Value::Object(o)), Some(Value::Object(n))) => {
                    let (merged, moved) = merge_room_channel(n, o);
                    for (room, kept, dropped) in moved {
                        plan.warn(format!(
                            "room {room:?} is under channel {dropped} in {old} and under channel {kept} in {new}: the new file's channel is kept"
                        ));
                    }
                    plan.warn(format!(
                        "{new} already exists: {old} is merged into it (union of the rooms of each channel)"
                    ));
                    plan.push(
                        Operation::new(
                            OpKind::Rename,
                            &old,
                            format!("merged into the existing {new} (union per channel)"),
                        )
                        .to(&new)
                        .size(size)
                        .bytes(plugin_json(&Value::Object(merged))),
                    );
                }
                _ => plan.error(format!(
                    "{old} and {new} both exist and cannot be merged: one of them is not a JSON object"
                )),
            }
        }
        Found::Dir | Found::Other(_) => plan.error(format!(
            "{new} exists and is not a regular file: cannot rename {old} onto it"
        )),
    }
    Ok(())
}

/// Merges the room-channel map `old` into `new`: per channel, the new file's rooms
/// then the old file's rooms it lacks; a room the new file files under another
/// channel stays there. Returns the merge and the rooms whose channel differed.
/// A room whose channel differs between the two files: (room, kept, dropped).
type Moved = (String, String, String);

fn merge_room_channel(
    new: serde_json::Map<String, Value>,
    old: serde_json::Map<String, Value>,
) -> (serde_json::Map<String, Value>, Vec<Moved>) {
    let mut in_new: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (k, v) in &new {
        if let Value::Array(a) = v {
            for r in a.iter().filter_map(Value::as_str) {
                in_new.entry(r.to_owned()).or_insert_with(|| k.clone());
            }
        }
    }
    let mut moved = Vec::new();
    let mut merged = new;
    for (k, v) in old {
        let Value::Array(rooms) = v else {
            if !merged.contains_key(&k) {
                merged.insert(k, v);
            }
            continue;
        };
        let mut add = Vec::new();
        for r in rooms {
            match r.as_str().and_then(|s| in_new.get(s).map(|c| (s, c))) {
                Some((_, c)) if *c == k => {}
                Some((s, c)) => moved.push((s.to_owned(), c.clone(), k.clone())),
                None => add.push(r),
            }
        }
        match merged.get_mut(&k) {
            Some(Value::Array(existing)) => {
                for r in add {
                    if !existing.contains(&r) {
                        existing.push(r);
                    }
                }
            }
            Some(_) => {}
            None => {
                merged.insert(k, Value::Array(add));
            }
        }
    }
    (js_key_order(merged), moved)
}

fn bot(dir: &Path, from: &str, to: &str, plan: &mut Plan) -> Result<()> {
    let old_dir = format!("bot/room.{from}");
    let new_dir = format!("bot/room.{to}");
    match found(dir, &old_dir)? {
        Found::Absent => return Ok(()),
        Found::Dir => {}
        Found::File(_) | Found::Other(_) => {
            plan.warn(format!(
                "{old_dir} is not a folder (or is a symbolic link); left alone"
            ));
            return Ok(());
        }
    }
    match found(dir, &new_dir)? {
        Found::Absent | Found::Dir => {}
        _ => {
            plan.error(format!(
                "{new_dir} exists and is not a folder: cannot move {old_dir}/ into it"
            ));
            return Ok(());
        }
    }
    let mut walk = BotWalk {
        old_dir: &old_dir,
        new_dir: &new_dir,
        moderation: StringAt {
            pointer: "/connection/domain",
            from: format!("bot.{from}"),
            to: format!("bot.{to}"),
        },
        room: StringAt {
            pointer: "/domain",
            from: format!("room.{from}"),
            to: format!("room.{to}"),
        },
        moderation_t: None,
        room_t: None,
        dirs: Vec::new(),
        winners: 0,
    };
    let complete = walk.walk(dir, "", plan)?;
    let BotWalk { dirs, winners, .. } = walk;
    if winners > 0 {
        plan.warn(format!(
            "{winners} bot file(s) already exist under {new_dir}/ and win over those of {old_dir}/"
        ));
    }
    if complete {
        for d in dirs.into_iter().rev() {
            plan.push(Operation::new(
                OpKind::Delete,
                format!("{d}/"),
                "folder of the old MUC domain, empty once its files have moved",
            ));
        }
    }
    Ok(())
}

/// The walk of the old bot folder: what moves where, and the transforms its files
/// share.
struct BotWalk<'a> {
    old_dir: &'a str,
    new_dir: &'a str,
    moderation: StringAt,
    room: StringAt,
    moderation_t: Option<Arc<dyn ContentTransform>>,
    room_t: Option<Arc<dyn ContentTransform>>,
    dirs: Vec<String>,
    winners: usize,
}

impl BotWalk<'_> {
    /// Plans the files below `sub`; returns whether every entry can move (so the
    /// emptied folders can be removed).
    fn walk(&mut self, dir: &Path, sub: &str, plan: &mut Plan) -> Result<bool> {
        let here = if sub.is_empty() {
            self.old_dir.to_owned()
        } else {
            rel_join(self.old_dir, sub)
        };
        self.dirs.push(here.clone());
        let (entries, bad) = list_dir(dir, &here).map_err(read_err(&here))?;
        let mut complete = bad.is_empty();
        for b in bad {
            plan.warn(format!(
                "{here}/{b:?} has an unsafe or non-UTF-8 name; left alone"
            ));
        }
        for (name, meta) in entries {
            let rel_sub = rel_join(sub, &name);
            let src = rel_join(self.old_dir, &rel_sub);
            let dst = rel_join(self.new_dir, &rel_sub);
            if meta.file_type().is_symlink() {
                plan.warn(format!(
                    "{src} is a symbolic link; not followed, left alone"
                ));
                complete = false;
            } else if meta.is_dir() {
                complete &= self.walk(dir, &rel_sub, plan)?;
            } else if !meta.is_file() {
                plan.warn(format!("{src} is not a regular file; left alone"));
                complete = false;
            } else if !matches!(found(dir, &dst)?, Found::Absent) {
                self.winners += 1;
                plan.push(
                    Operation::new(
                        OpKind::Delete,
                        &src,
                        format!("{dst} already exists under the new MUC domain and wins"),
                    )
                    .size(meta.len()),
                );
            } else {
                let op = self.file(dir, &rel_sub, &src, plan)?;
                plan.push(op.to(&dst).size(meta.len()));
            }
        }
        Ok(complete)
    }

    /// The move of one bot file, with its domain rewritten on the way when it has
    /// the old one.
    fn file(&mut self, dir: &Path, rel_sub: &str, src: &str, plan: &mut Plan) -> Result<Operation> {
        let moves = || Operation::new(OpKind::Rename, src, "bot file moves to the new MUC domain");
        let is_room = rel_sub.starts_with("rooms/") && rel_sub.ends_with(".json");
        if rel_sub != "moderation.json" && !rel_sub.starts_with("rooms/") {
            return Ok(moves());
        }
        let (bytes, value) = read_json(dir, src)?;
        let Some(mut v) = value else {
            if !bytes.is_empty() {
                plan.warn(format!("{src} is not JSON; moved unchanged"));
            }
            return Ok(moves());
        };
        let (edit, slot, what) = if rel_sub == "moderation.json" {
            (
                &self.moderation,
                &mut self.moderation_t,
                "connection.domain",
            )
        } else if is_room {
            (&self.room, &mut self.room_t, "domain")
        } else {
            return Ok(moves());
        };
        if edit.edit(&mut v).is_err() {
            plan.warn(format!(
                "{src}: {what} is not {}; moved unchanged",
                edit.from
            ));
            return Ok(moves());
        }
        let t = slot.get_or_insert_with(|| transforms::shared(edit.clone()));
        Ok(Operation::new(
            OpKind::Rename,
            src,
            format!(
                "bot file moves to the new MUC domain, {what} {} -> {}",
                edit.from, edit.to
            ),
        )
        .transform(t))
    }
}

fn tokens(dir: &Path, from: &str, to: &str, plan: &mut Plan) -> Result<()> {
    if !matches!(found(dir, "tokens")?, Found::Dir) {
        return Ok(());
    }
    let suffix = format!("@{from}.json");
    let (entries, _) = list_dir(dir, "tokens").map_err(read_err("tokens"))?;
    for (name, meta) in entries {
        let Some(user) = name.strip_suffix(&suffix) else {
            continue;
        };
        let src = format!("tokens/{name}");
        if meta.file_type().is_symlink() || !meta.is_file() {
            plan.warn(format!(
                "{src} is not a regular file (or is a symbolic link); left alone"
            ));
            continue;
        }
        let new_name = format!("{user}@{to}.json");
        if user.is_empty() || livechat_schema::names::safe_component(&new_name).is_err() {
            plan.warn(format!(
                "{src}: the user part is not a safe name; left alone"
            ));
            continue;
        }
        let dst = format!("tokens/{new_name}");
        match found(dir, &dst)? {
            Found::Absent => plan.push(
                Operation::new(
                    OpKind::Rename,
                    &src,
                    "the user's tokens follow the new host, content unchanged",
                )
                .to(&dst)
                .size(meta.len()),
            ),
            Found::File(_) => {
                let a = fsutil::read_regular(dir, &src).map_err(read_err(&src))?;
                let b = fsutil::read_regular(dir, &dst).map_err(read_err(&dst))?;
                if a == b {
                    plan.push(
                        Operation::new(
                            OpKind::Delete,
                            &src,
                            format!("{dst} already exists with identical content"),
                        )
                        .size(meta.len()),
                    );
                } else {
                    plan.error(format!(
                        "{src} cannot be renamed: {dst} already exists with different content"
                    ));
                }
            }
            _ => plan.error(format!("{dst} exists and is not a regular file")),
        }
    }
    Ok(())
}

fn video_infos(dir: &Path, from: &str, to: &str, plan: &mut Plan) -> Result<()> {
    if !matches!(found(dir, "videoInfos/local")?, Found::Dir) {
        return Ok(());
    }
    let (entries, _) = list_dir(dir, "videoInfos/local").map_err(read_err("videoInfos/local"))?;
    let edit = Hosts {
        from: from.to_owned(),
        to: to.to_owned(),
    };
    let reason = format!("the JID, hosts and URLs name {to} instead of {from}");
    let mut shared: Option<Arc<dyn ContentTransform>> = None;
    for (name, meta) in entries {
        let rel = format!("videoInfos/local/{name}");
        if !name.ends_with(".json") {
            continue;
        }
        if meta.file_type().is_symlink() || !meta.is_file() {
            plan.warn(format!(
                "{rel} is not a regular file (or is a symbolic link); left alone"
            ));
            continue;
        }
        let (bytes, value) = read_json(dir, &rel)?;
        match value {
            Some(mut v) => {
                if edit.edit(&mut v) == Ok(true) {
                    let t = shared.get_or_insert_with(|| transforms::shared(edit.clone()));
                    plan.push(
                        Operation::new(OpKind::Rewrite, &rel, reason.clone())
                            .transform(t)
                            .size(meta.len()),
                    );
                }
            }
            None => {
                if String::from_utf8_lossy(&bytes)
                    != replace_host(&String::from_utf8_lossy(&bytes), from, to)
                {
                    plan.warn(format!("{rel} mentions {from} but is not JSON; left alone"));
                }
            }
        }
    }
    Ok(())
}

fn emojis(dir: &Path, from: &str, to: &str, plan: &mut Plan) -> Result<()> {
    if !matches!(found(dir, "emojis/channel")?, Found::Dir) {
        return Ok(());
    }
    let (entries, _) = list_dir(dir, "emojis/channel").map_err(read_err("emojis/channel"))?;
    let edit = EmojiUrls {
        from: from.to_owned(),
        to: to.to_owned(),
    };
    let reason = format!("the emoji URLs name {to} instead of {from}");
    let mut shared: Option<Arc<dyn ContentTransform>> = None;
    for (name, meta) in entries {
        if !meta.is_dir() {
            continue;
        }
        let rel = format!("emojis/channel/{name}/definition.json");
        let size = match found(dir, &rel)? {
            Found::File(size) => size,
            Found::Absent => continue,
            _ => {
                plan.warn(format!(
                    "{rel} is not a regular file (or is a symbolic link); left alone"
                ));
                continue;
            }
        };
        let (_, value) = read_json(dir, &rel)?;
        let Some(mut v) = value else {
            plan.warn(format!("{rel} is not JSON; left alone"));
            continue;
        };
        if edit.edit(&mut v) == Ok(true) {
            let t = shared.get_or_insert_with(|| transforms::shared(edit.clone()));
            plan.push(
                Operation::new(OpKind::Rewrite, &rel, reason.clone())
                    .transform(t)
                    .size(size),
            );
        }
    }
    Ok(())
}
