//! The UI's texts, all in one file (`texts/zh-CN.json`), for the templates (`t.key`) and for messages
//! made in code.

use std::collections::BTreeMap;
use std::sync::OnceLock;

const ZH_CN: &str = include_str!("../../texts/zh-CN.json");

pub fn texts() -> &'static BTreeMap<String, String> {
    static TEXTS: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    TEXTS.get_or_init(|| serde_json::from_str(ZH_CN).expect("texts/zh-CN.json is a flat map of strings"))
}

/// The text for `key`. A missing key is a bug: it is logged and shows as "?", and a test checks
/// that every key the templates and the code use exists.
pub fn text(key: &str) -> &'static str {
    texts().get(key).map(String::as_str).unwrap_or_else(|| {
        tracing::warn!(key, "missing UI text");
        "?"
    })
}

/// The text for `key` with its `{name}` placeholders filled in.
pub fn fill(key: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(text(key).to_string(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use banshi_domain::{Channel, Handling, ItemKind, MaterialStatus, Role};

    /// Every file in `folder` and the folders below it (templates and code live per capability).
    fn files_below(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(files_below(&path));
            } else {
                files.push(path);
            }
        }
        files
    }

    fn identifiers_after<'a>(source: &'a str, marker: &str) -> Vec<&'a str> {
        source
            .match_indices(marker)
            // `t.` only as a name of its own, not the end of `assessment.` or `list.html`.
            .filter(|(at, _)| !source[..*at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .map(|(at, _)| {
                let rest = &source[at + marker.len()..];
                let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
                &rest[..end]
            })
            .filter(|key| !key.is_empty())
            .collect()
    }

    #[test]
    fn every_text_the_templates_and_code_name_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        for folder in ["templates", "src"] {
            for path in files_below(&root.join(folder)) {
                let source = std::fs::read_to_string(&path).unwrap();
                let keys = if folder == "templates" { identifiers_after(&source, "t.") } else { identifiers_after(&source, "text(\"") };
                missing.extend(keys.into_iter().filter(|k| !texts().contains_key(*k)).map(|k| format!("{}: {k}", path.display())));
            }
        }
        // Texts filled in with values, and the keys the domain and the storage give for their
        // refusals (the hall's faults, the rules of the data).
        for path in files_below(&root.join("src")) {
            let source = std::fs::read_to_string(&path).unwrap();
            missing.extend(identifiers_after(&source, "fill(\"").into_iter().filter(|k| !texts().contains_key(*k)).map(|k| format!("{}: {k}", path.display())));
        }
        for crate_folder in ["../banshi-domain/src", "../banshi-storage/src"] {
            for path in files_below(&root.join(crate_folder)) {
                let source = std::fs::read_to_string(&path).unwrap();
                let faults = ["\"hall_fault_", "\"local_item_"].into_iter().flat_map(|marker| source.match_indices(marker).map(|(at, _)| source[at + 1..].split('"').next().unwrap()).collect::<Vec<_>>());
                let keys = identifiers_after(&source, "key: \"").into_iter().chain(faults);
                missing.extend(keys.filter(|k| !texts().contains_key(*k)).map(|k| format!("{}: {k}", path.display())));
            }
        }
        assert!(missing.is_empty(), "missing texts: {missing:#?}");
    }

    #[test]
    fn every_label_built_from_a_code_exists() {
        let mut keys: Vec<String> = Role::ALL.iter().map(|r| format!("role_{}", r.as_str())).collect();
        keys.extend([Handling::Immediate, Handling::Promised].map(|h| format!("handling_{}", h.as_str())));
        keys.extend([Channel::Window, Channel::Pc, Channel::Mobile, Channel::Express].map(|c| format!("channel_{}", c.as_str())));
        for code in ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "20"] {
            let kind: ItemKind = serde_json::from_value(serde_json::json!(code)).unwrap();
            keys.push(format!("kind_{}", kind.code()));
        }
        for status in [MaterialStatus::Present, MaterialStatus::Missing, MaterialStatus::Tolerable, MaterialStatus::Committable, MaterialStatus::OptionalMissing] {
            keys.push(format!("status_{}", serde_json::to_value(status).unwrap().as_str().unwrap()));
        }
        // A refused ticket action names the ticket's state and the action (`ticket_not_now`).
        use banshi_domain::queue::{Outcome, TicketEvent as E, TicketState as S};
        for state in [S::Waiting, S::Called { window: 1, calls: 1 }, S::Serving { window: 1 }, S::Parked { window: 1 }, S::Done { outcome: Outcome::Done }, S::NoShow, S::Cancelled, S::Expired] {
            keys.push(format!("ticket_state_{}", state.name()));
        }
        let events = [E::Called { window: 1, out_of_order_reason: None }, E::Recalled, E::Started, E::Finished { outcome: Outcome::Done }, E::Transferred { to_queue: None, to_window: None }, E::Parked, E::Resumed, E::Returned, E::NoShow, E::Cancelled, E::Expired];
        keys.extend(events.iter().map(|e| format!("ticket_action_{}", e.name())));
        keys.extend(["open", "paused", "closed"].map(|s| format!("window_status_{s}")));
        let missing: Vec<&String> = keys.iter().filter(|k| !texts().contains_key(k.as_str())).collect();
        assert!(missing.is_empty(), "missing texts: {missing:?}");
    }
}
