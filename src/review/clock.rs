//! Time for review records: a UTC [`Timestamp`] with one-second precision, written as RFC 3339
//! (`2026-11-24T23:12:33Z`) so that records sort by their text, and a [`Clock`] the stores take
//! so tests can fix the time.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Seconds in a day.
const DAY_SECS: i64 = 86_400;

/// 9999-12-31T23:59:59Z, the last instant a four-digit year can write.
const MAX_UNIX_SECS: i64 = 253_402_300_799;

/// An instant in UTC, to the second, between the years 1970 and 9999.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    unix_secs: i64,
}

/// Why a text is not a timestamp.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SSZ)")]
pub struct TimestampError {
    /// The text given.
    pub text: String,
}

impl Timestamp {
    /// The instant `unix_secs` seconds after the epoch, clamped to 1970..=9999.
    pub fn from_unix_secs(unix_secs: i64) -> Self {
        Timestamp {
            unix_secs: unix_secs.clamp(0, MAX_UNIX_SECS),
        }
    }

    /// Seconds since the epoch.
    pub fn unix_secs(self) -> i64 {
        self.unix_secs
    }

    /// Parses `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ`.
    ///
    /// # Errors
    /// [`TimestampError`] for anything else, or for a day or time that does not exist.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        parse_fields(text)
            .and_then(|fields| fields.to_unix_secs())
            .map(Timestamp::from_unix_secs)
            .ok_or_else(|| TimestampError {
                text: text.to_owned(),
            })
    }

    /// A form safe in file names on every system: `20261124T231233Z`.
    pub fn compact(self) -> String {
        let f = Fields::from_unix_secs(self.unix_secs);
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            f.year, f.month, f.day, f.hour, f.minute, f.second
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = Fields::from_unix_secs(self.unix_secs);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        )
    }
}

impl TryFrom<String> for Timestamp {
    type Error = TimestampError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Timestamp::parse(&text)
    }
}

impl From<Timestamp> for String {
    fn from(time: Timestamp) -> String {
        time.to_string()
    }
}

/// Where the current time comes from.
pub trait Clock {
    /// Now.
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        Timestamp::from_unix_secs(i64::try_from(secs).unwrap_or(i64::MAX))
    }
}

/// A clock that always says the same time (tests, replays).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// A calendar date and time of day.
#[derive(Debug, PartialEq, Eq)]
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
}

impl Fields {
    /// The fields of an instant (proleptic Gregorian calendar, after H. Hinnant's algorithm).
    fn from_unix_secs(unix_secs: i64) -> Self {
        let (days, secs) = (
            unix_secs.div_euclid(DAY_SECS),
            unix_secs.rem_euclid(DAY_SECS),
        );
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Fields {
            year: yoe + era * 400 + i64::from(month <= 2),
            month,
            day: doy - (153 * mp + 2) / 5 + 1,
            hour: secs / 3600,
            minute: secs % 3600 / 60,
            second: secs % 60,
        }
    }

    /// Seconds since the epoch, when every field is in range.
    fn to_unix_secs(&self) -> Option<i64> {
        let valid = (1970..=9999).contains(&self.year)
            && (1..=12).contains(&self.month)
            && (1..=days_in_month(self.year, self.month)).contains(&self.day)
            && (0..24).contains(&self.hour)
            && (0..60).contains(&self.minute)
            && (0..60).contains(&self.second);
        valid.then(|| {
            days_from_civil(self.year, self.month, self.day) * DAY_SECS
                + self.hour * 3600
                + self.minute * 60
                + self.second
        })
    }
}

/// Days since the epoch of a calendar date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Splits `YYYY-MM-DD[THH:MM:SSZ]` into numbers, checking the separators.
fn parse_fields(text: &str) -> Option<Fields> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = bytes.get(range)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    let separators_at =
        |pairs: &[(usize, u8)]| pairs.iter().all(|&(i, c)| bytes.get(i) == Some(&c));
    let date_ok = separators_at(&[(4, b'-'), (7, b'-')]);
    let (hour, minute, second) = match bytes.len() {
        10 => (0, 0, 0),
        20 if separators_at(&[(10, b'T'), (13, b':'), (16, b':'), (19, b'Z')]) => {
            (number(11..13)?, number(14..16)?, number(17..19)?)
        }
        _ => return None,
    };
    date_ok.then_some(())?;
    Some(Fields {
        year: number(0..4)?,
        month: number(5..7)?,
        day: number(8..10)?,
        hour,
        minute,
        second,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_round_trip() {
        for secs in [0, 951_782_400, 1_795_000_353, MAX_UNIX_SECS, i64::MAX] {
            let time = Timestamp::from_unix_secs(secs);
            assert_eq!(Timestamp::parse(&time.to_string()), Ok(time), "{time}");
        }
        let leap_day = Timestamp::parse("2000-02-29T12:34:56Z").unwrap();
        assert_eq!(leap_day.unix_secs(), 951_827_696);
        assert_eq!(leap_day.compact(), "20000229T123456Z");
    }

    #[test]
    fn a_date_is_midnight_utc() {
        let day = Timestamp::parse("2026-11-24").unwrap();
        assert_eq!(day.to_string(), "2026-11-24T00:00:00Z");
    }

    #[test]
    fn refuses_days_and_times_that_do_not_exist() {
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-04-31",
            "2026-01-01T24:00:00Z",
            "2026-01-01 10:00:00",
            "2026-1-01",
            "+026-01-01",
            "",
            "1969-12-31",
        ] {
            assert!(Timestamp::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn text_order_is_time_order() {
        let a = Timestamp::parse("2026-09-30T23:59:59Z").unwrap();
        let b = Timestamp::parse("2026-10-01T00:00:00Z").unwrap();
        assert!(a < b && a.to_string() < b.to_string());
    }
}
