//! What this build is: the crate's version, the git commit it was built from
//! (recorded by `build.rs`, empty when unknown) and the plugin version whose rules it
//! implements. `--version`, the JSON report's `tool` and SARIF's `tool.driver` all
//! read it from here.

use livechat_schema::models::toolkit::ReportTool;

/// The crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit (40 lowercase hex digits), when the build knew it.
pub fn commit() -> Option<&'static str> {
    Some(env!("LIVECHAT_DATA_COMMIT")).filter(|c| !c.is_empty())
}

/// The plugin whose rules this build implements, as `name version`.
pub fn plugin() -> String {
    format!(
        "peertube-plugin-livechat {}",
        livechat_schema::PLUGIN_VERSION
    )
}

/// `-V`: one line, the commit shortened to 12 digits.
pub fn short() -> String {
    match commit() {
        Some(commit) => format!("{VERSION} (commit {}, {})", &commit[..12], plugin()),
        None => format!("{VERSION} ({})", plugin()),
    }
}

/// `--version`: the version, then the full commit and the plugin on their own lines.
pub fn long() -> String {
    format!(
        "{VERSION}\ncommit: {}\nimplements: {}",
        commit().unwrap_or("unknown (built outside a git checkout)"),
        plugin()
    )
}

/// The JSON report's `tool`.
pub fn report_tool() -> ReportTool {
    ReportTool {
        name: "livechat-data".to_owned(),
        version: VERSION.to_owned(),
        commit: commit().map(str::to_owned),
        plugin_version: livechat_schema::PLUGIN_VERSION.to_owned(),
    }
}
