//! The complaint as a message (mail-builder for the headers and the text part): the
//! spam attached as `message/rfc822` exactly as it came, or inside an ARF report, or
//! quoted in plain text.

use std::fmt::Write as _;

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;
use mail_builder::mime::{BodyPart, MimePart};

use super::redact::{self, Change};
use super::stream::Forward;
use super::{ComposeError, Draft, Facts, Format, header_text, recipients, reporter_ok};
use crate::config::Reporter;

/// The user agent we write.
pub const USER_AGENT: &str = concat!("relaytrace/", env!("CARGO_PKG_VERSION"));

/// A composed complaint: the exact bytes that go, and what the user is told of them.
#[derive(Debug, Clone)]
pub struct Composed {
    pub bytes: Vec<u8>,
    /// Its Message-ID (without angle brackets).
    pub message_id: String,
    /// The transfer encoding of the forwarded spam (`7bit`, `8bit` or `binary`).
    pub encoding: &'static str,
    /// Why it is not `7bit`/`8bit`, in words.
    pub note: Option<String>,
    /// The lines redaction changed in the forwarded copy.
    pub changes: Vec<Change>,
    pub recipients: Vec<String>,
}

/// The transfer encoding that keeps `original` intact on its way: 7bit or 8bit (as
/// `message/rfc822`) when every line ends in CRLF and is at most 998 octets without
/// NULs; else, for a server that takes BINARYMIME by BDAT (`binary`), `binary` when
/// its line ends are CRLF; else base64 (as a file: RFC 2046 §5.2.1 allows no base64
/// in `message/rfc822`); with why.
pub fn encoding(original: &[u8], binary: bool) -> (&'static str, Option<String>) {
    encoding_of(&super::stream::Scan::of(original), binary)
}

/// [`encoding`] from what a scan of the bytes found.
fn encoding_of(s: &super::stream::Scan, binary: bool) -> (&'static str, Option<String>) {
    let (eight, bare, long, nul) = (s.eight, s.bare, s.long, s.nul);
    let mut why = Vec::new();
    if bare {
        why.push("line ends that are not CRLF");
    }
    if long {
        why.push("lines over 998 octets");
    }
    if nul {
        why.push("NUL bytes");
    }
    if why.is_empty() {
        (if eight { "8bit" } else { "7bit" }, None)
    } else if binary && !bare {
        (
            "binary",
            Some(format!(
                "the spam has {}: it goes unchanged as binary, by BDAT (the server offers BINARYMIME and CHUNKING)",
                why.join(" and ")
            )),
        )
    } else {
        // Mail servers carry lines of at most 998 octets ending in CRLF, without NULs
        // (RFC 5321); binary would need BINARYMIME and BDAT, which few offer. A file
        // in base64 carries every byte over any of them.
        (
            "base64",
            Some(format!(
                "the spam has {}: no mail server carries that unchanged, so it is attached as a file (spam.eml, base64) that holds every byte",
                why.join(" and ")
            )),
        )
    }
}

