//! `livechat-data validate` and `livechat-data explain`.

use std::process::ExitCode;

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {}

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The diagnostic code.
    pub code: String,
}

pub fn run(_args: ValidateArgs) -> miette::Result<ExitCode> {
    Err(miette::miette!("validate is not available yet"))
}

pub fn explain(_args: ExplainArgs) -> miette::Result<ExitCode> {
    Err(miette::miette!("explain is not available yet"))
}
