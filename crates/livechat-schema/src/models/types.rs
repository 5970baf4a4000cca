//! Constrained scalar types shared by the models.
//!
//! serde alone does not enforce ranges or patterns, yet a model must accept a file
//! exactly when its JSON Schema does. Each type here therefore validates on
//! deserialisation and emits the matching schema keywords: the two are written
//! side by side so they cannot drift apart. Patterns are ECMAScript regular
//! expressions (JSON Schema's dialect), checked with `regress`.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize, Serializer};

/// Compiles an ECMAScript pattern (a literal of this crate) with the `u` flag, as
/// JSON Schema validators do.
pub(crate) fn compile(pattern: &str) -> regress::Regex {
    match regress::Regex::with_flags(pattern, "u") {
        Ok(re) => re,
        // Every pattern is a literal of this crate, and a test compiles them all.
        Err(err) => unreachable!("invalid built-in pattern {pattern:?}: {err}"),
    }
}

/// Defines a `String` newtype that only deserialises strings matching `$pattern`
/// and whose schema is `{"type": "string", "pattern": $pattern}` (plus any extra
/// keywords given as a JSON object).
macro_rules! pattern_string {
    ($(#[$meta:meta])* $name:ident, $pattern:expr) => {
        $crate::models::types::pattern_string!($(#[$meta])* $name, $pattern, {});
    };
    ($(#[$meta:meta])* $name:ident, $pattern:expr, { $($extra:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The ECMAScript pattern every value matches.
            pub const PATTERN: &'static str = $pattern;

            /// Whether `s` is a valid value.
            pub fn is_valid(s: &str) -> bool {
                static RE: std::sync::LazyLock<regress::Regex> =
                    std::sync::LazyLock::new(|| $crate::models::types::compile($name::PATTERN));
                RE.find(s).is_some()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                if $name::is_valid(&s) {
                    Ok($name(s))
                } else {
                    Err(<D::Error as serde::de::Error>::custom(format_args!(
                        "{:?} does not match the pattern {}",
                        s,
                        $name::PATTERN
                    )))
                }
            }
        }

        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let mut schema = schemars::json_schema!({
                    "type": "string",
                    "pattern": $name::PATTERN,
                });
                let extra = serde_json::json!({ $($extra)* });
                if let (Some(obj), Some(extra)) = (schema.as_object_mut(), extra.as_object()) {
                    for (k, v) in extra {
                        obj.insert(k.clone(), v.clone());
                    }
                }
                schema
            }
        }
    };
}
pub(crate) use pattern_string;

/// An integer in `MIN..=MAX`. JSON Schema's `integer` accepts any number whose
/// fractional part is zero (`2.0`), so this type does as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Int<const MIN: i64, const MAX: i64>(pub i64);

impl<const MIN: i64, const MAX: i64> Serialize for Int<MIN, MAX> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = serde_json::Number::deserialize(d)?;
        let value = if let Some(i) = n.as_i64() {
            i
        } else if let Some(f) = n.as_f64() {
            #[allow(
                clippy::cast_possible_truncation,
                reason = "range and fraction checked first"
            )]
            if f.fract() == 0.0 && f >= MIN as f64 && f <= MAX as f64 {
                f as i64
            } else if f.fract() != 0.0 {
                return Err(D::Error::custom(format_args!("{n} is not an integer")));
            } else {
                return Err(D::Error::custom(format_args!(
                    "{n} is out of range {MIN}..={MAX}"
                )));
            }
        } else {
            return Err(D::Error::custom(format_args!(
                "{n} is out of range {MIN}..={MAX}"
            )));
        };
        if (MIN..=MAX).contains(&value) {
            Ok(Int(value))
        } else {
            Err(D::Error::custom(format_args!(
                "{value} is out of range {MIN}..={MAX}"
            )))
        }
    }
}

impl<const MIN: i64, const MAX: i64> JsonSchema for Int<MIN, MAX> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("Int_{MIN}_{MAX}").into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut schema = json_schema!({ "type": "integer" });
        if MIN != i64::MIN {
            schema.insert("minimum".into(), MIN.into());
        }
        if MAX != i64::MAX {
            schema.insert("maximum".into(), MAX.into());
        }
        schema
    }
}

/// Any JSON number (a JavaScript `number`), finite.
pub type Timestamp = Int<1, { i64::MAX }>;

/// A boolean that can only be `true` (the plugin writes the key only when true).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct True;

impl Serialize for True {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(true)
    }
}

impl<'de> Deserialize<'de> for True {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if bool::deserialize(d)? {
            Ok(True)
        } else {
            Err(D::Error::custom(
                "expected `true`: the plugin omits the key instead of writing false",
            ))
        }
    }
}

impl JsonSchema for True {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "True".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "const": true })
    }
}

/// A string whose length, in Unicode code points as JSON Schema counts it, lies in
/// `MIN..=MAX`. (The plugin counts UTF-16 code units; that stricter limit is the
/// validator's, and the field's description says so.)
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct BoundedString<const MIN: usize, const MAX: usize>(pub String);