/// The forwarded spam as a part, its body `placeholder` (the spam streams in its
/// place): `message/rfc822` in 7bit, 8bit or binary, else a file in base64 (RFC 2046
/// allows no base64 in `message/rfc822`); or, headers only, `text/rfc822-headers`
/// (RFC 6522; ARF's third part may be this).
fn spam_part(placeholder: &str, encoding: &'static str, headers_only: bool) -> MimePart<'static> {
    let body = BodyPart::Binary(placeholder.as_bytes().to_vec().into());
    if headers_only {
        return MimePart::new(ContentType::new("text/rfc822-headers"), body)
            .transfer_encoding(encoding)
            .attachment("spam-headers.txt");
    }
    if encoding == "base64" {
        MimePart::new(
            ContentType::new("application/octet-stream").attribute("name", "spam.eml"),
            body,
        )
        .transfer_encoding("base64")
        .attachment("spam.eml")
    } else {
        MimePart::new(ContentType::new("message/rfc822"), body)
            .transfer_encoding(encoding)
            .attachment("spam.eml")
    }
}

/// How the forwarded part travels and why, from a scan of what goes: the spam
/// whole, or only its header section (`headers_only`, for a big spam).
fn how_it_goes(d: &Draft, whole: &Forward<'_>, binary: bool) -> (&'static str, Option<String>) {
    if !d.headers_only {
        return encoding_of(&whole.scan(), binary);
    }
    let headers = Forward {
        source: &whole.source[..super::stream::header_end(whole.source)],
        ..whole.clone()
    }
    .scan();
    let (enc, note) = encoding_of(&headers, binary);
    let note = format!(
        "only the spam's header section is forwarded ({} of {} bytes, text/rfc822-headers){}",
        headers.len,
        whole.scan().len,
        note.map(|n| format!("; {n}")).unwrap_or_default()
    );
    (enc, Some(note))
}

/// The message in its canonical form for SMTP (RFC 5322): every line ending CRLF.
/// A message stored with bare LF (Unix mbox, Maildir) gets its CRs back; one that is
/// already canonical is returned as it is. SMTP cannot carry bare LF intact (lines
/// are dot-stuffed and ended by CRLF only), so this is what "intact" means there.
pub fn canonical(original: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let clean = original.iter().enumerate().all(|(i, &b)| match b {
        b'\n' => i > 0 && original[i - 1] == b'\r',
        b'\r' => original.get(i + 1) == Some(&b'\n'),
        _ => true,
    });
    if clean {
        return std::borrow::Cow::Borrowed(original);
    }
    let mut out = Vec::with_capacity(original.len() + original.len() / 30);
    let mut i = 0;
    while i < original.len() {
        match original[i] {
            b'\r' if original.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    std::borrow::Cow::Owned(out)
}

/// A boundary that occurs nowhere in `content` nor in what redaction writes into
/// it (`with`).
fn boundary(content: &[u8], with: &str, salt: u64) -> String {
    let mut n = salt;
    loop {
        let b = format!("relaytrace-{n:016x}");
        if memchr::memmem::find(content, b.as_bytes()).is_none() && !with.contains(&b) {
            return b;
        }
        n = n
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
    }
}

/// The spam quoted with `> `, line by line (as text).
pub fn quoted(original: &[u8]) -> String {
    let text = String::from_utf8_lossy(original);
    let mut out = String::with_capacity(text.len() + text.len() / 20);
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let safe: String = line
            .chars()
            .map(|c| {
                if c != '\t' && crate::sanitize::unsafe_char(c) {
                    '?'
                } else {
                    c
                }
            })
            .collect();
        let _ = writeln!(out, "> {safe}");
    }
    out
}

fn text_with_quote(d: &Draft, forwarded: &[u8]) -> String {
    let mut body = d.body.replace("\r\n", "\n");
    if d.quote_inline || d.format == Format::Text {
        if !body.ends_with('\n') {
            body.push('\n');
        }
        body.push_str("\n----- The spam, in full -----\n\n");
        body.push_str(&quoted(forwarded));
    }
    body
}

/// A complaint ready to write: its own lines around the forwarded spam, which is
/// written from the original as it goes ([`Streamed::write_to`]) or gathered
/// ([`Streamed::into_composed`]).
#[derive(Debug, Clone)]
pub struct Streamed<'a> {
    /// Everything but the bytes.
    pub meta: Composed,
    head: Vec<u8>,
    forward: Option<Forward<'a>>,
    tail: Vec<u8>,
    eol: &'static [u8],
}

impl Streamed<'_> {
    /// Writes the complaint.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_to(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        w.write_all(&self.head)?;
        if let Some(f) = &self.forward {
            f.write(self.eol, w)?;
        }
        w.write_all(&self.tail)
    }

    /// The complaint with its bytes gathered (the preview, the clipboard, a send).
    #[must_use]
    pub fn into_composed(self) -> Composed {
        let mut bytes = Vec::with_capacity(
            self.head.len()
                + self.tail.len()
                + self.forward.as_ref().map_or(0, |f| f.source.len() * 105 / 100),
        );
        let _ = self.write_to(&mut bytes);
        Composed { bytes, ..self.meta }
    }
}

