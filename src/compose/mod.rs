//! Complaints (pure): the facts of the investigation, a template filled with them, and
//! the message built around the spam forwarded whole — a `message/rfc822` attachment
//! byte for byte, optionally quoted inline, or an ARF report (RFC 5965). Nothing of
//! the spam can reach a header line we write unescaped.

pub mod mime;
pub mod redact;
pub mod stream;

use std::fmt::Write as _;

use crate::config::{Compose, Reporter};
use crate::lookup::Lookup;
use crate::lookup::contact::{Contact, is_email};
use crate::sanitize::clip;
use crate::trace::entry::Class;
use crate::trace::{Trace, names};

/// Who a complaint goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Owner,
    Isp,
}

impl Side {
    /// The side's name in files and JSON (`owner`, `isp`).
    pub fn name(self) -> &'static str {
        match self {
            Side::Owner => "owner",
            Side::Isp => "isp",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Side::Owner => "owner",
            Side::Isp => "ISP",
        }
    }
}

/// The shape of the composed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A MIME message with the spam attached as `message/rfc822` (for `sendmail -t`).
    Eml,
    /// Plain text with the spam quoted, for web forms and the clipboard.
    Text,
    /// An abuse report in the Abuse Reporting Format (RFC 5965).
    Arf,
}

/// Why a complaint cannot be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ComposeError {
    #[error("no recipient: no {0} contact was found; add one")]
    NoRecipient(&'static str),
    #[error("{0:?} is not an e-mail address")]
    BadAddress(String),
    #[error("set your name and address in the configuration's [reporter] section")]
    NoReporter,
    #[error("the template uses {{{{{0}}}}}, which relaytrace does not know")]
    UnknownPlaceholder(String),
    #[error("cannot read the template {path}: {why}")]
    Template { path: String, why: String },
}

/// What the templates can say, read from the investigation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub org: String,
    /// How the ISP's letter names the owner: "your customer <org>", or "a customer
    /// of yours" when no record names it.
    pub customer: String,
    pub isp: String,
    pub relay_ip: String,
    pub relay_host: String,
    pub input_point: String,
    pub spam_subject: String,
    pub spam_date: String,
    /// The Received lines that show the relaying, newest first, unfolded.
    pub evidence: Vec<String>,
    /// DNSBL listings of the relay.
    pub dnsbl: Vec<String>,
    pub reporter_name: String,
    pub reporter_address: String,
    /// For ARF: when the site received it, the relay's domain, its source port.
    pub arrival_date: Option<String>,
    pub reported_domain: Option<String>,
    pub source_port: Option<u16>,
    /// How the spam got in: the templates and the subject follow it.
    pub class: Class,
    /// When the responsible host handed the spam on, in UTC, from the Received line
    /// that recorded it (never the spam's own Date).
    pub handed_on: String,
    /// Who wrote that line, its queue id, and the `for` recipient it shows.
    pub recorded_by: String,
    pub queue_id: String,
    pub recipient: String,
    pub message_id: String,
    /// The client that submitted it (account classes), the known provider.
    pub client_ip: String,
    /// The client's network, from the lookup of its hop: "203.0.113.0/24 (Example
    /// Telecom)".
    pub client_network: String,
    /// When the client submitted it, in UTC, from the Received line the provider
    /// wrote for it (the time the client network's logs answer for); else the
    /// hand-off time.
    pub submitted_on: String,
    /// Who recorded the submission, for the summary ("" without a client line).
    pub submission_recorded_by: String,
    /// The account the provider recorded as the submitter, and where ("" when
    /// none): the first thing a provider's desk needs to close it.
    pub account: String,
    /// The fields in which the provider names the customer, campaign or message.
    pub provider_ids: Vec<String>,
    pub provider: String,
    /// What the header shows about the submission, in words.
    pub submission: String,
    /// A sentence about the spam's age when it is old.
    pub age_note: String,
    /// A DKIM signature that verified: "d=example.com (s=sel), verified on
    /// 2026-11-30".
    pub dkim_verified: String,
    /// Its domain when it names who is responsible (free mail, ESP, account
    /// classes).
    pub signer: String,
    /// The site's own Authentication-Results: "mx.example.net: dkim=pass …".
    pub site_results: String,
    /// For ARF: the site's own `Authentication-Results` value.
    pub site_results_field: Option<String>,
    /// The open-relay test of the relay, in one line, and its transcript.
    pub relay_test: String,
    pub relay_test_transcript: Vec<String>,
}

/// Adds the open-relay test of the relay: its verdict, when, what it accepted, and
/// the transcript (no DATA was ever sent).
pub fn add_relay_test(f: &mut Facts, t: &crate::lookup::relaytest::RelayTest) {
    if t.ip.to_string() != f.relay_ip {
        return;
    }
    let when = t.time.get(..19).unwrap_or(&t.time).replace('T', " ");
    f.relay_test = clip(
        &format!(
            "{} at {when} UTC (port {}): {}",
            t.verdict.word(),
            t.port,
            t.reason
        ),
        400,
    );
    f.relay_test_transcript = t.transcript.iter().take(80).map(|l| clip(l, 300)).collect();
}

