//! The date and time spellings scanners and inventories write, read to Unix seconds (UTC).
//!
//! Exports rarely say their zone; a time without one is read as UTC, which is at most a day off
//! and so does not change an age counted in days against 14- to 180-day timeframes.

use time::{Date, Month, PrimitiveDateTime, Time};

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Any of the spellings below, or `None` when the text is none of them:
/// - epoch seconds (`1700000000`);
/// - ISO 8601 / RFC 3339 (`2023-09-26T10:50:34Z`, `2023-09-26 10:50:34`, `2023-09-26`, with
///   fractional seconds or an offset);
/// - `YYYY/MM/DD` (Nessus plugin dates);
/// - US `MM/DD/YYYY[ HH:MM[:SS]]` and `M/D/YY` (Qualys, Snipe-IT);
/// - `Mon DD, YYYY[ HH:MM[:SS]][ AM|PM][ ZONE]` (Tenable.sc, Qualys VMDR);
/// - ctime `Wed Mar 23 15:07:52 2022` (Nessus `HOST_START`).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) && text.len() >= 9 && text.len() <= 11 {
        return text.parse().ok();
    }
    iso(text)
        .or_else(|| slashed(text))
        .or_else(|| worded(text))
        .map(|moment| moment.assume_utc().unix_timestamp())
}

fn iso(text: &str) -> Option<PrimitiveDateTime> {
    if let Ok(moment) =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        let utc = moment.to_offset(time::UtcOffset::UTC);
        return Some(PrimitiveDateTime::new(utc.date(), utc.time()));
    }
    let (date, rest) = match text.split_once(['T', ' ']) {
        Some((date, rest)) => (date, Some(rest)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 {
        return None;
    }
    let date = calendar(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)?;
    let clock = match rest {
        Some(rest) => clock(rest.trim_end_matches('Z'))?,
        None => Time::MIDNIGHT,
    };
    Some(PrimitiveDateTime::new(date, clock))
}

fn slashed(text: &str) -> Option<PrimitiveDateTime> {
    let (date, rest) = match text.split_once(' ') {
        Some((date, rest)) => (date, Some(rest.trim())),
        None => (text, None),
    };
    let fields: Vec<&str> = date.split('/').collect();
    let [a, b, c] = fields.as_slice() else {
        return None;
    };
    let date = if a.len() == 4 {
        calendar(a.parse().ok()?, b.parse().ok()?, c.parse().ok()?)?
    } else {
        let year: i32 = c.parse().ok()?;
        // Two-digit years (Snipe-IT's `1/23/23`) are this century.
        let year = if c.len() == 2 { 2000 + year } else { year };
        calendar(year, a.parse().ok()?, b.parse().ok()?)?
    };
    let clock = match rest {
        Some(rest) => twelve_hour(rest)?,
        None => Time::MIDNIGHT,
    };
    Some(PrimitiveDateTime::new(date, clock))
}

fn worded(text: &str) -> Option<PrimitiveDateTime> {
    let words: Vec<&str> = text.split_whitespace().collect();
    // ctime: weekday month day clock year.
    if let [_, month, day, clock_text, year] = words.as_slice()
        && let Some(month) = month_number(month)
    {
        let date = calendar(year.parse().ok()?, month, day.parse().ok()?)?;
        return Some(PrimitiveDateTime::new(date, clock(clock_text)?));
    }
    // `Jan 5, 2021 10:24:08 MST`, `Feb 03, 2026 07:00 AM`.
    let [month, day, year, rest @ ..] = words.as_slice() else {
        return None;
    };
    let day = day.strip_suffix(',')?;
    let date = calendar(year.parse().ok()?, month_number(month)?, day.parse().ok()?)?;
    let clock = match rest {
        [] => Time::MIDNIGHT,
        [clock_text, ..] => {
            let meridiem = rest
                .get(1)
                .filter(|w| w.eq_ignore_ascii_case("am") || w.eq_ignore_ascii_case("pm"));
            match meridiem {
                Some(m) => twelve_hour(&format!("{clock_text} {m}"))?,
                None => clock(clock_text)?,
            }
        }
    };
    Some(PrimitiveDateTime::new(date, clock))
}

fn month_number(word: &str) -> Option<u8> {
    let lower = word.get(..3)?.to_ascii_lowercase();
    MONTHS.iter().position(|m| *m == lower).map(|i| i as u8 + 1)
}

fn calendar(year: i32, month: u8, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// `HH:MM[:SS[.fff]]`.
fn clock(text: &str) -> Option<Time> {
    let text = text.split(['.', '+']).next()?;
    let mut parts = text.split(':');
    let hour: u8 = parts.next()?.parse().ok()?;
    let minute: u8 = parts.next()?.parse().ok()?;
    let second: u8 = match parts.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    Time::from_hms(hour, minute, second).ok()
}

/// `HH:MM[:SS]` optionally followed by `AM`/`PM`.
fn twelve_hour(text: &str) -> Option<Time> {
    let mut words = text.split_whitespace();
    let mut time = clock(words.next()?)?;
    match words.next().map(|w| w.to_ascii_lowercase()).as_deref() {
        Some("pm") if time.hour() < 12 => time = time.replace_hour(time.hour() + 12).ok()?,
        Some("am") if time.hour() == 12 => time = time.replace_hour(0).ok()?,
        _ => {}
    }
    Some(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_reads_to_the_same_moment() {
        let expected = 1_695_725_434; // 2023-09-26T10:50:34Z
        for text in [
            "2023-09-26T10:50:34Z",
            "2023-09-26T10:50:34.717Z",
            "2023-09-26T12:50:34+02:00",
            "2023-09-26 10:50:34",
            "09/26/2023 10:50:34",
            "Sep 26, 2023 10:50:34 MST",
            "Tue Sep 26 10:50:34 2023",
            "Tue Sep  26  10:50:34 2023",
            "1695725434",
        ] {
            assert_eq!(parse_timestamp(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn dates_twelve_hour_clocks_and_two_digit_years() {
        let day = |y, m, d| {
            calendar(y, m, d)
                .unwrap()
                .midnight()
                .assume_utc()
                .unix_timestamp()
        };
        assert_eq!(parse_timestamp("2020/10/30"), Some(day(2020, 10, 30)));
        assert_eq!(parse_timestamp("1/23/23"), Some(day(2023, 1, 23)));
        assert_eq!(
            parse_timestamp("Feb 03, 2026 07:00 PM"),
            Some(day(2026, 2, 3) + 19 * 3600)
        );
        assert_eq!(
            parse_timestamp("Feb 03, 2026 12:30 AM"),
            Some(day(2026, 2, 3) + 30 * 60)
        );
    }

    #[test]
    fn junk_is_not_a_date() {
        for text in [
            "",
            "yesterday",
            "13/45/2020",
            "2023-02-30",
            "Foo 3, 2020",
            "12",
        ] {
            assert_eq!(parse_timestamp(text), None, "{text}");
        }
    }
}
