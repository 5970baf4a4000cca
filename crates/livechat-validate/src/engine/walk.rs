//! The walk of the data directory: lists every path to check, never writing, never
//! following a symbolic link out of the directory, never descending into Prosody's
//! folders.
//!
//! Symbolic links: a link whose target (fully resolved) lies inside the data
//! directory and is a regular file is followed, and the file is checked under the
//! link's path (the plugin would read it through the link). A link to a directory
//! is not followed (that could loop or count files twice) and is reported
//! `not-a-file`; a link out of the directory is reported `symlink-outside` and never
//! opened; a dangling or looping link is reported `unreadable`. The walk only
//! lists: it reads no file's contents.

use std::fs;
use std::path::{Path, PathBuf};

use livechat_schema::Entry;
use livechat_schema::registry::{classify, is_prosody_dir};

/// One path the walk found.
#[derive(Debug)]
pub enum Item {
    /// A regular file to check. `target` is set when the file was reached through a
    /// link inside the directory (the resolved file); otherwise the file is the data
    /// directory joined with `rel` (not stored: 100,000 paths are memory).
    File {
        rel: Box<str>,
        target: Option<Box<Path>>,
    },
    /// Something that is not a regular file to check: reported as is (boxed: items
    /// are many, problems few).
    Problem(Box<Problem>),
}

/// A path reported without being read.
#[derive(Debug)]
pub struct Problem {
    pub rel: String,
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
}

impl Item {
    /// The path relative to the data directory.
    pub fn rel(&self) -> &str {
        match self {
            Item::File { rel, .. } => rel,
            Item::Problem(p) => &p.rel,
        }
    }
}

/// Lists the data directory `root` (`root_canon` is its canonical path).
pub fn walk(root: &Path, root_canon: &Path) -> Vec<Item> {
    let mut items = Vec::new();
    let mut stack: Vec<(PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel_dir)) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) => {
                items.push(Item::Problem(Box::new(Problem {
                    rel: rel_dir.clone(),
                    code: "unreadable",
                    message: format!("cannot list this directory: {}", io_reason(&err)),
                    help: Some("give the validator read access to the whole data directory".into()),
                })));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    items.push(Item::Problem(Box::new(Problem {
                        rel: rel_dir.clone(),
                        code: "unreadable",
                        message: format!("cannot list this directory: {}", io_reason(&err)),
                        help: None,
                    })));
                    continue;
                }
            };
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let rel = if rel_dir.is_empty() {
                name.into_owned()
            } else {
                format!("{rel_dir}/{name}")
            };
            if rel_dir.is_empty() && is_prosody_dir(&rel) {
                continue;
            }
            let path = entry.path();
            let file_type = match entry.file_type() {
                Ok(t) => t,
                Err(err) => {
                    items.push(unreadable(rel, &err));
                    continue;
                }
            };
            if file_type.is_dir() {
                if wants_file(&rel) {
                    items.push(Item::Problem(Box::new(Problem {
                        rel,
                        code: "not-a-file",
                        message: "a directory where the plugin expects a file".into(),
                        help: Some("move the directory away: the plugin cannot read it".into()),
                    })));
                } else {
                    stack.push((path, rel));
                }
            } else if file_type.is_file() {
                items.push(Item::File {
                    rel: rel.into_boxed_str(),
                    target: None,
                });
            } else if file_type.is_symlink() {
                items.push(follow_link(rel, path, root_canon));
            } else {
                items.push(Item::Problem(Box::new(Problem {
                    rel,
                    code: "not-a-file",
                    message: "not a regular file (a socket, pipe or device)".into(),
                    help: Some("remove it from the data directory".into()),
                })));
            }
        }
    }
    items.shrink_to_fit();
    items
}

/// Whether the registry expects a file (not a directory) at `rel`.
fn wants_file(rel: &str) -> bool {
    !matches!(classify(rel), Entry::Unknown | Entry::Prosody)
}

fn follow_link(rel: String, path: PathBuf, root_canon: &Path) -> Item {
    let target = match fs::canonicalize(&path) {
        Ok(target) => target,
        Err(err) => {
            return Item::Problem(Box::new(Problem {
                rel,
                code: "unreadable",
                message: format!(
                    "a symbolic link that cannot be resolved: {}",
                    io_reason(&err)
                ),
                help: Some("remove the dangling link or point it at a file".into()),
            }));
        }
    };
    if !target.starts_with(root_canon) {
        return Item::Problem(Box::new(Problem {
            rel,
            code: "symlink-outside",
            message: "a symbolic link that points outside the data directory (not followed)".into(),
            help: Some("replace the link by the file itself".into()),
        }));
    }
    match fs::metadata(&target) {
        Ok(meta) if meta.is_file() => Item::File {
            rel: rel.into_boxed_str(),
            target: Some(target.into_boxed_path()),
        },
        Ok(_) => Item::Problem(Box::new(Problem {
            rel,
            code: "not-a-file",
            message: "a symbolic link to a directory or special file (not followed)".into(),
            help: Some("replace the link by a real directory or file".into()),
        })),
        Err(err) => unreadable(rel, &err),
    }
}

fn unreadable(rel: String, err: &std::io::Error) -> Item {
    Item::Problem(Box::new(Problem {
        rel,
        code: "unreadable",
        message: format!("cannot read this entry: {}", io_reason(err)),
        help: None,
    }))
}

/// An I/O error's reason without the OS error number or any path.
pub fn io_reason(err: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match err.kind() {
        K::PermissionDenied => "permission denied".into(),
        K::NotFound => "not found".into(),
        _ => {
            let text = err.to_string();
            // "Too many levels of symbolic links (os error 40)" -> lower-case, no number.
            let text = text.split(" (os error").next().unwrap_or(&text).to_owned();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}