/// Adds what the message's authentication shows: a verified DKIM signature (the
/// copy is unaltered; for the provider and account classes its domain is the
/// party responsible) and the site's own Authentication-Results.
pub fn add_auth(f: &mut Facts, a: &crate::auth::Auth) {
    if let Some(s) = crate::auth::responsible(a) {
        let day = a.checked.as_deref().and_then(|c| c.get(..10)).unwrap_or("");
        f.dkim_verified = clip(
            &format!("d={} (s={}), verified on {day}", s.domain, s.selector),
            200,
        );
        if matches!(
            f.class,
            Class::Freemail | Class::Esp | Class::Webmail | Class::CompromisedAccount
        ) {
            f.signer = clip(&s.domain, 200);
        }
    }
    if let Some(r) = a.authentication_results.iter().find(|r| r.trusted) {
        f.site_results = clip(&format!("{}: {}", r.authserv_id, r.methods.join("; ")), 400);
        f.site_results_field = Some(clip(&r.text, 900));
    }
}

/// A Received line as one line of text (folding undone, controls escaped).
fn one_line(raw: &str) -> String {
    clip(&raw.split_whitespace().collect::<Vec<_>>().join(" "), 1000)
}

/// The source port recorded for `ip` in a Received line (`[ip]:port`, `ip:port`, `ip.port`).
fn source_port(raw: &str, ip: &str) -> Option<u16> {
    if ip.is_empty() {
        return None;
    }
    let mut rest = raw;
    while let Some(pos) = rest.find(ip) {
        let after = &rest[pos + ip.len()..];
        let after = after.strip_prefix(']').unwrap_or(after);
        if let Some(digits) = after.strip_prefix(':') {
            let n: String = digits.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(p) = n.parse::<u16>()
                && p > 0
            {
                return Some(p);
            }
        }
        rest = &rest[pos + ip.len()..];
    }
    None
}

/// How far below the entry the evidence goes on, line by line, to reach the line
/// that records the submitting client.
const EVIDENCE_LINES_TO_CLIENT: usize = 8;

/// The facts for a complaint about the relay at `hop` (the input point).
pub fn facts(trace: &Trace, hop: usize, lookup: Option<&Lookup>, reporter: &Reporter) -> Facts {
    let mut f = Facts {
        spam_subject: clip(trace.subject.as_deref().unwrap_or("(no subject)"), 200),
        spam_date: trace.date.clone().unwrap_or_else(|| "(no date)".into()),
        reporter_name: clip(&reporter.name, 100),
        reporter_address: clip(&reporter.address, 200),
        ..Facts::default()
    };
    let Some(h) = trace.hops.get(hop) else { return f };
    let ip = h.from_ip.map(|i| i.to_string()).unwrap_or_default();
    f.relay_ip.clone_from(&ip);
    let verified_name = lookup
        .filter(|l| l.fcrdns() == Some(true))
        .and_then(|l| l.rdns().first().cloned());
    // A "name" that is only an address (`[200.173.221.83]`) names nothing: the
    // complaint would say the address twice.
    let a_name = |n: &String| {
        n.trim_matches(['[', ']'])
            .trim_start_matches("IPv6:")
            .parse::<std::net::IpAddr>()
            .is_err()
    };
    f.relay_host = clip(
        &verified_name
            .filter(a_name)
            .or_else(|| h.from_rdns.clone().filter(a_name))
            .or_else(|| {
                h.from_helo
                    .clone()
                    .filter(a_name)
                    .map(|helo| format!("calling itself {helo}"))
            })
            .map_or_else(|| "no host name".into(), |h| h.trim_end_matches('.').to_string()),
        200,
    );
    let relay = trace.relay;
    f.input_point = match relay {
        Some(r) if r == hop => format!("it handed the spam to my mail server (Received line {hop})"),
        Some(r) => format!(
            "Received line {hop}; it handed the spam on to {} more relay(s) before my mail server",
            hop.saturating_sub(r)
        ),
        None => format!("Received line {hop}"),
    };
    f.evidence = evidence(trace, hop, reporter);
    f.arrival_date = trace
        .hops
        .get(relay.unwrap_or(hop))
        .and_then(|h| h.fields.date.map(|d| d.to_rfc5322()));
    f.source_port = source_port(&h.raw, &ip);
    f.class = trace.entry.class;
    if let Some(d) = h.fields.date {
        f.handed_on = utc(d.epoch);
    } else {
        f.handed_on = "(the Received line has no date)".into();
    }
    line_facts(&mut f, trace, hop, reporter);
    if trace.entry.hop == Some(hop) {
        entry_facts(&mut f, trace, hop);
    }
    if let Some(l) = lookup {
        lookup_facts(&mut f, l, &ip);
    }
    f.customer = if f.org.is_empty() {
        "a customer of yours".into()
    } else {
        format!("your customer {}", f.org)
    };
    if f.org.is_empty() {
        f.org = format!("the network of {ip}");
    }
    if f.isp.is_empty() {
        f.isp = format!("the provider of {ip}");
    }
    if f.provider.is_empty() {
        f.provider.clone_from(&f.org);
    }
    if f.client_ip.is_empty() {
        f.client_ip = "(not recorded)".into();
    }
    if f.submitted_on.is_empty() {
        f.submitted_on.clone_from(&f.handed_on);
    }
    f
}

