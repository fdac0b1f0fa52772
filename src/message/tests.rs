//! Loading: single messages, mboxes, hostile input, streaming across reads.

use std::io::Read;

use super::*;

/// A reader that hands out at most `n` bytes a call, to cross every boundary.
struct Trickle<'a> {
    data: &'a [u8],
    n: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.n.min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

fn all(data: &[u8]) -> Vec<Message> {
    Reader::new(data).map(Result::unwrap).collect()
}

const MBOX: &[u8] = b"From a@b Thu Jan  1 00:00:00 1970\nSubject: one\nReceived: from x by y\n\nbody 1\n>From the desk\nFrom here on, not a separator\n\nFrom c@d Thu Jan  1 00:00:01 1970\r\nSubject: two\r\n\r\nbody 2\r\nFrom e@f Fri Jan  2 10:00:01 1970\nSubject: three\n";

#[test]
fn single_message_lf_crlf_mixed() {
    for text in [
        &b"Subject: a\nReceived: from x by y\n\nbody\nFrom x 12:00:00\n"[..],
        b"Subject: a\r\nReceived: from x by y\r\n\r\nbody\r\n",
        b"Subject: a\r\nReceived: from x\n by y\r\n\nbody",
    ] {
        let m = all(text);
        assert_eq!(m.len(), 1);
        assert_eq!(fields(&m[0].header).count(), 2);
        assert_eq!(m[0].size, text.len() as u64);
    }
}

#[test]
fn mbox_splits_and_unescapes() {
    let m = all(MBOX);
    assert_eq!(m.len(), 3, "{m:?}");
    assert_eq!(summarize(&m[0].header).subject.as_deref(), Some("one"));
    assert_eq!(summarize(&m[1].header).subject.as_deref(), Some("two"));
    assert_eq!(summarize(&m[2].header).subject.as_deref(), Some("three"));
    assert_eq!(m[2].number, 3);
    assert_eq!(
        m[0].envelope.as_deref(),
        Some("From a@b Thu Jan  1 00:00:00 1970")
    );
    let whole = read_message(MBOX, 1, MAX_MESSAGE).unwrap();
    assert!(whole.windows(14).any(|w| w == b"\nFrom the desk"));
    assert!(whole.starts_with(b"Subject: one\n"));
    assert!(matches!(
        read_message(MBOX, 4, MAX_MESSAGE),
        Err(LoadError::NoSuchMessage { wanted: 4, count: 3 })
    ));
}

#[test]
fn streaming_across_every_boundary() {
    let whole = all(MBOX);
    for n in 1..12 {
        let got: Vec<Message> = Reader::new(Trickle { data: MBOX, n })
            .map(Result::unwrap)
            .collect();
        assert_eq!(got.len(), whole.len(), "chunk {n}");
        for (a, b) in got.iter().zip(&whole) {
            assert_eq!(a.header, b.header, "chunk {n}");
            assert_eq!(a.size, b.size, "chunk {n}");
        }
    }
}

#[test]
fn no_blank_line_and_no_header() {
    let m = all(b"Subject: only a header");
    assert_eq!(m.len(), 1);
    assert_eq!(fields(&m[0].header).count(), 1);
    let m = all(b"\x00\x01\x02 not mail at all \xff\xfe");
    assert_eq!(fields(&m[0].header).count(), 0);
    let m = all(b"");
    assert_eq!(m.len(), 1);
    assert_eq!(fields(&m[0].header).count(), 0);
}

#[test]
fn oversized_header_is_cut_not_kept() {
    let mut text = b"Subject: big\nX-Long: ".to_vec();
    text.extend(std::iter::repeat_n(b'a', MAX_HEADER + 10));
    text.extend_from_slice(b"\nReceived: from late by x\n\nbody\n");
    let m = all(&text);
    assert!(m[0].header_truncated);
    assert!(m[0].header.len() <= MAX_HEADER);
}

#[test]
fn ten_thousand_received_lines() {
    let mut text = Vec::new();
    for i in 0..10_000 {
        text.extend_from_slice(
            format!("Received: from h{i} (h{i}.example [192.0.2.{}]) by x\n", i % 250).as_bytes(),
        );
    }
    text.extend_from_slice(b"\nbody\n");
    let m = all(&text);
    assert_eq!(fields(&m[0].header).filter(|f| f.is("received")).count(), 10_000);
}