/// Builds the complaint about `original` (as stored). `now` is the Unix time of
/// the Date header; `id` the Message-ID (without angle brackets); `eol` the line
/// end of the whole complaint (CRLF, or LF for a spam stored with LF written out
/// as stored). The forwarded spam is the original redacted, in canonical form:
/// it is not copied here but written as the complaint is.
///
/// # Errors
/// No recipient, a bad address, or no reporter address.
#[allow(clippy::too_many_arguments)]
pub fn build<'a>(
    d: &Draft,
    f: &Facts,
    original: &'a [u8],
    r: &Reporter,
    now: i64,
    id: &str,
    binary: bool,
    eol: &'static [u8],
) -> Result<Streamed<'a>, ComposeError> {
    // The text form is for copying (a web form has its own recipient): it may be
    // written before the recipients and the reporter are known.
    let to = match recipients(d) {
        Ok(to) => to,
        // None yet is fine for text; an address that is not one never is.
        Err(ComposeError::NoRecipient(_)) if d.format == Format::Text => Vec::new(),
        Err(e) => return Err(e),
    };
    if d.format != Format::Text {
        reporter_ok(r)?;
    }
    let redaction = if d.redact && !r.redact.is_empty() {
        redact::Redaction::new(&r.redact, r.redact_with.as_deref().unwrap_or(redact::REPLACEMENT))
    } else {
        redact::Redaction::default()
    };
    let changes = redaction.changes(original);
    let subject = header_text(&d.subject);
    let name = header_text(&r.name);
    let from = r.address.trim().to_string();
    let meta = |encoding, note, to| Composed {
        bytes: Vec::new(),
        message_id: id.to_string(),
        encoding,
        note,
        changes: changes.clone(),
        recipients: to,
    };

    if d.format == Format::Text {
        // Quoted as stored, for pasting: the text is a copy in any case.
        let mut forwarded = Vec::with_capacity(original.len());
        let _ = redaction.write(original, &mut forwarded);
        let (encoding, note) = encoding(&forwarded, false);
        return Ok(Streamed {
            head: text_form(d, &to, &name, &from, &subject, &forwarded),
            meta: meta(encoding, note, to),
            forward: None,
            tail: Vec::new(),
            eol,
        });
    }

    let whole = Forward {
        source: original,
        redaction,
        base64: false,
    };
    let (encoding, note) = how_it_goes(d, &whole, binary);
    let forward = Forward {
        source: if d.headers_only {
            &original[..super::stream::header_end(original)]
        } else {
            original
        },
        base64: encoding == "base64",
        ..whole
    };
    let salt = u64::try_from(now).unwrap_or(0) ^ 0x9e37_79b9_7f4a_7c15;
    let quote = if d.quote_inline {
        // Quoted in the text part as well: that copy is the user's choice.
        forward.to_vec(b"\r\n")
    } else {
        Vec::new()
    };
    let text = MimePart::new(
        ContentType::new("text/plain").attribute("charset", "utf-8"),
        text_with_quote(d, &quote),
    );
    let boundary = boundary(original, &forward.redaction.with, salt);
    // The spam streams in where this stands; it occurs nowhere else.
    let placeholder = format!("RELAYTRACE-FORWARDED-SPAM-{boundary}-{salt:016x}");
    let spam = spam_part(&placeholder, encoding, d.headers_only);
    let body = if d.format == Format::Arf {
        let report = feedback_report(f, d.side);
        let feedback = MimePart::new(
            ContentType::new("message/feedback-report"),
            BodyPart::Binary(report.into_bytes().into()),
        )
        .transfer_encoding("7bit");
        MimePart::new(
            ContentType::new("multipart/report")
                .attribute("report-type", "feedback-report")
                .attribute("boundary", boundary),
            BodyPart::Multipart(vec![text, feedback, spam]),
        )
    } else {
        MimePart::new(
            ContentType::new("multipart/mixed").attribute("boundary", boundary),
            BodyPart::Multipart(vec![text, spam]),
        )
    };
    let bytes = message_bytes(&name, &from, &to, &subject, now, id, body)?;
    let at = memchr::memmem::rfind(&bytes, placeholder.as_bytes()).ok_or_else(|| ComposeError::Template {
        path: "(message)".into(),
        why: "the forwarded part was not placed".into(),
    })?;
    let (head, tail) = (&bytes[..at], &bytes[at + placeholder.len()..]);
    // mail-builder writes CRLF: the complaint's own lines take `eol` as well.
    Ok(Streamed {
        head: super::stream::with_eol(head, eol),
        tail: super::stream::with_eol(tail, eol),
        meta: meta(encoding, note, to),
        forward: Some(forward),
        eol,
    })
}

