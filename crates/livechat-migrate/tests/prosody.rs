//! Both migrations on Prosody's data: the tree a real Prosody 0.12 wrote
//! (`fixtures/prosody/dir`, from `cargo xtask prosody-check --fixture`).
//!
//! Rename: every host folder moves, only the domains of the old hosts' JIDs change
//! (the reverse rewrite gives every original byte back), stale `.lidx` indexes go,
//! restore is byte-exact; a clash under the new host, a file that does not parse and
//! SQL storage stop the plan before anything is written. Prune: the stale rooms'
//! stores and persistent entries go, unknown rooms stay, `--keep-history` keeps all.

#![allow(
    clippy::unwrap_used,
    reason = "tests fail loudly on any unexpected error"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use livechat_migrate::execute::{self, ApplyOptions, NoProgress};
use livechat_migrate::{Plan, plan_prune_with, plan_rename_domain};
use livechat_prosody::lua::FileKind;
use livechat_prosody::rewrite::{HostMap, rewrite};

const OLD: &str = "old.example";
const NEW: &str = "chat.new.example";
const GONE_VIDEO: &str = "0b8e0f7c%2d2f6e%2d4d5b%2d9c3e%2d8a1b2c3d4e5f";
const GONE_CHANNEL: &str = "channel%2e2";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/prosody")
}

fn copy_tree(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to);
        } else {
            fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// Every file below `dir` (relative path -> bytes); folders as `path/` -> empty.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &p, out);
            } else {
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

struct Case {
    tmp: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&fixture().join("dir"), &tmp.path().join("data"));
        Case { tmp }
    }
    fn dir(&self) -> PathBuf {
        fs::canonicalize(self.tmp.path()).unwrap().join("data")
    }
    fn data(&self) -> PathBuf {
        self.dir().join("prosody/data")
    }
    fn backup(&self) -> PathBuf {
        fs::canonicalize(self.tmp.path()).unwrap().join("backup")
    }
    fn apply(&self, plan: &Plan) -> livechat_migrate::Result<execute::ApplyReport> {
        let opts = ApplyOptions {
            backup_dir: Some(self.backup()),
            force: false,
        };
        execute::apply(&self.dir(), plan, &opts, &mut NoProgress, &mut |_, _| {})
    }
}

fn kind(rel: &str) -> Option<FileKind> {
    if rel.ends_with(".list") {
        Some(FileKind::List)
    } else if rel.ends_with(".dat") {
        Some(FileKind::Keyval)
    } else {
        None
    }
}

fn enc(s: &str) -> String {
    livechat_prosody::encoding::encode(s.as_bytes())
}

#[test]
fn rename_moves_every_host_and_changes_only_jid_domains() {
    let case = Case::new();
    let before = files(&case.dir());
    let plan = plan_rename_domain(&case.dir(), OLD, NEW).unwrap();
    let text = plan.to_human();
    assert!(plan.errors.is_empty(), "{text}");
    insta::assert_snapshot!("rename_plan", text);
    case.apply(&plan).unwrap();
    let after = files(&case.data());
    // Nothing is left under the old hosts, not even a folder.
    let old_left: Vec<&String> = after.keys().filter(|k| k.contains(&enc(OLD))).collect();
    assert!(old_left.is_empty(), "{old_left:?}");
    // Each old file has its new counterpart, and renaming the new hosts back gives
    // the original bytes: only the domains of JIDs changed.
    let back = HostMap::for_instance(NEW, OLD);
    let mut rewritten = 0;
    for (rel, old_bytes) in files(&fixture().join("dir/prosody/data")) {
        if rel.ends_with('/') {
            continue;
        }
        let new_rel = rel.replacen(&enc(OLD), &enc(NEW), 1);
        let new_bytes = after
            .get(&new_rel)
            .unwrap_or_else(|| panic!("{new_rel} is missing"));
        if new_bytes != &old_bytes {
            rewritten += 1;
            let mut out = Vec::new();
            rewrite(
                new_bytes.as_slice(),
                kind(&rel).unwrap(),
                &back,
                Some(&mut out),
            )
            .unwrap();
            assert!(out == old_bytes, "{rel}: more than JID domains changed");
        }
    }
    assert!(rewritten > 5, "only {rewritten} files rewritten");
    // Message bodies that mention the old host, or are exactly one of its JIDs, stay.
    let history = String::from_utf8(
        after[&format!(
            "room%2e{}/muc_log/8df24108%2d6e70%2d4fc8%2db1cc%2df2db7fcdd535.list",
            enc(NEW)
        )]
            .clone(),
    )
    .unwrap();
    assert!(history.contains("\"alice@old.example\";"), "{history}");
    assert!(history.contains("visit https://old.example/videos and room.old.example"));
    assert!(history.contains("[\"jid\"] = \"alice@chat.new.example\";"));
    // A second run has nothing to do, and restore gives every byte back.
    assert!(
        plan_rename_domain(&case.dir(), OLD, NEW)
            .unwrap()
            .is_empty()
    );
    execute::restore(&case.backup(), None, &mut NoProgress).unwrap();
    assert!(
        files(&case.dir()) == before,
        "restore is not byte-identical"
    );
}

