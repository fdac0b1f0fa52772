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

/// The most changed lines listed (a hostile spam may hold the address millions of
/// times; every one is replaced, the first ones are shown).
pub const MAX_CHANGES: usize = 200;

/// The reporter's addresses and what replaces them: matched as the message is
/// written out, a chunk at a time, so that neither a second copy of the message nor
/// a list of its matches (a hostile spam may hold the address millions of times)
/// is ever held.
#[derive(Debug, Clone, Default)]
pub struct Redaction {
    /// The addresses, lowercased (at least 3 characters each).
    needles: Vec<Vec<u8>>,
    pub with: String,
}

/// Bytes searched at a time.
const CHUNK: usize = 1 << 16;

/// Stops a search early (not an I/O error).
fn enough() -> std::io::Error {
    std::io::Error::other("enough")
}

impl Redaction {
    /// Replaces every `addresses` (case-insensitive, at least 3 characters) with
    /// `with`.
    #[must_use]
    pub fn new(addresses: &[String], with: &str) -> Redaction {
        Redaction {
            needles: addresses
                .iter()
                .map(|a| a.trim().as_bytes().to_ascii_lowercase())
                .filter(|a| a.len() >= 3)
                .collect(),
            with: with.to_string(),
        }
    }

    /// Calls `f(offset, length)` for each match in `source`, in order, not
    /// overlapping (the longest at one place).
    fn each_hit(
        &self,
        source: &[u8],
        mut f: impl FnMut(usize, usize) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let Some(longest) = self.needles.iter().map(Vec::len).max() else {
            return Ok(());
        };
        let finders: Vec<memmem::Finder<'_>> = self.needles.iter().map(memmem::Finder::new).collect();
        let mut lowered = Vec::with_capacity(CHUNK + longest);
        let mut here: Vec<(usize, usize)> = Vec::new();
        let mut free = 0;
        let mut start = 0;
        while start < source.len() {
            // Each chunk overlaps the next by a needle's length less one: a match
            // across the seam is found once, in the chunk where it starts.
            let end = (start + CHUNK + longest - 1).min(source.len());
            lowered.clear();
            lowered.extend(source[start..end].iter().map(u8::to_ascii_lowercase));
            here.clear();
            for f in &finders {
                here.extend(
                    f.find_iter(&lowered)
                        .filter(|&at| at < CHUNK)
                        .map(|at| (start + at, f.needle().len())),
                );
            }
            here.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            for &(at, len) in &here {
                if at >= free {
                    f(at, len)?;
                    free = at + len;
                }
            }
            start += CHUNK;
        }
        Ok(())
    }

    /// Writes `source` with each match replaced, through `w`.
    ///
    /// # Errors
    /// The writer's.
    pub fn write(&self, source: &[u8], w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut pos = 0;
        self.each_hit(source, |at, len| {
            w.write_all(&source[pos..at])?;
            w.write_all(self.with.as_bytes())?;
            pos = at + len;
            Ok(())
        })?;
        w.write_all(&source[pos..])
    }

    /// The changed lines, before and after (as text, controls escaped), at most
    /// [`MAX_CHANGES`]; each read where it is, not by splitting the whole message.
    #[must_use]
    pub fn changes(&self, original: &[u8]) -> Vec<Change> {
        let mut out: Vec<Change> = Vec::new();
        let mut line_no = 1;
        let mut counted_to = 0;
        let shown =
            |b: &[u8]| crate::sanitize::clip(&crate::sanitize::clean_line(&String::from_utf8_lossy(b)), 300);
        let _ = self.each_hit(original, |at, _| {
            line_no += memchr::memchr_iter(b'\n', &original[counted_to..at]).count();
            counted_to = at;
            if out.last().is_some_and(|c| c.line == line_no) {
                return Ok(());
            }
            if out.len() == MAX_CHANGES {
                return Err(enough());
            }
            let begin = memchr::memrchr(b'\n', &original[..at]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &original[at..]).map_or(original.len(), |i| at + i);
            let line = &original[begin..end];
            let mut after = Vec::with_capacity(line.len() + 32);
            self.write(line, &mut after)?;
            out.push(Change {
                line: line_no,
                before: shown(line),
                after: shown(&after),
            });
            Ok(())
        });
        out
    }
}

/// `original` with every `addresses` (case-insensitive) replaced by `with`, and the
/// lines that changed.
pub fn redact(original: &[u8], addresses: &[String], with: &str) -> (Vec<u8>, Vec<Change>) {
    let r = Redaction::new(addresses, with);
    let mut out = Vec::with_capacity(original.len());
    let _ = r.write(original, &mut out);
    let changes = r.changes(original);
    (out, changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Matches across the seams between the chunks searched are found once, and
    /// the result is what a whole-message search and replace gives.
    #[test]
    fn chunk_seams_change_nothing() {
        let mut msg = Vec::new();
        let mut expected = Vec::new();
        let mut i = 0u64;
        while msg.len() < 3 * CHUNK + 500 {
            i += 1;
            // Put an address across each seam now and then, in varied case.
            let next_seam = (msg.len() / CHUNK + 1) * CHUNK;
            if next_seam - msg.len() < 40 && next_seam > msg.len() + 3 {
                let pad = next_seam - msg.len() - 3;
                msg.extend(std::iter::repeat_n(b'.', pad));
                expected.extend(std::iter::repeat_n(b'.', pad));
            }
            let address: &[u8] = if i.is_multiple_of(3) {
                b"JaNe@Example.ORG"
            } else {
                b"jane@example.org"
            };
            msg.extend_from_slice(address);
            expected.extend_from_slice(b"X");
            let filler = format!(" line {i} text\r\n");
            msg.extend_from_slice(filler.as_bytes());
            expected.extend_from_slice(filler.as_bytes());
        }
        let (out, changes) = redact(&msg, &["jane@example.org".into()], "X");
        assert_eq!(out, expected);
        assert_eq!(changes.len(), MAX_CHANGES, "a bounded preview");
    }

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
