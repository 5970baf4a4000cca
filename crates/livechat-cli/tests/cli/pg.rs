//! A PostgreSQL database of PeerTube's shape for one test: created under a unique
//! name on the server at 127.0.0.1:5432 (trust auth, user `postgres`), dropped when
//! the test ends, pass or fail.
//!
//! The tables keep PeerTube's names, column names and types for what the tool reads
//! (`actor`, `server`, `plugin`, `"videoChannel"`, `video`); the rest of PeerTube's
//! columns are left out.

use std::sync::atomic::{AtomicU32, Ordering};

const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// PeerTube's tables, as far as the tool reads them.
pub const PEERTUBE_TABLES: &str = r#"
CREATE TABLE server (id serial PRIMARY KEY, host varchar(255) NOT NULL UNIQUE);
CREATE TABLE actor (id serial PRIMARY KEY, type varchar(255) NOT NULL,
  "preferredUsername" varchar(255) NOT NULL, url varchar(2000) NOT NULL,
  "serverId" integer REFERENCES server(id) ON DELETE CASCADE);
CREATE TABLE plugin (id serial PRIMARY KEY, name varchar(255) NOT NULL, type integer NOT NULL,
  version varchar(255) NOT NULL, "latestVersion" varchar(255), enabled boolean NOT NULL,
  uninstalled boolean NOT NULL, "peertubeEngine" varchar(255) NOT NULL, description varchar(255),
  homepage varchar(255) NOT NULL, settings jsonb, storage jsonb,
  "createdAt" timestamp with time zone NOT NULL DEFAULT now(),
  "updatedAt" timestamp with time zone NOT NULL DEFAULT now(), UNIQUE (name, type));
CREATE TABLE "videoChannel" (id serial PRIMARY KEY, name varchar(255) NOT NULL, "actorId" integer);
CREATE TABLE video (id serial PRIMARY KEY, uuid uuid NOT NULL, name varchar(255) NOT NULL,
  "channelId" integer NOT NULL REFERENCES "videoChannel"(id) ON DELETE CASCADE,
  remote boolean NOT NULL DEFAULT false, "isLive" boolean NOT NULL DEFAULT false, url varchar(2000));
"#;

/// One test's database.
pub struct TestDb {
    pub name: String,
    /// `postgres://postgres@127.0.0.1:5432/<name>`.
    pub url: String,
}

impl TestDb {
    /// An empty database with PeerTube's tables.
    pub fn new(tag: &str) -> TestDb {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "lc_{tag}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = postgres::Client::connect(ADMIN_URL, postgres::NoTls)
            .expect("PostgreSQL at 127.0.0.1:5432");
        // One statement per call: neither may run inside a transaction block.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .expect("drop a leftover");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        let db = TestDb {
            url: format!("postgres://postgres@127.0.0.1:5432/{name}"),
            name,
        };
        db.client().batch_execute(PEERTUBE_TABLES).expect("tables");
        db
    }

    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("the test database")
    }

    /// The sample instance: its application actor (and a remote instance's, which
    /// must be ignored), and the channels and videos of `fixtures/sample-inventory.json`.
    pub fn sample(tag: &str) -> TestDb {
        let db = TestDb::new(tag);
        let mut c = db.client();
        c.batch_execute(
            r#"
INSERT INTO server(id, host) VALUES (1, 'tube.other.net');
INSERT INTO actor(type, "preferredUsername", url, "serverId") VALUES
  ('Application', 'peertube', 'https://tube.other.net/accounts/peertube', 1),
  ('Person', 'root', 'https://peertube.example.com/accounts/root', NULL),
  ('Application', 'peertube', 'https://peertube.example.com/accounts/peertube', NULL);
"#,
        )
        .expect("actors");
        let inv: serde_json::Value = serde_json::from_slice(
            &std::fs::read(super::repo().join("fixtures/sample-inventory.json"))
                .expect("inventory"),
        )
        .expect("json");
        for ch in inv["channels"].as_array().expect("channels") {
            c.execute(
                r#"INSERT INTO "videoChannel"(id, name) VALUES ($1, 'c')"#,
                &[&(ch.as_i64().expect("id") as i32)],
            )
            .expect("channel");
        }
        for v in inv["videos"].as_array().expect("videos") {
            c.execute(
                r#"INSERT INTO video(uuid, name, "channelId", remote) VALUES ($1::text::uuid, 'v', $2, $3)"#,
                &[
                    &v["uuid"].as_str().expect("uuid"),
                    &(v["channel_id"].as_i64().expect("channel") as i32),
                    &v["remote"].as_bool().expect("remote"),
                ],
            )
            .expect("video");
        }
        db
    }

    /// Installs the plugin's row (`settings` as JSON text, or NULL).
    pub fn plugin(&self, version: &str, enabled: bool, settings: Option<&str>) {
        self.client()
            .execute(
                r#"INSERT INTO plugin(name, type, version, enabled, uninstalled, "peertubeEngine", homepage, settings)
                   VALUES ('livechat', 1, $1, $2, false, '>=5.2.0', 'https://github.com/JohnXLivingston/peertube-plugin-livechat', $3::text::jsonb)"#,
                &[&version, &enabled, &settings],
            )
            .expect("plugin row");
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(ADMIN_URL, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
