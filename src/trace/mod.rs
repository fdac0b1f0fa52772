//! Hops and trust: which `Received:` lines can be believed, which relay handed the
//! message to the user's site, and where the spam entered the relay chain. Pure.
//!
//! The walk follows what a person does by hand (DESIGN.md §1):
//!
//! ```text
//!  hop 0  by mx.site  ◄─ trusted (inside the site)
//!  hop 1  by mx.site  from relay R [r]        ◄─ relay: the site saw R hand it over
//!  hop 2  by R        from relay Q [q]        ◄─ verified: R wrote it (by = R)
//!  hop 3  by Q        from dsl-1-2-3-4.isp [p] ◄─ Q took it from an end-user machine
//!  hop 4  by P        from aol.com …           ◄─ P's own inventions
//! ```
//!
//! Here the input point is hop 2: its sender Q is the relay where the spam entered.

pub mod entry;
pub mod names;
mod site;

use std::net::IpAddr;

use serde::Serialize;

use crate::message::{Message, Summary, fields, summarize};
use crate::received::{self, Kind, Received, is_impossible, is_loopback, is_private};
pub use site::{BadSpec, Site};

/// More than this much clock difference between two hops is more than skew.
const CLOCK_SKEW_S: i64 = 24 * 3600;
/// Differences above this are worth a word, not a verdict.
const CLOCK_NOTE_S: i64 = 15 * 60;

/// How far one hop's handoff can be believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Handoff {
    /// Inside the user's site.
    Trusted,
    /// A private or loopback sender inside a site hop.
    Internal,
    /// Written by the host the line above saw.
    Verified,
    /// Nothing confirms or refutes it.
    Unverified,
    /// Evidence of forgery.
    Inconsistent,
}

impl Handoff {
    /// The symbol shown before a verdict.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Handoff::Trusted => "■",
            Handoff::Internal => "□",
            Handoff::Verified => "✓",
            Handoff::Unverified => "?",
            Handoff::Inconsistent => "✗",
        }
    }

    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Handoff::Trusted => "trusted",
            Handoff::Internal => "internal",
            Handoff::Verified => "verified",
            Handoff::Unverified => "unverified",
            Handoff::Inconsistent => "inconsistent",
        }
    }
}

/// One `Received:` line with its fields and its verdict (DESIGN.md §3 names).
#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    pub index: usize,
    pub raw: String,
    pub parsed: bool,
    pub kind: Kind,
    pub from_helo: Option<String>,
    pub from_rdns: Option<String>,
    pub from_ip: Option<IpAddr>,
    pub by: Option<String>,
    pub with: Option<String>,
    pub id: Option<String>,
    #[serde(rename = "for")]
    pub for_: Option<String>,
    pub ident: Option<String>,
    pub envfrom: Option<String>,
    pub auth: Option<String>,
    pub tls: Option<String>,
    pub date: Option<String>,
    pub delay_s: Option<i64>,
    pub handoff: Handoff,
    pub reasons: Vec<String>,
    /// The line's `by` is the sender recorded on the line above: it chains.
    #[serde(skip)]
    pub chained: bool,
    /// The line itself is made up (an impossible date or address), as opposed to a
    /// real line recording a client that lied.
    #[serde(skip)]
    pub forged: bool,
    #[serde(skip)]
    pub fields: Received,
}

impl Hop {
    /// The sender as shown: reverse DNS, with the HELO when it differs.
    #[must_use]
    pub fn sender(&self) -> String {
        if !self.parsed {
            return "(unparsed)".to_string();
        }
        match (&self.from_rdns, &self.from_helo) {
            (Some(r), Some(helo)) if !names::same_host(r, helo) => format!("{r} (HELO {helo})"),
            (Some(r), _) => r.clone(),
            (None, Some(helo)) => format!("HELO {helo}"),
            (None, None) => match &self.fields.source {
                Some(s) => s.clone(),
                None => "-".to_string(),
            },
        }
    }
}

