//! Applying a plan safely: backup, manifest, journal, atomic steps, resume, restore.
//!
//! The backup folder (default `<DIR>.livechat-backup-<YYYYmmddTHHMMSS>` next to DIR)
//! holds, in this order of creation:
//! - `journal`: a header line (command and data directory), then one line per event
//!   (`manifest`, `done <i>`, `complete`, `restored`). It is written first, so an
//!   interrupted run is found again even before its manifest exists.
//! - `files/<path>`: a copy of every file the migration changes, moves or deletes.
//! - `new/<i>`: the new bytes of each step that writes content.
//! - `manifest.json`: the steps, and for each file its sha256, size, mode, owner and
//!   what the migration does to it (never any content). Its creation is the commit
//!   point: before it, DIR is untouched.
//!
//! Every step is idempotent and checked by content hashes: a step whose result is
//! already on disk is skipped, a step whose input is still there is done, anything
//! else is a conflict. A killed run is finished by running the same command again
//! (the unfinished journal is found next to DIR or in `--backup-dir`), and the result
//! is the same bytes. Test hook: with `LIVECHAT_DATA_CRASH_AFTER=k` the process aborts
//! right after its k-th durable action (a backup copy or a step), before journaling it.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{MigrateError, Result};
use crate::fsutil::{self, Owner, parent_rel};
use crate::plan::{Command, OpKind, Plan};

const JOURNAL_FORMAT: &str = "livechat-data-journal/1";

/// How many steps share one syncfs.
const BATCH: usize = 2048;

/// Receives progress events (the CLI draws a progress bar; the library never prints).
pub trait Progress {
    fn phase(&mut self, _name: &str, _total: u64) {}
    fn inc(&mut self) {}
    fn done(&mut self) {}
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Default)]
pub struct NoProgress;
impl Progress for NoProgress {}

/// The first line of a journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalHeader {
    pub format: String,
    #[serde(flatten)]
    pub command: Command,
    pub data_dir: PathBuf,
}

/// A file as it was before the migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub sha256: String,
    pub size: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Its copy, relative to the backup folder.
    pub backup: String,
}

impl FileRecord {
    fn owner(&self) -> Owner {
        Owner {
            mode: self.mode,
            uid: self.uid,
            gid: self.gid,
        }
    }
}

/// The primitive steps the executor performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// Create a folder the migration needs (removed again by restore).
    Mkdir,
    /// Write new content at `to` (or `path`), atomically; then remove `path` if it differs.
    Write,
    /// Rename `path` to `to` (content unchanged).
    Rename,
    /// Remove a file.
    Delete,
    /// Remove an empty folder.
    Rmdir,
}

/// One step of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub step: StepKind,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// What the plan called it (`rename`, `rewrite`, `delete`, `disable`, or `mkdir`).
    pub action: String,
    pub reason: String,
    /// The file at `path` before the migration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<FileRecord>,
    /// The file at `to` before the migration, when a write replaces it (a merge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_original: Option<FileRecord>,
    /// The sha256 of the content written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_sha256: Option<String>,
    /// The new content, relative to the backup folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_content: Option<String>,
    /// Mode and owner of a folder created or removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<Owner>,
}

impl Step {
    fn target(&self) -> &str {
        self.to.as_deref().unwrap_or(&self.path)
    }
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    #[serde(flatten)]
    pub command: Command,
    pub data_dir: PathBuf,
    pub created: String,
    pub steps: Vec<Step>,
}

/// Options of [`apply`].
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Where the backup goes; default next to DIR, named with the time.
    pub backup_dir: Option<PathBuf>,
    /// Apply even though `prosody/prosody.pid` names a live process.
    pub force: bool,
}

/// What [`apply`] did.
#[derive(Debug, Clone)]
pub struct ApplyReport {
    pub backup_dir: PathBuf,
    pub steps: usize,
    /// Steps found already done (a resumed run).
    pub already_done: usize,
    pub resumed: bool,
}

/// The pid in `prosody/prosody.pid` when it names a live process.
pub fn prosody_running(dir: &Path) -> Option<u32> {
    let bytes = fsutil::read_regular(dir, "prosody/prosody.pid").ok()??;
    let pid: u32 = std::str::from_utf8(&bytes).ok()?.trim().parse().ok()?;
    Path::new(&format!("/proc/{pid}")).exists().then_some(pid)
}

/// The default backup folder for `dir` at this moment.
pub fn default_backup_dir(dir: &Path) -> PathBuf {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    dir.with_file_name(format!("{name}.livechat-backup-{stamp}"))
}

