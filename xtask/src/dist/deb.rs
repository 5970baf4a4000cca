//! `livechat-data_<version>_amd64.deb`: a tree laid out here and packed by
//! `dpkg-deb --build` (Debian's own tool; `cargo-deb` would do the same from
//! `Cargo.toml` metadata but compiles for minutes, on every CI run of a fresh
//! machine). The tree:
//!
//! - `/usr/bin/livechat-data`;
//! - `/usr/share/man/man1/*.1.gz` (gzip -9n, as Debian policy asks);
//! - completions in the folders each shell reads for packages:
//!   `/usr/share/bash-completion/completions/livechat-data`,
//!   `/usr/share/zsh/vendor-completions/_livechat-data`,
//!   `/usr/share/fish/vendor_completions.d/livechat-data.fish`;
//! - `/usr/share/doc/livechat-data/`: `copyright` (machine-readable, with the AGPL's
//!   full text: Debian's common-licenses has no AGPL), `README.md`, `changelog.gz`.
//!
//! `Depends` comes from the binary's ELF needs (`elf.rs`): each shared library
//! mapped to its Debian package, glibc's with the highest symbol version as its
//! minimum. A library without a mapping stops the build.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use super::elf::Needs;
use super::{Completions, VERSION, install, install_bytes, man_pages};
use crate::codegen::root;
use crate::tools;

pub struct Input<'a> {
    pub binary: &'a Path,
    pub man: &'a Path,
    pub completions: &'a Completions,
    pub needs: &'a Needs,
    pub epoch: u64,
}

/// Where the package installs each completion script.
pub const BASH_COMPLETION: &str = "usr/share/bash-completion/completions/livechat-data";
pub const ZSH_COMPLETION: &str = "usr/share/zsh/vendor-completions/_livechat-data";
pub const FISH_COMPLETION: &str = "usr/share/fish/vendor_completions.d/livechat-data.fish";
pub const DOC_DIR: &str = "usr/share/doc/livechat-data";
pub const MAN_DIR: &str = "usr/share/man/man1";

/// Lays the tree out in `stage/deb` and packs it into `dist`; returns the file name.
pub fn build(input: &Input<'_>, stage: &Path, dist: &Path) -> Result<String> {
    let tree = stage.join("deb");
    install(input.binary, &tree.join("usr/bin/livechat-data"), 0o755)?;
    for page in man_pages(input.man)? {
        let name = page
            .file_name()
            .and_then(|n| n.to_str())
            .context("a page name")?;
        install_bytes(
            &gzip(&fs::read(&page)?)?,
            &tree.join(MAN_DIR).join(format!("{name}.gz")),
            0o644,
        )?;
    }
    install_bytes(&input.completions.bash, &tree.join(BASH_COMPLETION), 0o644)?;
    install_bytes(&input.completions.zsh, &tree.join(ZSH_COMPLETION), 0o644)?;
    install_bytes(&input.completions.fish, &tree.join(FISH_COMPLETION), 0o644)?;
    let doc = tree.join(DOC_DIR);
    install_bytes(copyright()?.as_bytes(), &doc.join("copyright"), 0o644)?;
    super::install(&root().join("README.md"), &doc.join("README.md"), 0o644)?;
    install_bytes(
        &gzip(&fs::read(root().join("CHANGELOG.md"))?)?,
        &doc.join("changelog.gz"),
        0o644,
    )?;
    dirs_0755(&tree)?;

    let control = control(input.needs, installed_size_kib(&tree)?)?;
    install_bytes(control.as_bytes(), &tree.join("DEBIAN/control"), 0o644)?;
    super::set_mode(&tree.join("DEBIAN"), 0o755)?;

    let file = format!("livechat-data_{VERSION}_amd64.deb");
    let dpkg_deb = tools::which("dpkg-deb").context(
        "dpkg-deb is needed to build the .deb (Debian's `dpkg` package; every Debian and Ubuntu has it)",
    )?;
    tools::output_ok(
        Command::new(dpkg_deb)
            .args(["--root-owner-group", "-Zxz", "--build"])
            .arg(&tree)
            .arg(dist.join(&file))
            .env("SOURCE_DATE_EPOCH", input.epoch.to_string()),
    )?;
    Ok(file)
}

