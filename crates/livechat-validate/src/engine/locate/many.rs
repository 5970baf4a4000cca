//! Many pointers, one pass: [`locate_all`] gives for each pointer what
//! [`super::locate`] gives, and [`line_cols`] the line and column of many offsets, in
//! time linear in the text whatever the number of findings (a room-channel file of
//! 250,000 rooms may have a finding per room: locating each from the start of the
//! text would be quadratic).

use std::collections::HashMap;

use super::{Located, Span, decode_string, pointer_segments, skip_string, skip_value, skip_ws};
use crate::work;

/// A node of the trie of the pointers' segments.
#[derive(Default)]
struct Node {
    /// Children by unescaped segment.
    children: HashMap<Box<str>, usize>,
    /// The span of the value, once visited.
    span: Option<Span>,
    /// Which visit of this node recorded `span` (a later duplicate key revisits it).
    stamp: u64,
    /// The parent's `stamp` when this node was visited: the span is current only
    /// while it matches (JSON.parse and serde_json keep the last duplicate key, and
    /// `locate` looks below the last one only).
    parent_stamp: u64,
}

struct Trie {
    nodes: Vec<Node>,
    visits: u64,
}

/// Locates every pointer of `pointers` in `text` (a JSON document that parsed), in
/// one pass: the result is in the same order, each what [`super::locate`] gives.
pub fn locate_all(text: &str, pointers: &[&str]) -> Vec<Located> {
    let mut trie = Trie {
        nodes: vec![Node::default()],
        visits: 0,
    };
    let mut paths: Vec<Vec<usize>> = Vec::with_capacity(pointers.len());
    for pointer in pointers {
        let mut path = vec![0];
        let mut cur = 0;
        for seg in pointer_segments(pointer) {
            work::tick(1);
            cur = match trie.nodes[cur].children.get(seg.as_str()) {
                Some(&next) => next,
                None => {
                    let next = trie.nodes.len();
                    trie.nodes.push(Node::default());
                    trie.nodes[cur].children.insert(seg.into_boxed_str(), next);
                    next
                }
            };
            path.push(cur);
        }
        paths.push(path);
    }
    let b = text.as_bytes();
    let start = skip_ws(b, 0);
    trie.visit(b, start, 0, 0);
    paths
        .iter()
        .map(|path| {
            let mut last = path[0];
            let mut exact = true;
            for &next in &path[1..] {
                let node = &trie.nodes[next];
                if node.span.is_some() && node.parent_stamp == trie.nodes[last].stamp {
                    last = next;
                } else {
                    exact = false;
                    break;
                }
            }
            let span = trie.nodes[last].span.unwrap_or(Span {
                offset: start.min(b.len()),
                len: 0,
            });
            Located { span, exact }
        })
        .collect()
}

impl Trie {
    /// Visits the value at `i` as trie node `node`; returns the index after it.
    fn visit(&mut self, b: &[u8], i: usize, node: usize, parent_stamp: u64) -> usize {
        work::tick(1);
        self.visits += 1;
        let stamp = self.visits;
        let end = if self.nodes[node].children.is_empty() {
            skip_value(b, i)
        } else {
            match b.get(i) {
                Some(b'{') => self.members(b, i, node, stamp),
                Some(b'[') => self.items(b, i, node, stamp),
                _ => skip_value(b, i),
            }
        };
        let n = &mut self.nodes[node];
        n.span = Some(Span {
            offset: i.min(b.len()),
            len: end.saturating_sub(i),
        });
        n.stamp = stamp;
        n.parent_stamp = parent_stamp;
        end
    }

    fn members(&mut self, b: &[u8], i: usize, node: usize, stamp: u64) -> usize {
        let mut j = skip_ws(b, i + 1);
        while b.get(j) == Some(&b'"') {
            work::tick(1);
            let end = skip_string(b, j);
            let raw = &b[j + 1..end.saturating_sub(1).max(j + 1)];
            let child = if memchr::memchr(b'\\', raw).is_none() {
                std::str::from_utf8(raw)
                    .ok()
                    .and_then(|k| self.nodes[node].children.get(k).copied())
            } else {
                let (name, _) = decode_string(b, j);
                self.nodes[node].children.get(name.as_str()).copied()
            };
            j = skip_ws(b, end);
            if b.get(j) != Some(&b':') {
                return skip_value(b, i);
            }
            let value = skip_ws(b, j + 1);
            let after = match child {
                Some(child) => self.visit(b, value, child, stamp),
                None => skip_value(b, value),
            };
            j = skip_ws(b, after);
            if b.get(j) == Some(&b',') {
                j = skip_ws(b, j + 1);
            } else {
                break;
            }
        }
        // On the closing brace.
        (j + 1).min(b.len())
    }

