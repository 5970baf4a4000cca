//! The inventory of what exists in PeerTube: read from its PostgreSQL database, or
//! from an inventory file, and the connection settings of PeerTube's `production.yaml`.
//!
//! Channels: every row of `"videoChannel"` is listed, local and remote. `room-channel`
//! keys are local channel ids, so a remote id there is stale anyway, but prune must
//! never delete the data of a channel that exists: listing every id errs on the side
//! of keeping. Videos: every row of `"video"`, with `remote` from its column.

use std::path::Path;

use livechat_schema::models::Inventory;
use serde_json::json;

use crate::error::{MigrateError, Result};

/// PeerTube's settings this tool needs, from `production.yaml`.
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

/// Reads PeerTube's `production.yaml`.
pub fn read_peertube_config(path: &Path) -> Result<PeertubeConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| cfg_err(path, e.to_string()))?;
    let doc: serde_norway::Value =
        serde_norway::from_str(&text).map_err(|e| cfg_err(path, e.to_string()))?;
    let get = |a: &str, b: &str| doc.get(a).and_then(|v| v.get(b));
    let as_string = |v: Option<&serde_norway::Value>| -> Option<String> {
        match v? {
            serde_norway::Value::String(s) => Some(s.clone()),
            serde_norway::Value::Number(n) => Some(n.to_string()),
            serde_norway::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    };
    let host = as_string(get("webserver", "hostname"))
        .ok_or_else(|| cfg_err(path, "webserver.hostname is missing"))?;
    let https = get("webserver", "https")
        .and_then(serde_norway::Value::as_bool)
        .unwrap_or(true);
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
    })
}

/// Reads the inventory from PeerTube's database. `schema`, when given, is put first
/// on the search path (tests create PeerTube's tables in a schema of their own).
pub fn inventory_from_db(
    url: &str,
    instance_host: &str,
    schema: Option<&str>,
) -> Result<Inventory> {
    // Never echo the URL: it may hold the password.
    let db = |e: postgres::Error| MigrateError::Database {
        why: match (e.as_db_error(), std::error::Error::source(&e)) {
            (Some(db), _) => db.message().to_owned(),
            (None, Some(source)) => format!("{e}: {source}"),
            (None, None) => e.to_string(),
        },
    };
    let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(db)?;
    if let Some(s) = schema {
        if !s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
            return Err(MigrateError::Database {
                why: format!("invalid schema name {s:?}"),
            });
        }
        client
            .batch_execute(&format!("SET search_path TO \"{s}\""))
            .map_err(db)?;
    }
    let channels: Vec<i64> = client
        .query(r#"SELECT id::bigint FROM "videoChannel" ORDER BY id"#, &[])
        .map_err(db)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let videos: Vec<serde_json::Value> = client
        .query(
            r#"SELECT uuid::text, "channelId"::bigint, remote FROM "video" ORDER BY id"#,
            &[],
        )
        .map_err(db)?
        .iter()
        .map(|r| {
            let uuid: String = r.get(0);
            let channel: i64 = r.get(1);
            let remote: bool = r.get(2);
            json!({"uuid": uuid.to_ascii_lowercase(), "channel_id": channel, "remote": remote})
        })
        .collect();
    let value = json!({"instance_host": instance_host, "channels": channels, "videos": videos});
    serde_json::from_value(value).map_err(|e| MigrateError::Inventory {
        why: format!("the database holds values outside the inventory's schema: {e}"),
    })
}

/// Reads an inventory file (schema kind `inventory`).
pub fn read_inventory(path: &Path) -> Result<Inventory> {
    let bytes = std::fs::read(path).map_err(|e| MigrateError::Inventory {
        why: format!("{}: {e}", path.display()),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| MigrateError::Inventory {
        why: format!("{}: {e}", path.display()),
    })
}
