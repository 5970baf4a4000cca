//! The migrator on fixture data dirs: plans and resulting trees (snapshots), second
//! runs, restore round-trips, owners and modes, symbolic links, read-only files,
//! path traversal from file contents, a running Prosody, and prune against a real
//! PostgreSQL server.

#![allow(
    clippy::unwrap_used,
    reason = "tests fail loudly on any unexpected error"
)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use livechat_migrate::execute::{self, ApplyOptions, NoProgress};
use livechat_migrate::{Plan, plan_prune, plan_rename_domain};
use livechat_schema::models::Inventory;

const OLD: &str = "old.example.com";
const NEW: &str = "new.example.org";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn copy_tree(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            copy_tree(&e.path(), &to);
        } else if ft.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(e.path()).unwrap(), &to).unwrap();
        } else {
            fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// A temp folder holding `data/` (a copy of the fixture) and room for a backup.
struct Case {
    tmp: tempfile::TempDir,
}

impl Case {
    fn new(fixture: &str) -> Case {
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&fixtures().join(fixture), &tmp.path().join("data"));
        let c = Case { tmp };
        // Canonical, as the CLI gives it.
        assert_eq!(c.dir(), fs::canonicalize(c.dir()).unwrap());
        c
    }
    fn dir(&self) -> PathBuf {
        fs::canonicalize(self.tmp.path()).unwrap().join("data")
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
    fn restore(&self) -> execute::RestoreReport {
        execute::restore(&self.backup(), None, &mut NoProgress).unwrap()
    }
}

/// Every entry below `dir`: kind, mode, owner, and bytes (or link target).
fn fingerprint(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let m = fs::symlink_metadata(&p).unwrap();
            let own = format!("{:o} {}:{}", m.mode() & 0o7777, m.uid(), m.gid());
            if m.file_type().is_symlink() {
                out.insert(
                    rel,
                    format!("link -> {}", fs::read_link(&p).unwrap().display()),
                );
            } else if m.is_dir() {
                out.insert(format!("{rel}/"), own);
                walk(root, &p, out);
            } else {
                let bytes = fs::read(&p).unwrap();
                out.insert(
                    rel,
                    format!("{own} {}", livechat_migrate::fsutil::sha256(&bytes)),
                );
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

/// Masks secret values (bot password, token ciphertexts) in a text.
fn mask(text: &str) -> String {
    let mut s = text.to_owned();
    for key in ["\"password\":\"", "\"encryptedPassword\":\""] {
        let mut from = 0;
        while let Some(i) = s[from..].find(key) {
            let start = from + i + key.len();
            let end = start + s[start..].find('"').unwrap();
            s.replace_range(start..end, "[secret]");
            from = start + "[secret]".len();
        }
    }
    s
}

/// The tree as text: paths and (masked) contents; binary files by size and hash.
fn tree(dir: &Path) -> String {
    let mut out = String::new();
    for (rel, fp) in fingerprint(dir) {
        if rel.ends_with('/') || fp.starts_with("link") {
            out.push_str(&format!("{rel} {fp}\n"));
            continue;
        }
        let bytes = fs::read(dir.join(&rel)).unwrap();
        match String::from_utf8(bytes.clone()) {
            Ok(t) if !t.contains('\0') => out.push_str(&format!("{rel}\n  {}\n", mask(&t))),
            _ => out.push_str(&format!("{rel}\n  <{} bytes>\n", bytes.len())),
        }
    }
    out
}

fn plan_text(plan: &Plan) -> String {
    // The streamed JSON the CLI prints is the same object as the plan's value.
    let mut streamed = Vec::new();
    plan.write_json_head(&mut streamed, false).unwrap();
    streamed.extend_from_slice(b"\n}");
    let streamed: serde_json::Value = serde_json::from_slice(&streamed).unwrap();
    assert_eq!(streamed, plan.to_json(false));
    format!(
        "{}\n{}",
        plan.to_human(),
        serde_json::to_string_pretty(&plan.to_json(false)).unwrap()
    )
}

/// Plans, applies, checks the second run and the restore; returns the snapshots.
fn round_trip(case: &Case, plan_fn: &dyn Fn(&Path) -> Plan) -> (String, String) {
    let before = fingerprint(&case.dir());
    let plan = plan_fn(&case.dir());
    let plan_snap = plan_text(&plan);
    assert!(plan.errors.is_empty(), "{plan_snap}");
    let report = case.apply(&plan).unwrap();
    assert!(!report.resumed);
    let after = tree(&case.dir());
    let again = plan_fn(&case.dir());
    assert!(again.is_empty(), "second run: {}", again.to_human());
    // Nothing left behind: no temporary files.
    assert!(!after.contains(".livechat-tmp"));
    // The manifest holds hashes and modes, never a secret.
    let manifest = fs::read_to_string(case.backup().join("manifest.jsonl")).unwrap();
    assert!(
        !manifest.contains("fixture-"),
        "a secret leaked into the manifest"
    );
    case.restore();
    assert_eq!(
        fingerprint(&case.dir()),
        before,
        "restore is not byte-identical"
    );
    fs::remove_dir_all(case.backup()).unwrap();
    (plan_snap, after)
}

#[test]
fn rename_domain_basic() {
    let case = Case::new("migrate/rename-domain-basic");
    let (plan, tree) = round_trip(&case, &|d| plan_rename_domain(d, OLD, NEW).unwrap());
    insta::assert_snapshot!("rename_domain_basic_plan", plan);
    insta::assert_snapshot!("rename_domain_basic_tree", tree);
}

#[test]
fn rename_domain_merge() {
    let case = Case::new("migrate/rename-domain-merge");
    let (plan, tree) = round_trip(&case, &|d| plan_rename_domain(d, OLD, NEW).unwrap());
    insta::assert_snapshot!("rename_domain_merge_plan", plan);
    insta::assert_snapshot!("rename_domain_merge_tree", tree);
}

#[test]
fn rename_domain_collision_is_an_error() {
    let case = Case::new("migrate/rename-domain-collision");
    let before = fingerprint(&case.dir());
    let plan = plan_rename_domain(&case.dir(), OLD, NEW).unwrap();
    insta::assert_snapshot!("rename_domain_collision_plan", plan_text(&plan));
    let err = case.apply(&plan).unwrap_err();
    assert!(
        matches!(
            err,
            livechat_migrate::MigrateError::PlanHasErrors { count: 1 }
        ),
        "{err}"
    );
    assert_eq!(fingerprint(&case.dir()), before);
    assert!(!case.backup().exists());
}

fn inventory(path: &Path) -> Inventory {
    livechat_migrate::inventory::read_inventory(path).unwrap()
}

#[test]
fn prune_hostile_entries_stay_inside_dir() {
    let case = Case::new("migrate/prune-hostile");
    // Sentinels where the traversal entries would lead.
    let root = fs::canonicalize(case.tmp.path()).unwrap();
    fs::create_dir_all(root.join("outside")).unwrap();
    fs::write(root.join("outside/victim"), "x").unwrap();
    fs::write(root.join("outside/victim.json"), "{\"enabled\":true}").unwrap();
    let outside_before = fingerprint(&root.join("outside"));
    let inv = inventory(&case.dir().join("inventory.json"));
    let host = "peertube.example.com";
    let (plan, tree) = round_trip(&case, &|d| plan_prune(d, &inv, host).unwrap());
    insta::assert_snapshot!("prune_hostile_plan", plan);
    insta::assert_snapshot!("prune_hostile_tree", tree);
    assert_eq!(fingerprint(&root.join("outside")), outside_before);
    // The same entries given to rename-domain: nothing outside either.
    let (plan, _) = round_trip(&case, &|d| {
        plan_rename_domain(d, host, "peertube.example.org").unwrap()
    });
    assert!(!plan.contains("outside"), "{plan}");
    assert_eq!(fingerprint(&root.join("outside")), outside_before);
}

#[test]
fn sample_prune_and_rename() {
    let case = Case::new("sample");
    let inv = inventory(&fixtures().join("sample-inventory.json"));
    let (plan, _) = round_trip(&case, &|d| {
        plan_prune(d, &inv, "peertube.example.com").unwrap()
    });
    insta::assert_snapshot!("sample_prune_plan", plan);
    let case = Case::new("sample");
    let (plan, _) = round_trip(&case, &|d| {
        plan_rename_domain(d, "peertube.example.com", "video.example.net").unwrap()
    });
    insta::assert_snapshot!("sample_rename_domain_plan", plan);
}

#[test]
fn owner_and_mode_are_kept() {
    let case = Case::new("migrate/rename-domain-basic");
    let d = case.dir();
    let set = |rel: &str, uid: u32, gid: u32, mode: u32| {
        let p = d.join(rel);
        std::os::unix::fs::chown(&p, Some(uid), Some(gid)).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
    };
    let u1 = "11111111-1111-4111-8111-111111111111";
    set(&format!("videoInfos/local/{u1}.json"), 1234, 1234, 0o640);
    set(
        &format!("bot/room.{OLD}/rooms/{u1}.json"),
        1234,
        4321,
        0o600,
    );
    set(&format!("bot/room.{OLD}"), 1234, 1234, 0o750);
    set(&format!("bot/room.{OLD}/rooms"), 1234, 1234, 0o700);
    set(&format!("tokens/alice@{OLD}.json"), 1234, 1234, 0o600);
    let plan = plan_rename_domain(&d, OLD, NEW).unwrap();
    case.apply(&plan).unwrap();
    let check = |rel: &str, uid: u32, gid: u32, mode: u32| {
        let m = fs::symlink_metadata(d.join(rel)).unwrap();
        assert_eq!(
            (m.uid(), m.gid(), m.mode() & 0o7777),
            (uid, gid, mode),
            "{rel}"
        );
    };
    check(&format!("videoInfos/local/{u1}.json"), 1234, 1234, 0o640);
    check(
        &format!("bot/room.{NEW}/rooms/{u1}.json"),
        1234,
        4321,
        0o600,
    );
    check(&format!("bot/room.{NEW}"), 1234, 1234, 0o750);
    check(&format!("bot/room.{NEW}/rooms"), 1234, 1234, 0o700);
    check(&format!("tokens/alice@{NEW}.json"), 1234, 1234, 0o600);
    // Restore puts back the owners and modes too.
    case.restore();
    check(
        &format!("bot/room.{OLD}/rooms/{u1}.json"),
        1234,
        4321,
        0o600,
    );
    check(&format!("bot/room.{OLD}"), 1234, 1234, 0o750);
    assert!(!d.join(format!("bot/room.{NEW}")).exists());
}

#[test]
fn symbolic_links_are_never_followed() {
    let case = Case::new("migrate/rename-domain-basic");
    let d = case.dir();
    let root = fs::canonicalize(case.tmp.path()).unwrap();
    let out = root.join("outside");
    fs::create_dir_all(out.join("emojis")).unwrap();
    fs::write(
        out.join("info.json"),
        format!("{{\"jid\":\"x@room.{OLD}\"}}"),
    )
    .unwrap();
    fs::write(
        out.join("emojis/definition.json"),
        format!("{{\"customEmojis\":[{{\"sn\":\":a:\",\"url\":\"https://{OLD}/x.png\"}}]}}"),
    )
    .unwrap();
    fs::write(out.join("token.json"), "{\"userId\":1,\"tokens\":[]}").unwrap();
    let link = |target: &Path, rel: &str| std::os::unix::fs::symlink(target, d.join(rel)).unwrap();
    link(
        &out.join("info.json"),
        "videoInfos/local/55555555-5555-4555-8555-555555555555.json",
    );
    link(&out.join("emojis"), "emojis/channel/5");
    link(&out.join("token.json"), &format!("tokens/eve@{OLD}.json"));
    link(
        &out.join("info.json"),
        &format!("bot/room.{OLD}/rooms/66666666-6666-4666-8666-666666666666.json"),
    );
    link(&out, "channelConfigurationOptions/9.json");
    let outside_before = fingerprint(&out);
    let plan = plan_rename_domain(&d, OLD, NEW).unwrap();
    insta::assert_snapshot!("symlinks_rename_domain_plan", plan.to_human());
    case.apply(&plan).unwrap();
    assert_eq!(fingerprint(&out), outside_before);
    assert!(
        fs::symlink_metadata(d.join(format!("tokens/eve@{OLD}.json")))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // prune: the links to deleted things are left alone too.
    let inv: Inventory = serde_json::from_str(
        "{\"instance_host\":\"new.example.org\",\"channels\":[1],\"videos\":[]}",
    )
    .unwrap();
    let plan = plan_prune(&d, &inv, NEW).unwrap();
    assert!(
        plan.operations().all(|o| {
            let p = o.path().to_string();
            !p.contains("55555555") && !p.starts_with("emojis/channel/5") && !p.contains("9.json")
        }),
        "{}",
        plan.to_human()
    );
    let opts = ApplyOptions {
        backup_dir: Some(root.join("backup2")),
        force: false,
    };
    execute::apply(&d, &plan, &opts, &mut NoProgress, &mut |_, _| {}).unwrap();
    assert_eq!(fingerprint(&out), outside_before);
}

#[test]
fn read_only_file_is_a_clear_error_and_nothing_changes() {
    let case = Case::new("migrate/rename-domain-basic");
    let d = case.dir();
    fs::set_permissions(
        d.join(format!("tokens/bob@{OLD}.json")),
        fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    let before = fingerprint(&d);
    let plan = plan_rename_domain(&d, OLD, NEW).unwrap();
    let err = case.apply(&plan).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("tokens/bob@old.example.com.json"), "{msg}");
    assert!(format!("{err:?}").contains("read-only"), "{err:?}");
    assert_eq!(fingerprint(&d), before);
}

#[test]
fn running_prosody_blocks_apply_unless_forced() {
    let case = Case::new("migrate/rename-domain-basic");
    let d = case.dir();
    fs::write(
        d.join("prosody/prosody.pid"),
        format!("{}\n", std::process::id()),
    )
    .unwrap();
    let before = fingerprint(&d);
    let plan = plan_rename_domain(&d, OLD, NEW).unwrap();
    let err = case.apply(&plan).unwrap_err();
    assert!(
        matches!(err, livechat_migrate::MigrateError::ProsodyRunning { .. }),
        "{err}"
    );
    assert_eq!(fingerprint(&d), before);
    let opts = ApplyOptions {
        backup_dir: Some(case.backup()),
        force: true,
    };
    execute::apply(&d, &plan, &opts, &mut NoProgress, &mut |_, _| {}).unwrap();
    // A stale pid file (no such process) does not block.
    let case = Case::new("migrate/rename-domain-basic");
    fs::write(case.dir().join("prosody/prosody.pid"), "999999999\n").unwrap();
    let plan = plan_rename_domain(&case.dir(), OLD, NEW).unwrap();
    case.apply(&plan).unwrap();
}

#[test]
fn unfinished_journal_is_resumed() {
    // A run whose journal stops at its commit point (simulated: the journal of a
    // finished run is cut after its `manifest` line) is finished by applying the same
    // command again: every step is recognised as done, by identity, and the bytes
    // are those of an uninterrupted run.
    let reference = Case::new("migrate/rename-domain-merge");
    let plan = plan_rename_domain(&reference.dir(), OLD, NEW).unwrap();
    reference.apply(&plan).unwrap();
    let case = Case::new("migrate/rename-domain-merge");
    let plan = plan_rename_domain(&case.dir(), OLD, NEW).unwrap();
    let first = case.apply(&plan).unwrap();
    let journal = case.backup().join("journal");
    let text = fs::read_to_string(&journal).unwrap();
    let cut: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    assert!(cut.contains("\nmanifest "), "{cut}");
    fs::write(&journal, &cut).unwrap();
    let report = case
        .apply(&livechat_migrate::Plan::new(plan.command.clone()))
        .unwrap();
    assert!(report.resumed);
    assert_eq!(report.steps, first.steps);
    assert_eq!(
        report.already_done, report.steps,
        "every step was done already"
    );
    assert_eq!(tree(&case.dir()), tree(&reference.dir()));
    // Another command while one is unfinished is refused.
    fs::write(&journal, &cut).unwrap();
    let other = plan_rename_domain(&case.dir(), NEW, "third.example.net").unwrap();
    let err = case.apply(&other).unwrap_err();
    assert!(
        matches!(err, livechat_migrate::MigrateError::Unfinished { .. }),
        "{err}"
    );
    // The restore of the resumed run gives the original back.
    case.restore();
    assert_eq!(
        fingerprint(&case.dir()),
        fingerprint(&Case::new("migrate/rename-domain-merge").dir())
    );
}

/// PeerTube's tables, as its Sequelize models define the columns we read.
const PEERTUBE_TABLES: &str = r#"
CREATE TABLE "videoChannel" (id serial PRIMARY KEY, name varchar(255) NOT NULL, "actorId" integer);
CREATE TABLE "video" (id serial PRIMARY KEY, uuid uuid NOT NULL, name varchar(255) NOT NULL,
  "channelId" integer NOT NULL REFERENCES "videoChannel"(id) ON DELETE CASCADE,
  remote boolean NOT NULL DEFAULT false, "isLive" boolean NOT NULL DEFAULT false);
"#;

#[test]
fn prune_from_postgresql() {
    let url = "postgres://postgres@127.0.0.1:5432/test";
    let mut client =
        postgres::Client::connect(url, postgres::NoTls).expect("PostgreSQL at 127.0.0.1:5432");
    let schema = format!(
        "lcmig_{}_{}",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond() % 1_000_000_000
    );
    client
        .batch_execute(&format!(
            "CREATE SCHEMA {schema}; SET search_path TO {schema};"
        ))
        .unwrap();
    client.batch_execute(PEERTUBE_TABLES).unwrap();
    // The sample's inventory, as rows.
    let inv = inventory(&fixtures().join("sample-inventory.json"));
    for c in &inv.channels.0 {
        client
            .execute(
                r#"INSERT INTO "videoChannel"(id, name) VALUES ($1, 'c')"#,
                &[&(c.0 as i32)],
            )
            .unwrap();
    }
    for v in &inv.videos {
        client
            .execute(
                r#"INSERT INTO "video"(uuid, name, "channelId", remote) VALUES ($1::text::uuid, 'v', $2, $3)"#,
                &[&v.uuid.0, &(v.channel_id.0 as i32), &v.remote],
            )
            .unwrap();
    }
    let result = std::panic::catch_unwind(|| {
        let from_db = livechat_migrate::inventory::inventory_from_db(
            url,
            "peertube.example.com",
            Some(&schema),
        )
        .unwrap();
        let mut a = from_db.clone();
        let mut b = inv.clone();
        a.videos.sort_by(|x, y| x.uuid.0.cmp(&y.uuid.0));
        b.videos.sort_by(|x, y| x.uuid.0.cmp(&y.uuid.0));
        assert_eq!(a, b);
        let case = Case::new("sample");
        let from_file = plan_prune(&case.dir(), &inv, "peertube.example.com").unwrap();
        let from_db = plan_prune(&case.dir(), &from_db, "peertube.example.com").unwrap();
        assert_eq!(from_file.to_human(), from_db.to_human());
        assert!(!from_db.is_empty());
    });
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

/// A small tmpfs, unmounted when dropped.
struct SmallFs {
    path: PathBuf,
}

impl SmallFs {
    fn mount(size: &str) -> SmallFs {
        let dir = tempfile::tempdir().unwrap().keep();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mounting a tmpfs needs root (the tests run as root)");
        SmallFs { path: dir }
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(&self.path)
            .status();
        let _ = fs::remove_dir(&self.path);
    }
}

#[test]
fn full_disk_is_a_clear_error_then_resumable() {
    let reference = Case::new("migrate/rename-domain-basic");
    let plan = plan_rename_domain(&reference.dir(), OLD, NEW).unwrap();
    reference.apply(&plan).unwrap();
    let expected = tree(&reference.dir());

    let small = SmallFs::mount("1m");
    let dir = small.path.join("data");
    copy_tree(&fixtures().join("migrate/rename-domain-basic"), &dir);
    let original = tree(&dir);
    // Fill the file system to the last byte.
    {
        use std::io::Write;
        let mut f = fs::File::create(small.path.join("filler")).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
    }
    let backup = tempfile::tempdir().unwrap();
    let opts = ApplyOptions {
        backup_dir: Some(backup.path().join("b")),
        force: false,
    };
    let plan = plan_rename_domain(&dir, OLD, NEW).unwrap();
    let err = execute::apply(&dir, &plan, &opts, &mut NoProgress, &mut |_, _| {}).unwrap_err();
    let shown = format!("{err}: {:?}", err);
    assert!(shown.contains("No space left on device"), "{shown}");
    assert!(
        matches!(err, livechat_migrate::MigrateError::Write { .. }),
        "{shown}"
    );
    // Nothing half-done: every file is either its old or its new self, and no
    // temporary file is left.
    let now = tree(&dir);
    assert!(!now.contains(".livechat-tmp"), "{now}");
    let entries = |t: &str| -> Vec<String> {
        t.split('\n')
            .filter(|l| !l.starts_with("  ") && !l.ends_with('/') && !l.contains("/ "))
            .map(str::to_owned)
            .collect()
    };
    let contents = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("  "))
            .map(str::to_owned)
            .collect()
    };
    for line in contents(&now) {
        assert!(
            contents(&original).contains(&line) || contents(&expected).contains(&line),
            "a file is neither old nor new: {line}"
        );
    }
    assert_eq!(
        entries(&now).len(),
        entries(&original).len(),
        "a file was lost"
    );
    // Free the space: the same command (planned again, as the CLI does for a run
    // stopped before its commit point) finishes the job.
    fs::remove_file(small.path.join("filler")).unwrap();
    let plan = plan_rename_domain(&dir, OLD, NEW).unwrap();
    let report = execute::apply(&dir, &plan, &opts, &mut NoProgress, &mut |_, _| {}).unwrap();
    assert!(report.resumed);
    assert_eq!(tree(&dir), expected);
}

#[test]
fn peertube_config_gives_host_and_database() {
    let c = livechat_migrate::inventory::read_peertube_config(
        &fixtures().join("peertube/production.yaml"),
    )
    .unwrap();
    assert_eq!(c.host, "peertube.example.com");
    assert_eq!(c.scheme, "https");
    assert_eq!(c.port, None);
    // database.name is unset: the name is `peertube` + suffix.
    assert_eq!(
        c.database_url,
        "postgres://peertube:fixture-db-password-9e8d7c@127.0.0.1:5432/peertube_prod"
    );
    // A config that names the database, with characters to escape in the password.
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("production.yaml");
    fs::write(&p, "webserver:\n  https: false\n  hostname: 'tube.example.net'\n  port: 9000\ndatabase:\n  hostname: 'db'\n  port: 5433\n  name: 'pt'\n  suffix: '_x'\n  username: 'u'\n  password: 'p@ss/w:rd'\n").unwrap();
    let c = livechat_migrate::inventory::read_peertube_config(&p).unwrap();
    assert_eq!(
        (c.host.as_str(), c.scheme.as_str(), c.port),
        ("tube.example.net", "http", Some(9000))
    );
    assert_eq!(c.database_url, "postgres://u:p%40ss%2Fw%3Ard@db:5433/pt");
}

#[test]
fn merged_room_channel_keys_follow_javascript_order() {
    let case = Case::new("migrate/rename-domain-collision");
    let d = case.dir();
    fs::remove_file(d.join(format!("tokens/alice@{NEW}.json"))).unwrap();
    fs::write(
        d.join(format!("room-channel/room.{OLD}.json")),
        r#"{"10":["a"],"2":["b"]}"#,
    )
    .unwrap();
    fs::write(
        d.join(format!("room-channel/room.{NEW}.json")),
        r#"{"3":["c"],"10":["d"]}"#,
    )
    .unwrap();
    let plan = plan_rename_domain(&d, OLD, NEW).unwrap();
    case.apply(&plan).unwrap();
    assert_eq!(
        fs::read_to_string(d.join(format!("room-channel/room.{NEW}.json"))).unwrap(),
        r#"{"2":["b"],"3":["c"],"10":["d","a"]}"#
    );
}

/// The manifest's step lines as JSON values.
fn manifest_steps(backup: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(backup.join("manifest.jsonl"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v.get("step").is_some())
        .collect()
}

#[test]
fn backups_are_links_where_the_inode_leaves_dir_and_copies_where_it_stays() {
    let case = Case::new("migrate/rename-domain-basic");
    let d = case.dir();
    let before = fingerprint(&d);
    let plan = plan_rename_domain(&d, OLD, NEW).unwrap();
    case.apply(&plan).unwrap();
    let steps = manifest_steps(&case.backup());
    let mut seen = (0, 0);
    for s in &steps {
        let Some(orig) = s.get("original") else {
            continue;
        };
        let path = s["path"].as_str().unwrap();
        let copy = case.backup().join("files").join(path);
        let ino = fs::metadata(&copy).unwrap().ino();
        match s["step"].as_str().unwrap() {
            // Renamed unchanged: the inode stays in DIR, where the plugin writes in
            // place, so the backup is a copy of its own.
            "rename" => {
                assert_eq!(orig["link"], false, "{s}");
                assert_ne!(ino, orig["ino"].as_u64().unwrap(), "{path}");
                seen.0 += 1;
            }
            // Rewritten or deleted: the inode leaves DIR, the backup is that inode.
            _ => {
                assert_eq!(orig["link"], true, "{s}");
                assert_eq!(ino, orig["ino"].as_u64().unwrap(), "{path}");
                seen.1 += 1;
            }
        }
    }
    assert!(seen.0 > 0 && seen.1 > 0, "{seen:?}");
    // PeerTube writes a moved file in place (truncate and write), then the admin
    // restores: the original bytes come back all the same.
    let moved = d.join(format!("tokens/alice@{NEW}.json"));
    fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&moved)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"changed\":true}"))
        .unwrap();
    case.restore();
    assert_eq!(fingerprint(&d), before);
}

#[test]
fn backup_on_another_file_system_is_made_of_copies() {
    let small = SmallFs::mount("16m");
    let case = Case::new("migrate/rename-domain-merge");
    let d = case.dir();
    let before = fingerprint(&d);
    let backup = small.path.join("b");
    let opts = ApplyOptions {
        backup_dir: Some(backup.clone()),
        force: false,
    };
    let plan = plan_rename_domain(&d, OLD, NEW).unwrap();
    execute::apply(&d, &plan, &opts, &mut NoProgress, &mut |_, _| {}).unwrap();
    let steps = manifest_steps(&backup);
    assert!(steps.iter().any(|s| s.get("original").is_some()));
    for s in &steps {
        for key in ["original", "target_original"] {
            if let Some(r) = s.get(key) {
                assert_eq!(r["link"], false, "{s}");
            }
        }
    }
    execute::restore(&backup, None, &mut NoProgress).unwrap();
    assert_eq!(fingerprint(&d), before);
}

#[test]
fn a_plan_costs_the_same_per_operation_at_any_size() {
    // A regression guard without timings: the bytes a plan holds per operation do
    // not grow with the number of operations (no per-operation content, reasons
    // and folders shared, one name arena).
    use livechat_migrate::transforms::{Hosts, shared};
    use livechat_migrate::{OpKind, Operation};
    let t = shared(Hosts {
        from: OLD.into(),
        to: NEW.into(),
    });
    let per_op = |n: usize| {
        let mut plan = Plan::new(livechat_migrate::Command::RenameDomain {
            from: OLD.into(),
            to: NEW.into(),
        });
        for i in 0..n {
            let name = format!("{i:08x}-0000-4000-8000-{i:012x}.json");
            plan.push(
                Operation::new(
                    OpKind::Rename,
                    format!("bot/room.{OLD}/rooms/{name}"),
                    "bot file moves to the new MUC domain",
                )
                .to(format!("bot/room.{NEW}/rooms/{name}"))
                .transform(&t)
                .size(300),
            );
        }
        assert_eq!(plan.len(), n);
        assert_eq!(plan.summary().bytes, 300 * n as u64);
        plan.heap_bytes() as f64 / n as f64
    };
    let small = per_op(2_000);
    let large = per_op(64_000);
    // A 41-byte name stored once (shared by `path` and `to`), the folders and the
    // reason interned, one shared transform: about 100 bytes per operation.
    assert!(large < 128.0, "{large} bytes per operation");
    assert!(
        large <= small * 1.1,
        "{small} -> {large} bytes per operation"
    );
}
