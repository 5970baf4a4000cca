//! `livechat-data completions SHELL`: shell completion scripts (clap_complete).

use std::process::ExitCode;

use clap_complete::Shell;

/// Arguments of `completions`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example: livechat-data completions bash > /etc/bash_completion.d/livechat-data"
)]
pub struct CompletionsArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> miette::Result<ExitCode> {
    let mut command = crate::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "livechat-data",
        &mut std::io::stdout(),
    );
    Ok(ExitCode::SUCCESS)
}