/// A journal's state.
#[derive(Debug, Clone)]
pub struct JournalState {
    pub header: JournalHeader,
    pub has_manifest: bool,
    pub done: BTreeSet<usize>,
    pub complete: bool,
    pub restored: bool,
}

/// Reads the journal of a backup folder.
pub fn read_journal(backup: &Path) -> Result<JournalState> {
    let path = backup.join("journal");
    let text = fs::read_to_string(&path).map_err(|e| MigrateError::Backup {
        path: backup.to_path_buf(),
        why: format!("cannot read its journal: {e}"),
    })?;
    let mut lines = text.lines();
    let header: JournalHeader = lines
        .next()
        .and_then(|l| serde_json::from_str(l).ok())
        .filter(|h: &JournalHeader| h.format == JOURNAL_FORMAT)
        .ok_or_else(|| MigrateError::Backup {
            path: backup.to_path_buf(),
            why: "its journal has no valid header".into(),
        })?;
    let mut st = JournalState {
        header,
        has_manifest: false,
        done: BTreeSet::new(),
        complete: false,
        restored: false,
    };
    // A line cut by a crash is simply ignored: every step is verified anyway.
    for line in lines {
        match line.split_once(' ') {
            Some(("done", i)) => {
                if let Ok(i) = i.parse() {
                    st.done.insert(i);
                }
            }
            _ if line == "manifest" => st.has_manifest = true,
            _ if line == "complete" => st.complete = true,
            _ if line == "restored" => st.restored = true,
            _ => {}
        }
    }
    Ok(st)
}

/// Looks for an unfinished migration of `dir`: in `backup_dir` when given, else in
/// the `<DIR>.livechat-backup-*` folders next to it (the newest first).
pub fn find_unfinished(
    dir: &Path,
    backup_dir: Option<&Path>,
) -> Result<Option<(PathBuf, JournalState)>> {
    let candidates: Vec<PathBuf> = match backup_dir {
        Some(b) => vec![b.to_path_buf()],
        None => {
            let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
                return Ok(None);
            };
            let prefix = format!("{}.livechat-backup-", name.to_string_lossy());
            let mut v: Vec<PathBuf> = match fs::read_dir(parent) {
                Ok(rd) => rd
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                    .map(|e| e.path())
                    .collect(),
                Err(_) => Vec::new(),
            };
            v.sort();
            v.reverse();
            v
        }
    };
    for c in candidates {
        if !c.join("journal").is_file() {
            continue;
        }
        let st = read_journal(&c)?;
        if st.header.data_dir == dir && !st.complete && !st.restored {
            return Ok(Some((c, st)));
        }
    }
    Ok(None)
}

struct Crash {
    after: Option<u64>,
    count: u64,
}

impl Crash {
    fn from_env() -> Self {
        Crash {
            after: std::env::var("LIVECHAT_DATA_CRASH_AFTER")
                .ok()
                .and_then(|s| s.parse().ok()),
            count: 0,
        }
    }

    /// Called after each durable action: the test hook aborts the process here.
    fn tick(&mut self) {
        self.count += 1;
        if self.after == Some(self.count) {
            std::process::abort();
        }
    }
}

struct Journal {
    file: fs::File,
}

impl Journal {
    fn open(backup: &Path) -> io::Result<Self> {
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(backup.join("journal"))?;
        Ok(Journal { file })
    }

    fn line(&mut self, s: &str, sync: bool) -> io::Result<()> {
        self.file.write_all(format!("{s}\n").as_bytes())?;
        if sync {
            self.file.sync_data()?;
        }
        Ok(())
    }
}

fn backup_err(backup: &Path) -> impl Fn(io::Error) -> MigrateError + '_ {
    move |e| MigrateError::Backup {
        path: backup.to_path_buf(),
        why: e.to_string(),
    }
}

