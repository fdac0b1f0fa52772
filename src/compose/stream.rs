//! The forwarded spam written as it is read: canonical line ends, redaction and
//! base64 applied on the way out, so that a complaint about a spam of hundreds of
//! megabytes holds the spam once (the original) and never a second, third or
//! fourth copy of it.

use std::io::{self, Write};

use super::redact::Redaction;

/// Bytes gathered before a write to the next writer.
const BUF: usize = 1 << 16;

/// Makes every line end `eol`: CRLF stays one line end, a lone CR or LF becomes one
/// (RFC 5322's canonical form when `eol` is CRLF).
struct Canon<'w> {
    inner: &'w mut dyn Write,
    eol: &'static [u8],
    pending_cr: bool,
    buf: Vec<u8>,
}

impl<'w> Canon<'w> {
    fn new(inner: &'w mut dyn Write, eol: &'static [u8]) -> Canon<'w> {
        Canon {
            inner,
            eol,
            pending_cr: false,
            buf: Vec::with_capacity(BUF + 8),
        }
    }

    fn finish(mut self) -> io::Result<()> {
        if self.pending_cr {
            self.buf.extend_from_slice(self.eol);
        }
        self.inner.write_all(&self.buf)
    }
}

impl Write for Canon<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        // A chunk at a time: what is gathered stays under BUF, whatever comes in.
        let data = &data[..data.len().min(BUF)];
        for &b in data {
            match b {
                b'\r' => {
                    if self.pending_cr {
                        self.buf.extend_from_slice(self.eol);
                    }
                    self.pending_cr = true;
                }
                b'\n' => {
                    self.pending_cr = false;
                    self.buf.extend_from_slice(self.eol);
                }
                _ => {
                    if self.pending_cr {
                        self.pending_cr = false;
                        self.buf.extend_from_slice(self.eol);
                    }
                    self.buf.push(b);
                }
            }
        }
        if self.buf.len() >= BUF {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Base64 in lines of 76 characters ending `eol` (RFC 2045).
struct Base64Lines<'w> {
    inner: &'w mut dyn Write,
    eol: &'static [u8],
    pending: Vec<u8>,
    out: Vec<u8>,
}

/// Input bytes of one base64 line.
const LINE_IN: usize = 57;

impl<'w> Base64Lines<'w> {
    fn new(inner: &'w mut dyn Write, eol: &'static [u8]) -> Base64Lines<'w> {
        Base64Lines {
            inner,
            eol,
            pending: Vec::with_capacity(LINE_IN * 1024),
            out: Vec::new(),
        }
    }

    fn encode(&mut self, bytes_end: usize) {
        use base64::Engine as _;
        for chunk in self.pending[..bytes_end].chunks(LINE_IN) {
            let line = base64::engine::general_purpose::STANDARD.encode(chunk);
            self.out.extend_from_slice(line.as_bytes());
            self.out.extend_from_slice(self.eol);
        }
    }

    fn finish(mut self) -> io::Result<()> {
        let n = self.pending.len();
        self.encode(n);
        self.inner.write_all(&self.out)
    }
}

