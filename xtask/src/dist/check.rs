//! `cargo xtask dist-check`: installs each artifact of `target/dist/` the way an
//! admin would, each into its own temporary prefix under `target/xtask/dist-check/`
//! (never into the machine's `/usr`), and runs what it installed:
//!
//! - the tarball extracted (`tar xzf`), the `.deb` unpacked (`dpkg-deb -x`), the npm
//!   packages installed globally (`npm install -g --prefix`, both tarballs: the
//!   platform package cannot come from the registry) and locally for `npx`;
//! - each installed `livechat-data`: `--version` (version, the commit `dist` saw, the
//!   plugin version), `validate fixtures/sample` (exit 0), `explain legacy-shape`;
//! - the man pages and completions where each package says they are, the bash
//!   completion loaded by bash, the `.deb`'s control fields and root-owned files;
//! - every `.sha256`, and the glibc needs of every installed binary (at most 2.31
//!   when `dist` built a portable binary; a loud warning when it did not);
//! - the npm launcher's message on an unsupported platform and without its
//!   platform package.
//!
//! npm runs with `--offline`: nothing comes from the registry.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result, bail, ensure};

use super::deb::{BASH_COMPLETION, DOC_DIR, FISH_COMPLETION, MAN_DIR, ZSH_COMPLETION};
use super::npm::PLATFORM_PACKAGE;
use super::{Manifest, TRIPLE, VERSION, dist_dir, elf, sha256_hex};
use crate::codegen::root;
use crate::tools;

