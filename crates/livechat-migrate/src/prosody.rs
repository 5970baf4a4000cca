//! Prosody's data (`prosody/data`, internal storage) in both migrations, planned with
//! `livechat-prosody`.
//!
//! - rename-domain: the host folders of `OLD`, `room.OLD`, `anon.OLD`, `external.OLD`
//!   and `bot.OLD` become those of `NEW`; every store file moves, and those holding
//!   JIDs of the old hosts are rewritten on the way (only the JIDs' domains change:
//!   [`livechat_prosody::rewrite`]). An archive's `.lidx` (Prosody 13's byte index)
//!   moves with an unchanged `.list`, and is deleted beside a rewritten one: Prosody
//!   13 rebuilds a missing index from the `.list`, as it does after its own
//!   `list_store`. Certificates (`<OLD>.crt`, `<OLD>.key`) stay.
//! - prune: every room whose video or channel the inventory proves gone loses its
//!   config, state, history (`muc_log` `.list` and `.lidx`), tasks and notes
//!   (`livechat-mep`, `livechat_mep_<node>`) and its entry in `persistent.dat`, as
//!   Prosody's own room destroy leaves it; `--keep-history` keeps all of it.
//!
//! It only reads. Every file it plans to rewrite is parsed first (a file that does
//! not parse is a plan error naming it); a file Prosody would not read gets a
//! warning and is moved unchanged or left alone, never deleted silently. Prosody's
//! SQL storage (`prosody.sqlite`) is refused.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;
use std::sync::Arc;

use livechat_prosody::layout::{self, Ext, StoreFile, classify_in_host, host_dir};
use livechat_prosody::lua::{FileKind, ScanError, serialize_true_map};
use livechat_prosody::rewrite::{self, HOST_PREFIXES, HostMap, jid_domain};
use livechat_schema::names::{RoomLocal, classify_room_local, safe_component};

use crate::error::{MigrateError, Result};
use crate::fsutil::{self, list_dir, rel_join};
use crate::plan::{ContentTransform, OpKind, Operation, Plan};
use crate::prune::Existing;

/// Where Prosody's data lives in the plugin's data directory.
pub const DATA: &str = "prosody/data";

fn read_err(path: &str) -> impl FnOnce(io::Error) -> MigrateError + '_ {
    move |source| MigrateError::Read {
        path: path.to_owned(),
        source,
    }
}

/// The JID rewrite of a store file: what the executor streams the original through
/// at apply time (one shared per file kind; the plan holds no content).
#[derive(Debug, Clone)]
pub struct JidRewrite {
    pub map: HostMap,
    pub kind: FileKind,
}

impl ContentTransform for JidRewrite {
    /// Reads a whole store file and writes it with the old hosts' JIDs renamed; a
    /// file that no longer parses is `InvalidData`.
    fn transform(&self, input: &mut dyn BufRead, output: &mut dyn Write) -> io::Result<()> {
        rewrite::rewrite(input, self.kind, &self.map, Some(output))
            .map(|_| ())
            .map_err(|e| match e {
                ScanError::Io(e) => e,
                ScanError::Parse(p) => io::Error::new(io::ErrorKind::InvalidData, p.to_string()),
            })
    }
}

/// Opens a regular file below DIR for streaming.
fn open(dir: &Path, rel: &str) -> Result<BufReader<std::fs::File>> {
    let path = fsutil::join(dir, rel).map_err(read_err(rel))?;
    Ok(BufReader::with_capacity(
        64 * 1024,
        std::fs::File::open(path).map_err(read_err(rel))?,
    ))
}

/// Whether `prosody/data` holds SQL storage; plans an error when it does.
fn refuse_sql(dir: &Path, plan: &mut Plan) -> Result<bool> {
    let (entries, _) = list_dir(dir, DATA).map_err(read_err(DATA))?;
    let mut found = false;
    for (name, _) in entries {
        if name.ends_with(".sqlite") || name.ends_with(".sqlite3") {
            found = true;
            plan.error(format!(
                "{DATA}/{name}: Prosody's SQL storage is not supported (the plugin's Prosody uses `storage = \"internal\"`); migrate its data with Prosody's own tools (`prosodyctl mod_storage_sql`), or move it to internal storage first"
            ));
        }
    }
    Ok(found)
}

fn is_real_dir(dir: &Path, rel: &str) -> Result<bool> {
    Ok(fsutil::lstat(dir, rel)
        .map_err(read_err(rel))?
        .is_some_and(|m| m.is_dir() && !m.file_type().is_symlink()))
}

