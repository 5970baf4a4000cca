//! The bench's data dir: a realistic, internally consistent data directory of N files
//! built from the fixture files (`fixtures/sample/` as templates for valid files,
//! `fixtures/files/<kind>/invalid/` for the few per cent that are invalid),
//! deterministic for a given N (fixed seed), plus the inventory of what exists.
//!
//! It writes only under `target/bench/`: `data-<N>/` (built in `data-<N>.tmp/`, then
//! renamed), `data-<N>.inventory.json` and `data-<N>.stamp`, and reuses a data dir
//! whose stamp matches.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use livechat_schema::Kind;
use serde_json::{Map, Value, json};

use crate::codegen::root;
use crate::crossval::rel_slash;

/// Changing the generator changes this, so that old data dirs are rebuilt.
const GENERATOR: &str = "livechat-bench-data v1";
const SEED: u64 = 0x11fe_c4a7_2026;
/// The share of JSON documents replaced by an invalid fixture of their kind.
const INVALID_PER_MILLE: u32 = 20;

/// The instance host of the sample (and so of the generated dir).
pub const HOST: &str = "peertube.example.com";

/// What was generated.
#[derive(Debug)]
pub struct Generated {
    pub dir: PathBuf,
    pub inventory: PathBuf,
    /// Every file of the dir, with its count per category.
    pub files: usize,
    pub summary: String,
}

