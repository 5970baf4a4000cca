//! The content transforms of the planners: rules that turn a JSON file of the data
//! directory into its migrated form, shared by every operation of their kind.
//!
//! Each transform is used twice with the same code: by its planner on the value it
//! parsed (to decide whether the file changes at all, [`JsonEdit::edit`]) and by the
//! executor at apply time on the original bytes ([`ContentTransform::transform`]).
//! A JSON transform holds one document in memory at a time (the plugin's JSON files
//! are small; Prosody's archives get streaming transforms of their own). No I/O
//! beyond the streams it is given.

use std::io::{self, BufRead, Write};
use std::sync::Arc;

use serde_json::Value;

use crate::hosts::{replace_host, replace_host_in_value};
use crate::plan::{ContentTransform, plugin_json};

/// An edit of a parsed JSON document.
pub trait JsonEdit: Send + Sync + std::fmt::Debug {
    /// Edits `v` in place; returns whether it changed, or why the document is not
    /// what the plan expected (no content quoted).
    fn edit(&self, v: &mut Value) -> Result<bool, &'static str>;
}

/// A [`JsonEdit`] as a [`ContentTransform`]: parse, edit, write as the plugin does
/// (compact, keys in their order).
#[derive(Debug)]
pub struct Json<E>(pub E);

impl<E: JsonEdit> ContentTransform for Json<E> {
    fn transform(&self, input: &mut dyn BufRead, output: &mut dyn Write) -> io::Result<()> {
        let mut bytes = Vec::new();
        input.read_to_end(&mut bytes)?;
        let invalid = |why: &str| io::Error::new(io::ErrorKind::InvalidData, why.to_owned());
        let mut v: Value = serde_json::from_slice(&bytes)
            .map_err(|_| invalid("it is no longer JSON (changed since the plan was made)"))?;
        self.0.edit(&mut v).map_err(invalid)?;
        output.write_all(&plugin_json(&v))
    }
}

/// Wraps an edit as a shared transform.
pub fn shared<E: JsonEdit + 'static>(e: E) -> Arc<dyn ContentTransform> {
    Arc::new(Json(e))
}

/// Every string value naming the host `from` (as a whole host token) names `to`
/// instead; keys are kept (`videoInfos/local/*.json`).
#[derive(Debug, Clone)]
pub struct Hosts {
    pub from: String,
    pub to: String,
}

impl JsonEdit for Hosts {
    fn edit(&self, v: &mut Value) -> Result<bool, &'static str> {
        Ok(replace_host_in_value(v, &self.from, &self.to))
    }
}

/// The string at a JSON pointer goes from one exact value to another (a bot file's
/// `domain` or `connection.domain`).
#[derive(Debug, Clone)]
pub struct StringAt {
    pub pointer: &'static str,
    pub from: String,
    pub to: String,
}

impl JsonEdit for StringAt {
    fn edit(&self, v: &mut Value) -> Result<bool, &'static str> {
        match v.pointer_mut(self.pointer) {
            Some(Value::String(s)) if *s == self.from => {
                self.to.clone_into(s);
                Ok(true)
            }
            _ => Err(
                "the value to rewrite is not what the plan saw (changed since the plan was made)",
            ),
        }
    }
}

/// The host in every `customEmojis[].url` of an emoji definition.
#[derive(Debug, Clone)]
pub struct EmojiUrls {
    pub from: String,
    pub to: String,
}

impl JsonEdit for EmojiUrls {
    fn edit(&self, v: &mut Value) -> Result<bool, &'static str> {
        let mut changed = false;
        if let Some(Value::Array(list)) = v.get_mut("customEmojis") {
            for e in list.iter_mut() {
                if let Some(Value::String(url)) = e.get_mut("url") {
                    let r = replace_host(url, &self.from, &self.to);
                    if r != *url {
                        *url = r;
                        changed = true;
                    }
                }
            }
        }
        Ok(changed)
    }
}

/// A bot room file whose `enabled` is `true` gets `false` (prune's disable).
#[derive(Debug, Clone, Copy)]
pub struct Disable;

impl JsonEdit for Disable {
    fn edit(&self, v: &mut Value) -> Result<bool, &'static str> {
        match v {
            Value::Object(conf) if conf.get("enabled") == Some(&Value::Bool(true)) => {
                conf.insert("enabled".into(), Value::Bool(false));
                Ok(true)
            }
            Value::Object(_) => Ok(false),
            _ => Err("it is no longer a JSON object (changed since the plan was made)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(t: &dyn ContentTransform, input: &str) -> io::Result<String> {
        let mut out = Vec::new();
        t.transform(&mut input.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).unwrap_or_default())
    }

    #[test]
    fn transforms_match_their_edits_and_refuse_changed_inputs() {
        let hosts = shared(Hosts {
            from: "a.example".into(),
            to: "b.example".into(),
        });
        assert_eq!(
            run(&*hosts, r#"{ "jid": "x@room.a.example", "n": 1 }"#)
                .ok()
                .as_deref(),
            Some(r#"{"jid":"x@room.b.example","n":1}"#)
        );
        let domain = shared(StringAt {
            pointer: "/domain",
            from: "room.a.example".into(),
            to: "room.b.example".into(),
        });
        assert_eq!(
            run(&*domain, r#"{"domain":"room.a.example"}"#)
                .ok()
                .as_deref(),
            Some(r#"{"domain":"room.b.example"}"#)
        );
        let err = run(&*domain, r#"{"domain":"other"}"#).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(!err.to_string().contains("other"), "{err}");
        assert_eq!(
            run(&*hosts, "not json").unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        let disable = shared(Disable);
        assert_eq!(
            run(&*disable, r#"{"enabled":true,"x":[]}"#).ok().as_deref(),
            Some(r#"{"enabled":false,"x":[]}"#)
        );
    }
}
