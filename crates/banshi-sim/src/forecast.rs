//! Arrivals forecast from a hall's own history, per queue and half hour, with augurs: MSTL
//! (seasonal-trend decomposition by LOESS) for the daily and weekly seasons, and an automatic ETS
//! model for the trend.
//!
//! The series holds working days only, one value per opening half hour: holidays and weekends are
//! the calendar's business (the caller leaves them out and forecasts nothing for them), so the
//! seasons stay regular: a day is `slots` values, a week five working days.

use augurs::ets::AutoETS;
use augurs::mstl::MSTLModel;
use augurs::prelude::*;
use serde::Serialize;

/// Working days in the weekly season.
const WEEK: usize = 5;

/// A forecast: per future slot, the expected arrivals and a 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    pub point: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForecastError {
    #[error("at least {needed} working days of history are needed, there are {have}")]
    TooShort { needed: usize, have: usize },
    #[error("the forecasting model failed: {0}")]
    Model(String),
}

/// Working days of history the two seasons need.
pub fn days_needed() -> usize {
    2 * WEEK
}

/// Forecasts the next `days` working days of a series of `slots` values a day.
pub fn forecast(series: &[f64], slots: usize, days: usize) -> Result<Forecast, ForecastError> {
    let have = series.len() / slots.max(1);
    if slots == 0 || have < days_needed() {
        return Err(ForecastError::TooShort { needed: days_needed(), have });
    }
    let model = MSTLModel::new(vec![slots, slots * WEEK], AutoETS::non_seasonal().into_trend_model());
    let fitted = model.fit(&series[series.len() - have * slots..]).map_err(|e| ForecastError::Model(e.to_string()))?;
    let found = fitted.predict(days * slots, 0.95).map_err(|e| ForecastError::Model(e.to_string()))?;
    // Arrivals are never negative.
    let floor = |values: Vec<f64>| values.into_iter().map(|v| v.max(0.0)).collect::<Vec<_>>();
    let (lower, upper) = match found.intervals {
        Some(intervals) => (floor(intervals.lower), floor(intervals.upper)),
        None => (Vec::new(), Vec::new()),
    };
    Ok(Forecast { point: floor(found.point), lower, upper })
}

/// The backtest: fits on all but the last `days` working days, forecasts them, and gives the mean
/// absolute percentage error over the slots that had arrivals (a slot with none has no
/// percentage).
pub fn backtest_mape(series: &[f64], slots: usize, days: usize) -> Result<f64, ForecastError> {
    let held_out = days * slots;
    if series.len() <= held_out {
        return Err(ForecastError::TooShort { needed: days_needed() + days, have: series.len() / slots.max(1) });
    }
    let (past, actual) = series.split_at(series.len() - held_out);
    let predicted = forecast(past, slots, days)?;
    let errors: Vec<f64> = actual.iter().zip(&predicted.point).filter(|(a, _)| **a > 0.0).map(|(a, p)| (a - p).abs() / a).collect();
    if errors.is_empty() {
        return Ok(0.0);
    }
    Ok(100.0 * errors.iter().sum::<f64>() / errors.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Eight weeks of a hall's half hours: a morning peak, Mondays busier, a little noise.
    fn history(weeks: usize, slots: usize) -> Vec<f64> {
        let mut noise = 7u64;
        let mut series = Vec::new();
        for day in 0..weeks * WEEK {
            for slot in 0..slots {
                noise = noise.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let shape = if slot < slots / 2 { 20.0 } else { 12.0 };
                let monday = if day % WEEK == 0 { 8.0 } else { 0.0 };
                series.push(shape + monday + (noise >> 61) as f64);
            }
        }
        series
    }

    #[test]
    fn the_seasons_come_back_in_the_forecast() {
        let slots = 16;
        let series = history(8, slots);
        let next = forecast(&series, slots, WEEK).unwrap();
        assert_eq!(next.point.len(), WEEK * slots);
        assert!(next.point[0] > next.point[slots - 1], "mornings busier: {:?}", &next.point[..slots]);
        let monday: f64 = next.point[..slots].iter().sum();
        let tuesday: f64 = next.point[slots..2 * slots].iter().sum();
        assert!(monday > tuesday + 50.0, "Mondays busier: {monday} against {tuesday}");
        assert!(next.lower.iter().zip(&next.point).all(|(l, p)| l <= p) && next.point.iter().all(|p| *p >= 0.0));
        let mape = backtest_mape(&series, slots, WEEK).unwrap();
        assert!(mape < 15.0, "{mape}");
    }

    #[test]
    fn too_short_a_history_is_said_so() {
        assert_eq!(forecast(&[1.0; 16 * 3], 16, 5), Err(ForecastError::TooShort { needed: 10, have: 3 }));
    }
}
