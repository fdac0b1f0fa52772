//! Text from a message or a remote server made safe for a terminal: no control
//! character, escape sequence or bidirectional override reaches the screen.

use std::borrow::Cow;
use std::fmt::Write;

/// Is this character unsafe to print as it is (a control character or a bidi
/// control)?
#[must_use]
pub fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Is this an invisible joiner or selector whose width terminals disagree on
/// (an emoji ZWJ sequence is 2 columns to one terminal, 6 to another; U+FE0F
/// widens a symbol in some)? Dropped, so that each column count is the same
/// everywhere and a row never spills past its border.
fn invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{e0100}'..='\u{e01ef}')
}

/// Replaces every control character (C0, C1, DEL) and bidi control with a visible
/// escape such as `\x1b` or `\u{202e}`, and drops invisible joiners and
/// variation selectors.
#[must_use]
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| unsafe_char(c) || invisible(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if invisible(c) {
            continue;
        }
        if unsafe_char(c) {
            let n = c as u32;
            if n < 0x100 {
                let _ = write!(out, "\\x{n:02x}");
            } else {
                let _ = write!(out, "\\u{{{n:x}}}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A line of text to show as text (a header line, a whois answer, the preview):
/// tabs expanded to the next multiple of 8 columns, a line end's CR dropped, then
/// [`clean`].
#[must_use]
pub fn clean_line(s: &str) -> String {
    let s = s.strip_suffix('\r').unwrap_or(s);
    if !s.contains('\t') {
        return clean(s).into_owned();
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut col = 0usize;
    for c in s.chars() {
        if c == '\t' {
            let n = 8 - col % 8;
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        } else {
            out.push(c);
            col += 1;
        }
    }
    clean(&out).into_owned()
}

/// One compact JSON line of `value`, with every character JSON leaves raw but a
/// terminal would obey escaped as `\uXXXX`: C1 controls, DEL and the bidi controls
/// (`U+202E` and the like), as `serde_json` already does for C0.
///
/// # Errors
/// The value cannot be serialised.
pub fn json_line<T: serde::Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let raw = serde_json::to_string(value)?;
    if !raw.chars().any(unsafe_char) {
        return Ok(raw);
    }
    let mut out = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        if unsafe_char(c) {
            // Outside strings JSON has only ASCII punctuation: these are in strings.
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// Bytes (a whole message, perhaps not UTF-8) made safe to write to a terminal:
/// line ends (LF, CRLF) and tabs stay; every other control character (C0, C1, DEL),
/// every bidi control and every byte that is not part of valid UTF-8 (a lone 0x9b is
/// CSI to an 8-bit terminal) is written as a visible escape such as `\x1b`.
#[must_use]
pub fn terminal_bytes(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let safe_ascii = |b: u8| (b' '..=b'~').contains(&b) || b == b'\n' || b == b'\t';
    if bytes.iter().all(|&b| safe_ascii(b) || b == b'\r') && !has_bare_cr(bytes) {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    let mut rest = bytes;
    while !rest.is_empty() {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(s) => (s, 0),
            Err(e) => {
                let (v, _) = rest.split_at(e.valid_up_to());
                // The prefix up to `valid_up_to` is UTF-8 by definition; an
                // incomplete sequence at the end is escaped byte by byte.
                let bad = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                (std::str::from_utf8(v).unwrap_or(""), bad)
            }
        };
        for (i, c) in valid.char_indices() {
            let keep = match c {
                '\n' | '\t' => true,
                '\r' => valid.as_bytes().get(i + 1) == Some(&b'\n'),
                c => !unsafe_char(c),
            };
            if keep {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            } else {
                let n = c as u32;
                let esc = if n < 0x100 {
                    format!("\\x{n:02x}")
                } else {
                    format!("\\u{{{n:x}}}")
                };
                out.extend_from_slice(esc.as_bytes());
            }
        }
        let at = valid.len();
        for &b in &rest[at..at + bad] {
            out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
        }
        rest = &rest[at + bad..];
    }
    std::borrow::Cow::Owned(out)
}

/// Is there a CR that does not end a line?
fn has_bare_cr(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'))
}

/// Like [`clean`], then cut to at most `max` characters with an ellipsis.
#[must_use]
pub fn clip(s: &str, max: usize) -> String {
    // Only the first `max` characters can show: cleaning the rest of a hostile
    // megabyte for every clip would make callers quadratic.
    let cut = s.char_indices().nth(max).map(|(i, _)| i);
    let c = clean(&s[..cut.unwrap_or(s.len())]);
    if cut.is_none() && c.chars().count() <= max {
        return c.into_owned();
    }
    let mut out: String = c.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn joiners_and_selectors_are_dropped() {
        // A family emoji (ZWJ sequence) and a heart with VS16: each emoji alone.
        assert_eq!(
            super::clean("a\u{2764}\u{fe0f} \u{1f468}\u{200d}\u{1f469}"),
            "a\u{2764} \u{1f468}\u{1f469}"
        );
        assert_eq!(super::clean("x\u{feff}y\u{200b}z"), "xyz");
    }

    #[test]
    fn tabs_are_columns_not_escapes() {
        assert_eq!(super::clean_line("a\tb"), "a       b");
        assert_eq!(super::clean_line("\tby mx\r"), "        by mx");
        assert_eq!(super::clean_line("x\x1b[2J"), "x\\x1b[2J");
    }
    use super::*;

    #[test]
    fn escapes_controls() {
        assert_eq!(clean("a\x1b[31mb"), "a\\x1b[31mb");
        assert_eq!(clean("x\r\ny\u{9b}"), "x\\x0d\\x0ay\\x9b");
        assert_eq!(clean("abc\u{202e}"), "abc\\u{202e}");
        assert!(matches!(clean("plain text"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_lines_escape_bidi_controls() {
        let line = json_line(&serde_json::json!({"s": "x\u{202e}y\u{9b}z\u{1b}"})).unwrap();
        assert_eq!(line, r#"{"s":"x\u202ey\u009bz\u001b"}"#);
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["s"], "x\u{202e}y\u{9b}z\u{1b}");
    }

    #[test]
    fn terminal_bytes_escape_what_a_terminal_obeys() {
        let spam = b"Subject: \x1b]0;PWNED\x07\x1b]52;c;UFdORUQ=\x07\r\nX: a\tb\xe2\x80\xaec \xc2\x9b1m \x9b \xff\rZ\n";
        let out = terminal_bytes(spam);
        assert_eq!(
            String::from_utf8(out.into_owned()).unwrap(),
            "Subject: \\x1b]0;PWNED\\x07\\x1b]52;c;UFdORUQ=\\x07\r\nX: a\tb\\u{202e}c \\x9b1m \\x9b \\xff\\x0dZ\n"
        );
        assert!(matches!(terminal_bytes(b"plain\r\ntext\n"), Cow::Borrowed(_)));
        assert_eq!(
            &*terminal_bytes("caf\u{e9}\n".as_bytes()),
            "caf\u{e9}\n".as_bytes()
        );
    }

    #[test]
    fn clips() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
        assert_eq!(clip("abcd", 4), "abcd");
        assert_eq!(clip("a\x1bcd", 4), "a\\x…", "escapes count toward the length");
        assert_eq!(clip(&"é".repeat(1_000_000), 3), "éé…");
    }
}
