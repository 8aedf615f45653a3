//! GitHub's GraphQL points budget, as every query of a queue load reads it
//! (`rateLimit { cost limit remaining resetAt }`), and how often the console may reload the
//! queue on its own without spending more than [`REFRESH_SHARE_PERCENT`] of the budget.
//!
//! GitHub gives a token a budget of points per hour (5,000 for a user) and says in each answer
//! what the query cost, what is left, and when the window resets. A queue load costs the sum of
//! its queries' costs (about one point per 100 PRs listed and per content query). Automatic
//! reloads are stretched so that they spend at most a quarter of the hourly budget, and at most
//! a quarter of what is left until the reset; the rest stays for the reviewer's own work
//! (submits, opening PRs, other tools on the same token).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::review::Timestamp;

/// The selection every query adds at its top level.
pub const RATE_LIMIT_FIELDS: &str = "rateLimit { cost limit remaining resetAt }";

/// The share of the budget (per hour, and of what is left until the reset) that automatic
/// reloads may spend, in percent.
pub const REFRESH_SHARE_PERCENT: u64 = 25;

/// A GraphQL window lasts an hour: a reset announced further ahead is not believed (clock
/// skew), so no wait is ever longer than this.
const WINDOW: Duration = Duration::from_secs(3_600);

/// `rateLimit` as GitHub answers it (`null` where rate limiting is off, e.g. some GitHub
/// Enterprise Server instances).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitNode {
    /// Points this query cost.
    pub cost: u64,
    /// Points per hour.
    pub limit: u64,
    /// Points left in this window.
    pub remaining: u64,
    /// When the window resets (ISO 8601).
    pub reset_at: String,
}

/// What the queries of one load spent and what the budget was after them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Budget {
    /// Points the load's queries cost together.
    pub spent: u64,
    /// Points per hour.
    pub limit: u64,
    /// Points left after the load (the lowest any of its answers said).
    pub remaining: u64,
    /// When the window resets, if GitHub's time read.
    pub reset_at: Option<Timestamp>,
}

/// Adds up the `rateLimit` of every query of a load (clones count into the same total, so
/// concurrent repositories share one meter).
#[derive(Clone, Debug, Default)]
pub struct BudgetMeter {
    seen: Arc<Mutex<Option<Budget>>>,
}

impl BudgetMeter {
    /// Counts one answer's `rateLimit` (nothing when GitHub sent none).
    pub fn record(&self, node: Option<&RateLimitNode>) {
        let Some(node) = node else {
            return;
        };
        let reset_at = Timestamp::parse(&node.reset_at).ok();
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let budget = match seen.take() {
            None => Budget {
                spent: node.cost,
                limit: node.limit,
                remaining: node.remaining,
                reset_at,
            },
            // A later window: what is left now is what it says.
            Some(before) if reset_at > before.reset_at => Budget {
                spent: before.spent + node.cost,
                limit: node.limit,
                remaining: node.remaining,
                reset_at,
            },
            // Answers of one window arrive in any order: the lowest remaining is the latest.
            Some(before) => Budget {
                spent: before.spent + node.cost,
                remaining: before.remaining.min(node.remaining),
                ..before
            },
        };
        *seen = Some(budget);
    }

    /// The budget as the answers so far said, if any said.
    pub fn budget(&self) -> Option<Budget> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// How long to wait after a load before the next automatic one: at least `configured`, and
/// long enough that loads costing `budget.spent` use at most [`REFRESH_SHARE_PERCENT`] of the
/// hourly limit, and at most that share of what is left until the reset (at `now`). When not
/// even that share of one load is left, the wait runs to the reset.
pub fn refresh_interval(configured: Duration, budget: &Budget, now: Timestamp) -> Duration {
    let spent = budget.spent.max(1);
    let share = |points: u64| points.saturating_mul(REFRESH_SHARE_PERCENT) / 100;
    let hourly = match share(budget.limit) {
        0 => WINDOW,
        points => scaled(WINDOW, spent, points),
    };
    let until_reset = budget.reset_at.map_or(WINDOW, |reset| {
        let secs = reset.unix_secs().saturating_sub(now.unix_secs()).max(0);
        Duration::from_secs(u64::try_from(secs).unwrap_or(0)).min(WINDOW)
    });
    let left = match share(budget.remaining) {
        0 => until_reset,
        points => scaled(until_reset, spent, points).min(until_reset),
    };
    configured.max(hourly).max(left)
}

/// `span` x `numerator` / `denominator`, to the second.
fn scaled(span: Duration, numerator: u64, denominator: u64) -> Duration {
    let secs = u128::from(span.as_secs()) * u128::from(numerator) / u128::from(denominator.max(1));
    Duration::from_secs(u64::try_from(secs).unwrap_or(u64::MAX))
}

/// The budget in one line for the console's status: `GitHub API: 4 points a load, 4,996 of
/// 5,000 left until 12:34 UTC; auto-refresh every 2m 24s (stretched from 10s: at most 25% of
/// the budget)`. `configured` is the configured auto-refresh interval (`None`: off).
pub fn budget_line(budget: &Budget, configured: Option<Duration>, now: Timestamp) -> String {
    let until = budget
        .reset_at
        .map(|reset| {
            format!(
                " until {} UTC",
                reset.to_string().get(11..16).unwrap_or("?")
            )
        })
        .unwrap_or_default();
    let refresh = match configured {
        None => "auto-refresh off".to_owned(),
        Some(every) => {
            let stretched = refresh_interval(every, budget, now);
            if stretched > every {
                format!(
                    "auto-refresh every {} (stretched from {}: at most {REFRESH_SHARE_PERCENT}% \
                     of the budget)",
                    interval_text(stretched),
                    interval_text(every)
                )
            } else {
                format!("auto-refresh every {}", interval_text(every))
            }
        }
    };
    format!(
        "GitHub API: {} point{} a load, {} of {} left{until}; {refresh}",
        budget.spent,
        if budget.spent == 1 { "" } else { "s" },
        thousands(budget.remaining),
        thousands(budget.limit),
    )
}

/// `45s`, `2m 24s`, `1h 5m`.
fn interval_text(interval: Duration) -> String {
    let secs = interval.as_secs();
    match (secs / 3_600, secs % 3_600 / 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m {s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h {m}m"),
    }
}

/// `4,996`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn budget(spent: u64, remaining: u64) -> Budget {
        Budget {
            spent,
            limit: 5_000,
            remaining,
            reset_at: Some(at("2026-11-24T12:30:00Z")),
        }
    }