/// The files below a folder (relative to it), sorted; folders listed after their
/// content (deepest first). Returns false when something there is not a regular
/// file or a folder, or has an unsafe name (then the folder cannot be emptied).
fn walk(
    dir: &Path,
    base: &str,
    sub: &str,
    files: &mut Vec<(String, u64)>,
    dirs: &mut Vec<String>,
    plan: &mut Plan,
) -> Result<bool> {
    let here = if sub.is_empty() {
        base.to_owned()
    } else {
        rel_join(base, sub)
    };
    let (entries, bad) = list_dir(dir, &here).map_err(read_err(&here))?;
    let mut complete = bad.is_empty();
    for b in bad {
        plan.warn(format!(
            "{here}/{b:?} has an unsafe or non-UTF-8 name; left alone"
        ));
    }
    for (name, meta) in entries {
        let rel = rel_join(sub, &name);
        if meta.file_type().is_symlink() {
            plan.warn(format!(
                "{base}/{rel} is a symbolic link; not followed, left alone"
            ));
            complete = false;
        } else if meta.is_dir() {
            complete &= walk(dir, base, &rel, files, dirs, plan)?;
        } else if meta.is_file() {
            files.push((rel, meta.len()));
        } else {
            plan.warn(format!("{base}/{rel} is not a regular file; left alone"));
            complete = false;
        }
    }
    if !sub.is_empty() {
        dirs.push(sub.to_owned());
    }
    Ok(complete)
}

/// What a parse error of a store file says in a plan.
fn parse_error(rel: &str, e: &ScanError) -> String {
    format!(
        "{rel}: not a store file Prosody can load ({e}); nothing is planned until it is fixed or removed"
    )
}

