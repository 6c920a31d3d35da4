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

/// The words for a code that may have some (`audit_action_sign_in`), or the code itself when it
/// has none yet: for records that name codes the texts file may not know.
pub fn words_or_code(key: &str, code: &str) -> String {
    texts().get(key).cloned().unwrap_or_else(|| code.to_string())
}

/// The text for `key` with its `{name}` placeholders filled in.
pub fn fill(key: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(text(key).to_string(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

/// A fault in what someone gave, in words, with its line in a file when known (「第3行：…」).
pub fn fault_text(fault: &banshi_domain::Fault) -> String {
    let line = fault.line.map(|line| fill("hall_fault_line", &[("line", line.to_string())])).unwrap_or_default();
    format!("{line}{}", fill(fault.key, &fault.values))
}

/// Faults as the problems a refusal lists, each at its place.
pub fn fault_problems(faults: &[banshi_domain::Fault]) -> Vec<banshi_domain::Problem> {
    faults.iter().map(|fault| banshi_domain::Problem { path: fault.path.clone(), message: fault_text(fault) }).collect()
}

/// Whether a message reads as Chinese: it has Chinese in it and no English sentence (three
/// words in a row). Field names, numbers and codes (`item_code`, `A001`) may stand in it.
pub fn reads_as_chinese(message: &str) -> bool {
    let chinese = message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    // Words are parted by spaces, and a Chinese character or mark stands between them as a word of
    // its own: "请求有误：at most" has "at" after "：", and "hours、queue、window" no three in a row.
    let mut tokens = Vec::new();
    for piece in message.split_whitespace() {
        let mut rest = piece;
        while let Some((at, c)) = rest.char_indices().find(|(_, c)| !c.is_ascii()) {
            tokens.extend([&rest[..at], &rest[at..at + c.len_utf8()]]);
            rest = &rest[at + c.len_utf8()..];
        }
        tokens.push(rest);
    }
    let mut words_in_a_row = 0;
    for piece in tokens.into_iter().filter(|token| !token.is_empty()) {
        let word = piece.trim_matches(|c: char| ",.:;!?\"'()".contains(c));
        if word.chars().all(|c| c.is_ascii_digit() || "–-/".contains(c)) {
            continue; // a number neither makes nor breaks a sentence: "at most 2000 characters"
        }
        if word.chars().all(|c| c.is_ascii_alphabetic()) {
            words_in_a_row += 1;
            if words_in_a_row >= 3 {
                return false;
            }
        } else {
            words_in_a_row = 0;
        }
    }
    chinese
}

/// In debug builds, every refusal a person is shown passes here; one that does not read as
/// Chinese is kept, and the HTTP tests fail on any kept (`take_unworded_messages`).
pub fn note_shown(message: &str) {
    #[cfg(debug_assertions)]
    if !reads_as_chinese(message) {
        tracing::error!(message, "a message shown to a person is not in Chinese");
        unworded().lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(message.to_string());
    }
    #[cfg(not(debug_assertions))]
    let _ = message;
}

#[cfg(debug_assertions)]
fn unworded() -> &'static std::sync::Mutex<Vec<String>> {
    static UNWORDED: OnceLock<std::sync::Mutex<Vec<String>>> = OnceLock::new();
    UNWORDED.get_or_init(Default::default)
}

/// The messages shown so far that did not read as Chinese (debug builds; empty otherwise).
#[doc(hidden)]
pub fn take_unworded_messages() -> Vec<String> {
    #[cfg(debug_assertions)]
    return std::mem::take(&mut *unworded().lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    #[cfg(not(debug_assertions))]
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use banshi_domain::{Channel, Handling, ItemKind, MaterialStatus, Role};

    #[test]
    fn chinese_messages_may_name_fields_and_numbers_but_english_sentences_are_caught() {
        assert!(reads_as_chinese("请求有误：item_code: 未找到事项 \"X\""));
        assert!(reads_as_chinese("A001 已在 1号窗口 办理中"));
        assert!(!reads_as_chinese("window 3 is staffed by 李敏"));
        assert!(!reads_as_chinese("not found"));
        assert!(!reads_as_chinese("请求有误：at most 2000 characters"));
        assert!(reads_as_chinese("没有“zzz”这一项，可选：hours、queue、window"));
    }

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
        // Keys the code hands on rather than words itself: a thing not found (`not_found("thing_case", …)`,
        // `what: "…"`), a refusal's text (`key: "…"`), and the keys the domain gives by their prefix.
        let prefixes = ["\"hall_fault_", "\"local_item_", "\"thing_", "\"syntax_", "\"id_number_", "\"calendar_fault_", "\"answer_fault_", "\"rules_fault_", "\"catalog_fault_", "\"credit_code_", "\"sim_fault_"];
        for crate_folder in ["src", "../banshi-domain/src", "../banshi-storage/src", "../banshi-sim/src"] {
            for path in files_below(&root.join(crate_folder)) {
                let source = std::fs::read_to_string(&path).unwrap();
                let by_prefix = prefixes.into_iter().flat_map(|marker| source.match_indices(marker).map(|(at, _)| source[at + 1..].split('"').next().unwrap()).collect::<Vec<_>>());
                let keys = ["key: \"", "what: \"", "not_found_saying(\""].into_iter().flat_map(|marker| identifiers_after(&source, marker)).chain(by_prefix);
                // A prefix named as such (`what.starts_with("thing_")`) is no key.
                missing.extend(keys.filter(|k| !k.ends_with('_') && !texts().contains_key(*k)).map(|k| format!("{}: {k}", path.display())));
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
        for status in [MaterialStatus::Present, MaterialStatus::Missing, MaterialStatus::Tolerable, MaterialStatus::Committable, MaterialStatus::OptionalMissing, MaterialStatus::AtWindow] {
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