pub fn run() -> Result<()> {
    let dist = dist_dir();
    let manifest: Manifest = serde_json::from_str(
        &fs::read_to_string(dist.join("dist.json"))
            .context("reading target/dist/dist.json: run `cargo xtask dist` first")?,
    )?;
    ensure!(
        manifest.version == VERSION,
        "target/dist holds version {}, the workspace is {VERSION}: run `cargo xtask dist` again",
        manifest.version
    );
    let work = tools::work_dir().join("dist-check");
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    fs::create_dir_all(&work)?;
    let mut checks = Checks::default();

    for artifact in [
        &manifest.tarball,
        &manifest.deb,
        &manifest.npm,
        &manifest.npm_platform,
    ] {
        checks.run(&format!("{artifact}.sha256 matches"), || {
            sha256_matches(&dist.join(artifact))
        });
    }

    // The tarball.
    let tar_dir = work.join("tarball");
    fs::create_dir_all(&tar_dir)?;
    checks.run("tarball extracts", || {
        output(
            Command::new("tar")
                .arg("xzf")
                .arg(dist.join(&manifest.tarball))
                .arg("-C")
                .arg(&tar_dir),
        )
        .map(drop)
    });
    let top = tar_dir.join(format!("livechat-data-{VERSION}-{TRIPLE}"));
    checks.run("tarball holds man pages, completions and docs", || {
        files_exist(
            &top,
            &[
                "livechat-data",
                "man/man1/livechat-data.1",
                "man/man1/livechat-data-validate.1",
                "completions/livechat-data.bash",
                "completions/_livechat-data",
                "completions/livechat-data.fish",
                "README.md",
                "CHANGELOG.md",
                "LICENSE",
            ],
        )
    });
    checks.run("tarball: bash loads the completion", || {
        bash_completion(&top.join("completions/livechat-data.bash"))
    });
    check_binary(
        &mut checks,
        "tarball",
        &top.join("livechat-data"),
        &manifest,
    );

    // The .deb.
    let deb = dist.join(&manifest.deb);
    let deb_root = work.join("deb-root");
    checks.run("deb: control fields", || {
        let out = output(Command::new("dpkg-deb").arg("--field").arg(&deb).args([
            "Package",
            "Version",
            "Architecture",
            "Depends",
        ]))?;
        let text = String::from_utf8_lossy(&out.stdout);
        for want in [
            "Package: livechat-data\n".to_owned(),
            format!("Version: {VERSION}\n"),
            "Architecture: amd64\n".to_owned(),
            "Depends: ".to_owned(),
        ] {
            ensure!(text.contains(&want), "no `{}` in:\n{text}", want.trim());
        }
        if manifest.portable {
            ensure!(
                text.contains("libc6 (>= 2."),
                "Depends names no glibc version:\n{text}"
            );
        }
        Ok(())
    });
    checks.run("deb: every file is root's", || {
        let out = output(Command::new("dpkg-deb").arg("--contents").arg(&deb))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let bad: Vec<&str> = text
            .lines()
            .filter(|l| !l.contains(" root/root "))
            .collect();
        ensure!(
            bad.is_empty(),
            "entries not owned by root/root:\n{}",
            bad.join("\n")
        );
        Ok(())
    });
    checks.run("deb: dpkg-deb -x", || {
        output(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&deb_root)).map(drop)
    });
    checks.run(
        "deb: man pages, completions, docs where the package says",
        || {
            files_exist(
                &deb_root,
                &[
                    "usr/bin/livechat-data",
                    &format!("{MAN_DIR}/livechat-data.1.gz"),
                    &format!("{MAN_DIR}/livechat-data-validate.1.gz"),
                    BASH_COMPLETION,
                    ZSH_COMPLETION,
                    FISH_COMPLETION,
                    &format!("{DOC_DIR}/copyright"),
                    &format!("{DOC_DIR}/changelog.gz"),
                    &format!("{DOC_DIR}/README.md"),
                ],
            )?;
            let page = output(
                Command::new("gzip")
                    .arg("-dc")
                    .arg(deb_root.join(MAN_DIR).join("livechat-data.1.gz")),
            )?;
            ensure!(
                String::from_utf8_lossy(&page.stdout).contains(".TH livechat-data"),
                "livechat-data.1.gz is not a man page"
            );
            Ok(())
        },
    );
    checks.run("deb: bash loads the completion", || {
        bash_completion(&deb_root.join(BASH_COMPLETION))
    });
    check_binary(
        &mut checks,
        "deb",
        &deb_root.join("usr/bin/livechat-data"),
        &manifest,
    );

    // npm, globally into a prefix.
    let prefix = work.join("npm-prefix");
    let npm_platform = dist.join(&manifest.npm_platform);
    let npm_main = dist.join(&manifest.npm);
    checks.run("npm install -g --prefix (both tarballs)", || {
        npm(Command::new("npm")
            .args(["install", "-g", "--prefix"])
            .arg(&prefix)
            .arg(&npm_platform)
            .arg(&npm_main))
    });
    let package = prefix.join("lib/node_modules/livechat-data");
    checks.run("npm: schemas, man pages, platform package in place", || {
        files_exist(
            &prefix,
            &[
                "bin/livechat-data",
                "share/man/man1/livechat-data.1",
                "lib/node_modules/livechat-data/schemas/bot-room.schema.json",
                "lib/node_modules/livechat-data/schemas/validation-report.schema.json",
                &format!("lib/node_modules/{PLATFORM_PACKAGE}/bin/livechat-data"),
            ],
        )?;
        if root().join("schemas/ts/index.d.ts").exists() {
            files_exist(&package, &["schemas/ts/index.d.ts"])?;
        }
        Ok(())
    });
    check_binary(
        &mut checks,
        "npm",
        &prefix.join("bin/livechat-data"),
        &manifest,
    );
    checks.run("npm: the platform package's binary", || {
        glibc_ok(
            &prefix.join(format!(
                "lib/node_modules/{PLATFORM_PACKAGE}/bin/livechat-data"
            )),
            &manifest,
        )
    });

    // npx, from a project that installed both.
    let project = work.join("npx-project");
    checks.run("npx livechat-data validate", || {
        fs::create_dir_all(&project)?;
        fs::write(project.join("package.json"), "{\"private\": true}\n")?;
        npm(Command::new("npm")
            .arg("install")
            .arg(&npm_platform)
            .arg(&npm_main)
            .current_dir(&project))?;
        let sample = root().join("fixtures/sample");
        let out = Command::new("npx")
            .args(["--offline", "livechat-data", "validate"])
            .arg(&sample)
            .current_dir(&project)
            .env("NO_COLOR", "1")
            .output()?;
        ensure!(
            out.status.success(),
            "exit {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(())
    });

    // The TypeScript types, when the package ships them (`schemas/ts/`).
    if root().join("schemas/ts/index.d.ts").exists() {
        checks.run(
            "npm: the types (tsc --strict) and schemas of the installed package",
            || types_compile(&project),
        );
    }

    // The launcher's messages.
    let launcher = package.join("bin/livechat-data.js");
    checks.run("npm launcher: unsupported platform", || {
        let out = Command::new("node")
            .arg("-e")
            .arg(format!(
                "Object.defineProperty(process, 'platform', {{ value: 'freebsd' }}); require({:?})",
                launcher.display().to_string()
            ))
            .output()?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(
            out.status.code() == Some(2),
            "exit {}: {stderr}",
            out.status
        );
        ensure!(
            stderr.contains("no prebuilt binary for this platform (freebsd-x64)"),
            "{stderr}"
        );
        Ok(())
    });
    let lonely = work.join("npm-without-platform");
    checks.run("npm launcher: platform package missing", || {
        npm(Command::new("npm")
            .args(["install", "-g", "--omit=optional", "--prefix"])
            .arg(&lonely)
            .arg(&npm_main))?;
        let out = Command::new(lonely.join("bin/livechat-data"))
            .arg("--version")
            .output()?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(
            out.status.code() == Some(2),
            "exit {}: {stderr}",
            out.status
        );
        ensure!(
            stderr.contains(&format!("the package {PLATFORM_PACKAGE}")),
            "{stderr}"
        );
        Ok(())
    });

    if !manifest.portable {
        super::build::loud(&format!(
            "target/dist was built NOT portable (glibc {}): the glibc check was skipped",
            manifest.max_glibc
        ));
    }
    println!("\n{}", checks.summary());
    if checks.failed > 0 {
        bail!("{} dist checks failed", checks.failed);
    }
    Ok(())
}