/// What the entry says, for complaints about its own hop: the client, the
/// provider, the account, the provider's fields, and when the client submitted it.
fn entry_facts(f: &mut Facts, trace: &Trace, hop: usize) {
    f.client_ip = trace.entry.client.map(|c| c.to_string()).unwrap_or_default();
    f.provider = clip(trace.entry.provider.as_deref().unwrap_or(""), 100);
    f.submission = submission_words(&trace.entry);
    f.account = clip(trace.entry.account.as_deref().unwrap_or(""), 200);
    f.provider_ids.clone_from(&trace.entry.ids);
    // The client's line, or (an X-Originating-IP has no date) the provider's
    // last dated line: its own lines go down through its internal hops.
    let client = trace.entry.client;
    if let Some(c) = trace.entry.client_hop
        && let Some((d, by)) = trace
            .hops
            .get(hop + 1..=c)
            .unwrap_or_default()
            .iter()
            .take_while(|h| {
                h.from_ip
                    .is_none_or(|ip| Some(ip) == client || crate::trace::entry::internal(ip))
            })
            .filter(|h| h.kind != crate::received::Kind::Originating)
            .last()
            .and_then(|h| Some((h.fields.date?, h.by.as_deref())))
    {
        f.submitted_on = utc(d.epoch);
        f.submission_recorded_by = clip(by.unwrap_or("?"), 200);
    }
}

