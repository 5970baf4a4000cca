//! The machine formats (json, github, sarif, junit): their schemas, their shape,
//! and that no format ever shows a secret.

use std::path::Path;

use super::{INSTANCE, repo, run_in, stable, temp_copy, validate_data};

const FORMATS: &[&str] = &["human", "json", "github", "sarif", "junit"];

fn validator(schema_path: &Path) -> jsonschema::Validator {
    let text = std::fs::read_to_string(schema_path)
        .unwrap_or_else(|e| panic!("{}: {e}", schema_path.display()));
    // The SARIF schema's `run.language` pattern has a stray `]`, which ECMAScript
    // reads as a literal but the jsonschema crate's meta-schema check refuses:
    // escape it (we never emit `language`).
    let text = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#,
    );
    let schema: serde_json::Value = serde_json::from_str(&text).expect("a json schema");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, doc: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

/// Data dirs that exercise many codes: the sample, a broken copy, and a few cases.
fn dirs() -> Vec<tempfile::TempDir> {
    let mut out = vec![temp_copy(&repo().join("fixtures/sample")), broken_sample()];
    for case in ["other-muc-domain", "emoji-file-missing", "out-of-range"] {
        out.push(temp_copy(&repo().join("fixtures/validate").join(case)));
    }
    out
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema = repo().join("../shared/vendor-schemas/sarif-schema-2.1.0.json");
    let validator = validator(&schema);
    for tmp in dirs() {
        let run = validate_data(tmp.path(), "sarif");
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        assert_valid(&validator, &doc, "sarif");
        assert!(
            !doc["runs"][0]["results"]
                .as_array()
                .expect("results")
                .is_empty()
        );
    }
}

#[test]
fn json_validates_against_the_validation_report_schema() {
    let validator = validator(&repo().join("schemas/validation-report.schema.json"));
    for tmp in dirs() {
        let run = validate_data(tmp.path(), "json");
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        assert_valid(&validator, &doc, "json report");
        let report: livechat_schema::models::toolkit::ValidationReport =
            serde_json::from_value(doc).expect("the model reads it");
        assert_eq!(report.data_dir, "data");
        assert_eq!(
            report.errors + report.warnings,
            report.diagnostics.len() as u64
        );
    }
}

#[test]
fn github_junit_sarif_snapshots() {
    let tmp = temp_copy(&repo().join("fixtures/validate/out-of-range"));
    for format in ["github", "junit", "sarif"] {
        let run = validate_data(tmp.path(), format);
        let text = super::without_commit(&stable(&run.stdout));
        let text = without_time(&text);
        insta::assert_snapshot!(format!("out_of_range_{format}"), text);
    }
}

/// JUnit's `time="..."` attributes vary.
fn without_time(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(" time=\"") {
        out.push_str(&rest[..i]);
        out.push_str(" time=\"[TIME]\"");
        let after = &rest[i + 7..];
        rest = after.find('"').map_or("", |j| &after[j + 1..]);
    }
    out.push_str(rest);
    out
}

/// The sample with broken secret files: a truncated moderation.json (the frame shows
/// the text around the password) and token files with schema errors next to the
/// ciphertexts.
fn broken_sample() -> tempfile::TempDir {
    let tmp = temp_copy(&repo().join("fixtures/sample"));
    let data = tmp.path().join("data");
    let moderation = data.join("bot/room.peertube.example.com/moderation.json");
    let text = std::fs::read_to_string(&moderation).expect("moderation.json");
    let cut = text.find("\"password\":\"").expect("a password") + 16;
    std::fs::write(&moderation, &text[..cut]).expect("write");
    for entry in std::fs::read_dir(data.join("tokens")).expect("tokens") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("token file");
        // An unknown key and a wrong type beside each ciphertext.
        let text = text.replace("\"encryptedPassword\"", "\"x\":1,\"encryptedPassword\"");
        let text = text.replace("\"label\":", "\"label\":7,\"l\":");
        std::fs::write(&path, text).expect("write");
    }
    tmp
}

/// The sample's secrets: the bot password and every token ciphertext.
fn secrets() -> Vec<String> {
    let sample = repo().join("fixtures/sample");
    let mut out = Vec::new();
    let moderation: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sample.join("bot/room.peertube.example.com/moderation.json"))
            .expect("moderation.json"),
    )
    .expect("json");
    out.push(
        moderation["connection"]["password"]
            .as_str()
            .expect("a password")
            .to_owned(),
    );
    for entry in std::fs::read_dir(sample.join("tokens")).expect("tokens") {
        let doc: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(entry.expect("entry").path()).expect("read"),
        )
        .expect("json");
        for token in doc["tokens"].as_array().expect("tokens") {
            out.push(
                token["encryptedPassword"]
                    .as_str()
                    .expect("ciphertext")
                    .to_owned(),
            );
        }
    }
    assert!(
        out.len() >= 3,
        "the sample has secrets to look for: {out:?}"
    );
    out
}

#[test]
fn no_secret_in_any_format() {
    let secrets = secrets();
    for tmp in [temp_copy(&repo().join("fixtures/sample")), broken_sample()] {
        for format in FORMATS {
            let run = validate_data(tmp.path(), format);
            for secret in &secrets {
                // Also the ciphertext's halves (iv and data), in case one is quoted alone.
                for part in std::iter::once(secret.as_str()).chain(secret.split(':')) {
                    if part.len() < 8 {
                        continue;
                    }
                    assert!(
                        !run.stdout.contains(part) && !run.stderr.contains(part),
                        "a secret in the {format} output"
                    );
                }
            }
        }
    }
    // The broken copy does produce findings on the secret files (so frames were drawn).
    let tmp = broken_sample();
    let run = run_in(
        tmp.path(),
        &["validate", "data", "--instance-url", INSTANCE],
    );
    assert!(run.stdout.contains("moderation.json"), "{}", run.stdout);
    assert!(run.stdout.contains("tokens/"), "{}", run.stdout);
    insta::assert_snapshot!("broken_secrets_human", stable(&run.stdout));
}
