//! One serde + schemars type per file kind.
//!
//! The types describe the files as plugin v14.0.4 writes them, plus every older
//! shape v14 still reads. Doc comments become the schemas' descriptions. A model
//! accepts a file exactly when its exported schema does (a test checks this on every
//! fixture): constrained values use the types of [`types`], optional keys reject
//! `null` (the plugin leaves a key out instead), unknown keys are refused.
//!
//! What JSON Schema cannot say (lengths in UTF-16 units, regular expressions that
//! must compile, URLs that must name the instance) is written in the descriptions
//! and checked by the validator.

pub mod bot;
pub mod channel;
pub mod emojis;
pub mod federation;
pub mod room_channel;
pub mod tokens;
pub mod toolkit;
pub mod types;

pub use bot::{BotModeration, BotRoom};
pub use channel::ChannelConfigurationOptions;
pub use emojis::EmojisDefinition;
pub use federation::{
    ServerInfosLastUpdate, ServerInfosS2s, ServerInfosWsS2s, VideoInfosLocal, VideoInfosRemote,
};
pub use room_channel::RoomChannel;
pub use tokens::Tokens;
pub use toolkit::{Inventory, ValidationReport};
