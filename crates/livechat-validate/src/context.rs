//! What checks depend on beyond the files: the instance, and the installed plugin
//! with its settings.

/// The PeerTube instance the data directory belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// The host `D` (no port), e.g. `peertube.example.com`.
    pub host: String,
    /// `https` or `http`, as in PeerTube's public URL (emoji URLs use it).
    pub scheme: String,
    /// The public URL's port when it is not the scheme's default.
    pub port: Option<u16>,
}

impl Instance {
    /// The MUC domain `room.D`.
    pub fn muc_domain(&self) -> String {
        livechat_schema::names::muc_domain(&self.host)
    }

    /// The bot domain `bot.D`.
    pub fn bot_domain(&self) -> String {
        livechat_schema::names::bot_domain(&self.host)
    }

    /// The public base URL, e.g. `https://peertube.example.com` (with a non-default port).
    pub fn base_url(&self) -> String {
        match self.port {
            Some(port) => format!("{}://{}:{port}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }
}

/// Why an instance URL or PeerTube configuration could not give the instance.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InstanceError {
    /// The URL is not `http(s)://host[:port][/]`.
    #[error("invalid instance url `{url}`: {reason}")]
    #[diagnostic(
        code(livechat::instance::url),
        help("give the public URL of PeerTube, e.g. https://peertube.example.com")
    )]
    Url { url: String, reason: &'static str },
    /// The PeerTube configuration file could not be read.
    #[error("cannot read the peertube configuration {path}")]
    #[diagnostic(code(livechat::instance::config_read))]
    ConfigRead {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The PeerTube configuration file is not the YAML PeerTube reads, or lacks a key.
    #[error("invalid peertube configuration {path}: {reason}")]
    #[diagnostic(
        code(livechat::instance::config),
        help("the file must set webserver.https, webserver.hostname and webserver.port")
    )]
    Config { path: String, reason: String },
}

impl Instance {
    /// Parses PeerTube's public URL (`--instance-url`): `http` or `https`, a host, an
    /// optional port, nothing after the host but an optional `/`. The host is
    /// lower-cased, as Node's URL parser does.
    pub fn from_url(url: &str) -> Result<Instance, InstanceError> {
        let fail = |reason| InstanceError::Url {
            url: url.to_owned(),
            reason,
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| fail("it has no scheme (https://)"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(fail("the scheme must be https or http"));
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) {
            return Err(fail(
                "it must be only scheme, host and port, without a path",
            ));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => {
                let port: u16 = port
                    .parse()
                    .map_err(|_| fail("the port is not a number from 0 to 65535"))?;
                (host, Some(port))
            }
            None => (rest, None),
        };
        Instance::new(&scheme, host, port).map_err(fail)
    }

    /// Builds an instance from PeerTube's `webserver` settings, dropping the scheme's
    /// default port as PeerTube does when it builds its public URL.
    fn new(scheme: &str, host: &str, port: Option<u16>) -> Result<Instance, &'static str> {
        let host = host.to_ascii_lowercase();
        if !livechat_schema::names::is_normalized_host(&host) {
            return Err("the host is not a lower-case DNS name with at least two labels");
        }
        let default_port = if scheme == "https" { 443 } else { 80 };
        Ok(Instance {
            host,
            scheme: scheme.to_owned(),
            port: port.filter(|&p| p != default_port),
        })
    }

    /// Reads the instance from PeerTube's `production.yaml` (`webserver.https`,
    /// `webserver.hostname`, `webserver.port`). Only the `webserver` section is read.
    pub fn from_peertube_config(path: &std::path::Path) -> Result<Instance, InstanceError> {
        let text = std::fs::read_to_string(path).map_err(|source| InstanceError::ConfigRead {
            path: path.display().to_string(),
            source,
        })?;
        Instance::from_peertube_config_text(&text).map_err(|reason| InstanceError::Config {
            path: path.display().to_string(),
            reason,
        })
    }

