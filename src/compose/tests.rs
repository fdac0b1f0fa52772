//! Every composed message is parsed back with mail-parser: the forwarded spam is
//! byte for byte the original, the headers are exactly the intended ones, nothing
//! from the spam can inject a header, the ARF structure holds, every placeholder is
//! filled.

#![allow(clippy::many_single_char_names)]
use mail_parser::{MessageParser, MimeHeaders};
use proptest::prelude::*;

use super::mime::{self, encoding};
use super::*;
use crate::lookup::attribute::{Attribution, Evidence};
use crate::lookup::contact::{Confidence, Source, Tier};
use crate::lookup::result::Part;
use crate::lookup::services::Listing;
use crate::message::Reader;
use crate::trace::{Options, analyse};

/// The complaint built whole, in CRLF.
fn build(
    d: &Draft,
    f: &Facts,
    original: &[u8],
    r: &Reporter,
    now: i64,
    id: &str,
    binary: bool,
) -> Result<mime::Composed, ComposeError> {
    mime::build(d, f, original, r, now, id, binary, b"\r\n").map(mime::Streamed::into_composed)
}

const SAMPLES: &[&[u8]] = &[
    include_bytes!("../../assets/samples/sa20021010-0031.eml"),
    include_bytes!("../../assets/samples/sa20021010-0011.eml"),
    include_bytes!("../../assets/samples/sa20021010-0205.eml"),
    include_bytes!("../../assets/samples/glitchy-2025-94.eml"),
];

fn reporter() -> Reporter {
    Reporter {
        name: "Jane Doe".into(),
        address: "jane@example.org".into(),
        redact: vec!["webmaster@efi.ie".into()],
        redact_with: None,
    }
}

fn contact(email: &str, preselect: bool) -> Contact {
    Contact {
        email: email.into(),
        source: Source::Whois,
        confidence: Confidence::High,
        basis: "x".into(),
        preselect,
        tier: Tier::Mailbox,
    }
}

fn lookup() -> Lookup {
    let mut evidence = Evidence::new("216.201.75.12".parse().unwrap());
    evidence.apply(Part::Rdns {
        names: vec!["sbsmail.saks.com.pa".into()],
        fcrdns: Some(true),
        answers: Vec::new(),
    });
    evidence.apply(Part::Dnsbl {
        listings: vec![Listing {
            zone: "zen.spamhaus.org".into(),
            listed: true,
            answer: Some("127.0.0.2".into()),
            reason: Some("https://www.spamhaus.org/sbl/query/SBL1".into()),
            error: false,
        }],
        answers: Vec::new(),
    });
    Lookup {
        evidence,
        attribution: Attribution {
            owner: Some("Saks Panama".into()),
            isp: Some("Cable & Wireless Panama".into()),
            owner_contacts: vec![
                contact("abuse@saks.com.pa", true),
                contact("noc@saks.com.pa", false),
            ],
            isp_contacts: vec![contact("abuse@cwpanama.net", false)],
            ..Attribution::default()
        },
    }
}

fn compose(original: &[u8], side: Side, format: Format, quote: bool) -> (Draft, Facts, mime::Composed) {
    let msg = Reader::new(original).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    let hop = t.input_point.or(t.relay).unwrap_or(0);
    let l = lookup();
    let f = facts(&t, hop, Some(&l), &reporter());
    let contacts = if side == Side::Owner {
        l.owner_contacts()
    } else {
        l.isp_contacts()
    };
    let d = draft(side, &f, default_template(side), contacts, format, quote).unwrap();
    // As it goes by mail: the spam in its canonical CRLF form.
    let c = build(
        &d,
        &f,
        &mime::canonical(original),
        &reporter(),
        1_700_000_000,
        "relaytrace.1@example.org",
        false,
    )
    .unwrap();
    (d, f, c)
}

/// The spam as attached: the `message/rfc822` part's bytes, or the decoded
/// `spam.eml` file when it had to go as base64.
fn attached(raw: &[u8], parsed: &mail_parser::Message<'_>) -> Vec<u8> {
    let file = parsed.parts.iter().find(|p| {
        p.content_type()
            .is_some_and(|c| c.ctype() == "application" && c.subtype() == Some("octet-stream"))
    });
    match file {
        Some(p) => p.contents().to_vec(),
        None => part_bytes(raw, parsed, "message/rfc822").to_vec(),
    }
}

