//! The first phase of an apply: turn the plan into steps, back up every file they
//! touch, prepare every new content next to its file, and write the manifest; then
//! one `syncfs` makes it all durable before the journal commits it.
//!
//! Backups are as cheap as the file system allows while staying exact: a file whose
//! inode leaves the data directory (a rewrite replaces it with a new inode, a delete
//! unlinks it) is hard-linked into the backup, since nothing can change that inode
//! in place any more; a file that stays in the data directory under another name (a
//! rename: the plugin and Prosody later write such files in place) is copied. Across
//! file systems everything is copied. New contents are streamed from the original
//! through the plan's recipe into a temporary sibling of the file (`.<name>.livechat-tmp`);
//! before the commit point the data directory's files are untouched.
//!
//! Must not: change any file of the data directory, or hold contents in memory.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Seek, SeekFrom};

use crate::error::{MigrateError, Result};
use crate::fsutil::{Owner, parent_rel};
use crate::plan::{Op, OpKind, Plan};
use crate::tree::{self, Identity, Kind, Tree, owner_of};

use super::journal::{FileRecord, ManifestWriter, NewRecord, Step, StepKind};
use super::{Crash, Progress};

/// The data directory and backup folder of one run.
pub(crate) struct Trees {
    pub dir: Tree,
    pub backup: Tree,
    /// Hard links between the two work (same file system, and not refused yet).
    pub can_link: bool,
    pub backup_label: String,
}

impl Trees {
    pub fn read_err(rel: &str) -> impl FnOnce(io::Error) -> MigrateError + '_ {
        move |source| MigrateError::Read {
            path: rel.to_owned(),
            source,
        }
    }

    pub fn write_err<'a>(&'a self, rel: &'a str) -> impl FnOnce(io::Error) -> MigrateError + 'a {
        move |source| MigrateError::Write {
            path: rel.to_owned(),
            backup: self.backup_label.clone(),
            source,
        }
    }

    pub fn backup_err(&self) -> impl Fn(io::Error) -> MigrateError + '_ {
        move |e| MigrateError::Backup {
            path: self.backup.path().to_path_buf(),
            why: e.to_string(),
        }
    }

    /// Backs up the regular file `rel` as `files/<rel>`: a hard link when `link` is
    /// allowed and works, else a copy (hashed on the way). Returns its record.
    fn back_up(&mut self, rel: &str, link: bool) -> Result<FileRecord> {
        let st = self
            .dir
            .stat(rel)
            .map_err(Self::read_err(rel))?
            .ok_or_else(|| MigrateError::Read {
                path: rel.to_owned(),
                source: io::Error::new(
                    io::ErrorKind::NotFound,
                    "it disappeared since the plan was made",
                ),
            })?;
        if tree::kind_of(&st) != Kind::File {
            return Err(MigrateError::Read {
                path: rel.to_owned(),
                source: io::Error::other("not a regular file"),
            });
        }
        let owner = owner_of(&st);
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
        let dest = format!("files/{rel}");
        self.backup
            .mkdir_all(parent_rel(&dest))
            .map_err(self.backup_err())?;
        // No leftover to replace: a restarted backup starts from an empty `files/`.
        let (mut file, st) = self.dir.open_read(rel).map_err(Self::read_err(rel))?;
        let mut linked = false;
        if link && self.can_link {
            match self.dir.link_to(rel, &mut self.backup, &dest) {
                Ok(()) => linked = true,
                // Another file system, or links refused: copies from now on.
                Err(_) => self.can_link = false,
            }
        }
        let sha256 = if linked {
            tree::hash_stream(&mut file).map_err(Self::read_err(rel))?
        } else {
            // Never write into an existing inode: a name already there (a hard link
            // made earlier) is unlinked first, so a copy is always a new file.
            match self.backup.unlink(&dest) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(self.backup_err()(e));
                }
                _ => {}
            }
            let mut copy = |out: &mut dyn io::Write| -> io::Result<()> {
                io::copy(&mut file, out).map(|_| ())
            };
            let (h, _) = self
                .backup
                .create(&dest, own_file(), &mut copy)
                .map_err(self.backup_err())?;
            h
        };
        let id = Identity::of(&st);
        Ok(FileRecord {
            sha256,
            size: id.size,
            mode: owner.mode,
            uid: owner.uid,
            gid: owner.gid,
            ino: id.ino,
            mtime_s: id.mtime_s,
            mtime_ns: id.mtime_ns,
            link: linked,
        })
    }
}

/// Owner and mode of the backup's own files: the running user's, private.
pub(crate) fn own_file() -> Owner {
    use std::os::unix::fs::MetadataExt;
    let (uid, gid) = std::fs::metadata("/proc/self")
        .map(|m| (m.uid(), m.gid()))
        .unwrap_or((0, 0));
    Owner {
        mode: 0o600,
        uid,
        gid,
    }
}