/// Applies `plan` to `dir` (canonical path), or resumes the unfinished run of the
/// same command. `announce` is called with the backup folder before anything is written.
pub fn apply(
    dir: &Path,
    plan: &Plan,
    opts: &ApplyOptions,
    progress: &mut dyn Progress,
    announce: &mut dyn FnMut(&Path, bool),
) -> Result<ApplyReport> {
    if !opts.force {
        if let Some(pid) = prosody_running(dir) {
            return Err(MigrateError::ProsodyRunning { pid });
        }
    }
    let mut crash = Crash::from_env();
    if let Some((backup, st)) = find_unfinished(dir, opts.backup_dir.as_deref())? {
        if st.header.command != plan.command {
            return Err(MigrateError::Unfinished {
                command: st.header.command.to_string(),
                path: backup,
            });
        }
        announce(&backup, true);
        if st.has_manifest {
            let manifest = read_manifest(&backup)?;
            return run_steps(
                dir, &backup, &manifest, &st.done, progress, &mut crash, true,
            );
        }
        // Killed while backing up: DIR is untouched, so start the backup again.
        if !plan.errors.is_empty() {
            return Err(MigrateError::PlanHasErrors {
                count: plan.errors.len(),
            });
        }
        for sub in ["files", "new"] {
            let p = backup.join(sub);
            if p.exists() {
                fs::remove_dir_all(&p).map_err(backup_err(&backup))?;
            }
        }
        let _ = fs::remove_file(backup.join("manifest.json"));
        return fresh(dir, &backup, plan, progress, &mut crash, true);
    }
    if !plan.errors.is_empty() {
        return Err(MigrateError::PlanHasErrors {
            count: plan.errors.len(),
        });
    }
    let backup = opts
        .backup_dir
        .clone()
        .unwrap_or_else(|| default_backup_dir(dir));
    if backup.exists()
        && fs::read_dir(&backup)
            .map_err(backup_err(&backup))?
            .next()
            .is_some()
    {
        return Err(MigrateError::Backup {
            path: backup,
            why: "it exists and is not empty".into(),
        });
    }
    if backup.starts_with(dir) {
        return Err(MigrateError::Backup {
            path: backup,
            why: "it is inside the data directory".into(),
        });
    }
    announce(&backup, false);
    fresh(dir, &backup, plan, progress, &mut crash, false)
}

fn read_manifest(backup: &Path) -> Result<Manifest> {
    let bytes = fs::read(backup.join("manifest.json")).map_err(backup_err(backup))?;
    serde_json::from_slice(&bytes).map_err(|e| MigrateError::Backup {
        path: backup.to_path_buf(),
        why: format!("its manifest is unreadable: {e}"),
    })
}

fn record(dir: &Path, rel: &str, backup_rel: String) -> Result<(FileRecord, Vec<u8>)> {
    let meta = fsutil::lstat(dir, rel)
        .map_err(|source| MigrateError::Read {
            path: rel.to_owned(),
            source,
        })?
        .ok_or_else(|| MigrateError::Read {
            path: rel.to_owned(),
            source: io::Error::new(
                io::ErrorKind::NotFound,
                "it disappeared since the plan was made",
            ),
        })?;
    if meta.file_type().is_symlink() || !meta.is_file() {
        return Err(MigrateError::Read {
            path: rel.to_owned(),
            source: io::Error::other("not a regular file"),
        });
    }
    let owner = Owner::of(&meta);
    if owner.mode & 0o222 == 0 {
        return Err(MigrateError::Write {
            path: rel.to_owned(),
            backup: String::new(),
            source: io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "the file is read-only (mode {:o}); make it writable to migrate it",
                    owner.mode
                ),
            ),
        });
    }
    let bytes = fs::read(fsutil::join(dir, rel).map_err(|source| MigrateError::Read {
        path: rel.to_owned(),
        source,
    })?)
    .map_err(|source| MigrateError::Read {
        path: rel.to_owned(),
        source,
    })?;
    Ok((
        FileRecord {
            sha256: fsutil::sha256(&bytes),
            size: bytes.len() as u64,
            mode: owner.mode,
            uid: owner.uid,
            gid: owner.gid,
            backup: backup_rel,
        },
        bytes,
    ))
}

