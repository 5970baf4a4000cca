//! PeerTube's side, read only: its configuration as node-config layers it, and, from
//! its PostgreSQL database, the instance's own host and the plugin's row.
//!
//! Configuration (`--peertube-config FILE`, FILE being `production.yaml`), in the
//! order node-config applies it, later layers winning:
//! 1. `default.yaml` beside FILE, when there is one;
//! 2. FILE;
//! 3. `local-production.json` (the admin UI's overrides) in `$PEERTUBE_LOCAL_CONFIG`
//!    or beside FILE, then `local-production-$NODE_APP_INSTANCE.json`;
//! 4. when `custom-environment-variables.yaml` sits beside FILE (PeerTube's Docker
//!    image), the `PEERTUBE_*` variables it maps, set and non-empty, JSON-parsed
//!    where it says `__format: json`.
//!
//! Database: the local application actor (`actor`, type `Application`, name
//! `peertube`, no server) carries the instance's URL on every PeerTube version
//! (`server` lists remote instances only, `application` has no host); the plugin's
//! row is `plugin` with name `livechat` and type 1. The configuration is the
//! authority for the host (the plugin derives its domain from it); the database is
//! the fallback. Never echo a connection URL: it may hold the password.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{MigrateError, Result};

/// PeerTube's settings this tool needs, from its layered configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeertubeConfig {
    /// The instance host (`webserver.hostname`).
    pub host: String,
    /// `https` or `http`.
    pub scheme: String,
    /// The public port when it is not the scheme's default.
    pub port: Option<u16>,
    /// A `postgres://` connection URL (holds the password: never print it).
    pub database_url: String,
    /// `storage.plugins`, when set: the plugin's data dir is
    /// `<storage.plugins>/data/peertube-plugin-livechat`.
    pub plugins_storage: Option<PathBuf>,
    /// The layers read, in order (file paths, and `PEERTUBE_*` variable names).
    pub layers: Vec<String>,
}

impl PeertubeConfig {
    /// The public URL, e.g. `https://peertube.example.com` (with a non-default port).
    pub fn base_url(&self) -> String {
        match self.port {
            Some(port) => format!("{}://{}:{port}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }

    /// The plugin's data dir, from `storage.plugins`.
    pub fn data_dir(&self) -> Option<PathBuf> {
        self.plugins_storage
            .as_ref()
            .map(|p| p.join("data").join("peertube-plugin-livechat"))
    }
}

fn cfg_err(path: &Path, why: impl Into<String>) -> MigrateError {
    MigrateError::PeertubeConfig {
        path: path.to_path_buf(),
        why: why.into(),
    }
}

/// Percent-encodes a URL userinfo or path part.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reads PeerTube's configuration, layered as PeerTube reads it, with this
/// process's environment.
pub fn read_config(path: &Path) -> Result<PeertubeConfig> {
    read_config_with_env(path, &|name| std::env::var(name).ok())
}

/// [`read_config`] with the environment given as a lookup (tests).
pub fn read_config_with_env(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PeertubeConfig> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut merged = Value::Object(serde_json::Map::new());
    let mut layers = Vec::new();
    let default = folder.join("default.yaml");
    if default != path && default.is_file() {
        merge(&mut merged, read_yaml(&default)?);
        layers.push(default.display().to_string());
    }
    // The file itself must exist: it is what the user named.
    merge(&mut merged, read_yaml(path)?);
    layers.push(path.display().to_string());
    let local_dir = env("PEERTUBE_LOCAL_CONFIG")
        .filter(|s| !s.is_empty())
        .map_or_else(|| folder.to_path_buf(), PathBuf::from);
    let mut locals = vec![local_dir.join("local-production.json")];
    if let Some(n) = env("NODE_APP_INSTANCE").filter(|s| !s.is_empty()) {
        locals.push(local_dir.join(format!("local-production-{n}.json")));
    }
    for local in locals {
        if local.is_file() {
            let text =
                std::fs::read_to_string(&local).map_err(|e| cfg_err(&local, e.to_string()))?;
            // The error of the parser never quotes the file (it may hold passwords).
            let value: Value = serde_json::from_str(&text).map_err(|e| {
                cfg_err(
                    &local,
                    format!("not valid JSON (line {}, column {})", e.line(), e.column()),
                )
            })?;
            merge(&mut merged, value);
            layers.push(local.display().to_string());
        }
    }
    let custom = folder.join("custom-environment-variables.yaml");
    if custom.is_file() {
        let mapping = read_yaml(&custom)?;
        let mut set = Vec::new();
        substitute(&mapping, env, &mut Vec::new(), &mut merged, &mut set)
            .map_err(|why| cfg_err(&custom, why))?;
        layers.extend(set);
    }
    from_value(path, &merged, layers)
}

fn read_yaml(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| cfg_err(path, e.to_string()))?;
    // Keep only the position of a YAML error: its message may quote the file.
    serde_norway::from_str::<Value>(&text).map_err(|e| {
        cfg_err(
            path,
            match e.location() {
                Some(at) => format!(
                    "not valid YAML (line {}, column {})",
                    at.line(),
                    at.column()
                ),
                None => "not valid YAML".to_owned(),
            },
        )
    })
}

/// node-config's deep merge: objects merge key by key, anything else replaces.
fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (slot, other) => *slot = other,
    }
}

