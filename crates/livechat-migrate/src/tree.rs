//! File operations below a root folder through folder descriptors, never following a
//! symbolic link: what the executor uses to touch the data directory and its backup.
//!
//! Every folder on a path is opened component by component with `O_NOFOLLOW`, so a
//! symbolic link anywhere on the way is refused rather than followed out of the root,
//! and the last component is reached with `*at` calls that do not follow it either.
//! Opened folders are cached (the executor works folder by folder), so a file costs
//! one or two system calls, not one per component. Nothing here decides what to
//! change; every relative path passes [`crate::fsutil::join`]'s component checks.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, Mode, OFlags, Stat};

use crate::fsutil::{HashWriter, Owner, parent_rel};

/// Folders kept open at most; the cache is emptied past it.
const CACHE: usize = 1024;

/// Who a file is, cheaply: what `stat` says without reading it. A file whose inode,
/// size and modification time are unchanged is taken as unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    pub ino: u64,
    pub size: u64,
    pub mtime_s: i64,
    pub mtime_ns: u32,
}

impl Identity {
    pub fn of(st: &Stat) -> Identity {
        Identity {
            ino: st.st_ino,
            size: u64::try_from(st.st_size).unwrap_or(0),
            mtime_s: st.st_mtime,
            mtime_ns: u32::try_from(st.st_mtime_nsec).unwrap_or(0),
        }
    }
}

/// The owner and mode of a `stat`.
pub fn owner_of(st: &Stat) -> Owner {
    Owner {
        mode: st.st_mode & 0o7777,
        uid: st.st_uid,
        gid: st.st_gid,
    }
}

/// What is at a path, without following a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    /// A symbolic link or a special file: never touched.
    Other,
}

pub fn kind_of(st: &Stat) -> Kind {
    match rustix::fs::FileType::from_raw_mode(st.st_mode) {
        rustix::fs::FileType::RegularFile => Kind::File,
        rustix::fs::FileType::Directory => Kind::Dir,
        _ => Kind::Other,
    }
}

/// A root folder and a cache of the folders opened below it.
#[derive(Debug)]
pub struct Tree {
    root: OwnedFd,
    path: PathBuf,
    dirs: HashMap<String, OwnedFd>,
}

fn split(rel: &str) -> (&str, &str) {
    let rel = rel.trim_end_matches('/');
    match rel.rfind('/') {
        Some(i) => (&rel[..i], &rel[i + 1..]),
        None => ("", rel),
    }
}

fn check(name: &str) -> io::Result<()> {
    livechat_schema::names::safe_component(name)
        .map(|_| ())
        .map_err(|why| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unsafe path component {name:?}: {why}"),
            )
        })
}

impl Tree {
    /// Opens `path` (a folder; it is the one place a link is followed, as the user
    /// named it).
    pub fn open(path: &Path) -> io::Result<Tree> {
        let root = rustix::fs::open(
            path,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Tree {
            root,
            path: path.to_path_buf(),
            dirs: HashMap::new(),
        })
    }

