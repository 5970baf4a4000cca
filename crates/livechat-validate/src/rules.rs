//! Per-kind rules: what the plugin (and the bot) do when they read a file.
