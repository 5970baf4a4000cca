//! `restore`: puts back what an applied (or interrupted) migration changed, reading
//! its manifest backwards as a stream.
//!
//! A file backed up as a hard link comes back as a link to the same inode (two
//! system calls, no copy); a file moved unchanged is renamed back when it is still
//! the original; anything else is copied back from the backup, checked against its
//! hash. Nothing is fsynced per file: the backup is never consumed, so a restore
//! killed at any point is simply run again, and one `syncfs` at the end makes the
//! result durable before the journal says `restored`.
//!
//! Must not: change the backup folder (besides its journal).

use std::io;
use std::path::Path;

use crate::error::{MigrateError, Result};
use crate::fsutil::Owner;
use crate::tree::{self, Identity, Kind, Tree};

use super::Progress;
use super::backup::Trees;
use super::journal::{self, FileRecord, Journal, ManifestReader, ReverseSteps, StepKind};
use super::steps::is_record;

/// What [`restore`] did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub data_dir: std::path::PathBuf,
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
    let st = journal::read_journal(backup)?;
    let dir = dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| st.header.data_dir.clone());
    let err = journal::backup_err(backup);
    let mut report = RestoreReport {
        data_dir: dir.clone(),
        restored: 0,
        removed: 0,
        warnings: Vec::new(),
    };
    let mut t = Trees {
        dir: Tree::open(&dir).map_err(|source| MigrateError::Write {
            path: dir.display().to_string(),
            backup: backup.display().to_string(),
            source,
        })?,
        backup: Tree::open(backup).map_err(&err)?,
        can_link: true,
        backup_label: backup.display().to_string(),
    };
    if !st.has_manifest() {
        // Killed before its commit point: DIR's files are untouched; only the
        // temporary files of prepared contents may be there.
        remove_prepared(&mut t, backup)?;
        report
            .warnings
            .push("the migration was interrupted before changing anything".into());
        t.dir.syncfs().map_err(t.write_err("."))?;
        Journal::open(backup)
            .map_err(&err)?
            .event("restored")
            .map_err(&err)?;
        return Ok(report);
    }
    let total = st.manifest.unwrap_or(0);
    let mut steps = ReverseSteps::open(backup)?;
    progress.phase("restore", total as u64);
    while let Some(step) = steps.prev_step()? {
        let path = step.path.as_str();
        let target = step.target().to_owned();
        // A temporary file left by an unfinished write goes first.
        if step.step == StepKind::Write {
            remove_file(&mut t, &tree::temp_rel(path))?;
        }
        match step.step {
            StepKind::Mkdir => {
                if t.dir.stat(path).map_err(t.write_err(path))?.is_some() {
                    match t.dir.rmdir(path) {
                        Ok(()) => report.removed += 1,
                        Err(e) => report.warnings.push(format!(
                            "{path} was created by the migration and is kept: {e}"
                        )),
                    }
                }
            }
            StepKind::Rmdir => {
                if t.dir.stat(path).map_err(t.write_err(path))?.is_none() {
                    let owner = step.dir.unwrap_or(Owner {
                        mode: 0o755,
                        uid: 0,
                        gid: 0,
                    });
                    t.dir.mkdir(path, owner).map_err(t.write_err(path))?;
                    report.restored += 1;
                }
            }
            StepKind::Delete => {
                if let Some(rec) = &step.original {
                    report.restored += usize::from(put_back(&mut t, path, rec)?);
                }
            }
            StepKind::Rename | StepKind::Write => {
                let moving = target != path;
                if let Some(rec) = &step.original {
                    let back = moving
                        && step.step == StepKind::Rename
                        && t.dir.stat(path).map_err(t.write_err(path))?.is_none()
                        && is_same_inode(&mut t, &target, rec)?;
                    if back {
                        // Moved unchanged and untouched since: rename it back.
                        t.dir.rename(&target, path).map_err(t.write_err(path))?;
                        report.restored += 1;
                    } else if moving || step.target_original.is_none() {
                        report.restored += usize::from(put_back(&mut t, path, rec)?);
                    }
                }
                if moving {
                    match &step.target_original {
                        Some(rec) => {
                            report.restored += usize::from(put_back(&mut t, &target, rec)?)
                        }
                        None => {
                            if remove_file(&mut t, &target)? {
                                report.removed += 1;
                            }
                        }
                    }
                }
            }
        }
        progress.inc();
    }
    t.dir.syncfs().map_err(t.write_err("."))?;
    Journal::open(backup)
        .map_err(&err)?
        .event("restored")
        .map_err(&err)?;
    progress.done();
    Ok(report)
}

