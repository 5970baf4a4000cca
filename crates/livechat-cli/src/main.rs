//! The `livechat-data` command.
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "the binary is where output is rendered")]
fn main() {}
