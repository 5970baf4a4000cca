//! The second phase of an apply, after the commit point: the steps of the manifest,
//! read as a stream and done in batches. Each step is a rename or an unlink (new
//! contents were prepared before the commit), checked against the state it expects
//! (the file's identity, or its hash when the identity differs), and idempotent: a
//! step whose result is already there is skipped, a step whose input is there is
//! done, anything else is a conflict. One `syncfs` per batch makes it durable before
//! the journal records the batch.
//!
//! Must not: write any content (only rename, unlink, create and remove folders).

use std::io;

use crate::error::{MigrateError, Result};
use crate::tree::{self, Identity, Kind};

use super::backup::Trees;
use super::journal::{FileRecord, Journal, ManifestReader, NewRecord, Step, StepKind};
use super::{Crash, Progress};

/// Steps per batch: enough that `syncfs` is rare, few enough that a resumed run
/// re-checks little.
pub(crate) fn batch_size(steps: usize) -> usize {
    (steps / 32).clamp(1024, 65_536)
}

/// What is at a path, as a step sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    Absent,
    /// The file the manifest recorded (same identity, or same hash).
    Original,
    /// The prepared new content (its inode, or its hash).
    New,
    Other,
}

/// Whether the file at `rel` is `rec` (its identity first, its hash when only the
/// identity differs).
pub(crate) fn is_record(t: &mut Trees, rel: &str, rec: &FileRecord) -> io::Result<Option<bool>> {
    let Some(st) = t.dir.stat(rel)? else {
        return Ok(None);
    };
    if tree::kind_of(&st) != Kind::File {
        return Ok(Some(false));
    }
    let id = Identity::of(&st);
    if id == rec.identity() {
        return Ok(Some(true));
    }
    if id.size != rec.size {
        return Ok(Some(false));
    }
    let (mut f, _) = t.dir.open_read(rel)?;
    Ok(Some(tree::hash_stream(&mut f)? == rec.sha256))
}

fn is_new(t: &mut Trees, rel: &str, new: &NewRecord) -> io::Result<bool> {
    let Some(st) = t.dir.stat(rel)? else {
        return Ok(false);
    };
    if tree::kind_of(&st) != Kind::File || u64::try_from(st.st_size).ok() != Some(new.size) {
        return Ok(false);
    }
    if st.st_ino == new.ino {
        return Ok(true);
    }
    let (mut f, _) = t.dir.open_read(rel)?;
    Ok(tree::hash_stream(&mut f)? == new.sha256)
}

fn state(
    t: &mut Trees,
    rel: &str,
    rec: Option<&FileRecord>,
    new: Option<&NewRecord>,
) -> io::Result<At> {
    if let Some(rec) = rec {
        match is_record(t, rel, rec)? {
            None => return Ok(At::Absent),
            Some(true) => return Ok(At::Original),
            Some(false) => {}
        }
    } else if t.dir.stat(rel)?.is_none() {
        return Ok(At::Absent);
    }
    if let Some(new) = new {
        if is_new(t, rel, new)? {
            return Ok(At::New);
        }
    }
    Ok(At::Other)
}

/// Runs the steps of the manifest from the journal's last durable batch on.
pub(crate) fn run_steps(
    t: &mut Trees,
    total: usize,
    done_before: usize,
    progress: &mut dyn Progress,
    crash: &mut Crash,
) -> Result<usize> {
    let backup = t.backup.path().to_path_buf();
    let err = super::journal::backup_err(&backup);
    let backup_err = || backup.clone();
    let mut journal = Journal::open(&backup).map_err(&err)?;
    let mut manifest = ManifestReader::open(&backup)?;
    let batch = batch_size(total);
    let mut already_done = done_before;
    let mut i = 0usize;
    progress.phase("apply", total as u64);
    while let Some(step) = manifest.next_step()? {
        if i >= done_before {
            if !do_step(t, &step)? {
                already_done += 1;
            }
            crash.tick();
        }
        i += 1;
        progress.inc();
        if i % batch == 0 && i > done_before {
            t.dir.syncfs().map_err(t.write_err("."))?;
            journal.event(&format!("batch {i}")).map_err(&err)?;
        }
    }
    if i != total {
        return Err(MigrateError::Backup {
            path: backup_err(),
            why: format!("its manifest holds {i} steps where the journal committed {total}"),
        });
    }
    t.dir.syncfs().map_err(t.write_err("."))?;
    journal.event(&format!("batch {i}")).map_err(&err)?;
    journal.event("complete").map_err(&err)?;
    progress.done();
    Ok(already_done)
}

