//! The outside tools the xtask drives: a Python venv (Python's `jsonschema`,
//! `check-jsonschema`, pinned in `xtask/python/requirements.txt`), Node's `ajv`
//! (pinned in `xtask/node/package-lock.json`) and small process helpers.
//!
//! Each tool is installed from its registry with its ordinary client the first time a
//! task needs it and reused afterwards (a stamp file records what was installed). This
//! module installs only into the workspace's `target/` and `xtask/node/node_modules`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result, bail};

use crate::codegen::root;

/// Where the xtask keeps what it installs and generates: `<root>/target/xtask`,
/// whatever `CARGO_TARGET_DIR` says, so that every build dir shares one venv.
pub fn work_dir() -> PathBuf {
    root().join("target").join("xtask")
}

/// The Python venv with the pinned requirements; returns its `bin/` folder.
pub fn python_venv() -> Result<PathBuf> {
    python_tools("xtask/python/requirements.txt")
}

/// The Python venv (created when missing) with the pinned requirements of
/// `requirements` (relative to the workspace root) installed into it; returns its
/// `bin/` folder. Each requirements file has its own stamp, so the crossval tools
/// and the dist tools share one venv and install only when their file changes.
pub fn python_tools(requirements: &str) -> Result<PathBuf> {
    let root = root();
    let requirements = root.join(requirements);
    let wanted = fs::read_to_string(&requirements)
        .with_context(|| format!("reading {}", requirements.display()))?;
    let venv = work_dir().join("venv");
    let bin = venv.join("bin");
    let stamp_name = match requirements.file_name().and_then(|n| n.to_str()) {
        Some("requirements.txt") | None => "installed-requirements.txt".to_owned(),
        Some(name) => format!("installed-{name}"),
    };
    let stamp = venv.join(stamp_name);
    if fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str())
        && bin.join("python").exists()
    {
        return Ok(bin);
    }
    if !bin.join("python").exists() {
        let python = which("python3")
            .or_else(|| which("python"))
            .context("python3 is needed (to install the xtask's Python tools into a venv)")?;
        eprintln!("xtask: creating the Python venv {}", venv.display());
        run_ok(Command::new(&python).args(["-m", "venv"]).arg(&venv))?;
    }
    eprintln!("xtask: installing {} into it", requirements.display());
    run_ok(
        Command::new(bin.join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg("-r")
            .arg(&requirements),
    )?;
    fs::write(&stamp, wanted)?;
    Ok(bin)
}

/// `npm ci` in `xtask/node` unless the installed lock file is the committed one;
/// returns the folder to run `node` in.
pub fn node_modules() -> Result<PathBuf> {
    let dir = root().join("xtask/node");
    let lock = fs::read_to_string(dir.join("package-lock.json"))
        .context("reading xtask/node/package-lock.json")?;
    let stamp = dir.join("node_modules/.installed-package-lock.json");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(lock.as_str()) {
        return Ok(dir);
    }
    which("node").context("node is needed (to validate with ajv)")?;
    let npm = which("npm").context("npm is needed (to install ajv)")?;
    eprintln!("xtask: npm ci in {}", dir.display());
    run_ok(
        Command::new(npm)
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir),
    )?;
    fs::write(&stamp, lock)?;
    Ok(dir)
}

/// The first executable named `name` on `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Runs a command with inherited output and fails unless it succeeds.
pub fn run_ok(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

/// Runs a command capturing its output and fails unless it succeeds, showing its
/// stderr.
pub fn output_ok(cmd: &mut Command) -> Result<Output> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed with {}:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out)
}
