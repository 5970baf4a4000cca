//! `cargo xtask man [OUT_DIR]`: man pages of `livechat-data` and of each of its
//! subcommands, generated with clap_mangen from the CLI's own clap definition (so
//! they cannot drift from `--help`). Written to `target/man/` by default.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub fn run(out_dir: Option<PathBuf>) -> Result<()> {
    let out = out_dir.unwrap_or_else(|| crate::codegen::root().join("target/man"));
    let written = write_all(&out)?;
    println!("wrote {written} man pages to {}", out.display());
    Ok(())
}

/// Writes every page into `out` (created when missing); returns how many.
pub fn write_all(out: &Path) -> Result<usize> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let command = livechat_cli::command();
    let mut written = 0;
    write_pages(&command, "livechat-data", out, &mut written)?;
    Ok(written)
}

/// Writes the page of `command` (named `name`, e.g. `livechat-data-migrate-prune`) and
/// of every visible subcommand.
fn write_pages(command: &clap::Command, name: &str, out: &Path, written: &mut usize) -> Result<()> {
    let command = command.clone().name(name.to_owned());
    let path = out.join(format!("{name}.1"));
    let mut buffer = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut buffer)
        .with_context(|| format!("rendering {name}"))?;
    std::fs::write(&path, buffer).with_context(|| format!("writing {}", path.display()))?;
    *written += 1;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        write_pages(sub, &format!("{name}-{}", sub.get_name()), out, written)?;
    }
    Ok(())
}