/// The body of the part whose Content-Type starts with `ctype`, exactly as it is in
/// the raw message (up to the CRLF before the next boundary).
fn part_bytes<'a>(raw: &'a [u8], parsed: &mail_parser::Message<'_>, ctype: &str) -> &'a [u8] {
    let boundary = parsed
        .root_part()
        .content_type()
        .and_then(|c| c.attribute("boundary"))
        .unwrap()
        .to_string();
    let part = parsed
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")).starts_with(ctype))
        })
        .unwrap();
    let start = part.offset_body as usize;
    let end = memchr::memmem::find(&raw[start..], format!("\r\n--{boundary}").as_bytes()).unwrap() + start;
    &raw[start..end]
}

fn header_names(parsed: &mail_parser::Message<'_>) -> Vec<String> {
    parsed
        .root_part()
        .headers()
        .iter()
        .map(|h| h.name().to_ascii_lowercase())
        .collect()
}

#[test]
fn the_spam_is_attached_byte_for_byte() {
    for (i, s) in SAMPLES.iter().enumerate() {
        for format in [Format::Eml, Format::Arf] {
            let (_, _, c) = compose(s, Side::Owner, format, false);
            let parsed = MessageParser::default().parse(&c.bytes).unwrap();
            // Redaction is on by default for eml (the sample names the reporter's
            // redacted address? only 0031 does); compare with what was meant to go.
            let canonical = mime::canonical(s).into_owned();
            let expected = if format == Format::Eml && !c.changes.is_empty() {
                redact::redact(&canonical, &reporter().redact, redact::REPLACEMENT).0
            } else {
                canonical
            };
            assert_eq!(attached(&c.bytes, &parsed), expected, "sample {i} {format:?}");
            let (enc, note) = encoding(&expected, false);
            assert_eq!(c.encoding, enc);
            assert_eq!(c.note, note);
            assert!(
                matches!(enc, "7bit" | "8bit" | "base64"),
                "never binary: no mail server is sure to carry it"
            );
        }
    }
}

#[test]
fn the_headers_are_exactly_the_intended_ones() {
    let (d, f, c) = compose(SAMPLES[0], Side::Owner, Format::Eml, false);
    let parsed = MessageParser::default().parse(&c.bytes).unwrap();
    let mut names = header_names(&parsed);
    names.sort();
    assert_eq!(
        names,
        vec![
            "auto-submitted",
            "content-type",
            "date",
            "from",
            "message-id",
            "mime-version",
            "subject",
            "to",
            "user-agent"
        ]
    );
    assert_eq!(parsed.subject(), Some(d.subject.as_str()));
    assert_eq!(
        d.subject,
        format!("Open Relay - {} - re: {}", f.relay_ip, f.spam_subject)
    );
    assert_eq!(
        parsed.from().unwrap().first().unwrap().address(),
        Some("jane@example.org")
    );
    assert_eq!(parsed.from().unwrap().first().unwrap().name(), Some("Jane Doe"));
    let to: Vec<&str> = parsed.to().unwrap().iter().filter_map(|a| a.address()).collect();
    assert_eq!(to, vec!["abuse@saks.com.pa"], "only the pre-selected contact");
    assert_eq!(parsed.message_id(), Some("relaytrace.1@example.org"));
    assert_eq!(parsed.header_raw("Auto-Submitted").map(str::trim), Some("no"));
    assert!(parsed.header_raw("User-Agent").unwrap().contains("relaytrace/"));
    assert_eq!(parsed.date().unwrap().to_timestamp(), 1_700_000_000);
    // The text part carries the filled template.
    let body = parsed.body_text(0).unwrap();
    assert!(body.contains("To the people who run Saks Panama"), "{body}");
    assert!(body.contains("216.201.75.12") && body.contains("zen.spamhaus.org lists 216.201.75.12"));
    assert!(
        body.contains("Received: from sbsmail.saks.com.pa"),
        "the evidence lines: {body}"
    );
    assert!(!body.contains("{{"));
}