/// Produces a header, then `body` bytes of text lines, without holding them.
struct Huge {
    header: &'static [u8],
    body: u64,
    sent: u64,
    line: Vec<u8>,
}

impl Read for Huge {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.header.is_empty() {
            let k = self.header.len().min(buf.len());
            buf[..k].copy_from_slice(&self.header[..k]);
            self.header = &self.header[k..];
            return Ok(k);
        }
        let left = self.body - self.sent;
        let k = (buf.len() as u64).min(left) as usize;
        for (i, b) in buf[..k].iter_mut().enumerate() {
            *b = self.line[(self.sent as usize + i) % self.line.len()];
        }
        self.sent += k as u64;
        Ok(k)
    }
}

#[test]
fn a_200_mb_message_streams() {
    let body = 200 * 1024 * 1024;
    let src = Huge {
        header: b"Received: from a (b [81.2.69.1]) by mx.example.org\nSubject: big\n\n",
        body,
        sent: 0,
        line: b"From nobody, a body line that must not split the message 12:00\n".to_vec(),
    };
    let m: Vec<Message> = Reader::new(src).map(Result::unwrap).collect();
    assert_eq!(m.len(), 1);
    assert!(m[0].header.len() < 100);
    assert_eq!(m[0].size, body + 65);
}

#[test]
fn select_picks_one_or_all_and_names_what_is_missing() {
    let mbox = b"From a@x Fri Aug 23 12:21:07 2002\nSubject: one\n\nbody\n\nFrom b@x Fri Aug 23 12:21:07 2002\nSubject: two\n\nbody\n";
    let all: Vec<usize> = super::select(&mbox[..], None, MAX_MESSAGE)
        .map(|m| m.unwrap().number)
        .collect();
    assert_eq!(all, vec![1, 2]);
    let two: Vec<usize> = super::select(&mbox[..], Some(2), MAX_MESSAGE)
        .map(|m| m.unwrap().number)
        .collect();
    assert_eq!(two, vec![2]);
    let three: Vec<_> = super::select(&mbox[..], Some(3), MAX_MESSAGE).collect();
    assert!(matches!(
        three.as_slice(),
        [Err(LoadError::NoSuchMessage { wanted: 3, count: 2 })]
    ));
    // A lone input without a header field is not a message.
    let junk: Vec<_> = super::select(&b"just some words\n"[..], None, MAX_MESSAGE).collect();
    assert!(matches!(junk.as_slice(), [Err(LoadError::NotAMessage)]));
    // An mbox whose messages have none: each is yielded, then the verdict.
    let empty = b"From a@x Fri Aug 23 12:21:07 2002\nno fields here\n";
    let got: Vec<_> = super::select(&empty[..], None, MAX_MESSAGE).collect();
    assert!(
        matches!(got.as_slice(), [Ok(_), Err(LoadError::NotAMessage)]),
        "{got:?}"
    );
    // One message, asked for as message 1.
    let one: Vec<_> = super::select(&b"Subject: x\n\nbody\n"[..], Some(1), MAX_MESSAGE).collect();
    assert!(matches!(one.as_slice(), [Ok(m)] if m.number == 1));
}

#[test]
fn reading_a_message_at_its_offset_gives_what_reading_it_again_gives() {
    let bom: Vec<u8> = [BOM, b"Subject: bom\n\nbody\n"].concat();
    for source in [MBOX, b"Subject: single\n\nbody\n".as_slice(), bom.as_slice()] {
        for m in all(source) {
            let seek = read_at(std::io::Cursor::new(source), &m, MAX_MESSAGE).unwrap();
            let again = read_message(source, m.number, MAX_MESSAGE).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&seek),
                String::from_utf8_lossy(&again),
                "message {}",
                m.number
            );
        }
    }
    // The file shrank since it was read: said, not a short message.
    let m = all(MBOX).pop().unwrap();
    assert!(read_at(std::io::Cursor::new(&MBOX[..MBOX.len() - 5]), &m, MAX_MESSAGE).is_err());
}
