//! `tokens/<user>@<host>.json`, read the way `LivechatProsodyAuth._getTokensInfoForJID`
//! (`prosody/auth.ts`) reads it: any throw (bad JSON, a non-number `userId`, a token
//! that cannot be decrypted) makes the whole file unusable, so every token of the
//! user stops authenticating. Without the key in PeerTube's database only the
//! ciphertext's syntax can be checked. Never quote an `encryptedPassword`.

use std::collections::HashSet;

use serde_json::Value;

use super::js;
use super::{Out, child, idx};
use crate::Severity;
use crate::codes::*;

const UNUSABLE: &str = "the plugin throws reading the file: every token of this user stops working";

pub(super) fn check(v: &Value, out: &mut Out) {
    let Value::Object(o) = v else {
        out.error(
            WRONG_TYPE,
            "",
            format!(
                "the file holds {}, not an object: {UNUSABLE}",
                js::type_name(v)
            ),
        );
        return;
    };
    out.unknown_keys(v, "", &["userId", "tokens"], "the plugin");
    match o.get("userId") {
        Some(Value::Number(n)) => {
            if !(n.is_u64() && n.as_u64().is_some_and(|u| u >= 1)) {
                out.warn(INVALID_VALUE, "/userId", format!("`userId` is {}: no PeerTube user has this id, so the tokens never authenticate", n));
            }
        }
        None => {
            out.missing(
                Severity::Error,
                MISSING_FIELD,
                "",
                "userId",
                format!("`userId` is missing (\"Invalid token file content\"): {UNUSABLE}"),
            );
        }
        Some(other) => {
            out.error(
                WRONG_TYPE,
                "/userId",
                format!(
                    "`userId` is {}, not a number (\"Invalid token file content\"): {UNUSABLE}",
                    js::type_name(other)
                ),
            );
        }
    }
    let tokens = match o.get("tokens") {
        Some(Value::Array(t)) => t,
        None => {
            out.missing(
                Severity::Error,
                MISSING_FIELD,
                "",
                "tokens",
                format!("`tokens` is missing (\"Invalid token file content\"): {UNUSABLE}"),
            );
            return;
        }
        Some(other) => {
            out.error(
                WRONG_TYPE,
                "/tokens",
                format!(
                    "`tokens` is {}, not an array (\"Invalid token file content\"): {UNUSABLE}",
                    js::type_name(other)
                ),
            );
            return;
        }
    };
    let mut ids: HashSet<String> = HashSet::new();
    for (i, t) in tokens.iter().enumerate() {
        let p = idx("/tokens", i);
        let Value::Object(tok) = t else {
            out.error(
                WRONG_TYPE,
                &p,
                format!(
                    "a token must be an object, not {}: {UNUSABLE}",
                    js::type_name(t)
                ),
            );
            continue;
        };
        out.unknown_keys(
            t,
            &p,
            &["id", "date", "encryptedPassword", "label"],
            "the plugin",
        );
        let ep = child(&p, "encryptedPassword");
        match tok.get("encryptedPassword") {
            None => {
                out.missing(
                    Severity::Error,
                    TOKEN_UNDECRYPTABLE,
                    &p,
                    "encryptedPassword",
                    format!("`encryptedPassword` is missing: {UNUSABLE}"),
                );
            }
            Some(Value::String(s)) => ciphertext(s, &ep, out),
            Some(other) => {
                out.error(
                    TOKEN_UNDECRYPTABLE,
                    &ep,
                    format!(
                        "`encryptedPassword` is {}, not a string: {UNUSABLE}",
                        js::type_name(other)
                    ),
                );
            }
        }
        match tok.get("id") {
            None => {
                out.missing(
                    Severity::Warning,
                    MISSING_FIELD,
                    &p,
                    "id",
                    "`id` is missing: the token cannot be revoked from the settings page",
                );
            }
            Some(id) => {
                if !js::is_json_integer(id) {
                    out.warn(WRONG_TYPE, &child(&p, "id"), format!("`id` is {}, not an integer (the plugin writes `Date.now()`): it passes through unchecked", js::type_name(id)));
                }
                crate::work::tick(1);
                if !ids.insert(id.to_string()) {
                    out.warn(
                        TOKEN_DUPLICATE_ID,
                        &child(&p, "id"),
                        "an earlier token has the same id: revoking either one revokes both (the plugin removes every token with that id)",
                    );
                }
            }
        }
        match tok.get("date") {
            None => {
                out.missing(
                    Severity::Warning,
                    MISSING_FIELD,
                    &p,
                    "date",
                    "`date` is missing: the settings page shows no date",
                );
            }
            Some(d) if !js::is_json_integer(d) => {
                out.warn(
                    WRONG_TYPE,
                    &child(&p, "date"),
                    format!(
                        "`date` is {}, not an integer timestamp: it passes through unchecked",
                        js::type_name(d)
                    ),
                );
            }
            Some(_) => {}
        }
        match tok.get("label") {
            None => {
                out.missing(
                    Severity::Warning,
                    MISSING_FIELD,
                    &p,
                    "label",
                    "`label` is missing: the settings page shows no label",
                );
            }
            Some(Value::String(l)) if l.is_empty() => {
                out.warn(
                    INVALID_VALUE,
                    &child(&p, "label"),
                    "`label` is empty, which the plugin refuses when it creates a token: it reads it as is",
                );
            }
            Some(Value::String(_)) => {}
            Some(l) => {
                out.warn(
                    WRONG_TYPE,
                    &child(&p, "label"),
                    format!(
                        "`label` is {}, not a string: it passes through unchecked",
                        js::type_name(l)
                    ),
                );
            }
        }
    }
}