/// Builds the steps of a plan (reading every file it touches), then backs them up.
fn fresh(
    dir: &Path,
    backup: &Path,
    plan: &Plan,
    progress: &mut dyn Progress,
    crash: &mut Crash,
    resumed: bool,
) -> Result<ApplyReport> {
    // Build every step and check every file before writing anything.
    let mut steps = Vec::new();
    let mut contents: Vec<(usize, &crate::plan::NewContent, String)> = Vec::new();
    let mut copies: Vec<(String, Vec<u8>)> = Vec::new();
    let mut made_dirs: BTreeSet<String> = BTreeSet::new();
    for op in plan.operations() {
        let op_path = op.path().file_path();
        let op_to = op.to().map(|t| t.file_path());
        if op.is_dir() {
            let rel = op_path.as_str();
            let meta = fsutil::lstat(dir, rel).map_err(|source| MigrateError::Read {
                path: rel.to_owned(),
                source,
            })?;
            let Some(meta) = meta.filter(|m| m.is_dir() && !m.file_type().is_symlink()) else {
                continue;
            };
            steps.push(Step {
                step: StepKind::Rmdir,
                path: rel.to_owned(),
                to: None,
                action: op.kind().as_str().into(),
                reason: op.reason().to_owned(),
                original: None,
                target_original: None,
                new_sha256: None,
                new_content: None,
                dir: Some(Owner::of(&meta)),
            });
            continue;
        }
        let (original, bytes) = record(dir, &op_path, format!("files/{op_path}"))?;
        copies.push((op_path.clone(), bytes));
        let target = op_to.clone().unwrap_or_else(|| op_path.clone());
        // Folders the target needs, created like their source counterparts.
        if op_to.is_some() {
            let mut missing = Vec::new();
            let mut p = parent_rel(&target).to_owned();
            let mut src_parent = parent_rel(&op_path).to_owned();
            while !p.is_empty() && !made_dirs.contains(&p) {
                let m = fsutil::lstat(dir, &p).map_err(|source| MigrateError::Read {
                    path: p.clone(),
                    source,
                })?;
                if m.is_some() {
                    break;
                }
                let owner = fsutil::lstat(dir, &src_parent)
                    .ok()
                    .flatten()
                    .map(|m| Owner::of(&m))
                    .unwrap_or(Owner {
                        mode: 0o755,
                        uid: 0,
                        gid: 0,
                    });
                missing.push((p.clone(), owner));
                p = parent_rel(&p).to_owned();
                src_parent = parent_rel(&src_parent).to_owned();
            }
            for (p, owner) in missing.into_iter().rev() {
                made_dirs.insert(p.clone());
                steps.push(Step {
                    step: StepKind::Mkdir,
                    path: p,
                    to: None,
                    action: "mkdir".into(),
                    reason: format!("folder needed by {target}"),
                    original: None,
                    target_original: None,
                    new_sha256: None,
                    new_content: None,
                    dir: Some(owner),
                });
            }
        }
        let target_original = if op_to.is_some() && op.content().is_some() {
            match fsutil::lstat(dir, &target).map_err(|source| MigrateError::Read {
                path: target.clone(),
                source,
            })? {
                Some(_) => {
                    let (rec, bytes) = record(dir, &target, format!("files/{target}"))?;
                    copies.push((target.clone(), bytes));
                    Some(rec)
                }
                None => None,
            }
        } else {
            None
        };
        let (kind, new_sha256, new_content) = match (op.content(), op.kind()) {
            (Some(c), _) => {
                // The hash is known once the content is produced into the backup.
                contents.push((steps.len(), c, op_path.clone()));
                (StepKind::Write, None, Some(format!("new/{}", steps.len())))
            }
            (None, OpKind::Rename) => (StepKind::Rename, None, None),
            (None, _) => (StepKind::Delete, None, None),
        };
        steps.push(Step {
            step: kind,
            path: op_path,
            to: op_to,
            action: op.kind().as_str().into(),
            reason: op.reason().to_owned(),
            original: Some(original),
            target_original,
            new_sha256,
            new_content,
            dir: None,
        });
    }
    let header = JournalHeader {
        format: JOURNAL_FORMAT.into(),
        command: plan.command.clone(),
        data_dir: dir.to_path_buf(),
    };
    let err = backup_err(backup);
    // The journal comes first, so that a run killed from here on is found again.
    if !resumed {
        fs::create_dir_all(backup).map_err(&err)?;
        fs::set_permissions(backup, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .map_err(&err)?;
        let head = serde_json::to_string(&header).map_err(|e| err(io::Error::other(e)))?;
        fsutil::atomic_write(
            &backup.join("journal"),
            format!("{head}\n").as_bytes(),
            own_file(),
        )
        .map_err(&err)?;
        if let Some(parent) = backup.parent().filter(|p| !p.as_os_str().is_empty()) {
            fsutil::fsync_dir(parent).map_err(&err)?;
        }
    }
    progress.phase("backup", (copies.len() + contents.len()) as u64);
    for (rel, bytes) in &copies {
        let dest = fsutil::join(&backup.join("files"), rel).map_err(&err)?;
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(&err)?;
        }
        write_plain(&dest, bytes).map_err(&err)?;
        progress.inc();
        crash.tick();
    }
    if !contents.is_empty() {
        fs::create_dir_all(backup.join("new")).map_err(&err)?;
    }
    for (i, c, original) in &contents {
        // Produced by streaming the original through the recipe into the backup.
        let src = fsutil::join(dir, original).map_err(|source| MigrateError::Read {
            path: original.clone(),
            source,
        })?;
        let input = fs::File::open(&src).map_err(|source| MigrateError::Read {
            path: original.clone(),
            source,
        })?;
        let out = fs::File::create(backup.join(format!("new/{i}"))).map_err(&err)?;
        let mut out = fsutil::HashWriter::new(io::BufWriter::new(out));
        c.produce(&mut io::BufReader::new(input), &mut out)
            .map_err(|source| MigrateError::Read {
                path: original.clone(),
                source,
            })?;
        let (hash, mut w) = out.finish();
        w.flush().map_err(&err)?;
        steps[*i].new_sha256 = Some(hash);
        progress.inc();
    }
    // One syncfs makes every copy durable before the manifest commits the backup.
    fsutil::syncfs(backup).map_err(&err)?;
    progress.done();
    let manifest = Manifest {
        format: JOURNAL_FORMAT.into(),
        command: plan.command.clone(),
        data_dir: dir.to_path_buf(),
        created: jiff::Timestamp::now().to_string(),
        steps,
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| err(io::Error::other(e)))?;
    fsutil::atomic_write(&backup.join("manifest.json"), &text, own_file()).map_err(&err)?;
    fsutil::fsync_dir(backup).map_err(&err)?;
    let mut journal = Journal::open(backup).map_err(&err)?;
    journal.line("manifest", true).map_err(&err)?;
    run_steps(
        dir,
        backup,
        &manifest,
        &BTreeSet::new(),
        progress,
        crash,
        resumed,
    )
}