/// The Received lines that show the relaying, newest first: from the hop where the
/// site received it down to the line the relay wrote (the reporter's addresses
/// redacted).
fn evidence(trace: &Trace, hop: usize, reporter: &Reporter) -> Vec<String> {
    let top = trace.relay.unwrap_or(hop).min(hop);
    let mut bottom = (hop + 1).min(trace.hops.len().saturating_sub(1));
    // An account's or webmail's submitting client: down to the line that records
    // it, the one its network's desk looks for (far below, that line alone).
    let mut client_line = None;
    if let Some(c) = trace.entry.client_hop.filter(|_| trace.entry.hop == Some(hop)) {
        if c <= hop + EVIDENCE_LINES_TO_CLIENT {
            bottom = bottom.max(c);
        } else {
            client_line = Some(c);
        }
    }
    // The reporter's own addresses do not go out in the evidence either.
    let with = reporter.redact_with.as_deref().unwrap_or(redact::REPLACEMENT);
    trace.hops[top..=bottom]
        .iter()
        .chain(client_line.and_then(|c| trace.hops.get(c)))
        .map(|h| {
            // The X-Originating-IP pseudo-hop is its own header field.
            let line = if h.kind == crate::received::Kind::Originating {
                one_line(&h.raw)
            } else {
                format!("Received: {}", one_line(&h.raw))
            };
            let (bytes, _) = redact::redact(line.as_bytes(), &reporter.redact, with);
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .collect()
}

/// The queue id of the complained-about party's own server (issue 22 rule 9): from
/// the first line below the input point that its host wrote (its `by` is the
/// host's name, address or operator), labelled with whose it is. Exchange's
/// server build number (`id 15.20.6631.29`) is no queue id; the receiver's id on
/// the input point's line is the receiver's, not the party's.
fn own_queue_id(trace: &Trace, hop: usize) -> String {
    let Some(h) = trace.hops.get(hop) else {
        return String::new();
    };
    let names_of_host: Vec<&str> = [h.from_rdns.as_deref(), h.from_helo.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let org = |n: &str| crate::trace::entry::org_of(n);
    let written_by_host = |by: &str| {
        names_of_host.iter().any(|n| names::same_host(n, by))
            || h.from_ip.is_some() && crate::received::parse_ip_token(by) == h.from_ip
            || names_of_host
                .iter()
                .any(|n| org(n).is_some() && org(n) == org(by))
    };
    trace
        .hops
        .iter()
        .skip(hop + 1)
        .take(6)
        .filter(|x| x.kind == crate::received::Kind::Transfer)
        .find_map(|x| {
            let by = x.by.as_deref().filter(|by| written_by_host(by))?;
            let id = x.id.as_deref().filter(|id| !is_build_number(id))?;
            Some(clip(&format!("{id} (written by {by}, hop {})", x.index), 200))
        })
        .unwrap_or_default()
}

/// `15.20.6631.29`: a Microsoft server's version, written where a queue id goes.
fn is_build_number(id: &str) -> bool {
    let parts: Vec<&str> = id.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// What the Received line the relay's receiver wrote says: who recorded it, its
/// queue id, the recipient (redacted like the forwarded copy), and the Message-ID.
fn line_facts(f: &mut Facts, trace: &Trace, hop: usize, reporter: &Reporter) {
    let Some(h) = trace.hops.get(hop) else { return };
    let with = reporter.redact_with.as_deref().unwrap_or(redact::REPLACEMENT);
    f.recorded_by = clip(h.by.as_deref().unwrap_or("?"), 200);
    f.queue_id = own_queue_id(trace, hop);
    f.recipient = clip(
        trace.hops[..=hop]
            .iter()
            .rev()
            .find_map(|x| x.for_.clone())
            .unwrap_or_default()
            .trim_matches(['<', '>']),
        200,
    );
    // The recipient is the reporter's own address as often as not: redacted like
    // the forwarded copy.
    if !f.recipient.is_empty() {
        let (bytes, _) = redact::redact(f.recipient.as_bytes(), &reporter.redact, with);
        f.recipient = String::from_utf8_lossy(&bytes).into_owned();
    }
    f.message_id = trace
        .message_id
        .as_deref()
        .map(|m| format!("<{}>", clip(m.trim_matches(['<', '>']), 200)))
        .unwrap_or_default();
}

/// What the lookups say: the owner, the ISP, the blocklists listing the address,
/// the domain of its name.
fn lookup_facts(f: &mut Facts, l: &Lookup, ip: &str) {
    f.org = clip(l.owner_name().unwrap_or(""), 200);
    f.isp = clip(l.isp_name().unwrap_or(""), 200);
    f.dnsbl = l
        .dnsbl()
        .iter()
        .filter(|b| b.listed)
        .map(|b| {
            format!(
                "{} lists {ip}{}",
                b.zone,
                b.reason
                    .as_deref()
                    .or(b.answer.as_deref())
                    .map(|r| format!(" ({})", clip(r, 150)))
                    .unwrap_or_default()
            )
        })
        .collect();
    f.reported_domain = l.rdns().first().and_then(|n| names::registrable(n));
}

/// The sentence about the spam's age, when the hand-off is older than `max_days`.
pub fn age_note(f: &mut Facts, trace: &Trace, hop: usize, now: i64, max_days: u32) {
    let Some(d) = trace.hops.get(hop).and_then(|h| h.fields.date) else {
        return;
    };
    let age = now - d.epoch;
    if max_days > 0 && age > i64::from(max_days) * 86_400 {
        f.age_note = format!(
            "\nPlease note: this spam is {} days old. The address may have changed hands since.\n",
            age / 86_400
        );
    }
}

/// `2002-08-23 11:14:34 UTC`.
fn utc(epoch: i64) -> String {
    let t = crate::received::Timestamp { epoch, offset_min: 0 }.to_string();
    // RFC 3339 "2002-08-23T11:14:34+00:00" → "2002-08-23 11:14:34 UTC".
    let t = t.replacen('T', " ", 1);
    let t = t
        .strip_suffix("+00:00")
        .or_else(|| t.strip_suffix('Z'))
        .unwrap_or(&t);
    format!("{t} UTC")
}

/// What the entry's evidence says about how the message was submitted.
fn submission_words(e: &crate::trace::entry::Entry) -> String {
    let client = e.client.map(|c| format!(" from {c}")).unwrap_or_default();
    let account = e
        .account_name()
        .map(|a| format!(" by the account {}", clip(a, 100)))
        .unwrap_or_default();
    // Only what the header shows: a login it does not record is not asserted.
    let shown = e.account.is_some()
        || e.evidence.iter().any(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("esmtpa")
                || l.contains("esmtpsa")
                || l.contains("authenticated")
                || l.contains("with login")
        });
    match e.class {
        Class::CompromisedAccount if !shown => format!(
            "The header shows a submission by a client of your server{client}; the login itself is not recorded in it."
        ),
        Class::CompromisedAccount => {
            format!("The header shows an authenticated submission{account}{client}.")
        }
        Class::Webmail => format!("The header shows a web submission{account}{client}."),
        Class::Freemail => format!("The sender used your service{account}{client}."),
        _ => String::new(),
    }
}

/// The machine-readable summary block (one fact a line).
fn summary(f: &Facts) -> String {
    let mut s = String::new();
    let mut line = |k: &str, v: &str| {
        if !v.is_empty() {
            let _ = writeln!(s, "  {k:<13} {v}");
        }
    };
    line("Source-IP:", &f.relay_ip);
    line("Source-Host:", &f.relay_host);
    line("Entry-Class:", f.class.name());
    line(
        "Arrival-Date:",
        &format!("{} (recorded by {})", f.handed_on, f.recorded_by),
    );
    line("Queue-ID:", &f.queue_id);
    line("Message-ID:", &f.message_id);
    line("Recipient:", &f.recipient);
    line("Account:", &f.account);
    line("Provider-IDs:", &clip(&f.provider_ids.join("; "), 400));
    if !f.client_ip.starts_with('(') {
        line("Client-IP:", &f.client_ip);
        line("Client-Net:", &f.client_network);
        if !f.submission_recorded_by.is_empty() {
            line(
                "Submitted:",
                &format!("{} (recorded by {})", f.submitted_on, f.submission_recorded_by),
            );
        }
    }
    line("Subject:", &f.spam_subject);
    if !f.signer.is_empty() {
        line(
            "Signed-By:",
            &format!("{} (DKIM: the domain that took responsibility for it)", f.signer),
        );
    }
    if !f.dkim_verified.is_empty() {
        line(
            "DKIM:",
            &format!("{}: the attached copy is unaltered", f.dkim_verified),
        );
    }
    line("Auth-Results:", &f.site_results);
    line("Relay-Test:", &f.relay_test);
    s.trim_end().to_string()
}

/// The built-in open-relay template of a side.
pub fn default_template(side: Side) -> &'static str {
    builtin(Class::OpenRelay, side).unwrap_or_default()
}

/// The template of a side: the configured file, else the built-in one.
///
/// # Errors
/// The configured file cannot be read.
pub fn template(side: Side, cfg: &Compose) -> Result<String, ComposeError> {
    template_for(Class::OpenRelay, side, cfg)?.map_err(|why| ComposeError::Template {
        path: "(built in)".into(),
        why: why.to_string(),
    })
}

/// The template of a class and side: the user's file (`[compose] templates_dir`
/// holding `<class>-<side>.txt`; for open relays also `owner_template` /
/// `isp_template`), else the built-in one; `Ok(Err(why))` when nobody on that side
/// gets a complaint for the class.
///
/// # Errors
/// A configured file cannot be read.
pub fn template_for(
    class: Class,
    side: Side,
    cfg: &Compose,
) -> Result<Result<String, &'static str>, ComposeError> {
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).map_err(|e| ComposeError::Template {
            path: p.display().to_string(),
            why: e.to_string(),
        })
    };
    let side_word = side.name();
    if let Some(dir) = &cfg.templates_dir {
        let p = dir.join(format!("{}-{side_word}.txt", class.name()));
        if p.exists() {
            return read(&p).map(Ok);
        }
    }
    let configured = match (class, side) {
        (Class::OpenRelay, Side::Owner) => cfg.owner_template.as_ref(),
        (Class::OpenRelay, Side::Isp) => cfg.isp_template.as_ref(),
        _ => None,
    };
    match configured {
        Some(p) => read(p).map(Ok),
        None => Ok(builtin(class, side).map(str::to_string)),
    }
}

