//! What the commands learn from PeerTube itself: its layered configuration
//! (`--peertube-config`) and its database (`--peertube-db`, or the configuration's
//! `database` section): the instance, the plugin's data dir, the installed plugin
//! and its settings.
//!
//! The instance comes from, in order: `--instance-url`; the configuration's
//! `webserver` (the authority: the plugin derives its domain from it); the local
//! application actor in the database; and, where the command allows it, the data
//! directory itself. Every command says which (`Resolved::source`). Notes (a
//! disagreement between configuration and database, a database that could not be
//! read for optional facts) go to stderr; no connection URL is ever printed.

use std::path::{Path, PathBuf};

use livechat_migrate::peertube::{self, Db, PeertubeConfig};
use livechat_validate::{Instance, PluginInstall, PluginSettings};

/// Where PeerTube's facts come from, as the user gave them.
#[derive(Debug, Default)]
pub struct Sources<'a> {
    pub instance_url: Option<&'a str>,
    pub peertube_config: Option<&'a Path>,
    pub peertube_db: Option<&'a str>,
    /// The hidden `--db-schema` (tests).
    pub db_schema: Option<&'a str>,
}

/// What was learnt.
pub struct Resolved {
    /// The layered configuration, when given.
    pub config: Option<PeertubeConfig>,
    /// The database connection, when one was given or configured and it answered.
    pub db: Option<Db>,
    /// The instance and where it came from.
    pub instance: Option<(Instance, String)>,
}

impl Sources<'_> {
    /// Reads the configuration and connects to the database. `db_required`: a
    /// database that does not answer stops the command (else it is a note, and what
    /// it would have told is unknown).
    pub fn resolve(&self, db_required: bool) -> miette::Result<Resolved> {
        let config = self
            .peertube_config
            .map(peertube::read_config)
            .transpose()?;
        let db_url = self
            .peertube_db
            .map(str::to_owned)
            .or_else(|| config.as_ref().map(|c| c.database_url.clone()));
        let db = match &db_url {
            None => None,
            Some(url) => match Db::connect(url, self.db_schema) {
                Ok(db) => Some(db),
                Err(e) if db_required => return Err(e.into()),
                Err(e) => {
                    eprintln!("note: {e}; the plugin's settings and version are unknown");
                    None
                }
            },
        };
        let mut resolved = Resolved {
            config,
            db,
            instance: None,
        };
        resolved.instance = resolved.find_instance(self.instance_url)?;
        Ok(resolved)
    }
}

impl Resolved {
    fn find_instance(&mut self, url: Option<&str>) -> miette::Result<Option<(Instance, String)>> {
        let from_db = match self.db.as_mut().map(Db::application_actor_url).transpose() {
            Ok(url) => url.flatten(),
            Err(e) => {
                eprintln!("note: {e}");
                None
            }
        };
        if let Some(url) = url {
            return Ok(Some((
                Instance::from_url(url)?,
                "--instance-url".to_owned(),
            )));
        }
        if let Some(config) = &self.config {
            let instance = Instance::from_url(&config.base_url())?;
            if let Some(db_base) = from_db.as_deref().and_then(peertube::base_of_actor_url) {
                if Instance::from_url(&db_base).is_ok_and(|i| i.host != instance.host) {
                    eprintln!(
                        "note: PeerTube's database names the instance {db_base} (its application actor), its configuration {}: the configuration wins, as for the plugin (after a domain change PeerTube's `npm run update-host` updates the database)",
                        instance.base_url()
                    );
                }
            }
            let layers = config.layers.join(" + ");
            return Ok(Some((instance, format!("--peertube-config {layers}"))));
        }
        if let Some(actor) = from_db {
            let base = peertube::base_of_actor_url(&actor).ok_or_else(|| {
                miette::miette!(
                    "PeerTube's application actor has the URL {actor:?}, not http(s)://host/..."
                )
            })?;
            let instance = Instance::from_url(&base)?;
            return Ok(Some((
                instance,
                format!("PeerTube's database: the local application actor {actor}"),
            )));
        }
        Ok(None)
    }

    /// The installed plugin, from the database (`None` without a database, or when
    /// the plugin has no row; a note says which).
    pub fn plugin(&mut self) -> Option<PluginInstall> {
        let db = self.db.as_mut()?;
        match db.plugin() {
            Ok(Some(row)) => Some(PluginInstall {
                settings_saved: row.settings.is_some(),
                settings: PluginSettings::from_json(row.settings.as_ref()),
                version: row.version,
                active: row.active,
            }),
            Ok(None) => {
                eprintln!(
                    "note: PeerTube's database has no row for the plugin (`plugin` named `livechat`, type 1): it is not installed there; settings not applied"
                );
                None
            }
            Err(e) => {
                eprintln!("note: {e}; the plugin's settings and version are unknown");
                None
            }
        }
    }

    /// The data directory: the one given, else the configuration's
    /// `<storage.plugins>/data/peertube-plugin-livechat`, else the default.
    pub fn data_dir(&self, given: Option<&Path>) -> PathBuf {
        given
            .map(Path::to_path_buf)
            .or_else(|| self.config.as_ref().and_then(PeertubeConfig::data_dir))
            .unwrap_or_else(|| PathBuf::from(crate::DEFAULT_DATA_DIR))
    }
}