/// Plans the move of Prosody's host folders from `from` to `to` (rename-domain).
pub fn plan_rename(dir: &Path, from: &str, to: &str, plan: &mut Plan) -> Result<()> {
    if !is_real_dir(dir, DATA)? || refuse_sql(dir, plan)? {
        return Ok(());
    }
    let map = HostMap::for_instance(from, to);
    let transform = |kind| -> Arc<dyn ContentTransform> {
        Arc::new(JidRewrite {
            map: map.clone(),
            kind,
        })
    };
    let (keyval, list) = (transform(FileKind::Keyval), transform(FileKind::List));
    let mut rewritten = 0usize;
    let mut moved = 0usize;
    let (mut records, mut records_changed) = (0u64, 0u64);
    for prefix in HOST_PREFIXES {
        let old_host = format!("{prefix}{from}");
        let new_host = format!("{prefix}{to}");
        let old_dir = rel_join(DATA, &host_dir(&old_host));
        let new_dir = rel_join(DATA, &host_dir(&new_host));
        safe_component(&host_dir(&new_host)).map_err(|why| MigrateError::BadHost {
            host: new_host.clone(),
            why: why.to_string(),
        })?;
        match fsutil::lstat(dir, &old_dir).map_err(read_err(&old_dir))? {
            None => continue,
            Some(m) if m.is_dir() && !m.file_type().is_symlink() => {}
            Some(_) => {
                plan.warn(format!(
                    "{old_dir} is not a folder (or is a symbolic link); left alone"
                ));
                continue;
            }
        }
        let merging = match fsutil::lstat(dir, &new_dir).map_err(read_err(&new_dir))? {
            None => false,
            Some(m) if m.is_dir() && !m.file_type().is_symlink() => true,
            Some(_) => {
                plan.error(format!(
                    "{new_dir} exists and is not a folder: cannot move {old_dir}/ there"
                ));
                continue;
            }
        };
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        let complete = walk(dir, &old_dir, "", &mut files, &mut dirs, plan)?;
        // Archives rewritten here: their `.lidx` goes.
        let mut rewritten_lists: BTreeSet<String> = BTreeSet::new();
        let mut ops = Vec::new();
        for (rel, size) in &files {
            let src = rel_join(&old_dir, rel);
            let dst = rel_join(&new_dir, rel);
            let kind = match classify_in_host(rel) {
                StoreFile::User { ext: Ext::Dat, .. } | StoreFile::Host { .. } => {
                    Some(FileKind::Keyval)
                }
                StoreFile::User { ext: Ext::List, .. } => Some(FileKind::List),
                StoreFile::User { ext: Ext::Lidx, .. } => None,
                StoreFile::Unread(why) => {
                    plan.warn(format!(
                        "{src}: Prosody never reads it ({why}); moved unchanged"
                    ));
                    None
                }
            };
            let mut content = None;
            let mut reason = format!("Prosody's data of {old_host} moves to {new_host}");
            if let Some(kind) = kind {
                // Parsed now (a file that does not parse stops the plan), rewritten
                // at apply time by the shared transform, streaming.
                match rewrite::rewrite(open(dir, &src)?, kind, &map, None) {
                    Err(ScanError::Io(e)) => return Err(read_err(&src)(e)),
                    Err(e) => {
                        plan.error(parse_error(&src, &e));
                        continue;
                    }
                    Ok(stats) => {
                        if kind == FileKind::List {
                            records += stats.records;
                            records_changed += stats.records_changed;
                        }
                        if stats.changed() {
                            rewritten += 1;
                            if kind == FileKind::List {
                                rewritten_lists.insert(rel.clone());
                                reason = format!(
                                    "{reason}; JIDs of the old hosts renamed in {} of its {} archive records",
                                    stats.records_changed, stats.records
                                );
                            } else {
                                reason = format!(
                                    "{reason}; {} JID(s) of the old hosts renamed",
                                    stats.strings_changed
                                );
                            }
                            content = Some(if kind == FileKind::List {
                                Arc::clone(&list)
                            } else {
                                Arc::clone(&keyval)
                            });
                        }
                    }
                }
            }
            ops.push((src, dst, reason, content, *size));
        }
        for (src, dst, reason, content, size) in ops {
            let list_of_index = src
                .strip_suffix(".lidx")
                .map(|s| format!("{}.list", &s[old_dir.len() + 1..]));
            if list_of_index.is_some_and(|l| rewritten_lists.contains(&l)) {
                plan.push(
                    Operation::new(
                        OpKind::Delete,
                        &src,
                        "Prosody 13's byte index of an archive rewritten here: stale, and Prosody rebuilds a missing one from the .list",
                    )
                    .size(size),
                );
                continue;
            }
            if merging {
                match fsutil::lstat(dir, &dst).map_err(read_err(&dst))? {
                    None => {}
                    Some(_) => {
                        let a = fsutil::read_regular(dir, &src).map_err(read_err(&src))?;
                        let b = fsutil::read_regular(dir, &dst).map_err(read_err(&dst))?;
                        if content.is_none() && a == b {
                            plan.push(
                                Operation::new(
                                    OpKind::Delete,
                                    &src,
                                    format!("{dst} already exists with identical content"),
                                )
                                .size(size),
                            );
                        } else {
                            plan.error(format!(
                                "{src} cannot move: {dst} already exists under the new host with other data (Prosody ran for the new domain); merge the two by hand, or remove {new_dir}/ if it holds nothing worth keeping"
                            ));
                        }
                        continue;
                    }
                }
            }
            moved += 1;
            let op = Operation::new(OpKind::Rename, &src, reason)
                .to(&dst)
                .size(size);
            plan.push(match content {
                Some(t) => op.transform(&t),
                None => op,
            });
        }
        if merging {
            plan.warn(format!(
                "{new_dir}/ already exists: the files of {old_dir}/ join it (no file there is replaced; any clash is an error)"
            ));
        }
        if complete {
            for d in dirs {
                plan.push(Operation::new(
                    OpKind::Delete,
                    format!("{}/", rel_join(&old_dir, &d)),
                    "folder of an old host, empty once its files have moved",
                ));
            }
            plan.push(Operation::new(
                OpKind::Delete,
                format!("{old_dir}/"),
                "host folder of the old domain, empty once its files have moved",
            ));
        }
    }
    if moved > 0 {
        plan.note(format!(
            "Prosody: {moved} store file(s) move to the new hosts, {rewritten} of them with JIDs rewritten; {records_changed} of {records} archive records change"
        ));
    }
    for ext in ["crt", "key"] {
        let file = format!("{DATA}/{from}.{ext}");
        if fsutil::lstat(dir, &file)
            .map_err(read_err(&file))?
            .is_some()
        {
            plan.warn(format!(
                "{file} is the certificate of the old domain; it is left alone (the plugin generates one for the new domain when S2S needs it)"
            ));
        }
    }
    Ok(())
}

/// A room's files in the MUC host folder: (path relative to DIR, size).
type RoomFiles = BTreeMap<String, Vec<(String, u64)>>;

