//! The `json` format: the `validation-report` document
//! (`livechat_schema::models::toolkit::ValidationReport`), streamed: each finding is
//! converted to the model's `ReportDiagnostic` and written as it goes, so a report of
//! many findings is never held twice in memory. A test checks the bytes equal those
//! of serialising the model itself.

use std::io::Write;

use livechat_schema::models::toolkit::{ReportDiagnostic, ReportTool};
use livechat_validate::engine::{Diagnostic, Report};
use serde::ser::{Serialize, SerializeSeq, Serializer};

/// The model's fields, in the model's order, borrowing the report.
#[derive(serde::Serialize)]
struct View<'a> {
    tool: ReportTool,
    data_dir: &'a str,
    instance_host: Option<&'a str>,
    files_checked: u64,
    errors: u64,
    warnings: u64,
    diagnostics: Diagnostics<'a>,
}

struct Diagnostics<'a>(&'a [Diagnostic]);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for d in self.0 {
            seq.serialize_element(&ReportDiagnostic {
                severity: d.severity,
                code: d.code.to_owned(),
                path: d.path.clone(),
                pointer: d.pointer.clone(),
                line: d.line,
                column: d.column,
                message: d.message.clone(),
                help: d.help.clone(),
            })?;
        }
        seq.end()
    }
}

pub fn write(report: &Report, data_dir: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let view = View {
        tool: crate::version::report_tool(),
        data_dir,
        instance_host: report.instance.as_ref().map(|i| i.host.as_str()),
        files_checked: report.files_checked,
        errors: report.errors(),
        warnings: report.warnings(),
        diagnostics: Diagnostics(&report.diagnostics),
    };
    serde_json::to_writer_pretty(&mut *out, &view)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn streams_exactly_the_model() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sample");
        let report = livechat_validate::engine::validate_dir(&dir, &Default::default())
            .expect("the sample validates");
        assert!(!report.diagnostics.is_empty());
        let mut streamed = Vec::new();
        super::write(&report, "x", &mut streamed).expect("write");
        let mut expected =
            serde_json::to_string_pretty(&report.to_model("x", crate::version::report_tool()))
                .expect("serialise");
        expected.push('\n');
        assert_eq!(String::from_utf8(streamed).expect("utf-8"), expected);
    }
}
