//! What checks depend on beyond the files: the instance and the plugin's settings.

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

/// The plugin setting `prosody-room-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoomType {
    /// Room local parts are video UUIDs (the default).
    #[default]
    Video,
    /// Room local parts are `channel.<id>`.
    Channel,
}

/// Options of a validation run.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// The instance, when given or inferred; checks that need it are skipped without it.
    pub instance: Option<Instance>,
    /// Where the instance came from, for the report ("--instance-url", "inferred from ...").
    pub instance_source: Option<String>,
    /// The room type.
    pub room_type: RoomType,
}