/// Performs one step if it is not already done; returns whether it did something.
fn do_step(t: &mut Trees, step: &Step) -> Result<bool> {
    let label = t.backup_label.clone();
    let conflict = |path: &str, expected: &str| MigrateError::Conflict {
        path: path.to_owned(),
        expected: expected.to_owned(),
        backup: label.clone(),
    };
    let path = step.path.as_str();
    let orig = step.original.as_ref();
    let orig_hash = orig.map_or("", |o| o.sha256.as_str());
    match step.step {
        StepKind::Mkdir => {
            let owner = step.dir.unwrap_or(crate::fsutil::Owner {
                mode: 0o755,
                uid: 0,
                gid: 0,
            });
            match t.dir.stat(path).map_err(t.write_err(path))? {
                Some(st) if tree::kind_of(&st) == Kind::Dir => Ok(false),
                Some(_) => Err(conflict(path, "a folder")),
                None => {
                    t.dir.mkdir(path, owner).map_err(t.write_err(path))?;
                    Ok(true)
                }
            }
        }
        StepKind::Rmdir => match t.dir.stat(path).map_err(t.write_err(path))? {
            None => Ok(false),
            Some(_) => {
                t.dir.rmdir(path).map_err(t.write_err(path))?;
                Ok(true)
            }
        },
        StepKind::Delete => match state(t, path, orig, None).map_err(t.write_err(path))? {
            At::Absent => Ok(false),
            At::Original => {
                t.dir.unlink(path).map_err(t.write_err(path))?;
                Ok(true)
            }
            _ => Err(conflict(path, orig_hash)),
        },
        StepKind::Rename => {
            let to = step.target();
            let src = state(t, path, orig, None).map_err(t.write_err(path))?;
            let dst = state(t, to, orig, None).map_err(t.write_err(to))?;
            match (src, dst) {
                (At::Absent, At::Original) => Ok(false),
                (At::Original, At::Absent) => {
                    t.dir.rename(path, to).map_err(t.write_err(path))?;
                    Ok(true)
                }
                (At::Original, At::Original) => {
                    // An identical target makes the source redundant.
                    t.dir.unlink(path).map_err(t.write_err(path))?;
                    Ok(true)
                }
                _ => Err(conflict(path, orig_hash)),
            }
        }
        StepKind::Write => {
            let Some(new) = step.new.as_ref() else {
                return Err(MigrateError::Backup {
                    path: t.backup.path().to_path_buf(),
                    why: format!("its manifest lacks the new content of {path}"),
                });
            };
            let target = step.target();
            let moving = target != path;
            let temp = tree::temp_rel(path);
            let dst = state(
                t,
                target,
                step.target_original
                    .as_ref()
                    .or(if moving { None } else { orig }),
                Some(new),
            )
            .map_err(t.write_err(target))?;
            let src = if moving {
                state(t, path, orig, None).map_err(t.write_err(path))?
            } else {
                dst
            };
            if dst == At::New {
                // The new content is in place; finish by removing the source.
                return match (moving, src) {
                    (false, _) | (true, At::Absent) => Ok(false),
                    (true, At::Original) => {
                        t.dir.unlink(path).map_err(t.write_err(path))?;
                        Ok(true)
                    }
                    _ => Err(conflict(path, orig_hash)),
                };
            }
            let target_ready = match (&step.target_original, moving) {
                (Some(_), true) | (None, false) => dst == At::Original,
                (None, true) => dst == At::Absent,
                (Some(_), false) => false,
            };
            if !target_ready || src != At::Original {
                return Err(conflict(target, &new.sha256));
            }
            match t.dir.stat(&temp).map_err(t.write_err(&temp))? {
                Some(st) if st.st_ino == new.ino => {}
                _ => {
                    return Err(MigrateError::Backup {
                        path: t.backup.path().to_path_buf(),
                        why: format!(
                            "the prepared new content of {path} ({temp}) is missing or changed"
                        ),
                    });
                }
            }
            t.dir.rename(&temp, target).map_err(t.write_err(target))?;
            if moving {
                t.dir.unlink(path).map_err(t.write_err(path))?;
            }
            Ok(true)
        }
    }
}
