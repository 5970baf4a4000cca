//! Tests of the plugin-fidelity rules (`rules`, `cross`, `codes`): agreement with
//! the plugin's verdicts in `fixtures/files/EXPECTED.md`, the JavaScript emulations,
//! the valid fixtures and the sample data dir, the `fixtures/validate/` cases, and
//! the documentation of every code.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on a broken fixture"
)]

mod codes;
mod expected;
mod jsemu;
mod locate;
mod pages;
mod props;
mod regressions;
mod robustness;
mod support;
mod valid;
mod validate_dirs;