/// Fills `{{placeholder}}`s. Every placeholder must be known.
///
/// # Errors
/// An unknown placeholder.
pub fn fill(template: &str, f: &Facts) -> Result<String, ComposeError> {
    let mut out = String::with_capacity(template.len() + 1024);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = after[..close].trim();
        let value = match name {
            "org" => f.org.clone(),
            "customer" => f.customer.clone(),
            "isp" => f.isp.clone(),
            "relay_ip" => f.relay_ip.clone(),
            "relay_host" => f.relay_host.clone(),
            "input_point" => f.input_point.clone(),
            "spam_subject" => f.spam_subject.clone(),
            "spam_date" => f.spam_date.clone(),
            "evidence" => f
                .evidence
                .iter()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
            "dnsbl" => {
                if f.dnsbl.is_empty() {
                    String::new()
                } else {
                    let mut s = String::from("\nThe relay's address is listed by DNS blocklists:\n");
                    for l in &f.dnsbl {
                        let _ = writeln!(s, "  - {l}");
                    }
                    s
                }
            }
            "class" => f.class.words().to_string(),
            "handed_on" => f.handed_on.clone(),
            "queue_id" => f.queue_id.clone(),
            "recipient" => f.recipient.clone(),
            "message_id" => f.message_id.clone(),
            "client_ip" => f.client_ip.clone(),
            "client_network" => f.client_network.clone(),
            "submitted_on" => f.submitted_on.clone(),
            "provider" => f.provider.clone(),
            "submission" => f.submission.clone(),
            "account" => f.account.clone(),
            "age_note" => f.age_note.clone(),
            "summary" => summary(f),
            "dkim_verified" => f.dkim_verified.clone(),
            "signer" => f.signer.clone(),
            "site_results" => f.site_results.clone(),
            "relay_test" => {
                if f.relay_test_transcript.is_empty() {
                    String::new()
                } else {
                    let mut s = format!(
                        "\nI tested the relay just now ({}); no message was sent. The conversation:\n",
                        f.relay_test
                    );
                    for l in &f.relay_test_transcript {
                        let _ = writeln!(s, "  {l}");
                    }
                    s
                }
            }
            "reporter_name" => f.reporter_name.clone(),
            "reporter_address" => f.reporter_address.clone(),
            other => return Err(ComposeError::UnknownPlaceholder(clip(other, 40))),
        };
        out.push_str(&value);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(reflow(&out, 72))
}