/// The bench data dir of `n` files, generated unless a matching one exists.
pub fn ensure(n: usize) -> Result<Generated> {
    let bench = root().join("target").join("bench");
    fs::create_dir_all(&bench)?;
    let dir = bench.join(format!("data-{n}"));
    let inventory = bench.join(format!("data-{n}.inventory.json"));
    let stamp = bench.join(format!("data-{n}.stamp"));
    let wanted_head = format!("{GENERATOR} seed={SEED:#x} files={n}\n");
    if let Ok(text) = fs::read_to_string(&stamp) {
        if text.starts_with(&wanted_head) && dir.is_dir() && inventory.is_file() {
            eprintln!("bench: reusing {}", dir.display());
            return Ok(Generated {
                dir,
                inventory,
                files: n,
                summary: text[wanted_head.len()..].to_owned(),
            });
        }
    }
    let _ = fs::remove_file(&stamp);
    let tmp = bench.join(format!("data-{n}.tmp"));
    for old in [&tmp, &dir] {
        if old.exists() {
            fs::remove_dir_all(old).with_context(|| format!("removing {}", old.display()))?;
        }
    }
    eprintln!("bench: generating {n} files in {}", dir.display());
    let templates = Templates::load(&root().join("fixtures"))?;
    let mut generator = Generator::new(&templates, n);
    let (inv, counts) = generator.build()?;
    for (rel, bytes) in &generator.files {
        let path = tmp.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    fs::rename(&tmp, &dir)?;
    fs::write(&inventory, serde_json::to_vec(&inv)?)?;
    let mut summary = String::new();
    for (what, count) in &counts {
        let _ = writeln!(summary, "{what}: {count}");
    }
    fs::write(&stamp, format!("{wanted_head}{summary}"))?;
    Ok(Generated {
        dir,
        inventory,
        files: generator.files.len(),
        summary,
    })
}

/// The fixture texts the generator copies and edits.
struct Templates {
    /// Channel configurations of the sample, by channel id.
    channels: BTreeMap<u64, String>,
    /// Bot room files of the sample, by the channel that links them (room-channel);
    /// channel 5's only room is the deleted video's (linked by no channel).
    rooms: BTreeMap<u64, Vec<(String, String)>>,
    /// `(template uuid, text)` of the sample's local videoInfos.
    local_videos: Vec<(String, String)>,
    /// Remote instances: host, its videoInfos `(uuid, text)` and its serverInfos
    /// `(path relative to serverInfos/ with the host replaced by {}, text)`.
    remotes: Vec<Remote>,
    /// Emoji definitions and their image files, by channel id.
    emojis: BTreeMap<u64, Emojis>,
    tokens: Vec<String>,
    moderation: String,
    markers: Vec<String>,
    /// Invalid fixtures by kind.
    invalid: BTreeMap<Kind, Vec<Vec<u8>>>,
}

/// An emoji definition's text and its image files `(name, bytes)`.
type Emojis = (String, Vec<(String, Vec<u8>)>);

struct Remote {
    host: String,
    videos: Vec<(String, String)>,
    server_infos: Vec<(String, String)>,
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    paths.sort();
    Ok(paths)
}

impl Templates {
    fn load(fixtures: &Path) -> Result<Self> {
        let sample = fixtures.join("sample");
        let muc = format!("room.{HOST}");
        let mut channels = BTreeMap::new();
        for path in list(&sample.join("channelConfigurationOptions"))? {
            let id: u64 = stem(&path).parse().context("a sample channel id")?;
            channels.insert(id, read(&path)?);
        }
        let room_channel: Map<String, Value> =
            serde_json::from_str(&read(&sample.join(format!("room-channel/{muc}.json")))?)?;
        let rooms_dir = sample.join(format!("bot/{muc}/rooms"));
        let mut rooms: BTreeMap<u64, Vec<(String, String)>> = BTreeMap::new();
        let mut linked = Vec::new();
        for (channel, list) in &room_channel {
            let channel: u64 = channel.parse()?;
            for uuid in list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                linked.push(uuid.to_owned());
                let path = rooms_dir.join(format!("{uuid}.json"));
                if path.is_file() {
                    rooms
                        .entry(channel)
                        .or_default()
                        .push((uuid.to_owned(), read(&path)?));
                }
            }
        }
        for path in list(&rooms_dir)? {
            let uuid = stem(&path);
            if !linked.contains(&uuid) {
                // The deleted video's disabled room: channel 5's leftover.
                rooms.entry(5).or_default().push((uuid, read(&path)?));
            }
        }
        let mut local_videos = Vec::new();
        for path in list(&sample.join("videoInfos/local"))? {
            local_videos.push((stem(&path), read(&path)?));
        }
        let mut remotes = Vec::new();
        for host_dir in list(&sample.join("videoInfos/remote"))? {
            let host = host_dir
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut videos = Vec::new();
            for path in list(&host_dir)? {
                videos.push((stem(&path), read(&path)?));
            }
            let mut server_infos = Vec::new();
            for prefix in ["", "room.", "external."] {
                let dir = sample.join("serverInfos").join(format!("{prefix}{host}"));
                if dir.is_dir() {
                    for path in list(&dir)? {
                        let name = path
                            .file_name()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        server_infos.push((format!("{prefix}{{}}/{name}"), read(&path)?));
                    }
                }
            }
            remotes.push(Remote {
                host,
                videos,
                server_infos,
            });
        }
        let mut emojis = BTreeMap::new();
        for dir in list(&sample.join("emojis/channel"))? {
            let id: u64 = stem(&dir).parse()?;
            let definition = read(&dir.join("definition.json"))?;
            let mut images = Vec::new();
            for path in list(&dir.join("files"))? {
                let name = path
                    .file_name()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                images.push((name, fs::read(&path)?));
            }
            emojis.insert(id, (definition, images));
        }
        let mut tokens = Vec::new();
        for path in list(&sample.join("tokens"))? {
            tokens.push(read(&path)?);
        }
        let moderation = read(&sample.join(format!("bot/{muc}/moderation.json")))?;
        let markers = livechat_schema::registry::MARKER_FILES
            .iter()
            .filter(|m| sample.join(m).is_file())
            .map(|m| (*m).to_owned())
            .collect();
        let mut invalid = BTreeMap::new();
        for &kind in Kind::DATA_DIR {
            let dir = fixtures.join("files").join(kind.id()).join("invalid");
            let mut texts = Vec::new();
            if dir.is_dir() {
                for path in list(&dir)? {
                    texts.push(fs::read(&path)?);
                }
            }
            invalid.insert(kind, texts);
        }
        if channels.is_empty() || local_videos.is_empty() || remotes.is_empty() {
            bail!("fixtures/sample lacks the templates the bench needs");
        }
        Ok(Templates {
            channels,
            rooms,
            local_videos,
            remotes,
            emojis,
            tokens,
            moderation,
            markers,
            invalid,
        })
    }
}

