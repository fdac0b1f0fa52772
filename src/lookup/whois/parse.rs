//! Reading one whois, rwhois or NIR answer: its networks (range, name, holder, parent,
//! whether it is a customer reassignment), the abuse contacts of each, where it refers
//! to next, and whether it is really an error, a "not found" or a rate limit.
//!
//! The formats (NOTES.md in the peer data describes them): RPSL (RIPE, APNIC,
//! AFRINIC, LACNIC, `rr.arin.net`), ARIN's `Key: value` sections, rwhois
//! `class:Attribute;I:value` lines, KRNIC's `Key : value` with an English section,
//! TWNIC's indented free form, and web-gateway HTML. The reader is general: it knows
//! key names and layouts, not particular answers.

use std::collections::HashMap;
use std::net::IpAddr;

use serde::Serialize;

use crate::lookup::contact::{self, Found, Tier};

/// What an answer says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    NotFound,
    RateLimited(String),
    /// The server answered that it cannot answer (down, denied, garbage).
    Error(String),
}

/// One network block of an answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Net {
    pub first: Option<IpAddr>,
    pub last: Option<IpAddr>,
    /// The range as the answer wrote it (CIDR or `a - b`).
    pub range: String,
    pub name: Option<String>,
    pub handle: Option<String>,
    pub org: Option<String>,
    /// The parent's handle or range, where the answer names one.
    pub parent: Option<String>,
    /// `NetType`/`status` as written.
    pub kind: Option<String>,
    pub country: Option<String>,
    /// A customer reassignment (ARIN `Customer:`, rwhois `Customer Organization`),
    /// whose shown contacts are the provider's.
    pub customer: bool,
    /// The provider a customer record names in itself (rwhois `Organization` beside
    /// `Customer Organization`).
    pub provider: Option<String>,
    /// The RPSL `source:` (APNIC, KRNIC, IDNIC…).
    pub source: Option<String>,
    /// The network's own contacts, ranked.
    pub contacts: Vec<Found>,
    /// Contacts the answer shows but which belong to the allocation above (customers).
    pub parent_contacts: Vec<Found>,
}

impl Net {
    /// The number of addresses, for "most specific" comparisons (saturating for IPv6).
    pub fn size(&self) -> u128 {
        match (self.first, self.last) {
            (Some(IpAddr::V4(a)), Some(IpAddr::V4(b))) => {
                u128::from(u32::from(b).saturating_sub(u32::from(a)))
            }
            (Some(IpAddr::V6(a)), Some(IpAddr::V6(b))) => u128::from(b).saturating_sub(u128::from(a)),
            _ => u128::MAX,
        }
    }

    /// Does this network contain `ip`?
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.first, self.last) {
            (Some(a), Some(b)) => a <= ip && ip <= b && a.is_ipv4() == ip.is_ipv4(),
            _ => false,
        }
    }
}

/// Where an answer sends us next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Referral {
    pub host: String,
    pub port: Option<u16>,
    pub rwhois: bool,
}

/// A whole answer, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parsed {
    pub outcome: Outcome,
    /// In the answer's order (registries list least specific first).
    pub networks: Vec<Net>,
    pub referral: Option<Referral>,
    /// A query to ask the same server next (ARIN's one-line-per-net summary → `n ! HANDLE`).
    pub followup: Option<String>,
    /// Handles of contacts given without an address (`ABUSE2492-ARIN`).
    pub contact_handles: Vec<String>,
    /// Contacts not tied to a network block (domain answers, banners).
    pub loose: Vec<Found>,
    /// Registrar of a domain answer, and its WHOIS server.
    pub registrar: Option<String>,
    pub registrant: Option<String>,
    pub origin_as: Option<u32>,
}

impl Parsed {
    /// An answer that said nothing (the start of a union of answers).
    pub fn empty() -> Parsed {
        Parsed {
            outcome: Outcome::Ok,
            networks: Vec::new(),
            referral: None,
            followup: None,
            contact_handles: Vec::new(),
            loose: Vec::new(),
            registrar: None,
            registrant: None,
            origin_as: None,
        }
    }
}

#[derive(Debug, Clone)]
struct Line {
    key: String,
    value: String,
    raw: String,
}

#[derive(Debug, Default)]
struct Block {
    lines: Vec<Line>,
    comments: Vec<String>,
}