/// Owner and mode of the backup's own files: the running user's, private.
fn own_file() -> Owner {
    let (uid, gid) = current_ids();
    Owner {
        mode: 0o600,
        uid,
        gid,
    }
}

/// The effective uid/gid, read from `/proc/self` (no `unsafe`, no libc call).
fn current_ids() -> (u32, u32) {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self")
        .map(|m| (m.uid(), m.gid()))
        .unwrap_or((0, 0))
}

fn write_plain(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    f.write_all(bytes)
}

fn hash_at(dir: &Path, rel: &str) -> io::Result<Option<String>> {
    Ok(fsutil::read_regular(dir, rel)?.map(|b| fsutil::sha256(&b)))
}

fn run_steps(
    dir: &Path,
    backup: &Path,
    manifest: &Manifest,
    done: &BTreeSet<usize>,
    progress: &mut dyn Progress,
    crash: &mut Crash,
    resumed: bool,
) -> Result<ApplyReport> {
    let err = backup_err(backup);
    let mut journal = Journal::open(backup).map_err(&err)?;
    let mut dirty: BTreeSet<PathBuf> = BTreeSet::new();
    let mut already_done = 0;
    progress.phase("apply", manifest.steps.len() as u64);
    // Steps run in batches: first the batch's folders are created and the new
    // contents written to temporary files, then one syncfs makes them durable, then
    // the steps are committed (renames, unlinks) in order, and one more syncfs makes
    // that durable before the journal records the batch.
    let sync_err = |e: io::Error| MigrateError::Write {
        path: dir.display().to_string(),
        backup: backup.display().to_string(),
        source: e,
    };
    let n = manifest.steps.len();
    let mut start = 0;
    while start < n {
        let end = (start + BATCH).min(n);
        let todo: Vec<usize> = (start..end).filter(|i| !done.contains(i)).collect();
        already_done += (end - start) - todo.len();
        let mut prepared = BTreeSet::new();
        for &i in &todo {
            let step = &manifest.steps[i];
            match step.step {
                StepKind::Mkdir => {
                    do_step(dir, backup, step, &mut dirty, false)?;
                }
                StepKind::Write if prepare_write(dir, backup, step)? => {
                    prepared.insert(i);
                }
                _ => {}
            }
        }
        if !prepared.is_empty() {
            fsutil::syncfs(dir).map_err(sync_err)?;
        }
        for &i in &todo {
            let step = &manifest.steps[i];
            let did = step.step == StepKind::Mkdir
                || do_step(dir, backup, step, &mut dirty, prepared.contains(&i))?;
            if !did {
                already_done += 1;
            }
            crash.tick();
            journal.line(&format!("done {i}"), false).map_err(&err)?;
            progress.inc();
        }
        dirty.clear();
        fsutil::syncfs(dir).map_err(sync_err)?;
        journal.line(&format!("batch {end}"), true).map_err(&err)?;
        start = end;
    }
    flush_dirs(&mut dirty, backup)?;
    journal.line("complete", true).map_err(&err)?;
    progress.done();
    Ok(ApplyReport {
        backup_dir: backup.to_path_buf(),
        steps: manifest.steps.len(),
        already_done,
        resumed,
    })
}