struct Generator<'a> {
    t: &'a Templates,
    n: usize,
    rng: fastrand::Rng,
    /// Path relative to the data dir, contents.
    files: Vec<(String, Vec<u8>)>,
    counts: BTreeMap<String, usize>,
}

impl<'a> Generator<'a> {
    fn new(t: &'a Templates, n: usize) -> Self {
        Generator {
            t,
            n,
            rng: fastrand::Rng::with_seed(SEED),
            files: Vec::with_capacity(n),
            counts: BTreeMap::new(),
        }
    }

    fn uuid(&mut self) -> String {
        let a = self.rng.u64(..);
        let b = self.rng.u64(..);
        // Version 4, RFC 4122 variant, lower case: what PeerTube's `uuid` writes.
        let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
        let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }

    /// Adds a JSON document, replaced by an invalid fixture of its kind now and then.
    fn doc(&mut self, kind: Kind, rel: String, text: String) {
        let invalid = &self.t.invalid[&kind];
        let bytes = if !invalid.is_empty() && self.rng.u32(..1000) < INVALID_PER_MILLE {
            *self
                .counts
                .entry("invalid (an invalid fixture's content)".into())
                .or_default() += 1;
            invalid[self.rng.usize(..invalid.len())].clone()
        } else {
            text.into_bytes()
        };
        *self.counts.entry(kind.id().to_owned()).or_default() += 1;
        self.files.push((rel, bytes));
    }

    fn other(&mut self, what: &str, rel: String, bytes: Vec<u8>) {
        *self.counts.entry(what.to_owned()).or_default() += 1;
        self.files.push((rel, bytes));
    }