impl Block {
    fn get(&self, keys: &[&str]) -> Option<&str> {
        self.lines
            .iter()
            .find(|l| keys.contains(&l.key.as_str()))
            .map(|l| l.value.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Cleans line ends (CR CR LF, CRLF, CR), NULs and HTML wrapping.
pub fn normalise(text: &str) -> String {
    let mut t = text
        .replace("\r\r\n", "\n")
        .replace("\r\n", "\n")
        .replace(['\r', '\0'], "\n");
    let lower = t.to_ascii_lowercase();
    if lower.contains("<html") || lower.contains("<pre") || lower.contains("<br") || lower.contains("<td") {
        t = strip_html(&t);
    }
    t
}

fn strip_html(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        let tag = after[..end].to_ascii_lowercase();
        if tag.starts_with("<br")
            || tag.starts_with("<tr")
            || tag.starts_with("</tr")
            || tag.starts_with("<p")
        {
            out.push('\n');
        } else if tag.starts_with("<td") || tag.starts_with("<th") {
            out.push(' ');
        }
        // Skip scripts and styles whole.
        if tag.starts_with("<script") || tag.starts_with("<style") {
            let close = if tag.starts_with("<script") {
                "</script"
            } else {
                "</style"
            };
            let body = &after[end..];
            match body.to_ascii_lowercase().find(close) {
                Some(p) => {
                    let tail = &body[p..];
                    rest = &tail[tail.find('>').map_or(tail.len(), |e| e + 1)..];
                }
                None => rest = "",
            }
            continue;
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

const RWHOIS_CLASSES: &[&str] = &[
    "network", "org", "contact", "referral", "asn", "domain", "host", "guardian",
];

fn norm_key(k: &str) -> String {
    k.trim().to_ascii_lowercase().replace([' ', '_'], "-")
}

/// Splits a line into key and value, or `None` for free text.
fn split_key(line: &str) -> Option<(String, String)> {
    let trimmed = line.trim_start();
    if let Some(kv) = bracket_key(trimmed) {
        return Some(kv);
    }
    let colon = trimmed.find(':')?;
    let key = &trimmed[..colon];
    let rest = &trimmed[colon + 1..];
    if key.is_empty() || key.len() > 48 || key.contains(['@', '/', '<', '>', '(', '"']) {
        return None;
    }
    let lower = key.to_ascii_lowercase();
    if RWHOIS_CLASSES.contains(&lower.as_str())
        && !rest.starts_with(char::is_whitespace)
        && let Some(c2) = rest.find(':')
    {
        {
            let attr = rest[..c2].split(';').next().unwrap_or("");
            if !attr.is_empty() && attr.len() <= 48 && !attr.contains('@') {
                return Some((norm_key(attr), rest[c2 + 1..].trim().to_string()));
            }
        }
    }
    if key.starts_with(char::is_whitespace) || key.split_whitespace().count() > 4 {
        return None;
    }
    // "http://…" and times like "12:30" are not keys.
    if rest.starts_with("//") || key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((norm_key(key), rest.trim().to_string()))
}

/// JPNIC/JPRS layout: `a. [Network Number]   133.1.0.0/16` or `[Organization]  X`.
fn bracket_key(t: &str) -> Option<(String, String)> {
    let t = match t.split_once(". [") {
        Some((letter, rest)) if letter.len() <= 2 && letter.bytes().all(|b| b.is_ascii_alphabetic()) => rest,
        _ => t.strip_prefix('[')?,
    };
    let (key, value) = t.split_once(']')?;
    if key.is_empty()
        || key.len() > 40
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
    {
        return None;
    }
    Some((norm_key(key), value.trim().to_string()))
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = vec![Block::default()];
    let mut key_indent: Option<usize> = None;
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            if !out
                .last()
                .is_some_and(|b| b.lines.is_empty() && b.comments.is_empty())
            {
                out.push(Block::default());
            }
            key_indent = None;
            continue;
        }
        let block = out.last_mut().expect("there is always a block");
        if t.starts_with('%') || t.starts_with('#') {
            block.comments.push(t.to_string());
            continue;
        }
        let continuation =
            key_indent.is_some_and(|ki| indent(line) > ki) || (t.starts_with('+') && t.len() > 1);
        if continuation && let Some(last) = block.lines.last_mut() {
            let piece = t.trim_start_matches('+').trim();
            if last.value.is_empty() {
                last.value = piece.to_string();
            } else {
                last.value.push(' ');
                last.value.push_str(piece);
            }
            last.raw.push('\n');
            last.raw.push_str(t);
            continue;
        }
        match split_key(line) {
            Some((key, value)) => {
                key_indent = Some(indent(line));
                block.lines.push(Line {
                    key,
                    value,
                    raw: t.to_string(),
                });
            }
            None => block.lines.push(Line {
                key: String::new(),
                value: t.to_string(),
                raw: t.to_string(),
            }),
        }
    }
    out.retain(|b| !b.lines.is_empty() || !b.comments.is_empty());
    out
}

const NET_KEYS: &[&str] = &[
    "netrange",
    "cidr",
    "inetnum",
    "inet6num",
    "ip-network",
    "ip-network-block",
    "ipv4-address",
    "ipv6-address",
    "netblock",
    "inetrev",
    "network-number",
];

const NAME_KEYS: &[&str] = &["netname", "network-name", "net-name", "service-name"];
/// A `descr:` that describes addresses (a pool, a service, customers) rather than
/// naming an organisation.
/// A `descr:` that is a short internal code ("UDC"), not a name.
fn code_word(d: &str) -> bool {
    let d = d.trim();
    d.len() <= 4 && !d.contains(' ')
}

fn pool_words(d: &str) -> bool {
    let l = d.to_ascii_lowercase();
    [
        "pool",
        "dynamic",
        "static",
        "customer",
        "subscriber",
        "dsl",
        "broadband",
        "dial",
        "cable",
        "ip address",
        "addresses",
        "assignment",
        "assigned",
        "allocation",
        "infrastructure",
        "network for",
        "block",
        "nat",
        "gprs",
        "lte",
        "mobile",
        "ftth",
        "wifi",
        "residential",
    ]
    .iter()
    .any(|w| l.contains(w))
}

/// Organisation fields only: a netname or a `descr:` pool description is not who
/// runs the network.
const ORG_KEYS: &[&str] = &[
    "orgname",
    "org-name",
    "owner",
    "custname",
    "organization-name",
    "organization",
    "organisation-name",
];
const HANDLE_KEYS: &[&str] = &["nethandle", "id", "inetnum-handle"];
/// Keys that make a record a customer's (ARIN reassignments, rwhois customers).
const CUSTOMER_KEYS: &[&str] = &[
    "customer",
    "custname",
    "customer organization",
    "customer-organization",
    "customer-name",
];

/// Parses an address range: `a - b`, `a/len`, abbreviated `200.57.128/19`, or a
/// bare address; the first of several comma-separated CIDRs.
pub fn parse_range(s: &str) -> Option<(IpAddr, IpAddr)> {
    let s = s.split(['(', ',']).next().unwrap_or("").trim();
    if let Some((a, b)) = s
        .split_once(" - ")
        .or_else(|| s.split_once('-').filter(|(a, _)| !a.contains(':')))
    {
        let a: IpAddr = pad_v4(a.trim()).parse().ok()?;
        let b: IpAddr = pad_v4(b.trim()).parse().ok()?;
        return (a.is_ipv4() == b.is_ipv4() && a <= b).then_some((a, b));
    }
    if let Some((addr, len)) = s.split_once('/') {
        let len: u8 = len.trim().parse().ok()?;
        let addr: IpAddr = pad_v4(addr.trim()).parse().ok()?;
        let net = ipnet::IpNet::new(addr, len).ok()?.trunc();
        return Some((net.network(), net.broadcast()));
    }
    let ip: IpAddr = s.parse().ok()?;
    Some((ip, ip))
}

/// `200.57.128` → `200.57.128.0` (LACNIC's abbreviated CIDRs).
fn pad_v4(s: &str) -> String {
    if s.contains(':') || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return s.to_string();
    }
    let mut parts: Vec<&str> = s.split('.').collect();
    while parts.len() < 4 {
        parts.push("0");
    }
    parts.join(".")
}

fn mentions_abuse(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    [
        "abuse",
        "spam",
        "complain",
        "report",
        "misuse",
        "security incident",
    ]
    .iter()
    .any(|w| l.contains(w))
}

/// Keys whose addresses are bookkeeping, never contacts.
fn ignored_key(k: &str) -> bool {
    k.contains("updated")
        || k.contains("changed")
        || k.contains("notify")
        || k.contains("nfy")
        || k.starts_with("upd-to")
        || k.starts_with("mnt")
        || k.ends_with("ref")
        || k == "auth"
        || k == "created"
        || k == "last-modified"
}

/// The tier a key gives an address in its value, `None` when not a contact.
fn tier_of(key: &str, value: &str) -> Option<Tier> {
    if ignored_key(key) {
        return None;
    }
    if key == "rabuseemail" || key == "abuse-c" {
        return Some(Tier::Designated);
    }
    if key.contains("abuse") {
        return Some(Tier::Mailbox);
    }
    if matches!(
        key,
        "remarks" | "comment" | "descr" | "notes" | "note" | "remark" | ""
    ) {
        return Some(if mentions_abuse(value) {
            Tier::Remark
        } else {
            Tier::Other
        });
    }
    if key.contains("mail") || key.contains("contact") || key == "trouble" {
        return Some(if key == "trouble" && mentions_abuse(value) {
            Tier::Mailbox
        } else {
            Tier::Other
        });
    }
    None
}

const RATE_LIMIT: &[&str] = &[
    "%error:201",
    "%error:208",
    "limit exceeded",
    "query quota",
    "quota exceeded",
    "access control limit",
    "rate limit",
    "too many",
    "excessive querying",
    "daily limit",
    "access is too fast",
    "queries exceeded",
    "permanently denied",
    "not permitted",
    "was **denied**",
    "has been exceeded",
    "connection limit exceeded",
];

const UNAVAILABLE: &[&str] = &[
    "database is currently down",
    "unable to process your request",
    "service unavailable",
    "internal error",
    "closing connections because of timeout",
    "http/1.1 400 bad request",
];

const NOT_FOUND: &[&str] = &[
    "%error:101",
    "no entries found",
    "no match for",
    "no match found",
    "not found",
    "no data found",
    "no information available",
    "object does not exist",
    "no such domain",
    "nothing found",
];

/// Reads a rate-limit, outage or not-found answer; `None` for a normal answer.
fn outcome_of(text: &str, has_data: bool) -> Option<Outcome> {
    let first_lines = |pats: &[&str]| {
        text.lines().map(str::trim).find(|l| {
            let lower = l.to_ascii_lowercase();
            pats.iter().any(|p| lower.contains(p))
        })
    };
    if !has_data && let Some(l) = first_lines(UNAVAILABLE) {
        return Some(Outcome::Error(crate::sanitize::clip(l, 160)));
    }
    if let Some(l) = first_lines(RATE_LIMIT) {
        // A banner that merely explains limits, in an answer that has data, is not one.
        if !has_data || l.starts_with("%ERROR") || l.to_ascii_lowercase().contains("exceeded") {
            return Some(Outcome::RateLimited(crate::sanitize::clip(l, 160)));
        }
    }
    if has_data {
        return None;
    }
    if first_lines(NOT_FOUND).is_some() {
        return Some(Outcome::NotFound);
    }
    None
}

/// The whois server of a national registry named by an RPSL `source:` attribute.
pub fn nir_server(source: &str) -> Option<&'static str> {
    Some(match source.trim().to_ascii_uppercase().as_str() {
        "KRNIC" => "whois.nic.or.kr",
        "JPNIC" => "whois.nic.ad.jp",
        "TWNIC" => "whois.twnic.net",
        "IDNIC" => "whois.idnic.net",
        "CNNIC" => "whois.cnnic.cn",
        _ => return None,
    })
}

/// Reads `whois://host:port`, `rwhois://host:port/…` or a bare host.
pub fn parse_referral(v: &str) -> Option<Referral> {
    let v = v.trim();
    let (rwhois, rest) = if let Some(r) = contact::strip_scheme(v, "rwhois://") {
        (true, r)
    } else if let Some(r) = contact::strip_scheme(v, "whois://") {
        (false, r)
    } else if v.contains("://") {
        return None;
    } else {
        (false, v)
    };
    let hostport = rest.split(['/', ' ']).next().unwrap_or("");
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, Some(p.parse::<u16>().ok()?)),
        None => (hostport, None),
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.contains('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    valid.then_some(Referral {
        host,
        port,
        rwhois: rwhois || port == Some(4321),
    })
}