#[test]
fn arf_structure() {
    let (d, _, c) = compose(SAMPLES[0], Side::Isp, Format::Arf, false);
    assert!(!d.redact, "redaction is off by default for ARF");
    let parsed = MessageParser::default().parse(&c.bytes).unwrap();
    let ct = parsed.root_part().content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("multipart", Some("report")));
    assert_eq!(ct.attribute("report-type"), Some("feedback-report"));
    let kinds: Vec<String> = parsed.parts[1..]
        .iter()
        .filter_map(|p| {
            p.content_type()
                .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")))
        })
        .collect();
    assert_eq!(
        &kinds[..3],
        &["text/plain", "message/feedback-report", "message/rfc822"]
    );
    let report =
        String::from_utf8(part_bytes(&c.bytes, &parsed, "message/feedback-report").to_vec()).unwrap();
    for line in [
        "Feedback-Type: abuse",
        "Version: 1",
        "Source-IP: 216.201.75.12",
        "User-Agent: relaytrace/",
        "Reported-Domain: saks.com.pa",
    ] {
        assert!(report.contains(line), "{line} missing: {report}");
    }
    assert!(
        report.contains("Arrival-Date: Fri, 23 Aug 2002 12:21:07 +0100"),
        "{report}"
    );
    assert_eq!(
        part_bytes(&c.bytes, &parsed, "message/rfc822"),
        mime::canonical(SAMPLES[0]).as_ref()
    );
    assert_eq!(
        parsed.to().unwrap().first().unwrap().address(),
        Some("abuse@cwpanama.net"),
        "the ISP's only contact"
    );
}

#[test]
fn source_port_from_a_received_line() {
    assert_eq!(
        facts_port("from x ([192.0.2.1]:50024) by y", "192.0.2.1"),
        Some(50024)
    );
    assert_eq!(facts_port("from x (192.0.2.1:25) by y", "192.0.2.1"), Some(25));
    assert_eq!(facts_port("from x ([192.0.2.1]) by y", "192.0.2.1"), None);
    // No sender address: no port, and no endless search for the empty string.
    assert_eq!(facts_port("from a by b", ""), None);
}

fn facts_port(raw: &str, ip: &str) -> Option<u16> {
    super::source_port(raw, ip)
}

#[test]
fn inline_quote_and_text_format() {
    let (_, _, c) = compose(SAMPLES[0], Side::Owner, Format::Eml, true);
    let parsed = MessageParser::default().parse(&c.bytes).unwrap();
    let body = parsed.body_text(0).unwrap();
    assert!(
        body.contains("----- The spam, in full -----") && body.contains("> Received: "),
        "{body}"
    );
    let (_, _, t) = compose(SAMPLES[0], Side::Owner, Format::Text, false);
    let text = String::from_utf8(t.bytes).unwrap();
    assert!(text.starts_with(
        "To: abuse@saks.com.pa\nFrom: Jane Doe <jane@example.org>\nSubject: Open Relay - 216.201.75.12 - re: "
    ));
    assert!(text.contains("> Subject: "));
}

#[test]
fn redaction_replaces_the_reporters_addresses_and_says_where() {
    let (d, _, c) = compose(SAMPLES[0], Side::Owner, Format::Eml, false);
    assert!(d.redact);
    assert!(!c.changes.is_empty(), "the sample names webmaster@efi.ie");
    let parsed = MessageParser::default().parse(&c.bytes).unwrap();
    let att = part_bytes(&c.bytes, &parsed, "message/rfc822");
    assert!(memchr::memmem::find(&att.to_ascii_lowercase(), b"webmaster@efi.ie").is_none());
    for ch in &c.changes {
        assert!(
            ch.before.to_ascii_lowercase().contains("webmaster@efi.ie")
                && ch.after.contains(redact::REPLACEMENT)
        );
    }
}

#[test]
fn templates_placeholders_and_errors() {
    let f = Facts {
        org: "O".into(),
        relay_ip: "192.0.2.1".into(),
        ..Facts::default()
    };
    for side in [Side::Owner, Side::Isp] {
        let filled = fill(default_template(side), &f).unwrap();
        assert!(!filled.contains("{{") && !filled.contains("}}"), "{filled}");
    }
    assert_eq!(fill("a {{ org }} b", &f).unwrap(), "a O b");
    assert_eq!(
        fill("{{nope}}", &f),
        Err(ComposeError::UnknownPlaceholder("nope".into()))
    );
    let d = Draft {
        side: Side::Isp,
        to: vec![],
        subject: "s".into(),
        body: "b".into(),
        format: Format::Eml,
        quote_inline: false,
        redact: false,
        about: String::new(),
        edited: false,
        headers_only: false,
    };
    assert_eq!(
        build(&d, &f, b"x", &reporter(), 0, "i@x", false).unwrap_err(),
        ComposeError::NoRecipient("ISP")
    );
    let d = Draft {
        to: vec!["not an address\r\nBcc: x@y.z".into()],
        ..d
    };
    assert!(matches!(
        build(&d, &f, b"x", &reporter(), 0, "i@x", false).unwrap_err(),
        ComposeError::BadAddress(_)
    ));
    let d = Draft {
        to: vec!["a@b.test".into()],
        ..d
    };
    assert_eq!(
        build(&d, &f, b"x", &Reporter::default(), 0, "i@x", false).unwrap_err(),
        ComposeError::NoReporter
    );
}