/// Applies `custom-environment-variables.yaml`: a string leaf names a variable; an
/// object with `__name` (and `__format: json`) names one whose value is parsed.
fn substitute(
    mapping: &Value,
    env: &dyn Fn(&str) -> Option<String>,
    at: &mut Vec<String>,
    into: &mut Value,
    set: &mut Vec<String>,
) -> std::result::Result<(), String> {
    let Value::Object(map) = mapping else {
        return Ok(());
    };
    for (key, value) in map {
        at.push(key.clone());
        let named = match value {
            Value::String(name) => Some((name.as_str(), None)),
            Value::Object(o) => o
                .get("__name")
                .and_then(Value::as_str)
                .map(|n| (n, o.get("__format").and_then(Value::as_str))),
            _ => None,
        };
        match named {
            Some((name, format)) => {
                if let Some(raw) = env(name).filter(|s| !s.is_empty()) {
                    let parsed = match format {
                        Some("json") => serde_json::from_str(&raw).map_err(|_| {
                            format!("the variable {name} is not the JSON its __format says")
                        })?,
                        _ => Value::String(raw),
                    };
                    set_path(into, at, parsed);
                    set.push(format!("${name}"));
                }
            }
            None => substitute(value, env, at, into, set)?,
        }
        at.pop();
    }
    Ok(())
}

fn set_path(into: &mut Value, path: &[String], value: Value) {
    let mut slot = into;
    for key in path {
        if !slot.is_object() {
            *slot = Value::Object(serde_json::Map::new());
        }
        let Value::Object(map) = slot else {
            unreachable!("made an object above")
        };
        slot = map.entry(key.clone()).or_insert(Value::Null);
    }
    *slot = value;
}

fn from_value(path: &Path, doc: &Value, layers: Vec<String>) -> Result<PeertubeConfig> {
    let get = |a: &str, b: &str| doc.get(a).and_then(|v| v.get(b));
    let as_string = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    };
    let host = as_string(get("webserver", "hostname"))
        .ok_or_else(|| cfg_err(path, "webserver.hostname is missing"))?
        .to_ascii_lowercase();
    // node-config keeps YAML booleans; an environment variable parsed as JSON too.
    let https = match get("webserver", "https") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => true,
    };
    let scheme = if https { "https" } else { "http" }.to_owned();
    let port = as_string(get("webserver", "port"))
        .and_then(|p| p.parse::<u16>().ok())
        .filter(|p| *p != if https { 443 } else { 80 });
    let db_host = as_string(get("database", "hostname")).unwrap_or_else(|| "localhost".into());
    let db_port = as_string(get("database", "port")).unwrap_or_else(|| "5432".into());
    let user = as_string(get("database", "username")).unwrap_or_else(|| "peertube".into());
    let password = as_string(get("database", "password")).unwrap_or_default();
    let name = match as_string(get("database", "name")) {
        Some(n) if !n.is_empty() => n,
        _ => format!(
            "peertube{}",
            as_string(get("database", "suffix")).unwrap_or_default()
        ),
    };
    let auth = if password.is_empty() {
        enc(&user)
    } else {
        format!("{}:{}", enc(&user), enc(&password))
    };
    Ok(PeertubeConfig {
        host,
        scheme,
        port,
        database_url: format!("postgres://{auth}@{db_host}:{db_port}/{}", enc(&name)),
        plugins_storage: as_string(get("storage", "plugins")).map(PathBuf::from),
        layers,
    })
}

/// The plugin's row in PeerTube's `plugin` table.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginRow {
    /// The installed version, e.g. `14.0.4`.
    pub version: String,
    /// `enabled AND NOT uninstalled`.
    pub active: bool,
    /// The saved settings (`None` until the admin saves the settings form once:
    /// every setting then has its registered default).
    pub settings: Option<Value>,
}

/// A connection to PeerTube's database.
pub struct Db {
    client: postgres::Client,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Nothing of the connection (its URL may hold the password).
        f.write_str("Db")
    }
}

/// A database error, never with the connection URL.
fn db_err(e: postgres::Error) -> MigrateError {
    MigrateError::Database {
        why: match (e.as_db_error(), std::error::Error::source(&e)) {
            (Some(db), _) => db.message().to_owned(),
            (None, Some(source)) => format!("{e}: {source}"),
            (None, None) => e.to_string(),
        },
    }
}