/// The control file.
fn control(needs: &Needs, installed_size: u64) -> Result<String> {
    let repository = env!("CARGO_PKG_REPOSITORY");
    Ok(format!(
        "Package: livechat-data\n\
         Version: {VERSION}\n\
         Architecture: amd64\n\
         Maintainer: livechat-data maintainers <{repository}/issues>\n\
         Installed-Size: {installed_size}\n\
         Depends: {}\n\
         Section: admin\n\
         Priority: optional\n\
         Homepage: {repository}\n\
         Description: validate and migrate the PeerTube livechat plugin's data directory\n \
         livechat-data checks the JSON files peertube-plugin-livechat (v14.0.4) keeps\n \
         under /var/www/peertube/storage/plugins/data/peertube-plugin-livechat/\n \
         against their schemas and the plugin's own reading rules, explains every\n \
         finding, and migrates the directory safely (instance domain change, pruning\n \
         the data of deleted videos and channels) with a backup it can restore.\n",
        depends(needs)?
    ))
}

/// `Depends` from the shared libraries the binary links.
pub fn depends(needs: &Needs) -> Result<String> {
    let mut packages: Vec<String> = Vec::new();
    for library in &needs.libraries {
        let package = match library.as_str() {
            "libc.so.6"
            | "libm.so.6"
            | "libpthread.so.0"
            | "libdl.so.2"
            | "librt.so.1"
            | "libutil.so.1"
            | "ld-linux-x86-64.so.2" => match needs.max_glibc {
                Some(_) => format!("libc6 (>= {})", needs.glibc_text()),
                None => "libc6".to_owned(),
            },
            "libgcc_s.so.1" => "libgcc-s1".to_owned(),
            other => {
                bail!("the binary links {other}: name its Debian package in xtask/src/dist/deb.rs")
            }
        };
        if !packages.contains(&package) {
            packages.push(package);
        }
    }
    Ok(packages.join(", "))
}

/// The machine-readable copyright file (DEP-5) with the licence's full text.
fn copyright() -> Result<String> {
    let license = fs::read_to_string(root().join("LICENSE")).context("reading LICENSE")?;
    let mut text = format!(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
         Upstream-Name: livechat-data\n\
         Source: {}\n\
         \n\
         Files: *\n\
         Copyright: {}\n\
         License: AGPL-3.0-only\n",
        env!("CARGO_PKG_REPOSITORY"),
        env!("CARGO_PKG_AUTHORS"),
    );
    for line in license.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            text.push_str(" .\n");
        } else {
            text.push(' ');
            text.push_str(line);
            text.push('\n');
        }
    }
    Ok(text)
}

/// `gzip -9n` of `bytes` (no name, no time stamp: the same bytes every build).
fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut child = Command::new("gzip")
        .args(["-9n", "-c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("gzip is needed to compress man pages")?;
    let mut stdin = child.stdin.take().context("gzip's stdin")?;
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("writing to gzip panicked"))??;
    if !out.status.success() {
        bail!("gzip failed with {}", out.status);
    }
    Ok(out.stdout)
}

/// Every folder of the tree 0755, whatever the umask.
fn dirs_0755(dir: &Path) -> Result<()> {
    super::set_mode(dir, 0o755)?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            dirs_0755(&entry.path())?;
        }
    }
    Ok(())
}

/// `Installed-Size`: KiB, each file rounded up, as dpkg-gencontrol counts.
fn installed_size_kib(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            installed_size_kib(&entry.path())? + 1
        } else {
            meta.len().div_ceil(1024)
        };
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depends_maps_glibc_and_libgcc() {
        let needs = Needs {
            libraries: [
                "libgcc_s.so.1",
                "libm.so.6",
                "libc.so.6",
                "ld-linux-x86-64.so.2",
            ]
            .map(str::to_owned)
            .to_vec(),
            max_glibc: Some((2, 31)),
        };
        assert_eq!(
            depends(&needs).expect("mapped"),
            "libgcc-s1, libc6 (>= 2.31)"
        );
        let unknown = Needs {
            libraries: vec!["libssl.so.3".to_owned()],
            max_glibc: Some((2, 31)),
        };
        assert!(depends(&unknown).is_err());
    }
}
