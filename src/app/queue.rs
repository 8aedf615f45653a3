//! The queue both surfaces show: review items riskiest first, then longest waiting (then by
//! repository and number, so the order never depends on arrival), their ages in one format,
//! and the conflicts between them.

use std::cmp::Ordering;

use crate::analysis::conflicts::{Conflict, PrId, find_conflicts};
use crate::app::entry::PrEntry;
use crate::review::Timestamp;

/// The queue's order: riskiest first, then longest waiting (a PR whose update time is
/// unknown waits the least), then by repository, then by number.
pub fn queue_order(a: &PrEntry, b: &PrEntry) -> Ordering {
    let waiting = |entry: &PrEntry| (entry.updated_at.is_none(), entry.updated_at);
    b.report
        .risk
        .cmp(&a.report.risk)
        .then_with(|| waiting(a).cmp(&waiting(b)))
        .then_with(|| a.meta.repo.cmp(&b.meta.repo))
        .then(a.meta.number.cmp(&b.meta.number))
}

/// Sorts `items` into the queue's order ([`queue_order`]) by the review item each holds.
pub fn sort_queue<T>(items: &mut [T], entry: impl Fn(&T) -> &PrEntry) {
    items.sort_by(|a, b| queue_order(entry(a), entry(b)));
}

/// Seconds from `then` to `now` (0 when `then` is unknown or later).
pub fn age_seconds(now: Timestamp, then: Option<Timestamp>) -> i64 {
    then.map_or(0, |then| {
        now.unix_secs().saturating_sub(then.unix_secs()).max(0)
    })
}

/// `12m`, `5h`, `3d`: how long ago `then` was (minutes up to an hour, hours up to a day);
/// `?` when it is unknown.
pub fn age_text(now: Timestamp, then: Option<Timestamp>) -> String {
    const HOUR: i64 = 3_600;
    const DAY: i64 = 24 * HOUR;
    if then.is_none() {
        return "?".to_owned();
    }
    match age_seconds(now, then) {
        secs if secs < HOUR => format!("{}m", secs / 60),
        secs if secs < DAY => format!("{}h", secs / HOUR),
        secs => format!("{}d", secs / DAY),
    }
}

/// The conflicts between the PRs of a queue (PRs of different repositories never conflict).
#[derive(Clone, Debug, Default)]
pub struct Conflicts {
    list: Vec<Conflict>,
}

impl Conflicts {
    /// The conflicts between `entries`, found pair by pair in queue order.
    pub fn between<'a>(entries: impl IntoIterator<Item = &'a PrEntry>) -> Conflicts {
        let mut entries: Vec<&PrEntry> = entries.into_iter().collect();
        entries.sort_by(|a, b| queue_order(a, b));
        let footprints: Vec<_> = entries.iter().map(|e| e.footprint.clone()).collect();
        Conflicts {
            list: find_conflicts(&footprints),
        }
    }

    /// Every conflict.
    pub fn all(&self) -> &[Conflict] {
        &self.list
    }

    /// The conflicts `pr` is part of.
    pub fn of<'a>(&'a self, pr: &'a PrId) -> impl Iterator<Item = &'a Conflict> {
        self.list.iter().filter(move |c| c.a == *pr || c.b == *pr)
    }

    /// The numbers of the PRs `pr` conflicts with, ascending.
    pub fn partners(&self, pr: &PrId) -> Vec<u64> {
        let mut numbers: Vec<u64> = self
            .of(pr)
            .map(|c| if c.a == *pr { c.b.number } else { c.a.number })
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        numbers
    }

    /// Consumes the conflicts into their list.
    pub fn into_list(self) -> Vec<Conflict> {
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_in_the_largest_sensible_unit() {
        let now = Timestamp::from_unix_secs(1_000_000);
        let ago = |secs: i64| Some(Timestamp::from_unix_secs(1_000_000 - secs));
        assert_eq!(age_text(now, ago(0)), "0m");
        assert_eq!(age_text(now, ago(59 * 60)), "59m");
        assert_eq!(age_text(now, ago(3 * 3_600)), "3h");
        assert_eq!(age_text(now, ago(23 * 3_600)), "23h");
        assert_eq!(age_text(now, ago(47 * 3_600)), "1d");
        assert_eq!(age_text(now, ago(3 * 86_400 + 5)), "3d");
        assert_eq!(
            age_text(now, Some(Timestamp::from_unix_secs(2_000_000))),
            "0m"
        );
        assert_eq!(age_text(now, None), "?");
        assert_eq!(age_seconds(now, ago(125)), 125);
        assert_eq!(age_seconds(now, None), 0);
    }
}