    fn build(&mut self) -> Result<(Value, BTreeMap<String, usize>)> {
        let t = self.t;
        let n = self.n;
        let muc = format!("room.{HOST}");
        for marker in &t.markers {
            self.other("marker", marker.clone(), Vec::new());
        }
        self.doc(
            Kind::BotModeration,
            format!("bot/{muc}/moderation.json"),
            t.moderation.clone(),
        );

        // Channels: each copies one of the sample's channels (its config shape, bot
        // state, room files and emojis). Weights favour the canonical shapes.
        let weights: &[(u64, u32)] = &[(1, 30), (2, 25), (3, 15), (4, 10), (5, 10), (7, 10)];
        let total_weight: u32 = weights.iter().map(|w| w.1).sum();
        let channel_count = (n / 40).max(6);
        let mut channels: Vec<(u64, u64)> = Vec::with_capacity(channel_count);
        let mut existing_channels = Vec::new();
        for id in 1..=channel_count as u64 {
            let mut pick = self.rng.u32(..total_weight);
            let template = weights
                .iter()
                .find(|(_, w)| {
                    let hit = pick < *w;
                    pick = pick.saturating_sub(*w);
                    hit
                })
                .map_or(1, |w| w.0);
            channels.push((id, template));
            // Template 7 is the sample's deleted channel; 3% of the others are gone
            // from PeerTube too: prune has something to do.
            if template != 7 && self.rng.u32(..100) >= 3 {
                existing_channels.push(id);
            }
            self.doc(
                Kind::ChannelConfigurationOptions,
                format!("channelConfigurationOptions/{id}.json"),
                t.channels[&template].clone(),
            );
            if let Some((definition, images)) = t.emojis.get(&template) {
                if self.rng.u32(..100) < 30 {
                    let from = format!("/emojis/channel/{template}/files/");
                    let to = format!("/emojis/channel/{id}/files/");
                    self.doc(
                        Kind::EmojisDefinition,
                        format!("emojis/channel/{id}/definition.json"),
                        definition.replace(&from, &to),
                    );
                    for (name, bytes) in images {
                        self.other(
                            "emoji image",
                            format!("emojis/channel/{id}/files/{name}"),
                            bytes.clone(),
                        );
                    }
                }
            }
        }

        // Tokens of local users.
        for user in 0..n / 25 {
            let template = &t.tokens[user % t.tokens.len()];
            let mut value: Value = serde_json::from_str(template)?;
            value["userId"] = json!(user + 2);
            self.doc(
                Kind::Tokens,
                format!("tokens/user{user}@{HOST}.json"),
                serde_json::to_string(&value)?,
            );
        }

        // Remote instances and their serverInfos.
        let remote_hosts: Vec<(String, usize)> = (0..(n / 500).max(3))
            .map(|i| (format!("tube{i}.fediverse.example"), i % t.remotes.len()))
            .collect();
        for (host, template) in &remote_hosts {
            let remote = &t.remotes[*template];
            for (pattern, text) in &remote.server_infos {
                let rel = format!("serverInfos/{}", pattern.replace("{}", host));
                let kind = match rel.rsplit('/').next() {
                    Some("last-update") => Kind::ServerInfosLastUpdate,
                    Some("s2s") => Kind::ServerInfosS2s,
                    _ => Kind::ServerInfosWsS2s,
                };
                self.doc(kind, rel, text.replace(&remote.host, host));
            }
        }

        // Local videos until 45% of the budget is used, each with its videoInfos,
        // a room in room-channel and, where the channel's bot is enabled, a room file.
        let linkable: Vec<(u64, u64)> = channels
            .iter()
            .copied()
            .filter(|(_, template)| matches!(template, 1..=4))
            .collect();
        let mut room_channel: BTreeMap<u64, Vec<String>> = channels
            .iter()
            .filter(|(_, template)| *template != 7)
            .map(|(id, _)| (*id, Vec::new()))
            .collect();
        let mut videos = Vec::new();
        let local_budget = self.files.len() + (n.saturating_sub(self.files.len())) * 45 / 100;
        while self.files.len() + 2 <= local_budget && !linkable.is_empty() {
            let uuid = self.uuid();
            let (channel, template) = linkable[self.rng.usize(..linkable.len())];
            let (from, text) = &t.local_videos[self.rng.usize(..t.local_videos.len())];
            self.doc(
                Kind::VideoInfosLocal,
                format!("videoInfos/local/{uuid}.json"),
                text.replace(from.as_str(), &uuid),
            );
            if let Some(rooms) = t.rooms.get(&template) {
                let (from, text) = &rooms[self.rng.usize(..rooms.len())];
                self.doc(
                    Kind::BotRoom,
                    format!("bot/{muc}/rooms/{uuid}.json"),
                    text.replace(from.as_str(), &uuid),
                );
            }
            if let Some(list) = room_channel.get_mut(&channel) {
                list.push(uuid.clone());
            }
            // 3% of the videos were deleted in PeerTube since.
            if existing_channels.contains(&channel) && self.rng.u32(..100) >= 3 {
                videos.push(json!({"uuid": uuid, "channel_id": channel, "remote": false}));
            }
        }
        // Channels shaped like the sample's channel 5 keep the disabled room of a
        // deleted video.
        for (_, template) in channels.iter().filter(|(_, t)| *t == 5) {
            if let Some((from, text)) = t.rooms.get(template).and_then(|r| r.first()) {
                let uuid = self.uuid();
                if self.files.len() + 2 < n {
                    self.doc(
                        Kind::BotRoom,
                        format!("bot/{muc}/rooms/{uuid}.json"),
                        text.replace(from.as_str(), &uuid),
                    );
                }
            }
        }
        let mut map = Map::new();
        for (id, list) in &room_channel {
            map.insert(id.to_string(), json!(list));
        }
        self.doc(
            Kind::RoomChannel,
            format!("room-channel/{muc}.json"),
            serde_json::to_string(&map)?,
        );

        // Remote videos fill the rest.
        while self.files.len() < n {
            let (host, template) = &remote_hosts[self.rng.usize(..remote_hosts.len())];
            let remote = &t.remotes[*template];
            let (from, text) = &remote.videos[self.rng.usize(..remote.videos.len())];
            let uuid = self.uuid();
            self.doc(
                Kind::VideoInfosRemote,
                format!("videoInfos/remote/{host}/{uuid}.json"),
                text.replace(from.as_str(), &uuid)
                    .replace(&remote.host, host),
            );
            if self.rng.u32(..100) >= 3 {
                videos
                    .push(json!({"uuid": uuid, "channel_id": 100_000 + *template, "remote": true}));
            }
        }

        let mut channel_ids: Vec<u64> = existing_channels;
        channel_ids.extend((0..t.remotes.len() as u64).map(|i| 100_000 + i));
        let inventory = json!({
            "instance_host": HOST,
            "channels": channel_ids,
            "videos": videos,
        });
        self.counts.insert("files".into(), self.files.len());
        Ok((inventory, self.counts.clone()))
    }
}