#[test]
fn a_rewritten_archive_loses_its_stale_index_an_unchanged_one_keeps_it() {
    let case = Case::new();
    let room = case.data().join(format!("room%2e{}", enc(OLD)));
    let muc_log = room.join("muc_log");
    // Prosody 13 writes a `.lidx` beside each `.list`; an archive without any JID of
    // the old hosts keeps its bytes, so its index stays valid.
    fs::write(muc_log.join("lobby.lidx"), b"index bytes").unwrap();
    fs::write(
        muc_log.join("quiet.list"),
        b"item({[\"with\"] = \"message<groupchat\"});\n",
    )
    .unwrap();
    fs::write(muc_log.join("quiet.lidx"), b"index of quiet").unwrap();
    let plan = plan_rename_domain(&case.dir(), OLD, NEW).unwrap();
    assert!(plan.errors.is_empty(), "{}", plan.to_human());
    case.apply(&plan).unwrap();
    let new_log = case.data().join(format!("room%2e{}/muc_log", enc(NEW)));
    assert!(!new_log.join("lobby.lidx").exists());
    assert!(new_log.join("lobby.list").exists());
    assert_eq!(
        fs::read(new_log.join("quiet.lidx")).unwrap(),
        b"index of quiet"
    );
}

#[test]
fn a_file_that_does_not_parse_stops_the_plan() {
    let case = Case::new();
    let list = case
        .data()
        .join(format!("room%2e{}/muc_log/lobby.list", enc(OLD)));
    let mut bytes = fs::read(&list).unwrap();
    bytes.truncate(bytes.len() - 10);
    fs::write(&list, bytes).unwrap();
    let before = files(&case.dir());
    let plan = plan_rename_domain(&case.dir(), OLD, NEW).unwrap();
    let errors = plan.errors.join("\n");
    assert!(
        errors.contains("muc_log/lobby.list: not a store file Prosody can load (line "),
        "{errors}"
    );
    assert!(case.apply(&plan).is_err());
    assert!(files(&case.dir()) == before);
}

