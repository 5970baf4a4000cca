//! The release binary of `cargo xtask dist`, built once: portable (cargo-zigbuild
//! and zig from PyPI, linked against glibc 2.31's symbols) or, when those tools
//! cannot be installed and `--portable auto` allows it, native (linked against this
//! machine's glibc), with a loud warning.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::elf::GLIBC_FLOOR;
use crate::codegen::root;
use crate::tools;

/// `--portable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Portable {
    /// Portable when its tools install; else a native build and a loud warning.
    Auto,
    /// Portable or fail (releases).
    Require,
    /// A native build (this machine's glibc), without trying the portable tools.
    Native,
}

/// The built binary.
#[derive(Debug)]
pub struct Built {
    pub path: PathBuf,
    /// Linked against glibc 2.31's symbols (else against this machine's glibc).
    pub portable: bool,
}

const TRIPLE: &str = "x86_64-unknown-linux-gnu";

/// Builds the binary as `mode` asks.
pub fn binary(mode: Portable) -> Result<Built> {
    if mode == Portable::Native {
        loud("--portable native: building against this machine's glibc");
        return native();
    }
    match zigbuild_tools() {
        Ok(bin) => zigbuild(&bin),
        Err(err) if mode == Portable::Auto => {
            loud(&format!(
                "the portable toolchain (cargo-zigbuild + zig from PyPI) is unavailable: {err:#}\n\
                 building against this machine's glibc instead: the artifacts are NOT portable\n\
                 (they need this machine's glibc or newer; `--portable require` fails here instead)"
            ));
            native()
        }
        Err(err) => Err(err.context("the portable toolchain is unavailable (--portable require)")),
    }
}

/// Prints a warning nobody can miss.
pub fn loud(message: &str) {
    let bar = "!".repeat(78);
    eprintln!(
        "\n{bar}\nWARNING: {}\n{bar}\n",
        message.replace('\n', "\n         ")
    );
}

/// The cargo target folder.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// cargo-zigbuild and zig in the xtask venv; returns the venv's `bin/`.
fn zigbuild_tools() -> Result<PathBuf> {
    let bin = tools::python_tools("xtask/python/dist-requirements.txt")?;
    if !bin.join("cargo-zigbuild").exists() {
        bail!(
            "{} is missing after pip install",
            bin.join("cargo-zigbuild").display()
        );
    }
    tools::output_ok(Command::new(bin.join("python")).args(["-m", "ziglang", "version"]))
        .context("zig (python -m ziglang) does not run")?;
    Ok(bin)
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

const BUILD_ARGS: [&str; 6] = [
    "--release",
    "--locked",
    "-p",
    "livechat-cli",
    "--bin",
    "livechat-data",
];

fn zigbuild(venv_bin: &Path) -> Result<Built> {
    let (major, minor) = GLIBC_FLOOR;
    let target = format!("{TRIPLE}.{major}.{minor}");
    eprintln!(
        "dist: cargo zigbuild {} --target {target}",
        BUILD_ARGS.join(" ")
    );
    // cargo-zigbuild finds zig as `python3 -m ziglang` when no `zig` is on PATH: the
    // venv's python first.
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![venv_bin.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    tools::run_ok(
        Command::new(venv_bin.join("cargo-zigbuild"))
            .arg("zigbuild")
            .args(BUILD_ARGS)
            .args(["--target", &target])
            .env("PATH", std::env::join_paths(paths)?)
            .env(
                "CARGO",
                std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
            )
            .env("ZIG_GLOBAL_CACHE_DIR", tools::work_dir().join("zig-cache"))
            .current_dir(root()),
    )?;
    Ok(Built {
        path: target_dir().join(TRIPLE).join("release/livechat-data"),
        portable: true,
    })
}

fn native() -> Result<Built> {
    eprintln!("dist: cargo build {}", BUILD_ARGS.join(" "));
    tools::run_ok(cargo().arg("build").args(BUILD_ARGS).current_dir(root()))?;
    Ok(Built {
        path: target_dir().join("release/livechat-data"),
        portable: false,
    })
}
