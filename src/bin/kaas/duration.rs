//! Durations on the command line: `90s`, `15m`, `1h`, `7d`, `500ms`, or several at once
//! (`1h30m`).

use std::time::Duration;

/// The longest duration accepted: a year, far beyond any wait or credential lifetime.
const MAX: Duration = Duration::from_secs(366 * 24 * 3600);

/// Reads a duration: whole numbers each followed by a unit (`ms`, `s`, `m`, `h`, `d`), summed.
/// Zero, a missing unit and anything above a year are refused.
pub fn parse(text: &str) -> Result<Duration, String> {
    let invalid = || format!("`{text}` is not a duration: write e.g. 90s, 15m, 1h, 7d or 1h30m");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let number: u64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let letters = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..letters] {
            "ms" => Duration::from_millis(1),
            "s" => Duration::from_secs(1),
            "m" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            "d" => Duration::from_secs(24 * 3600),
            _ => return Err(invalid()),
        };
        rest = &rest[letters..];
        total = u32::try_from(number)
            .ok()
            .and_then(|n| unit.checked_mul(n))
            .and_then(|part| total.checked_add(part))
            .filter(|total| *total <= MAX)
            .ok_or_else(|| format!("`{text}` is longer than a year"))?;
    }
    if total.is_zero() {
        return Err(format!("`{text}` is zero: give a duration above zero"));
    }
    Ok(total)
}

/// A duration in the form [`parse`] reads back (`1h30m`, `1m30s`, `250ms`), to the
/// millisecond.
pub fn show(duration: Duration) -> String {
    let mut seconds = duration.as_secs();
    let mut text = String::new();
    for (unit, size) in [("d", 24 * 3600), ("h", 3600), ("m", 60), ("s", 1)] {
        if seconds >= size {
            text.push_str(&format!("{}{unit}", seconds / size));
            seconds %= size;
        }
    }
    let millis = duration.subsec_millis();
    if millis > 0 || text.is_empty() {
        text.push_str(&format!("{millis}ms"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_unit_and_sums_of_them_are_read() {
        for (text, seconds) in [
            ("90s", 90),
            ("15m", 900),
            ("1h", 3600),
            ("7d", 7 * 86_400),
            ("1h30m", 5400),
            (" 2m ", 120),
        ] {
            assert_eq!(parse(text), Ok(Duration::from_secs(seconds)), "{text}");
        }
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
    }

    #[test]
    fn nonsense_zero_and_huge_values_are_refused_without_panicking() {
        for text in [
            "", "10", "h", "1x", "-1s", "1.5h", "1 h", "0s", "0ms", "1h-", "٣s", "s1",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
        }
        for text in [
            "367d",
            "99999999999999999999s",
            "4294967296s",
            "18446744073709551615d",
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.contains(text), "{error}");
        }
        assert_eq!(parse("366d"), Ok(MAX));
    }

    #[test]
    fn durations_are_shown_as_they_are_written() {
        assert_eq!(show(Duration::from_secs(5400)), "1h30m");
        assert_eq!(show(Duration::from_secs(90)), "1m30s");
        assert_eq!(show(Duration::from_millis(250)), "250ms");
        assert_eq!(show(Duration::from_secs(7 * 86_400)), "7d");
        assert_eq!(show(Duration::from_millis(1500)), "1s500ms");
        for seconds in [1, 59, 61, 3599, 86_401] {
            let duration = Duration::from_secs(seconds);
            assert_eq!(parse(&show(duration)), Ok(duration));
        }
    }
}
