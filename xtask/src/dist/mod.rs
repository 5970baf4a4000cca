//! `cargo xtask dist`: the release artifacts, in `target/dist/`, from one release
//! build of `livechat-data`:
//!
//! - `livechat-data-<version>-x86_64-unknown-linux-gnu.tar.gz`: the binary, its man
//!   pages, bash, zsh and fish completions, README, CHANGELOG and LICENSE;
//! - `livechat-data_<version>_amd64.deb` (`deb.rs`);
//! - `livechat-data-<version>.tgz` and its platform package
//!   `livechat-data-linux-x64-<version>.tgz` for npm (`npm.rs`);
//! - a `.sha256` next to each, and `dist.json` saying what was built (version,
//!   commit, portable or not, the highest glibc symbol version), which
//!   `cargo xtask dist-check` (`check.rs`) reads.
//!
//! The binary is portable (`build.rs`: glibc 2.31's symbols, checked in its ELF
//! headers by `elf.rs`) unless the portable tools cannot be installed, which is
//! said loudly. Only `target/` is written.

mod build;
pub mod check;
mod deb;
mod elf;
mod npm;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::codegen::root;
use crate::tools;
pub use build::Portable;

/// Options of `cargo xtask dist`.
#[derive(Debug, clap::Args)]
pub struct DistArgs {
    /// `auto`: portable when cargo-zigbuild and zig install from PyPI, else a native
    /// build with a loud warning; `require`: portable or fail (releases); `native`:
    /// this machine's glibc.
    #[arg(long, value_enum, default_value = "auto")]
    pub portable: Portable,
}

/// The version of the workspace (every crate shares it).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The Rust target triple of the binary.
pub const TRIPLE: &str = "x86_64-unknown-linux-gnu";

/// What `dist` built, written to `target/dist/dist.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    /// The commit the binary says it was built from (`None`: unknown).
    pub commit: Option<String>,
    /// Linked against glibc 2.31's symbols.
    pub portable: bool,
    /// The highest `GLIBC_` symbol version the binary needs (`2.31`).
    pub max_glibc: String,
    pub tarball: String,
    pub deb: String,
    pub npm: String,
    pub npm_platform: String,
}

/// `target/dist/`.
pub fn dist_dir() -> PathBuf {
    build::target_dir().join("dist")
}