/// The analysis of one message.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub subject: Option<String>,
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub date: Option<String>,
    pub size: u64,
    pub hops: Vec<Hop>,
    pub relay: Option<usize>,
    pub input_point: Option<usize>,
    /// How the spam got in (DESIGN.md §1a); `input_point` is its hop.
    pub entry: entry::Entry,
    /// The site used: configured, given with `--trust`, and found from the top hop.
    pub site: Vec<String>,
    /// Problems with the message itself (a cut header section, no Received lines).
    pub warnings: Vec<String>,
}

/// Options of the analysis.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The user's site as configured and given on the command line.
    pub site: Site,
    /// Add the registrable domain of the topmost hop's `by` host to the site.
    pub no_auto_site: bool,
    /// `[trust] authserv_ids`: whose `Authentication-Results` lines are the site's.
    pub authserv_ids: Vec<String>,
}

/// Parses and analyses one message.
#[must_use]
pub fn analyse(message: &Message, opts: &Options) -> Trace {
    let summary: Summary = summarize(&message.header);
    let mut hops: Vec<Hop> = fields(&message.header)
        .filter(|f| f.is("received"))
        .enumerate()
        .map(|(index, f)| hop(index, f.value))
        .collect();
    if let Some(h) = originating_hop(&message.header, hops.len()) {
        hops.push(h);
    }
    let mut warnings = Vec::new();
    if message.header_truncated {
        warnings.push(format!(
            "the header section is longer than {} MiB; only its start was read",
            crate::message::MAX_HEADER >> 20
        ));
    }
    if hops.is_empty() {
        warnings.push("the message has no Received lines".to_string());
    }
    set_delays(&mut hops);
    let mut site = opts.site.clone();
    if !opts.no_auto_site {
        auto_site(&hops, &mut site);
    }
    let relay = walk_site(&mut hops, &site);
    if let Some(r) = relay {
        check_chain(&mut hops, r, &site);
    }
    let ctx = entry::Context::from_header(&message.header);
    let mut entry = entry::find(&hops, relay, &ctx);
    entry.client_hop = entry::client_hop(&hops, &entry);
    let input_point = entry.hop;
    if let Some(p) = input_point {
        let why = entry.evidence.first().cloned().unwrap_or_default();
        let text = format!(
            "input point ({}): {}; {why}",
            entry.class.words(),
            sender_label(&hops[p])
        );
        hops[p].reasons.insert(0, text);
    }
    if let (Some(c), Some(p)) = (entry.client_hop, input_point) {
        hops[c].reasons.insert(
            0,
            format!(
                "the submitting client of the {} at hop {p}: its network gets the second complaint",
                entry.class.words()
            ),
        );
    }
    Trace {
        subject: summary.subject,
        message_id: summary.message_id,
        from: summary.from,
        date: summary.date,
        size: message.size,
        hops,
        relay,
        input_point,
        entry,
        site: site.describe(),
        warnings,
    }
}

fn hop(index: usize, value: &[u8]) -> Hop {
    hop_from(index, unfold(value), received::parse(value))
}

fn hop_from(index: usize, raw: String, r: Received) -> Hop {
    Hop {
        index,
        raw,
        parsed: r.parsed(),
        kind: r.kind,
        from_helo: r.from_helo.clone(),
        from_rdns: r.from_rdns.clone(),
        from_ip: r.from_ip,
        by: r.by.clone(),
        with: r.with.clone(),
        id: r.id.clone(),
        for_: r.for_.clone(),
        ident: r.ident.clone(),
        envfrom: r.envfrom.clone(),
        auth: r.auth.clone(),
        tls: r.tls.clone(),
        date: r.date.map(|d| d.to_string()),
        delay_s: None,
        handoff: Handoff::Unverified,
        reasons: Vec::new(),
        chained: false,
        forged: false,
        fields: r,
    }
}

