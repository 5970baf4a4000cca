//! What the plugin's settings change in the verdicts, once every rule has run.
//!
//! Some settings switch off the code that reads a part of the data directory (v14.0.4):
//! - `disable-channel-configuration`: channel configurations are refused by the API
//!   (`server/lib/middlewares/configuration/configuration.ts`), the bot is not started
//!   (`server/lib/bots/ctl.ts`) and channel emojis are not loaded
//!   (`server/lib/emojis/emojis.ts`);
//! - `federation-no-remote-chat`: remote videoInfos are still stored but never used to
//!   open a chat (`server/lib/conversejs/params.ts`);
//! - `federation-dont-publish-remotely`: local videoInfos are removed at the next
//!   publication and never published (`server/lib/federation/outgoing.ts`);
//! - `livechat-token-disabled`: `tokens/` is not read (`server/lib/prosody/auth.ts`).
//!
//! While such a setting is on, nothing reads those files, so by the severity rule
//! their errors are warnings (stale files nothing reads), and the message says which
//! setting. The files are still checked: turning the setting off makes them live
//! again. Settings that change what a file means (`prosody-room-type`,
//! `enable-users-regexp`) are read by the rules themselves through
//! [`crate::ValidateOptions`].

use crate::engine::Diagnostic;
use crate::{PluginSettings, Severity};

/// The folders a setting switches off, with the setting's name.
pub fn unused_folders(settings: &PluginSettings) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if settings.disable_channel_configuration {
        for folder in ["channelConfigurationOptions/", "bot/", "emojis/channel/"] {
            out.push((folder, "disable-channel-configuration"));
        }
    }
    if settings.federation_no_remote_chat {
        out.push(("videoInfos/remote/", "federation-no-remote-chat"));
    }
    if settings.federation_dont_publish_remotely {
        out.push(("videoInfos/local/", "federation-dont-publish-remotely"));
    }
    if settings.token_disabled {
        out.push(("tokens/", "livechat-token-disabled"));
    }
    out
}

/// Turns the errors of files that a setting switches off into warnings.
pub fn apply(diagnostics: &mut [Diagnostic], settings: &PluginSettings) {
    let unused = unused_folders(settings);
    if unused.is_empty() {
        return;
    }
    for d in diagnostics.iter_mut() {
        if d.severity != Severity::Error {
            continue;
        }
        if let Some((_, setting)) = unused.iter().find(|(folder, _)| d.path.starts_with(folder)) {
            d.severity = Severity::Warning;
            d.message = format!(
                "{} (not read while the plugin setting `{setting}` is on)",
                d.message
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_from_json() {
        let s = PluginSettings::from_json(None);
        assert_eq!(s, PluginSettings::default());
        let v = serde_json::json!({
            "prosody-room-type": "channel",
            "enable-users-regexp": "true",
            "disable-channel-configuration": 1,
            "federation-no-remote-chat": "",
            "federation-dont-publish-remotely": true,
            "livechat-token-disabled": null
        });
        let s = PluginSettings::from_json(Some(&v));
        assert_eq!(s.room_type, crate::RoomType::Channel);
        // `=== true`: the string "true" is not the boolean.
        assert!(!s.users_regexp);
        assert!(s.disable_channel_configuration);
        assert!(!s.federation_no_remote_chat);
        assert!(s.federation_dont_publish_remotely);
        assert!(!s.token_disabled);
    }

    #[test]
    fn errors_of_unused_folders_become_warnings() {
        let d = |path: &str, severity| Diagnostic {
            path: path.to_owned(),
            severity,
            code: "schema",
            pointer: String::new(),
            line: None,
            column: None,
            span: None,
            message: "m".to_owned(),
            help: None,
        };
        let mut all = vec![
            d("tokens/a@b.example.json", Severity::Error),
            d("videoInfos/remote/x.example/u.json", Severity::Error),
            d("room-channel/room.b.example.json", Severity::Error),
        ];
        let settings = PluginSettings {
            token_disabled: true,
            ..PluginSettings::default()
        };
        apply(&mut all, &settings);
        assert_eq!(all[0].severity, Severity::Warning);
        assert!(all[0].message.contains("`livechat-token-disabled`"));
        assert_eq!(all[1].severity, Severity::Error);
        assert_eq!(all[2].severity, Severity::Error);
    }
}
