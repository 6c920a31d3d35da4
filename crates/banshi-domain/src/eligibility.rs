//! Proactive eligibility (免申即享, 主动服务): policies with effective dates and the resident facts
//! they ask for, written as data in a rules file (docs/eligibility.md), so a change in ages or
//! periods — the 2025 retirement-age reform moves them month by month — is an edit of the file,
//! not of the code. A resident who matches a policy in force becomes a follow-up task with the
//! reason in plain words.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use crate::Fault;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The rules file: named ages and the policies.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    #[serde(default)]
    pub ages: BTreeMap<String, AgeRule>,
    #[serde(default, rename = "policy")]
    pub policies: Vec<Policy>,
}

/// An age that may rise with the birth month: `base` years, and from `rises_from_birth` on one
/// month more for every `one_month_per` months of birth, at most `most_months` more.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeRule {
    pub title: String,
    pub base: u32,
    #[serde(default)]
    pub rises_from_birth: Option<String>,
    #[serde(default)]
    pub one_month_per: Option<u32>,
    #[serde(default)]
    pub most_months: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub id: String,
    pub title: String,
    /// What the resident may do, as the officer will say it.
    pub reason: String,
    /// In force from this day (YYYY-MM-DD), and before `until` when given.
    pub effective: NaiveDate,
    #[serde(default)]
    pub until: Option<NaiveDate>,
    /// Every condition must hold.
    pub when: Vec<Condition>,
}

/// One test of one fact. Exactly one comparison is given.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub fact: String,
    /// The fact is this text.
    #[serde(default)]
    pub is: Option<String>,
    /// The fact is one of these texts.
    #[serde(default)]
    pub any_of: Option<Vec<String>>,
    /// The fact is true or false.
    #[serde(default)]
    pub flag: Option<bool>,
    /// The fact is a number at least this / below this.
    #[serde(default)]
    pub at_least: Option<f64>,
    #[serde(default)]
    pub below: Option<f64>,
    /// For `fact = "age"`: the resident is within `within_months` of reaching the named age (or
    /// past it).
    #[serde(default)]
    pub reaches: Option<String>,
    #[serde(default)]
    pub within_months: Option<u32>,
}

/// What the rules say about one resident: the policy and why, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub policy_id: String,
    pub title: String,
    pub reason: String,
}

/// Reads and checks a rules file; every problem is reported with where it is, as a fault with its
/// text key (the line too, for a file that does not read).
pub fn parse_rules(text: &str) -> Result<Rules, Vec<Fault>> {
    let rules: Rules = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        vec![Fault { line, ..Fault::syntax("", e.message()) }]
    })?;
    let mut problems = Vec::new();
    let mut fault = |path: String, key: &'static str, values: Vec<(&'static str, String)>| problems.push(Fault::new(path, key, values));
    for (name, age) in &rules.ages {
        let rising = [age.rises_from_birth.is_some(), age.one_month_per.is_some(), age.most_months.is_some()];
        if rising.iter().any(|r| *r) && !rising.iter().all(|r| *r) {
            fault(format!("ages.{name}"), "rules_fault_rising_together", vec![]);
        }
        if let Some(from) = &age.rises_from_birth {
            if parse_month(from).is_none() {
                fault(format!("ages.{name}.rises_from_birth"), "rules_fault_month", vec![("value", from.clone())]);
            }
        }
        if age.one_month_per == Some(0) {
            fault(format!("ages.{name}.one_month_per"), "rules_fault_at_least_one", vec![]);
        }
    }
    let mut ids = std::collections::BTreeSet::new();
    for (p, policy) in rules.policies.iter().enumerate() {
        let at = format!("policy[{p}]");
        if policy.id.trim().is_empty() || !ids.insert(policy.id.as_str()) {
            fault(format!("{at}.id"), "rules_fault_id", vec![]);
        }
        if policy.until.is_some_and(|until| until <= policy.effective) {
            fault(format!("{at}.until"), "rules_fault_until", vec![]);
        }
        if policy.when.is_empty() {
            fault(format!("{at}.when"), "rules_fault_no_condition", vec![]);
        }
        for (c, condition) in policy.when.iter().enumerate() {
            let at = format!("{at}.when[{c}]");
            let given = [condition.is.is_some(), condition.any_of.is_some(), condition.flag.is_some(), condition.at_least.is_some() || condition.below.is_some(), condition.reaches.is_some()];
            if given.iter().filter(|g| **g).count() != 1 {
                fault(at.clone(), "rules_fault_one_test", vec![]);
            }
            if let Some(age) = &condition.reaches {
                if condition.fact != "age" {
                    fault(format!("{at}.reaches"), "rules_fault_reaches_age_only", vec![]);
                }
                if !rules.ages.contains_key(age) {
                    fault(format!("{at}.reaches"), "rules_fault_unknown_age", vec![("age", age.clone())]);
                }
            } else if condition.fact == "age" && condition.at_least.is_none() && condition.below.is_none() {
                fault(at.clone(), "rules_fault_age_needs_test", vec![]);
            }
        }
    }
    if problems.is_empty() {
        Ok(rules)
    } else {
        Err(problems)
    }
}

