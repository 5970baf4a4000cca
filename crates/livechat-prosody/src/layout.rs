//! The layout of Prosody's internal storage under its `data_path`
//! (`util/datamanager.lua` `getpath`, 0.12, and Prosody 13's `.lidx` index), and the
//! stores the plugin's Prosody writes.
//!
//! - `<enc(host)>/<store_enc(store)>/<enc(user)>.dat`: a keyval store of one user
//!   (for the MUC host, the "user" is the room's local part);
//! - `<enc(host)>/<store_enc(store)>/<enc(user)>.list`: an archive store;
//! - `<enc(host)>/<store_enc(store)>/<enc(user)>.lidx`: the byte index Prosody 13
//!   keeps beside a `.list` (Prosody 0.12 has no index code);
//! - `<enc(host)>/<store_enc(store)>.dat`: a host-level keyval store (the user is
//!   `nil`), such as `persistent.dat`;
//! - files at the top (`<host>.crt`, `<host>.key`) are certificates, not stores.
//!
//! Pure functions over relative paths; no I/O.

use crate::encoding::{decode_canonical, decode_store_canonical, encode, store_encode};

/// The file extensions of datamanager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ext {
    /// `.dat`: a keyval store.
    Dat,
    /// `.list`: an archive store.
    List,
    /// `.lidx`: Prosody 13's index of a `.list`.
    Lidx,
}

impl Ext {
    pub fn as_str(self) -> &'static str {
        match self {
            Ext::Dat => "dat",
            Ext::List => "list",
            Ext::Lidx => "lidx",
        }
    }

    fn parse(name: &str) -> Option<(&str, Ext)> {
        let (stem, ext) = name.rsplit_once('.')?;
        let ext = match ext {
            "dat" => Ext::Dat,
            "list" => Ext::List,
            "lidx" => Ext::Lidx,
            _ => return None,
        };
        Some((stem, ext))
    }
}

/// What a file below a host folder is, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreFile {
    /// `<store>/<user>.<ext>`.
    User {
        store: String,
        user: String,
        ext: Ext,
    },
    /// `<store>.dat` at the top of the host folder.
    Host { store: String },
    /// A file Prosody never opens there, with the reason.
    Unread(&'static str),
}

/// Classifies a path inside a host folder (`store/user.ext` or `store.dat`).
pub fn classify_in_host(rel: &str) -> StoreFile {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        [file] => match Ext::parse(file) {
            Some((stem, Ext::Dat)) => match decode_store_canonical(stem) {
                Some(store) => StoreFile::Host { store },
                None => StoreFile::Unread("its name is not a store name as Prosody encodes it"),
            },
            _ => StoreFile::Unread("not a host-level store (`<store>.dat`)"),
        },
        [store, file] => {
            let Some(store) = decode_store_canonical(store) else {
                return StoreFile::Unread("its folder is not a store name as Prosody encodes it");
            };
            let Some((stem, ext)) = Ext::parse(file) else {
                return StoreFile::Unread("not a `.dat`, `.list` or `.lidx` file");
            };
            match decode_canonical(stem) {
                Some(user) => StoreFile::User { store, user, ext },
                None => StoreFile::Unread("its name is not a user name as Prosody encodes it"),
            }
        }
        _ => StoreFile::Unread("deeper than Prosody's `<store>/<user>` layout"),
    }
}

/// The folder name of a host.
pub fn host_dir(host: &str) -> String {
    encode(host.as_bytes())
}

/// The path of a user's store file inside its host folder.
pub fn user_file(store: &str, user: &str, ext: Ext) -> String {
    format!(
        "{}/{}.{}",
        store_encode(store.as_bytes()),
        encode(user.as_bytes()),
        ext.as_str()
    )
}

/// The path of a host-level store file inside its host folder.
pub fn host_file(store: &str) -> String {
    format!("{}.dat", store_encode(store.as_bytes()))
}

/// The stores of the MUC component that hold one room's data, with the file
/// kinds they use (mod_muc `config`/`state`, mod_muc_mam `muc_log`, the plugin's
/// `mod_pubsub_peertubelivechat`: node configurations in `livechat-mep`, node items
/// in `livechat_mep_<node>` archives).
pub fn is_room_store(store: &str) -> bool {
    matches!(store, "config" | "state" | "muc_log" | "livechat-mep")
        || store.starts_with("livechat_mep_")
}

/// Host-level stores of the MUC component that list rooms: `persistent` (the
/// persistent rooms, `{["room@host"] = true}`).
pub const PERSISTENT: &str = "persistent";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_paths() {
        assert_eq!(
            classify_in_host("muc_log/8df24108%2d6e70.list"),
            StoreFile::User {
                store: "muc_log".into(),
                user: "8df24108-6e70".into(),
                ext: Ext::List
            }
        );
        assert_eq!(
            classify_in_host("persistent.dat"),
            StoreFile::Host {
                store: "persistent".into()
            }
        );
        assert_eq!(
            classify_in_host("livechat%2dmep/channel%2e1.dat"),
            StoreFile::User {
                store: "livechat-mep".into(),
                user: "channel.1".into(),
                ext: Ext::Dat
            }
        );
        assert!(matches!(
            classify_in_host("config/a.dat~"),
            StoreFile::Unread(_)
        ));
        assert!(matches!(
            classify_in_host("config/a.b.dat"),
            StoreFile::Unread(_)
        ));
        assert!(matches!(
            classify_in_host("a/b/c.dat"),
            StoreFile::Unread(_)
        ));
        assert_eq!(
            user_file("livechat_mep_livechat-tasks", "channel.1", Ext::List),
            "livechat_mep_livechat%2dtasks/channel%2e1.list"
        );
        assert_eq!(host_dir("room.a.b"), "room%2ea%2eb");
        assert_eq!(host_file(PERSISTENT), "persistent.dat");
    }
}