/// Re-wraps what a value made longer than `width` columns in a filled template.
/// A prose paragraph (its lines, but the last, run near the width) is joined and
/// wrapped again; any other paragraph keeps its lines, a long one wrapped on its
/// own, so that a signature, an address block or a list is never merged into one
/// line. Indented lines (evidence, quoted header lines) are never touched, and the
/// template's line ends do not matter.
pub fn reflow(text: &str, width: usize) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len());
    for (i, para) in text.split("\n\n").enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        let lines: Vec<&str> = para.split('\n').collect();
        let long = lines.iter().any(|l| l.chars().count() > width);
        let indented = lines.iter().any(|l| l.starts_with([' ', '\t', '-', '*', '>']));
        let prose = lines.len() > 1
            && lines[..lines.len() - 1]
                .iter()
                .all(|l| l.chars().count() * 2 >= width);
        if !long || indented && !prose {
            out.push_str(para);
        } else if prose && !indented {
            wrap_into(&mut out, para, width);
        } else {
            for (j, l) in lines.iter().enumerate() {
                if j > 0 {
                    out.push('\n');
                }
                if l.chars().count() > width && !l.starts_with([' ', '\t', '>']) {
                    wrap_into(&mut out, l, width);
                } else {
                    out.push_str(l);
                }
            }
        }
    }
    out
}

/// `text`'s words, wrapped at `width` columns.
fn wrap_into(out: &mut String, text: &str, width: usize) {
    let mut col = 0;
    for (j, word) in text.split_whitespace().enumerate() {
        let w = word.chars().count();
        if j > 0 {
            if col + 1 + w > width {
                out.push('\n');
                col = 0;
            } else {
                out.push(' ');
                col += 1;
            }
        }
        out.push_str(word);
        col += w;
    }
}

/// A complaint being written: what the user sees and edits.
// Each flag is a choice of its own the user makes (quote, redact, headers only).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Draft {
    pub side: Side,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    pub format: Format,
    pub quote_inline: bool,
    pub redact: bool,
    /// The relay (entry) address the complaint is about.
    #[serde(default)]
    pub about: String,
    /// The user changed its text: it no longer follows the investigation.
    #[serde(default)]
    pub edited: bool,
    /// Forward only the spam's header section (`text/rfc822-headers`, as ARF
    /// allows): for a big spam.
    #[serde(default)]
    pub headers_only: bool,
}

/// The subject for the class: `Open Relay - <relay ip> - re: <spam subject>` for an
/// open relay (the seed's), and words that say what happened for the others.
pub fn subject(f: &Facts) -> String {
    let what = match f.class {
        Class::OpenRelay | Class::ListOrForward | Class::Unknown => format!("Open Relay - {}", f.relay_ip),
        Class::CompromisedAccount => format!("Compromised account - spam sent through {}", f.relay_ip),
        Class::Webmail => format!("Webmail abuse - spam sent through {}", f.relay_ip),
        Class::Freemail => format!("Spam from an account of {} - {}", f.provider, f.relay_ip),
        Class::Esp => format!("Spam sent through your platform - {}", f.relay_ip),
        Class::SpammerHost => format!("Spam from your customer's server {}", f.relay_ip),
        Class::BotnetDirect => format!("Infected machine at {} sending spam", f.relay_ip),
    };
    // A spam's subject that reads like an encoded word (`=?…?=`) must not be one in
    // ours: a reader would decode it (perhaps to line breaks) instead of showing it.
    header_text(&format!("{what} - re: {}", f.spam_subject.replace("=?", "= ?")))
}

/// The built-in template of a class and side, or why nobody on that side gets one.
///
/// # Errors
/// The reason this side has no party for this class.
pub fn builtin(class: Class, side: Side) -> Result<&'static str, &'static str> {
    match (class, side) {
        (Class::OpenRelay, Side::Owner) => Ok(include_str!("../../assets/templates/owner.txt")),
        (Class::OpenRelay, Side::Isp) => Ok(include_str!("../../assets/templates/isp.txt")),
        (Class::CompromisedAccount, Side::Owner) => Ok(include_str!(
            "../../assets/templates/compromised_account-owner.txt"
        )),
        (Class::CompromisedAccount, Side::Isp) => {
            Ok(include_str!("../../assets/templates/compromised_account-isp.txt"))
        }
        (Class::Webmail, Side::Owner) => Ok(include_str!("../../assets/templates/webmail-owner.txt")),
        (Class::Webmail, Side::Isp) => Ok(include_str!("../../assets/templates/webmail-isp.txt")),
        (Class::Freemail, Side::Owner) => Ok(include_str!("../../assets/templates/freemail-owner.txt")),
        (Class::Esp, Side::Owner) => Ok(include_str!("../../assets/templates/esp-owner.txt")),
        (Class::SpammerHost, Side::Owner) => {
            Ok(include_str!("../../assets/templates/spammer_host-owner.txt"))
        }
        (Class::SpammerHost, Side::Isp) => Ok(include_str!("../../assets/templates/spammer_host-isp.txt")),
        (Class::BotnetDirect, Side::Owner) => {
            Ok(include_str!("../../assets/templates/botnet_direct-owner.txt"))
        }
        (Class::Freemail | Class::Esp, Side::Isp) => {
            Err("the provider's own abuse desk is the one party for this class: there is no second complaint")
        }
        (Class::BotnetDirect, Side::Isp) => Err(
            "a machine on an access line: its access provider (the owner side) is the one party; there is rarely a second",
        ),
        (Class::ListOrForward, _) => Err(
            "the spam came through a list or forward and what lies below it cannot be judged: no complaint by default (choose a class to write one)",
        ),
        (Class::Unknown, _) => Err(
            "the evidence does not say how the spam got in: no complaint by default (choose a class to write one)",
        ),
    }
}

