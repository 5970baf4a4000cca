//! What a Linux binary needs from the system, read from its ELF dynamic section and
//! version needs (the `object` crate): the shared libraries it links (`DT_NEEDED`)
//! and the highest `GLIBC_x.y` symbol version it asks for, which is the oldest glibc
//! it runs on.

use std::path::Path;

use anyhow::{Context, Result};
use object::Endianness;
use object::elf::DT_NEEDED;
use object::read::elf::{Dyn, ElfFile64};

/// The oldest glibc a portable build must run on: Debian 11 and Ubuntu 20.04 ship 2.31.
pub const GLIBC_FLOOR: (u32, u32) = (2, 31);

/// A binary's needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    /// The shared libraries, in link order.
    pub libraries: Vec<String>,
    /// The highest `GLIBC_` version of any symbol it imports (`None`: static).
    pub max_glibc: Option<(u32, u32)>,
}

impl Needs {
    /// `2.31`, or `none` for a binary that needs no glibc.
    pub fn glibc_text(&self) -> String {
        self.max_glibc
            .map_or_else(|| "none".to_owned(), |(a, b)| format!("{a}.{b}"))
    }
}

/// Reads the needs of the 64-bit ELF binary at `path`.
pub fn needs(path: &Path) -> Result<Needs> {
    let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    needs_of(&data).with_context(|| format!("reading the ELF headers of {}", path.display()))
}

fn needs_of(data: &[u8]) -> Result<Needs> {
    let file = ElfFile64::<Endianness>::parse(data)?;
    let endian = file.endian();
    let sections = file.elf_section_table();
    let mut libraries = Vec::new();
    if let Some((entries, link)) = sections.dynamic(endian, data)? {
        let strings = sections.strings(endian, data, link)?;
        for entry in entries {
            if entry.tag32(endian) == Some(DT_NEEDED) {
                let name = entry.string(endian, strings)?;
                libraries.push(String::from_utf8_lossy(name).into_owned());
            }
        }
    }
    let mut max_glibc = None;
    if let Some((mut needs, link)) = sections.gnu_verneed(endian, data)? {
        let strings = sections.strings(endian, data, link)?;
        while let Some((_, mut versions)) = needs.next()? {
            while let Some(version) = versions.next()? {
                let name = String::from_utf8_lossy(version.name(endian, strings)?).into_owned();
                if let Some(v) = glibc_version(&name) {
                    max_glibc = max_glibc.max(Some(v));
                }
            }
        }
    }
    Ok(Needs {
        libraries,
        max_glibc,
    })
}

/// `GLIBC_2.31` -> `(2, 31)`, `GLIBC_2.2.5` -> `(2, 2)`; `GLIBC_PRIVATE` and other
/// names -> `None`.
pub fn glibc_version(name: &str) -> Option<(u32, u32)> {
    let mut parts = name.strip_prefix("GLIBC_")?.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_version_names() {
        assert_eq!(glibc_version("GLIBC_2.31"), Some((2, 31)));
        assert_eq!(glibc_version("GLIBC_2.2.5"), Some((2, 2)));
        assert_eq!(glibc_version("GLIBC_2.34"), Some((2, 34)));
        assert_eq!(glibc_version("GLIBC_PRIVATE"), None);
        assert_eq!(glibc_version("GCC_3.0"), None);
        // Ordered as versions, not as text.
        assert!(glibc_version("GLIBC_2.4") < glibc_version("GLIBC_2.31"));
    }

    /// The reader on a real binary: this test executable, linked against the
    /// machine's glibc (at least 2.2.5, the x86_64 baseline, and no newer than the
    /// running glibc).
    #[test]
    fn reads_this_test_binary() {
        let exe = std::env::current_exe().expect("current exe");
        let needs = needs(&exe).expect("an ELF binary");
        assert!(
            needs.libraries.iter().any(|l| l.starts_with("libc.so")),
            "{needs:?}"
        );
        let max = needs.max_glibc.expect("a glibc version");
        assert!(max >= (2, 2), "{needs:?}");
    }

    #[test]
    fn refuses_what_is_not_elf() {
        assert!(needs_of(b"#!/bin/sh\n").is_err());
    }
}