/// Subjects that try to inject headers: encoded CR/LF, NULs, overlong, 8-bit.
const HOSTILE: &[&str] = &[
    "=?utf-8?b?aGVsbG8NCkJjYzogdmljdGltQGV4YW1wbGUuY29t?=",
    "=?iso-8859-1?q?a=0D=0ABcc:_x@y.z?=",
    "cheap\r\nBcc: victim@example.com",
    "nul\0byte\0Bcc: x@y.z",
    "Ünïcödé ǅ 日本語 \u{202e}evil",
];

fn with_subject(subject: &str) -> Vec<u8> {
    let mut m = format!("Received: from a (a [192.0.2.1]) by b; Mon, 1 Jan 2024 10:00:00 +0000\r\nSubject: {subject}\r\nFrom: x@y.example\r\n\r\nbody\r\n").into_bytes();
    m.extend_from_slice(b"");
    m
}

fn assert_single_subject(original: &[u8]) {
    for format in [Format::Eml, Format::Arf, Format::Text] {
        let (d, _, c) = compose(original, Side::Owner, format, false);
        let parsed = MessageParser::default().parse(&c.bytes).unwrap();
        let names = header_names(&parsed);
        assert_eq!(names.iter().filter(|n| *n == "subject").count(), 1, "{format:?}");
        assert!(
            !names.iter().any(|n| n == "bcc" || n == "cc"),
            "{format:?}: {names:?}"
        );
        let subject = parsed.subject().unwrap_or("");
        assert!(!subject.chars().any(char::is_control), "{subject:?}");
        assert_eq!(subject, d.subject);
        // Every header line we wrote is 998 octets at most and ends in CRLF.
        let head_end = memchr::memmem::find(&c.bytes, b"\r\n\r\n").unwrap_or(c.bytes.len());
        if format != Format::Text {
            for line in c.bytes[..head_end].split(|&b| b == b'\n') {
                assert!(line.len() <= 998);
                assert!(
                    line.is_empty()
                        || line.ends_with(b"\r")
                        || line == &c.bytes[..head_end][c.bytes[..head_end].len() - line.len()..]
                );
                assert!(!line.contains(&0));
            }
        }
    }
}

