//! Every example printed by `--help` (every command and subcommand) and every command
//! line of the README's `sh` blocks runs, with the paths of a real install replaced
//! by fixtures: a copy of the sample data dir, a `production.yaml` and a PostgreSQL
//! database of PeerTube's shape. An example added anywhere is found and run; a
//! README line that is not a `livechat-data` command must be listed in
//! [`NOT_LIVECHAT_DATA`] with where else it runs.

use super::pg::TestDb;
use super::{copy_dir, repo};

/// README lines that are not `livechat-data` commands, and what runs them.
const NOT_LIVECHAT_DATA: &[(&str, &str)] = &[
    (
        "cargo run --release -p livechat-cli -- validate fixtures/sample",
        ".ci/fresh-clone runs it in a fresh clone",
    ),
    (
        "cargo test --workspace",
        ".ci/fresh-clone and .ci/run run it",
    ),
    (
        "cargo install --locked --path crates/livechat-cli",
        "builds the same binary as the tests",
    ),
    (
        "npm install -g livechat-data",
        "cargo xtask dist-check installs each artifact and runs it",
    ),
    (
        "sudo apt install ./livechat-data_<version>_amd64.deb",
        "cargo xtask dist-check",
    ),
    (
        "tar xzf livechat-data-<version>-x86_64-unknown-linux-gnu.tar.gz",
        "cargo xtask dist-check",
    ),
    (
        "sudo install livechat-data-<version>-x86_64-unknown-linux-gnu/livechat-data /usr/local/bin/",
        "cargo xtask dist-check",
    ),
];

/// Where the sample data dir sits in a test's folder, as PeerTube's configuration
/// names it (`storage.plugins` + `data/peertube-plugin-livechat`).
const DATA: &str = "plugins/data/peertube-plugin-livechat";

/// The examples of `livechat-data ... --help`, for every (sub)command.
fn help_examples() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut todo: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = todo.pop() {
        let mut cmd = livechat_cli::command();
        for name in &path {
            cmd = cmd.find_subcommand(name).expect("a subcommand").clone();
        }
        for sub in cmd.get_subcommands() {
            if sub.get_name() != "help" {
                let mut p = path.clone();
                p.push(sub.get_name().to_owned());
                todo.push(p);
            }
        }
        // The text clap prints after the options, unwrapped.
        let after = cmd
            .get_after_help()
            .map(ToString::to_string)
            .unwrap_or_default();
        let mut in_examples = false;
        for line in after.lines() {
            if line.starts_with("Example") {
                in_examples = true;
                continue;
            }
            if in_examples {
                match line.trim().strip_prefix("livechat-data ") {
                    Some(example) if line.starts_with("  ") => {
                        out.push((
                            format!("livechat-data {} --help", path.join(" ")),
                            example.to_owned(),
                        ));
                    }
                    _ if line.trim().is_empty() => {}
                    _ => in_examples = false,
                }
            }
        }
    }
    out
}

/// The command lines of the README's `sh` blocks (continuations joined).
fn readme_examples() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in text.lines() {
        if line == "```sh" {
            in_sh = true;
            continue;
        }
        if line.starts_with("```") {
            in_sh = false;
            continue;
        }
        if !in_sh {
            continue;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head.trim_end());
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let full = std::mem::take(&mut pending);
        // A trailing `# comment`.
        let full = full.split(" #").next().unwrap_or(&full).trim().to_owned();
        match full.strip_prefix("livechat-data ") {
            Some(example) => out.push(("README.md".to_owned(), example.to_owned())),
            None => assert!(
                NOT_LIVECHAT_DATA.iter().any(|(l, _)| *l == full),
                "README.md: `{full}` is neither a livechat-data command nor listed in NOT_LIVECHAT_DATA"
            ),
        }
    }
    out
}

