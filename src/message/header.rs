//! The header section split into fields, raw bytes kept, and the few fields a person
//! wants to see decoded (RFC 2047) by `mail-parser`.

use mail_parser::MessageParser;

/// One header field: its name and its raw value (folding kept, no trailing newline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    pub name: &'a [u8],
    pub value: &'a [u8],
}

impl Field<'_> {
    /// Case-insensitive name comparison.
    #[must_use]
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }
}

/// Iterator over the fields of a header section.
pub struct Fields<'a> {
    rest: &'a [u8],
}

/// Splits a header section into fields. Lines that are neither a field nor a
/// continuation (8-bit junk, a missing blank line before the body) end the fields.
#[must_use]
pub fn fields(header: &[u8]) -> Fields<'_> {
    Fields { rest: header }
}

fn line_end(s: &[u8]) -> usize {
    memchr::memchr(b'\n', s).map_or(s.len(), |i| i + 1)
}

fn field_name_len(line: &[u8]) -> Option<usize> {
    let colon = memchr::memchr(b':', &line[..line.len().min(1000)])?;
    let name = &line[..colon];
    let trimmed = name
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(0, |i| i + 1);
    (trimmed > 0 && name[..trimmed].iter().all(|&b| (33..=126).contains(&b))).then_some(colon)
}

impl<'a> Iterator for Fields<'a> {
    type Item = Field<'a>;

    fn next(&mut self) -> Option<Field<'a>> {
        loop {
            let s = self.rest;
            if s.is_empty() || s[0] == b'\n' || s.starts_with(b"\r\n") {
                return None;
            }
            let first = line_end(s);
            let Some(colon) = field_name_len(&s[..first]) else {
                if s[0] == b' ' || s[0] == b'\t' {
                    // A stray continuation line at the very top: skip it.
                    self.rest = &s[first..];
                    continue;
                }
                self.rest = &[];
                return None;
            };
            let mut end = first;
            while end < s.len() && (s[end] == b' ' || s[end] == b'\t') {
                end += line_end(&s[end..]);
            }
            self.rest = &s[end..];
            let name_end = s[..colon]
                .iter()
                .rposition(|b| !matches!(b, b' ' | b'\t'))
                .map_or(0, |i| i + 1);
            let mut value = &s[colon + 1..end];
            while let [rest @ .., b'\n' | b'\r'] = value {
                value = rest;
            }
            return Some(Field {
                name: &s[..name_end],
                value,
            });
        }
    }
}

/// What a person sees of a message before its hops.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub subject: Option<String>,
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub date: Option<String>,
}

/// Decodes Subject, From, Date and Message-ID with `mail-parser` (RFC 2047 words,
/// charsets, folding), reading only those fields so a long header costs nothing.
#[must_use]
pub fn summarize(header: &[u8]) -> Summary {
    let mut wanted = Vec::new();
    for f in fields(header) {
        if f.is("subject") || f.is("message-id") || f.is("from") || f.is("date") {
            wanted.extend_from_slice(f.name);
            wanted.extend_from_slice(b": ");
            wanted.extend_from_slice(f.value.get(..f.value.len().min(64 * 1024)).unwrap_or(f.value));
            wanted.extend_from_slice(b"\r\n");
        }
    }
    if wanted.is_empty() {
        return Summary::default();
    }
    wanted.extend_from_slice(b"\r\n");
    let Some(msg) = MessageParser::new().parse_headers(&wanted) else {
        return Summary::default();
    };
    let from = msg
        .from()
        .and_then(|a| a.first())
        .map(|a| match (a.name(), a.address()) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (None, Some(e)) => e.to_string(),
            (Some(n), None) => n.to_string(),
            (None, None) => String::new(),
        });
    Summary {
        subject: msg.subject().map(str::to_string),
        message_id: msg.message_id().map(str::to_string),
        from: from.filter(|f| !f.is_empty()),
        date: msg.date().map(mail_parser::DateTime::to_rfc3339),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_folded_fields() {
        let h = b"Received: from a\r\n\tby b; Thu, 1 Jan 2004 00:00:00 +0000\r\nSubject: hi\nX: y\n\nbody";
        let f: Vec<_> = fields(h).collect();
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].value, b" from a\r\n\tby b; Thu, 1 Jan 2004 00:00:00 +0000");
        assert!(f[1].is("subject"));
        assert_eq!(f[2].value, b" y");
    }

    #[test]
    fn junk_ends_fields() {
        let h = b"Subject: a\nthis is not a header\nX: y\n";
        assert_eq!(fields(h).count(), 1);
    }

    #[test]
    fn decodes_rfc2047_subject() {
        let h = b"Subject: =?utf-8?B?UMOkaXZpdMOk?= now\r\nMessage-ID: <a@b>\r\n\r\n";
        let s = summarize(h);
        assert_eq!(s.subject.as_deref(), Some("Päivitä now"));
        assert_eq!(s.message_id.as_deref(), Some("a@b"));
    }
}