#[test]
fn hostile_subjects_cannot_inject_headers() {
    for s in HOSTILE {
        assert_single_subject(&with_subject(s));
    }
    assert_single_subject(&with_subject(&"overlong subject ".repeat(400)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn mutated_subjects_cannot_inject_headers(which in 0..HOSTILE.len(), edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..12)) {
        let mut s = HOSTILE[which].as_bytes().to_vec();
        for (pos, b) in edits {
            let i = pos % (s.len() + 1);
            s.insert(i, b);
        }
        let subject = String::from_utf8_lossy(&s).replace(['\r', '\n'], " ");
        assert_single_subject(&with_subject(&subject));
    }

    #[test]
    fn any_original_is_attached_intact(body in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let mut m = b"Received: from a (a [192.0.2.1]) by b; Mon, 1 Jan 2024 10:00:00 +0000\r\nSubject: t\r\n\r\n".to_vec();
        m.extend_from_slice(&body);
        for format in [Format::Eml, Format::Arf] {
            let msg = Reader::new(m.as_slice()).next().unwrap().unwrap();
            let t = analyse(&msg, &Options::default());
            let f = facts(&t, 0, None, &reporter());
            let mut d = draft(Side::Owner, &f, default_template(Side::Owner), &[contact("abuse@x.test", true)], format, false).unwrap();
            d.redact = false;
            let canonical = mime::canonical(&m).into_owned();
            let c = build(&d, &f, &canonical, &reporter(), 1, "a@b", false).unwrap();
            let parsed = MessageParser::default().parse(&c.bytes).unwrap();
            prop_assert_eq!(attached(&c.bytes, &parsed), canonical.clone());
            // Mail carries it: no line over 998 octets, no bare LF, no NUL outside base64.
            for line in c.bytes.split(|&b| b == b'\n') {
                prop_assert!(line.len() <= 999);
            }
        }
    }
}

/// Every class's template, rendered for the bundled open-relay sample as if the
/// analysis had read that class: what an abuse desk would read.
#[test]
fn every_class_template_rendered() {
    let msg = Reader::new(SAMPLES[0]).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    let hop = t.input_point.unwrap();
    let l = lookup();
    for class in crate::trace::entry::Class::ALL {
        for side in [Side::Owner, Side::Isp] {
            let mut f = facts(&t, hop, Some(&l), &reporter());
            f.class = class;
            let text = match super::builtin(class, side) {
                Ok(tpl) => format!("Subject: {}\n\n{}", super::subject(&f), fill(tpl, &f).unwrap()),
                Err(why) => format!("(no complaint) {why}"),
            };
            assert!(!text.contains("{{"), "{text}");
            if class != crate::trace::entry::Class::OpenRelay && !text.starts_with("(no") {
                assert!(!text.contains("Open Relay"), "{class:?} {side:?}: {text}");
            }
            insta::assert_snapshot!(format!("template_{}_{}", class.name(), side.word()), text);
        }
    }
}

/// The signature's two lines stay two lines (issue 13), whatever the template's line
/// ends and however long a value made the lines around them; a long line is wrapped
/// on its own.
#[test]
fn the_signature_lines_are_never_merged() {
    for ends in ["\n", "\r\n"] {
        let t = [
            "A line that a long value made much longer than seventy-two columns, far too long to send.",
            "",
            "Thank you.",
            "",
            "Pat Postmaster",
            "postmaster@example.net",
        ]
        .join(ends);
        let r = reflow(&t, 72);
        assert!(r.ends_with("\n\nPat Postmaster\npostmaster@example.net"), "{r:?}");
        assert!(r.lines().all(|l| l.chars().count() <= 72), "{r:?}");
        assert!(!r.contains('\r'), "{r:?}");
    }
    // Indented evidence lines are left whole.
    let long = format!("  Received: {}", "x".repeat(100));
    assert_eq!(reflow(&long, 72), long);
}

/// A relay known only by its address is "no host name", not the address twice
/// ("200.173.221.83 (200.173.221.83)", issue 13.8).
#[test]
fn a_relay_named_by_its_address_is_not_named_twice() {
    let raw = b"Received: from [200.173.221.83] (200.173.221.83) by mx.example.net with SMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000\nSubject: x\n\nbody\n";
    let msg = Reader::new(&raw[..]).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    let f = facts(&t, 0, None, &reporter());
    assert_eq!(f.relay_ip, "200.173.221.83");
    assert_eq!(f.relay_host, "no host name");
}

/// With no record naming the owner, the ISP's letter says "a customer of yours",
/// not "your customer the network of … on your network" (issue 13.8).
#[test]
fn an_unnamed_owner_reads_as_a_customer_of_yours() {
    let msg = Reader::new(SAMPLES[0]).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    let hop = t.input_point.unwrap();
    let f = facts(&t, hop, None, &reporter());
    for class in [
        crate::trace::entry::Class::OpenRelay,
        crate::trace::entry::Class::SpammerHost,
    ] {
        let text = fill(super::builtin(class, Side::Isp).unwrap(), &f)
            .unwrap()
            .replace('\n', " ");
        assert!(text.contains("a customer of yours"), "{text}");
        assert!(!text.contains("your customer the network of"), "{text}");
    }
}

/// A spam with a 1500-octet line, its facts and its owner draft.
fn long_lined() -> (Vec<u8>, Facts, Draft) {
    let mut spam =
        b"Received: from a (a [192.0.2.1]) by b; Mon, 1 Jan 2024 10:00:00 +0000\nSubject: long\n\n".to_vec();
    spam.extend(std::iter::repeat_n(b'x', 1500));
    spam.extend_from_slice(b"\nend\n");
    let msg = Reader::new(&spam[..]).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    let f = facts(&t, 0, None, &reporter());
    let d = draft(
        Side::Owner,
        &f,
        default_template(Side::Owner),
        &[contact("abuse@x.test", true)],
        Format::Eml,
        false,
    )
    .unwrap();
    (spam, f, d)
}

/// Lines over 998 octets (issue 13.2, `craft-krnic.eml`): never `binary` over
/// plain DATA; the spam goes as a base64 file that holds every byte, and the
/// preview and the dialog say why. One line ending throughout the message: CRLF
/// for mail, LF when written as stored from an LF spam.
#[test]
fn long_lines_go_as_a_file_and_one_line_ending_is_used() {
    let (spam, f, d) = long_lined();
    for line_ends in [LineEnds::Crlf, LineEnds::AsStored] {
        let c = Complaint::build(
            &f,
            &Choices {
                draft: &d,
                original: &spam,
                reporter: &reporter(),
                now: 1,
                salt: 1,
                line_ends,
                binary: false,
            },
        )
        .unwrap();
        assert_eq!(c.encoding, "base64");
        assert!(
            c.note.as_deref().unwrap().contains("lines over 998 octets"),
            "{:?}",
            c.note
        );
        let parsed = MessageParser::default().parse(&c.bytes).unwrap();
        let back = attached(&c.bytes, &parsed);
        assert_eq!(back, mime::canonical(&spam).as_ref(), "every byte, canonical");
        assert!(
            c.bytes.split(|&b| b == b'\n').all(|l| l.len() <= 999),
            "no line over 998 octets"
        );
    }
    // A short-lined LF spam written as stored: LF throughout, no CR anywhere.
    let short = SAMPLES[0];
    assert!(!short.contains(&b'\r'));
    let msg = Reader::new(short).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    let f = facts(&t, t.input_point.unwrap(), None, &reporter());
    let d = draft(
        Side::Owner,
        &f,
        default_template(Side::Owner),
        &[contact("abuse@x.test", true)],
        Format::Eml,
        false,
    )
    .unwrap();
    let as_stored = |line_ends| {
        Complaint::build(
            &f,
            &Choices {
                draft: &d,
                original: short,
                reporter: &reporter(),
                now: 1,
                salt: 1,
                line_ends,
                binary: false,
            },
        )
        .unwrap()
    };
    let lf = as_stored(LineEnds::AsStored);
    assert!(!lf.bytes.contains(&b'\r'), "LF throughout");
    assert!(matches!(lf.encoding, "7bit" | "8bit"));
    let crlf = as_stored(LineEnds::Crlf);
    assert!(
        crlf.bytes
            .iter()
            .enumerate()
            .all(|(i, &b)| b != b'\n' || (i > 0 && crlf.bytes[i - 1] == b'\r')),
        "CRLF throughout"
    );
}

/// For a server that takes BINARYMIME by BDAT, the spam with long lines is
/// attached unchanged, as binary (issue 13.2).
#[test]
fn long_lines_go_unchanged_as_binary_for_bdat() {
    let (spam, f, d) = long_lined();
    let c = Complaint::build(
        &f,
        &Choices {
            draft: &d,
            original: &spam,
            reporter: &reporter(),
            now: 1,
            salt: 1,
            line_ends: LineEnds::Crlf,
            binary: true,
        },
    )
    .unwrap();
    assert_eq!(c.encoding, "binary");
    assert!(c.note.as_deref().unwrap().contains("by BDAT"), "{:?}", c.note);
    let parsed = MessageParser::default().parse(&c.bytes).unwrap();
    assert_eq!(attached(&c.bytes, &parsed), mime::canonical(&spam).as_ref());
    assert!(
        c.bytes.split(|&b| b == b'\n').any(|l| l.len() > 1000),
        "the long line goes as it is"
    );
}

/// An account's second complaint goes to the submitting client's network: its
/// lookup's owner desk (else its ISP's), never the entry's ISP; the summary names
/// that network.
#[test]
fn an_accounts_second_party_is_the_clients_network() {
    let raw = b"Received: from smtp.provider.net (smtp.provider.net [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\r\n\
Received: from laptop (host.isp.net [200.161.145.77]) by smtp.provider.net with ESMTPSA id C; Mon, 1 Mar 2004 10:00:00 +0000\r\n\
Subject: x\r\n\r\nbody\r\n";
    let msg = Reader::new(&raw[..]).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    assert_eq!(t.entry.class, Class::CompromisedAccount);
    let entry = lookup();
    let mut client = Lookup {
        evidence: Evidence::new("200.161.145.77".parse().unwrap()),
        attribution: Attribution {
            owner: Some("Example Telecom".into()),
            network: Some(crate::lookup::attribute::Network {
                cidr: Some("200.161.144.0/20".into()),
                ..crate::lookup::attribute::Network::default()
            }),
            owner_contacts: vec![contact("abuse@telecom.example", true)],
            isp_contacts: vec![contact("abuse@upstream.example", true)],
            ..Attribution::default()
        },
    };
    let class = t.entry.class;
    let to = |side, client: Option<&Lookup>| {
        contacts_for(side, class, Some(&entry), client, Some("abuse@provider.example"))
            .iter()
            .map(|c| c.email.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        to(Side::Owner, Some(&client)),
        ["abuse@saks.com.pa", "noc@saks.com.pa"]
    );
    assert_eq!(to(Side::Isp, Some(&client)), ["abuse@telecom.example"]);
    assert!(to(Side::Isp, None).is_empty(), "not the entry's ISP");
    // An open relay's ISP is the entry's ISP, whatever a client lookup says.
    assert_eq!(
        contacts_for(Side::Isp, Class::OpenRelay, Some(&entry), Some(&client), None)[0].email,
        "abuse@cwpanama.net"
    );

    let mut f = facts(&t, 0, Some(&entry), &reporter());
    add_client(&mut f, &client);
    assert_eq!(f.client_network, "200.161.144.0/20 (Example Telecom)");
    let tpl = builtin(Class::CompromisedAccount, Side::Isp).unwrap();
    let text = fill(tpl, &f).unwrap();
    assert!(text.contains("Client-IP:    200.161.145.77"), "{text}");
    assert!(
        text.contains("Client-Net:   200.161.144.0/20 (Example Telecom)"),
        "{text}"
    );
    // The client network's desk gets the time of the login, not of the hand-off to us.
    assert!(
        text.contains("Submitted:    2004-03-01 10:00:00 UTC (recorded by smtp.provider.net)"),
        "{text}"
    );
    assert!(
        text.contains("On 2004-03-01 10:00:00 UTC, a mail client at 200.161.145.77"),
        "{text}"
    );

    // No owner desk: the client network's ISP; a lookup of another address adds nothing.
    client.attribution.owner_contacts.clear();
    assert_eq!(to(Side::Isp, Some(&client)), ["abuse@upstream.example"]);
    let mut g = facts(&t, 0, Some(&entry), &reporter());
    add_client(&mut g, &entry);
    assert_eq!(g.client_network, "");
}

/// The evidence goes down to the line that records the submitting client, and the
/// `X-Originating-IP` pseudo-hop is quoted as the header field it is.
#[test]
fn the_evidence_reaches_the_clients_line() {
    let head = "Received: from out.univ.edu (out.univ.edu [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\r\n\
                Received: from [127.0.0.1] by webmail.univ.edu (Horde) with HTTP; Mon, 1 Mar 2004 10:00:00 +0000\r\n";
    let forged = |n: usize| -> String {
        let mut s = String::new();
        for i in 0..n {
            let _ = write!(
                s,
                "Received: from a{i} (a{i}.example.com [200.161.146.{i}]) by b.example.com with SMTP; Mon, 1 Mar 2004 09:00:00 +0000\r\n"
            );
        }
        s
    };
    for (below, expected) in [(0, 3), (3, 6), (12, 3)] {
        let raw = format!(
            "{head}{}X-Originating-IP: [200.161.145.5]\r\nSubject: x\r\n\r\nbody\r\n",
            forged(below)
        );
        let msg = Reader::new(raw.as_bytes()).next().unwrap().unwrap();
        let t = analyse(&msg, &Options::default());
        assert_eq!(t.entry.class, Class::Webmail, "{:?}", t.entry);
        assert_eq!(t.entry.client_hop, Some(2 + below));
        let f = facts(&t, 0, None, &reporter());
        assert_eq!(f.evidence.len(), expected, "{below}: {:#?}", f.evidence);
        assert_eq!(
            f.evidence.last().unwrap(),
            "X-Originating-IP: [200.161.145.5]",
            "{below}"
        );
        assert!(
            f.evidence[..expected - 1]
                .iter()
                .all(|l| l.starts_with("Received: "))
        );
        // X-Originating-IP has no date: the login is the provider's last line, not
        // one of the lines below it that anyone could have written.
        assert_eq!(f.submitted_on, "2004-03-01 10:00:00 UTC", "{below}");
        assert_eq!(f.submission_recorded_by, "webmail.univ.edu", "{below}");
    }
}

/// The provider's desk is told which account sent it, in the first lines and in
/// the summary.
#[test]
fn the_provider_is_told_the_account() {
    let raw = b"Received: from smtp.provider.net (smtp.provider.net [81.2.69.7]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\r\n\
Received: from laptop (host.isp.net [200.161.145.77])\r\n\t(Authenticated sender: jdoe@provider.net)\r\n\tby smtp.provider.net (Postfix) with ESMTPSA id C; Mon, 1 Mar 2004 10:00:00 +0000\r\n\
Subject: x\r\n\r\nbody\r\n";
    let msg = Reader::new(&raw[..]).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    let f = facts(&t, 0, None, &reporter());
    let text = fill(builtin(Class::CompromisedAccount, Side::Owner).unwrap(), &f).unwrap();
    let one = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        one.contains("The header shows an authenticated submission by the account jdoe@provider.net from 200.161.145.77."),
        "{text}"
    );
    assert!(
        text.contains("  Account:      jdoe@provider.net (Authenticated sender, hop 1)"),
        "{text}"
    );

    // An ESP gets the fields in which it names its customer and campaign.
    let esp = b"Received: from o1.sendgrid.net (o1.sendgrid.net [167.89.0.1]) by mx.example.org with ESMTP id B; Mon, 1 Mar 2004 10:00:05 +0000\r\n\
X-SG-EID: abc123\r\nFeedback-ID: 123:456:sendgrid\r\nSubject: x\r\n\r\nbody\r\n";
    let msg = Reader::new(&esp[..]).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    let f = facts(&t, 0, None, &reporter());
    let text = fill(builtin(Class::Esp, Side::Owner).unwrap(), &f).unwrap();
    assert!(
        text.contains("  Provider-IDs: X-SG-EID: abc123; Feedback-ID: 123:456:sendgrid"),
        "{text}"
    );
}

/// A provider's own desk, named in its header in its own domain, is the one
/// pre-selected for an ESP or free mail; the network its servers sit on stays a
/// suggestion, and other classes never take it.
#[test]
fn the_providers_own_desk_comes_first() {
    let entry = lookup();
    let desk = Some("abuse@getresponse.com");
    let esp = contacts_for(Side::Owner, Class::Esp, Some(&entry), None, desk);
    let shown: Vec<(&str, bool)> = esp.iter().map(|c| (c.email.as_str(), c.preselect)).collect();
    assert_eq!(
        shown,
        [
            ("abuse@getresponse.com", true),
            ("abuse@saks.com.pa", false),
            ("noc@saks.com.pa", false)
        ]
    );
    assert_eq!(esp[0].source, Source::Header);
    assert_eq!(addressees(&esp), ["abuse@getresponse.com"]);
    // The ISP side, and an open relay's owner, never.
    assert_eq!(
        contacts_for(Side::Isp, Class::Esp, Some(&entry), None, desk)[0].email,
        "abuse@cwpanama.net"
    );
    assert_eq!(
        contacts_for(Side::Owner, Class::OpenRelay, Some(&entry), None, desk)[0].email,
        "abuse@saks.com.pa"
    );
    // Named by the lookup as well: once.
    let same = contacts_for(
        Side::Owner,
        Class::Esp,
        Some(&entry),
        None,
        Some("ABUSE@saks.com.pa"),
    );
    assert_eq!(same.len(), 2);
}

/// Issue 22 rule 9: the Queue-ID quoted is the complained-about server's own, from
/// the line it wrote, labelled; Exchange's build number is no queue id, and the
/// receiver's id on the input point's line is the receiver's.
#[test]
fn the_queue_id_is_the_partys_own() {
    let msg = |relay_line: &str| {
        format!(
            "Received: from relay.example.net (relay.example.net [80.80.80.10]) by mx.site.test with ESMTP id SITE1; Mon, 2 Nov 2026 10:00:05 +0000\n\
Received: {relay_line}\nSubject: x\n\nbody\n"
        )
    };
    let queue = |m: &str| {
        let msg = crate::message::Reader::new(m.as_bytes()).next().unwrap().unwrap();
        let mut site = crate::trace::Site::default();
        site.add("site.test").unwrap();
        let t = analyse(
            &msg,
            &Options {
                site,
                ..Options::default()
            },
        );
        super::own_queue_id(&t, t.input_point.unwrap())
    };
    let sendmail = msg(
        "from bogus.example (dsl-81-81-81-4.dyn.isp.example [81.81.81.4]) by relay.example.net with SMTP id R1QUEUE; Mon, 2 Nov 2026 10:00:01 +0000",
    );
    assert_eq!(queue(&sendmail), "R1QUEUE (written by relay.example.net, hop 1)");
    let exchange = msg(
        "from User (81.81.81.4) by relay.example.net (10.216.131.11) with Microsoft SMTP Server id 15.2.1258.12; Mon, 2 Nov 2026 10:00:01 +0000",
    );
    assert_eq!(queue(&exchange), "");
    // A line the relay did not write gives nothing, never the site's SITE1.
    let other = msg(
        "from bogus.example (dsl-81-81-81-4.dyn.isp.example [81.81.81.4]) by elsewhere.example.org with SMTP id X9; Mon, 2 Nov 2026 10:00:01 +0000",
    );
    assert!(!queue(&other).contains("SITE1"));
}
