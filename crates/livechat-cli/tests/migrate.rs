//! `livechat-data migrate ...` and `livechat-data inventory`, through the real binary:
//! dry runs change nothing, a migration killed at many points converges to the
//! uninterrupted result when run again, restore undoes it, and prune and inventory
//! read a real PostgreSQL server.

#![allow(
    clippy::unwrap_used,
    reason = "tests fail loudly on any unexpected error"
)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const OLD: &str = "old.example.com";
const NEW: &str = "new.example.org";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bin(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_livechat-data"));
    cmd.args(args).current_dir(cwd).env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "status: {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
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

/// Every entry: mode, owner and content.
fn fingerprint(dir: &Path) -> BTreeMap<String, (u32, u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (u32, u32, Vec<u8>)>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let m = fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                out.insert(format!("{rel}/"), (m.mode(), m.uid(), Vec::new()));
                walk(root, &p, out);
            } else {
                out.insert(rel, (m.mode(), m.uid(), fs::read(&p).unwrap()));
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(
        &repo().join("fixtures/migrate/rename-domain-basic"),
        &tmp.path().join("data"),
    );
    let before = fingerprint(&tmp.path().join("data"));
    let human = bin(
        tmp.path(),
        &[
            "migrate",
            "rename-domain",
            "--from",
            OLD,
            "--to",
            NEW,
            "data",
        ],
        &[],
    );
    let json = bin(
        tmp.path(),
        &[
            "migrate",
            "rename-domain",
            "--from",
            OLD,
            "--to",
            NEW,
            "data",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(human.status.code(), Some(0));
    assert_eq!(json.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["applied"], false);
    assert_eq!(v["operations"][0]["op"], "rename");
    assert_eq!(fingerprint(&tmp.path().join("data")), before);
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "no backup for a dry run"
    );
    insta::assert_snapshot!("cli_rename_domain_dry_run", text(&human));
}

#[test]
fn apply_then_restore_with_the_default_backup_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    copy_tree(&repo().join("fixtures/migrate/rename-domain-basic"), &data);
    let before = fingerprint(&data);
    let out = bin(
        tmp.path(),
        &[
            "migrate",
            "rename-domain",
            "--from",
            OLD,
            "--to",
            NEW,
            "data",
            "--apply",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["applied"], true);
    assert_eq!(v["validation"]["errors"], 0, "{}", text(&out));
    let backup = PathBuf::from(v["backup"].as_str().unwrap());
    let name = backup.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("data.livechat-backup-"), "{name}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("backup: {}", backup.display()))
    );
    // A second run plans nothing.
    let again = bin(
        tmp.path(),
        &[
            "migrate",
            "rename-domain",
            "--from",
            OLD,
            "--to",
            NEW,
            "data",
            "--apply",
            "--format",
            "json",
        ],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        v["operations"].as_array().unwrap().len(),
        0,
        "{}",
        text(&again)
    );
    let out = bin(
        tmp.path(),
        &["migrate", "restore", backup.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(fingerprint(&data), before);
}

/// A data dir with a few thousand files for `old.example.com`.
fn generate(dir: &Path, n: usize) {
    let uuid = |i: usize| format!("{i:08x}-0000-4000-8000-{i:012x}");
    let mut rooms = Vec::new();
    for i in 0..n {
        let u = uuid(i);
        let put = |rel: String, content: String| {
            let p = dir.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, content).unwrap();
        };
        put(
            format!("videoInfos/local/{u}.json"),
            format!(
                "{{\"type\":\"xmpp\",\"jid\":\"{u}@room.{OLD}\",\"links\":[],\"xmppserver\":{{\"host\":\"{OLD}\",\"muc\":\"room.{OLD}\",\"external\":\"external.{OLD}\"}}}}"
            ),
        );
        if i % 2 == 0 {
            put(
                format!("bot/room.{OLD}/rooms/{u}.json"),
                format!(
                    "{{\"local\":\"{u}\",\"domain\":\"room.{OLD}\",\"enabled\":false,\"handlers\":[],\"nick\":\"Sepia\"}}"
                ),
            );
            rooms.push(format!("\"{u}\""));
        }
        if i % 3 == 0 {
            put(
                format!("tokens/user{i}@{OLD}.json"),
                format!("{{\"userId\":{},\"tokens\":[]}}", i + 1),
            );
        }
        if i % 5 == 0 {
            put(
                format!("serverInfos/host{i}.example.net/last-update"),
                "{\"timestamp\":1}".into(),
            );
        }
    }
    fs::write(
        dir.join(format!("room-channel/room.{OLD}.json"))
            .tap_mkdir(),
        format!("{{\"1\":[{}]}}", rooms.join(",")),
    )
    .unwrap();
    fs::write(
        dir.join(format!("bot/room.{OLD}/moderation.json")),
        format!("{{\"type\":\"client\",\"connection\":{{\"username\":\"moderator\",\"password\":\"fixture-secret\",\"domain\":\"bot.{OLD}\",\"service\":\"xmpp://localhost:52800\"}},\"name\":\"Sepia\",\"logger\":\"ConsoleLogger\",\"log_level\":\"info\"}}"),
    )
    .unwrap();
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}
impl TapMkdir for PathBuf {
    fn tap_mkdir(self) -> Self {
        fs::create_dir_all(self.parent().unwrap()).unwrap();
        self
    }
}

#[test]
fn killed_at_any_point_then_rerun_converges() {
    // Thousands of small files: in memory when the machine has a tmpfs.
    let shm = Path::new("/dev/shm");
    let tmp = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .unwrap();
    let original = tmp.path().join("original");
    generate(&original, 1400);
    let args = |data: &str, backup: &str| -> Vec<String> {
        [
            "migrate",
            "rename-domain",
            "--from",
            OLD,
            "--to",
            NEW,
            data,
            "--apply",
            "--backup-dir",
            backup,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    };
    let run = |data: &str, backup: &str, env: &[(&str, &str)]| {
        let a = args(data, backup);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        bin(tmp.path(), &a, env)
    };
    // The uninterrupted result.
    copy_tree(&original, &tmp.path().join("reference"));
    let out = run("reference", "reference.bak", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let reference = fingerprint(&tmp.path().join("reference"));
    // The manifest: a header line, then a line per step (each write step followed by
    // a `{"new":...}` line). The backup phase counts one action per step, and so
    // does the apply phase.
    let manifest = fs::read_to_string(tmp.path().join("reference.bak/manifest.jsonl")).unwrap();
    let steps = manifest
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("{\"step\""))
        .count();
    let copies = steps;
    let total = copies + steps;
    assert!(
        steps > 2 * 1024,
        "the steps must span several syncfs batches: {steps}"
    );
    // Crash points: at the start, in the backup, at the commit point, in the steps, at the end.
    let mut points: Vec<usize> = vec![
        1,
        2,
        copies - 1,
        copies,
        copies + 1,
        copies + 2,
        copies + 2048,
        copies + 2049,
        total - 1,
        total,
    ];
    points.extend((1..10).map(|i| i * total / 10));
    for (n, k) in points.iter().enumerate() {
        let data = format!("data{n}");
        let bak = format!("data{n}.bak");
        copy_tree(&original, &tmp.path().join(&data));
        let k = k.to_string();
        let out = run(&data, &bak, &[("LIVECHAT_DATA_CRASH_AFTER", &k)]);
        assert_eq!(
            out.status.code(),
            None,
            "crash point {k} did not kill the run: {}",
            text(&out)
        );
        // Crash once more while resuming, for half of the points.
        if n % 2 == 1 {
            let out = run(&data, &bak, &[("LIVECHAT_DATA_CRASH_AFTER", "7")]);
            assert!(
                out.status.code().is_none() || out.status.success(),
                "{}",
                text(&out)
            );
        }
        let out = run(&data, &bak, &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "resume after crash point {k}: {}",
            text(&out)
        );
        let got = fingerprint(&tmp.path().join(&data));
        assert!(
            got == reference,
            "crash point {k}: the result differs from an uninterrupted run"
        );
        // The restore of a crashed-and-resumed run gives the original back.
        if n == points.len() / 2 {
            let out = bin(tmp.path(), &["migrate", "restore", &bak], &[]);
            assert_eq!(out.status.code(), Some(0), "{}", text(&out));
            assert!(fingerprint(&tmp.path().join(&data)) == fingerprint(&original));
        }
        fs::remove_dir_all(tmp.path().join(&data)).unwrap();
        fs::remove_dir_all(tmp.path().join(&bak)).unwrap();
    }
}

#[test]
fn restore_after_a_crash_gives_the_original_back() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    copy_tree(&repo().join("fixtures/sample"), &data);
    let before = fingerprint(&data);
    let out = bin(
        tmp.path(),
        &[
            "migrate",
            "prune",
            "data",
            "--inventory",
            "../inv.json",
            "--apply",
            "--backup-dir",
            "bak",
        ],
        &[],
    );
    // The inventory path is wrong on purpose: nothing may happen.
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(fingerprint(&data), before);
    let inv = repo().join("fixtures/sample-inventory.json");
    let out = bin(
        tmp.path(),
        &[
            "migrate",
            "prune",
            "data",
            "--inventory",
            inv.to_str().unwrap(),
            "--apply",
            "--backup-dir",
            "bak",
        ],
        &[("LIVECHAT_DATA_CRASH_AFTER", "4")],
    );
    assert_eq!(out.status.code(), None, "{}", text(&out));
    assert!(fingerprint(&data) != before);
    let out = bin(tmp.path(), &["migrate", "restore", "bak"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(fingerprint(&data) == before);
}

const PEERTUBE_TABLES: &str = r#"
CREATE TABLE "videoChannel" (id serial PRIMARY KEY, name varchar(255) NOT NULL);
CREATE TABLE "video" (id serial PRIMARY KEY, uuid uuid NOT NULL, name varchar(255) NOT NULL,
  "channelId" integer NOT NULL REFERENCES "videoChannel"(id) ON DELETE CASCADE,
  remote boolean NOT NULL DEFAULT false, "isLive" boolean NOT NULL DEFAULT false);
"#;

#[test]
fn prune_and_inventory_from_postgresql() {
    let url = "postgres://postgres@127.0.0.1:5432/test";
    let mut client =
        postgres::Client::connect(url, postgres::NoTls).expect("PostgreSQL at 127.0.0.1:5432");
    let schema = format!("lccli_{}", std::process::id());
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema};"))
        .unwrap();
    client.batch_execute(PEERTUBE_TABLES).unwrap();
    let inv: serde_json::Value =
        serde_json::from_slice(&fs::read(repo().join("fixtures/sample-inventory.json")).unwrap())
            .unwrap();
    for c in inv["channels"].as_array().unwrap() {
        client
            .execute(
                r#"INSERT INTO "videoChannel"(id, name) VALUES ($1, 'c')"#,
                &[&(c.as_i64().unwrap() as i32)],
            )
            .unwrap();
    }
    for v in inv["videos"].as_array().unwrap() {
        client
            .execute(
                r#"INSERT INTO "video"(uuid, name, "channelId", remote) VALUES ($1::text::uuid, 'v', $2, $3)"#,
                &[&v["uuid"].as_str().unwrap(), &(v["channel_id"].as_i64().unwrap() as i32), &v["remote"].as_bool().unwrap()],
            )
            .unwrap();
    }
    let result = std::panic::catch_unwind(|| {
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&repo().join("fixtures/sample"), &tmp.path().join("data"));
        let out = bin(
            tmp.path(),
            &[
                "inventory",
                "--peertube-db",
                url,
                "--instance-url",
                "https://peertube.example.com",
                "--db-schema",
                &schema,
                "-o",
                "inv.json",
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let got: serde_json::Value =
            serde_json::from_slice(&fs::read(tmp.path().join("inv.json")).unwrap()).unwrap();
        assert_eq!(got["channels"], inv["channels"]);
        assert_eq!(
            got["videos"].as_array().unwrap().len(),
            inv["videos"].as_array().unwrap().len()
        );
        let out = bin(
            tmp.path(),
            &[
                "migrate",
                "prune",
                "data",
                "--peertube-db",
                url,
                "--instance-url",
                "https://peertube.example.com",
                "--db-schema",
                &schema,
                "--apply",
                "--backup-dir",
                "bak",
                "--format",
                "json",
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let ops: Vec<String> = v["operations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| format!("{} {}", o["op"], o["path"]))
            .collect();
        insta::assert_debug_snapshot!("cli_prune_from_postgresql", ops);
        assert!(
            !tmp.path()
                .join("data/channelConfigurationOptions/7.json")
                .exists()
        );
        assert!(
            tmp.path()
                .join("data/channelConfigurationOptions/5.json")
                .exists()
        );
        // A wrong database says so without echoing the URL's password.
        let out = bin(
            tmp.path(),
            &[
                "inventory",
                "--peertube-db",
                "postgres://postgres:hunter2-secret@127.0.0.1:5432/no_such_db_lc",
                "--instance-url",
                "https://peertube.example.com",
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(!text(&out).contains("hunter2-secret"), "{}", text(&out));
    });
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn a_crashed_run_is_found_next_to_dir_and_finished() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    copy_tree(&repo().join("fixtures/migrate/rename-domain-basic"), &data);
    let args = [
        "migrate",
        "rename-domain",
        "--from",
        OLD,
        "--to",
        NEW,
        "data",
        "--apply",
    ];
    // Past the commit point: Prosody's files make the backup phase longer.
    let out = bin(tmp.path(), &args, &[("LIVECHAT_DATA_CRASH_AFTER", "30")]);
    assert_eq!(out.status.code(), None, "{}", text(&out));
    // Another migration is refused while this one is unfinished.
    let other = bin(
        tmp.path(),
        &[
            "migrate",
            "rename-domain",
            "--from",
            NEW,
            "--to",
            "third.example.net",
            "data",
            "--apply",
        ],
        &[],
    );
    assert_eq!(other.status.code(), Some(2));
    assert!(text(&other).contains("unfinished"), "{}", text(&other));
    // A dry run says so.
    let dry = bin(tmp.path(), &args[..7], &[]);
    assert!(
        text(&dry).contains("an unfinished migration is journaled in"),
        "{}",
        text(&dry)
    );
    let out = bin(tmp.path(), &args, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("resuming the unfinished migration"),
        "{}",
        text(&out)
    );
    let backups: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("data.livechat-backup-"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(data.join(format!("tokens/alice@{NEW}.json")).is_file());
    assert!(!data.join(format!("bot/room.{OLD}")).exists());
}

/// Prosody's data (a tree a real Prosody wrote) under crashes at every durable action
/// of a rename and of a prune: each run, resumed, gives the uninterrupted result, and
/// restore gives the original back.
#[test]
fn prosody_data_killed_at_every_point_then_rerun_converges() {
    let tmp = tempfile::tempdir().unwrap();
    let original = tmp.path().join("original");
    copy_tree(&repo().join("fixtures/prosody/dir"), &original);
    let inv = repo().join("fixtures/prosody/inventory.json");
    let inv = inv.to_str().unwrap();
    let commands: [&[&str]; 2] = [
        &[
            "migrate",
            "rename-domain",
            "--from",
            "old.example",
            "--to",
            "chat.new.example",
        ],
        &["migrate", "prune", "--inventory", inv],
    ];
    for command in commands {
        let run = |data: &str, env: &[(&str, &str)]| {
            let bak = format!("{data}.bak");
            let mut a: Vec<&str> = command.to_vec();
            a.extend([data, "--apply", "--backup-dir", &bak]);
            bin(tmp.path(), &a, env)
        };
        copy_tree(&original, &tmp.path().join("reference"));
        let out = run("reference", &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let reference = fingerprint(&tmp.path().join("reference"));
        assert!(
            reference != fingerprint(&original),
            "{command:?} changed nothing"
        );
        // One action per step in the backup phase, one in the apply phase (see
        // `killed_at_any_point_then_rerun_converges`).
        let manifest = fs::read_to_string(tmp.path().join("reference.bak/manifest.jsonl")).unwrap();
        let steps = manifest
            .lines()
            .skip(1)
            .filter(|l| l.starts_with("{\"step\""))
            .count();
        let total = 2 * steps;
        for k in 1..=total {
            let data = format!("data{k}");
            copy_tree(&original, &tmp.path().join(&data));
            let out = run(&data, &[("LIVECHAT_DATA_CRASH_AFTER", &k.to_string())]);
            assert_eq!(
                out.status.code(),
                None,
                "{command:?} crash point {k}: {}",
                text(&out)
            );
            let out = run(&data, &[]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{command:?} resume after {k}: {}",
                text(&out)
            );
            assert!(
                fingerprint(&tmp.path().join(&data)) == reference,
                "{command:?} crash point {k}: the result differs from an uninterrupted run"
            );
            if k == total / 2 {
                let out = bin(
                    tmp.path(),
                    &["migrate", "restore", &format!("{data}.bak")],
                    &[],
                );
                assert_eq!(out.status.code(), Some(0), "{}", text(&out));
                assert!(fingerprint(&tmp.path().join(&data)) == fingerprint(&original));
            }
            fs::remove_dir_all(tmp.path().join(&data)).unwrap();
            fs::remove_dir_all(tmp.path().join(format!("{data}.bak"))).unwrap();
        }
        fs::remove_dir_all(tmp.path().join("reference")).unwrap();
        fs::remove_dir_all(tmp.path().join("reference.bak")).unwrap();
    }
}

/// Every `livechat-data` command of the domain-change runbook runs, in its order, on a
/// copy of the sample (whose host is the runbook's `peertube.example.com`), with the
/// production paths replaced by the copy's.
#[test]
fn the_domain_change_runbook_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("peertube-plugin-livechat");
    copy_tree(&repo().join("fixtures/sample"), &data);
    let before = fingerprint(&data);
    let runbook = fs::read_to_string(repo().join("docs/runbook-domain-change.md")).unwrap();
    // Commands, with their `\` continuations joined.
    let joined = runbook.replace("\\\n", " ");
    let commands: Vec<&str> = joined
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("livechat-data "))
        .collect();
    assert_eq!(commands.len(), 4, "{commands:?}");
    let prod = "/var/www/peertube/storage/plugins/data/peertube-plugin-livechat";
    for command in commands {
        let mut line = command.replace(prod, "peertube-plugin-livechat");
        if line.contains("<time>") {
            let backup = fs::read_dir(tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .find(|n| n.starts_with("peertube-plugin-livechat.livechat-backup-"))
                .unwrap();
            line = line.replace("peertube-plugin-livechat.livechat-backup-<time>", &backup);
        }
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        let out = bin(tmp.path(), &args, &[]);
        assert_eq!(out.status.code(), Some(0), "{line}: {}", text(&out));
    }
    // The last command restored the original.
    assert!(fingerprint(&data) == before);
}
