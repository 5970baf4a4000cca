//! The backup folder's two records, both written and read as streams of lines so
//! that no migration holds its list of steps in memory:
//!
//! - `journal`: a JSON header line (format, command, data directory), then events:
//!   `manifest <steps>` (the commit point: the backup is complete and durable),
//!   `batch <end>` (every step before `end` is done and durable), `complete`,
//!   `restored`. A line cut by a crash is ignored.
//! - `manifest.jsonl`: a JSON header line, then one line per step (what it does and
//!   the file as it was: hash, size, owner, mode, identity, how it is backed up),
//!   each write step followed by a `{"new":...}` line once its new content is
//!   prepared (hash, size, inode of the temporary file). Never any content.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{MigrateError, Result};
use crate::fsutil::Owner;
use crate::plan::Command;
use crate::tree::Identity;

/// The format of journals and manifests written by this version.
pub const FORMAT: &str = "livechat-data-journal/2";

pub(crate) fn backup_err(backup: &Path) -> impl Fn(io::Error) -> MigrateError + '_ {
    move |e| MigrateError::Backup {
        path: backup.to_path_buf(),
        why: e.to_string(),
    }
}

/// The first line of a journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalHeader {
    pub format: String,
    #[serde(flatten)]
    pub command: Command,
    pub data_dir: PathBuf,
}

/// A journal's state.
#[derive(Debug, Clone)]
pub struct JournalState {
    pub header: JournalHeader,
    /// The manifest is complete and durable (the number of its steps).
    pub manifest: Option<usize>,
    /// Every step before this one is done and durable.
    pub done_before: usize,
    pub complete: bool,
    pub restored: bool,
}

impl JournalState {
    /// Whether the backup was committed (DIR may have changed since).
    pub fn has_manifest(&self) -> bool {
        self.manifest.is_some()
    }
}

/// Reads the journal of a backup folder.
pub fn read_journal(backup: &Path) -> Result<JournalState> {
    let path = backup.join("journal");
    let file = File::open(&path).map_err(|e| MigrateError::Backup {
        path: backup.to_path_buf(),
        why: format!("cannot read its journal: {e}"),
    })?;
    let mut lines = BufReader::new(file).lines();
    let first = lines.next().transpose().map_err(backup_err(backup))?;
    let header: JournalHeader = first
        .as_deref()
        .and_then(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| MigrateError::Backup {
            path: backup.to_path_buf(),
            why: "its journal has no valid header".into(),
        })?;
    if header.format != FORMAT {
        return Err(MigrateError::Backup {
            path: backup.to_path_buf(),
            why: format!(
                "its journal is in format {:?}, this version reads {FORMAT:?}",
                header.format
            ),
        });
    }
    let mut st = JournalState {
        header,
        manifest: None,
        done_before: 0,
        complete: false,
        restored: false,
    };
    for line in lines {
        let line = line.map_err(backup_err(backup))?;
        match line.split_once(' ') {
            Some(("manifest", n)) => st.manifest = n.parse().ok().or(st.manifest),
            Some(("batch", n)) => {
                if let Ok(n) = n.parse::<usize>() {
                    st.done_before = st.done_before.max(n);
                }
            }
            _ if line == "complete" => st.complete = true,
            _ if line == "restored" => st.restored = true,
            _ => {}
        }
    }
    Ok(st)
}

/// The journal, open for appending events.
#[derive(Debug)]
pub struct Journal {
    file: File,
}

impl Journal {
    /// Creates the journal of a new backup folder with its header, durably.
    pub fn create(backup: &Path, header: &JournalHeader) -> io::Result<Journal> {
        let head = serde_json::to_string(header).map_err(io::Error::other)?;
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(backup.join("journal"))?;
        file.write_all(format!("{head}\n").as_bytes())?;
        file.sync_all()?;
        crate::fsutil::fsync_dir(backup)?;
        Ok(Journal { file })
    }

    pub fn open(backup: &Path) -> io::Result<Journal> {
        let file = OpenOptions::new()
            .append(true)
            .open(backup.join("journal"))?;
        Ok(Journal { file })
    }

    /// Appends an event and makes it durable.
    pub fn event(&mut self, s: &str) -> io::Result<()> {
        self.file.write_all(format!("{s}\n").as_bytes())?;
        self.file.sync_data()
    }
}

