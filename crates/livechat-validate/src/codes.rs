//! The stable diagnostic codes. Each has a default severity and a one-line summary,
//! documented in `docs/diagnostics.md` and printed by `livechat-data explain CODE`.

use crate::Severity;

/// A diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}