/// The JSON documents of a data dir, grouped by kind (paths sorted), for the anchors.
pub fn documents_by_kind(dir: &Path) -> Result<BTreeMap<Kind, Vec<PathBuf>>> {
    let mut out: BTreeMap<Kind, Vec<PathBuf>> = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for path in list(&d)? {
            let rel = rel_slash(dir, &path);
            if path.is_dir() {
                if !livechat_schema::registry::is_prosody_dir(&rel) {
                    stack.push(path);
                }
            } else if let livechat_schema::Entry::Document { kind, .. } =
                livechat_schema::classify(&rel)
            {
                out.entry(kind).or_default().push(path);
            }
        }
    }
    for paths in out.values_mut() {
        paths.sort();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use livechat_schema::Entry;

    fn generate(n: usize) -> Vec<(String, Vec<u8>)> {
        let templates = Templates::load(&root().join("fixtures")).unwrap();
        let mut generator = Generator::new(&templates, n);
        generator.build().unwrap();
        generator.files
    }

    #[test]
    fn deterministic_with_exactly_n_files() {
        let a = generate(2_000);
        assert_eq!(a.len(), 2_000);
        assert_eq!(a, generate(2_000));
    }

    #[test]
    fn every_file_is_known_and_rooms_are_linked() {
        let files = generate(2_000);
        let mut kinds = std::collections::BTreeSet::new();
        for (rel, _) in &files {
            match livechat_schema::classify(rel) {
                Entry::Document { kind, .. } => {
                    kinds.insert(kind);
                }
                Entry::Unknown => panic!("{rel} matches no kind"),
                _ => {}
            }
        }
        assert_eq!(kinds.len(), Kind::DATA_DIR.len(), "all kinds: {kinds:?}");

        let muc = format!("room.{HOST}");
        let (_, index) = files
            .iter()
            .find(|(rel, _)| *rel == format!("room-channel/{muc}.json"))
            .unwrap();
        let index: Map<String, Value> = serde_json::from_slice(index).unwrap();
        let linked: Vec<&str> = index
            .values()
            .flat_map(|v| v.as_array().unwrap())
            .map(|v| v.as_str().unwrap())
            .collect();
        for (rel, bytes) in &files {
            if let Some(uuid) = rel
                .strip_prefix("videoInfos/local/")
                .and_then(|r| r.strip_suffix(".json"))
            {
                // Local videos are in the index unless replaced by an invalid fixture.
                if serde_json::from_slice::<Value>(bytes).is_ok_and(|v| v["jid"].is_string()) {
                    assert!(linked.contains(&uuid), "{rel} is linked by no channel");
                }
            }
        }
    }
}