/// Plans the removal of Prosody's data of the rooms the inventory proves stale.
pub fn plan_prune(
    dir: &Path,
    host: &str,
    ex: &Existing,
    keep_history: bool,
    plan: &mut Plan,
) -> Result<()> {
    if !is_real_dir(dir, DATA)? {
        return Ok(());
    }
    if refuse_sql(dir, plan)? {
        return Ok(());
    }
    let muc = format!("room.{host}");
    let muc_dir = rel_join(DATA, &host_dir(&muc));
    if !is_real_dir(dir, &muc_dir)? {
        return Ok(());
    }
    // Every file named after a room, in the room stores and in the others.
    let mut rooms: RoomFiles = BTreeMap::new();
    let mut elsewhere: RoomFiles = BTreeMap::new();
    let (stores, _) = list_dir(dir, &muc_dir).map_err(read_err(&muc_dir))?;
    for (store_name, meta) in &stores {
        if !meta.is_dir() || meta.file_type().is_symlink() {
            continue;
        }
        let store_rel = rel_join(&muc_dir, store_name);
        let (files, _) = list_dir(dir, &store_rel).map_err(read_err(&store_rel))?;
        for (file, fmeta) in files {
            let rel = rel_join(&store_rel, &file);
            if let StoreFile::User { store, user, .. } =
                classify_in_host(&format!("{store_name}/{file}"))
            {
                if fmeta.file_type().is_symlink() || !fmeta.is_file() {
                    continue;
                }
                let target = if layout::is_room_store(&store) {
                    &mut rooms
                } else {
                    &mut elsewhere
                };
                target.entry(user).or_default().push((rel, fmeta.len()));
            }
        }
    }
    // The persistent room list.
    let persistent = rel_join(&muc_dir, &layout::host_file(layout::PERSISTENT));
    let mut listed: Vec<Vec<u8>> = Vec::new();
    let mut persistent_ok = false;
    if let Some(m) = fsutil::lstat(dir, &persistent).map_err(read_err(&persistent))? {
        if m.is_file() && !m.file_type().is_symlink() {
            match rewrite::top_level_keys(open(dir, &persistent)?) {
                Ok((keys, true)) => {
                    listed = keys;
                    persistent_ok = true;
                }
                Ok((_, false)) => plan.warn(format!(
                    "{persistent} is not a map of room JIDs to `true` as Prosody writes it; left alone"
                )),
                Err(ScanError::Io(e)) => return Err(read_err(&persistent)(e)),
                Err(e) => plan.error(parse_error(&persistent, &e)),
            }
        }
    }
    let room_of = |k: &[u8]| -> Option<String> {
        let d = jid_domain(k)?;
        (k.get(d.clone()) == Some(muc.as_bytes()) && d.start > 1)
            .then(|| String::from_utf8(k[..d.start - 1].to_vec()).ok())
            .flatten()
    };
    let mut all: BTreeSet<String> = rooms.keys().cloned().collect();
    all.extend(listed.iter().filter_map(|k| room_of(k)));
    let mut gone_rooms: BTreeSet<String> = BTreeSet::new();
    let mut freed = 0u64;
    let mut files = 0usize;
    for room in &all {
        let why = match classify_room_local(room) {
            RoomLocal::Video(uuid) if !ex.videos.contains_key(uuid) => {
                format!("the room's video {uuid} no longer exists")
            }
            RoomLocal::Channel(n) if !i64::try_from(n).is_ok_and(|n| ex.channels.contains(&n)) => {
                format!("the room's channel {n} no longer exists")
            }
            _ => continue,
        };
        if keep_history {
            plan.warn(format!(
                "Prosody's data of the stale room {room}@{muc} is kept (--keep-history)"
            ));
            continue;
        }
        gone_rooms.insert(room.clone());
        for (rel, size) in rooms.get(room).into_iter().flatten() {
            freed += size;
            files += 1;
            plan.push(
                Operation::new(
                    OpKind::Delete,
                    rel,
                    format!("{why} (Prosody's data of {room}@{muc})"),
                )
                .size(*size),
            );
        }
        for (rel, _) in elsewhere.get(room).into_iter().flatten() {
            plan.warn(format!(
                "{rel} is named after the stale room {room}@{muc} but is not one of the room stores this tool knows; left alone"
            ));
        }
    }
    if persistent_ok && !gone_rooms.is_empty() {
        let keep: Vec<&[u8]> = listed
            .iter()
            .filter(|k| room_of(k).is_none_or(|r| !gone_rooms.contains(&r)))
            .map(Vec::as_slice)
            .collect();
        if keep.len() != listed.len() {
            let dropped = listed.len() - keep.len();
            if keep.is_empty() {
                // Prosody removes a keyval store it would write empty.
                plan.push(Operation::new(
                    OpKind::Delete,
                    &persistent,
                    "every persistent room it lists is stale (Prosody removes an empty store)",
                ));
            } else {
                plan.push(
                    Operation::new(
                        OpKind::Rewrite,
                        &persistent,
                        format!("drops the {dropped} stale room(s) from the persistent rooms"),
                    )
                    .bytes(serialize_true_map(keep)),
                );
            }
        }
    }
    if files > 0 {
        plan.note(format!(
            "Prosody: {} stale room(s), {files} file(s) deleted, {freed} bytes freed",
            gone_rooms.len()
        ));
    }
    Ok(())
}