#[test]
fn sql_storage_and_clashes_under_the_new_host_are_refused() {
    let case = Case::new();
    fs::write(case.data().join("prosody.sqlite"), b"SQLite format 3\0").unwrap();
    let plan = plan_rename_domain(&case.dir(), OLD, NEW).unwrap();
    assert!(
        plan.errors
            .iter()
            .any(|e| e.contains("prosody.sqlite: Prosody's SQL storage is not supported")),
        "{:?}",
        plan.errors
    );
    fs::remove_file(case.data().join("prosody.sqlite")).unwrap();
    // Prosody already ran for the new domain and has a room of the same name.
    let clash = case.data().join(format!("room%2e{}/config", enc(NEW)));
    fs::create_dir_all(&clash).unwrap();
    fs::write(clash.join("lobby.dat"), b"return {};\n").unwrap();
    let plan = plan_rename_domain(&case.dir(), OLD, NEW).unwrap();
    assert_eq!(plan.errors.len(), 1, "{:?}", plan.errors);
    assert!(plan.errors[0].contains("config/lobby.dat already exists under the new host"));
    // Without a clash, the two folders merge: nothing there is replaced.
    fs::rename(clash.join("lobby.dat"), clash.join("other.dat")).unwrap();
    let plan = plan_rename_domain(&case.dir(), OLD, NEW).unwrap();
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    case.apply(&plan).unwrap();
    assert_eq!(fs::read(clash.join("other.dat")).unwrap(), b"return {};\n");
    assert!(clash.join("lobby.dat").exists());
}

#[test]
fn prune_removes_the_stale_rooms_as_prosody_destroys_them() {
    let inv =
        livechat_migrate::inventory::read_inventory(&fixture().join("inventory.json")).unwrap();
    let case = Case::new();
    // Tasks and notes of the plugin's mod_pubsub_peertubelivechat (node configs in
    // `livechat-mep`, items in `livechat_mep_<node>` archives), for a stale room and a
    // kept one; and a store this tool does not know, which is left alone.
    let room = case.data().join(format!("room%2e{}", enc(OLD)));
    for (store, file) in [
        ("livechat%2dmep", format!("{GONE_CHANNEL}.dat")),
        (
            "livechat_mep_livechat%2dtasks",
            format!("{GONE_CHANNEL}.list"),
        ),
        (
            "livechat_mep_livechat%2dnotes",
            format!("{GONE_VIDEO}.list"),
        ),
        ("livechat%2dmep", "channel%2e1.dat".to_owned()),
        ("unknown_store", format!("{GONE_CHANNEL}.dat")),
    ] {
        fs::create_dir_all(room.join(store)).unwrap();
        fs::write(room.join(store).join(file), b"return {};\n").unwrap();
    }
    let before = files(&case.dir());
    let plan = plan_prune_with(&case.dir(), &inv, OLD, false).unwrap();
    let text = plan.to_human();
    assert!(plan.errors.is_empty(), "{text}");
    insta::assert_snapshot!("prune_plan", text);
    case.apply(&plan).unwrap();
    let after = files(&case.data());
    for room in [GONE_VIDEO, GONE_CHANNEL] {
        let left: Vec<&String> = after
            .keys()
            .filter(|k| k.contains(room) && !k.contains("unknown_store"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
    assert!(after.contains_key(&format!(
        "room%2e{}/unknown_store/{GONE_CHANNEL}.dat",
        enc(OLD)
    )));
    assert!(
        plan.warnings.iter().any(|w| w.contains("unknown_store")),
        "{text}"
    );
    // The other rooms, the unknown one included, keep every file.
    for room in ["8df24108%2d6e70", "channel%2e1", "lobby"] {
        assert_eq!(
            after.keys().filter(|k| k.contains(room)).count(),
            before.keys().filter(|k| k.contains(room)).count(),
            "{room}"
        );
    }
    let persistent =
        String::from_utf8(after[&format!("room%2e{}/persistent.dat", enc(OLD))].clone()).unwrap();
    assert!(!persistent.contains("channel.2@") && !persistent.contains("0b8e0f7c-"));
    assert!(persistent.contains("channel.1@") && persistent.contains("lobby@"));
    execute::restore(&case.backup(), None, &mut NoProgress).unwrap();
    assert!(files(&case.dir()) == before);
    // --keep-history: Prosody's data stays.
    let plan = plan_prune_with(&case.dir(), &inv, OLD, true).unwrap();
    assert!(
        plan.operations()
            .all(|o| !o.path().to_string().starts_with("prosody/")),
        "{}",
        plan.to_human()
    );
}