pub fn run(args: DistArgs) -> Result<()> {
    let built = build::binary(args.portable)?;
    let needs = elf::needs(&built.path)?;
    eprintln!(
        "dist: {} links {} and needs glibc {}",
        built.path.display(),
        needs.libraries.join(", "),
        needs.glibc_text()
    );
    if built.portable && needs.max_glibc > Some(elf::GLIBC_FLOOR) {
        bail!(
            "the portable build needs glibc {}, newer than {}.{}",
            needs.glibc_text(),
            elf::GLIBC_FLOOR.0,
            elf::GLIBC_FLOOR.1
        );
    }
    let commit = commit_of(&built.path)?;

    let dist = dist_dir();
    if dist.exists() {
        fs::remove_dir_all(&dist).with_context(|| format!("removing {}", dist.display()))?;
    }
    fs::create_dir_all(&dist)?;
    let stage = tools::work_dir().join("dist-stage");
    if stage.exists() {
        fs::remove_dir_all(&stage)?;
    }
    fs::create_dir_all(&stage)?;

    // What every artifact ships besides the binary.
    let man = stage.join("man");
    crate::man::write_all(&man)?;
    let completions = Completions::of(&built.path)?;
    let epoch = source_date_epoch();

    let tarball = tarball(&built.path, &man, &completions, &stage, &dist, epoch)?;
    let deb = deb::build(
        &deb::Input {
            binary: &built.path,
            man: &man,
            completions: &completions,
            needs: &needs,
            epoch,
        },
        &stage,
        &dist,
    )?;
    let (npm, npm_platform) = npm::build(&built.path, &man, &stage, &dist)?;
    for artifact in [&tarball, &deb, &npm, &npm_platform] {
        write_sha256(&dist.join(artifact))?;
    }
    let manifest = Manifest {
        version: VERSION.to_owned(),
        commit,
        portable: built.portable,
        max_glibc: needs.glibc_text(),
        tarball,
        deb,
        npm,
        npm_platform,
    };
    fs::write(
        dist.join("dist.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    println!("wrote to {}:", dist.display());
    for name in [
        &manifest.tarball,
        &manifest.deb,
        &manifest.npm,
        &manifest.npm_platform,
    ] {
        println!("  {name} (+ .sha256)");
    }
    if !built.portable {
        build::loud(&format!(
            "these artifacts are NOT portable: they need glibc {} (this machine's)",
            needs.glibc_text()
        ));
    }
    Ok(())
}

/// The commit the binary reports (`--version`'s `commit:` line).
fn commit_of(binary: &Path) -> Result<Option<String>> {
    let out = tools::output_ok(Command::new(binary).arg("--version"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let commit = text
        .lines()
        .find_map(|l| l.strip_prefix("commit: "))
        .context("`--version` prints no commit line")?;
    Ok((commit.len() == 40).then(|| commit.to_owned()))
}

/// The completion scripts, as the binary itself writes them.
pub struct Completions {
    pub bash: Vec<u8>,
    pub zsh: Vec<u8>,
    pub fish: Vec<u8>,
}

impl Completions {
    fn of(binary: &Path) -> Result<Self> {
        let script = |shell: &str| -> Result<Vec<u8>> {
            Ok(tools::output_ok(Command::new(binary).args(["completions", shell]))?.stdout)
        };
        Ok(Self {
            bash: script("bash")?,
            zsh: script("zsh")?,
            fish: script("fish")?,
        })
    }
}

/// The time the tarball's entries get (and `SOURCE_DATE_EPOCH` for `dpkg-deb`):
/// `SOURCE_DATE_EPOCH`, else the commit's time, so that two builds of one commit give
/// the same tarball.
fn source_date_epoch() -> u64 {
    if let Some(epoch) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|e| e.parse().ok())
    {
        return epoch;
    }
    Command::new("git")
        .args(["log", "-1", "--format=%ct"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(0)
}

/// Copies `from` to `to` with `mode`, creating `to`'s folder.
fn install(from: &Path, to: &Path, mode: u32) -> Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::copy(from, to)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    set_mode(to, mode)
}

/// Writes `bytes` to `to` with `mode`, creating `to`'s folder.
fn install_bytes(bytes: &[u8], to: &Path, mode: u32) -> Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(to, bytes).with_context(|| format!("writing {}", to.display()))?;
    set_mode(to, mode)
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .with_context(|| format!("chmod {}", path.display()))
}

/// The man pages of `dir`, sorted.
fn man_pages(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut pages: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    pages.retain(|p| p.extension().is_some_and(|e| e == "1"));
    pages.sort();
    Ok(pages)
}

/// The tarball: `livechat-data-<v>-<triple>/` holding the binary, `man/man1/`,
/// `completions/`, README, CHANGELOG and LICENSE; GNU tar with sorted names,
/// root-owned entries and fixed times, gzip without a time stamp.
fn tarball(
    binary: &Path,
    man: &Path,
    completions: &Completions,
    stage: &Path,
    dist: &Path,
    epoch: u64,
) -> Result<String> {
    let name = format!("livechat-data-{VERSION}-{TRIPLE}");
    let top = stage.join("tar").join(&name);
    install(binary, &top.join("livechat-data"), 0o755)?;
    for page in man_pages(man)? {
        let file_name = page.file_name().context("a page name")?;
        install(&page, &top.join("man/man1").join(file_name), 0o644)?;
    }
    let comp = top.join("completions");
    install_bytes(&completions.bash, &comp.join("livechat-data.bash"), 0o644)?;
    install_bytes(&completions.zsh, &comp.join("_livechat-data"), 0o644)?;
    install_bytes(&completions.fish, &comp.join("livechat-data.fish"), 0o644)?;
    for doc in ["README.md", "CHANGELOG.md", "LICENSE"] {
        install(&root().join(doc), &top.join(doc), 0o644)?;
    }
    let file = format!("{name}.tar.gz");
    tools::run_ok(
        Command::new("tar")
            .args([
                "--sort=name",
                "--owner=0",
                "--group=0",
                "--numeric-owner",
                &format!("--mtime=@{epoch}"),
                "--use-compress-program=gzip -9n",
                "-cf",
            ])
            .arg(dist.join(&file))
            .arg("-C")
            .arg(stage.join("tar"))
            .arg(&name),
    )
    .context("GNU tar and gzip are needed to write the tarball")?;
    Ok(file)
}

/// The SHA-256 of a file, as hex.
pub fn sha256_hex(path: &Path) -> Result<String> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let digest = Sha256::digest(&bytes);
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// `<file>.sha256`, in `sha256sum -c`'s format.
fn write_sha256(path: &Path) -> Result<()> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .context("an artifact name")?;
    let line = format!("{}  {name}\n", sha256_hex(path)?);
    fs::write(path.with_file_name(format!("{name}.sha256")), line)?;
    Ok(())
}