/// `X-Originating-IP: [1.2.3.4]`, as a pseudo-hop below the Received lines (as
/// `SpamAssassin` does): the webmail client's address is where the spam came from.
fn originating_hop(header: &[u8], index: usize) -> Option<Hop> {
    let f = fields(header).find(|f| f.is("x-originating-ip"))?;
    let text = unfold(f.value);
    let ip = text.split([' ', ',']).find_map(received::parse_ip_token)?;
    let fields = Received {
        kind: Kind::Originating,
        from_ip: Some(ip),
        source: Some(format!("X-Originating-IP {ip}")),
        ..Received::default()
    };
    Some(hop_from(index, format!("X-Originating-IP: {text}"), fields))
}

/// The raw value as text: folding removed, everything else kept (lossy UTF-8).
fn unfold(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' || c == '\n' {
            while chars.peek().is_some_and(|&n| n == '\r' || n == '\n') {
                chars.next();
            }
            if !chars.peek().is_some_and(|n| *n == ' ' || *n == '\t') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn set_delays(hops: &mut [Hop]) {
    for i in 0..hops.len() {
        let Some(d) = hops[i].fields.date else {
            continue;
        };
        // The hop below is the next one with a date.
        let below = hops[i + 1..].iter().find_map(|h| h.fields.date);
        if let Some(b) = below {
            let delay = d.epoch - b.epoch;
            hops[i].delay_s = Some(delay);
            if delay < -CLOCK_NOTE_S {
                hops[i].reasons.push(format!(
                    "negative delay: dated {} before the hop below it (clocks disagree)",
                    duration(-delay)
                ));
            }
        }
    }
}

/// "3 h 5 min", "42 s".
#[must_use]
pub fn duration(s: i64) -> String {
    let s = s.abs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        _ => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// The site is also the registrable domain of the `by` host of the topmost hop that
/// records a sender address (as `SpamAssassin` reads it: a line without an address,
/// like Gmail's internal `by 2002:a59:…`, says nothing about the site) and, when the
/// user fetches mail by POP/IMAP, of the mailbox it was fetched from.
fn auto_site(hops: &[Hop], site: &mut Site) {
    let mut fallback = None;
    for h in hops {
        match h.kind {
            Kind::Fetch => {
                let src = h
                    .fields
                    .source
                    .as_deref()
                    .and_then(|s| s.split_whitespace().next());
                if let Some(d) = src.and_then(names::registrable) {
                    let _ = site.add(&d);
                }
            }
            Kind::Transfer => {
                let Some(by) = h.by.as_deref() else { continue };
                let Some(d) = names::registrable(by) else {
                    // A name under no known suffix (a private TLD, a bare host):
                    // that host alone is the site, and the search ends here.
                    if h.from_ip.is_some() && fallback.is_none() {
                        let _ = site.add(&names::norm(by));
                        return;
                    }
                    continue;
                };
                if h.from_ip.is_some() {
                    let _ = site.add(&d);
                    return;
                }
                fallback.get_or_insert(d);
            }
            Kind::Local | Kind::Unparsed | Kind::Originating => {}
        }
    }
    if let Some(d) = fallback {
        let _ = site.add(&d);
    }
}

/// Is the sender of this hop inside the site? Returns a reason when it is.
fn sender_in_site(h: &Hop, site: &Site) -> Option<String> {
    let ip = h.from_ip?;
    if site.has_ip(ip) {
        return Some(format!("sender {ip} is in your site's networks"));
    }
    if is_loopback(ip) {
        return Some(format!("sender {ip} is this host itself (loopback)"));
    }
    if is_private(ip) {
        return Some(format!("sender {ip} is a private address inside your site"));
    }
    if let Some(rdns) = &h.from_rdns {
        return site
            .has_host(rdns)
            .then(|| format!("sender {rdns} [{ip}] is in your site"));
    }
    if let Some(helo) = &h.from_helo
        && site.has_host(helo)
    {
        return Some(format!(
            "sender {helo} [{ip}] (HELO, no reverse DNS recorded) is in your site"
        ));
    }
    None
}

/// Walks down through the site's own hops; returns the relay.
#[allow(clippy::needless_range_loop)] // each step reads one hop, then writes it
fn walk_site(hops: &mut [Hop], site: &Site) -> Option<usize> {
    let mut above: Option<usize> = None;
    for i in 0..hops.len() {
        let h = &hops[i];
        match h.kind {
            Kind::Fetch => {
                let src = h.fields.source.clone().unwrap_or_default();
                let h = &mut hops[i];
                h.handoff = Handoff::Trusted;
                h.reasons.push(format!(
                    "your mail client fetched the message from your mailbox at {src}"
                ));
                continue;
            }
            Kind::Local => {
                let h = &mut hops[i];
                h.handoff = Handoff::Trusted;
                h.reasons
                    .push("a step on one of your own hosts, no network sender".to_string());
                continue;
            }
            Kind::Unparsed => {
                hops[i]
                    .reasons
                    .push("this line could not be read; it is kept as written".to_string());
                continue;
            }
            Kind::Transfer | Kind::Originating => {}
        }
        let by = h.by.as_deref().unwrap_or("(unnamed)");
        let writer = if i == 0 || above.is_none() {
            format!("your mail host {by}")
        } else if site.has_host(by) {
            format!("{by}, in your site")
        } else {
            format!("{by}, the host your site saw on the hop above")
        };
        if h.from_ip.is_none() {
            let named = h.from_rdns.clone().or_else(|| h.from_helo.clone());
            let h = &mut hops[i];
            h.handoff = Handoff::Trusted;
            h.reasons.push(match named {
                Some(n) => format!("written by {writer}; no sender address recorded (from {n})"),
                None => format!("written by {writer}; no sender recorded"),
            });
            continue;
        }
        if let Some(why) = sender_in_site(h, site) {
            let internal = h.from_ip.is_some_and(|ip| is_private(ip) || is_loopback(ip));
            let h = &mut hops[i];
            h.handoff = if internal {
                Handoff::Internal
            } else {
                Handoff::Trusted
            };
            h.reasons.push(format!("written by {writer}; {why}"));
            above = Some(i);
            continue;
        }
        // The first sender outside the site: the relay.
        let ip = h.from_ip.map(|ip| ip.to_string()).unwrap_or_default();
        let who = h
            .from_rdns
            .clone()
            .unwrap_or_else(|| "no reverse DNS".to_string());
        let h = &mut hops[i];
        h.handoff = Handoff::Verified;
        h.reasons.insert(
            0,
            format!("relay: written by {writer}, which saw {ip} ({who}) hand the message to your site"),
        );
        return Some(i);
    }
    None
}

fn sender_label(h: &Hop) -> String {
    let ip = h.from_ip.map_or_else(|| "?".to_string(), |ip| ip.to_string());
    match (&h.from_rdns, &h.from_helo) {
        (Some(r), _) => format!("{r} [{ip}]"),
        (None, Some(helo)) => format!("{helo} [{ip}] (HELO)"),
        (None, None) => format!("[{ip}]"),
    }
}

/// Does `by` name the sender recorded on hop `p`? Returns how.
fn by_matches(by: &str, p: &Hop) -> Option<String> {
    let byn = names::norm(by);
    if let (Some(ip), Ok(by_ip)) = (p.from_ip, byn.parse::<IpAddr>()) {
        return (ip == by_ip).then(|| format!("by {by} is the address recorded above"));
    }
    let mut cands: Vec<(&str, &str)> = Vec::new();
    if let Some(r) = &p.from_rdns {
        cands.push(("reverse DNS", r));
    }
    if let Some(h) = &p.from_helo {
        cands.push(("HELO", h));
    }
    if p.from_ip.is_some_and(is_loopback)
        && let Some(b) = &p.by
    {
        cands.push(("host (a loopback hand-off on)", b));
    }
    for (what, name) in &cands {
        if names::same_host(by, name) {
            return Some(format!("by {by} matches the {what} recorded above"));
        }
    }
    for (what, name) in &cands {
        let n = names::norm(name);
        // A bare name ("mail01") against a full one ("mail01.example.com").
        if !byn.contains('.') && n.starts_with(&format!("{byn}."))
            || !n.contains('.') && byn.starts_with(&format!("{n}."))
        {
            return Some(format!(
                "by {by} is the short form of the {what} {name} recorded above"
            ));
        }
        if let (Some(a), Some(b)) = (names::registrable(by), names::registrable(name))
            && a == b
        {
            return Some(format!(
                "by {by} is in {a}, like the {what} {name} recorded above"
            ));
        }
    }
    None
}

/// Gives a verdict to every hop below the relay, and checks the relay's own sender.
fn check_chain(hops: &mut [Hop], relay: usize, site: &Site) {
    let top_date = hops.iter().find_map(|h| h.fields.date);
    let mut prev = relay;
    sender_evidence(hops, relay, site);
    for i in relay + 1..hops.len() {
        if hops[i].kind == Kind::Originating {
            hops[i].reasons.push(
                "X-Originating-IP header, not a Received line: the client address the submitting server recorded"
                    .to_string(),
            );
            sender_evidence(hops, i, site);
            continue;
        }
        if hops[i].kind != Kind::Transfer {
            if hops[i].kind == Kind::Local {
                hops[i]
                    .reasons
                    .push("a step on one host, no network sender".to_string());
            }
            continue;
        }
        let by = hops[i].by.clone();
        let p = &hops[prev];
        let (verdict, why) = match by.as_deref() {
            None => (
                Handoff::Unverified,
                "no `by` host: nothing to check this line against".to_string(),
            ),
            Some(by) => {
                let same_address = entry::by_ip(&hops[i].raw)
                    .filter(|a| Some(*a) == p.from_ip)
                    .map(|a| format!("by {by} has the address {a} recorded above (two names of one server)"));
                if let Some(how) = by_matches(by, p).or(same_address) {
                    hops[i].chained = true;
                    (
                        Handoff::Verified,
                        format!("written by the sender recorded above: {how}"),
                    )
                } else {
                    let concrete = names::registrable(by).is_some()
                        && (p.from_rdns.as_deref().and_then(names::registrable).is_some())
                        && p.from_helo
                            .as_deref()
                            .is_none_or(|h| names::registrable(h).is_some() || received::is_ip_literal(h));
                    let msg = format!("by {by} is not the sender recorded above ({})", sender_label(p));
                    if concrete {
                        (Handoff::Inconsistent, format!("{msg}: the chain is broken here"))
                    } else {
                        (Handoff::Unverified, msg)
                    }
                }
            }
        };
        hops[i].handoff = verdict;
        hops[i].reasons.insert(0, why);
        sender_evidence(hops, i, site);
        date_evidence(hops, i, prev, top_date);
        prev = i;
    }
}

/// Evidence about a hop's sender: impossible addresses, lying HELOs.
fn sender_evidence(hops: &mut [Hop], i: usize, site: &Site) {
    let h = &hops[i];
    let mut bad = Vec::new();
    let mut notes = Vec::new();
    let mut forged = false;
    if let Some(ip) = h.from_ip {
        if is_impossible(ip) {
            forged = true;
            bad.push(format!("sender address {ip} cannot connect from the internet"));
        } else if is_private(ip) {
            notes.push(format!(
                "sender {ip} is a private address: inside the network of the host that wrote this line"
            ));
        }
    }
    if h.fields.rdns_mismatch {
        notes.push("the receiving host noted the reverse DNS may be forged".to_string());
    }
    if let (Some(helo), Some(ip)) = (&h.from_helo, h.from_ip) {
        let helo_n = names::norm(helo);
        if let Ok(helo_ip) = helo_n.parse::<IpAddr>() {
            if helo_ip != ip && !is_private(helo_ip) {
                notes.push(format!("HELO {helo} is not the sender's address {ip}"));
            }
        } else if site.has_host(helo) && !site.has_ip(ip) {
            bad.push(format!("HELO {helo} claims to be your own site, from {ip}"));
        } else if let Some(p) = names::big_provider(helo).filter(|p| {
            // A hand-off between two of the provider's own machines is not a claim.
            let inside = h.by.as_deref().and_then(names::registrable).is_some_and(|b| {
                b == *p || entry::org_of(&b).is_some() && entry::org_of(&b) == entry::org_of(p)
            });
            !is_private(ip) && !is_loopback(ip) && !inside
        }) {
            let from_p = h
                .from_rdns
                .as_deref()
                .and_then(names::registrable)
                .is_some_and(|d| d == p);
            if !from_p {
                bad.push(format!("HELO {helo} claims to be {p}, but {ip} is not {p}'s"));
            }
        }
    }
    let h = &mut hops[i];
    h.reasons.extend(notes);
    h.forged |= forged;
    if !bad.is_empty() {
        h.handoff = Handoff::Inconsistent;
        h.reasons.extend(bad);
    }
}

fn date_evidence(hops: &mut [Hop], i: usize, prev: usize, top: Option<received::Timestamp>) {
    let Some(d) = hops[i].fields.date else { return };
    let mut bad = None;
    if d.epoch < 315_532_800 {
        bad = Some(format!(
            "its date {} is impossible",
            hops[i].date.clone().unwrap_or_default()
        ));
    } else if let Some(t) = top
        && d.epoch - t.epoch > CLOCK_SKEW_S
    {
        bad = Some(format!(
            "it is dated {} after your own host received the message",
            duration(d.epoch - t.epoch)
        ));
    }
    if bad.is_none()
        && let Some(p) = hops[prev].fields.date
        && d.epoch - p.epoch > CLOCK_SKEW_S
    {
        bad = Some(format!(
            "it is dated {} after the hop above it",
            duration(d.epoch - p.epoch)
        ));
    }
    if let Some(b) = bad {
        hops[i].handoff = Handoff::Inconsistent;
        hops[i].forged = true;
        hops[i].reasons.push(b);
    }
}

/// A hop worth looking up: outside the site, with a public address.
pub fn is_external(h: &Hop) -> bool {
    !matches!(h.handoff, Handoff::Trusted | Handoff::Internal)
        && h.from_ip.is_some_and(|ip| {
            !crate::received::is_private(ip)
                && !crate::received::is_loopback(ip)
                && !crate::received::is_impossible(ip)
        })
}

/// The hops worth looking up: the external ones from the relay down to the entry
/// and two more below it (context for the user), and the entry's client hop, at
/// most [`MAX_LOOKED_UP`]. A
/// forged chain of a thousand external hops does not become a thousand lookups.
pub const MAX_LOOKED_UP: usize = 8;

/// See [`MAX_LOOKED_UP`].
#[must_use]
pub fn hops_to_look_up(t: &Trace) -> Vec<usize> {
    let Some(relay) = t.relay.or(t.entry.hop) else {
        return Vec::new();
    };
    let bottom = t.entry.hop.unwrap_or(relay).max(relay);
    let mut out: Vec<usize> = t.hops[relay.min(t.hops.len())..]
        .iter()
        .filter(|h| is_external(h))
        .map(|h| h.index)
        .filter(|&i| i <= bottom)
        .collect();
    out.extend(
        t.hops
            .iter()
            .skip(bottom + 1)
            .filter(|h| is_external(h))
            .map(|h| h.index)
            .take(2),
    );
    let client = t.entry.client_hop;
    for must in [t.entry.hop, client].into_iter().flatten() {
        if !out.contains(&must) {
            out.push(must);
        }
    }
    // The entry, its client and the relay always; the rest as room allows.
    if out.len() > MAX_LOOKED_UP {
        let keep: Vec<usize> = [Some(relay), t.entry.hop, client].into_iter().flatten().collect();
        let mut trimmed: Vec<usize> = out.iter().copied().filter(|i| keep.contains(i)).collect();
        trimmed.extend(
            out.iter()
                .copied()
                .filter(|i| !keep.contains(i))
                .take(MAX_LOOKED_UP - trimmed.len()),
        );
        trimmed.sort_unstable();
        trimmed.dedup();
        out = trimmed;
    }
    out
}

#[cfg(test)]
mod tests;