/// A file as it was before the migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub sha256: String,
    pub size: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub ino: u64,
    pub mtime_s: i64,
    pub mtime_ns: u32,
    /// The backup `files/<path>` is a hard link to the original itself (else a copy).
    pub link: bool,
}

impl FileRecord {
    pub fn owner(&self) -> Owner {
        Owner {
            mode: self.mode,
            uid: self.uid,
            gid: self.gid,
        }
    }

    pub fn identity(&self) -> Identity {
        Identity {
            ino: self.ino,
            size: self.size,
            mtime_s: self.mtime_s,
            mtime_ns: self.mtime_ns,
        }
    }
}

/// The primitive steps the executor performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// Create a folder the migration needs (removed again by restore).
    Mkdir,
    /// Put the prepared new content (the temporary sibling of `path`) at `to` (or
    /// `path`); then remove `path` if it differs.
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
    /// The file at `path` before the migration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<FileRecord>,
    /// The file at `to` before the migration, when a write replaces it (a merge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_original: Option<FileRecord>,
    /// The new content, once prepared (from the `{"new":...}` line that follows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<NewRecord>,
    /// Mode and owner of a folder created or removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<Owner>,
}

impl Step {
    pub fn target(&self) -> &str {
        self.to.as_deref().unwrap_or(&self.path)
    }
}

/// The prepared new content of a write step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRecord {
    pub sha256: String,
    pub size: u64,
    /// The inode of the temporary file, which the step renames into place.
    pub ino: u64,
}

/// The line that follows a write step once its content is prepared.
#[derive(Debug, Serialize, Deserialize)]
struct NewLine {
    new: NewRecord,
}

/// The first line of `manifest.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestHeader {
    pub format: String,
    #[serde(flatten)]
    pub command: Command,
    pub data_dir: PathBuf,
    pub created: String,
}

pub const MANIFEST: &str = "manifest.jsonl";

/// Writes `manifest.jsonl` line by line.
#[derive(Debug)]
pub struct ManifestWriter {
    out: BufWriter<File>,
}

impl ManifestWriter {
    pub fn create(backup: &Path, header: &ManifestHeader) -> io::Result<ManifestWriter> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(backup.join(MANIFEST))?;
        let mut w = ManifestWriter {
            out: BufWriter::with_capacity(256 * 1024, file),
        };
        w.line(header)?;
        w.flush()?;
        Ok(w)
    }

    fn line<T: Serialize>(&mut self, v: &T) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, v).map_err(io::Error::other)?;
        self.out.write_all(b"\n")
    }

    pub fn step(&mut self, s: &Step) -> io::Result<()> {
        self.line(s)
    }

    pub fn new_content(&mut self, n: NewRecord) -> io::Result<()> {
        self.line(&NewLine { new: n })
    }

    /// Hands what is buffered to the kernel (a killed process loses nothing written
    /// before).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn manifest_err(backup: &Path, line: usize, e: &dyn std::fmt::Display) -> MigrateError {
    MigrateError::Backup {
        path: backup.to_path_buf(),
        why: format!("its manifest is unreadable at line {line}: {e}"),
    }
}

/// Reads `manifest.jsonl` forward: the header, then the steps one by one (a step's
/// `new` line merged into it). A line cut by a crash ends the steps.
#[derive(Debug)]
pub struct ManifestReader {
    lines: io::Lines<BufReader<File>>,
    backup: PathBuf,
    line: usize,
    pending: Option<Step>,
    pub header: ManifestHeader,
}

impl ManifestReader {
    pub fn open(backup: &Path) -> Result<ManifestReader> {
        let file = File::open(backup.join(MANIFEST)).map_err(backup_err(backup))?;
        let mut lines = BufReader::with_capacity(256 * 1024, file).lines();
        let first = lines
            .next()
            .transpose()
            .map_err(backup_err(backup))?
            .unwrap_or_default();
        let header: ManifestHeader =
            serde_json::from_str(&first).map_err(|e| manifest_err(backup, 1, &e))?;
        Ok(ManifestReader {
            lines,
            backup: backup.to_path_buf(),
            line: 1,
            pending: None,
            header,
        })
    }