/// Whether the file at `rel` is the recorded inode, unchanged.
fn is_same_inode(t: &mut Trees, rel: &str, rec: &FileRecord) -> Result<bool> {
    Ok(t.dir
        .stat(rel)
        .map_err(t.write_err(rel))?
        .is_some_and(|st| tree::kind_of(&st) == Kind::File && Identity::of(&st) == rec.identity()))
}

/// Removes the regular file at `rel` if there is one; returns whether it did.
fn remove_file(t: &mut Trees, rel: &str) -> Result<bool> {
    match t.dir.stat(rel).map_err(t.write_err(rel))? {
        Some(st) if tree::kind_of(&st) == Kind::File => {
            t.dir.unlink(rel).map_err(t.write_err(rel))?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Puts the original `rec` back at `rel` unless it is there; returns whether it
/// wrote.
fn put_back(t: &mut Trees, rel: &str, rec: &FileRecord) -> Result<bool> {
    if is_record(t, rel, rec).map_err(t.write_err(rel))? == Some(true) {
        // Same bytes: only the owner and mode may need fixing.
        if let Some(st) = t.dir.stat(rel).map_err(t.write_err(rel))? {
            if tree::owner_of(&st) != rec.owner() {
                t.dir
                    .set_owner(rel, rec.owner())
                    .map_err(t.write_err(rel))?;
            }
        }
        return Ok(false);
    }
    let src = format!("files/{rel}");
    let temp = tree::temp_rel(rel);
    let backup_path = t.backup.path().to_path_buf();
    let damaged = || MigrateError::Backup {
        path: backup_path.clone(),
        why: format!("the copy of {rel} is damaged"),
    };
    remove_file(t, &temp)?;
    let linked = rec.link
        && t.backup
            .stat(&src)
            .ok()
            .flatten()
            .is_some_and(|st| Identity::of(&st) == rec.identity())
        && t.backup.link_to(&src, &mut t.dir, &temp).is_ok();
    if !linked {
        let (mut input, _) = t.backup.open_read(&src).map_err(|e| MigrateError::Backup {
            path: t.backup.path().to_path_buf(),
            why: format!("cannot read the copy of {rel}: {e}"),
        })?;
        let mut copy = |out: &mut dyn io::Write| io::copy(&mut input, out).map(|_| ());
        let (hash, _) = t
            .dir
            .create(&temp, rec.owner(), &mut copy)
            .map_err(t.write_err(rel))?;
        if hash != rec.sha256 {
            let _ = t.dir.unlink(&temp);
            return Err(damaged());
        }
    }
    t.dir.rename(&temp, rel).map_err(t.write_err(rel))?;
    Ok(true)
}

/// Removes the temporary files of the write steps a manifest records (a backup
/// restarted or restored before its commit point).
pub(crate) fn remove_prepared(t: &mut Trees, backup: &Path) -> Result<()> {
    if !backup.join(journal::MANIFEST).exists() {
        return Ok(());
    }
    // A manifest without its header line holds no step, so no temporary file exists
    // (a step is flushed to the manifest before its temporary file is created).
    let Ok(mut manifest) = ManifestReader::open(backup) else {
        return Ok(());
    };
    while let Some(step) = manifest.next_step()? {
        if step.step == StepKind::Write {
            remove_file(t, &tree::temp_rel(&step.path))?;
        }
    }
    Ok(())
}