/// The complaint as a message: its header fields around `body`.
fn message_bytes(
    name: &str,
    from: &str,
    to: &[String],
    subject: &str,
    now: i64,
    id: &str,
    body: MimePart<'_>,
) -> Result<Vec<u8>, ComposeError> {
    let from_addr = if name.is_empty() {
        Address::new_address(None::<&str>, from.to_string())
    } else {
        Address::new_address(Some(name.to_string()), from.to_string())
    };
    let to_addr = Address::new_list(
        to.iter()
            .map(|t| Address::new_address(None::<&str>, t.clone()))
            .collect(),
    );
    let message = MessageBuilder::new()
        .from(from_addr)
        .to(to_addr)
        .header("Subject", subject_header(subject))
        .date(now)
        .message_id(id.to_string())
        .header("User-Agent", Raw::new(USER_AGENT))
        .header("Auto-Submitted", Raw::new("no"))
        .body(body);
    let bytes = message.write_to_vec().map_err(|e| ComposeError::Template {
        path: "(message)".into(),
        why: e.to_string(),
    })?;
    Ok(bytes)
}

/// The text form, for pasting into a web form: a few header lines and the body,
/// the spam quoted in it.
fn text_form(d: &Draft, to: &[String], name: &str, from: &str, subject: &str, forwarded: &[u8]) -> Vec<u8> {
    let mut out = String::new();
    let _ = writeln!(out, "To: {}", to.join(", "));
    let _ = writeln!(
        out,
        "From: {}",
        if name.is_empty() {
            from.to_string()
        } else {
            format!("{name} <{from}>")
        }
    );
    let _ = writeln!(out, "Subject: {subject}");
    out.push('\n');
    out.push_str(&text_with_quote(d, forwarded));
    // Text is pasted and shown: no bidi control (from the spam, through a fact)
    // may reorder what the reader sees.
    out.chars()
        .map(|c| {
            if c != '\n' && c != '\t' && crate::sanitize::unsafe_char(c) {
                '?'
            } else {
                c
            }
        })
        .collect::<String>()
        .into_bytes()
}

/// The machine-readable part of an ARF report (RFC 5965): what is known of the
/// relay, each field only when known. To the submitting client's network (an
/// account's or webmail's second party) the source is the client: the address a
/// desk's automation matches to its customers.
fn feedback_report(f: &Facts, side: super::Side) -> String {
    let mut report = String::new();
    let _ = write!(
        report,
        "Feedback-Type: abuse\r\nUser-Agent: {USER_AGENT}\r\nVersion: 1\r\n"
    );
    let to_client = side == super::Side::Isp && super::isp_is_client_network(f.class);
    if to_client {
        if !f.client_ip.starts_with('(') {
            let _ = write!(report, "Source-IP: {}\r\n", header_text(&f.client_ip));
        }
    } else if !f.relay_ip.is_empty() {
        let _ = write!(report, "Source-IP: {}\r\n", header_text(&f.relay_ip));
    }
    if let Some(p) = f.source_port.filter(|_| !to_client) {
        let _ = write!(report, "Source-Port: {p}\r\n");
    }
    if let Some(a) = &f.arrival_date {
        let _ = write!(report, "Arrival-Date: {}\r\n", header_text(a));
    }
    if let Some(dom) = f.reported_domain.as_ref().filter(|_| !to_client) {
        let _ = write!(report, "Reported-Domain: {}\r\n", header_text(dom));
    }
    // RFC 5965 §3.2: the site's own verdicts, as it wrote them.
    if let Some(ar) = &f.site_results_field {
        let _ = write!(report, "Authentication-Results: {}\r\n", header_text(ar));
    }
    report
}

/// The Subject value: printable ASCII folded at spaces (lines of at most 78
/// octets), anything else RFC 2047-encoded by mail-builder.
fn subject_header(subject: &str) -> mail_builder::headers::HeaderType<'static> {
    if !subject.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Text::new(subject.to_string()).into();
    }
    let mut out = String::new();
    let mut col = "Subject: ".len();
    for (i, word) in subject.split(' ').enumerate() {
        if i > 0 {
            if col + 1 + word.len() > 76 {
                out.push_str("\r\n ");
                col = 1;
            } else {
                out.push(' ');
                col += 1;
            }
        }
        out.push_str(word);
        col += word.len();
    }
    Raw::new(out).into()
}

/// A Message-ID for a complaint from `address`'s domain; `salt` makes it unique
/// (the caller mixes in its process and the complaint).
pub fn message_id(address: &str, now: i64, salt: u64) -> String {
    let domain = address
        .rsplit_once('@')
        .map_or("relaytrace.invalid", |(_, d)| d.trim());
    let domain: String = domain
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    let domain = if domain.is_empty() {
        "relaytrace.invalid".to_string()
    } else {
        domain
    };
    format!("relaytrace.{now:x}.{salt:016x}@{domain}")
}
