//! The bench's data dir: a realistic, internally consistent data directory of N files
//! built from the fixture files (`fixtures/sample/` as templates for valid files,
//! `fixtures/files/<kind>/invalid/` for the few per cent that are invalid),
//! deterministic for a given N (fixed seed), plus the inventory of what exists.
//!
//! It writes only under `target/bench/`: `data-<N>/` (built in `data-<N>.tmp/`, then
//! renamed), `data-<N>.inventory.json` and `data-<N>.stamp`, and reuses a data dir
//! whose stamp matches. It streams: each file is written as it is generated, and the
//! inventory's videos as they come; what it keeps is the room-channel index (a UUID
//! per room, which it writes last) and the channels, so a million files take
//! little memory.
//!
//! Proportions, for N files: a channel per 40 files (30% of those of the sample's
//! shapes with emojis have a definition, one in ten of them with 20 to 200 emojis),
//! a token file per 25, a remote instance per 500 with its serverInfos, local videos
//! (each with its videoInfos and most with a bot room file: about one room per four
//! files, all in the one room-channel file) up to 45% of the files, remote videos for
//! the rest. Hostile: one emoji definition of 5,000 entries (the plugin allows 200),
//! whose files do not exist.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use livechat_schema::Kind;
use serde_json::{Map, Value, json};

use crate::codegen::root;
use crate::crossval::rel_slash;

/// Changing the generator changes this, so that old data dirs are rebuilt.
const GENERATOR: &str = "livechat-bench-data v2";
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
    let inventory_tmp = bench.join(format!("data-{n}.inventory.json.tmp"));
    let inv = std::io::BufWriter::new(
        fs::File::create(&inventory_tmp)
            .with_context(|| format!("creating {}", inventory_tmp.display()))?,
    );
    let mut generator = Generator::new(&templates, n, Sink::Dir(tmp.clone()), Box::new(inv));
    generator.build()?;
    let files = generator.count;
    let counts = generator.counts.clone();
    drop(generator);
    fs::rename(&tmp, &dir)?;
    fs::rename(&inventory_tmp, &inventory)?;
    let mut summary = String::new();
    for (what, count) in &counts {
        let _ = writeln!(summary, "{what}: {count}");
    }
    fs::write(&stamp, format!("{wanted_head}{summary}"))?;
    Ok(Generated {
        dir,
        inventory,
        files,
        summary,
    })
}

/// Where generated files go: a directory (the bench), or memory (the tests).
enum Sink {
    Dir(PathBuf),
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "only the tests generate in memory")
    )]
    Memory(Vec<(String, Vec<u8>)>),
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
    sink: Sink,
    /// Folders already created under a `Sink::Dir`.
    made: HashSet<String>,
    /// The inventory, written as the videos come.
    inventory: Box<dyn Write + 'a>,
    videos_written: usize,
    /// Files generated so far.
    count: usize,
    counts: BTreeMap<String, usize>,
}

impl<'a> Generator<'a> {
    fn new(t: &'a Templates, n: usize, sink: Sink, inventory: Box<dyn Write + 'a>) -> Self {
        Generator {
            t,
            n,
            rng: fastrand::Rng::with_seed(SEED),
            sink,
            made: HashSet::new(),
            inventory,
            videos_written: 0,
            count: 0,
            counts: BTreeMap::new(),
        }
    }

    fn write(&mut self, rel: String, bytes: &[u8]) -> Result<()> {
        self.count += 1;
        match &mut self.sink {
            Sink::Dir(root) => {
                let path = root.join(&rel);
                if let Some((parent, _)) = rel.rsplit_once('/') {
                    if !self.made.contains(parent) {
                        fs::create_dir_all(root.join(parent))?;
                        self.made.insert(parent.to_owned());
                    }
                } else if self.made.insert(String::new()) {
                    fs::create_dir_all(root)?;
                }
                fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
            }
            Sink::Memory(files) => {
                files.push((rel, bytes.to_vec()));
                Ok(())
            }
        }
    }

