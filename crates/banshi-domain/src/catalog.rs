//! The service catalogue (事项实施清单), modelled on GB/T 39046—2020 table 4, plus the product's own
//! situation questions (情形) and conditions on materials. The JSON form is documented in
//! `docs/catalog.md`; these types are that form (unknown fields are refused so typos surface).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The catalogue file's schema version this build reads and writes.
pub const CATALOG_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub schema_version: u32,
    pub items: Vec<Item>,
}

/// One service item (事项) as a hall implements it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// 实施编码: the hall's own code for the item, unique in the catalogue; the item's key.
    pub code: String,
    /// 基本编码: the national basic code the item implements.
    pub basic_code: String,
    /// 事项名称
    pub name: String,
    /// A grouping for browsing (户籍办理, 身份证件, 社会保障 …); not a GB/T field.
    pub category: String,
    /// 事项类型
    pub kind: ItemKind,
    /// 实施主体
    pub department: String,
    /// 设定依据
    pub legal_basis: Vec<String>,
    /// 受理条件
    pub conditions: Vec<String>,
    /// 办理流程, one step per entry.
    pub process: Vec<String>,
    /// 法定办结时限, in working days.
    pub statutory_limit: TimeLimit,
    /// 承诺办结时限, in working days (0 for an item done on the spot).
    pub promised_limit: TimeLimit,
    /// 办件类型
    pub handling: Handling,
    /// 是否收费 / 收费依据
    pub fee: Fee,
    /// 办理形式
    pub channels: Vec<Channel>,
    /// 是否支持预约
    pub appointment: bool,
    /// 是否网办
    pub online: bool,
    /// 到办事现场次数
    pub trips: u8,
    /// 办理地点
    pub location: String,
    /// 办理时间
    pub hours: String,
    /// 咨询电话
    pub consult_phone: String,
    /// 监督电话
    pub supervision_phone: String,
    /// 常见问题
    #[serde(default)]
    pub faq: Vec<Faq>,
    /// 特别程序 (hearing, inspection, expert review …) the item may need; their time is not counted.
    #[serde(default)]
    pub special_procedures: Vec<String>,
    /// Extra words people search for (户口 for 户籍, 身份证 for 居民身份证 …).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Situation questions (情形引导), asked in order; later questions may depend on earlier answers.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// 申请材料
    pub materials: Vec<Material>,
    /// 回访: working days after the case is decided to call the applicant back; none for no
    /// callback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_days: Option<u32>,
    /// 审批须由他人: the case is decided by someone other than the officer who received it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub second_person: bool,
}

/// 事项类型, by its GB/T 39046 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum ItemKind {
    #[serde(rename = "00")]
    AdministrativePower,
    #[serde(rename = "01")]
    Licensing,
    #[serde(rename = "02")]
    Penalty,
    #[serde(rename = "03")]
    Enforcement,
    #[serde(rename = "04")]
    Levy,
    #[serde(rename = "05")]
    Payment,
    #[serde(rename = "06")]
    Ruling,
    #[serde(rename = "07")]
    Confirmation,
    #[serde(rename = "08")]
    Reward,
    #[serde(rename = "09")]
    Other,
    #[serde(rename = "20")]
    PublicService,
}