fn flush_dirs(dirty: &mut BTreeSet<PathBuf>, backup: &Path) -> Result<()> {
    for d in std::mem::take(dirty) {
        if d.is_dir() {
            fsutil::fsync_dir(&d).map_err(|source| MigrateError::Write {
                path: d.display().to_string(),
                backup: backup.display().to_string(),
                source,
            })?;
        }
    }
    Ok(())
}

/// Performs one step if it is not already done; returns whether it did something.
fn do_step(
    dir: &Path,
    backup: &Path,
    step: &Step,
    dirty: &mut BTreeSet<PathBuf>,
    prepared: bool,
) -> Result<bool> {
    let wr = |path: &str| {
        let path = path.to_owned();
        let backup = backup.display().to_string();
        move |source| MigrateError::Write {
            path,
            backup,
            source,
        }
    };
    let conflict = |path: &str, expected: &str| MigrateError::Conflict {
        path: path.to_owned(),
        expected: expected.to_owned(),
        backup: backup.display().to_string(),
    };
    let abs = |rel: &str| fsutil::join(dir, rel).map_err(wr(rel));
    let parent_abs = |rel: &str| -> Result<PathBuf> {
        let p = parent_rel(rel);
        if p.is_empty() {
            Ok(dir.to_path_buf())
        } else {
            abs(p)
        }
    };
    match step.step {
        StepKind::Mkdir => {
            let owner = step.dir.unwrap_or(Owner {
                mode: 0o755,
                uid: 0,
                gid: 0,
            });
            match fsutil::lstat(dir, &step.path).map_err(wr(&step.path))? {
                Some(m) if m.is_dir() && !m.file_type().is_symlink() => Ok(false),
                Some(_) => Err(conflict(&step.path, "a folder")),
                None => {
                    fsutil::mkdir_owned(&abs(&step.path)?, owner).map_err(wr(&step.path))?;
                    dirty.insert(parent_abs(&step.path)?);
                    Ok(true)
                }
            }
        }
        StepKind::Rmdir => match fsutil::lstat(dir, &step.path).map_err(wr(&step.path))? {
            None => Ok(false),
            Some(_) => {
                fs::remove_dir(abs(&step.path)?).map_err(wr(&step.path))?;
                dirty.insert(parent_abs(&step.path)?);
                Ok(true)
            }
        },
        StepKind::Delete => {
            let orig = step
                .original
                .as_ref()
                .map(|o| o.sha256.as_str())
                .unwrap_or("");
            match hash_at(dir, &step.path).map_err(wr(&step.path))? {
                None => Ok(false),
                Some(h) if h == orig => {
                    fs::remove_file(abs(&step.path)?).map_err(wr(&step.path))?;
                    dirty.insert(parent_abs(&step.path)?);
                    Ok(true)
                }
                Some(_) => Err(conflict(&step.path, orig)),
            }
        }
        StepKind::Rename => {
            let orig = step
                .original
                .as_ref()
                .map(|o| o.sha256.as_str())
                .unwrap_or("");
            let to = step.target();
            let src = hash_at(dir, &step.path).map_err(wr(&step.path))?;
            let dst = hash_at(dir, to).map_err(wr(to))?;
            match (src, dst) {
                (None, Some(d)) if d == orig => Ok(false),
                (Some(s), None) if s == orig => {
                    fs::rename(abs(&step.path)?, abs(to)?).map_err(wr(&step.path))?;
                    dirty.insert(parent_abs(&step.path)?);
                    dirty.insert(parent_abs(to)?);
                    Ok(true)
                }
                (Some(s), Some(d)) if s == orig && d == orig => {
                    // Killed between a link and an unlink cannot happen with rename(2),
                    // but an identical target makes the source redundant all the same.
                    fs::remove_file(abs(&step.path)?).map_err(wr(&step.path))?;
                    dirty.insert(parent_abs(&step.path)?);
                    Ok(true)
                }
                _ => Err(conflict(&step.path, orig)),
            }
        }
        StepKind::Write => {
            let orig = step
                .original
                .as_ref()
                .map(|o| o.sha256.as_str())
                .unwrap_or("");
            let new = step.new_sha256.as_deref().unwrap_or("");
            let target = step.target();
            let moving = target != step.path;
            let dst = hash_at(dir, target).map_err(wr(target))?;
            let src = if moving {
                hash_at(dir, &step.path).map_err(wr(&step.path))?
            } else {
                dst.clone()
            };
            let target_ok = match (&dst, &step.target_original) {
                (Some(d), _) if d == new => {
                    // The new content is in place; finish by removing the source.
                    if moving {
                        match src {
                            None => return Ok(false),
                            Some(s) if s == orig => {
                                fs::remove_file(abs(&step.path)?).map_err(wr(&step.path))?;
                                dirty.insert(parent_abs(&step.path)?);
                                return Ok(true);
                            }
                            Some(_) => return Err(conflict(&step.path, orig)),
                        }
                    }
                    return Ok(false);
                }
                (None, None) => moving,
                (Some(d), Some(t)) => moving && *d == t.sha256,
                (Some(d), None) => !moving && *d == orig,
                (None, Some(_)) => false,
            };
            if !target_ok || (moving && src.as_deref() != Some(orig)) {
                return Err(conflict(target, new));
            }
            let content = new_content(backup, step)?;
            let owner = owner_to_keep(step);
            if prepared {
                let t = abs(target)?;
                fs::rename(fsutil::temp_path(&t), &t).map_err(wr(target))?;
            } else {
                fsutil::atomic_write(&abs(target)?, &content, owner).map_err(wr(target))?;
            }
            dirty.insert(parent_abs(target)?);
            if moving {
                fs::remove_file(abs(&step.path)?).map_err(wr(&step.path))?;
                dirty.insert(parent_abs(&step.path)?);
            }
            Ok(true)
        }
    }
}