/// `_decrypt`: `hex(iv):hex(ciphertext)` decoded with Node's lenient hex decoding.
fn ciphertext(s: &str, ptr: &str, out: &mut Out) {
    let parts: Vec<&str> = s.split(':').collect();
    let iv = js::node_hex_len(parts[0]);
    if iv != 16 {
        out.error(
            TOKEN_UNDECRYPTABLE,
            ptr,
            format!("the initialisation vector decodes to {iv} bytes, not 16 (\"Invalid initialization vector\"): {UNUSABLE}"),
        );
        return;
    }
    let Some(ct) = parts.get(1) else {
        out.error(
            TOKEN_UNDECRYPTABLE,
            ptr,
            format!("there is no `:` before the ciphertext: {UNUSABLE}"),
        );
        return;
    };
    // `decipher.update(ct, 'hex')` refuses a string of odd length outright.
    if ct.len() % 2 == 1 {
        out.error(
            TOKEN_UNDECRYPTABLE,
            ptr,
            format!("the ciphertext has an odd number of characters, which Node refuses as hex: {UNUSABLE}"),
        );
        return;
    }
    let n = js::node_hex_len(ct);
    if n == 0 || n % 16 != 0 {
        out.error(
            TOKEN_UNDECRYPTABLE,
            ptr,
            format!("the ciphertext decodes to {n} bytes, not a positive multiple of 16 (\"wrong final block length\"): {UNUSABLE}"),
        );
        return;
    }
    let hex_ok = |h: &str| {
        h.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    if parts.len() > 2 || js::node_hex_len(parts[0]) * 2 != parts[0].len() || n * 2 != ct.len() {
        out.warn(
            NON_CANONICAL_VALUE,
            ptr,
            "the value has characters after the hexadecimal data: Node's hex decoding ignores them",
        );
    } else if !hex_ok(parts[0]) || !hex_ok(ct) {
        out.warn(
            NON_CANONICAL_VALUE,
            ptr,
            "the value uses upper-case hexadecimal digits: Node decodes them, the plugin writes lower case",
        );
    }
}