impl<'de, const MIN: usize, const MAX: usize> Deserialize<'de> for BoundedString<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let n = s.chars().count();
        if (MIN..=MAX).contains(&n) {
            Ok(BoundedString(s))
        } else {
            Err(D::Error::custom(format_args!(
                "a string of {n} characters is not in {MIN}..={MAX}"
            )))
        }
    }
}

impl<const MIN: usize, const MAX: usize> JsonSchema for BoundedString<MIN, MAX> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("BoundedString_{MIN}_{MAX}").into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut schema = json_schema!({ "type": "string" });
        if MIN > 0 {
            schema.insert("minLength".into(), MIN.into());
        }
        if MAX != usize::MAX {
            schema.insert("maxLength".into(), MAX.into());
        }
        schema
    }
}

/// A `Vec` with at most `MAX` items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct BoundedVec<T, const MAX: usize>(pub Vec<T>);

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for BoundedVec<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Vec::<T>::deserialize(d)?;
        if v.len() <= MAX {
            Ok(BoundedVec(v))
        } else {
            Err(D::Error::custom(format_args!(
                "{} items, at most {MAX} allowed",
                v.len()
            )))
        }
    }
}

impl<T: JsonSchema, const MAX: usize> JsonSchema for BoundedVec<T, MAX> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("BoundedVec_{}_{MAX}", T::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = Vec::<T>::json_schema(generator);
        schema.insert("maxItems".into(), MAX.into());
        schema
    }
}

/// A `Vec` whose items are all different (the plugin builds it from a `Set`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct UniqueVec<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de> + PartialEq> Deserialize<'de> for UniqueVec<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Vec::<T>::deserialize(d)?;
        for (i, item) in v.iter().enumerate() {
            if v[..i].contains(item) {
                return Err(D::Error::custom(format_args!("item {i} is a duplicate")));
            }
        }
        Ok(UniqueVec(v))
    }
}

impl<T: JsonSchema> JsonSchema for UniqueVec<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("UniqueVec_{}", T::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = Vec::<T>::json_schema(generator);
        schema.insert("uniqueItems".into(), true.into());
        schema
    }
}

/// Deserialises an optional field that, when present, must not be `null`: the
/// plugin leaves a key out rather than writing `null`.
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

pattern_string!(
    /// A host name as the plugin stores it: lower-case LDH labels (punycode allowed)
    /// joined by dots, at least two labels, no port.
    Host,
    r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"
);

pattern_string!(
    /// A canonical PeerTube video UUID (lower-case, with dashes).
    VideoUuid,
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
);

pattern_string!(
    /// An `http:` or `https:` URL without a query string.
    HttpUrl,
    r"^https?://[^/?#\s]+(/[^?\s]*)?$"
);

pattern_string!(
    /// A `ws:` or `wss:` URL without a query string.
    WsUrl,
    r"^wss?://[^/?#\s]+(/[^?\s]*)?$"
);

pattern_string!(
    /// A string without the control characters the plugin strips (U+0000 to U+001F,
    /// U+007F to U+009F).
    CleanString,
    r"^[^\u0000-\u001F\u007F-\u009F]*$"
);

pattern_string!(
    /// A non-empty string without the control characters the plugin strips.
    NonEmptyCleanString,
    r"^[^\u0000-\u001F\u007F-\u009F]+$"
);

pattern_string!(
    /// A string with at least one non-whitespace character (the plugin drops empty
    /// and whitespace-only items).
    NonBlankString,
    r"\S"
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ints_accept_integral_floats_like_json_schema() {
        type T = Int<0, 10>;
        assert_eq!(serde_json::from_value::<T>(json!(3)).ok(), Some(Int(3)));
        assert_eq!(serde_json::from_value::<T>(json!(3.0)).ok(), Some(Int(3)));
        assert!(serde_json::from_value::<T>(json!(2.9)).is_err());
        assert!(serde_json::from_value::<T>(json!(11)).is_err());
        assert!(serde_json::from_value::<T>(json!(-1)).is_err());
        assert!(serde_json::from_value::<T>(json!("3")).is_err());
    }

    #[test]
    fn patterns() {
        assert!(Host::is_valid("tube.other.net"));
        assert!(!Host::is_valid("Tube.other.net"));
        assert!(HttpUrl::is_valid("https://a.b/x/y.png"));
        assert!(!HttpUrl::is_valid("https://a.b/x?y=1"));
        assert!(WsUrl::is_valid(
            "wss://a.b/plugins/livechat/ws/xmpp-websocket-s2s"
        ));
        assert!(!WsUrl::is_valid("https://a.b/"));
        assert!(CleanString::is_valid("héllo 👋"));
        assert!(!CleanString::is_valid("a\u{7}b"));
        assert!(!CleanString::is_valid("a\u{85}b"));
        assert!(NonBlankString::is_valid(" x "));
        assert!(!NonBlankString::is_valid(" \t\u{a0}"));
    }
}