    fn items(&mut self, b: &[u8], i: usize, node: usize, stamp: u64) -> usize {
        // The children that are indices (as `locate` reads them: `str::parse`).
        let mut wanted: Vec<(usize, usize)> = self.nodes[node]
            .children
            .iter()
            .filter_map(|(seg, &child)| seg.parse::<usize>().ok().map(|n| (n, child)))
            .collect();
        wanted.sort_unstable();
        let mut next = 0;
        let mut j = skip_ws(b, i + 1);
        if b.get(j) == Some(&b']') {
            return j + 1;
        }
        let mut n = 0usize;
        while j < b.len() {
            work::tick(1);
            while next < wanted.len() && wanted[next].0 < n {
                next += 1;
            }
            let mut after = None;
            let mut k = next;
            while k < wanted.len() && wanted[k].0 == n {
                after = Some(self.visit(b, j, wanted[k].1, stamp));
                k += 1;
            }
            let after = after.unwrap_or_else(|| skip_value(b, j));
            j = skip_ws(b, after);
            if b.get(j) == Some(&b',') {
                j = skip_ws(b, j + 1);
                n += 1;
            } else {
                break;
            }
        }
        (j + 1).min(b.len())
    }
}

/// The 1-based line and column (in characters) of each offset, as
/// [`super::line_col`] gives them, in one pass over the text up to the last offset.
pub fn line_cols(text: &str, offsets: &[usize]) -> Vec<(u64, u64)> {
    let b = text.as_bytes();
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let mut out = vec![(1, 1); offsets.len()];
    // The position reached: its offset, line, the start of its line and its column.
    let (mut at, mut line, mut col) = (0usize, 1u64, 1u64);
    for i in order {
        let offset = offsets[i].min(b.len());
        let between = &b[at..offset];
        work::tick(1 + between.len() as u64 / 64);
        match memchr::memrchr(b'\n', between) {
            Some(last) => {
                line += memchr::memchr_iter(b'\n', between).count() as u64;
                col = 1 + chars(&between[last + 1..]);
            }
            None => col += chars(between),
        }
        at = offset;
        out[i] = (line, col);
    }
    out
}

/// Characters as UTF-8 lead bytes, so a split character still counts once.
fn chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&c| (c & 0xC0) != 0x80).count() as u64
}

#[cfg(test)]
mod tests {
    use super::super::{line_col, locate};
    use super::*;

    const TEXTS: &[&str] = &[
        r#"{"a":1,"b":[true,{"c":"x\"y"},null],"d":{"e":-2.5e3}}"#,
        "{\n  \"a\" : [ 1 ,\n 2 ] ,\n  \"b\"\t:\r\n {}\n}\n",
        r#"{"a/b":1,"m~n":2,"\u00e9t\u00e9":3,"\ud83d\ude00":4,"q\"":5,"été":6}"#,
        r#"{"a":{"b":[1],"x":2},"a":{"b":[3,4]},"z":[[1,[2]],{"k":"é\nü"}]}"#,
        "[]",
        "  7 ",
    ];

    const POINTERS: &[&str] = &[
        "",
        "/a",
        "/b",
        "/b/0",
        "/b/1/c",
        "/b/2",
        "/b/9",
        "/d/e",
        "/a~1b",
        "/m~0n",
        "/été",
        "/\u{1F600}",
        "/q\"",
        "/a/b",
        "/a/b/1",
        "/a/x",
        "/a/b/0/z",
        "/z/0/1/0",
        "/z/1/k",
        "/z/01",
        "/z/+1",
        "/0",
        "/x/y/z",
    ];

    #[test]
    fn agrees_with_locate_one_by_one() {
        for text in TEXTS {
            let all = locate_all(text, POINTERS);
            for (pointer, got) in POINTERS.iter().zip(&all) {
                assert_eq!(*got, locate(text, pointer), "{text} {pointer}");
            }
            let offsets: Vec<usize> = (0..=text.len()).rev().collect();
            let got = line_cols(text, &offsets);
            for (offset, lc) in offsets.iter().zip(got) {
                assert_eq!(lc, line_col(text, *offset), "{text} {offset}");
            }
        }
    }
}