    /// The next step, or `None` at the end (or at a line cut by a crash).
    pub fn next_step(&mut self) -> Result<Option<Step>> {
        loop {
            let Some(line) = self.lines.next() else {
                return Ok(self.pending.take());
            };
            let line = line.map_err(backup_err(&self.backup))?;
            self.line += 1;
            if let Ok(n) = serde_json::from_str::<NewLine>(&line) {
                if let Some(p) = &mut self.pending {
                    p.new = Some(n.new);
                }
                continue;
            }
            match serde_json::from_str::<Step>(&line) {
                Ok(step) => {
                    if let Some(prev) = self.pending.replace(step) {
                        return Ok(Some(prev));
                    }
                }
                // A last line cut by a crash: the steps end before it.
                Err(_) if !line.ends_with('}') => return Ok(self.pending.take()),
                Err(e) => return Err(manifest_err(&self.backup, self.line, &e)),
            }
        }
    }
}

/// Reads the steps of `manifest.jsonl` backwards (for restore), a block at a time,
/// so that memory does not grow with the manifest. `new` lines are skipped.
#[derive(Debug)]
pub struct ReverseSteps {
    file: File,
    backup: PathBuf,
    /// Bytes of the file not read yet: `[0, pos)`.
    pos: u64,
    /// The start of the last line not yet returned, carried between blocks.
    carry: Vec<u8>,
    /// Complete lines of the current block, last first.
    ready: Vec<Vec<u8>>,
    header_end: u64,
}

impl ReverseSteps {
    pub fn open(backup: &Path) -> Result<ReverseSteps> {
        let mut file = File::open(backup.join(MANIFEST)).map_err(backup_err(backup))?;
        let len = file.seek(SeekFrom::End(0)).map_err(backup_err(backup))?;
        // The header line is read forward once; the steps stop before it.
        file.seek(SeekFrom::Start(0)).map_err(backup_err(backup))?;
        let mut first = Vec::new();
        BufReader::new(&mut file)
            .read_until(b'\n', &mut first)
            .map_err(backup_err(backup))?;
        Ok(ReverseSteps {
            file,
            backup: backup.to_path_buf(),
            pos: len,
            carry: Vec::new(),
            ready: Vec::new(),
            header_end: first.len() as u64,
        })
    }

    fn next_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(l) = self.ready.pop() {
                return Ok(Some(l));
            }
            if self.pos <= self.header_end {
                if self.carry.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(std::mem::take(&mut self.carry)));
            }
            let start = self.pos.saturating_sub(64 * 1024).max(self.header_end);
            let mut block = vec![0u8; usize::try_from(self.pos - start).unwrap_or(0)];
            self.file.seek(SeekFrom::Start(start))?;
            self.file.read_exact(&mut block)?;
            self.pos = start;
            block.extend_from_slice(&self.carry);
            let mut parts: Vec<Vec<u8>> =
                block.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            // The first part may continue in the previous block (unless at the header).
            self.carry = if self.pos > self.header_end {
                parts.remove(0)
            } else {
                Vec::new()
            };
            self.ready = parts.into_iter().filter(|p| !p.is_empty()).collect();
        }
    }

    /// The previous step, or `None` before the first.
    pub fn prev_step(&mut self) -> Result<Option<Step>> {
        while let Some(line) = self.next_line().map_err(backup_err(&self.backup))? {
            if serde_json::from_slice::<NewLine>(&line).is_ok() {
                continue;
            }
            match serde_json::from_slice::<Step>(&line) {
                Ok(s) => return Ok(Some(s)),
                // The last line cut by a crash.
                Err(_) if !line.ends_with(b"}") => continue,
                Err(e) => {
                    return Err(MigrateError::Backup {
                        path: self.backup.clone(),
                        why: format!("its manifest is unreadable: {e}"),
                    });
                }
            }
        }
        Ok(None)
    }
}

/// Removes what a backup folder holds besides its journal (a backup restarted
/// before its commit point).
pub fn clear_uncommitted(backup: &Path) -> io::Result<()> {
    let files = backup.join("files");
    if files.exists() {
        fs::remove_dir_all(&files)?;
    }
    match fs::remove_file(backup.join(MANIFEST)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}