fn parse_month(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok()
}

/// Whole months from `birth` to `on` (the age in months).
fn age_months(birth: NaiveDate, on: NaiveDate) -> i64 {
    let mut months = i64::from(on.year() - birth.year()) * 12 + i64::from(on.month()) - i64::from(birth.month());
    if on.day() < birth.day() {
        months -= 1;
    }
    months
}

fn years_months(months: i64) -> String {
    match months % 12 {
        0 => format!("{}岁", months / 12),
        rest => format!("{}岁{}个月", months / 12, rest),
    }
}

impl AgeRule {
    /// The age in months for someone born on `birth`.
    pub fn months_for(&self, birth: NaiveDate) -> i64 {
        let base = i64::from(self.base) * 12;
        let (Some(from), Some(per), Some(most)) = (self.rises_from_birth.as_deref().and_then(parse_month), self.one_month_per, self.most_months) else {
            return base;
        };
        let since = i64::from(birth.year() - from.year()) * 12 + i64::from(birth.month()) - i64::from(from.month());
        if since < 0 {
            return base;
        }
        base + (since / i64::from(per) + 1).min(i64::from(most))
    }
}

impl Rules {
    /// The policies in force on `date` that the resident's facts meet.
    pub fn matches(&self, facts: &Map<String, Value>, date: NaiveDate) -> Vec<Match> {
        self.policies
            .iter()
            .filter(|p| p.effective <= date && p.until.is_none_or(|until| date < until))
            .filter_map(|policy| {
                let because: Option<Vec<String>> = policy.when.iter().map(|c| self.holds(c, facts, date)).collect();
                because.map(|because| Match { policy_id: policy.id.clone(), title: policy.title.clone(), reason: format!("{}({})", policy.reason, because.join(",")) })
            })
            .collect()
    }

    /// The condition's plain-words reason when it holds.
    fn holds(&self, condition: &Condition, facts: &Map<String, Value>, date: NaiveDate) -> Option<String> {
        let fact = condition.fact.as_str();
        if fact == "age" {
            let birth = facts.get("birth")?.as_str().and_then(|b| NaiveDate::parse_from_str(b, "%Y-%m-%d").ok())?;
            let age = age_months(birth, date);
            if let Some(name) = &condition.reaches {
                let rule = self.ages.get(name)?;
                let target = rule.months_for(birth);
                let within = i64::from(condition.within_months.unwrap_or(0));
                return (age >= target - within).then(|| format!("现年{},{}为{}", years_months(age), rule.title, years_months(target)));
            }
            let years = age as f64 / 12.0;
            return (condition.at_least.is_none_or(|l| years >= l) && condition.below.is_none_or(|b| years < b)).then(|| format!("现年{}", years_months(age)));
        }
        let value = facts.get(fact)?;
        let holds = if let Some(is) = &condition.is {
            value.as_str() == Some(is.as_str())
        } else if let Some(any) = &condition.any_of {
            value.as_str().is_some_and(|v| any.iter().any(|a| a == v))
        } else if let Some(flag) = condition.flag {
            value.as_bool() == Some(flag)
        } else {
            let number = value.as_f64()?;
            condition.at_least.is_none_or(|l| number >= l) && condition.below.is_none_or(|b| number < b)
        };
        holds.then(|| format!("{fact}: {}", value.as_str().map_or_else(|| value.to_string(), str::to_string)))
    }
}

