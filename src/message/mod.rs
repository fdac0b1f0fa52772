//! Bytes in, messages out: a single message (`.eml`, a Maildir file), an mbox of many,
//! or standard input. The raw bytes are never re-encoded.
//!
//! Reading streams: only the header section of each message is kept (up to
//! [`MAX_HEADER`] bytes), bodies are skipped with `memchr`'s substring search, so the
//! memory used does not grow with the size of a message or the number of messages in
//! an mbox. [`read_message`] returns one whole message when it is needed.

mod header;

use std::io::{self, Read};

use memchr::memmem;

pub use header::{Field, Fields, Summary, decode_text, fields, summarize};

/// The most header bytes kept for one message; the rest of an oversized header
/// section is skipped (and reported).
pub const MAX_HEADER: usize = 8 * 1024 * 1024;

/// The largest single message read by default (an mbox's messages each, a file or
/// standard input whole): past it, a clear error rather than reading `/dev/zero`
/// forever or holding gigabytes. `[input] max_message_mb` sets another.
pub const MAX_MESSAGE: u64 = 256 * 1024 * 1024;

fn too_large(max: u64) -> io::Error {
    io::Error::other(format!(
        "the message is larger than {} MiB: not read further ([input] max_message_mb raises the limit)",
        max >> 20
    ))
}

/// Bytes held once and read from (standard input kept whole for the TUI), without
/// a second copy.
pub struct SharedBytes(pub std::sync::Arc<Vec<u8>>, pub usize);

impl Read for SharedBytes {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = self.0.get(self.1..).unwrap_or(&[]);
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.1 += n;
        Ok(n)
    }
}

/// The UTF-8 byte order mark some editors put before a saved message.
const BOM: &[u8] = b"\xef\xbb\xbf";

const CHUNK: usize = 1 << 20;
const FROM_SEP: &[u8] = b"\nFrom ";

/// One message of a source, with its header section.
#[derive(Debug, Clone)]
pub struct Message {
    /// 1-based position in the source.
    pub number: usize,
    /// Offset of the message's first byte in the source (after an mbox `From ` line).
    pub offset: u64,
    /// The whole message's size in bytes, as stored (mbox escaping included).
    pub size: u64,
    /// The header section exactly as stored, through the blank line that ends it.
    pub header: Vec<u8>,
    /// The header section was longer than [`MAX_HEADER`] and was cut.
    pub header_truncated: bool,
    /// The mbox `From ` line, when the source is an mbox.
    pub envelope: Option<String>,
}

/// Why a source could not be read as mail.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("not an e-mail message: no header fields found")]
    NotAMessage,
    #[error("the mbox holds {count} message(s), there is no message {wanted}")]
    NoSuchMessage { wanted: usize, count: usize },
}

/// The messages of an input as `--message N` selects them: every one, or the N-th
/// alone. The one place that decides what "no such message" and "not a message"
/// mean: a lone input with no header field is not a message (an mbox's field-less
/// message is yielded, for the caller to mark or skip), a number past the end is no
/// such message, and an input with no message that has a header field is not one.
pub struct Select<R> {
    reader: Reader<R>,
    pick: Option<usize>,
    seen: usize,
    good: usize,
    yielded: bool,
    finished: bool,
}

/// See [`Select`]; messages over `max` bytes are an error.
pub fn select<R: Read>(input: R, pick: Option<usize>, max: u64) -> Select<R> {
    Select {
        reader: Reader::with_max(input, max),
        pick,
        seen: 0,
        good: 0,
        yielded: false,
        finished: false,
    }
}

impl<R: Read> Select<R> {
    /// Is the input an mbox? Known once a message has been read.
    pub fn is_mbox(&self) -> bool {
        self.reader.is_mbox()
    }

    fn end(&mut self) -> Option<Result<Message, LoadError>> {
        self.finished = true;
        match self.pick {
            Some(n) if !self.yielded => Some(Err(LoadError::NoSuchMessage {
                wanted: n,
                count: self.seen,
            })),
            None if self.good == 0 => Some(Err(LoadError::NotAMessage)),
            _ => None,
        }
    }
}