/// Counts and prints each check.
#[derive(Debug, Default)]
struct Checks {
    passed: usize,
    failed: usize,
}

impl Checks {
    fn run(&mut self, name: &str, check: impl FnOnce() -> Result<()>) {
        match check() {
            Ok(()) => {
                self.passed += 1;
                println!("ok      {name}");
            }
            Err(err) => {
                self.failed += 1;
                println!("FAILED  {name}: {err:#}");
            }
        }
    }

    fn summary(&self) -> String {
        format!("dist-check: {} passed, {} failed", self.passed, self.failed)
    }
}

/// What every installed `livechat-data` must do.
fn check_binary(checks: &mut Checks, label: &str, binary: &Path, manifest: &Manifest) {
    checks.run(&format!("{label}: livechat-data --version"), || {
        let out = output(Command::new(binary).arg("--version"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let commit = manifest
            .commit
            .as_deref()
            .unwrap_or("unknown (built outside a git checkout)");
        let want = format!(
            "livechat-data {VERSION}\ncommit: {commit}\nimplements: peertube-plugin-livechat 14.0.4\n"
        );
        ensure!(text == want, "printed:\n{text}\nwanted:\n{want}");
        Ok(())
    });
    checks.run(
        &format!("{label}: validate fixtures/sample exits 0"),
        || {
            let out = Command::new(binary)
                .arg("validate")
                .arg(root().join("fixtures/sample"))
                .env("NO_COLOR", "1")
                .output()?;
            ensure!(
                out.status.success(),
                "exit {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            Ok(())
        },
    );
    checks.run(&format!("{label}: explain legacy-shape"), || {
        let out = output(Command::new(binary).args(["explain", "legacy-shape"]))?;
        let text = String::from_utf8_lossy(&out.stdout);
        ensure!(text.contains("legacy-shape"), "printed:\n{text}");
        Ok(())
    });
    if label != "npm" {
        checks.run(&format!("{label}: glibc needs"), || {
            glibc_ok(binary, manifest)
        });
    }
}

/// At most glibc 2.31 when `dist` built a portable binary.
fn glibc_ok(binary: &Path, manifest: &Manifest) -> Result<()> {
    let needs = elf::needs(binary)?;
    println!(
        "        {} needs glibc {}",
        binary.display(),
        needs.glibc_text()
    );
    if manifest.portable {
        ensure!(
            needs.max_glibc <= Some(elf::GLIBC_FLOOR),
            "needs glibc {}, newer than 2.31",
            needs.glibc_text()
        );
    }
    Ok(())
}

fn files_exist(base: &Path, files: &[&str]) -> Result<()> {
    let missing: Vec<PathBuf> = files
        .iter()
        .map(|f| base.join(f))
        .filter(|p| !p.exists())
        .collect();
    ensure!(missing.is_empty(), "missing: {missing:?}");
    Ok(())
}

fn sha256_matches(artifact: &Path) -> Result<()> {
    let name = artifact
        .file_name()
        .and_then(|n| n.to_str())
        .context("a name")?;
    let line = fs::read_to_string(artifact.with_file_name(format!("{name}.sha256")))?;
    let want = format!("{}  {name}\n", sha256_hex(artifact)?);
    ensure!(line == want, "{line:?} != {want:?}");
    Ok(())
}

fn bash_completion(script: &Path) -> Result<()> {
    let out = output(Command::new("bash").arg("-c").arg(format!(
        "source {:?} && complete -p livechat-data",
        script.display().to_string()
    )))?;
    ensure!(
        String::from_utf8_lossy(&out.stdout).contains("livechat-data"),
        "no completion registered"
    );
    Ok(())
}

/// The installed package's types and schemas, as a TypeScript user takes them: a
/// module importing every root type from `livechat-data/types` (and using one on a
/// value) type-checks with `tsc --strict` and Node's module resolution (which reads
/// `exports`), and `require('livechat-data/schemas/<kind>.schema.json')` gives each
/// kind's schema. `tsc` comes from `xtask/node`.
fn types_compile(project: &Path) -> Result<()> {
    let tsc = tools::node_modules()?.join("node_modules/.bin/tsc");
    ensure!(
        tsc.exists(),
        "schemas/ts exists but typescript is not installed by xtask/node/package.json"
    );
    let kinds: Vec<&str> = livechat_schema::Kind::ALL.iter().map(|k| k.id()).collect();
    let names: Vec<String> = kinds.iter().map(|k| pascal(k)).collect();
    fs::write(
        project.join("check.mts"),
        format!(
            "import type {{ {} }} from 'livechat-data/types';\n\
             export type All = [{}];\n\
             const options: ChannelConfigurationOptions | null = null;\n\
             export default options;\n",
            names.join(", "),
            names.join(", ")
        ),
    )?;
    output(
        Command::new(&tsc)
            .args([
                "--noEmit",
                "--strict",
                "--module",
                "nodenext",
                "--moduleResolution",
                "nodenext",
                "check.mts",
            ])
            .current_dir(project),
    )?;
    let script = format!(
        "for (const k of {}) {{ const s = require(`livechat-data/schemas/${{k}}.schema.json`); if (!s.$schema) throw new Error(k); }}",
        serde_json::to_string(&kinds)?
    );
    output(
        Command::new("node")
            .args(["-e", &script])
            .current_dir(project),
    )?;
    Ok(())
}

/// `bot-room` -> `BotRoom`: the root type name of a kind's declarations.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// npm without the registry, audit or funding messages.
fn npm(cmd: &mut Command) -> Result<()> {
    output(cmd.args(["--offline", "--no-audit", "--no-fund", "--loglevel=error"])).map(drop)
}

fn output(cmd: &mut Command) -> Result<Output> {
    tools::output_ok(cmd)
}
