//! The figures of the ratings: the public results (评价公开: the satisfaction rate per centre, item
//! and window, bad ratings fixed on time), and the export for another system (the 好差评
//! platform, a statistics office) in the code scheme it asks for.

use crate::shared::error::AppError;
use crate::shared::AppState;
use banshi_domain::rating::{self, Grade, GradeCode};
use banshi_storage::RatingCount;
use chrono::{DateTime, Duration, Local, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The public figures cover this many days back.
pub const RESULTS_DAYS: i64 = 90;

/// A satisfaction rate: good ratings (非常满意, 满意, 基本满意) over all, appeals upheld left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Rate {
    pub rated: i64,
    pub good: i64,
    /// In percent, one decimal; none without ratings.
    pub percent: Option<f64>,
}

impl Rate {
    fn add(&mut self, count: &RatingCount) {
        self.rated += count.count;
        if count.grade <= 3 {
            self.good += count.count;
        }
        self.percent = Some((self.good as f64 * 1000.0 / self.rated as f64).round() / 10.0);
    }
}

/// The public figures (公开).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Results {
    pub centre_code: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub overall: Rate,
    pub items: Vec<(String, String, Rate)>,
    pub windows: Vec<(i32, Rate)>,
    /// Bad ratings whose fix deadline has come (or that were fixed), and those fixed on time.
    pub bad_due: i64,
    pub bad_fixed_on_time: i64,
    pub on_time_percent: Option<f64>,
}

pub async fn results(state: &AppState, centre: &str) -> Result<Results, AppError> {
    let to = Local::now().date_naive();
    let from = to - Duration::days(RESULTS_DAYS);
    let counts = state.store.rating_counts(centre, from).await?;
    let mut overall = Rate::default();
    let mut items: BTreeMap<String, Rate> = BTreeMap::new();
    let mut windows: BTreeMap<i32, Rate> = BTreeMap::new();
    for count in counts.iter().filter(|c| !c.voided) {
        overall.add(count);
        if let Some(item) = &count.item_code {
            items.entry(item.clone()).or_default().add(count);
        }
        if let Some(window) = count.window_number {
            windows.entry(window).or_default().add(count);
        }
    }
    let catalog = state.cache.catalog(state.store.as_ref(), centre).await?;
    let name_of = |code: &str| catalog.items.iter().find(|i| i.code == code).map_or_else(|| code.to_string(), |i| i.name.clone());
    let mut bad_due = 0;
    let mut bad_fixed_on_time = 0;
    for item in state.store.bad_ratings(centre, from).await? {
        if item.state == rating::BadRatingState::Voided || (item.fixed_on.is_none() && item.fix_by >= to) {
            continue;
        }
        bad_due += 1;
        if item.fixed_on.is_some_and(|fixed| fixed <= item.fix_by) {
            bad_fixed_on_time += 1;
        }
    }
    Ok(Results {
        centre_code: centre.to_string(),
        from,
        to,
        overall,
        items: items.into_iter().map(|(code, rate)| (name_of(&code), code, rate)).collect(),
        windows: windows.into_iter().collect(),
        bad_due,
        bad_fixed_on_time,
        on_time_percent: (bad_due > 0).then(|| (bad_fixed_on_time as f64 * 1000.0 / bad_due as f64).round() / 10.0),
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `national` (GB/T 39046: 1 = 非常满意), the default, or `reverse` (5 = 非常满意).
    #[serde(default)]
    #[param(inline)]
    pub scheme: Option<GradeCode>,
    /// The first day; by default 90 days back.
    #[serde(default)]
    pub from: Option<NaiveDate>,
}

/// One rating as exported: no phone numbers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ExportedRating {
    id: i64,
    /// The grade's code in the scheme asked for.
    code: u8,
    grade: Grade,
    ticket_id: Option<i64>,
    case_id: Option<i64>,
    channel: String,
    window: Option<i32>,
    officer: Option<String>,
    item_code: Option<String>,
    reasons: Vec<String>,
    comment: Option<String>,
    real_name: bool,
    day: NaiveDate,
    rated_at: DateTime<Utc>,
    /// Struck out by an upheld appeal.
    voided: bool,
}

/// Ratings counted by item, window and grade.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ExportedCount {
    item_code: Option<String>,
    window: Option<i32>,
    code: u8,
    grade: Grade,
    voided: bool,
    count: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Export {
    scheme: GradeCode,
    from: NaiveDate,
    ratings: Vec<ExportedRating>,
    counts: Vec<ExportedCount>,
}

impl Export {
    /// How many ratings it holds, for the audit log's record of the export.
    pub fn len(&self) -> usize {
        self.ratings.len()
    }
}

/// The centre's ratings since `from` (by default [`RESULTS_DAYS`] back), each grade's code in
/// `scheme`: every rating, with whether an upheld appeal struck it, and the counts.
pub async fn export(state: &AppState, centre: &str, query: &ExportQuery) -> Result<Export, AppError> {
    let scheme = query.scheme.unwrap_or(GradeCode::National);
    let from = query.from.unwrap_or_else(|| Local::now().date_naive() - Duration::days(RESULTS_DAYS));
    let voided: HashSet<i64> = state.store.bad_ratings(centre, from).await?.into_iter().filter(|b| b.state == rating::BadRatingState::Voided).map(|b| b.rating.id).collect();
    let ratings = state
        .store
        .ratings(centre, from)
        .await?
        .into_iter()
        .map(|r| ExportedRating {
            code: r.grade.code(scheme),
            voided: voided.contains(&r.id),
            id: r.id,
            grade: r.grade,
            ticket_id: r.ticket_id,
            case_id: r.case_id,
            channel: r.channel,
            window: r.window,
            officer: r.officer_name,
            item_code: r.item_code,
            reasons: r.reasons,
            comment: r.comment,
            real_name: r.real_name,
            day: r.day,
            rated_at: r.rated_at,
        })
        .collect();
    let counts = state
        .store
        .rating_counts(centre, from)
        .await?
        .into_iter()
        .filter_map(|c| {
            let grade = u8::try_from(c.grade).ok().and_then(|g| Grade::from_code(g, GradeCode::National))?;
            Some(ExportedCount { item_code: c.item_code, window: c.window_number, code: grade.code(scheme), grade, voided: c.voided, count: c.count })
        })
        .collect();
    Ok(Export { scheme, from, ratings, counts })
}