    /// Adds a video to the inventory.
    fn video(&mut self, uuid: &str, channel: u64, remote: bool) -> Result<()> {
        let sep = if self.videos_written == 0 { "" } else { "," };
        self.videos_written += 1;
        write!(
            self.inventory,
            "{sep}{{\"uuid\":\"{uuid}\",\"channel_id\":{channel},\"remote\":{remote}}}"
        )?;
        Ok(())
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
    fn doc(&mut self, kind: Kind, rel: String, text: &str) -> Result<()> {
        let invalid = &self.t.invalid[&kind];
        *self.counts.entry(kind.id().to_owned()).or_default() += 1;
        if !invalid.is_empty() && self.rng.u32(..1000) < INVALID_PER_MILLE {
            *self
                .counts
                .entry("invalid (an invalid fixture's content)".into())
                .or_default() += 1;
            let pick = self.rng.usize(..invalid.len());
            let t = self.t;
            self.write(rel, &t.invalid[&kind][pick])
        } else {
            self.write(rel, text.as_bytes())
        }
    }

    fn other(&mut self, what: &str, rel: String, bytes: &[u8]) -> Result<()> {
        *self.counts.entry(what.to_owned()).or_default() += 1;
        self.write(rel, bytes)
    }

    /// A definition of `count` emojis for channel `id`, built from the template's
    /// first entry and image; with `images`, the image files too.
    fn emoji_definition(
        &mut self,
        id: u64,
        template: &Emojis,
        count: usize,
        images: bool,
    ) -> Result<()> {
        let (name, bytes) = &template.1[0];
        let ext = name.rsplit('.').next().unwrap_or("png");
        let mut text = String::from("{\"customEmojis\":[");
        for i in 0..count {
            if i > 0 {
                text.push(',');
            }
            let file = format!("{}.{ext}", 1_700_000_000_000u64 + i as u64);
            let _ = write!(
                text,
                "{{\"sn\":\":e{i}:\",\"url\":\"https://{HOST}/plugins/livechat/router/emojis/channel/{id}/files/{file}\"}}"
            );
            if images {
                self.other(
                    "emoji image",
                    format!("emojis/channel/{id}/files/{file}"),
                    bytes,
                )?;
            }
        }
        text.push_str("]}");
        self.doc(
            Kind::EmojisDefinition,
            format!("emojis/channel/{id}/definition.json"),
            &text,
        )
    }

    /// Generates the files and the inventory.
    fn build(&mut self) -> Result<()> {
        let t = self.t;
        let n = self.n;
        let muc = format!("room.{HOST}");
        write!(
            self.inventory,
            "{{\"instance_host\":\"{HOST}\",\"videos\":["
        )?;
        for marker in &t.markers {
            self.other("marker", marker.clone(), &[])?;
        }
        self.doc(
            Kind::BotModeration,
            format!("bot/{muc}/moderation.json"),
            &t.moderation,
        )?;

        // Channels: each copies one of the sample's channels (its config shape, bot
        // state, room files and emojis). Weights favour the canonical shapes.
        let weights: &[(u64, u32)] = &[(1, 30), (2, 25), (3, 15), (4, 10), (5, 10), (7, 10)];
        let total_weight: u32 = weights.iter().map(|w| w.1).sum();
        let channel_count = (n / 40).max(6);
        let mut channels: Vec<(u64, u64)> = Vec::with_capacity(channel_count);
        let mut existing_channels = HashSet::new();
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
                existing_channels.insert(id);
            }
            self.doc(
                Kind::ChannelConfigurationOptions,
                format!("channelConfigurationOptions/{id}.json"),
                &t.channels[&template],
            )?;
            if let Some(emojis) = t.emojis.get(&template) {
                if self.rng.u32(..100) < 30 {
                    if self.rng.u32(..10) == 0 && self.count + 200 < n / 2 {
                        // A channel that uses its emojis: 20 to the plugin's 200.
                        let count = self.rng.usize(20..=200);
                        self.emoji_definition(id, emojis, count, true)?;
                    } else {
                        let (definition, images) = emojis;
                        let from = format!("/emojis/channel/{template}/files/");
                        let to = format!("/emojis/channel/{id}/files/");
                        self.doc(
                            Kind::EmojisDefinition,
                            format!("emojis/channel/{id}/definition.json"),
                            &definition.replace(&from, &to),
                        )?;
                        for (name, bytes) in images {
                            self.other(
                                "emoji image",
                                format!("emojis/channel/{id}/files/{name}"),
                                bytes,
                            )?;
                        }
                    }
                }
            }
        }
        // Hostile: a definition of 5,000 emojis (the plugin allows 200), whose files
        // do not exist: 5,001 findings to locate in one file.
        if let Some(emojis) = t.emojis.values().next() {
            *self.counts.entry("hostile".into()).or_default() += 1;
            self.emoji_definition(channel_count as u64 + 1, emojis, 5_000, false)?;
        }

