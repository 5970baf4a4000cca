//! A finding: one thing wrong (or worth knowing) about one value of one file.

pub use livechat_schema::models::toolkit::Severity;

/// A finding about one file, before it is located in the file's text. Rules produce
/// these; the engine adds the path, the line and the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error when the plugin rejects the file, crashes or misbehaves; warning when it
    /// still works but something is stale, orphaned, legacy or not canonical.
    pub severity: Severity,
    /// A stable code from [`crate::codes`].
    pub code: &'static str,
    /// The JSON pointer of the offending value (`""` for the whole file).
    pub pointer: String,
    /// What is wrong: lower-case, no trailing period, never a secret's value.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl Finding {
    pub fn error(
        code: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity: Severity::Error,
            code,
            pointer: pointer.into(),
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(
        code: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity: Severity::Warning,
            code,
            pointer: pointer.into(),
            message: message.into(),
            help: None,
        }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}
