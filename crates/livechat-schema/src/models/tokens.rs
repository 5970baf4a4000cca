//! `tokens/<user>@<host>.json`: a user's long-term chat tokens (plugin
//! `server/lib/livechat-tokens`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::types::{Int, pattern_string};

pattern_string!(
    /// An AES-256-CBC encrypted password: `hex(IV, 16 bytes):hex(ciphertext)`. The key
    /// is in PeerTube's database, so only the syntax can be checked offline. SECRET:
    /// never printed.
    EncryptedPassword,
    r"^[0-9a-f]{32}:([0-9a-f]{32})+$",
    { "writeOnly": true, "x-livechat-secret": true }
);

/// `tokens/<lower-cased username>@<instance host>.json`. The whole file becomes
/// unusable (Prosody refuses the user's tokens) when it does not parse, `userId` is
/// not a number, `tokens` is not an array, or an entry cannot be decrypted. Revoking
/// the last token leaves `"tokens": []`; files are never deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tokens {
    /// The PeerTube user id.
    #[serde(rename = "userId")]
    pub user_id: Int<1, { i64::MAX }>,
    /// The tokens.
    pub tokens: Vec<Token>,
}

/// A long-term token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// The token id, `Date.now()` at creation; unique within the file.
    pub id: Int<0, { i64::MAX }>,
    /// The creation date, milliseconds since the epoch (equal to `id`).
    pub date: Int<0, { i64::MAX }>,
    /// The encrypted password.
    #[serde(rename = "encryptedPassword")]
    pub encrypted_password: EncryptedPassword,
    /// The label the user gave the token.
    pub label: String,
}