    /// Parses the text of PeerTube's `production.yaml` (see [`Self::from_peertube_config`]).
    pub fn from_peertube_config_text(text: &str) -> Result<Instance, String> {
        #[derive(serde::Deserialize)]
        struct Config {
            webserver: Option<Webserver>,
        }
        #[derive(serde::Deserialize)]
        struct Webserver {
            https: Option<bool>,
            hostname: Option<String>,
            port: Option<u16>,
        }
        // The error of the YAML parser may quote the file, which holds passwords:
        // keep only its position.
        let config: Config = serde_norway::from_str(text).map_err(|err| match err.location() {
            Some(at) => format!(
                "not valid yaml (line {}, column {})",
                at.line(),
                at.column()
            ),
            None => "not valid yaml, or a webserver key has the wrong type".to_owned(),
        })?;
        let web = config
            .webserver
            .ok_or_else(|| "it has no webserver section".to_owned())?;
        let host = web
            .hostname
            .ok_or_else(|| "it has no webserver.hostname".to_owned())?;
        // A production.yaml always sets `https`; when it does not, assume the
        // production example's `true` (a public instance is served over https).
        let scheme = if web.https.unwrap_or(true) {
            "https"
        } else {
            "http"
        };
        Instance::new(scheme, &host, web.port)
            .map_err(|reason| format!("webserver.hostname: {reason}"))
    }
}

/// The plugin setting `prosody-room-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoomType {
    /// Room local parts are video UUIDs (the default).
    #[default]
    Video,
    /// Room local parts are `channel.<id>`.
    Channel,
}

/// The plugin settings that change what is valid, as the plugin reads them from
/// its row in PeerTube's `plugin` table (`server/lib/settings.ts` of v14.0.4 for the
/// defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PluginSettings {
    /// `prosody-room-type` (`=== 'channel'`, else video).
    pub room_type: RoomType,
    /// `enable-users-regexp` (`=== true`): regular-expression forbidden words are
    /// read as disabled when off.
    pub users_regexp: bool,
    /// `disable-channel-configuration`: channel configurations, the bot and channel
    /// emojis are not used.
    pub disable_channel_configuration: bool,
    /// `federation-no-remote-chat`: remote videoInfos are still written, not used.
    pub federation_no_remote_chat: bool,
    /// `federation-dont-publish-remotely`: local videoInfos are removed, not used.
    pub federation_dont_publish_remotely: bool,
    /// `livechat-token-disabled`: `tokens/` is not used.
    pub token_disabled: bool,
}

impl PluginSettings {
    /// The settings of the plugin's `settings` column. `None` (the form was never
    /// saved) and missing keys mean the registered defaults; booleans follow
    /// JavaScript's truthiness, as the plugin tests them (`if (settings[...])`),
    /// except `enable-users-regexp`, compared `=== true`.
    pub fn from_json(settings: Option<&serde_json::Value>) -> PluginSettings {
        let get = |key: &str| settings.and_then(|s| s.get(key));
        let truthy = |key: &str| match get(key) {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
            Some(serde_json::Value::String(s)) => !s.is_empty(),
            Some(_) => true,
        };
        PluginSettings {
            room_type: if get("prosody-room-type").and_then(|v| v.as_str()) == Some("channel") {
                RoomType::Channel
            } else {
                RoomType::Video
            },
            users_regexp: get("enable-users-regexp") == Some(&serde_json::Value::Bool(true)),
            disable_channel_configuration: truthy("disable-channel-configuration"),
            federation_no_remote_chat: truthy("federation-no-remote-chat"),
            federation_dont_publish_remotely: truthy("federation-dont-publish-remotely"),
            token_disabled: truthy("livechat-token-disabled"),
        }
    }
}

/// The installed plugin, from PeerTube's database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginInstall {
    /// The installed version (`plugin.version`), e.g. `14.0.4`.
    pub version: String,
    /// `enabled AND NOT uninstalled`.
    pub active: bool,
    /// Whether the settings form was ever saved (else every setting is its default).
    pub settings_saved: bool,
    /// The settings that change what is valid.
    pub settings: PluginSettings,
}

