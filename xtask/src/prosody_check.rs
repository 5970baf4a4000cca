//! `cargo xtask prosody-check`: both migrations proven on the data of a real Prosody.
//!
//! It installs Debian's `prosody` (0.12) when missing and slixmpp (pinned in
//! `xtask/python/requirements.txt`), then, in `target/xtask/prosody-check/`:
//! 1. runs Prosody on 127.0.0.1 with a configuration mirroring the storage-relevant
//!    parts of what the plugin v14.0.4 generates (internal storage in
//!    `<DIR>/prosody/data`, hosts `D`, `anon.D`, `external.D`, `bot.D`, the MUC
//!    component `room.D` with `muc_mam` logging messages and presences, persistent
//!    rooms), and lets `prosody_check.py populate` create rooms, settings,
//!    affiliations and messages (and destroy one room through Prosody);
//! 2. observes every room through XMPP, stops Prosody (by its pid);
//! 3. `migrate rename-domain --apply`, checks nothing is left under the old hosts,
//!    `migrate restore`, checks the tree is byte-identical, and that Prosody under
//!    the old domain sees the same rooms;
//! 4. `migrate rename-domain --apply` again, starts Prosody for the new domain and
//!    checks every room, setting, affiliation and archived message (ids, stamps,
//!    bodies, order) is there under the new hosts, and that every user logs in;
//! 5. `migrate prune --apply` with an inventory where a video and a channel are gone,
//!    checks their rooms left exactly what Prosody's own destroy left of the
//!    destroyed room, and that every other room is intact.
//!
//! `--fixture` also copies the data directory of step 2 to `fixtures/prosody/dir/`.
//! Prosody is only ever started by this task, on loopback, and stopped by its pid.

use std::collections::BTreeSet;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use crate::codegen::root;
use crate::tools::{self, output_ok, run_ok, which};

const OLD: &str = "old.example";
const NEW: &str = "chat.new.example";
const PASSWORD: &str = "correct horse battery staple";
/// Rooms of `prosody_check.py`.
const GONE_VIDEO: &str = "0b8e0f7c-2f6e-4d5b-9c3e-8a1b2c3d4e5f";
const KEPT_VIDEO: &str = "8df24108-6e70-4fc8-b1cc-f2db7fcdd535";
const GONE_CHANNEL: &str = "channel.2";
const DESTROYED: &str = "3f1b7a52-9d0e-4c1a-8e2f-6b5c4d3e2f1a";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also write the data directory Prosody produced to `fixtures/prosody/dir/`.
    #[arg(long)]
    fixture: bool,
}