/// Does the second party of this class need contacts of its own (the submitting
/// client's network), not the ISP side of the entry's lookup?
pub fn isp_is_client_network(class: Class) -> bool {
    matches!(class, Class::CompromisedAccount | Class::Webmail)
}

/// The address of the submitting client to look up for complaints about `hop`
/// as `class`: an account's or a webmail's, when a hop shows it.
pub fn client_to_look_up(trace: &Trace, hop: usize, class: Class) -> Option<std::net::IpAddr> {
    trace
        .entry
        .client_hop
        .filter(|_| trace.entry.hop == Some(hop) && isp_is_client_network(class))
        .and_then(|i| trace.hops.get(i)?.from_ip)
}

/// The desk of the submitting client's network, from the lookup of the client's
/// address: its owner's contacts, else its ISP's.
pub fn client_contacts(l: &Lookup) -> &[Contact] {
    if l.owner_contacts().is_empty() {
        l.isp_contacts()
    } else {
        l.owner_contacts()
    }
}

/// The contacts a complaint to `side` goes to: the entry's lookup, or for the
/// second party of an account or web class the lookup of its client (`client`,
/// when it was looked up). A free mail service's or ESP's own desk, named in its
/// header in its own domain (`desk`), comes first and is the one pre-selected: the
/// network its servers sit on is a suggestion.
pub fn contacts_for(
    side: Side,
    class: Class,
    entry: Option<&Lookup>,
    client: Option<&Lookup>,
    desk: Option<&str>,
) -> Vec<Contact> {
    if side == Side::Isp && isp_is_client_network(class) {
        return client.map_or(&[][..], client_contacts).to_vec();
    }
    let mut contacts = entry.map_or(&[][..], |l| side_contacts(l, side)).to_vec();
    if side == Side::Owner
        && matches!(class, Class::Esp | Class::Freemail)
        && let Some(d) = desk
    {
        contacts.retain(|c| !c.email.eq_ignore_ascii_case(d));
        for c in &mut contacts {
            c.preselect = false;
        }
        contacts.insert(
            0,
            Contact {
                email: d.to_string(),
                source: crate::lookup::contact::Source::Header,
                confidence: crate::lookup::contact::Confidence::High,
                basis: "the provider names it in its own header (X-Complaints-To), in its own domain".into(),
                preselect: true,
                tier: crate::lookup::contact::Tier::Designated,
            },
        );
    }
    contacts
}

/// Adds the submitting client's network, from the lookup of the client's address
/// (nothing when the lookup is of another address).
pub fn add_client(f: &mut Facts, l: &Lookup) {
    if l.query() != f.client_ip {
        return;
    }
    let cidr = l.network().and_then(|n| n.cidr.as_deref()).unwrap_or("");
    let org = l.owner_name().or_else(|| l.isp_name()).unwrap_or("");
    f.client_network = clip(
        &match (cidr.is_empty(), org.is_empty()) {
            (false, false) => format!("{cidr} ({org})"),
            (false, true) => cidr.to_string(),
            (true, false) => org.to_string(),
            (true, true) => String::new(),
        },
        200,
    );
}

/// Text made fit for one header line: controls (CR, LF, NUL, escapes) become spaces,
/// runs of white space one space, at most 300 characters. The encoder then writes
/// it as one correctly encoded (RFC 2047) and folded header.
pub fn header_text(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if crate::sanitize::unsafe_char(c) || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let one = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    one.chars().take(300).collect()
}

/// The contacts of one side of a lookup.
pub fn side_contacts(l: &Lookup, side: Side) -> &[Contact] {
    match side {
        Side::Owner => l.owner_contacts(),
        Side::Isp => l.isp_contacts(),
    }
}

/// Who a complaint is addressed to: the pre-selected contacts, else the first one.
pub fn addressees(contacts: &[Contact]) -> Vec<String> {
    let mut to: Vec<String> = contacts
        .iter()
        .filter(|c| c.preselect)
        .map(|c| c.email.clone())
        .collect();
    if to.is_empty() {
        to.extend(contacts.first().map(|c| c.email.clone()));
    }
    to
}

