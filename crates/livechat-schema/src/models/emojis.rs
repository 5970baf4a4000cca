//! `emojis/channel/<channel id>/definition.json`: a channel's custom emojis (plugin
//! `server/lib/emojis/emojis.ts`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::types::{BoundedVec, True, pattern_string, present};

pattern_string!(
    /// A short name: ASCII letters, digits, `_` and `-`, optionally between colons.
    ShortName,
    r"^:?[A-Za-z0-9_-]+:?$"
);

pattern_string!(
    /// An emoji image URL:
    /// `<instance URL>/plugins/livechat/router/emojis/channel/<channel id>/files/<digits>.<png|jpg|jpeg|gif>`.
    /// The validator checks the scheme and host against the instance and the channel
    /// id against the folder.
    EmojiUrl,
    r"^https?://[^/?#\s]+/plugins/livechat/router/emojis/channel/[1-9][0-9]*/files/[0-9]+\.(png|jpg|jpeg|gif)$"
);

/// `emojis/channel/<channel id>/definition.json`. Sanitised when saved, not when read:
/// a file that does not parse, lacks the `customEmojis` array or holds a `null` entry
/// makes room creation fail for the channel. Saving deletes every image of `files/`
/// that no entry references.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmojisDefinition {
    /// The emojis, at most 200, at most one of them marked `isCategoryEmoji`. Short
    /// names should be unique: the chat keeps the last emoji of a short name.
    #[serde(
        rename = "customEmojis",
        deserialize_with = "one_category_emoji_at_most"
    )]
    #[schemars(extend(
        "contains" = { "required": ["isCategoryEmoji"] },
        "minContains" = 0,
        "maxContains" = 1
    ))]
    pub custom_emojis: BoundedVec<CustomEmoji, 200>,
}

/// The plugin keeps `isCategoryEmoji` on the first marked entry only, so it never
/// writes two.
fn one_category_emoji_at_most<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BoundedVec<CustomEmoji, 200>, D::Error> {
    let emojis = BoundedVec::<CustomEmoji, 200>::deserialize(d)?;
    let marked = emojis
        .0
        .iter()
        .filter(|e| e.is_category_emoji.is_some())
        .count();
    if marked > 1 {
        return Err(serde::de::Error::custom(format_args!(
            "{marked} emojis are marked isCategoryEmoji, at most 1 allowed"
        )));
    }
    Ok(emojis)
}

/// A custom emoji.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomEmoji {
    /// The short name typed in the chat, e.g. `:pt_love:`.
    pub sn: ShortName,
    /// The image's absolute URL; the file must exist under `files/` and weigh at most
    /// 30720 bytes.
    pub url: EmojiUrl,
    /// Marks the emoji that stands for the channel's category (only on the first such
    /// entry, only `true`).
    #[serde(
        rename = "isCategoryEmoji",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub is_category_emoji: Option<True>,
}