impl Write for Base64Lines<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let data = &data[..data.len().min(LINE_IN * 1024)];
        self.pending.extend_from_slice(data);
        if self.pending.len() >= LINE_IN * 1024 {
            let whole = self.pending.len() / LINE_IN * LINE_IN;
            self.encode(whole);
            self.pending.drain(..whole);
            self.inner.write_all(&self.out)?;
            self.out.clear();
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `bytes` with every line ending `eol` (the complaint's own lines, written out as
/// a spam stored with LF is).
#[must_use]
pub fn with_eol(bytes: &[u8], eol: &'static [u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut c = Canon::new(&mut out, eol);
    let _ = c.write_all(bytes);
    let _ = c.finish();
    out
}

/// What the forwarded bytes hold, for choosing how they travel: read as they
/// stream by.
// Each flag is a finding of its own about the bytes.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Scan {
    pub len: usize,
    pub eight: bool,
    pub bare: bool,
    pub long: bool,
    pub nul: bool,
    prev_cr: bool,
    line: usize,
}

impl Scan {
    /// Scans `bytes` whole.
    #[must_use]
    pub fn of(bytes: &[u8]) -> Scan {
        let mut s = Scan::default();
        let _ = s.write(bytes);
        s.done()
    }

    /// The scan with the end of the data seen (a CR last is a bare one).
    #[must_use]
    pub fn done(mut self) -> Scan {
        if self.prev_cr {
            self.bare = true;
            self.prev_cr = false;
        }
        self
    }
}

impl Write for Scan {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.len += data.len();
        for &b in data {
            if self.prev_cr && b != b'\n' {
                self.bare = true;
            }
            match b {
                b'\n' => {
                    if !self.prev_cr {
                        self.bare = true;
                    }
                    self.line = 0;
                }
                0 => self.nul = true,
                128.. => self.eight = true,
                _ => {}
            }
            if b != b'\r' && b != b'\n' {
                self.line += 1;
                self.long |= self.line > 998;
            }
            self.prev_cr = b == b'\r';
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The end of a message's header section: just past its first empty line (LF or
/// CRLF), or the whole message when it has none.
#[must_use]
pub fn header_end(message: &[u8]) -> usize {
    let mut start = 0;
    for i in memchr::memchr_iter(b'\n', message) {
        let line = &message[start..i];
        if line.is_empty() || line == b"\r" {
            return i + 1;
        }
        start = i + 1;
    }
    message.len()
}

/// The forwarded spam: `source` (the original, or its header section), redacted and
/// in canonical CRLF form, raw or in base64.
#[derive(Debug, Clone)]
pub struct Forward<'a> {
    pub source: &'a [u8],
    pub redaction: Redaction,
    pub base64: bool,
}

impl Forward<'_> {
    /// Writes it; `eol` ends its lines (the raw lines, or the base64 lines: the
    /// base64 itself always encodes the CRLF form).
    ///
    /// # Errors
    /// The writer's.
    pub fn write(&self, eol: &'static [u8], w: &mut dyn Write) -> io::Result<()> {
        if self.base64 {
            let mut b = Base64Lines::new(w, eol);
            let mut c = Canon::new(&mut b, b"\r\n");
            self.redaction.write(self.source, &mut c)?;
            c.finish()?;
            b.finish()
        } else {
            let mut c = Canon::new(w, eol);
            self.redaction.write(self.source, &mut c)?;
            c.finish()
        }
    }

    /// What the canonical, redacted bytes hold (before any base64).
    #[must_use]
    pub fn scan(&self) -> Scan {
        let mut s = Scan::default();
        let mut c = Canon::new(&mut s, b"\r\n");
        let _ = self.redaction.write(self.source, &mut c);
        let _ = c.finish();
        s.done()
    }

    /// The bytes whole (the preview, the send).
    #[must_use]
    pub fn to_vec(&self, eol: &'static [u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.source.len() + self.source.len() / 16);
        let _ = self.write(eol, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> Redaction {
        Redaction::default()
    }

    #[test]
    fn canonical_line_ends_as_they_stream() {
        let r = none();
        for (input, crlf, lf) in [
            (
                &b"a\nb\r\nc\rd\r"[..],
                &b"a\r\nb\r\nc\r\nd\r\n"[..],
                &b"a\nb\nc\nd\n"[..],
            ),
            (b"\r\r\n\n", b"\r\n\r\n\r\n", b"\n\n\n"),
            (b"", b"", b""),
        ] {
            let f = Forward {
                source: input,
                redaction: r.clone(),
                base64: false,
            };
            assert_eq!(f.to_vec(b"\r\n"), crlf, "{input:?}");
            assert_eq!(f.to_vec(b"\n"), lf, "{input:?}");
        }
    }

    #[test]
    fn base64_lines_are_the_whole_encoding_cut_at_76() {
        use base64::Engine as _;
        let r = none();
        let data: Vec<u8> = (0..200_000u32)
            .map(|i| (i * 7 % 251) as u8)
            .filter(|&b| b != b'\r' && b != b'\n')
            .collect();
        let f = Forward {
            source: &data,
            redaction: r.clone(),
            base64: true,
        };
        let all = base64::engine::general_purpose::STANDARD.encode(&data);
        let mut expected = String::new();
        for c in all.as_bytes().chunks(76) {
            expected.push_str(std::str::from_utf8(c).unwrap());
            expected.push_str("\r\n");
        }
        assert_eq!(f.to_vec(b"\r\n"), expected.as_bytes());
    }

    #[test]
    fn the_scan_reads_what_goes() {
        let s = Scan::of(b"a\r\nb\n");
        assert!(s.bare && !s.long && !s.eight);
        let s = Scan::of(&[b'x'; 999]);
        assert!(s.long);
        let s = Scan::of(b"x\r");
        assert!(s.bare);
        let s = Scan::of(b"\xc3\xa9\r\n\0");
        assert!(s.eight && s.nul && !s.bare);
    }

    #[test]
    fn the_header_section_ends_at_the_first_empty_line() {
        assert_eq!(header_end(b"A: b\r\n\r\nbody"), 8);
        assert_eq!(header_end(b"A: b\n\nbody"), 6);
        assert_eq!(header_end(b"A: b\n"), 5);
    }
}