/// Makes sure `prosody` and `prosodyctl` are installed (Debian's package).
fn install_prosody() -> Result<()> {
    if which("prosody").is_some() && which("prosodyctl").is_some() {
        return Ok(());
    }
    let apt =
        which("apt-get").context("prosody is missing and there is no apt-get to install it")?;
    eprintln!("xtask: installing Debian's prosody");
    // The package must not start a system-wide Prosody: a policy-rc.d that says no
    // (unless one is there already, which is then left as it is).
    let policy = Path::new("/usr/sbin/policy-rc.d");
    let ours = !policy.exists();
    if ours {
        fs::write(policy, "#!/bin/sh\nexit 101\n")?;
        run_ok(Command::new("chmod").args(["+x"]).arg(policy))?;
    }
    let result = run_ok(Command::new(&apt).arg("update").arg("-qq")).and_then(|()| {
        run_ok(
            Command::new(&apt)
                .args(["install", "-y", "-qq", "prosody"])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
    });
    if ours {
        let _ = fs::remove_file(policy);
    }
    result
}

/// A free TCP port on 127.0.0.1.
fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

struct Env {
    work: PathBuf,
    dir: PathBuf,
    port: u16,
    python: PathBuf,
    script: PathBuf,
    bin: PathBuf,
}

impl Env {
    fn config(&self, domain: &str) -> Result<PathBuf> {
        let certs = self.work.join("certs");
        fs::create_dir_all(&certs)?;
        let path = self.work.join(format!("prosody-{domain}.cfg.lua"));
        let w = self.work.display();
        let d = self.dir.display();
        // The storage-relevant parts of the plugin's generated configuration
        // (server/lib/prosody/config/content.ts); c2s on loopback replaces its
        // BOSH/WebSocket, internal_hashed accounts replace its HTTP auth.
        fs::write(
            &path,
            format!(
                r#"daemonize = false
run_as_root = true
pidfile = "{d}/prosody/prosody.pid"
data_path = "{d}/prosody/data"
storage = "internal"
certificates = "{w}/certs"
log = {{ info = "{w}/prosody.log"; error = "{w}/prosody.err" }}
modules_enabled = {{ "roster"; "saslauth"; "disco"; "ping" }}
modules_disabled = {{ "s2s" }}
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {port} }}
c2s_direct_tls_ports = {{}}
s2s_ports = {{}}
http_ports = {{}}
https_ports = {{}}
component_ports = {{}}
c2s_require_encryption = false
VirtualHost "{domain}"
  authentication = "internal_hashed"
VirtualHost "anon.{domain}"
  authentication = "anonymous"
VirtualHost "bot.{domain}"
  authentication = "internal_hashed"
VirtualHost "external.{domain}"
  authentication = "internal_hashed"
  modules_enabled = {{ "vcard" }}
Component "room.{domain}" "muc"
  modules_enabled = {{ "muc_mam" }}
  muc_room_locking = false
  muc_tombstones = false
  muc_room_default_language = "en"
  muc_room_default_public = false
  muc_room_default_persistent = true
  muc_room_default_public_jids = false
  muc_room_default_history_length = 20
  muc_log_by_default = true
  muc_log_presences = true
  muc_log_expires_after = "1w"
"#,
                port = self.port,
            ),
        )?;
        Ok(path)
    }

    fn start(&self, domain: &str) -> Result<Child> {
        let config = self.config(domain)?;
        let child = Command::new("prosody")
            .arg("--config")
            .arg(&config)
            .arg("-F")
            .stdout(fs::File::create(self.work.join("prosody.out"))?)
            .stderr(fs::File::create(self.work.join("prosody.stderr"))?)
            .spawn()
            .context("starting prosody")?;
        let t0 = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            ensure!(
                t0.elapsed() < Duration::from_secs(30),
                "prosody does not listen on 127.0.0.1:{} (see {})",
                self.port,
                self.work.join("prosody.err").display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(child)
    }

    /// Stops the Prosody this task started: SIGTERM to its pid, so that it saves
    /// its rooms' state as it does at shutdown.
    fn stop(&self, mut child: Child) -> Result<()> {
        run_ok(
            Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string()),
        )?;
        let t0 = Instant::now();
        loop {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            if t0.elapsed() > Duration::from_secs(20) {
                child.kill()?;
                child.wait()?;
                bail!("prosody did not stop within 20 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn py(&self, args: &[&str]) -> Result<()> {
        run_ok(Command::new(&self.python).arg(&self.script).args(args))
    }

    /// Runs a step with Prosody for `domain` up, stopping it whatever happens.
    fn with_prosody(&self, domain: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
        let child = self.start(domain)?;
        let result = f();
        let stopped = self.stop(child);
        result.and(stopped)
    }

    fn observe(&self, domain: &str, out: &str) -> Result<()> {
        let port = self.port.to_string();
        let out = self.work.join(out);
        self.py(&[
            "observe",
            "--domain",
            domain,
            "--port",
            &port,
            "--out",
            &out.to_string_lossy(),
        ])
    }

    fn compare(&self, before: &str, after: &str, from: &str, to: &str, gone: &str) -> Result<()> {
        let b = self.work.join(before);
        let a = self.work.join(after);
        self.py(&[
            "compare",
            &b.to_string_lossy(),
            &a.to_string_lossy(),
            "--from",
            from,
            "--to",
            to,
            "--gone",
            gone,
        ])
    }

    fn livechat(&self, args: &[&str]) -> Result<String> {
        let out = output_ok(Command::new(&self.bin).args(args).arg(&self.dir))?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// A file or folder: relative path, mode, and content (files only).
type Entry = (String, u32, Option<Vec<u8>>);

/// Every file and folder below `dir`.
fn tree(dir: &Path) -> Result<Vec<Entry>> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d)? {
            let e = e?;
            let m = fs::symlink_metadata(e.path())?;
            let rel = e.path().strip_prefix(dir)?.to_string_lossy().into_owned();
            if m.is_dir() {
                stack.push(e.path());
                out.push((rel, m.permissions().mode(), None));
            } else {
                out.push((rel, m.permissions().mode(), Some(fs::read(e.path())?)));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn data(dir: &Path) -> PathBuf {
    dir.join("prosody/data")
}

/// Prosody's datamanager encoding of a host or user name.
fn enc(s: &str) -> String {
    livechat_prosody::encoding::encode(s.as_bytes())
}

/// What is left of a room in Prosody's data: files named after it, and the stores
/// whose files mention it.
fn residue(dir: &Path, room: &str) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for (rel, _, content) in tree(&data(dir))? {
        let Some(content) = content else { continue };
        let store = rel.split('/').nth(1).unwrap_or("").to_owned();
        if rel.contains(&enc(room)) {
            out.insert(format!("file {rel}"));
        } else if content.windows(room.len()).any(|w| w == room.as_bytes()) {
            out.insert(format!("mentioned in the store {store}"));
        }
    }
    Ok(out)
}

pub fn run(args: Args) -> Result<()> {
    install_prosody()?;
    let venv = tools::python_venv()?;
    let root = root();
    eprintln!("xtask: building livechat-data");
    run_ok(Command::new(env!("CARGO")).args(["build", "--quiet", "-p", "livechat-cli"]))?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or(root.join("target"), PathBuf::from);
    let work = tools::work_dir().join("prosody-check");
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    let dir = work.join("dir");
    fs::create_dir_all(data(&dir))?;
    let env = Env {
        work: work.clone(),
        dir: dir.clone(),
        port: free_port()?,
        python: venv.join("python"),
        script: root.join("xtask/python/prosody_check.py"),
        bin: target.join("debug/livechat-data"),
    };
    let t0 = Instant::now();

    // 1-2. A real Prosody writes its data under the old domain.
    let config = env.config(OLD)?;
    for (user, prefix) in [
        ("alice", ""),
        ("bob", ""),
        ("mallory", ""),
        ("carol", "external."),
        ("moderator", "bot."),
    ] {
        output_ok(
            Command::new("prosodyctl")
                .arg("--config")
                .arg(&config)
                .args(["register", user, &format!("{prefix}{OLD}"), PASSWORD]),
        )?;
    }
    let port = env.port.to_string();
    env.with_prosody(OLD, || {
        env.py(&["populate", "--domain", OLD, "--port", &port])?;
        env.observe(OLD, "before.json")
    })?;
    let destroyed = residue(&dir, DESTROYED)?;
    eprintln!("xtask: what Prosody's own destroy left of a room: {destroyed:?}");
    if args.fixture {
        let fixture = root.join("fixtures/prosody/dir");
        if fixture.exists() {
            fs::remove_dir_all(&fixture)?;
        }
        fs::create_dir_all(&fixture)?;
        run_ok(
            Command::new("cp")
                .arg("-a")
                .arg(dir.join("prosody"))
                .arg(&fixture),
        )?;
        // Git keeps no empty folder: drop them, so that a checkout is the same tree.
        run_ok(
            Command::new("find")
                .arg(&fixture)
                .args(["-type", "d", "-empty", "-delete"]),
        )?;
        eprintln!("xtask: wrote {}", fixture.display());
    }
    let original = tree(&dir)?;

    // 3. Rename, then restore: the same bytes, and Prosody under the old domain
    // sees it all again.
    let backup = work.join("backup-rename-1");
    env.livechat(&[
        "migrate",
        "rename-domain",
        "--from",
        OLD,
        "--to",
        NEW,
        "--apply",
        "--backup-dir",
        &backup.to_string_lossy(),
    ])?;
    for prefix in ["", "room.", "anon.", "external.", "bot."] {
        let old = data(&dir).join(enc(&format!("{prefix}{OLD}")));
        ensure!(
            !old.exists(),
            "{} is still there after the rename",
            old.display()
        );
    }
    let restored = output_ok(
        Command::new(&env.bin)
            .args(["migrate", "restore"])
            .arg(&backup)
            .arg(&dir),
    )?;
    drop(restored);
    ensure!(
        tree(&dir)? == original,
        "migrate restore did not give the original tree back byte for byte"
    );
    env.with_prosody(OLD, || {
        env.observe(OLD, "restored.json")?;
        env.compare("before.json", "restored.json", OLD, OLD, "")
    })?;

    // 4. Rename for good: Prosody for the new domain has every room.
    let plan = env.livechat(&["migrate", "rename-domain", "--from", OLD, "--to", NEW])?;
    eprintln!("xtask: rename plan summary:");
    for line in plan
        .lines()
        .filter(|l| l.starts_with("note:") || l.contains(" operation(s)"))
    {
        eprintln!("  {line}");
    }
    env.livechat(&[
        "migrate",
        "rename-domain",
        "--from",
        OLD,
        "--to",
        NEW,
        "--apply",
        "--backup-dir",
        &work.join("backup-rename-2").to_string_lossy(),
    ])?;
    let leftovers: Vec<String> = fs::read_dir(data(&dir))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(&enc(OLD)))
        .collect();
    ensure!(
        leftovers.is_empty(),
        "left under the old hosts: {leftovers:?}"
    );
    env.with_prosody(NEW, || {
        env.observe(NEW, "renamed.json")?;
        env.compare("before.json", "renamed.json", OLD, NEW, "")
    })?;

    // 5. Prune: a deleted video and a deleted channel.
    let inventory = work.join("inventory.json");
    fs::write(
        &inventory,
        format!(
            r#"{{"instance_host":"{NEW}","channels":[1,3],"videos":[{{"uuid":"{KEPT_VIDEO}","channel_id":1,"remote":false}}]}}"#
        ),
    )?;
    env.livechat(&[
        "migrate",
        "prune",
        "--inventory",
        &inventory.to_string_lossy(),
        "--apply",
        "--backup-dir",
        &work.join("backup-prune").to_string_lossy(),
    ])?;
    for room in [GONE_VIDEO, GONE_CHANNEL] {
        let left = residue(&dir, room)?;
        ensure!(
            left == destroyed,
            "prune left {left:?} of {room}, Prosody's destroy leaves {destroyed:?}"
        );
    }
    env.with_prosody(NEW, || {
        env.observe(NEW, "pruned.json")?;
        env.compare(
            "renamed.json",
            "pruned.json",
            NEW,
            NEW,
            &format!("{GONE_VIDEO},{GONE_CHANNEL}"),
        )
    })?;
    eprintln!(
        "xtask: prosody-check passed in {:.0} s (Prosody {})",
        t0.elapsed().as_secs_f64(),
        String::from_utf8_lossy(
            &output_ok(Command::new("dpkg-query").args(["-W", "-f", "${Version}", "prosody"]))?
                .stdout
        )
    );
    Ok(())
}