impl<R: Read> Iterator for Select<R> {
    type Item = Result<Message, LoadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        if self.pick.is_some() && self.yielded {
            self.finished = true;
            return None;
        }
        loop {
            let message = match self.reader.next() {
                None => return self.end(),
                Some(Err(e)) => {
                    self.finished = true;
                    return Some(Err(LoadError::from(e)));
                }
                Some(Ok(m)) => m,
            };
            self.seen += 1;
            if self.pick.is_some_and(|n| n != message.number) {
                continue;
            }
            let has_fields = fields(&message.header).next().is_some();
            if !has_fields && !self.reader.is_mbox() {
                self.finished = true;
                return Some(Err(LoadError::NotAMessage));
            }
            self.good += usize::from(has_fields);
            self.yielded = true;
            return Some(Ok(message));
        }
    }
}

/// Reads messages one after another from any byte stream.
pub struct Reader<R> {
    inner: R,
    /// Read bytes are `buf[..end]`, unread ones `buf[pos..end]`; the rest of `buf`
    /// is room for the next read, zeroed once when it grows (not on every read).
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    /// `Some(true)` for an mbox, decided by the first bytes.
    mbox: Option<bool>,
    consumed: u64,
    number: usize,
    done: bool,
    finder: memmem::Finder<'static>,
    /// The largest message read.
    max: u64,
}

impl<R: Read> Reader<R> {
    pub fn new(inner: R) -> Self {
        Self::with_max(inner, MAX_MESSAGE)
    }

