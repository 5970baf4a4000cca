//! Documents of the toolkit itself: the inventory `livechat-data inventory` writes
//! and `migrate prune` reads, and the JSON report of `livechat-data validate`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::types::{Host, Int, UniqueVec, VideoUuid};

/// The channels and videos that exist in PeerTube's database, as `livechat-data
/// inventory` reads them from the tables `"videoChannel"` and `"video"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// The instance host `D` (the host of PeerTube's `webserver` URL, no port).
    pub instance_host: Host,
    /// The ids of the channels of this instance (`"videoChannel".id`).
    pub channels: UniqueVec<Int<1, { i64::MAX }>>,
    /// Every video PeerTube knows, local and remote.
    pub videos: Vec<InventoryVideo>,
}

/// A video of the inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InventoryVideo {
    /// The video's UUID (`"video".uuid`).
    pub uuid: VideoUuid,
    /// The video's channel (`"video"."channelId"`).
    pub channel_id: Int<1, { i64::MAX }>,
    /// Whether the video belongs to another instance (`"video".remote`).
    pub remote: bool,
}

/// The severity of a finding.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The plugin rejects the file, crashes or misbehaves.
    Error,
    /// The plugin still works, but something is stale, orphaned, legacy or not canonical.
    Warning,
}

/// The report of `livechat-data validate --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidationReport {
    /// The program that wrote the report.
    pub tool: ReportTool,
    /// The data directory, as given on the command line.
    pub data_dir: String,
    /// The instance host the checks used, or `null` when it was not given and could not
    /// be inferred.
    // Always written, like `line` below.
    #[schemars(required, extend("type" = ["string", "null"]))]
    #[serde(deserialize_with = "Option::deserialize")]
    pub instance_host: Option<String>,
    /// How many files were checked.
    pub files_checked: u64,
    /// How many findings are errors.
    pub errors: u64,
    /// How many findings are warnings.
    pub warnings: u64,
    /// The findings, sorted by path, line and column.
    pub diagnostics: Vec<ReportDiagnostic>,
}

/// The program that wrote a report: `livechat-data --version` in fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportTool {
    /// Always `livechat-data`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The git commit it was built from (40 hex digits); left out when the build did
    /// not know it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The version of `peertube-plugin-livechat` whose rules it implements.
    pub plugin_version: String,
}

/// One finding of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportDiagnostic {
    /// `error` or `warning`.
    pub severity: Severity,
    /// The stable diagnostic code (`livechat-data explain CODE`).
    pub code: String,
    /// The file's path relative to the data directory, with `/` separators.
    pub path: String,
    /// The JSON pointer of the offending value (`""` for the whole file).
    pub pointer: String,
    /// The 1-based line of the offending value, or `null` when the finding has no
    /// position (a missing file, a file that is not JSON text).
    // Always written (`null` without a position): required and nullable in the schema
    // (schemars drops `null` from a required `Option`), required by serde too
    // (`deserialize_with` makes an `Option` field required).
    #[schemars(required, extend("type" = ["integer", "null"]))]
    #[serde(deserialize_with = "Option::deserialize")]
    pub line: Option<u64>,
    /// The 1-based column (in characters) of the offending value, or `null`.
    #[schemars(required, extend("type" = ["integer", "null"]))]
    #[serde(deserialize_with = "Option::deserialize")]
    pub column: Option<u64>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}