/// A network and the blocks that describe it.
type Section<'a> = (Net, Vec<&'a Block>);

/// Parses one answer.
pub fn parse(text: &str) -> Parsed {
    let text = normalise(text);
    let blocks = blocks(&text);
    let mut p = Parsed::empty();
    let (mut sections, before) = sections(&blocks);
    let handles = handles(&blocks);
    for (net, bs) in &mut sections {
        read_section(net, bs, &handles, &mut p.contact_handles);
    }
    p.loose = loose_contacts(&blocks, &before, &mut sections, &mut p.contact_handles);
    p.referral = referral(&blocks, &sections);
    // ARIN's summary of several nets: ask for the most specific by handle.
    if sections.is_empty() {
        let listed = summary_nets(&text);
        if let Some(best) = listed.iter().min_by_key(|n| n.size())
            && let Some(h) = &best.handle
        {
            p.followup = Some(format!("n ! {h}"));
        }
        if !listed.is_empty() {
            sections.extend(listed.into_iter().map(|n| (n, Vec::new())));
        }
    }

    domain_fields(&blocks, &mut p);
    let has_data =
        !sections.is_empty() || !p.loose.is_empty() || p.referral.is_some() || p.registrar.is_some();
    if let Some(o) = outcome_of(&text, has_data) {
        p.outcome = o;
    } else if text.trim().is_empty() {
        p.outcome = Outcome::Error("empty answer".into());
    } else if garbage(&text) {
        // Junk (or a server's noise), never an answer to keep for a day.
        p.outcome = Outcome::Error("the answer is not whois text".into());
    } else if sections.is_empty()
        && p.referral.is_none()
        && p.registrar.is_none()
        && whois_fields(&blocks) < 2
    {
        // No network, no referral, and not two fields any registry writes: an
        // address or a colon in free text does not make an answer.
        p.outcome = Outcome::Error("the answer has no whois fields".into());
    }
    p.networks = sections.into_iter().map(|(n, _)| n).collect();
    exclusions(&blocks, &mut p);
    dedupe_mirrors(&mut p.networks);
    p
}