        // Tokens of local users.
        for user in 0..n / 25 {
            let template = &t.tokens[user % t.tokens.len()];
            let mut value: Value = serde_json::from_str(template)?;
            value["userId"] = json!(user + 2);
            self.doc(
                Kind::Tokens,
                format!("tokens/user{user}@{HOST}.json"),
                &serde_json::to_string(&value)?,
            )?;
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
                self.doc(kind, rel, &text.replace(&remote.host, host))?;
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
        let local_budget = self.count + (n.saturating_sub(self.count)) * 45 / 100;
        while self.count + 2 <= local_budget && !linkable.is_empty() {
            let uuid = self.uuid();
            let (channel, template) = linkable[self.rng.usize(..linkable.len())];
            let (from, text) = &t.local_videos[self.rng.usize(..t.local_videos.len())];
            self.doc(
                Kind::VideoInfosLocal,
                format!("videoInfos/local/{uuid}.json"),
                &text.replace(from.as_str(), &uuid),
            )?;
            if let Some(rooms) = t.rooms.get(&template) {
                let (from, text) = &rooms[self.rng.usize(..rooms.len())];
                self.doc(
                    Kind::BotRoom,
                    format!("bot/{muc}/rooms/{uuid}.json"),
                    &text.replace(from.as_str(), &uuid),
                )?;
            }
            // 3% of the videos were deleted in PeerTube since.
            if existing_channels.contains(&channel) && self.rng.u32(..100) >= 3 {
                self.video(&uuid, channel, false)?;
            }
            if let Some(list) = room_channel.get_mut(&channel) {
                list.push(uuid);
            }
        }
        // Channels shaped like the sample's channel 5 keep the disabled room of a
        // deleted video.
        for (_, template) in channels.iter().filter(|(_, t)| *t == 5) {
            if let Some((from, text)) = t.rooms.get(template).and_then(|r| r.first()) {
                let uuid = self.uuid();
                if self.count + 2 < n {
                    self.doc(
                        Kind::BotRoom,
                        format!("bot/{muc}/rooms/{uuid}.json"),
                        &text.replace(from.as_str(), &uuid),
                    )?;
                }
            }
        }
        let mut index = String::from("{");
        for (i, (id, list)) in room_channel.iter().enumerate() {
            if i > 0 {
                index.push(',');
            }
            index.push_str(&serde_json::to_string(&id.to_string())?);
            index.push(':');
            index.push_str(&serde_json::to_string(list)?);
        }
        index.push('}');
        drop(room_channel);
        self.doc(
            Kind::RoomChannel,
            format!("room-channel/{muc}.json"),
            &index,
        )?;
        drop(index);

        // Remote videos fill the rest.
        while self.count < n {
            let (host, template) = &remote_hosts[self.rng.usize(..remote_hosts.len())];
            let remote = &t.remotes[*template];
            let (from, text) = &remote.videos[self.rng.usize(..remote.videos.len())];
            let uuid = self.uuid();
            self.doc(
                Kind::VideoInfosRemote,
                format!("videoInfos/remote/{host}/{uuid}.json"),
                &text
                    .replace(from.as_str(), &uuid)
                    .replace(&remote.host, host),
            )?;
            if self.rng.u32(..100) >= 3 {
                self.video(&uuid, 100_000 + *template as u64, true)?;
            }
        }

        let mut channel_ids: Vec<u64> = existing_channels.into_iter().collect();
        channel_ids.sort_unstable();
        channel_ids.extend((0..t.remotes.len() as u64).map(|i| 100_000 + i));
        write!(
            self.inventory,
            "],\"channels\":{}}}",
            serde_json::to_string(&channel_ids)?
        )?;
        self.inventory.flush()?;
        self.counts.insert("files".into(), self.count);
        Ok(())
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
        let mut inventory = Vec::new();
        let mut generator = Generator::new(
            &templates,
            n,
            Sink::Memory(Vec::new()),
            Box::new(&mut inventory),
        );
        generator.build().unwrap();
        let Sink::Memory(files) = std::mem::replace(&mut generator.sink, Sink::Memory(Vec::new()))
        else {
            unreachable!()
        };
        drop(generator);
        let inventory: Value = serde_json::from_slice(&inventory).expect("the inventory is JSON");
        assert!(
            inventory["videos"]
                .as_array()
                .is_some_and(|v| !v.is_empty())
        );
        files
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
