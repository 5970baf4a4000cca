//! The rules never panic: every value of every fixture, replaced by values of
//! every JSON type, checked as every kind, with and without an instance.

use livechat_schema::Kind;
use livechat_validate::ValidateOptions;
use serde_json::{Value, json};

use crate::expected::context;
use crate::support::{options, repo, verdict};

fn paths(v: &Value, p: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(p.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let mut q = p.clone();
                q.push(k.clone());
                paths(x, q, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let mut q = p.clone();
                q.push(i.to_string());
                paths(x, q, out);
            }
        }
        _ => {}
    }
}

fn set(v: &Value, p: &[String], x: &Value) -> Value {
    let mut v = v.clone();
    let mut t = &mut v;
    for k in p {
        t = match t {
            Value::Object(m) => m.get_mut(k).unwrap(),
            Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
            _ => unreachable!(),
        };
    }
    *t = x.clone();
    v
}

#[test]
fn no_panic_on_mutated_fixtures() {
    let replacements = [
        json!(null),
        json!(true),
        json!(0),
        json!(-1.5),
        json!(""),
        json!("\u{0}\u{7f}😀"),
        json!("../../etc/passwd"),
        json!([]),
        json!([null, {}]),
        json!({}),
        json!({"a": [1]}),
        json!(1e300),
    ];
    let bare = ValidateOptions::default();
    let mut files = Vec::new();
    for kind in Kind::DATA_DIR {
        for sub in ["valid", "invalid"] {
            let dir = repo().join("fixtures/files").join(kind.id()).join(sub);
            if let Ok(rd) = std::fs::read_dir(&dir) {
                files.extend(rd.map(|e| e.unwrap().path()));
            }
        }
    }
    files.sort();
    let mut checked = 0usize;
    for f in files {
        let Ok(value) = serde_json::from_slice::<Value>(&std::fs::read(&f).unwrap()) else {
            continue;
        };
        let own = Kind::from_id(
            &f.parent()
                .unwrap()
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy(),
        )
        .unwrap();
        // Every kind for the file as it is, its own kind for every mutation.
        for kind in Kind::DATA_DIR {
            let (params, rel) = context(*kind);
            let _ = verdict(*kind, &params, &rel, &value, &bare);
        }
        let (params, rel) = context(own);
        let mut ps = Vec::new();
        paths(&value, Vec::new(), &mut ps);
        for p in ps {
            for x in &replacements {
                let m = set(&value, &p, x);
                let _ = verdict(own, &params, &rel, &m, &options());
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "{checked}");
}
