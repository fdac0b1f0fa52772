//! Dates as MTAs write them after the `;` of a `Received:` line: RFC 5322, its
//! obsolete forms (two-digit years, named zones), asctime, and common breakage
//! (`17:40:44-0500`, `Eastern Daylig`, trailing comments).

use std::fmt;

/// A point in time with the UTC offset it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub epoch: i64,
    /// The writer's offset from UTC in minutes.
    pub offset_min: i32,
}

impl fmt::Display for Timestamp {
    /// RFC 3339, in the offset the date was written in.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.epoch + i64::from(self.offset_min) * 60;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        )?;
        if self.offset_min == 0 {
            f.write_str("Z")
        } else {
            let sign = if self.offset_min < 0 { '-' } else { '+' };
            let off = self.offset_min.abs();
            write!(f, "{sign}{:02}:{:02}", off / 60, off % 60)
        }
    }
}

impl Timestamp {
    /// Reads the RFC 3339 form [`Display`](fmt::Display) writes
    /// (`2026-11-02T10:00:00Z`, `2002-08-23T12:21:07+01:00`).
    #[must_use]
    pub fn from_rfc3339(text: &str) -> Option<Timestamp> {
        let bytes = text.as_bytes();
        if bytes.len() < 20 || [4, 7, 10, 13, 16].map(|i| bytes[i]) != *b"--T::" {
            return None;
        }
        let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let offset_min = match text.get(19..)? {
            "Z" => 0,
            zone if zone.len() == 6 && zone.starts_with(['+', '-']) && zone.as_bytes()[3] == b':' => {
                let sign = if zone.starts_with('-') { -1 } else { 1 };
                sign * i32::try_from(num(20..22)? * 60 + num(23..25)?).ok()?
            }
            _ => return None,
        };
        let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
        Some(Timestamp {
            epoch: local - i64::from(offset_min) * 60,
            offset_min,
        })
    }