/// A first draft: the template filled, addressed to the pre-selected contacts of the
/// side (else its first contact).
///
/// # Errors
/// An unknown placeholder in the template.
pub fn draft(
    side: Side,
    f: &Facts,
    template: &str,
    contacts: &[Contact],
    format: Format,
    quote_inline: bool,
) -> Result<Draft, ComposeError> {
    Ok(Draft {
        side,
        to: addressees(contacts),
        subject: subject(f),
        body: fill(template, f)?,
        format,
        quote_inline,
        redact: format != Format::Arf,
        about: f.relay_ip.clone(),
        edited: false,
        headers_only: false,
    })
}

/// Checks the recipients of a draft.
///
/// # Errors
/// None, or one that is not an address.
pub fn recipients(d: &Draft) -> Result<Vec<String>, ComposeError> {
    let to: Vec<String> =
        d.to.iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
    if to.is_empty() {
        return Err(ComposeError::NoRecipient(d.side.word()));
    }
    for t in &to {
        if !is_email(&t.to_ascii_lowercase()) {
            return Err(ComposeError::BadAddress(clip(t, 100)));
        }
    }
    Ok(to)
}

/// Checks the reporter.
///
/// # Errors
/// The address is missing or not an address.
pub fn reporter_ok(r: &Reporter) -> Result<(), ComposeError> {
    if r.address.trim().is_empty() {
        return Err(ComposeError::NoReporter);
    }
    if !is_email(&r.address.trim().to_ascii_lowercase()) {
        return Err(ComposeError::BadAddress(clip(&r.address, 100)));
    }
    Ok(())
}

/// How the forwarded spam's line ends travel: as stored (a file, the clipboard, a
/// local sendmail), or as CRLF (SMTP carries only CRLF lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnds {
    AsStored,
    Crlf,
}

/// Everything about one complaint besides the facts: the user's draft, the spam it
/// forwards, who reports, when, and how it will travel.
#[derive(Debug, Clone, Copy)]
pub struct Choices<'a> {
    pub draft: &'a Draft,
    pub original: &'a [u8],
    pub reporter: &'a Reporter,
    /// The Unix time of its Date header.
    pub now: i64,
    /// Makes its Message-ID unique; the same salt gives the same Message-ID.
    pub salt: u64,
    pub line_ends: LineEnds,
    /// For a server that takes BINARYMIME by BDAT: a spam whose lines would not
    /// travel as they are is attached unchanged (`binary`) instead of in base64.
    pub binary: bool,
}

/// A complaint to be built elsewhere: everything [`Complaint::build`] takes, owned,
/// so that a big spam's complaint is built on a worker thread, not the UI's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub facts: Facts,
    pub draft: Draft,
    pub original: std::sync::Arc<Vec<u8>>,
    pub reporter: Reporter,
    pub now: i64,
    pub salt: u64,
    pub line_ends: LineEnds,
    pub binary: bool,
}

impl Job {
    /// Builds it.
    ///
    /// # Errors
    /// As [`Complaint::build`].
    pub fn build(&self) -> Result<Built, ComposeError> {
        Complaint::build(
            &self.facts,
            &Choices {
                draft: &self.draft,
                original: &self.original,
                reporter: &self.reporter,
                now: self.now,
                salt: self.salt,
                line_ends: self.line_ends,
                binary: self.binary,
            },
        )
    }
}

/// A complaint built once: the bytes the preview shows, the dialog counts and the
/// transport sends.
pub type Built = mime::Composed;

/// The one complaint builder: the preview, the clipboard, the send dialog, the send
/// and `relaytrace compose` all take what this returns.
pub struct Complaint;

impl Complaint {
    /// Builds the complaint exactly as it will go.
    ///
    /// # Errors
    /// No recipient, a bad address, or no reporter address.
    pub fn build(facts: &Facts, c: &Choices) -> Result<Built, ComposeError> {
        Ok(Complaint::stream(facts, c)?.into_composed())
    }

    /// The complaint ready to be written, the spam streamed from `c.original` as it
    /// is (`relaytrace compose`: a big spam is never held twice).
    ///
    /// # Errors
    /// As [`Complaint::build`].
    pub fn stream<'a>(facts: &Facts, c: &Choices<'a>) -> Result<mime::Streamed<'a>, ComposeError> {
        // Built in the canonical CRLF form (what mail carries); a spam stored with
        // LF alone and written as stored gets LF throughout, the complaint's own
        // lines too: one line ending in the whole message either way.
        let lf_only = !c.original.contains(&b'\r');
        let eol: &'static [u8] =
            if c.line_ends == LineEnds::AsStored && lf_only && c.draft.format != Format::Text {
                b"\n"
            } else {
                b"\r\n"
            };
        let id = mime::message_id(&c.reporter.address, c.now, c.salt);
        mime::build(c.draft, facts, c.original, c.reporter, c.now, &id, c.binary, eol)
    }
}

#[cfg(test)]
mod tests;