/// A network block and the blocks after it, until the next one; and the blocks
/// before any network (banners, domain answers).
fn sections(blocks: &[Block]) -> (Vec<Section<'_>>, Vec<&Block>) {
    let mut sections: Vec<(Net, Vec<&Block>)> = Vec::new();
    let mut before: Vec<&Block> = Vec::new();
    for b in blocks {
        let net_line = b
            .lines
            .iter()
            .find(|l| NET_KEYS.contains(&l.key.as_str()) && parse_range(&l.value).is_some());
        match net_line {
            Some(l) => {
                let (first, last) = parse_range(&l.value).unzip();
                // ARIN prints NetRange and CIDR in one block; prefer the range.
                let range = b
                    .get(&["netrange", "inetnum", "inet6num", "ip-network-block"])
                    .unwrap_or(&l.value);
                let (first, last) = parse_range(range).map_or((first, last), |(a, z)| (Some(a), Some(z)));
                let net = Net {
                    first,
                    last,
                    range: crate::sanitize::clip(range, 80),
                    name: b.get(NAME_KEYS).map(|s| crate::sanitize::clip(s, 80)),
                    handle: b.get(HANDLE_KEYS).map(|s| crate::sanitize::clip(s, 80)),
                    org: None,
                    parent: b
                        .get(&["parent"])
                        .map(|s| crate::sanitize::clip(s, 80))
                        .filter(|s| s != "()"),
                    kind: b
                        .get(&["nettype", "status", "network-type", "allocation-type"])
                        .map(|s| crate::sanitize::clip(s, 60)),
                    country: b.get(&["country"]).map(|s| crate::sanitize::clip(s, 8)),
                    customer: b.get(CUSTOMER_KEYS).is_some(),
                    provider: b
                        .get(CUSTOMER_KEYS)
                        .and(b.get(&["organization", "org-name", "orgname"]))
                        .filter(|_| {
                            b.get(&["customer organization", "customer-organization", "customer-name"])
                                .is_some()
                        })
                        .map(|s| crate::sanitize::clip(strip_handle(s), 100)),
                    source: b
                        .get(&["source"])
                        .map(|s| s.split_whitespace().next().unwrap_or("").to_string()),
                    contacts: Vec::new(),
                    parent_contacts: Vec::new(),
                };
                sections.push((net, vec![b]));
            }
            None => match sections.last_mut() {
                Some((_, bs)) => bs.push(b),
                None => before.push(b),
            },
        }
    }
    (sections, before)
}

/// Every object of the answer by its handle, for abuse-c lookups. One pass and a
/// map (the first object of a handle wins), so that an answer of many blocks and
/// many abuse-c lines stays linear.
fn handles(blocks: &[Block]) -> HashMap<String, &Block> {
    let mut handles: HashMap<String, &Block> = HashMap::new();
    for b in blocks {
        for l in &b.lines {
            if matches!(
                l.key.as_str(),
                "nic-hdl" | "nic-hdl-br" | "irt" | "orgid" | "organisation" | "role-handle"
            ) && l.value.len() <= 100
            {
                handles.entry(l.value.to_ascii_lowercase()).or_insert(b);
            }
        }
    }
    handles
}

/// One network's holder and contacts, read from its section's blocks.
fn read_section(
    net: &mut Net,
    bs: &[&Block],
    handles: &HashMap<String, &Block>,
    contact_handles: &mut Vec<String>,
) {
    let by_handle = |h: &str| -> Option<&Block> { handles.get(&h.to_ascii_lowercase()).copied() };
    let mut found = Vec::new();
    // The holder: the best-named key of any block of the section.
    // The holder: a customer's own name first, else the best-named key.
    let customer_name = if net.customer {
        [
            "custname",
            "customer organization",
            "customer-organization",
            "customer-name",
        ]
        .iter()
        .find_map(|k| bs.iter().find_map(|b| b.get(&[k])))
    } else {
        None
    };
    let org = customer_name
        .or_else(|| ORG_KEYS.iter().find_map(|k| bs.iter().find_map(|b| b.get(&[k]))))
        // With no organisation field at all (APNIC often), the first `descr:`,
        // unless it describes a pool or a service rather than naming anyone.
        .or_else(|| {
            bs.iter()
                .find_map(|b| b.get(&["descr"]))
                .filter(|d| !pool_words(d) && !code_word(d))
        })
        // Else the role that administers it (RIPE: "BT Corporate Registry",
        // "Network Operation Centre Bouygues Telecom FAI"); never a person.
        .or_else(|| {
            bs.iter()
                .flat_map(|b| &b.lines)
                .filter(|l| matches!(l.key.as_str(), "admin-c" | "tech-c"))
                .find_map(|l| by_handle(&l.value)?.get(&["role"]))
        })
        .map(|s| crate::sanitize::clip(strip_handle(s), 100));
    for b in bs {
        collect_block(b, &mut found, contact_handles);
        if net.source.is_none() {
            net.source = b
                .get(&["source"])
                .map(|s| s.split_whitespace().next().unwrap_or("").to_string());
        }
        // abuse-c / abuse-handle → that object's addresses are the designated contact.
        for l in b
            .lines
            .iter()
            .filter(|l| matches!(l.key.as_str(), "abuse-c" | "orgabusehandle" | "rabusehandle"))
        {
            if let Some(obj) = by_handle(&l.value) {
                for ol in &obj.lines {
                    if ignored_key(&ol.key) {
                        continue;
                    }
                    if ol.key.contains("mail") {
                        let basis = format!(
                            "{} → {}",
                            crate::sanitize::clip(&l.raw, 100),
                            crate::sanitize::clip(&ol.raw, 100)
                        );
                        for e in contact::emails_in(&ol.value) {
                            if let Some(f) = Found::new(e, Tier::Designated, &basis) {
                                contact::merge(&mut found, f);
                            }
                        }
                    }
                }
            }
        }
    }
    net.org = org;
    contact::rank(&mut found);
    if net.customer {
        net.parent_contacts = found;
    } else {
        net.contacts = found;
    }
}