    /// The root's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The root's descriptor.
    pub fn root_fd(&self) -> BorrowedFd<'_> {
        self.root.as_fd()
    }

    /// Opens the folder at `rel` (`""` is the root) without following any link, and
    /// caches it; when the cache is full it is emptied, except for `keep`.
    fn ensure(&mut self, rel: &str, keep: &str) -> io::Result<()> {
        if rel.is_empty() || self.dirs.contains_key(rel) {
            return Ok(());
        }
        let (parent, name) = split(rel);
        check(name)?;
        self.ensure(parent, keep)?;
        let fd = rustix::fs::openat(
            self.fd(parent)?,
            name,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| match e {
            rustix::io::Errno::NOTDIR | rustix::io::Errno::LOOP => io::Error::other(format!(
                "{rel} is not a folder (or is a symbolic link, not followed)"
            )),
            e => e.into(),
        })?;
        if self.dirs.len() >= CACHE {
            self.dirs.retain(|k, _| k == keep);
        }
        self.dirs.insert(rel.to_owned(), fd);
        Ok(())
    }

    /// The cached descriptor of the folder `rel`.
    fn fd(&self, rel: &str) -> io::Result<BorrowedFd<'_>> {
        if rel.is_empty() {
            return Ok(self.root.as_fd());
        }
        self.dirs
            .get(rel)
            .map(AsFd::as_fd)
            .ok_or_else(|| io::Error::other(format!("{rel} is not open")))
    }

    /// The folder at `rel` (`""` is the root), opened without following any link.
    pub fn dir(&mut self, rel: &str) -> io::Result<BorrowedFd<'_>> {
        self.ensure(rel, "")?;
        self.fd(rel)
    }

    /// Forgets the cached folder `rel` and those below it (after it was removed).
    pub fn forget(&mut self, rel: &str) {
        let rel = rel.trim_end_matches('/');
        let prefix = format!("{rel}/");
        self.dirs.retain(|k, _| k != rel && !k.starts_with(&prefix));
    }

    /// `lstat` of `rel`: `None` when nothing is there (or a folder on the way is
    /// missing).
    pub fn stat(&mut self, rel: &str) -> io::Result<Option<Stat>> {
        let (parent, name) = split(rel);
        check(name)?;
        let d = match self.dir(parent) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        match rustix::fs::statat(d, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some(st)),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Opens the regular file at `rel` for reading (a link is refused).
    pub fn open_read(&mut self, rel: &str) -> io::Result<(File, Stat)> {
        let (parent, name) = split(rel);
        check(name)?;
        let d = self.dir(parent)?;
        let fd = rustix::fs::openat(
            d,
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        let st = rustix::fs::fstat(&fd)?;
        if kind_of(&st) != Kind::File {
            return Err(io::Error::other(format!("{rel} is not a regular file")));
        }
        Ok((File::from(fd), st))
    }

    /// Creates (or truncates) a file at `rel` with the given owner and mode, and
    /// streams `write` into it; returns the sha256 and size of what was written. No
    /// fsync: the caller makes batches durable with one `syncfs`.
    pub fn create(
        &mut self,
        rel: &str,
        owner: Owner,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<(String, u64)> {
        let (parent, name) = split(rel);
        check(name)?;
        let d = self.dir(parent)?;
        let fd = rustix::fs::openat(
            d,
            name,
            OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )?;
        let result = (|| {
            let file = File::from(fd);
            let mut out = HashWriter::new(io::BufWriter::with_capacity(64 * 1024, file));
            write(&mut out)?;
            let len = out.len();
            let (hash, buf) = out.finish();
            let file = buf.into_inner().map_err(|e| e.into_error())?;
            set_owner(&file, owner)?;
            Ok((hash, len))
        })();
        if result.is_err() {
            // Nothing half-written stays behind.
            let _ = self.unlink(rel);
        }
        result
    }

    /// Renames `from` to `to` (both below the root).
    pub fn rename(&mut self, from: &str, to: &str) -> io::Result<()> {
        let (fp, fname) = split(from);
        let (tp, tname) = split(to);
        check(fname)?;
        check(tname)?;
        self.ensure(fp, "")?;
        self.ensure(tp, fp)?;
        rustix::fs::renameat(self.fd(fp)?, fname, self.fd(tp)?, tname).map_err(Into::into)
    }

    /// Removes the file at `rel`.
    pub fn unlink(&mut self, rel: &str) -> io::Result<()> {
        let (parent, name) = split(rel);
        check(name)?;
        let d = self.dir(parent)?;
        rustix::fs::unlinkat(d, name, AtFlags::empty()).map_err(Into::into)
    }

    /// Removes the empty folder at `rel`.
    pub fn rmdir(&mut self, rel: &str) -> io::Result<()> {
        let (parent, name) = split(rel);
        check(name)?;
        self.forget(rel);
        let d = self.dir(parent)?;
        rustix::fs::unlinkat(d, name, AtFlags::REMOVEDIR).map_err(Into::into)
    }

    /// Creates the folder at `rel` with the given owner and mode.
    pub fn mkdir(&mut self, rel: &str, owner: Owner) -> io::Result<()> {
        let (parent, name) = split(rel);
        check(name)?;
        let d = self.dir(parent)?;
        rustix::fs::mkdirat(d, name, Mode::from_raw_mode(0o700))?;
        // Owner first, then the mode (a chown may clear set-id bits).
        let d = self.dir(parent)?;
        rustix::fs::chownat(
            d,
            name,
            Some(rustix::fs::Uid::from_raw(owner.uid)),
            Some(rustix::fs::Gid::from_raw(owner.gid)),
            AtFlags::SYMLINK_NOFOLLOW,
        )?;
        let d = self.dir(parent)?;
        rustix::fs::chmodat(d, name, Mode::from_raw_mode(owner.mode), AtFlags::empty())
            .map_err(Into::into)
    }

    /// Sets the owner and mode of the file at `rel`.
    pub fn set_owner(&mut self, rel: &str, owner: Owner) -> io::Result<()> {
        let (file, _) = self.open_read(rel)?;
        set_owner(&file, owner)
    }

    /// Hard-links the file `rel` of this tree to `dst_rel` of `dst` (the same file
    /// system); fails with `EXDEV` across file systems.
    pub fn link_to(&mut self, rel: &str, dst: &mut Tree, dst_rel: &str) -> io::Result<()> {
        let (parent, name) = split(rel);
        let (dp, dname) = split(dst_rel);
        check(name)?;
        check(dname)?;
        self.ensure(parent, "")?;
        dst.ensure(dp, "")?;
        rustix::fs::linkat(self.fd(parent)?, name, dst.fd(dp)?, dname, AtFlags::empty())
            .map_err(Into::into)
    }

    /// Creates the folders of `rel` below the root that are missing (private to the
    /// running user: this is for the backup folder).
    pub fn mkdir_all(&mut self, rel: &str) -> io::Result<()> {
        if rel.is_empty() || self.dirs.contains_key(rel) {
            return Ok(());
        }
        match self.ensure(rel, "") {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let (parent, name) = split(rel);
        self.mkdir_all(parent)?;
        check(name)?;
        let d = self.dir(parent)?;
        match rustix::fs::mkdirat(d, name, Mode::from_raw_mode(0o700)) {
            Ok(()) | Err(rustix::io::Errno::EXIST) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// `syncfs(2)` of the file system holding the root.
    pub fn syncfs(&self) -> io::Result<()> {
        let f = rustix::fs::open(
            &self.path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        rustix::fs::syncfs(&f).map_err(Into::into)
    }

    /// The device of the root (two trees on one device can share hard links).
    pub fn dev(&self) -> io::Result<u64> {
        Ok(rustix::fs::fstat(&self.root)?.st_dev)
    }
}

/// Sets the owner and mode of an open file.
pub fn set_owner(file: &File, owner: Owner) -> io::Result<()> {
    rustix::fs::fchown(
        file,
        Some(rustix::fs::Uid::from_raw(owner.uid)),
        Some(rustix::fs::Gid::from_raw(owner.gid)),
    )?;
    rustix::fs::fchmod(file, Mode::from_raw_mode(owner.mode)).map_err(Into::into)
}

/// Streams `input` to `out` (up to the end), returning the sha256 of what was read.
pub fn copy_hashing(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<String> {
    let mut w = HashWriter::new(out);
    io::copy(input, &mut w)?;
    Ok(w.finish().0)
}

/// The sha256 of a whole stream.
pub fn hash_stream(input: &mut dyn Read) -> io::Result<String> {
    copy_hashing(input, &mut io::sink())
}

/// The name of the temporary sibling of `rel` used for its new content.
pub fn temp_rel(rel: &str) -> String {
    let (parent, name) = split(rel);
    crate::fsutil::rel_join(parent, &format!(".{name}.livechat-tmp"))
}

/// `parent_rel` re-exported for the executor's folder bookkeeping.
pub fn parent(rel: &str) -> &str {
    parent_rel(rel)
}