    const NOW: &str = "2026-11-24T12:00:00Z";

    #[test]
    fn a_cheap_load_keeps_the_configured_interval() {
        let every = Duration::from_secs(300);
        assert_eq!(refresh_interval(every, &budget(4, 4_900), at(NOW)), every);
    }

    #[test]
    fn loads_stay_within_a_quarter_of_the_hourly_budget() {
        // 40 points a load, 1,250 points an hour for refreshes: 31.25 loads, every 115 s.
        let interval = refresh_interval(Duration::from_secs(10), &budget(40, 4_900), at(NOW));
        assert_eq!(interval, Duration::from_secs(115));
        let loads_per_hour = 3_600 / interval.as_secs();
        assert!(loads_per_hour * 40 <= 5_000 * REFRESH_SHARE_PERCENT / 100);
    }

    #[test]
    fn a_budget_running_low_spreads_what_is_left_until_the_reset() {
        // 400 left, 100 of them for refreshes, 30 minutes to the reset: 40-point loads every
        // 720 s (2.5 loads before the reset).
        let interval = refresh_interval(Duration::from_secs(10), &budget(40, 400), at(NOW));
        assert_eq!(interval, Duration::from_secs(720));
        // Not even a share of one load left: wait for the reset.
        let interval = refresh_interval(Duration::from_secs(10), &budget(40, 20), at(NOW));
        assert_eq!(interval, Duration::from_secs(1_800));
        let spent = Budget {
            reset_at: None,
            ..budget(40, 0)
        };
        assert_eq!(
            refresh_interval(Duration::from_secs(10), &spent, at(NOW)),
            WINDOW
        );
        // A reset announced days ahead (a wrong clock) never means waiting days.
        let far = Budget {
            reset_at: Some(at("2026-12-24T12:00:00Z")),
            ..budget(40, 0)
        };
        assert_eq!(
            refresh_interval(Duration::from_secs(10), &far, at(NOW)),
            WINDOW
        );
    }

    #[test]
    fn the_meter_adds_costs_and_keeps_the_lowest_remaining_of_a_window() {
        let meter = BudgetMeter::default();
        assert_eq!(meter.budget(), None);
        let node = |cost, remaining, reset: &str| RateLimitNode {
            cost,
            limit: 5_000,
            remaining,
            reset_at: reset.to_owned(),
        };
        meter.record(Some(&node(1, 4_990, "2026-11-24T12:30:00Z")));
        meter.record(Some(&node(2, 4_995, "2026-11-24T12:30:00Z")));
        meter.record(None);
        assert_eq!(meter.clone().budget(), Some(budget(3, 4_990)));
        meter.record(Some(&node(1, 4_999, "2026-11-24T13:30:00Z")));
        let budget = meter.budget().unwrap();
        assert_eq!((budget.spent, budget.remaining), (4, 4_999), "a new window");
    }

    #[test]
    fn the_line_says_cost_budget_reset_and_the_interval() {
        let line = budget_line(&budget(40, 4_900), Some(Duration::from_secs(10)), at(NOW));
        assert_eq!(
            line,
            "GitHub API: 40 points a load, 4,900 of 5,000 left until 12:30 UTC; auto-refresh \
             every 1m 55s (stretched from 10s: at most 25% of the budget)"
        );
        let line = budget_line(&budget(1, 4_999), Some(Duration::from_secs(300)), at(NOW));
        assert!(
            line.ends_with(
                "1 point a load, 4,999 of 5,000 left until 12:30 UTC; auto-refresh every 5m"
            ),
            "{line}"
        );
        assert!(budget_line(&budget(1, 4_999), None, at(NOW)).ends_with("auto-refresh off"));
        assert_eq!(interval_text(Duration::from_secs(3_900)), "1h 5m");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