/// Builds, backs up and prepares every step of `plan`, writing the manifest.
/// Returns the number of steps.
pub(crate) fn back_up_plan(
    t: &mut Trees,
    plan: &Plan,
    manifest: &mut ManifestWriter,
    progress: &mut dyn Progress,
    crash: &mut Crash,
) -> Result<usize> {
    let mut made_dirs: HashSet<String> = HashSet::new();
    let mut steps = 0usize;
    progress.phase("backup", plan.len() as u64);
    for op in plan.operations() {
        let n = back_up_op(t, &op, manifest, &mut made_dirs)?;
        steps += n;
        progress.inc();
        // One action per step, as the apply phase counts them.
        for _ in 0..n {
            crash.tick();
        }
    }
    progress.done();
    Ok(steps)
}

fn back_up_op(
    t: &mut Trees,
    op: &Op<'_>,
    manifest: &mut ManifestWriter,
    made_dirs: &mut HashSet<String>,
) -> Result<usize> {
    let path = op.path().file_path();
    let to = op.to().map(|p| p.file_path());
    let backup_path = t.backup.path().to_path_buf();
    let write_err = |e: io::Error| MigrateError::Backup {
        path: backup_path.clone(),
        why: e.to_string(),
    };
    if op.is_dir() {
        let st = t.dir.stat(&path).map_err(Trees::read_err(&path))?;
        let Some(st) = st.filter(|s| tree::kind_of(s) == Kind::Dir) else {
            return Ok(0);
        };
        manifest
            .step(&Step {
                step: StepKind::Rmdir,
                path,
                to: None,
                action: op.kind().as_str().into(),
                original: None,
                target_original: None,
                new: None,
                dir: Some(owner_of(&st)),
            })
            .map_err(write_err)?;
        return Ok(1);
    }
    let mut steps = 0;
    let target = to.clone().unwrap_or_else(|| path.clone());
    // Folders the target needs, created like their source counterparts.
    if to.is_some() {
        let mut missing = Vec::new();
        let mut p = parent_rel(&target).to_owned();
        let mut src_parent = parent_rel(&path).to_owned();
        while !p.is_empty() && !made_dirs.contains(&p) {
            if t.dir.stat(&p).map_err(Trees::read_err(&p))?.is_some() {
                break;
            }
            let owner = t
                .dir
                .stat(&src_parent)
                .ok()
                .flatten()
                .map(|s| owner_of(&s))
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
            manifest
                .step(&Step {
                    step: StepKind::Mkdir,
                    path: p,
                    to: None,
                    action: "mkdir".into(),
                    original: None,
                    target_original: None,
                    new: None,
                    dir: Some(owner),
                })
                .map_err(write_err)?;
            steps += 1;
        }
    }
    let content = op.content();
    // The original's inode leaves DIR (replaced or unlinked) unless it is renamed
    // unchanged: only then must the backup be a copy.
    let leaves = content.is_some() || op.kind() == OpKind::Delete || to.is_none();
    let original = t.back_up(&path, leaves)?;
    let target_original = match (&to, content) {
        (Some(to), Some(_)) if t.dir.stat(to).map_err(Trees::read_err(to))?.is_some() => {
            Some(t.back_up(to, true)?)
        }
        _ => None,
    };
    let kind = match (content, op.kind()) {
        (Some(_), _) => StepKind::Write,
        (None, OpKind::Rename) => StepKind::Rename,
        (None, _) => StepKind::Delete,
    };
    let owner = target_original.as_ref().unwrap_or(&original).owner();
    manifest
        .step(&Step {
            step: kind,
            path: path.clone(),
            to,
            action: op.kind().as_str().into(),
            original: Some(original),
            target_original,
            new: None,
            dir: None,
        })
        .map_err(write_err)?;
    if let Some(content) = content {
        // The step is on record before its temporary file exists, so that a restart
        // or a restore finds and removes it.
        manifest.flush().map_err(write_err)?;
        let temp = tree::temp_rel(&path);
        let (mut input, _) = t.dir.open_read(&path).map_err(Trees::read_err(&path))?;
        input
            .seek(SeekFrom::Start(0))
            .map_err(Trees::read_err(&path))?;
        let mut reader = BufReader::with_capacity(64 * 1024, &mut input as &mut File);
        let mut produce = |out: &mut dyn io::Write| content.produce(&mut reader, out);
        let (sha256, size) =
            t.dir
                .create(&temp, owner, &mut produce)
                .map_err(|source| MigrateError::Write {
                    path: path.clone(),
                    backup: t.backup_label.clone(),
                    source,
                })?;
        let ino = t
            .dir
            .stat(&temp)
            .map_err(Trees::read_err(&temp))?
            .map_or(0, |s| s.st_ino);
        manifest
            .new_content(NewRecord { sha256, size, ino })
            .map_err(write_err)?;
    }
    Ok(steps + 1)
}