/// The plugin version the rules describe.
pub const RULES_VERSION: (u64, u64, u64) = (14, 0, 4);

impl PluginInstall {
    /// The version as numbers (`None` when it is not `X.Y.Z`, pre-release tags ignored).
    pub fn version_numbers(&self) -> Option<(u64, u64, u64)> {
        let core = self.version.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        Some((parts.next()??, parts.next()??, parts.next()??))
    }

    /// What a v14 upgrade reads differently from this installed version (empty when
    /// it is 14.x or newer, or unknown). Each entry names the plugin's code.
    pub fn upgrade_notes(&self) -> Vec<&'static str> {
        let Some(v) = self.version_numbers() else {
            return Vec::new();
        };
        let mut notes = Vec::new();
        if v < (10, 0, 0) {
            notes.push("its first start rebuilds Prosody's room affiliations (server/lib/prosody/migration/migrateV10.ts, marker `fix-v10-affiliations`)");
        }
        if v < (12, 0, 0) {
            notes.push("its first start rewrites the channel emojis definitions (server/lib/prosody/migration/migrateV12.ts, marker `fix-v11.1-emojis`)");
        }
        if v < (14, 0, 0) {
            notes.push("every regular-expression forbidden-words line is read as disabled unless the setting `enable-users-regexp` is on, and the bot room files are rewritten without them (v14's breaking change; server/lib/configuration/channel/sanitize.ts, marker `fix-v14-regexp`)");
            notes.push("channel configurations without `forbiddenWords[].enabled` (written before v14) are read with every line enabled (server/lib/configuration/channel/sanitize.ts)");
        }
        notes
    }
}

/// Options of a validation run.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// The instance, when given or inferred; checks that need it are skipped without it.
    pub instance: Option<Instance>,
    /// Where the instance came from, for the report ("--instance-url", "inferred from ...").
    pub instance_source: Option<String>,
    /// The room type (the plugin's setting when [`Self::plugin`] is known).
    pub room_type: RoomType,
    /// The installed plugin and its settings, read from PeerTube's database; `None`
    /// when unknown (then settings are not applied, and the room type is given or
    /// the default).
    pub plugin: Option<PluginInstall>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let i = Instance::from_url("https://PeerTube.Example.com/").expect("valid");
        assert_eq!(i.host, "peertube.example.com");
        assert_eq!(i.scheme, "https");
        assert_eq!(i.port, None);
        assert_eq!(i.base_url(), "https://peertube.example.com");
        let i = Instance::from_url("http://tube.example.org:9000").expect("valid");
        assert_eq!(i.base_url(), "http://tube.example.org:9000");
        let i = Instance::from_url("https://tube.example.org:443").expect("valid");
        assert_eq!(i.port, None);
        for bad in [
            "peertube.example.com",
            "ftp://peertube.example.com",
            "https://peertube.example.com/videos",
            "https://user@peertube.example.com",
            "https://peertube.example.com:99999",
            "https://localhost",
            "https://",
        ] {
            assert!(Instance::from_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn peertube_config() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/peertube/production.yaml");
        let i = Instance::from_peertube_config(&path).expect("the fixture reads");
        assert_eq!(
            i,
            Instance {
                host: "peertube.example.com".into(),
                scheme: "https".into(),
                port: None
            }
        );
        let i = Instance::from_peertube_config_text(
            "webserver:\n  https: false\n  hostname: 'tube.example.org'\n  port: 9000\n",
        )
        .expect("valid");
        assert_eq!(i.base_url(), "http://tube.example.org:9000");
        assert!(Instance::from_peertube_config_text("listen:\n  port: 9000\n").is_err());
        assert!(Instance::from_peertube_config_text("webserver: [").is_err());
        // The YAML error never quotes the file (it holds passwords).
        let err = Instance::from_peertube_config_text(
            "database:\n  password: 'hunter2-secret'\nwebserver:\n  hostname: [x\n",
        )
        .expect_err("invalid");
        assert!(!err.contains("hunter2"), "{err}");
    }
}