/// A folder laid out like an install: the sample data dir at [`DATA`], PeerTube's
/// configuration pointing at `db`, and the sample inventory as `inventory.json`.
fn install(db: &TestDb) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let root = tmp.path();
    copy_dir(&repo().join("fixtures/sample"), &root.join(DATA));
    std::fs::create_dir_all(root.join("config")).expect("mkdir");
    std::fs::write(
        root.join("config/production.yaml"),
        format!(
            "webserver:\n  https: true\n  hostname: 'peertube.example.com'\n  port: 443\ndatabase:\n  hostname: '127.0.0.1'\n  port: 5432\n  name: '{}'\n  username: 'postgres'\n  password: ''\nstorage:\n  plugins: '{}/plugins/'\n",
            db.name,
            root.display()
        ),
    )
    .expect("production.yaml");
    std::fs::copy(
        repo().join("fixtures/sample-inventory.json"),
        root.join("inventory.json"),
    )
    .expect("inventory.json");
    tmp
}

/// The example with a real install's paths replaced by the test's.
fn substitute(example: &str, db: &TestDb) -> String {
    let mut s = example.to_owned();
    for (from, to) in [
        (
            "/var/www/peertube/storage/plugins/data/peertube-plugin-livechat",
            DATA,
        ),
        (
            "/var/www/peertube/config/production.yaml",
            "config/production.yaml",
        ),
        (
            "postgres://peertube@localhost/peertube_prod",
            db.url.as_str(),
        ),
        ("old.example.com", "peertube.example.com"),
        ("new.example.com", "chat.example.org"),
    ] {
        s = s.replace(from, to);
    }
    s.split(' ')
        .map(|w| if w == "DIR" { DATA } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits a command line the way the examples are written (no quoting in them).
fn words(line: &str) -> Vec<String> {
    assert!(
        !line.contains(['"', '\'', '$', '|', '>', '<', '*']) || line.contains(".livechat-backup-<"),
        "an example with shell syntax the test cannot run: {line}"
    );
    line.split_whitespace().map(str::to_owned).collect()
}

#[test]
fn every_example_runs_as_written() {
    let mut examples = help_examples();
    let help_count = examples.len();
    examples.extend(readme_examples());
    assert!(help_count >= 10, "only {help_count} examples in --help");
    assert!(examples.len() > help_count + 5, "too few README examples");
    let db = TestDb::sample("examples");
    db.plugin("14.0.4", true, Some(r#"{"enable-users-regexp":true}"#));
    let mut failures = Vec::new();
    for (from, example) in &examples {
        let tmp = install(&db);
        let root = tmp.path();
        let mut line = substitute(example, &db);
        if line.starts_with("migrate restore ") {
            // A backup to restore: from an applied migration, as the example says.
            let applied = super::run_in(
                root,
                &[
                    "migrate",
                    "rename-domain",
                    "--from",
                    "peertube.example.com",
                    "--to",
                    "chat.example.org",
                    DATA,
                    "--apply",
                ],
            );
            assert!(applied.status == 0 || applied.status == 1, "{applied:?}");
            let name = std::fs::read_dir(root.join("plugins/data"))
                .expect("list")
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .find(|n| n.contains(".livechat-backup-"))
                .expect("a backup folder");
            let backup = format!("plugins/data/{name}");
            line = line
                .split(' ')
                .map(|w| {
                    if w.contains(".livechat-backup-") {
                        backup.as_str()
                    } else {
                        w
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
        }
        // A migration without DIR works on the default data dir: the test's.
        let migration =
            line.starts_with("migrate rename-domain ") || line.starts_with("migrate prune ");
        if migration && !line.split(' ').any(|w| w == DATA) {
            line = format!("{line} {DATA}");
        }
        let args = words(&line);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = super::run_in(root, &args);
        // 0 or 1 (the data has errors); 2 means the example could not run.
        if run.status != 0 && run.status != 1 {
            failures.push(format!(
                "{from}: `livechat-data {example}` (run as `{line}`): {run:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} example(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