impl Db {
    /// Connects. `schema`, when given, is put first on the search path (tests may
    /// create PeerTube's tables in a schema of their own).
    pub fn connect(url: &str, schema: Option<&str>) -> Result<Db> {
        let mut config: postgres::Config = url.parse().map_err(db_err)?;
        // A host that never answers must not hang the command.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        let mut client = config.connect(postgres::NoTls).map_err(db_err)?;
        if let Some(s) = schema {
            if !s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
                return Err(MigrateError::Database {
                    why: format!("invalid schema name {s:?}"),
                });
            }
            client
                .batch_execute(&format!("SET search_path TO \"{s}\""))
                .map_err(db_err)?;
        }
        Ok(Db { client })
    }

    /// The URL of the local application actor (`https://host[:port]/accounts/peertube`),
    /// or `None` when there is none.
    pub fn application_actor_url(&mut self) -> Result<Option<String>> {
        let rows = self
            .client
            .query(
                r#"SELECT url::text FROM actor WHERE type = 'Application' AND "preferredUsername" = 'peertube' AND "serverId" IS NULL ORDER BY id LIMIT 1"#,
                &[],
            )
            .map_err(db_err)?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    /// The instance's public URL (scheme, host, port) from the application actor.
    pub fn instance_url(&mut self) -> Result<Option<String>> {
        Ok(self
            .application_actor_url()?
            .and_then(|url| base_of_actor_url(&url)))
    }

    /// The plugin's row (`name = 'livechat'`, `type = 1`), or `None` when it was
    /// never installed.
    pub fn plugin(&mut self) -> Result<Option<PluginRow>> {
        let rows = self
            .client
            .query(
                r#"SELECT version::text, enabled, uninstalled, settings::text FROM plugin WHERE name = 'livechat' AND type = 1 LIMIT 1"#,
                &[],
            )
            .map_err(db_err)?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let settings: Option<String> = row.get(3);
        let settings = settings
            .map(|s| serde_json::from_str::<Value>(&s))
            .transpose()
            .map_err(|e| MigrateError::Database {
                why: format!("the plugin's settings are not JSON: {e}"),
            })?;
        let enabled: bool = row.get(1);
        let uninstalled: bool = row.get(2);
        Ok(Some(PluginRow {
            version: row.get(0),
            active: enabled && !uninstalled,
            settings,
        }))
    }

    /// The client, for the inventory's queries.
    pub(crate) fn client(&mut self) -> &mut postgres::Client {
        &mut self.client
    }
}

/// `https://host[:port]` of an actor URL `https://host[:port]/accounts/...`, the
/// host lower-cased; `None` unless it is http(s) with a host.
pub fn base_of_actor_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_urls() {
        assert_eq!(
            base_of_actor_url("https://PeerTube.example.com/accounts/peertube").as_deref(),
            Some("https://peertube.example.com")
        );
        assert_eq!(
            base_of_actor_url("http://tube.example.org:9000/accounts/peertube").as_deref(),
            Some("http://tube.example.org:9000")
        );
        assert_eq!(base_of_actor_url("ftp://x.example/accounts/peertube"), None);
        assert_eq!(base_of_actor_url("https:///accounts"), None);
    }

    #[test]
    fn merges_and_substitutes() {
        let mut a =
            serde_json::json!({"webserver": {"hostname": "a.example", "port": 443}, "x": [1]});
        merge(
            &mut a,
            serde_json::json!({"webserver": {"hostname": "b.example"}, "x": [2, 3]}),
        );
        assert_eq!(
            a,
            serde_json::json!({"webserver": {"hostname": "b.example", "port": 443}, "x": [2, 3]})
        );
        let mapping = serde_json::json!({
            "webserver": {
                "hostname": "PEERTUBE_WEBSERVER_HOSTNAME",
                "port": {"__name": "PEERTUBE_WEBSERVER_PORT", "__format": "json"},
                "https": {"__name": "PEERTUBE_WEBSERVER_HTTPS", "__format": "json"}
            },
            "database": {"password": "PEERTUBE_DB_PASSWORD"}
        });
        let env = |name: &str| match name {
            "PEERTUBE_WEBSERVER_HOSTNAME" => Some("c.example".to_owned()),
            "PEERTUBE_WEBSERVER_PORT" => Some("8443".to_owned()),
            "PEERTUBE_DB_PASSWORD" => Some(String::new()),
            _ => None,
        };
        let mut set = Vec::new();
        substitute(&mapping, &env, &mut Vec::new(), &mut a, &mut set).unwrap();
        assert_eq!(a["webserver"]["hostname"], "c.example");
        assert_eq!(a["webserver"]["port"], 8443);
        // An empty variable is not applied, as node-config does.
        assert!(a.get("database").is_none());
        assert_eq!(
            set,
            ["$PEERTUBE_WEBSERVER_HOSTNAME", "$PEERTUBE_WEBSERVER_PORT"]
        );
        let bad = |name: &str| (name == "PEERTUBE_WEBSERVER_PORT").then(|| "x".to_owned());
        assert!(substitute(&mapping, &bad, &mut Vec::new(), &mut a, &mut set).is_err());
    }
}
