//! The inventory of what exists in PeerTube: read from its PostgreSQL database, or
//! from an inventory file. PeerTube's configuration and connection live in
//! [`crate::peertube`].
//!
//! Channels: every row of `"videoChannel"` is listed, local and remote. `room-channel`
//! keys are local channel ids, so a remote id there is stale anyway, but prune must
//! never delete the data of a channel that exists: listing every id errs on the side
//! of keeping. Videos: every row of `"video"`, with `remote` from its column.

use std::path::Path;

use livechat_schema::models::Inventory;
use serde_json::json;

use crate::error::{MigrateError, Result};
use crate::peertube::Db;

pub use crate::peertube::{PeertubeConfig, read_config as read_peertube_config};

/// Reads the inventory from PeerTube's database. `schema`, when given, is put first
/// on the search path (tests create PeerTube's tables in a schema of their own).
pub fn inventory_from_db(
    url: &str,
    instance_host: &str,
    schema: Option<&str>,
) -> Result<Inventory> {
    inventory_from(&mut Db::connect(url, schema)?, instance_host)
}

/// Reads the inventory over an open connection.
pub fn inventory_from(db: &mut Db, instance_host: &str) -> Result<Inventory> {
    let db_err = |e: postgres::Error| MigrateError::Database {
        why: match e.as_db_error() {
            Some(db) => db.message().to_owned(),
            None => e.to_string(),
        },
    };
    let client = db.client();
    let channels: Vec<i64> = client
        .query(r#"SELECT id::bigint FROM "videoChannel" ORDER BY id"#, &[])
        .map_err(db_err)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let videos: Vec<serde_json::Value> = client
        .query(
            r#"SELECT uuid::text, "channelId"::bigint, remote FROM "video" ORDER BY id"#,
            &[],
        )
        .map_err(db_err)?
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
