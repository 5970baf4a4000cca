//! Migrations of a livechat data directory.
