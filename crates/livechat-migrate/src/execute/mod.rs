//! Applying a plan safely: backup, manifest, journal, atomic steps, resume, restore.
//!
//! The backup folder (default `<DIR>.livechat-backup-<YYYYmmddTHHMMSS>` next to DIR)
//! holds the `journal` (written first, so an interrupted run is found again), the
//! `manifest.jsonl` (the steps, and for each file its hash, size, identity, mode and
//! owner, never any content) and `files/<path>`, the originals (hard links or copies,
//! see [`backup`]). An apply has two phases:
//!
//! 1. [`backup`]: every file touched is backed up, every new content is streamed
//!    into a temporary sibling of its file, the manifest is written as a stream, and
//!    one `syncfs` makes it all durable; the journal's `manifest` line is the commit
//!    point. Before it, DIR's files are untouched.
//! 2. [`steps`]: the steps (renames and unlinks only) in batches, one `syncfs` per
//!    batch before the journal records it.
//!
//! Every step is idempotent and checked against the file's identity (inode, size,
//! modification time) or, failing that, its hash: a killed run is finished by
//! running the same command again (the unfinished journal is found next to DIR or in
//! `--backup-dir`), to the same bytes. [`restore`] reads the manifest backwards.
//! Memory does not grow with the number or size of files: manifests are streams,
//! contents are streamed, and the plan holds no contents. Test hook: with
//! `LIVECHAT_DATA_CRASH_AFTER=k` the process aborts right after its k-th action (a
//! step backed up, or a step done), before journaling it.

mod backup;
pub mod journal;
mod restore;
mod steps;

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{MigrateError, Result};
use crate::fsutil;
use crate::plan::Plan;
use crate::tree::Tree;

pub use journal::{JournalHeader, JournalState, read_journal};
pub use restore::{RestoreReport, restore};

use backup::Trees;
use journal::{FORMAT, Journal, ManifestHeader, ManifestWriter, backup_err};

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
        // A journal this version cannot read (another format) is not one it could
        // resume; `restore` of it says why.
        let Ok(st) = read_journal(&c) else {
            continue;
        };
        if st.header.data_dir == dir && !st.complete && !st.restored {
            return Ok(Some((c, st)));
        }
    }
    Ok(None)
}

/// The test hook that kills the process after its k-th action.
pub(crate) struct Crash {
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

    /// Called after each action: the test hook aborts the process here.
    pub(crate) fn tick(&mut self) {
        self.count += 1;
        if self.after == Some(self.count) {
            std::process::abort();
        }
    }
}

fn open_trees(dir: &Path, backup: &Path) -> Result<Trees> {
    let dir_tree = Tree::open(dir).map_err(|source| MigrateError::Read {
        path: dir.display().to_string(),
        source,
    })?;
    let backup_tree = Tree::open(backup).map_err(backup_err(backup))?;
    let same_fs = dir_tree.dev().ok().is_some() && dir_tree.dev().ok() == backup_tree.dev().ok();
    Ok(Trees {
        dir: dir_tree,
        backup: backup_tree,
        can_link: same_fs,
        backup_label: backup.display().to_string(),
    })
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
        let mut t = open_trees(dir, &backup)?;
        if let Some(total) = st.manifest {
            let already = steps::run_steps(&mut t, total, st.done_before, progress, &mut crash)?;
            return Ok(ApplyReport {
                backup_dir: backup,
                steps: total,
                already_done: already,
                resumed: true,
            });
        }
        // Killed while backing up: DIR's files are untouched, so start the backup
        // again, after removing the temporary files it had prepared.
        if !plan.errors.is_empty() {
            return Err(MigrateError::PlanHasErrors {
                count: plan.errors.len(),
            });
        }
        restore::remove_prepared(&mut t, &backup)?;
        journal::clear_uncommitted(&backup).map_err(backup_err(&backup))?;
        return fresh(&mut t, dir, plan, progress, &mut crash, true);
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
    // The journal comes first, so that a run killed from here on is found again.
    let err = backup_err(&backup);
    fs::create_dir_all(&backup).map_err(&err)?;
    fs::set_permissions(&backup, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .map_err(&err)?;
    Journal::create(
        &backup,
        &JournalHeader {
            format: FORMAT.into(),
            command: plan.command.clone(),
            data_dir: dir.to_path_buf(),
        },
    )
    .map_err(&err)?;
    if let Some(parent) = backup.parent().filter(|p| !p.as_os_str().is_empty()) {
        fsutil::fsync_dir(parent).map_err(&err)?;
    }
    let mut t = open_trees(dir, &backup)?;
    fresh(&mut t, dir, plan, progress, &mut crash, false)
}

/// Backs up and prepares the plan, commits, then runs its steps.
fn fresh(
    t: &mut Trees,
    dir: &Path,
    plan: &Plan,
    progress: &mut dyn Progress,
    crash: &mut Crash,
    resumed: bool,
) -> Result<ApplyReport> {
    let backup = t.backup.path().to_path_buf();
    let err = backup_err(&backup);
    let mut manifest = ManifestWriter::create(
        &backup,
        &ManifestHeader {
            format: FORMAT.into(),
            command: plan.command.clone(),
            data_dir: dir.to_path_buf(),
            created: jiff::Timestamp::now().to_string(),
        },
    )
    .map_err(&err)?;
    let total = match backup::back_up_plan(t, plan, &mut manifest, progress, crash) {
        Ok(total) => total,
        Err(e) => {
            // Before the commit point nothing of DIR may change: the temporary files
            // prepared so far go (best effort; a restart removes them too).
            let _ = manifest.finish();
            let _ = restore::remove_prepared(t, &backup);
            return Err(e);
        }
    };
    manifest.finish().map_err(&err)?;
    // One syncfs per file system makes every backup, prepared content and the
    // manifest durable before the journal commits them.
    t.dir.syncfs().map_err(t.write_err("."))?;
    if !t.can_link || t.dir.dev().ok() != t.backup.dev().ok() {
        t.backup.syncfs().map_err(&err)?;
    }
    Journal::open(&backup)
        .map_err(&err)?
        .event(&format!("manifest {total}"))
        .map_err(&err)?;
    let already = steps::run_steps(t, total, 0, progress, crash)?;
    Ok(ApplyReport {
        backup_dir: t.backup.path().to_path_buf(),
        steps: total,
        already_done: already,
        resumed,
    })
}
