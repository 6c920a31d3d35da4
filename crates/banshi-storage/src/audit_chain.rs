//! The audit log's hash chain: each centre's entries (and the installation's own) form a chain in
//! the order they were written, each entry keeping the hash of the one before it (`prev_hash`)
//! and its own (`row_hash`, SHA-256 of the one before and its every field). Deleting an entry
//! leaves the next one pointing at a hash that is no longer the one before it; changing an entry
//! leaves its hash wrong. The triggers and, on PostgreSQL, the application role's privileges
//! refuse both; the chain shows where they were got round (`banshi audit verify`).

use crate::records::AuditEntry;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The hash of an entry after `prev` (empty for a chain's first entry).
pub(crate) fn row_hash(prev: &str, entry: &AuditEntry) -> String {
    let mut text = String::new();
    // A JSON array of every field, objects with their keys in order: unambiguous, and the same
    // whichever database returns the documents (PostgreSQL's JSONB reorders keys).
    text.push('[');
    for (index, field) in [
        serde_json::Value::from(prev),
        entry.at.timestamp_micros().into(),
        entry.actor_id.into(),
        entry.actor.as_str().into(),
        entry.action.as_str().into(),
        entry.entity.as_str().into(),
        entry.entity_id.as_str().into(),
        entry.before.clone().unwrap_or_default(),
        entry.after.clone().unwrap_or_default(),
        entry.centre_code.as_deref().into(),
    ]
    .iter()
    .enumerate()
    {
        if index > 0 {
            text.push(',');
        }
        canonical(field, &mut text);
    }
    text.push(']');
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::from(key.as_str()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// What `banshi audit verify` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainReport {
    /// Entries read.
    pub entries: u64,
    /// Entries written before the chain began (a database older than it), not checked.
    pub older_than_chain: u64,
    /// The first entry where the chain breaks, if it does.
    pub first_break: Option<ChainBreak>,
    /// Each chain's last hash (centre, or "" for the installation's own): written down elsewhere,
    /// it shows later whether entries were cut from the end.
    pub heads: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainBreak {
    pub id: i64,
    pub centre_code: Option<String>,
    pub kind: BreakKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The entry before it in its chain is not the one it was written after: removed or changed.
    EntryBeforeRemoved,
    /// The entry itself is not as it was written.
    EntryChanged,
    /// An entry without a hash after the chain began: written round the store.
    EntryUnchained,
}

/// Walks the log in id order, entry by entry, keeping each chain's last hash.
#[derive(Default)]
pub(crate) struct ChainWalk {
    last: HashMap<String, String>,
    report: Option<ChainReport>,
}

impl ChainWalk {
    pub(crate) fn step(&mut self, entry: &AuditEntry, prev_hash: Option<&str>, hash: Option<&str>) {
        let report = self.report.get_or_insert_with(|| ChainReport { entries: 0, older_than_chain: 0, first_break: None, heads: Vec::new() });
        report.entries += 1;
        let chain = entry.centre_code.clone().unwrap_or_default();
        let last = self.last.get(&chain);
        let kind = match (prev_hash, hash) {
            (None, None) if last.is_none() => {
                report.older_than_chain += 1;
                return;
            }
            (Some(prev), Some(hash)) => {
                let expected_prev = last.map(String::as_str).unwrap_or("");
                if prev != expected_prev {
                    Some(BreakKind::EntryBeforeRemoved)
                } else if row_hash(prev, entry) != hash {
                    Some(BreakKind::EntryChanged)
                } else {
                    None
                }
            }
            _ => Some(BreakKind::EntryUnchained),
        };
        if let Some(kind) = kind {
            if report.first_break.is_none() {
                report.first_break = Some(ChainBreak { id: entry.id, centre_code: entry.centre_code.clone(), kind });
            }
        }
        // After a break the walk goes on from the entry as it stands, so that a later break is
        // not hidden behind the first (only the first is reported).
        if let Some(hash) = hash {
            self.last.insert(chain, hash.to_string());
        }
    }

    pub(crate) fn finish(self) -> ChainReport {
        let mut report = self.report.unwrap_or(ChainReport { entries: 0, older_than_chain: 0, first_break: None, heads: Vec::new() });
        let mut heads: Vec<(String, String)> = self.last.into_iter().collect();
        heads.sort();
        report.heads = heads;
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, centre: &str, after: serde_json::Value) -> AuditEntry {
        AuditEntry {
            id,
            at: chrono::DateTime::from_timestamp_micros(1_800_000_000_000_000 + id).unwrap(),
            actor_id: Some(1),
            actor: "张三".into(),
            action: "update".into(),
            entity: "staff".into(),
            entity_id: id.to_string(),
            before: None,
            after: Some(after),
            centre_code: Some(centre.into()),
        }
    }

    /// Chains `entries` as the store writes them: (entry, prev, hash).
    fn chained(entries: Vec<AuditEntry>) -> Vec<(AuditEntry, String, String)> {
        let mut last: HashMap<String, String> = HashMap::new();
        entries
            .into_iter()
            .map(|e| {
                let prev = last.get(e.centre_code.as_deref().unwrap_or("")).cloned().unwrap_or_default();
                let hash = row_hash(&prev, &e);
                last.insert(e.centre_code.clone().unwrap_or_default(), hash.clone());
                (e, prev, hash)
            })
            .collect()
    }

    fn walk(rows: &[(AuditEntry, String, String)]) -> ChainReport {
        let mut walk = ChainWalk::default();
        for (e, prev, hash) in rows {
            walk.step(e, Some(prev), Some(hash));
        }
        walk.finish()
    }

    fn log() -> Vec<(AuditEntry, String, String)> {
        chained((1..=6).map(|id| entry(id, if id % 2 == 0 { "A" } else { "B" }, serde_json::json!({ "b": id, "a": [1, { "y": 2, "x": 1 }] }))).collect())
    }

    #[test]
    fn an_untouched_log_verifies_with_a_head_per_chain() {
        let report = walk(&log());
        assert_eq!((report.entries, report.first_break, report.heads.len()), (6, None, 2));
    }

    #[test]
    fn a_removed_entry_is_found_at_the_next_of_its_chain() {
        let mut rows = log();
        rows.remove(2); // id 3, centre B
        let report = walk(&rows);
        assert_eq!(report.first_break, Some(ChainBreak { id: 5, centre_code: Some("B".into()), kind: BreakKind::EntryBeforeRemoved }));
    }

    #[test]
    fn a_changed_entry_is_found_at_itself() {
        let mut rows = log();
        rows[3].0.after = Some(serde_json::json!({ "b": 99 }));
        assert_eq!(walk(&rows).first_break.map(|b| (b.id, b.kind)), Some((4, BreakKind::EntryChanged)));
    }

    #[test]
    fn key_order_does_not_change_the_hash() {
        let a = entry(1, "A", serde_json::from_str(r#"{"x":1,"y":{"q":2,"p":3}}"#).unwrap());
        let b = entry(1, "A", serde_json::from_str(r#"{"y":{"p":3,"q":2},"x":1}"#).unwrap());
        assert_eq!(row_hash("", &a), row_hash("", &b));
        assert_ne!(row_hash("", &a), row_hash("x", &a));
    }

    #[test]
    fn entries_older_than_the_chain_are_counted_not_checked_but_an_unchained_one_after_it_breaks() {
        let mut walk = ChainWalk::default();
        let rows = chained(vec![entry(2, "A", serde_json::json!({}))]);
        walk.step(&entry(1, "A", serde_json::json!({})), None, None);
        walk.step(&rows[0].0, Some(&rows[0].1), Some(&rows[0].2));
        walk.step(&entry(3, "A", serde_json::json!({})), None, None);
        let report = walk.finish();
        assert_eq!(report.older_than_chain, 1);
        assert_eq!(report.first_break.map(|b| (b.id, b.kind)), Some((3, BreakKind::EntryUnchained)));
    }
}
