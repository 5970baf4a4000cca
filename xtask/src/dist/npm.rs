//! The npm packages, packed with `npm pack`, as esbuild and Biome ship theirs:
//!
//! - `livechat-data` (`livechat-data-<v>.tgz`): the launcher
//!   (`packaging/npm/livechat-data.js`, the `livechat-data` bin), the man pages
//!   (npm links them under `<prefix>/share/man`), the JSON Schemas (exported as
//!   `./schemas/*`) and, when `schemas/ts/` exists, the TypeScript types (exported as
//!   `./types`); the platform package is an `optionalDependency`;
//! - `@livechat-data/linux-x64` (`livechat-data-linux-x64-<v>.tgz`): the binary
//!   only, with `os`, `cpu` and `libc` so that npm installs it on linux-x64 with
//!   glibc and skips it elsewhere.
//!
//! No install script, no download: the binary is in the registry's tarball.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::{VERSION, install, man_pages};
use crate::codegen::root;
use crate::tools;

/// The platform package's name.
pub const PLATFORM_PACKAGE: &str = "@livechat-data/linux-x64";

/// Packs both packages into `dist`; returns (main, platform) file names.
pub fn build(binary: &Path, man: &Path, stage: &Path, dist: &Path) -> Result<(String, String)> {
    let npm = tools::which("npm").context("npm is needed to pack the npm packages")?;
    let root = root();
    let repository = json!({
        "type": "git",
        "url": format!("git+{}.git", env!("CARGO_PKG_REPOSITORY")),
    });

    let platform = stage.join("npm/linux-x64");
    install(binary, &platform.join("bin/livechat-data"), 0o755)?;
    install(&root.join("LICENSE"), &platform.join("LICENSE"), 0o644)?;
    fs::write(
        platform.join("README.md"),
        format!(
            "# {PLATFORM_PACKAGE}\n\nThe linux-x64 (glibc 2.31 or newer) binary of \
             [livechat-data]({}). Install `livechat-data`, which depends on this package.\n",
            env!("CARGO_PKG_REPOSITORY")
        ),
    )?;
    write_json(
        &platform.join("package.json"),
        &json!({
            "name": PLATFORM_PACKAGE,
            "version": VERSION,
            "description": "The linux-x64 binary of livechat-data",
            "license": "AGPL-3.0-only",
            "repository": repository,
            "os": ["linux"],
            "cpu": ["x64"],
            "libc": ["glibc"],
            "files": ["bin/livechat-data"],
            "preferUnplugged": true,
        }),
    )?;

    let main = stage.join("npm/livechat-data");
    install(
        &root.join("packaging/npm/livechat-data.js"),
        &main.join("bin/livechat-data.js"),
        0o755,
    )?;
    for doc in ["README.md", "CHANGELOG.md", "LICENSE"] {
        install(&root.join(doc), &main.join(doc), 0o644)?;
    }
    let mut man_files = Vec::new();
    for page in man_pages(man)? {
        let name = page
            .file_name()
            .and_then(|n| n.to_str())
            .context("a page name")?;
        install(&page, &main.join("man").join(name), 0o644)?;
        man_files.push(format!("./man/{name}"));
    }
    let schemas = root.join("schemas");
    for entry in fs::read_dir(&schemas)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".schema.json") {
            install(&path, &main.join("schemas").join(name), 0o644)?;
        }
    }
    let mut exports = json!({
        "./package.json": "./package.json",
        "./schemas/*": "./schemas/*",
    });
    let mut package = json!({
        "name": "livechat-data",
        "version": VERSION,
        "description": "Validate, migrate and document the data directory of the PeerTube livechat plugin (peertube-plugin-livechat v14.0.4)",
        "keywords": ["peertube", "peertube-plugin-livechat", "livechat", "validation", "json-schema", "migration"],
        "license": "AGPL-3.0-only",
        "repository": repository,
        "homepage": env!("CARGO_PKG_REPOSITORY"),
        "bin": { "livechat-data": "bin/livechat-data.js" },
        "man": man_files,
        "files": ["bin/", "man/", "schemas/", "CHANGELOG.md"],
        "engines": { "node": ">=18" },
        "optionalDependencies": { PLATFORM_PACKAGE: VERSION },
    });
    let ts = schemas.join("ts");
    if ts.join("index.d.ts").exists() {
        copy_tree(&ts, &main.join("schemas/ts"))?;
        exports["./types"] = json!({ "types": "./schemas/ts/index.d.ts" });
        // TypeScript's older `node` module resolution reads typesVersions, not exports.
        package["typesVersions"] = json!({ "*": { "types": ["schemas/ts/index.d.ts"] } });
    }
    package["exports"] = exports;
    write_json(&main.join("package.json"), &package)?;

    let platform_file = pack(&npm, &platform, dist)?;
    let main_file = pack(&npm, &main, dist)?;
    Ok((main_file, platform_file))
}

fn write_json(path: &Path, value: &Value) -> Result<()> {
    fs::write(path, serde_json::to_string_pretty(value)? + "\n")
        .with_context(|| format!("writing {}", path.display()))
}

/// `npm pack` of `dir` into `dist`; returns the tarball's name.
fn pack(npm: &Path, dir: &Path, dist: &Path) -> Result<String> {
    let out = tools::output_ok(
        Command::new(npm)
            .args(["pack", "--json", "--loglevel=error", "--pack-destination"])
            .arg(dist)
            .current_dir(dir),
    )?;
    let report: Value = serde_json::from_slice(&out.stdout).context("npm pack --json")?;
    report[0]["filename"]
        .as_str()
        .map(str::to_owned)
        .context("npm pack named no file")
}

/// Copies a folder tree of regular files.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            install(&entry.path(), &target, 0o644)?;
        }
    }
    Ok(())
}