/// Writes the temporary file of a write step whose input is in place; returns
/// false when there is nothing to prepare (the step is done, or only its source
/// remains to be removed). Conflicts are left for [`do_step`] to report.
fn prepare_write(dir: &Path, backup: &Path, step: &Step) -> Result<bool> {
    let wr = |path: &str| {
        let path = path.to_owned();
        let backup = backup.display().to_string();
        move |source| MigrateError::Write {
            path,
            backup,
            source,
        }
    };
    let orig = step
        .original
        .as_ref()
        .map(|o| o.sha256.as_str())
        .unwrap_or("");
    let new = step.new_sha256.as_deref().unwrap_or("");
    let target = step.target();
    let moving = target != step.path;
    let dst = hash_at(dir, target).map_err(wr(target))?;
    let ready = match (&dst, &step.target_original) {
        (Some(d), _) if d == new => false,
        (None, None) => moving,
        (Some(d), Some(t)) => moving && *d == t.sha256,
        (Some(d), None) => !moving && *d == orig,
        (None, Some(_)) => false,
    };
    if !ready {
        return Ok(false);
    }
    if moving && hash_at(dir, &step.path).map_err(wr(&step.path))?.as_deref() != Some(orig) {
        return Ok(false);
    }
    let content = new_content(backup, step)?;
    let t = fsutil::join(dir, target).map_err(wr(target))?;
    fsutil::write_temp(&t, &content, owner_to_keep(step)).map_err(wr(target))?;
    Ok(true)
}

/// The new content of a write step, read from the backup and checked against the
/// hash the manifest recorded.
fn new_content(backup: &Path, step: &Step) -> Result<Vec<u8>> {
    let content = fs::read(backup.join(step.new_content.as_deref().unwrap_or("")))
        .map_err(backup_err(backup))?;
    if fsutil::sha256(&content) != step.new_sha256.as_deref().unwrap_or("") {
        return Err(MigrateError::Backup {
            path: backup.to_path_buf(),
            why: format!("the new content of {} is damaged", step.target()),
        });
    }
    Ok(content)
}

/// The owner and mode a write step keeps: those of the file being replaced, else of
/// the file being moved.
fn owner_to_keep(step: &Step) -> Owner {
    match (&step.target_original, &step.original) {
        (Some(t), _) => t.owner(),
        (None, Some(o)) => o.owner(),
        (None, None) => Owner {
            mode: 0o644,
            uid: 0,
            gid: 0,
        },
    }
}

/// What [`restore`] did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub data_dir: PathBuf,
    pub restored: usize,
    pub removed: usize,
    pub warnings: Vec<String>,
}

