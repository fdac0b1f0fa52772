//! Redaction: the reporter's own addresses replaced in the forwarded copy, with a
//! preview of exactly which lines change.

use memchr::memmem;

/// One changed line of the forwarded copy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// 1-based line number in the original.
    pub line: usize,
    pub before: String,
    pub after: String,
}

/// The default replacement.
pub const REPLACEMENT: &str = "redacted@relaytrace.invalid";

fn lower(b: &[u8]) -> Vec<u8> {
    b.iter().map(u8::to_ascii_lowercase).collect()
}

/// `original` with every `addresses` (case-insensitive) replaced by `with`, and the
/// lines that changed.
pub fn redact(original: &[u8], addresses: &[String], with: &str) -> (Vec<u8>, Vec<Change>) {
    let needles: Vec<Vec<u8>> = addresses
        .iter()
        .map(|a| lower(a.trim().as_bytes()))
        .filter(|a| a.len() >= 3)
        .collect();
    if needles.is_empty() {
        return (original.to_vec(), Vec::new());
    }
    let hay = lower(original);
    // Every match, earliest first, longest first at one place.
    let mut hits: Vec<(usize, usize)> = Vec::new();
    for n in &needles {
        for at in memmem::find_iter(&hay, n) {
            hits.push((at, n.len()));
        }
    }
    hits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out = Vec::with_capacity(original.len());
    let mut changed_lines = Vec::new();
    let mut pos = 0;
    for (at, len) in hits {
        if at < pos {
            continue;
        }
        out.extend_from_slice(&original[pos..at]);
        out.extend_from_slice(with.as_bytes());
        changed_lines.push(at);
        pos = at + len;
    }
    out.extend_from_slice(&original[pos..]);
    (out.clone(), preview(original, &out, &changed_lines))
}

/// The changed lines, before and after (as text, controls escaped).
fn preview(original: &[u8], redacted: &[u8], offsets: &[usize]) -> Vec<Change> {
    let lines_of = |b: &[u8]| -> Vec<String> {
        b.split(|&c| c == b'\n')
            .map(|l| crate::sanitize::clip(&crate::sanitize::clean_line(&String::from_utf8_lossy(l)), 300))
            .collect()
    };
    let (a, b) = (lines_of(original), lines_of(redacted));
    let mut numbers: Vec<usize> = offsets
        .iter()
        .map(|&o| memchr::memchr_iter(b'\n', &original[..o]).count())
        .collect();
    numbers.dedup();
    numbers
        .into_iter()
        .filter_map(|i| {
            Some(Change {
                line: i + 1,
                before: a.get(i)?.clone(),
                after: b.get(i)?.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_case_insensitively_and_previews() {
        let orig =
            b"To: Jane@Example.org\r\nCc: other@x.test\r\n\r\nhi jane@example.org and JANE@EXAMPLE.ORG\r\n";
        let (out, changes) = redact(orig, &["jane@example.org".into()], REPLACEMENT);
        let text = String::from_utf8(out).unwrap();
        assert!(!text.to_ascii_lowercase().contains("jane@example.org"));
        assert_eq!(text.matches(REPLACEMENT).count(), 3);
        assert_eq!(changes.iter().map(|c| c.line).collect::<Vec<_>>(), vec![1, 4]);
        assert!(changes[0].before.contains("Jane@Example.org") && changes[0].after.contains(REPLACEMENT));
        let (same, none) = redact(orig, &[], REPLACEMENT);
        assert_eq!(same, orig);
        assert!(none.is_empty());
    }
}
