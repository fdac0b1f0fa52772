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
    // The subject read by our own decoder (charsets as senders mean them); the
    // parser's where ours finds nothing.
    let subject = fields(header)
        .find(|f| f.is("subject"))
        .map(|f| decode_text(f.value.get(..f.value.len().min(64 * 1024)).unwrap_or(f.value)))
        .filter(|s| !s.is_empty())
        .or_else(|| msg.subject().map(str::to_string));
    Summary {
        subject,
        message_id: msg.message_id().map(str::to_string),
        from: from.filter(|f| !f.is_empty()),
        date: msg.date().map(mail_parser::DateTime::to_rfc3339),
    }
}

/// A header field's text for people: RFC 2047 encoded words decoded with the
/// WHATWG decoders (a `gb2312` label reads GBK, as senders mean it), and raw 8-bit
/// text in no declared charset read as UTF-8 when it is, else in the East Asian or
/// Western charset it reads best in; one line. Not yet safe to show: each output
/// escapes what a terminal would obey. The message itself is never changed.
pub fn decode_text(raw: &[u8]) -> String {
    let unfolded: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
        .collect();
    let mut out = String::new();
    let mut rest = &unfolded[..];
    let mut last_was_word = false;
    while !rest.is_empty() {
        let Some(start) = memchr::memmem::find(rest, b"=?") else {
            out.push_str(&undeclared(rest));
            break;
        };
        let (before, at) = rest.split_at(start);
        if let Some((text, used)) = encoded_word(at) {
            // Whitespace between two encoded words is not part of the text.
            if !(last_was_word && before.iter().all(u8::is_ascii_whitespace)) {
                out.push_str(&undeclared(before));
            }
            out.push_str(&text);
            rest = &at[used..];
            last_was_word = true;
        } else {
            out.push_str(&undeclared(&rest[..start + 2]));
            rest = &rest[start + 2..];
            last_was_word = false;
        }
    }
    // One line of text: a decoded line break or tab is a space. Other controls stay
    // for each output to show safely (the report escapes them, JSON too).
    let line: String = out
        .chars()
        .map(|c| if matches!(c, '\r' | '\n' | '\t') { ' ' } else { c })
        .collect();
    line.trim().to_string()
}

/// One `=?charset?B|Q?text?=` at the start of `s`: its text and its length.
fn encoded_word(s: &[u8]) -> Option<(String, usize)> {
    let body = s.strip_prefix(b"=?")?;
    let q1 = memchr::memchr(b'?', body)?;
    let charset = std::str::from_utf8(&body[..q1]).ok()?;
    // RFC 2231 language suffix: `utf-8*en`.
    let charset = charset.split('*').next().unwrap_or(charset);
    let kind = *body.get(q1 + 1)?;
    if body.get(q1 + 2) != Some(&b'?') {
        return None;
    }
    let text_start = q1 + 3;
    let end = memchr::memmem::find(&body[text_start..], b"?=")? + text_start;
    let text = &body[text_start..end];
    if text.len() > 4096 || text.contains(&b' ') {
        return None;
    }
    let bytes = match kind.to_ascii_uppercase() {
        b'B' => {
            // Leniently, as mail readers do: the alphabet's characters only, padding
            // optional, a broken tail dropped.
            use base64::Engine as _;
            let mut clean: Vec<u8> = text
                .iter()
                .copied()
                .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
                .collect();
            // A lone sixth of a byte at the end says nothing: dropped.
            if clean.len() % 4 == 1 {
                clean.pop();
            }
            let engine = base64::engine::GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
                    .with_decode_allow_trailing_bits(true),
            );
            engine.decode(&clean).ok()?
        }
        b'Q' => quoted(text),
        _ => return None,
    };
    let encoding = encoding_rs::Encoding::for_label(charset.trim().as_bytes()).unwrap_or(encoding_rs::UTF_8);
    let (decoded, _, _) = encoding.decode(&bytes);
    Some((decoded.into_owned(), 2 + end + 2))
}

/// RFC 2047 Q encoding: `_` is a space, `=XX` a byte.
fn quoted(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < text.len() => {
                let hex = std::str::from_utf8(&text[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'='),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Raw header bytes in no declared charset: UTF-8 when they are, else the charset
/// `chardetng` (Firefox's detector) guesses for them, with no top-level domain to
/// lean on; windows-1252 when it has nothing better. 7-bit ISO-2022-JP (escape
/// sequences in ASCII) is read as Japanese, as mail readers do.
fn undeclared(bytes: &[u8]) -> String {
    use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
    if let Ok(s) = std::str::from_utf8(bytes)
        && !s.contains('\x1b')
    {
        return s.to_string();
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Allow);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, Utf8Detection::Allow);
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

#[cfg(test)]
mod tests {
    use super::decode_text;

    /// Subjects in undeclared or mislabelled charsets (issue 13.3).
    #[test]
    fn subjects_decode_as_their_senders_meant() {
        // `gb2312` carrying GBK bytes (corpus spamscope-mail_test_9): no U+FFFD.
        let gbk = decode_text(b"=?gb2312?B?ztKw0b61zbfArb380KmjrMTjw8e/tL+01eK49srHyrLDtIzCo6zV4g==?=");
        assert!(!gbk.contains('\u{fffd}') && gbk.starts_with("我把镜头"), "{gbk}");
        // Raw 8-bit EUC-KR with no charset at all.
        assert_eq!(
            decode_text(b"\xc0\xce\xc5\xcd\xb3\xdd \xc3\xd6\xc0\xfa"),
            "인터넷 최저"
        );
        // Adjacent encoded words join; the space between them is not text.
        assert_eq!(
            decode_text(b"=?utf-8?Q?caf=C3=A9?= =?utf-8?B?IGNsdWI=?="),
            "café club"
        );
        assert_eq!(
            decode_text(b"Re: =?iso-8859-1?Q?Gr=FC=DFe_aus?= Wien"),
            "Re: Grüße aus Wien"
        );
        // Folded over two lines, as sent.
        assert_eq!(decode_text(b"=?utf-8?B?YWI=?=\r\n\t=?utf-8?B?Y2Q=?="), "abcd");
        // Not an encoded word: kept as written; plain UTF-8 kept.
        assert_eq!(decode_text(b"50% off =?x"), "50% off =?x");
        assert_eq!(decode_text("Grüße".as_bytes()), "Grüße");
        // Undeclared 8-bit guessed by chardetng: Shift_JIS, Big5, windows-1251.
        let sjis = encoding_rs::SHIFT_JIS.encode("お得な情報をお届けします").0;
        assert_eq!(decode_text(&sjis), "お得な情報をお届けします");
        let big5 = encoding_rs::BIG5.encode("免費試用，立即申請").0;
        assert_eq!(decode_text(&big5), "免費試用，立即申請");
        let cyr = encoding_rs::WINDOWS_1251.encode("Привет, выгодное предложение").0;
        assert_eq!(decode_text(&cyr), "Привет, выгодное предложение");
        // Raw ISO-2022-JP, 7-bit with escapes.
        let jis = encoding_rs::ISO_2022_JP.encode("未承諾広告").0;
        assert_eq!(decode_text(&jis), "未承諾広告");
        // A decoded line break is a space: the subject stays one line.
        assert_eq!(decode_text(b"=?utf-8?Q?a=0D=0Ab?="), "a  b");
    }

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