/// Puts back what the migration journaled in `backup` changed in `dir` (default: the
/// data directory recorded in the journal), and removes what it created.
pub fn restore(
    backup: &Path,
    dir: Option<&Path>,
    progress: &mut dyn Progress,
) -> Result<RestoreReport> {
    let st = read_journal(backup)?;
    let dir = dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| st.header.data_dir.clone());
    let mut report = RestoreReport {
        data_dir: dir.clone(),
        restored: 0,
        removed: 0,
        warnings: Vec::new(),
    };
    let err = backup_err(backup);
    if !st.has_manifest {
        report
            .warnings
            .push("the migration was interrupted before changing anything".into());
        Journal::open(backup)
            .map_err(&err)?
            .line("restored", true)
            .map_err(&err)?;
        return Ok(report);
    }
    let manifest = read_manifest(backup)?;
    let wr = |path: &str| {
        let path = path.to_owned();
        let backup = backup.display().to_string();
        move |source| MigrateError::Write {
            path,
            backup,
            source,
        }
    };
    let mut dirty: BTreeSet<PathBuf> = BTreeSet::new();
    let put_back = |rel: &str, rec: &FileRecord, dirty: &mut BTreeSet<PathBuf>| -> Result<bool> {
        if hash_at(&dir, rel).map_err(wr(rel))?.as_deref() == Some(rec.sha256.as_str()) {
            // Same bytes: only the owner and mode may need fixing.
            let p = fsutil::join(&dir, rel).map_err(wr(rel))?;
            std::os::unix::fs::chown(&p, Some(rec.uid), Some(rec.gid)).map_err(wr(rel))?;
            fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(rec.mode))
                .map_err(wr(rel))?;
            return Ok(false);
        }
        let bytes = fs::read(backup.join(&rec.backup)).map_err(backup_err(backup))?;
        if fsutil::sha256(&bytes) != rec.sha256 {
            return Err(MigrateError::Backup {
                path: backup.to_path_buf(),
                why: format!("the copy of {rel} is damaged"),
            });
        }
        let p = fsutil::join(&dir, rel).map_err(wr(rel))?;
        fsutil::atomic_write(&p, &bytes, rec.owner()).map_err(wr(rel))?;
        if let Some(parent) = p.parent() {
            dirty.insert(parent.to_path_buf());
        }
        Ok(true)
    };
    progress.phase("restore", manifest.steps.len() as u64);
    for step in manifest.steps.iter().rev() {
        // A temporary file left by a killed write goes first.
        if let Ok(p) = fsutil::join(&dir, step.target()) {
            let _ = fs::remove_file(fsutil::temp_path(&p));
        }
        match step.step {
            StepKind::Mkdir => {
                if let Ok(Some(_)) = fsutil::lstat(&dir, &step.path) {
                    let p = fsutil::join(&dir, &step.path).map_err(wr(&step.path))?;
                    match fs::remove_dir(&p) {
                        Ok(()) => report.removed += 1,
                        Err(e) => report.warnings.push(format!(
                            "{} was created by the migration and is kept: {e}",
                            step.path
                        )),
                    }
                }
            }
            StepKind::Rmdir => {
                if fsutil::lstat(&dir, &step.path)
                    .map_err(wr(&step.path))?
                    .is_none()
                {
                    let owner = step.dir.unwrap_or(Owner {
                        mode: 0o755,
                        uid: 0,
                        gid: 0,
                    });
                    fsutil::mkdir_owned(
                        &fsutil::join(&dir, &step.path).map_err(wr(&step.path))?,
                        owner,
                    )
                    .map_err(wr(&step.path))?;
                    report.restored += 1;
                }
            }
            StepKind::Delete => {
                if let Some(rec) = &step.original {
                    if put_back(&step.path, rec, &mut dirty)? {
                        report.restored += 1;
                    }
                }
            }
            StepKind::Rename | StepKind::Write => {
                let target = step.target().to_owned();
                if let Some(rec) = &step.original {
                    if target != step.path {
                        if put_back(&step.path, rec, &mut dirty)? {
                            report.restored += 1;
                        }
                    } else if step.target_original.is_none() && put_back(&target, rec, &mut dirty)?
                    {
                        report.restored += 1;
                    }
                }
                if target != step.path {
                    match &step.target_original {
                        Some(t) => {
                            if put_back(&target, t, &mut dirty)? {
                                report.restored += 1;
                            }
                        }
                        None => {
                            if let Some(m) = fsutil::lstat(&dir, &target).map_err(wr(&target))? {
                                if m.is_file() {
                                    let p = fsutil::join(&dir, &target).map_err(wr(&target))?;
                                    fs::remove_file(&p).map_err(wr(&target))?;
                                    if let Some(parent) = p.parent() {
                                        dirty.insert(parent.to_path_buf());
                                    }
                                    report.removed += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        progress.inc();
    }
    flush_dirs(&mut dirty, backup)?;
    Journal::open(backup)
        .map_err(&err)?
        .line("restored", true)
        .map_err(&err)?;
    progress.done();
    Ok(report)
}