/// Contacts not tied to one network: those of the blocks before any network
/// (banners, domain answers), and comment lines; RIPE's "Abuse contact for
/// '<range>' is '<mail>'" goes to the network it names.
fn loose_contacts(
    blocks: &[Block],
    before: &[&Block],
    sections: &mut [Section<'_>],
    contact_handles: &mut Vec<String>,
) -> Vec<Found> {
    let mut loose = Vec::new();
    for b in before {
        collect_block(b, &mut loose, contact_handles);
    }
    for b in blocks {
        for c in &b.comments {
            if let Some(f) = abuse_contact_line(c) {
                // "% Abuse contact for '<range>' is '<mail>'": the network it names.
                let range = c.split('\'').nth(1).and_then(parse_range);
                let target = sections
                    .iter_mut()
                    .filter(|(n, _)| range.is_none_or(|(a, z)| n.first == Some(a) && n.last == Some(z)))
                    .min_by_key(|(n, _)| n.size());
                match target {
                    Some((n, _)) => {
                        contact::merge(&mut n.contacts, f);
                        contact::rank(&mut n.contacts);
                    }
                    None => contact::merge(&mut loose, f),
                }
            }
        }
        // Other comments, read as paragraphs (they wrap across lines).
        for para in paragraphs(&b.comments) {
            if abuse_contact_line(&para).is_none() && mentions_abuse(&para) {
                for e in contact::emails_in(&para) {
                    if let Some(f) = Found::new(e, Tier::Remark, &para) {
                        contact::merge(&mut loose, f);
                    }
                }
            }
        }
    }
    contact::rank(&mut loose);
    loose
}

/// Where the answer refers to: ARIN's `ReferralServer` (the last), IANA's
/// `refer`, a registrar's whois server, else the national registry it mirrors.
fn referral(blocks: &[Block], sections: &[Section<'_>]) -> Option<Referral> {
    let all_lines = || blocks.iter().flat_map(|b| b.lines.iter());
    let refer = all_lines()
        .find(|l| matches!(l.key.as_str(), "refer" | "whois"))
        .and_then(|l| parse_referral(&l.value));
    let arin = all_lines()
        .filter(|l| l.key == "referralserver")
        .filter_map(|l| parse_referral(&l.value))
        .next_back();
    let registrar_server = all_lines()
        .find(|l| matches!(l.key.as_str(), "registrar-whois-server" | "whois-server"))
        .and_then(|l| parse_referral(&l.value));
    arin.or(refer)
        .or(registrar_server)
        .or_else(|| nir_referral(sections, blocks))
}

/// A domain answer's registrar and registrant, and a route's origin AS.
fn domain_fields(blocks: &[Block], p: &mut Parsed) {
    let all_lines = || blocks.iter().flat_map(|b| b.lines.iter());
    p.registrar = all_lines()
        .find(|l| {
            matches!(
                l.key.as_str(),
                "registrar" | "registrar-name" | "sponsoring-registrar"
            )
        })
        .map(|l| crate::sanitize::clip(&l.value, 100))
        .filter(|s| !s.is_empty());
    p.registrant = all_lines()
        .find(|l| {
            matches!(
                l.key.as_str(),
                "registrant-organization" | "registrant-organisation" | "registrant"
            )
        })
        .map(|l| crate::sanitize::clip(&l.value, 100))
        .filter(|s| !s.is_empty() && !s.to_ascii_lowercase().contains("redacted"));
    p.origin_as = all_lines()
        .find(|l| matches!(l.key.as_str(), "originas" | "origin"))
        .and_then(|l| {
            l.value
                .trim()
                .trim_start_matches(['A', 'S', 'a', 's'])
                .split([',', ' '])
                .next()?
                .parse()
                .ok()
        });
}

/// What the record itself says about its addresses: "complaints sent to any other
/// POC will be ignored" (every address but the ones that paragraph names), "only
/// for whois information correction, send mail to …" (that address). Those are
/// demoted to [`Tier::Excluded`]: shown, never pre-selected.
fn exclusions(blocks: &[Block], p: &mut Parsed) {
    let mut only: Option<Vec<String>> = None;
    let mut excluded: Vec<String> = Vec::new();
    for b in blocks {
        // Comment and remarks lines, joined into paragraphs at empty ones.
        let mut paras: Vec<String> = vec![String::new()];
        for l in b
            .lines
            .iter()
            .filter(|l| matches!(l.key.as_str(), "comment" | "remarks" | "descr"))
        {
            if l.value.trim().is_empty() {
                paras.push(String::new());
            } else if let Some(last) = paras.last_mut() {
                last.push(' ');
                last.push_str(&l.value);
            }
        }
        let mut context = String::new();
        for para in paras.iter().chain(b.comments.iter()) {
            let lower = para.to_ascii_lowercase();
            if lower.contains("any other poc will be ignored")
                || lower.contains("other contacts will be ignored")
            {
                // The addresses named just before it (the same comment block) stay.
                let keep: Vec<String> = contact::emails_in(&context)
                    .into_iter()
                    .chain(contact::emails_in(para))
                    .map(str::to_ascii_lowercase)
                    .collect();
                only.get_or_insert_with(Vec::new).extend(keep);
            }
            context.push(' ');
            context.push_str(para);
        }
        // Line by line: a remark excludes the address on its own line only.
        for text in b
            .lines
            .iter()
            .filter(|l| matches!(l.key.as_str(), "comment" | "remarks" | "descr"))
            .map(|l| l.value.as_str())
            .chain(b.comments.iter().map(String::as_str))
        {
            let lower = text.to_ascii_lowercase();
            if lower.contains("only for whois")
                || lower.contains("whois information correction")
                || lower.contains("not for abuse")
                || lower.contains("not for spam")
            {
                excluded.extend(contact::emails_in(text).into_iter().map(str::to_ascii_lowercase));
            }
        }
    }
    if only.is_none() && excluded.is_empty() {
        return;
    }
    let demote = |list: &mut Vec<Found>| {
        for f in list.iter_mut() {
            let out =
                only.as_ref().is_some_and(|keep| !keep.contains(&f.email)) || excluded.contains(&f.email);
            if out {
                f.tier = Tier::Excluded;
                f.basis = crate::sanitize::clip(
                    &format!("{} (the record says complaints to it are not acted on)", f.basis),
                    200,
                );
            }
        }
        contact::rank(list);
    };
    for n in &mut p.networks {
        demote(&mut n.contacts);
        demote(&mut n.parent_contacts);
    }
    demote(&mut p.loose);
}

fn collect_block(b: &Block, found: &mut Vec<Found>, handles: &mut Vec<String>) {
    for l in &b.lines {
        let Some(tier) = tier_of(&l.key, &l.value) else {
            continue;
        };
        let emails = contact::emails_in(&l.value);
        if emails.is_empty() && tier <= Tier::Mailbox && l.key.contains("abuse") && l.key.contains("contact")
        {
            // rwhois `Abuse-Contact;I:ABUSE2492-ARIN`: a handle to resolve.
            let h = l.value.trim();
            if !h.is_empty() && !h.contains(' ') && h.len() < 40 && !handles.iter().any(|x| x == h) {
                handles.push(h.to_string());
            }
        }
        for e in emails {
            if let Some(f) = Found::new(e, tier, &l.raw) {
                contact::merge(found, f);
            }
        }
    }
}

/// `Google Inc. (GOGL)` → `Google Inc.`
fn strip_handle(s: &str) -> &str {
    match s
        .trim_end()
        .strip_suffix(')')
        .and_then(|x| x.rfind(" (").map(|i| &s[..i]))
    {
        Some(name) if !name.is_empty() => name.trim(),
        _ => s.trim(),
    }
}

/// Consecutive comment lines joined, split at empty ones.
fn paragraphs(comments: &[String]) -> Vec<String> {
    let mut out = vec![String::new()];
    for c in comments {
        let t = c.trim_start_matches(['%', '#']).trim();
        if t.is_empty() || split_key(t).is_some() {
            out.push(t.to_string());
        } else if let Some(last) = out.last_mut() {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(t);
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

/// `% Abuse contact for '…' is '…'` (RIPE, APNIC, AFRINIC).
fn abuse_contact_line(c: &str) -> Option<Found> {
    let lower = c.to_ascii_lowercase();
    if !lower.contains("abuse contact for") || lower.contains("no abuse contact") {
        return None;
    }
    let is = lower.rfind(" is ")?;
    let e = contact::emails_in(&c[is..]).into_iter().next()?;
    Found::new(e, Tier::Designated, c)
}

/// An APNIC/LACNIC answer mirroring a national registry's object: that registry.
fn nir_referral(sections: &[(Net, Vec<&Block>)], blocks: &[Block]) -> Option<Referral> {
    // LACNIC's joint whois names the registry holding the data:
    // `% LACNIC resource: whois.registro.br`.
    for c in blocks.iter().flat_map(|b| b.comments.iter()) {
        if let Some(host) = c.trim_start_matches(['%', ' ']).strip_prefix("LACNIC resource:")
            && let Some(r) = parse_referral(host)
            && r.host != "whois.lacnic.net"
        {
            return Some(r);
        }
    }
    for (n, _) in sections.iter().rev() {
        if let Some(host) = n.source.as_deref().and_then(nir_server) {
            return Some(Referral {
                host: host.into(),
                port: None,
                rwhois: false,
            });
        }
    }
    // "…please use the KRNIC whois server at whois.krnic.net."
    for b in blocks {
        for l in &b.lines {
            let lower = l.value.to_ascii_lowercase();
            if l.key == "remarks"
                && lower.contains("whois")
                && let Some(pos) = lower.find("whois.")
            {
                let host: String = lower[pos..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                    .collect();
                let host = host.trim_end_matches('.').to_string();
                if host.matches('.').count() >= 2
                    && !["whois.apnic.net", "whois.ripe.net", "whois.arin.net"].contains(&host.as_str())
                {
                    return Some(Referral {
                        host,
                        port: None,
                        rwhois: false,
                    });
                }
            }
        }
    }
    None
}

/// ARIN's `OrgName NetName (NET-…) first - last` summary lines.
fn summary_nets(text: &str) -> Vec<Net> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(open) = line.rfind('(') else { continue };
        let Some(close) = line[open..].find(')').map(|c| c + open) else {
            continue;
        };
        let handle = line[open + 1..close].trim();
        if !(handle.starts_with("NET-") || handle.starts_with("NET6-")) {
            continue;
        }
        let Some((a, z)) = parse_range(line[close + 1..].trim()) else {
            continue;
        };
        let head = line[..open].trim();
        let (org, name) = head.rsplit_once(char::is_whitespace).unwrap_or(("", head));
        out.push(Net {
            first: Some(a),
            last: Some(z),
            range: crate::sanitize::clip(line[close + 1..].trim(), 80),
            name: Some(crate::sanitize::clip(name, 80)),
            handle: Some(crate::sanitize::clip(handle, 80)),
            org: Some(crate::sanitize::clip(org.trim(), 100)).filter(|s| !s.is_empty()),
            ..Net::default()
        });
    }
    out
}

/// Mirrored objects (APNIC and IDNIC copies of one inetnum): keep one, merge contacts.
fn dedupe_mirrors(nets: &mut Vec<Net>) {
    let mut seen: std::collections::HashMap<(Option<IpAddr>, Option<IpAddr>), usize> =
        std::collections::HashMap::new();
    let mut kept: Vec<Net> = Vec::with_capacity(nets.len().min(MAX_NETWORKS));
    for n in nets.drain(..) {
        if let Some(&j) = seen.get(&(n.first, n.last)) {
            let into: &mut Net = &mut kept[j];
            for f in n.contacts {
                contact::merge(&mut into.contacts, f);
            }
            contact::rank(&mut into.contacts);
        } else if kept.len() < MAX_NETWORKS {
            seen.insert((n.first, n.last), kept.len());
            kept.push(n);
        }
    }
    *nets = kept;
}

/// The most networks read from one answer: a real one has a few (the block and
/// the allocations above it); a hostile one may have thousands.
pub const MAX_NETWORKS: usize = 32;

/// Mostly unprintable or binary: not whois text.
/// How many lines carry a field a registry writes (`inetnum`, `OrgAbuseEmail`,
/// `abuse-mailbox`, `[Network Number]`, …): read by the start of the key.
fn whois_fields(blocks: &[Block]) -> usize {
    const STARTS: &[&str] = &[
        "net",
        "inet",
        "route",
        "origin",
        "org",
        "owner",
        "country",
        "descr",
        "e-mail",
        "email",
        "mail",
        "abuse",
        "admin",
        "tech",
        "mnt",
        "source",
        "refer",
        "whois",
        "registr",
        "domain",
        "status",
        "address",
        "phone",
        "person",
        "role",
        "handle",
        "created",
        "changed",
        "last-modified",
        "updated",
        "remarks",
        "comment",
        "cidr",
        "parent",
        "customer",
        "aut-num",
        "as-name",
        "responsible",
        "nserver",
        "irt",
        "notify",
        "fax",
        "city",
        "stateprov",
        "postalcode",
        "ipv4",
        "ipv6",
        "ip-",
        "allocated",
        "assigned",
        "service-name",
        "network",
        "name",
        "auth",
        "ownerid",
        "nic-hdl",
        "member-of",
        "language",
        "geoloc",
        "ref",
        "regdate",
        "connect",
    ];
    blocks
        .iter()
        .flat_map(|b| b.lines.iter())
        .filter(|l| {
            let k = l.key.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
            !k.is_empty() && STARTS.iter().any(|s| k.starts_with(s))
        })
        .count()
}

fn garbage(text: &str) -> bool {
    let total = text.chars().count().max(1);
    let bad = text
        .chars()
        .filter(|c| c.is_control() && !c.is_whitespace() || *c == '\u{fffd}')
        .count();
    bad * 10 > total
}

/// The contacts of an answer in report order: the most specific network's own, then
/// those of the allocations above it (least specific last), then loose ones.
pub fn ranked_contacts(p: &Parsed, ip: Option<IpAddr>) -> (Vec<Found>, Vec<Found>) {
    let mut nets: Vec<&Net> = p
        .networks
        .iter()
        .filter(|n| ip.is_none_or(|ip| n.contains(ip) || n.first.is_none()))
        .collect();
    if nets.is_empty() {
        nets = p.networks.iter().collect();
    }
    nets.sort_by_key(|n| n.size());
    let mut owner = Vec::new();
    let mut isp = Vec::new();
    let mut owner_done = false;
    for n in nets {
        if !owner_done {
            if n.customer {
                for f in &n.parent_contacts {
                    contact::merge(&mut isp, f.clone());
                }
                owner_done = true;
                continue;
            }
            if !n.contacts.is_empty() {
                owner.clone_from(&n.contacts);
                owner_done = true;
                continue;
            }
        }
        for f in n.contacts.iter().chain(&n.parent_contacts) {
            if !owner.iter().any(|o: &Found| o.email == f.email) {
                contact::merge(&mut isp, f.clone());
            }
        }
    }
    // A domain answer's registrant, admin and tech addresses are not abuse desks.
    let domain_answer = p.networks.is_empty();
    for f in p
        .loose
        .iter()
        .filter(|f| !domain_answer || f.tier <= Tier::Registry)
    {
        if !owner.iter().chain(&isp).any(|o| o.email == f.email) {
            if owner.is_empty() && isp.is_empty() {
                contact::merge(&mut owner, f.clone());
            } else {
                contact::merge(&mut isp, f.clone());
            }
        }
    }
    contact::rank(&mut owner);
    contact::rank(&mut isp);
    (owner, isp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_whois_fields_is_not_an_answer() {
        // Printable junk passes a control-character test; it is still no answer.
        for junk in [
            "qwe rty uio pas dfg hjk lzx cvb nm\nasd fgh jkl\n",
            "\u{1}\u{2}zz\u{3}\u{4}\u{5}\u{6}",
        ] {
            assert!(matches!(parse(junk).outcome, Outcome::Error(_)), "{junk:?}");
        }
        assert!(matches!(parse("refer: whois.ripe.net\n").outcome, Outcome::Ok));
    }

    /// Issue 21: junk is never an answer, whatever its bytes: random bytes (as the
    /// client decodes them for a UTF-8, an EUC-KR and a `Shift_JIS` server) and
    /// mostly printable text with colons, at signs and dots in it.
    #[test]
    fn junk_of_any_kind_is_not_an_answer() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut kept = Vec::new();
        for i in 0..600 {
            let len = 20 + (next() % 3000) as usize;
            let bytes: Vec<u8> = if i % 2 == 0 {
                (0..len).map(|_| (next() & 0xff) as u8).collect()
            } else {
                // Printable, with the punctuation of fields and addresses.
                const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789    ::..@@-_/\n";
                (0..len)
                    .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                    .collect()
            };
            for server in ["whois.arin.net", "whois.nic.or.kr", "whois.nic.ad.jp"] {
                let text = crate::lookup::whois::decode(&bytes, server);
                if !matches!(parse(&text).outcome, Outcome::Error(_)) {
                    kept.push(text.chars().take(120).collect::<String>());
                }
            }
        }
        assert!(
            kept.is_empty(),
            "{} junk answers taken as answers, e.g. {:?}",
            kept.len(),
            kept.first()
        );
    }

    #[test]
    fn addresses_the_record_excludes_are_demoted() {
        let p = parse(
            "NetRange: 104.196.0.0 - 104.199.255.255\nNetName: GOOGLE-CLOUD\nOrgName: Google LLC\n\
             Comment: Complaints can also be sent to the GC Abuse desk\nComment: (google-cloud-compliance@google.com)\n\
             Comment: \nComment: Complaints sent to any other POC will be ignored.\n\n\
             OrgAbuseEmail: google-cloud-compliance@google.com\nOrgTechEmail: arin-contact@google.com\n",
        );
        let c = &p.networks[0].contacts;
        let tier = |e: &str| c.iter().find(|f| f.email == e).map(|f| f.tier);
        assert_eq!(tier("google-cloud-compliance@google.com"), Some(Tier::Mailbox));
        assert_eq!(tier("arin-contact@google.com"), Some(Tier::Excluded));
        let p = parse(
            "inetnum: 210.107.0.0 - 210.107.127.255\nnetname: X\nremarks: If related with spam, send mail to abuse@bora.net\n\
             remarks: Only for whois information correction, send mail to ipadm@nic.bora.net\ne-mail: ipadm@nic.bora.net\n",
        );
        let all: Vec<(String, Tier)> = p.networks[0]
            .contacts
            .iter()
            .map(|f| (f.email.clone(), f.tier))
            .collect();
        assert!(
            all.contains(&("ipadm@nic.bora.net".into(), Tier::Excluded)),
            "{all:?}"
        );
        assert_eq!(all[0].0, "abuse@bora.net");
    }

    #[test]
    fn ranges() {
        let v4 = |s: &str| parse_range(s).map(|(a, b)| (a.to_string(), b.to_string()));
        assert_eq!(
            v4("200.57.128/19"),
            Some(("200.57.128.0".into(), "200.57.159.255".into()))
        );
        assert_eq!(
            v4("112.216.0.0 - 112.223.255.255 (/13)"),
            Some(("112.216.0.0".into(), "112.223.255.255".into()))
        );
        assert_eq!(
            v4("1.2.0.0/16, 1.3.0.0/16"),
            Some(("1.2.0.0".into(), "1.2.255.255".into()))
        );
        assert_eq!(
            v4("2001:0240::/32"),
            Some((
                "2001:240::".into(),
                "2001:240:ffff:ffff:ffff:ffff:ffff:ffff".into()
            ))
        );
        assert_eq!(v4("garbage"), None);
        assert_eq!(v4("9.9.9.9 - 1.1.1.1"), None);
    }

    #[test]
    fn iana_refer_line() {
        // IANA's answer format (whois.iana.org): `refer:` names the registry's server.
        let p = parse(
            "% IANA WHOIS server\n\ninetnum:      74.0.0.0 - 74.255.255.255\norganisation: ARIN\nstatus:       ALLOCATED\n\nwhois:        whois.arin.net\n\nrefer:        whois.arin.net\n",
        );
        assert_eq!(p.referral.unwrap().host, "whois.arin.net");
    }

    #[test]
    fn lacnic_joint_whois_names_the_national_registry() {
        let p = parse(
            "% Joint Whois - whois.lacnic.net\r\n% LACNIC resource: whois.registro.br\r\n\r\ninetnum: 177.37.160/19\r\n",
        );
        assert_eq!(p.referral.unwrap().host, "whois.registro.br");
        let own = parse(
            "% Joint Whois - whois.lacnic.net\r\n% LACNIC resource: whois.lacnic.net\r\n\r\ninetnum: 200.57.128/19\r\n",
        );
        assert!(own.referral.is_none());
    }

    #[test]
    fn referrals() {
        let r = parse_referral("rwhois://rwhois.servernap.net:4321/").unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.rwhois),
            ("rwhois.servernap.net", Some(4321), true)
        );
        let r = parse_referral("whois://whois.apnic.net").unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.rwhois),
            ("whois.apnic.net", None, false)
        );
        assert_eq!(parse_referral("whois.ripe.net").unwrap().host, "whois.ripe.net");
        assert!(parse_referral("http://example.net").is_none());
        assert!(parse_referral("").is_none());
    }

    #[test]
    fn arin_customer_contacts_belong_to_the_parent() {
        let t = "NetRange: 174.79.32.0 - 174.79.63.255\nNetName: X\nCustomer: Cox (C1)\n\nCustName: Cox\n\nOrgAbuseEmail: abuse@cox.net\n";
        let p = parse(t);
        assert!(p.networks[0].customer);
        let (owner, isp) = ranked_contacts(&p, None);
        assert!(owner.is_empty());
        assert_eq!(isp[0].email, "abuse@cox.net");
    }

    #[test]
    fn rate_limits_and_not_found() {
        assert!(matches!(
            parse("%ERROR:201: access denied for 192.0.2.1\n").outcome,
            Outcome::RateLimited(_)
        ));
        assert!(matches!(
            parse("WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS\n").outcome,
            Outcome::RateLimited(_)
        ));
        assert_eq!(parse("%ERROR:101: no entries found\n").outcome, Outcome::NotFound);
        assert!(matches!(
            parse("\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}").outcome,
            Outcome::Error(_)
        ));
        assert!(matches!(parse("").outcome, Outcome::Error(_)));
    }

    #[test]
    fn updated_by_is_not_abuse() {
        let p = parse("network:IP-Network:69.10.58.0/24\nnetwork:Updated-By:abuse@interserver.net\n");
        assert!(p.networks[0].contacts.is_empty());
    }
}
