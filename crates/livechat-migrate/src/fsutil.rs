//! Low-level file-system helpers: path joining under DIR with symlink checks,
//! content hashes, atomic writes that keep owner and mode, and folder fsyncs.
//!
//! Nothing here decides what to change; it only does it safely. Every path given
//! here is relative to the data directory with `/` separators, and each of its
//! components must pass [`livechat_schema::names::safe_component`].

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Joins a relative `/`-separated path to `root`, refusing any component that is
/// not a single safe name (so no `..`, no absolute path).
pub fn join(root: &Path, rel: &str) -> io::Result<PathBuf> {
    let mut out = root.to_path_buf();
    for comp in rel.trim_end_matches('/').split('/') {
        livechat_schema::names::safe_component(comp).map_err(|why| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unsafe path component {comp:?}: {why}"),
            )
        })?;
        out.push(comp);
    }
    Ok(out)
}

/// What is at `rel` below `root`, without following any symbolic link: `None` when
/// nothing is there. Fails when a folder on the way is a symbolic link (so a link
/// can never lead out of the data directory) or not a folder.
pub fn lstat(root: &Path, rel: &str) -> io::Result<Option<Metadata>> {
    let path = join(root, rel)?;
    let mut cur = root.to_path_buf();
    let comps: Vec<&str> = rel.trim_end_matches('/').split('/').collect();
    for comp in &comps[..comps.len().saturating_sub(1)] {
        cur.push(comp);
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(io::Error::other(format!(
                    "{} is a symbolic link, not followed",
                    cur.display()
                )));
            }
            Ok(m) if !m.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    format!("{} is not a folder", cur.display()),
                ));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        }
    }
    match fs::symlink_metadata(&path) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads a regular file at `rel`, refusing symbolic links; `None` when absent.
pub fn read_regular(root: &Path, rel: &str) -> io::Result<Option<Vec<u8>>> {
    match lstat(root, rel)? {
        None => Ok(None),
        Some(m) if m.file_type().is_symlink() => Err(io::Error::other(format!(
            "{rel} is a symbolic link, not followed"
        ))),
        Some(m) if !m.is_file() => Err(io::Error::other(format!("{rel} is not a regular file"))),
        Some(_) => fs::read(join(root, rel)?).map(Some),
    }
}

/// The sha256 of some bytes, in lower-case hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Owner, group and permission bits of a file or folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Owner {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

impl Owner {
    pub fn of(m: &Metadata) -> Owner {
        Owner {
            mode: m.mode() & 0o7777,
            uid: m.uid(),
            gid: m.gid(),
        }
    }
}

/// The temporary name used for an atomic write of `path`: a hidden sibling, fixed
/// so that a crashed run's leftover is overwritten (not multiplied) by the next.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.livechat-tmp"))
}

/// Writes `content` to `path` atomically: a temporary file in the same folder,
/// owner/group/mode set, fsync, rename over `path`. The caller fsyncs the folder
/// (see [`fsync_dir`]), so that many writes in one folder share one fsync.
pub fn atomic_write(path: &Path, content: &[u8], owner: Owner) -> io::Result<()> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(content)?;
        std::os::unix::fs::fchown(&f, Some(owner.uid), Some(owner.gid))?;
        f.set_permissions(fs::Permissions::from_mode(owner.mode))?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        // Nothing half-done: the target is untouched, and the partial temp file goes.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Creates a folder with the given owner and mode (no error when it exists).
pub fn mkdir_owned(path: &Path, owner: Owner) -> io::Result<()> {
    match fs::create_dir(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(e),
    }
    std::os::unix::fs::chown(path, Some(owner.uid), Some(owner.gid))?;
    fs::set_permissions(path, fs::Permissions::from_mode(owner.mode))
}

/// Writes `content` to the temporary sibling of `path` with the given owner and mode,
/// without fsync: the caller makes a whole batch durable with [`syncfs`] before
/// renaming the temporary files into place.
pub fn write_temp(path: &Path, content: &[u8], owner: Owner) -> io::Result<()> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(content)?;
        std::os::unix::fs::fchown(&f, Some(owner.uid), Some(owner.gid))?;
        f.set_permissions(fs::Permissions::from_mode(owner.mode))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Makes everything written to the file system holding `path` durable (`syncfs(2)`).
pub fn syncfs(path: &Path) -> io::Result<()> {
    let f = File::open(path)?;
    rustix::fs::syncfs(&f).map_err(io::Error::from)
}

/// fsyncs a folder, making the renames and unlinks in it durable.
pub fn fsync_dir(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

/// The folder part of a relative path (`""` for a top-level entry).
pub fn parent_rel(rel: &str) -> &str {
    match rel.trim_end_matches('/').rfind('/') {
        Some(i) => &rel[..i],
        None => "",
    }
}

/// A folder's listing: safe entries with their metadata, and unsafe names.
pub type Listing = (Vec<(String, Metadata)>, Vec<String>);

/// The entries of a folder below `root`, sorted by name, as `(name, metadata)`
/// without following links. Names that are not UTF-8 or not safe path components
/// are returned in the second list (never joined to a path).
pub fn list_dir(root: &Path, rel: &str) -> io::Result<Listing> {
    let dir = if rel.is_empty() {
        root.to_path_buf()
    } else {
        join(root, rel)?
    };
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for entry in fs::read_dir(&dir)? {
        let entry = entry?;
        let name = entry.file_name();
        match name.to_str() {
            // The executor's own temporary files (left by a run stopped before its
            // commit point, removed when it restarts): never planned for.
            Some(n) if is_temp_name(n) => {}
            Some(n) if livechat_schema::names::safe_component(n).is_ok() => {
                let m = fs::symlink_metadata(entry.path())?;
                ok.push((n.to_owned(), m));
            }
            _ => bad.push(name.to_string_lossy().into_owned()),
        }
    }
    ok.sort_by(|a, b| a.0.cmp(&b.0));
    bad.sort();
    Ok((ok, bad))
}

/// Whether a name is one of the executor's temporary files (`.<name>.livechat-tmp`).
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".livechat-tmp")
}

/// Joins a folder's relative path and a name.
pub fn rel_join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// A writer that hashes (sha256) what goes through it.
#[derive(Debug)]
pub struct HashWriter<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> HashWriter<W> {
    pub fn new(inner: W) -> Self {
        HashWriter {
            inner,
            hasher: Sha256::new(),
            len: 0,
        }
    }

    /// The bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The hash in lower-case hex, and the inner writer.
    pub fn finish(self) -> (String, W) {
        (hex(&self.hasher.finalize()), self.inner)
    }
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn hex(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(digest.len() * 2);
    for &b in digest {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}
