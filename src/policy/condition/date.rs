//! Date values for the `Date...` operators: ISO 8601 or epoch seconds.

/// Parses `text` into seconds since the Unix epoch.
///
/// Accepts epoch seconds (`1700000000`, optionally with a fraction) and
/// ISO 8601 dates and date-times: `2024-01-31`, `2024-01-31T12:00Z`,
/// `2024-01-31T12:00:00.5+01:00`. A date-time without an offset is UTC.
pub(crate) fn parse_date(text: &str) -> Option<f64> {
    let text = text.trim();
    if !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && !text[1..].contains('-')
    {
        return text.parse::<f64>().ok().filter(|v| v.is_finite());
    }
    let (date, time) = match text.find(['T', 't']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let year: i64 = digits(parts.next()?, 4)?;
    let month: i64 = digits(parts.next()?, 2)?;
    let day: i64 = digits(parts.next()?, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    let seconds = days_from_civil(year, month, day) as f64 * 86_400.0;
    match time {
        None => Some(seconds),
        Some(time) => Some(seconds + parse_time(time)?),
    }
}

/// Parses `hh:mm[:ss[.frac]][Z|±hh[:mm]]` into seconds after midnight UTC.
fn parse_time(time: &str) -> Option<f64> {
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => (&time[..i], Some(&time[i..])),
        None => (time, None),
    };
    let mut parts = clock.split(':');
    let hour: i64 = digits(parts.next()?, 2)?;
    let minute: i64 = digits(parts.next()?, 2)?;
    let second: f64 = match parts.next() {
        Some(s) => parse_seconds(s)?,
        None => 0.0,
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second >= 61.0 {
        return None;
    }
    let offset = match offset {
        None | Some("Z") | Some("z") => 0,
        Some(o) => {
            let sign: i64 = if o.starts_with('-') { -1 } else { 1 };
            let o = &o[1..];
            let (h, m): (i64, i64) = match o.split_once(':') {
                Some((h, m)) => (digits(h, 2)?, digits(m, 2)?),
                None if o.len() == 4 => (digits(o.get(..2)?, 2)?, digits(o.get(2..)?, 2)?),
                None => (digits(o, 2)?, 0),
            };
            sign * (h * 3600 + m * 60)
        }
    };
    Some((hour * 3600 + minute * 60 - offset) as f64 + second)
}

fn parse_seconds(text: &str) -> Option<f64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, "0"));
    digits::<i64>(whole, 2)?;
    if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn digits<T: std::str::FromStr>(text: &str, len: usize) -> Option<T> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn formats() {
        assert_eq!(parse_date("1970-01-01"), Some(0.0));
        assert_eq!(parse_date("1970-01-02T00:00:00Z"), Some(86_400.0));
        assert_eq!(parse_date("2024-02-29T12:30:00Z"), Some(1_709_209_800.0));
        assert_eq!(parse_date("2024-02-29T13:30:00+01:00"), Some(1_709_209_800.0));
        assert_eq!(parse_date("2024-02-29T12:30Z"), Some(1_709_209_800.0));
        assert_eq!(parse_date("1709209800"), Some(1_709_209_800.0));
        assert_eq!(parse_date("2024-02-29T12:30:00.5Z"), Some(1_709_209_800.5));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("-"), None);
    }
}