    /// A reader that refuses messages over `max` bytes.
    pub fn with_max(inner: R, max: u64) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            pos: 0,
            end: 0,
            eof: false,
            mbox: None,
            consumed: 0,
            number: 0,
            done: false,
            finder: memmem::Finder::new(FROM_SEP),
            max,
        }
    }

    /// Is the source an mbox? Known once the first message has been read.
    pub fn is_mbox(&self) -> bool {
        self.mbox == Some(true)
    }

    fn avail(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Reads more input, keeping the unread bytes. Returns false at end of input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        let old = self.end;
        let want = CHUNK.max(old);
        if self.buf.len() < old + want {
            self.buf.resize(old + want, 0);
        }
        let n = loop {
            match self.inner.read(&mut self.buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        self.end = old + n;
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
        self.consumed += n as u64;
    }

    /// Ensures at least `n` unread bytes are buffered, unless the input ends first.
    fn want(&mut self, n: usize) -> io::Result<()> {
        while self.avail().len() < n && self.fill()? {}
        Ok(())
    }

    fn read_line(&mut self, max: usize) -> io::Result<Vec<u8>> {
        let mut line = Vec::new();
        loop {
            let avail = self.avail();
            if let Some(i) = memchr::memchr(b'\n', avail) {
                let take = (i + 1).min(max.saturating_sub(line.len()));
                line.extend_from_slice(&avail[..take]);
                self.consume(i + 1);
                return Ok(line);
            }
            let take = avail.len().min(max.saturating_sub(line.len()));
            line.extend_from_slice(&avail[..take]);
            let n = avail.len();
            self.consume(n);
            if !self.fill()? {
                return Ok(line);
            }
        }
    }

    /// Reads the header section: up to and including the blank line, or up to an mbox
    /// separator, or the end of input. Returns (header, truncated).
    fn read_header(&mut self, mbox: bool) -> io::Result<(Vec<u8>, bool)> {
        let mut header = Vec::new();
        let mut truncated = false;
        let mut at_line_start = true;
        let start = self.consumed;
        loop {
            if self.consumed - start > self.max {
                return Err(too_large(self.max));
            }
            self.want(8)?;
            if self.avail().is_empty() {
                return Ok((header, truncated));
            }
            if at_line_start {
                let a = self.avail();
                if a.starts_with(b"\n") || a.starts_with(b"\r\n") {
                    let n = if a[0] == b'\n' { 1 } else { 2 };
                    if !truncated {
                        header.extend_from_slice(&a[..n]);
                    }
                    self.consume(n);
                    return Ok((header, truncated));
                }
                if mbox && a.starts_with(b"From ") && !header.is_empty() && self.separator_here()? {
                    return Ok((header, truncated));
                }
            }
            let avail = self.avail();
            let (n, ends_line) = match memchr::memchr(b'\n', avail) {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            if !truncated {
                if header.len() + n > MAX_HEADER {
                    truncated = true;
                } else {
                    header.extend_from_slice(&avail[..n]);
                }
            }
            self.consume(n);
            at_line_start = ends_line;
        }
    }

    /// At the start of a line beginning "From ": is it a real mbox separator (it
    /// carries a time of day, as every mbox writer puts one there)?
    fn separator_here(&mut self) -> io::Result<bool> {
        self.want(512)?;
        let a = self.avail();
        let end = memchr::memchr(b'\n', a).unwrap_or(a.len()).min(512);
        Ok(is_envelope_line(&a[..end]))
    }

    /// Skips the body up to the next mbox separator (or the end of input).
    fn skip_body(&mut self, mbox: bool) -> io::Result<()> {
        loop {
            if self.avail().is_empty() && !self.fill()? {
                return Ok(());
            }
            if !mbox {
                let n = self.avail().len();
                self.consume(n);
                if self.consumed > self.max {
                    return Err(too_large(self.max));
                }
                continue;
            }
            if self.avail().starts_with(b"From ") && self.separator_here()? {
                return Ok(());
            }
            let found = self.finder.find(self.avail());
            if let Some(i) = found {
                self.consume(i + 1);
                if self.separator_here()? {
                    return Ok(());
                }
                self.consume(1);
            } else {
                let n = self.avail().len();
                if self.eof {
                    self.consume(n);
                    return Ok(());
                }
                // Keep enough to match a separator split across reads.
                let keep = (FROM_SEP.len() - 1).min(n);
                self.consume(n - keep);
                if !self.fill()? {
                    let n = self.avail().len();
                    self.consume(n);
                    return Ok(());
                }
            }
        }
    }

    fn next_message(&mut self) -> io::Result<Option<Message>> {
        if self.done {
            return Ok(None);
        }
        self.want(5)?;
        if self.number == 0 && self.consumed == 0 && self.avail().starts_with(BOM) {
            self.consume(BOM.len());
        }
        if self.avail().is_empty() && self.number > 0 {
            self.done = true;
            return Ok(None);
        }
        let mbox = *self
            .mbox
            .get_or_insert_with(|| self.buf[self.pos..self.end].starts_with(b"From "));
        let envelope = if mbox && self.avail().starts_with(b"From ") {
            let line = self.read_line(1024)?;
            Some(String::from_utf8_lossy(&line).trim_end().to_string())
        } else {
            None
        };
        let offset = self.consumed;
        let (mut header, header_truncated) = self.read_header(mbox)?;
        self.skip_body(mbox)?;
        if mbox {
            unescape_from(&mut header);
        }
        self.number += 1;
        let size = self.consumed - offset;
        if !mbox {
            self.done = true;
        }
        Ok(Some(Message {
            number: self.number,
            offset,
            size,
            header,
            header_truncated,
            envelope,
        }))
    }
}

impl<R: Read> Iterator for Reader<R> {
    type Item = io::Result<Message>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_message() {
            Ok(Some(m)) => Some(Ok(m)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// A line that starts an mbox message: `From <sender> <date with a time of day>`.
fn is_envelope_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    if rest.first().is_none_or(u8::is_ascii_whitespace) {
        return false;
    }
    rest.windows(4)
        .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit() && w[3].is_ascii_digit())
}

/// Undoes mboxrd quoting in place: a line `>From `, `>>From `, … loses one `>`.
pub fn unescape_from(bytes: &mut Vec<u8>) {
    if memmem::find(bytes, b">From ").is_none() {
        return;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut line_start = true;
    let mut i = 0;
    while i < bytes.len() {
        if line_start && bytes[i] == b'>' {
            let quotes = bytes[i..].iter().take_while(|&&b| b == b'>').count();
            if bytes[i + quotes..].starts_with(b"From ") {
                out.extend_from_slice(&bytes[i + 1..i + quotes]);
                i += quotes;
                line_start = false;
                continue;
            }
        }
        line_start = bytes[i] == b'\n';
        out.push(bytes[i]);
        i += 1;
    }
    *bytes = out;
}

/// Reads the whole of message `number` (1-based) from a source, unescaped, byte for
/// byte as it was delivered. Used where the entire message is needed (forwarding).
///
/// # Errors
/// Reading fails, or the source has fewer messages.
/// Fills `buf` as far as the input allows.
fn read_up_to(source: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match source.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The whole text of `m` (as the [`Reader`] found it in `source`), read by seeking
/// to it instead of reading the source again from the start; `>From ` lines of an
/// mbox are unescaped.
///
/// # Errors
/// The source cannot be read, or changed since (it is shorter now).
pub fn read_at(mut source: impl Read + io::Seek, m: &Message, max: u64) -> Result<Vec<u8>, LoadError> {
    if m.size > max {
        return Err(LoadError::Io(too_large(max)));
    }
    source.seek(io::SeekFrom::Start(m.offset))?;
    let mut msg = Vec::with_capacity(usize::try_from(m.size).unwrap_or(0));
    source.take(m.size).read_to_end(&mut msg)?;
    if msg.len() as u64 != m.size {
        return Err(LoadError::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file changed since it was read",
        )));
    }
    if m.envelope.is_some() {
        unescape_from(&mut msg);
    }
    Ok(msg)
}

/// The whole text of message `number` (1-based) of a source read from its start
/// (a stream that cannot seek, such as standard input): at most `max` bytes of it
/// are read, an mbox's too. A file is better read by [`select`] and [`read_at`].
///
/// # Errors
/// The source cannot be read, is over `max`, or has no such message.
pub fn read_message(mut source: impl Read, number: usize, max: u64) -> Result<Vec<u8>, LoadError> {
    let mut all = Vec::new();
    let mut head = [0u8; 5];
    let n = read_up_to(&mut source, &mut head)?;
    all.extend_from_slice(&head[..n]);
    if all.starts_with(b"From ") {
        source.by_ref().take(max + 1).read_to_end(&mut all)?;
        if all.len() as u64 > max {
            return Err(LoadError::Io(too_large(max)));
        }
    } else {
        source.by_ref().take(max + 1).read_to_end(&mut all)?;
        if all.len() as u64 > max {
            return Err(LoadError::Io(too_large(max)));
        }
        if all.starts_with(BOM) {
            all.drain(..BOM.len());
        }
    }
    if !all.starts_with(b"From ") {
        return if number == 1 {
            Ok(all)
        } else {
            Err(LoadError::NoSuchMessage {
                wanted: number,
                count: 1,
            })
        };
    }
    let mut starts = vec![0usize];
    for i in memmem::find_iter(&all, FROM_SEP) {
        let line_end = memchr::memchr(b'\n', &all[i + 1..]).map_or(all.len(), |e| i + 1 + e);
        if is_envelope_line(&all[i + 1..line_end]) {
            starts.push(i + 1);
        }
    }
    let count = starts.len();
    let Some(&start) = starts.get(number.wrapping_sub(1)) else {
        return Err(LoadError::NoSuchMessage {
            wanted: number,
            count,
        });
    };
    let end = starts.get(number).copied().unwrap_or(all.len());
    let body_start = memchr::memchr(b'\n', &all[start..end]).map_or(end, |e| start + e + 1);
    let mut msg = all[body_start..end].to_vec();
    unescape_from(&mut msg);
    Ok(msg)
}

#[cfg(test)]
mod tests;