    /// RFC 5322 form (`Fri, 23 Aug 2002 12:21:07 +0100`), in the writer's offset.
    #[must_use]
    pub fn to_rfc5322(&self) -> String {
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        const MON: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let local = self.epoch + i64::from(self.offset_min) * 60;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let weekday = DAYS[days.rem_euclid(7) as usize];
        let sign = if self.offset_min < 0 { '-' } else { '+' };
        let off = self.offset_min.abs();
        format!(
            "{weekday}, {d} {} {y:04} {:02}:{:02}:{:02} {sign}{:02}{:02}",
            MON[(m as usize).saturating_sub(1).min(11)],
            secs / 3600,
            (secs / 60) % 60,
            secs % 60,
            off / 60,
            off % 60
        )
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Parses the date part of a `Received:` line, or `None` when it holds no date.
#[must_use]
pub fn parse_date(text: &str) -> Option<Timestamp> {
    let cleaned = strip_comments(text);
    let mut day = None;
    let mut month = None;
    let mut year: Option<i64> = None;
    let mut time = None;
    let mut offset: Option<i32> = None;
    for raw in cleaned.split(|c: char| c.is_whitespace() || c == ',') {
        if raw.is_empty() {
            continue;
        }
        // "17:40:44-0500" and "17:40:44+0100": split the zone off the time.
        let (tok, glued_zone) = match raw.find(['+', '-']) {
            Some(i) if i > 0 && raw[..i].contains(':') => (&raw[..i], Some(&raw[i..])),
            _ => (raw, None),
        };
        if let Some(z) = glued_zone {
            offset = offset.or_else(|| numeric_zone(z));
        }
        if time.is_none() && tok.contains(':') {
            time = parse_time(tok);
            continue;
        }
        if let Some(z) = numeric_zone(tok)
            && (time.is_some() || day.is_some())
        {
            offset = offset.or(Some(z));
            continue;
        }
        if tok.bytes().all(|b| b.is_ascii_digit()) && tok.len() <= 4 {
            let n: i64 = tok.parse().ok()?;
            if tok.len() <= 2
                && day.is_none()
                && (1..=31).contains(&n)
                && month.is_none_or(|_| year.is_none())
            {
                day = Some(n);
            } else if year.is_none() {
                year = Some(match (tok.len(), n) {
                    (1 | 2, 0..50) => 2000 + n,
                    (1..=3, _) if n < 1000 => 1900 + n,
                    _ => n,
                });
            }
            continue;
        }
        let lower = tok.to_ascii_lowercase();
        if month.is_none()
            && lower.len() >= 3
            && let Some(m) = MONTHS.iter().position(|m| lower.starts_with(m))
        {
            month = Some(m as i64 + 1);
            continue;
        }
        if offset.is_none() && time.is_some() {
            offset = named_zone(&lower);
        }
    }
    let (day, month, year, (h, mi, s)) = (day?, month?, year?, time?);
    if !(1..=9999).contains(&year) || day > days_in_month(year, month) {
        return None;
    }
    let offset = offset.unwrap_or(0);
    let days = days_from_civil(year, month, day);
    let epoch = days * 86_400 + h * 3600 + mi * 60 + s - i64::from(offset) * 60;
    Some(Timestamp {
        epoch,
        offset_min: offset,
    })
}

fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0u32;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn parse_time(tok: &str) -> Option<(i64, i64, i64)> {
    let mut it = tok.split(':');
    let h: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let s: i64 = match it.next() {
        Some(s) => s.split('.').next()?.parse().ok()?,
        None => 0,
    };
    (h < 24 && m < 60 && s <= 60).then_some((h, m, s.min(59)))
}

fn numeric_zone(tok: &str) -> Option<i32> {
    let (sign, digits) = match tok.as_bytes().first()? {
        b'+' => (1, &tok[1..]),
        b'-' => (-1, &tok[1..]),
        _ => return None,
    };
    let digits = digits.replace(':', "");
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    (h < 24 && m < 60).then_some(sign * (h * 60 + m))
}

fn named_zone(lower: &str) -> Option<i32> {
    Some(match lower {
        "gmt" | "ut" | "utc" | "z" | "wet" => 0,
        "bst" | "ist" | "cet" | "met" => 60,
        "mest" | "cest" | "eet" => 120,
        "eest" | "msk" => 180,
        "edt" => -4 * 60,
        "est" | "cdt" => -5 * 60,
        "cst" | "mdt" => -6 * 60,
        "mst" | "pdt" => -7 * 60,
        "pst" => -8 * 60,
        "jst" | "kst" => 9 * 60,
        _ => return None,
    })
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_reads_back_what_display_writes() {
        for text in [
            "Fri, 23 Aug 2002 12:21:07 +0100",
            "Mon, 2 Nov 2026 09:30:00 +0000",
            "1 Jan 1999 23:59:59 -0930",
        ] {
            let t = parse_date(text).unwrap();
            assert_eq!(Timestamp::from_rfc3339(&t.to_string()), Some(t), "{text}");
        }
        for bad in [
            "",
            "2026-11-02",
            "2026-13-02T09:30:00Z",
            "2026-11-02T09:30:00",
            "2026-11-02T09:30:00+1:00",
            "２０２６-11-02T09:30:00Z",
            "2026-11-02T09:30:0é+01:00",
        ] {
            assert_eq!(Timestamp::from_rfc3339(bad), None, "{bad}");
        }
    }

    fn iso(s: &str) -> Option<String> {
        parse_date(s).map(|t| t.to_string())
    }

    #[test]
    fn rfc5322_and_variants() {
        assert_eq!(
            iso("Thu, 22 Aug 2002 13:09:41 +0100").as_deref(),
            Some("2002-08-22T13:09:41+01:00")
        );
        assert_eq!(
            iso(" Mon,  1 Mar 2004 01:09:44 -0500 (EST)").as_deref(),
            Some("2004-03-01T01:09:44-05:00")
        );
        assert_eq!(
            iso("8 Mar 04 12:23:56 -0000").as_deref(),
            Some("2004-03-08T12:23:56Z")
        );
        assert_eq!(
            iso("Thu, 6 May 2004 17:40:44-0500").as_deref(),
            Some("2004-05-06T17:40:44-05:00")
        );
        assert_eq!(
            iso("Sun Nov 13 14:50:12 2005").as_deref(),
            Some("2005-11-13T14:50:12Z")
        );
        assert_eq!(
            iso("Wed, 17 Mar 2004 02:12:31 GMT").as_deref(),
            Some("2004-03-17T02:12:31Z")
        );
        assert_eq!(
            iso("Fri, 30 Aug 02 21:48:08 Eastern Daylig").as_deref(),
            Some("2002-08-30T21:48:08Z")
        );
        assert_eq!(
            iso("Sat, 21 Apr 2018 03:01:33\n +0000").as_deref(),
            Some("2018-04-21T03:01:33Z")
        );
        assert_eq!(
            iso("Tue, 27 Aug 0102 20:59:44 -0200").as_deref(),
            Some("0102-08-27T20:59:44-02:00")
        );
        assert_eq!(
            iso("Mon, 8 Mar 2004 16:07:35 PST").as_deref(),
            Some("2004-03-08T16:07:35-08:00")
        );
    }

    #[test]
    fn not_dates() {
        assert_eq!(iso(""), None);
        assert_eq!(iso("by mx.example.com"), None);
        assert_eq!(iso("31 Feb 2004 10:00:00"), None);
        assert_eq!(iso("99 Foo 99999 99:99"), None);
    }

    #[test]
    fn epoch_is_utc() {
        let t = parse_date("Thu, 01 Jan 1970 01:00:00 +0100").unwrap();
        assert_eq!(t.epoch, 0);
    }
}
