//! The `livechat-data` binary: everything is in the library (`livechat_cli::main`).

fn main() -> std::process::ExitCode {
    livechat_cli::main()
}
