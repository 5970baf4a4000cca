//! Prosody's internal storage (`storage = "internal"`, Prosody 0.12), as the livechat
//! plugin's Prosody keeps it under `<DIR>/prosody/data`, and nothing of the plugin's
//! own JSON files.
//!
//! - [`encoding`]: how datamanager turns hosts, users and store names into file names.
//! - [`layout`]: which file is which store (`<host>/<store>/<user>.dat|.list|.lidx`,
//!   `<host>/<store>.dat`), and the stores the plugin's Prosody writes.
//! - [`lua`]: a streaming reader of the Lua-serialised subset Prosody writes
//!   (`return {...};` and `item({...});` records). It never executes anything and
//!   keeps memory bounded whatever the size of the file.
//! - [`rewrite`]: the JID rewriter built on the reader: it changes the domain of the
//!   JIDs that name an old host, in keys and in JID-holding fields, and keeps every
//!   other byte.
//!
//! It sits beside `livechat-schema` in the data flow (schema -> prosody -> validate
//! -> migrate -> cli) and knows nothing of migrations: it reads and transforms byte
//! streams; the migrator decides what to do with them.

pub mod encoding;
pub mod layout;
pub mod lua;
pub mod rewrite;

pub use lua::{ParseError, Scanner};
pub use rewrite::{HostMap, RewriteStats, rewrite};
