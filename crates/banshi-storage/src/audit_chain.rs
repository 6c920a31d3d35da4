//! The audit log's hash chain: each centre's entries (and the installation's own) form a chain in
//! the order they were written, each entry keeping the hash of the one before it (`prev_hash`)
//! and its own (`row_hash`, SHA-256 of the one before and its every field, or on an installation
//! of the national algorithms SM3, written `sm3:` and the hash). Deleting an entry
//! leaves the next one pointing at a hash that is no longer the one before it; changing an entry
//! leaves its hash wrong. The triggers and, on PostgreSQL, the application role's privileges
//! refuse both; the chain shows where they were got round (`banshi audit verify`).

use crate::records::AuditEntry;
use crate::CryptoSuite;
use serde::Serialize;
use sha2::Digest;
use std::collections::HashMap;

const SM3_PREFIX: &str = "sm3:";

/// The fields of an audited record that hold a citizen's name (an applicant, an agent, a resident,
/// a complainant, an inquirer): the audit log keeps them masked (`张**`), as it keeps numbers. Staff
/// names stay whole: who did what is the log's purpose.
const CITIZEN_NAME_FIELDS: [&str; 5] = ["applicant_name", "agent_name", "person_name", "resident_name", "asker"];

/// An audited document with the citizens' names in it masked.
pub(crate) fn masked_names(mut document: serde_json::Value) -> serde_json::Value {
    mask_citizen_names(&mut document);
    document
}

/// Masks the citizens' names anywhere in an audited document.
fn mask_citizen_names(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                match field {
                    serde_json::Value::String(name) if CITIZEN_NAME_FIELDS.contains(&key.as_str()) => *name = banshi_domain::privacy::mask_name(name),
                    other => mask_citizen_names(other),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_citizen_names),
        _ => {}
    }
}

/// The algorithm a kept hash was made with: a chain keeps the one it began with.
pub(crate) fn suite_of(hash: &str) -> CryptoSuite {
    if hash.starts_with(SM3_PREFIX) {
        CryptoSuite::National
    } else {
        CryptoSuite::Standard
    }
}

/// The hash of an entry after `prev` (empty for a chain's first entry), with `suite`'s hash.
pub(crate) fn row_hash(prev: &str, entry: &AuditEntry, suite: CryptoSuite) -> String {
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
    match suite {
        CryptoSuite::Standard => hex::encode(sha2::Sha256::digest(text.as_bytes())),
        CryptoSuite::National => format!("{SM3_PREFIX}{}", hex::encode(sm3::Sm3::digest(text.as_bytes()))),
    }
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
                // A chain keeps its first entry's algorithm: an entry rehashed with another is changed.
                let suite = if prev.is_empty() { suite_of(hash) } else { suite_of(prev) };
                if prev != expected_prev {
                    Some(BreakKind::EntryBeforeRemoved)
                } else if row_hash(prev, entry, suite) != hash {
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
        chained_with(entries, CryptoSuite::Standard)
    }

    fn chained_with(entries: Vec<AuditEntry>, suite: CryptoSuite) -> Vec<(AuditEntry, String, String)> {
        let mut last: HashMap<String, String> = HashMap::new();
        entries
            .into_iter()
            .map(|e| {
                let prev = last.get(e.centre_code.as_deref().unwrap_or("")).cloned().unwrap_or_default();
                let hash = row_hash(&prev, &e, suite);
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
    fn citizens_names_are_masked_wherever_they_are_and_staff_names_kept() {
        let mut audited = serde_json::json!({ "applicant_name": "张三丰", "agent_name": null, "name": "李敏", "follow_ups": [{ "resident_name": "周建华" }], "asker": "王五" });
        mask_citizen_names(&mut audited);
        assert_eq!(audited, serde_json::json!({ "applicant_name": "张**", "agent_name": null, "name": "李敏", "follow_ups": [{ "resident_name": "周**" }], "asker": "王*" }));
    }

    #[test]
    fn key_order_does_not_change_the_hash() {
        let a = entry(1, "A", serde_json::from_str(r#"{"x":1,"y":{"q":2,"p":3}}"#).unwrap());
        let b = entry(1, "A", serde_json::from_str(r#"{"y":{"p":3,"q":2},"x":1}"#).unwrap());
        assert_eq!(row_hash("", &a, CryptoSuite::Standard), row_hash("", &b, CryptoSuite::Standard));
        assert_ne!(row_hash("", &a, CryptoSuite::Standard), row_hash("x", &a, CryptoSuite::Standard));
    }

    #[test]
    fn a_chain_of_the_national_algorithms_is_hashed_with_sm3_and_an_entry_rehashed_with_sha256_is_a_change() {
        let mut rows = chained_with((1..=4).map(|id| entry(id, "A", serde_json::json!({ "n": id }))).collect(), CryptoSuite::National);
        assert!(rows.iter().all(|(_, _, hash)| hash.starts_with("sm3:") && hash.len() == 4 + 64));
        assert_eq!(walk(&rows).first_break, None);
        // The last entry changed and rehashed without the installation's algorithm.
        rows[3].0.after = Some(serde_json::json!({ "n": 99 }));
        rows[3].2 = row_hash(&rows[3].1, &rows[3].0, CryptoSuite::Standard);
        assert_eq!(walk(&rows).first_break.map(|b| (b.id, b.kind)), Some((4, BreakKind::EntryChanged)));
        // SM3 itself, against the standard's example (GB/T 32905-2016, A.1: "abc").
        assert_eq!(hex::encode(sm3::Sm3::digest(b"abc")), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
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