impl ItemKind {
    pub fn code(self) -> &'static str {
        match self {
            ItemKind::AdministrativePower => "00",
            ItemKind::Licensing => "01",
            ItemKind::Penalty => "02",
            ItemKind::Enforcement => "03",
            ItemKind::Levy => "04",
            ItemKind::Payment => "05",
            ItemKind::Ruling => "06",
            ItemKind::Confirmation => "07",
            ItemKind::Reward => "08",
            ItemKind::Other => "09",
            ItemKind::PublicService => "20",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeLimit {
    /// Working days (工作日), counted from the day after acceptance.
    pub working_days: u32,
    /// 时限说明, e.g. what is not counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// 办件类型
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Handling {
    /// 即办件: done on the spot.
    Immediate,
    /// 承诺件: done by a promised date.
    Promised,
}

impl Handling {
    pub fn as_str(self) -> &'static str {
        match self {
            Handling::Immediate => "immediate",
            Handling::Promised => "promised",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    pub charged: bool,
    /// 收费标准, e.g. "20元/证".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// 收费依据
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

/// 办理形式
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Window,
    Pc,
    Mobile,
    Express,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Window => "window",
            Channel::Pc => "pc",
            Channel::Mobile => "mobile",
            Channel::Express => "express",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// A situation question (情形), e.g. "是否在医院出生".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Identifier used by conditions, unique within the item: lowercase letters, digits, `_`.
    pub id: String,
    pub text: String,
    pub options: Vec<Choice>,
    /// Ask this question only when the condition holds on earlier answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    pub when: Option<Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub label: String,
    /// What this answer means for the applicant (符合哪项政策), shown on the checklist and notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A condition on situation answers: every named question must have been answered with one of the
/// listed options (AND across questions, OR within one). A question that was not asked, because its
/// own condition failed, satisfies nothing.
pub type Condition = BTreeMap<String, Vec<String>>;

/// One application material (申请材料).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// Identifier unique within the item: lowercase letters, digits, `_`.
    pub id: String,
    pub name: String,
    /// 出具机构: who issues it (申请人自备 for the applicant's own).
    pub issuer: String,
    /// 原件份数
    pub originals: u32,
    /// 复印件份数
    pub copies: u32,
    /// 是否必备: a material that is not required is helpful but never blocks acceptance.
    pub required: bool,
    /// 容缺: a required material that may be supplied after acceptance.
    #[serde(default)]
    pub tolerable: bool,
    /// 告知承诺: a required material that the applicant's written commitment may replace.
    #[serde(default)]
    pub commitment: bool,
    /// 窗口现场提供: a form the window hands out and the applicant fills in there (《出生登记申请表》,
    /// 户籍窗口提供). Nobody can bring it from home, so it is never missing and never on a notice.
    #[serde(default)]
    pub at_window: bool,
    /// Required only in these situations; always when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    pub when: Option<Condition>,
    /// 填报须知 / 备注
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Name of the blank form or sample (空白表格/示例样表) the hall provides, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
}

impl Catalog {
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.code == code)
    }
}

impl Item {
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    pub fn material(&self, id: &str) -> Option<&Material> {
        self.materials.iter().find(|m| m.id == id)
    }

    /// Whether a free-text query matches this item (name, category, department, keywords).
    pub fn matches(&self, query: &str) -> bool {
        let query = query.trim();
        if query.is_empty() {
            return true;
        }
        let haystacks = [&self.name, &self.category, &self.department, &self.code];
        query.split_whitespace().all(|word| {
            haystacks.iter().any(|h| h.contains(word)) || self.keywords.iter().any(|k| k.contains(word) || word.contains(k.as_str()))
        })
    }
}

/// One item's change between two catalogues: `before` absent for an added item, `after` absent
/// for a removed one. Unchanged items are not listed.
#[derive(Debug, PartialEq, Eq)]
pub struct ItemChange<'a> {
    pub code: &'a str,
    pub before: Option<&'a Item>,
    pub after: Option<&'a Item>,
}

/// What replacing catalogue `old` by `new` changes, item by item (the audit log records these).
pub fn catalog_changes<'a>(old: &'a [Item], new: &'a [Item]) -> Vec<ItemChange<'a>> {
    let mut changes = Vec::new();
    for after in new {
        let before = old.iter().find(|o| o.code == after.code);
        if before != Some(after) {
            changes.push(ItemChange { code: &after.code, before, after: Some(after) });
        }
    }
    for before in old {
        if !new.iter().any(|n| n.code == before.code) {
            changes.push(ItemChange { code: &before.code, before: Some(before), after: None });
        }
    }
    changes
}

/// One entry of a centre's implementation list (实施清单): a base item it offers, with the facts
/// that are its own (GB/T 39046 keeps these per implementing centre).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalItem {
    /// The base item's 实施编码.
    pub code: String,
    /// Its own promised limit, in working days: at most the statutory one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_working_days: Option<u32>,
    /// 办理地点 here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100)]
    pub location: Option<String>,
    /// 办理时间 here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100)]
    pub hours: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 30)]
    pub consult_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 30)]
    pub supervision_phone: Option<String>,
}

/// The catalogue a centre offers: the base items its list names, in its order, with its own
/// facts; the whole base list while it has chosen none.
pub fn implemented(base: &Catalog, list: &[LocalItem]) -> Catalog {
    if list.is_empty() {
        return base.clone();
    }
    let items = list
        .iter()
        .filter_map(|local| {
            let mut item = base.item(&local.code)?.clone();
            if let Some(days) = local.promised_working_days {
                item.promised_limit.working_days = days;
            }
            for (value, field) in [(&local.location, &mut item.location), (&local.hours, &mut item.hours), (&local.consult_phone, &mut item.consult_phone), (&local.supervision_phone, &mut item.supervision_phone)] {
                if let Some(value) = value {
                    *field = value.clone();
                }
            }
            Some(item)
        })
        .collect();
    Catalog { schema_version: base.schema_version, items }
}

/// What is wrong with a centre's list against the base catalogue: each fault with its place.
pub fn check_local_items(base: &Catalog, list: &[LocalItem]) -> Vec<crate::Fault> {
    let mut faults = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut fault = |path: String, key: &'static str, values: Vec<(&'static str, String)>| faults.push(crate::Fault { path, line: None, key, values });
    for (i, local) in list.iter().enumerate() {
        let at = |field: &str| format!("items[{i}].{field}");
        let Some(item) = base.item(&local.code) else {
            fault(at("code"), "local_item_unknown", vec![("value", local.code.clone())]);
            continue;
        };
        if !seen.insert(local.code.as_str()) {
            fault(at("code"), "local_item_twice", vec![("value", local.code.clone())]);
        }
        if local.promised_working_days.is_some_and(|days| days > item.statutory_limit.working_days) {
            fault(at("promised_working_days"), "local_item_promise", vec![("days", item.statutory_limit.working_days.to_string())]);
        }
        for (field, value, most) in [("location", &local.location, 100), ("hours", &local.hours, 100), ("consult_phone", &local.consult_phone, 30), ("supervision_phone", &local.supervision_phone, 30)] {
            if value.as_ref().is_some_and(|v| v.chars().count() > most) {
                fault(at(field), "local_item_too_long", vec![("most", most.to_string())]);
            }
        }
    }
    faults
}