/// The rules banshi ships: the article's cases (docs/eligibility.md).
pub const DEFAULT_RULES: &str = include_str!("../rules/eligibility.toml");

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn rules() -> Rules {
        parse_rules(DEFAULT_RULES).unwrap()
    }

    #[test]
    fn the_articles_special_work_resident_may_retire_early() {
        // 2013: a 53-year-old unemployed man in a special work type (the article).
        let resident = facts(json!({ "birth": "1960-05-10", "sex": "male", "work_type": "special", "employment": "unemployed" }));
        let found = rules().matches(&resident, day("2013-09-02"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].policy_id, "special-work-early-retirement");
        assert!(found[0].reason.contains("现年53岁3个月") && found[0].reason.contains("55岁"), "{}", found[0].reason);
        // After the reform the age rises with the birth month: born 1973-06, 55 years and 11 months.
        let today = facts(json!({ "birth": "1973-06-01", "sex": "male", "work_type": "special", "employment": "unemployed" }));
        let found = rules().matches(&today, day("2026-11-28"));
        assert!(found.iter().any(|m| m.reason.contains("55岁11个月")), "{found:?}");
        // Too young, another work type, or employed: nothing to tell.
        for other in [json!({ "birth": "1978-01-01", "sex": "male", "work_type": "special", "employment": "unemployed" }), json!({ "birth": "1973-06-01", "sex": "male", "work_type": "office", "employment": "unemployed" }), json!({ "birth": "1973-06-01", "sex": "male", "work_type": "special", "employment": "employed" })] {
            assert!(rules().matches(&facts(other.clone()), day("2026-11-28")).iter().all(|m| m.policy_id != "special-work-early-retirement"), "{other}");
        }
    }

    #[test]
    fn the_remaining_benefit_month_gives_medical_cover() {
        let resident = facts(json!({ "birth": "1975-02-01", "sex": "female", "employment": "unemployed", "insured_months": 5, "benefit_months_left": 1, "serious_illness": true }));
        let found = rules().matches(&resident, day("2026-11-28"));
        assert_eq!(found.iter().map(|m| m.policy_id.as_str()).collect::<Vec<_>>(), ["unemployment-benefit-medical-cover"]);
        let covered = facts(json!({ "birth": "1975-02-01", "sex": "female", "employment": "unemployed", "insured_months": 8, "benefit_months_left": 1, "serious_illness": true }));
        assert!(rules().matches(&covered, day("2026-11-28")).is_empty(), "six months insured: already covered");
        let no_months = facts(json!({ "birth": "1975-02-01", "employment": "unemployed", "insured_months": 5, "benefit_months_left": 0, "serious_illness": true }));
        assert!(rules().matches(&no_months, day("2026-11-28")).is_empty());
    }

    #[test]
    fn a_policy_counts_from_its_effective_date() {
        let text = format!("{DEFAULT_RULES}\n[[policy]]\nid = \"elderly-card\"\ntitle = \"高龄津贴\"\nreason = \"年满80岁可申领高龄津贴\"\neffective = \"2027-01-01\"\nuntil = \"2028-01-01\"\nwhen = [{{ fact = \"age\", at_least = 80 }}]\n");
        let rules = parse_rules(&text).unwrap();
        let resident = facts(json!({ "birth": "1940-03-01" }));
        assert!(rules.matches(&resident, day("2026-12-31")).is_empty(), "not yet in force");
        assert_eq!(rules.matches(&resident, day("2027-01-01")).len(), 1);
        assert!(rules.matches(&resident, day("2028-01-01")).is_empty(), "no longer in force");
    }

    #[test]
    fn bad_rules_are_reported_where_they_are() {
        let bad = "[ages.x]\ntitle = \"x\"\nbase = 55\nrises_from_birth = \"1970\"\n[[policy]]\nid = \"a\"\ntitle = \"t\"\nreason = \"r\"\neffective = \"2025-01-01\"\nwhen = [{ fact = \"age\", reaches = \"y\" }, { fact = \"sex\", is = \"male\", flag = true }]\n";
        let problems = parse_rules(bad).unwrap_err();
        let has = |path: &str, key: &str| problems.iter().any(|p| p.path == path && p.key == key);
        assert!(has("ages.x", "rules_fault_rising_together"), "{problems:?}");
        assert!(has("ages.x.rises_from_birth", "rules_fault_month"), "{problems:?}");
        assert!(problems.contains(&Fault::new("policy[0].when[0].reaches", "rules_fault_unknown_age", vec![("age", "y".into())])), "{problems:?}");
        assert!(has("policy[0].when[1]", "rules_fault_one_test"), "{problems:?}");
        let unread = parse_rules("[[policy]]\nid = 1\n").unwrap_err();
        assert_eq!((unread[0].key, unread[0].line), ("syntax_wrong_type", Some(2)), "{unread:?}");
    }

    #[test]
    fn reform_ages_rise_with_the_birth_month() {
        let age = AgeRule { title: "x".into(), base: 60, rises_from_birth: Some("1965-01".into()), one_month_per: Some(4), most_months: Some(36) };
        assert_eq!(age.months_for(day("1964-12-31")), 720);
        assert_eq!(age.months_for(day("1965-01-01")), 721);
        assert_eq!(age.months_for(day("1965-05-01")), 722);
        assert_eq!(age.months_for(day("1990-01-01")), 756, "at most three years more");
    }
}
