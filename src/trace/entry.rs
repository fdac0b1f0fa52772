//! The entry: the host of the party responsible for letting the spam in, and how it
//! got in (DESIGN.md §1a). Pure: the hops with their verdicts, a few header fields
//! and the provider tables in `assets/providers.toml`.
//!
//! The walk starts at the relay (the host that handed the message to the site) and
//! goes down as a person reading the header would:
//!
//! ```text
//!  relay R ─ the lines R wrote below it: its own machines (private, loopback,
//!            same operator), until a line records a host from outside (F)
//!    F's line shows a submission (ESMTPA, HTTP, MAPI, …)  → account classes, entry R
//!    R is a list or a forwarder                            → go on down from F
//!    F looks like a mail server                            → go on down from F
//!    F looks like an end user or ratware                   → open relay, entry R
//!  no line from outside below R                            → R sent it itself
//! ```

use std::net::IpAddr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::names;
use super::{Handoff, Hop};
use crate::message::fields;
use crate::received::{self, Kind, is_loopback, is_private};

/// How the spam got in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    OpenRelay,
    CompromisedAccount,
    Webmail,
    Freemail,
    Esp,
    SpammerHost,
    BotnetDirect,
    ListOrForward,
    #[default]
    Unknown,
}

impl Class {
    pub const ALL: [Class; 9] = [
        Class::OpenRelay,
        Class::CompromisedAccount,
        Class::Webmail,
        Class::Freemail,
        Class::Esp,
        Class::SpammerHost,
        Class::BotnetDirect,
        Class::ListOrForward,
        Class::Unknown,
    ];

    /// The JSON name (`open_relay`, …).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Class::OpenRelay => "open_relay",
            Class::CompromisedAccount => "compromised_account",
            Class::Webmail => "webmail",
            Class::Freemail => "freemail",
            Class::Esp => "esp",
            Class::SpammerHost => "spammer_host",
            Class::BotnetDirect => "botnet_direct",
            Class::ListOrForward => "list_or_forward",
            Class::Unknown => "unknown",
        }
    }

    /// In words, for the screen.
    #[must_use]
    pub fn words(self) -> &'static str {
        match self {
            Class::OpenRelay => "open relay",
            Class::CompromisedAccount => "compromised account",
            Class::Webmail => "webmail or web script",
            Class::Freemail => "free mail account",
            Class::Esp => "email service provider",
            Class::SpammerHost => "spammer's own host",
            Class::BotnetDirect => "infected or end-user machine sending directly",
            Class::ListOrForward => "list or forward",
            Class::Unknown => "unknown",
        }
    }

    /// The class after this one (the TUI's override key cycles through them).
    #[must_use]
    pub fn next(self) -> Class {
        let i = Class::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Class::ALL[(i + 1) % Class::ALL.len()]
    }

    /// Is there a party to write to by default?
    #[must_use]
    pub fn complains(self) -> bool {
        !matches!(self, Class::ListOrForward | Class::Unknown)
    }
}

/// How sure the reading is (ENTRY-CLASSES.md "Confidence").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// The entry (DESIGN.md §3 `entry`).
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub class: Class,
    /// The hop whose sender is the responsible host (the input point).
    pub hop: Option<usize>,
    pub ip: Option<IpAddr>,
    pub host: Option<String>,
    pub confidence: Confidence,
    pub evidence: Vec<String>,
    /// The client that submitted the message (account classes), when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<IpAddr>,
    /// The hop that shows that client (a Received line or the `X-Originating-IP`
    /// pseudo-hop): its lookup names the client's network, the second party of an
    /// account's or a webmail's complaints (DESIGN.md §1a).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_hop: Option<usize>,
    /// The account that submitted it, as the provider recorded it, and where:
    /// "user@example.com (Authenticated sender, hop 2)".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Fields in which the provider names the customer, campaign or message
    /// (free mail and ESP classes): "X-Responder-ID: 246060".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// The abuse desk the provider names in its own header field
    /// (`X-Complaints-To`, `X-Abuse-Reports-To`), only in one of its own domains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_desk: Option<String>,
    /// The known provider (free mail, ESP) by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

impl Entry {
    /// The submitting account without where it was read ("user@example.com").
    #[must_use]
    pub fn account_name(&self) -> Option<&str> {
        self.account.as_deref().and_then(|a| a.split(" (").next())
    }

    fn unknown(why: &str) -> Entry {
        Entry {
            class: Class::Unknown,
            hop: None,
            ip: None,
            host: None,
            confidence: Confidence::Low,
            evidence: vec![why.to_string()],
            client: None,
            client_hop: None,
            account: None,
            ids: Vec::new(),
            provider_desk: None,
            provider: None,
        }
    }
}

// ---------------------------------------------------------------------------
// The provider tables.

#[derive(Debug, Deserialize)]
struct Tables {
    freemail: Vec<Freemail>,
    esp: Vec<Esp>,
    org: Vec<Org>,
    webmail: Webmail,
    forwarders: Forwarders,
    #[serde(default)]
    ids: Ids,
}

/// Header fields in which providers name the customer, campaign or message.
#[derive(Debug, Default, Deserialize)]
struct Ids {
    generic: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Freemail {
    name: String,
    hosts: Vec<String>,
    mailboxes: Vec<String>,
    consumer_only: bool,
}

#[derive(Debug, Deserialize)]
struct Esp {
    name: String,
    hosts: Vec<String>,
    mailers: Vec<String>,
    #[serde(default)]
    ids: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Org {
    name: String,
    domains: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Webmail {
    mailers: Vec<String>,
    hosts: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Forwarders {
    domains: Vec<String>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        // Shipped inside the binary and checked by a unit test: it always reads.
        toml::from_str(include_str!("../../assets/providers.toml")).unwrap_or(Tables {
            freemail: Vec::new(),
            esp: Vec::new(),
            org: Vec::new(),
            webmail: Webmail {
                mailers: Vec::new(),
                hosts: Vec::new(),
            },
            forwarders: Forwarders { domains: Vec::new() },
            ids: Ids::default(),
        })
    })
}

/// Whether some provider names its customers, campaigns or messages in the field
/// `name` (lower case).
fn is_id_field(name: &str) -> bool {
    static NAMES: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    NAMES
        .get_or_init(|| {
            let t = tables();
            t.ids
                .generic
                .iter()
                .chain(t.esp.iter().flat_map(|e| &e.ids))
                .map(|f| f.to_ascii_lowercase())
                .collect()
        })
        .contains(name)
}

/// The abuse address a provider names in its own header field, when it is in one
/// of the provider's own domains (`hosts`): a spammer can write the field too, but
/// cannot make the provider's domain theirs.
fn provider_desk(ctx: &Context, hosts: &[String]) -> Option<String> {
    ctx.id_fields
        .iter()
        .filter(|(name, _)| {
            name.eq_ignore_ascii_case("x-complaints-to") || name.eq_ignore_ascii_case("x-abuse-reports-to")
        })
        .flat_map(|(_, value)| addresses(value))
        .find(|a| {
            // A whole, plain address: nothing around the domain, a plain local part.
            let Some((local, domain)) = a.rsplit_once('@') else {
                return false;
            };
            !local.is_empty()
                && local
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._+-=".contains(c))
                && domain_of_address(a).is_some_and(|d| d == domain)
                && names::registrable(domain).is_some_and(|d| hosts.contains(&d))
        })
}

/// Most provider fields quoted in a complaint.
const MAX_IDS: usize = 6;

/// The provider fields of the message that `provider` (an ESP's name, or none for
/// a free mail service) or any provider writes: "X-Responder-ID: 246060".
fn provider_ids(ctx: &Context, provider: Option<&Esp>) -> Vec<String> {
    let theirs = |name: &str| {
        provider.is_some_and(|e| e.ids.iter().any(|f| f.eq_ignore_ascii_case(name)))
            || tables().ids.generic.iter().any(|f| f.eq_ignore_ascii_case(name))
    };
    ctx.id_fields
        .iter()
        .filter(|(name, _)| theirs(name))
        .map(|(name, value)| crate::sanitize::clip(&format!("{name}: {value}"), 150))
        .take(MAX_IDS)
        .collect()
}

/// The operator a host name belongs to: a known operator's name, else its
/// registrable domain without the public suffix ("alpha-mail" for both
/// alpha-mail.net and alpha-mail.jp).
#[must_use]
pub fn org_of(host: &str) -> Option<String> {
    let d = names::registrable(host)?;
    if let Some(o) = tables().org.iter().find(|o| o.domains.contains(&d)) {
        return Some(o.name.clone());
    }
    let suffix = psl::suffix(d.as_bytes()).map_or(0, |s| s.as_bytes().len());
    let brand = d.get(..d.len().saturating_sub(suffix + 1)).unwrap_or(&d);
    (!brand.is_empty()).then(|| brand.to_string())
}

/// Is `domain` (registrable) one of a known operator's, whose internal host names
/// (Exchange Online mailbox servers, Google's frontends) are not end-user names?
#[must_use]
pub fn known_operator(domain: &str) -> bool {
    let t = tables();
    t.org.iter().any(|o| o.domains.iter().any(|d| d == domain))
        || t.freemail.iter().any(|f| f.hosts.iter().any(|d| d == domain))
        || t.esp.iter().any(|e| e.hosts.iter().any(|d| d == domain))
}

fn freemail_of(host: &str) -> Option<&'static Freemail> {
    let d = names::registrable(host)?;
    tables().freemail.iter().find(|f| f.hosts.contains(&d))
}

fn esp_of(host: &str) -> Option<&'static Esp> {
    let d = names::registrable(host)?;
    tables().esp.iter().find(|e| e.hosts.contains(&d))
}

fn is_forwarder(host: &str) -> bool {
    names::registrable(host).is_some_and(|d| tables().forwarders.domains.contains(&d))
}

fn webmail_host(host: &str) -> bool {
    let n = names::norm(host);
    n.split(['.', '-']).any(|label| {
        let l = label.trim_end_matches(|c: char| c.is_ascii_digit());
        tables().webmail.hosts.iter().any(|w| l == w)
    })
}

// ---------------------------------------------------------------------------
// What the header says besides the Received lines.

/// The header fields the classes rest on.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub mailer: Option<String>,
    /// List addresses: List-Post, List-Id, and `Sender:` / envelope owners.
    pub lists: Vec<String>,
    /// The sender's domains: From, DKIM `d=`, Authentication-Results header.from.
    pub sender_domains: Vec<String>,
    /// The From address's domain (the first From).
    pub from_domain: Option<String>,
    pub dkim_domains: Vec<String>,
    pub return_path: Option<String>,
    pub originating_ip: Option<IpAddr>,
    /// X-Authenticated-Sender, X-AntiAbuse, X-Get-Message-Sender-Via: (field, value).
    pub auth_headers: Vec<(String, String)>,
    /// X-MS-Exchange-CrossTenant-AuthAs / X-ClientProxiedBy: an Exchange client submission.
    pub exchange_client: Option<String>,
    /// Fields in which a provider names the customer, campaign or message: (the
    /// field's name as written, value).
    pub id_fields: Vec<(String, String)>,
}

fn clean(v: &[u8]) -> String {
    let s = String::from_utf8_lossy(v);
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::sanitize::clip(&one, 200)
}

fn domain_of_address(s: &str) -> Option<String> {
    let at = s.rfind('@')?;
    let d: String = s[at + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .collect();
    let d = d.trim_end_matches('.').to_ascii_lowercase();
    (d.contains('.')).then_some(d)
}

/// `local@domain` addresses in a text, lower-cased.
fn addresses(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';' | '"' | '(' | ')' | ':'))
        .filter(|w| w.contains('@') && w.len() < 200)
        .map(|w| w.trim_matches('.').to_ascii_lowercase())
        .filter(|w| domain_of_address(w).is_some())
        .collect()
}

/// The list's own address from a list owner's address (`ilug-admin@linux.ie`,
/// `owner-freebsd-stable@freebsd.org`, `x-bounces@…`).
fn list_of_owner(a: &str) -> String {
    let (local, dom) = a.split_once('@').unwrap_or((a, ""));
    let local = local
        .strip_prefix("owner-")
        .or_else(|| local.strip_suffix("-admin"))
        .or_else(|| local.strip_suffix("-bounces"))
        .or_else(|| local.strip_suffix("-owner"))
        .or_else(|| local.strip_suffix("-request"))
        .unwrap_or(local);
    format!("{local}@{dom}")
}

/// The header fields [`Context::from_header`] reads.
const CONTEXT_FIELDS: &[&str] = &[
    "x-mailer",
    "user-agent",
    "list-post",
    "list-id",
    "sender",
    "errors-to",
    "x-beenthere",
    "from",
    "dkim-signature",
    "authentication-results",
    "arc-authentication-results",
    "return-path",
    "x-originating-ip",
    // Open WebMail's spelling.
    "x-originatingip",
    "x-authenticated-sender",
    "x-antiabuse",
    "x-get-message-sender-via",
    "x-authenticated-user",
    "x-ms-exchange-crosstenant-authas",
    "x-clientproxiedby",
    "x-ms-exchange-organization-authas",
];

impl Context {
    /// Reads the fields from a header section.
    #[must_use]
    pub fn from_header(header: &[u8]) -> Context {
        let mut c = Context::default();
        for f in fields(header).take(2000) {
            let name = String::from_utf8_lossy(f.name).to_ascii_lowercase();
            // Only the fields read below are cleaned (the Received lines, most of
            // a header section, are not: that was an eighth of `hops`' time).
            if !CONTEXT_FIELDS.contains(&name.as_str()) {
                if c.id_fields.len() < 2 * MAX_IDS && is_id_field(&name) {
                    let written = clean(f.name);
                    c.id_fields.push((written, clean(f.value)));
                }
                continue;
            }
            let value = clean(f.value);
            match name.as_str() {
                "x-mailer" | "user-agent" if c.mailer.is_none() => c.mailer = Some(value),
                "list-post" => c.lists.extend(addresses(&value.replace("mailto:", " "))),
                "list-id" => {
                    // "Name <ilug.linux.ie>": the first label is the list, the rest the domain.
                    let id = value
                        .rsplit_once('<')
                        .map_or(value.as_str(), |(_, r)| r.trim_end_matches('>'));
                    if let Some((l, d)) = id.trim().split_once('.')
                        && d.contains('.')
                    {
                        c.lists.push(format!("{l}@{d}").to_ascii_lowercase());
                    }
                }
                "sender" | "errors-to" | "x-beenthere" => {
                    for a in addresses(&value) {
                        let lower = a.to_ascii_lowercase();
                        if name == "x-beenthere"
                            || lower.starts_with("owner-")
                            || ["-admin@", "-bounces@", "-owner@", "-request@"]
                                .iter()
                                .any(|m| lower.contains(m))
                        {
                            c.lists.push(list_of_owner(&lower));
                        }
                    }
                }
                "from" => {
                    if let Some(d) = addresses(&value).first().and_then(|a| domain_of_address(a)) {
                        c.from_domain.get_or_insert_with(|| d.clone());
                        c.sender_domains.push(d);
                    }
                }
                "dkim-signature" => {
                    if let Some(d) = value
                        .split(';')
                        .find_map(|t| t.trim().strip_prefix("d="))
                        .map(|d| d.trim().to_ascii_lowercase())
                    {
                        c.dkim_domains.push(d.clone());
                        c.sender_domains.push(d);
                    }
                }
                "authentication-results" | "arc-authentication-results" => {
                    if let Some(i) = value.find("header.from=") {
                        let d: String = value[i + 12..]
                            .chars()
                            .take_while(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-'))
                            .collect();
                        if d.contains('.') {
                            c.sender_domains.push(d.to_ascii_lowercase());
                        }
                    }
                }
                "return-path" => c.return_path = addresses(&value).first().and_then(|a| domain_of_address(a)),
                "x-originating-ip" | "x-originatingip" if c.originating_ip.is_none() => {
                    c.originating_ip = value
                        .split([' ', ',', '[', ']'])
                        .find_map(received::parse_ip_token);
                }
                "x-authenticated-sender"
                | "x-antiabuse"
                | "x-get-message-sender-via"
                | "x-authenticated-user" => {
                    c.auth_headers.push((name.clone(), value));
                }
                "x-ms-exchange-crosstenant-authas"
                | "x-clientproxiedby"
                | "x-ms-exchange-organization-authas" => {
                    c.exchange_client.get_or_insert(format!("{name}: {value}"));
                }
                _ => {}
            }
        }
        c.lists.sort();
        c.lists.dedup();
        c.sender_domains.dedup();
        c
    }

    fn webmail_mailer(&self) -> Option<&str> {
        let m = self.mailer.as_deref()?;
        let l = m.to_ascii_lowercase();
        tables()
            .webmail
            .mailers
            .iter()
            .any(|w| l.contains(w.as_str()))
            .then_some(m)
    }

    fn esp_by_mailer(&self) -> Option<&'static Esp> {
        let l = self.mailer.as_deref()?.to_ascii_lowercase();
        tables()
            .esp
            .iter()
            .find(|e| e.mailers.iter().any(|w| l.contains(w.as_str())))
    }
}

// ---------------------------------------------------------------------------
// The walk.

/// A Received line quoted as evidence: one line, white space collapsed, clipped.
fn quote(raw: &str, max: usize) -> String {
    crate::sanitize::clip(&raw.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

/// The sender of a hop as a person would name it.
fn label(h: &Hop) -> String {
    let ip = h.from_ip.map_or_else(|| "?".to_string(), |ip| ip.to_string());
    match (&h.from_rdns, &h.from_helo) {
        (Some(r), _) => format!("{} [{ip}]", names::norm(r)),
        (None, Some(helo)) => format!("{helo} [{ip}] (HELO; no reverse DNS)"),
        (None, None) => format!("[{ip}] (no reverse DNS)"),
    }
}

/// A name for the sender host: its reverse DNS, else its HELO.
fn sender_name(h: &Hop) -> Option<&str> {
    let named = |n: &&str| !received::is_ip_literal(n);
    let full = |n: &&str| names::registrable(n).is_some();
    let rdns = h.from_rdns.as_deref().filter(named);
    let helo = h.from_helo.as_deref().filter(named);
    match (rdns, helo) {
        // A bare reverse-DNS name ("amout07") and its full form as HELO.
        (Some(r), Some(x))
            if !full(&r) && full(&x) && names::norm(x).starts_with(&format!("{}.", names::norm(r))) =>
        {
            Some(x)
        }
        (Some(r), _) => Some(r),
        (None, x) => x,
    }
}

/// The name that says who runs the host: its reverse DNS, or its HELO when the
/// host wrote a believable line below under that same name.
fn provider_name(hops: &[Hop], p: usize) -> Option<&str> {
    let h = &hops[p];
    // A big provider's servers have names of their own (`mail-ej1-f67.google.com`);
    // its bare mailbox domain (`hotmail.com`) is what ratware calls itself.
    let bare = |n: &str| bare_big_provider(n);
    if let Some(r) = h.from_rdns.as_deref().filter(|r| names::registrable(r).is_some()) {
        return (!bare(r)).then_some(r);
    }
    let helo = h.from_helo.as_deref()?;
    let b = next_line(hops, p)?;
    (hops[b].handoff == Handoff::Verified
        && hops[b]
            .by
            .as_deref()
            .is_some_and(|by| org_of(by).is_some() && org_of(by) == org_of(helo)))
    .then_some(helo)
}

/// Is `name` a big mail provider's bare domain (`hotmail.com`, `gmail.com`)? No
/// server of theirs is named so; ratware calls itself that.
fn bare_big_provider(name: &str) -> bool {
    names::big_provider(name).is_some() && names::registrable(name).is_some_and(|d| d == names::norm(name))
}

/// The address in parentheses after the `by` host (`by SRV-MAIL-1.x.local (10.47.250.16)`).
pub(crate) fn by_ip(raw: &str) -> Option<IpAddr> {
    let lower = raw.to_ascii_lowercase();
    let at = lower.find(" by ")?;
    let rest = &raw[at + 4..];
    let rest = rest.get(..rest.len().min(120)).unwrap_or(rest);
    let open = rest.find('(')?;
    let close = rest[open..].find(')')? + open;
    if rest[..open].trim().contains(' ') {
        return None;
    }
    rest[open + 1..close]
        .split([' ', '[', ']'])
        .find_map(received::parse_ip_token)
}

/// A private or loopback address: a host's own inside.
#[must_use]
pub fn internal(ip: IpAddr) -> bool {
    is_private(ip) || is_loopback(ip)
}

/// Is hop `hb` a line the sender of `hp` (the line above) made up from a template,
/// as spamware does below its own connection? Its `by` is empty (`by ;`), not a
/// host name (an unexpanded `%MACRO`, junk), or the sender's own address literal
/// or own generic (end-user) name. A real server that names itself by its address
/// (qmail-ldap's `by 212.198.2.120`) or its line's name writes how it took the
/// message (`with`, a queue id): only a line without them counts.
fn template_line(hb: &Hop, hp: &Hop) -> bool {
    if hb.kind != Kind::Transfer {
        return false;
    }
    let by = hb.by.as_deref().map_or("", str::trim);
    if by.is_empty() {
        // Only a `by` written empty: an old line without one is not evidence.
        let lower = hb.raw.to_ascii_lowercase();
        return lower.contains(" by ;") || lower.contains(" by  ;") || lower.trim_end().ends_with(" by");
    }
    let literal = received::parse_ip_token(by);
    let host_like = literal.is_some()
        || by
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
            && by.bytes().any(|c| c.is_ascii_alphabetic());
    // An unexpanded macro is a template whatever else the line holds.
    if by.contains(['%', '$']) || hb.raw.contains("%REC") || hb.raw.contains("%RND") {
        return true;
    }
    // A real server that names itself oddly (magicmail's `by 0`, an AppleShare
    // server by its line's name) still writes how it took the message.
    let bare = hb.with.is_none() && hb.id.is_none();
    if bare && (!host_like || literal.is_some() && literal == hp.from_ip) {
        return true;
    }
    // Its own generic name, as the connection above recorded it: a server knows
    // itself by its own name, not by the access ISP's name for the line.
    let own_name = [hp.from_rdns.as_deref(), hp.from_helo.as_deref()]
        .into_iter()
        .flatten()
        .any(|n| names::same_host(n, by));
    own_name && names::is_generic_rdns(by, hp.from_ip) && hb.id.is_none()
}

/// Can hop `b` be believed to be written by the sender of hop `p` (the line above)?
fn written_by(hops: &[Hop], b: usize, p: usize) -> bool {
    let (hb, hp) = (&hops[b], &hops[p]);
    if template_line(hb, hp) {
        return false;
    }
    match hb.handoff {
        Handoff::Verified | Handoff::Trusted | Handoff::Internal => true,
        // A real line of the host above that records a client who lied (a false
        // HELO) still chains; a made-up line does not.
        Handoff::Inconsistent => hb.chained && !hb.forged,
        Handoff::Unverified => {
            hp.from_ip
                .is_some_and(|ip| internal(ip) || by_ip(&hb.raw) == Some(ip))
                || hb.by.as_deref().is_none_or(|by| {
                    names::registrable(by).is_none()
                        && !received::is_ip_literal(by)
                        && by.parse::<IpAddr>().is_err()
                })
                || hb.kind == Kind::Originating
        }
    }
}

/// The next line below `j` that records a hand-off (Received transfers and the
/// X-Originating-IP pseudo-hop).
fn next_line(hops: &[Hop], j: usize) -> Option<usize> {
    (j + 1..hops.len()).find(|&k| matches!(hops[k].kind, Kind::Transfer | Kind::Originating))
}

/// What a line shows about how the message was submitted to its writer.
#[derive(Debug, Default)]
struct Submission {
    auth: Option<String>,
    http: Option<String>,
    mapi: Option<String>,
    web_script: Option<String>,
    client: Option<IpAddr>,
    webmail_front: Option<String>,
    /// The line of a mail client's submission the server recorded (X-Originating-IP
    /// names the same address).
    client_line: Option<usize>,
}

impl Submission {
    fn any(&self) -> bool {
        self.auth.is_some()
            || self.http.is_some()
            || self.mapi.is_some()
            || self.web_script.is_some()
            || self.client_line.is_some()
    }
}

fn with_word(h: &Hop) -> String {
    h.with.as_deref().unwrap_or("").to_ascii_lowercase()
}

/// Reads the submission signs of one line.
fn read_submission(h: &Hop, s: &mut Submission) {
    let with = with_word(h);
    let q = |h: &Hop| quote(&h.raw, 160);
    if s.auth.is_none() {
        let authed =
            matches!(
                with.as_str(),
                "esmtpa" | "esmtpsa" | "lmtpa" | "lmtpsa" | "smtpa" | "smtpsa"
            ) || h.auth.as_deref().is_some_and(|a| {
                !a.eq_ignore_ascii_case("mapi") && !a.to_ascii_lowercase().starts_with("http")
            }) || h.raw.to_ascii_lowercase().contains("authenticated sender:")
                || h.ident.as_deref().is_some_and(|i| i.contains('@'));
        if authed {
            s.auth = Some(format!("hop {}: {}", h.index, q(h)));
            s.client = s.client.or(h.from_ip);
            if let Some(n) = sender_name(h).filter(|n| webmail_host(n)) {
                s.webmail_front = Some(n.to_string());
            }
        }
    }
    if s.http.is_none() && (with == "http" || with == "https" && h.from_ip.is_some_and(|ip| !is_loopback(ip)))
    {
        s.http = Some(format!("hop {}: {}", h.index, q(h)));
        s.client = s.client.or(h.from_ip);
    }
    if s.mapi.is_none() && with == "mapi" {
        s.mapi = Some(format!("hop {}: {}", h.index, q(h)));
    }
}

/// `(qmail … invoked by uid 33)`, `from userid 48`: a web server's user injecting mail.
fn web_script(h: &Hop) -> Option<String> {
    let l = h.raw.to_ascii_lowercase();
    let uid: u32 = l
        .split("invoked by uid ")
        .nth(1)
        .or_else(|| l.split("from userid ").nth(1))?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()?;
    // www-data (33), apache (48), nobody (65534, 99), httpd/wwwrun (30, 80, 81).
    [33, 48, 99, 30, 80, 81, 65534]
        .contains(&uid)
        .then(|| format!("hop {}: {}", h.index, quote(&h.raw, 120)))
}

/// Why a sender looks like an end user's machine or ratware rather than a mail
/// server someone runs; `None` when it looks like a mail server.
fn end_user_signs(h: &Hop) -> Option<String> {
    let ip = h.from_ip?;
    if let Some(i) = &h.ident
        && !i.contains('@')
    {
        return Some(format!("it connected through an open proxy (IDENT {i}@[{ip}])"));
    }
    let helo_bad = |helo: &str| received::is_ip_literal(helo) || !helo.contains('.');
    match (&h.from_rdns, &h.from_helo) {
        (Some(r), _) if names::is_generic_rdns(r, Some(ip)) => {
            Some(format!("{} has a generic end-user name", label(h)))
        }
        (None, _) => Some(format!("{} has no reverse DNS", label(h))),
        (Some(_), None) => Some(format!("{} gave no HELO", label(h))),
        (Some(_), Some(helo)) if helo_bad(helo) => {
            Some(format!("{} said HELO {helo}, not a host name", label(h)))
        }
        (Some(r), Some(helo)) => {
            let (hn, rn) = (names::norm(helo), names::norm(r));
            let same = hn == rn
                || !rn.contains('.') && hn.starts_with(&format!("{rn}."))
                || org_of(helo).is_some() && org_of(helo) == org_of(r);
            (!same).then(|| format!("{} said HELO {helo}, which is not its name", label(h)))
        }
    }
}

/// Is `h`'s sender an outside host (not the same machine or network as `above`)?
fn foreign(h: &Hop, above: &Hop) -> bool {
    match (h.from_ip, above.from_ip) {
        (None, _) => false,
        (Some(ip), _) if internal(ip) => false,
        (Some(ip), Some(a)) if ip == a => false,
        _ => true,
    }
}

/// The lines the host of hop `p` wrote, down to the first outside sender: what
/// they say of how the message was submitted, and who is below.
fn host_lines(hops: &[Hop], p: usize, ctx: &Context) -> Found {
    let mut sub = Submission::default();
    let mut lan_client = None;
    let mut loopback_helo = None;
    let mut below = None;
    let mut forged_below = None;
    let mut cur = p;
    while let Some(b) = next_line(hops, cur) {
        let hb = &hops[b];
        if hb.kind == Kind::Originating {
            sub.client = sub.client.or(hb.from_ip);
            break;
        }
        if !written_by(hops, b, cur) {
            forged_below = Some(b);
            break;
        }
        if foreign(hb, &hops[p]) {
            let same_org = sender_name(hb)
                .and_then(org_of)
                .is_some_and(|o| Some(o) == sender_name(&hops[p]).and_then(org_of));
            let named_alike = hb.from_rdns.is_none() && hb.handoff == Handoff::Verified;
            if same_org && (end_user_signs(hb).is_none() || named_alike) {
                // Another machine of the same operator: still inside.
                read_submission(hb, &mut sub);
                cur = b;
                continue;
            }
            below = Some(b);
            break;
        }
        read_submission(hb, &mut sub);
        if let Some(ip) = hb.from_ip {
            if is_loopback(ip) {
                if let Some(helo) = &hb.from_helo
                    && !names::same_host(helo, "localhost")
                    && names::registrable(helo).is_some()
                    && org_of(helo) != sender_name(&hops[p]).and_then(org_of)
                {
                    loopback_helo.get_or_insert_with(|| (b, helo.clone()));
                }
            } else if is_private(ip) && lan_client.is_none() && ip != hops[p].from_ip.unwrap_or(ip) {
                lan_client = Some(b);
            }
        }
        cur = b;
    }
    // The same client recorded again further down (qmail's `user@domain@[ip]`).
    if let Some(b) = below {
        read_submission(&hops[b], &mut sub);
        if ctx.originating_ip.is_some() && ctx.originating_ip == hops[b].from_ip {
            sub.client_line = Some(b);
        }
        let ip = hops[b].from_ip;
        for hk in &hops[b + 1..] {
            if hk.kind == Kind::Transfer && hk.from_ip == ip {
                read_submission(hk, &mut sub);
            }
        }
    }
    if sub.web_script.is_none() {
        sub.web_script = (p + 1..hops.len())
            .filter(|&k| hops[k].kind == Kind::Local)
            .find_map(|k| web_script(&hops[k]));
    }
    Found {
        below,
        forged_below,
        sub,
        lan_client,
        loopback_helo,
    }
}

/// The hop that shows the entry's submitting client: the first one below the
/// entry whose sender is the public address the entry recorded as its client.
#[must_use]
pub fn client_hop(hops: &[Hop], e: &Entry) -> Option<usize> {
    let client = e.client.filter(|ip| !internal(*ip))?;
    let below = e.hop.map_or(0, |h| h + 1);
    hops.iter()
        .skip(below)
        .find(|h| h.from_ip == Some(client))
        .filter(|h| super::is_external(h))
        .map(|h| h.index)
}

/// The entry of a traced message.
#[must_use]
pub fn find(hops: &[Hop], relay: Option<usize>, ctx: &Context) -> Entry {
    let Some(relay) = relay else {
        return inside_provider(hops, ctx).unwrap_or_else(|| {
            Entry::unknown("no hop came from outside your site: there is nobody outside to write to")
        });
    };
    if hops[relay].from_ip.is_none() {
        return Entry::unknown("the relay names no sender address");
    }
    let mut p = relay;
    let mut evidence = Vec::new();
    let mut steps = 0;
    loop {
        steps += 1;
        let found = host_lines(hops, p, ctx);
        let below = found.below;
        let host = &hops[p];
        let passage = passage(hops, p, below, ctx);
        if let (Some(why), Some(b)) = (passage.clone(), below)
            && !found.sub.any()
            && steps < 50
        {
            evidence.push(why);
            p = b;
            continue;
        }
        // An outside mail server handed it to this host: go down to it.
        if let Some(b) = below
            && !found.sub.any()
            && steps < 50
            && (end_user_signs(&hops[b]).is_none() || relays_itself(hops, b))
        {
            evidence.push(format!(
                "hop {b}: {} handed it to {}, a mail server passing it on",
                label(&hops[b]),
                label(host)
            ));
            p = b;
            continue;
        }
        return classify(hops, p, &found, ctx, evidence);
    }
}

/// What the walk found below the candidate host.
struct Found {
    below: Option<usize>,
    forged_below: Option<usize>,
    sub: Submission,
    lan_client: Option<usize>,
    loopback_helo: Option<(usize, String)>,
}

/// A sender with an end-user look that is still a relay: the line below it is its
/// own, believable, and records yet another outside host handing it the message
/// (an ISP smarthost's customer server).
fn relays_itself(hops: &[Hop], b: usize) -> bool {
    let Some(c) = next_line(hops, b) else { return false };
    let hc = &hops[c];
    hc.kind == Kind::Transfer
        && hc.handoff == Handoff::Verified
        && foreign(hc, &hops[b])
        && hops[b].ident.is_none()
        && hops[b].from_rdns.is_some()
}

/// Is the host of hop `p` a list or a forwarder that took the message from `below`?
fn passage(hops: &[Hop], p: usize, below: Option<usize>, ctx: &Context) -> Option<String> {
    let b = below?;
    let host = &hops[p];
    let line = &hops[b];
    let to_list = line
        .for_
        .as_deref()
        .map(str::to_ascii_lowercase)
        .filter(|f| ctx.lists.iter().any(|l| f.contains(l.as_str())));
    let owner_env = (p + 1..=b).find_map(|k| {
        let e = hops[k].envfrom.as_deref()?.to_ascii_lowercase();
        (e.starts_with("owner-") || e.contains("-bounces@") || e.contains("-admin@")).then_some(e)
    });
    if let Some(list) = to_list {
        return Some(format!(
            "hop {b}: the list server {} took it for the list address <{list}>: a hop of passage",
            label(host)
        ));
    }
    if let Some(e) = owner_env
        && !ctx.lists.is_empty()
    {
        return Some(format!(
            "the list server {} sent it on as {e}: a hop of passage",
            label(host)
        ));
    }
    if sender_name(host).is_some_and(is_forwarder) {
        return Some(format!(
            "{} is a forwarding service that took it from {}: a hop of passage",
            label(host),
            label(line)
        ));
    }
    None
}

/// Gmail to Gmail and the like: nothing outside the site, but the lowest sender is a
/// free mail provider's own outbound host.
fn inside_provider(hops: &[Hop], ctx: &Context) -> Option<Entry> {
    let (i, h) = hops
        .iter()
        .enumerate()
        .rev()
        .find(|(_, h)| h.kind == Kind::Transfer && h.from_ip.is_some_and(|ip| !internal(ip)))?;
    let name = sender_name(h)?;
    let f = freemail_of(name)?;
    let mailbox = mailbox_of(f, ctx)?;
    Some(Entry {
        class: Class::Freemail,
        hop: Some(i),
        ip: h.from_ip,
        host: Some(names::norm(name)),
        confidence: Confidence::High,
        evidence: vec![format!(
            "hop {i}: {} is {}'s own outbound host, and the sender is a {} mailbox ({mailbox}); nothing came from outside",
            label(h),
            f.name,
            f.name
        )],
        client: None,
        client_hop: None,
        account: None,
        ids: provider_ids(ctx, None),
        provider_desk: provider_desk(ctx, &f.hosts),
        provider: Some(f.name.clone()),
    })
}

/// The free mail mailbox domain the sender used, when it is one of `f`'s (or the
/// sender cannot be seen and `f` hosts only consumer mail).
fn mailbox_of(f: &Freemail, ctx: &Context) -> Option<String> {
    if let Some(d) = ctx.sender_domains.iter().find(|d| f.mailboxes.contains(d)) {
        return Some(d.clone());
    }
    let seen = ctx
        .sender_domains
        .iter()
        .any(|d| names::registrable(d).is_some() && d != "removed");
    (f.consumer_only && !seen).then(|| "the sender's address is not shown".to_string())
}

fn classify(hops: &[Hop], p: usize, found: &Found, ctx: &Context, mut evidence: Vec<String>) -> Entry {
    let h = &hops[p];
    let name = sender_name(h).map(names::norm);
    let mut e = Entry {
        class: Class::Unknown,
        hop: Some(p),
        ip: h.from_ip,
        host: name.clone(),
        confidence: Confidence::Medium,
        evidence: Vec::new(),
        client: found.sub.client,
        client_hop: None,
        account: None,
        ids: Vec::new(),
        provider_desk: None,
        provider: None,
    };
    // The first rule that holds decides.
    if !(provider_rule(hops, p, found, ctx, &mut e, &mut evidence)
        || submission_rule(hops, p, found, ctx, &mut e, &mut evidence)
        || open_relay_rule(hops, found, &mut e, &mut evidence))
    {
        direct_rule(hops, p, found, ctx, &mut e, &mut evidence);
    }
    if matches!(
        e.class,
        Class::CompromisedAccount | Class::Webmail | Class::Freemail | Class::Esp
    ) {
        e.account = account(hops, p, found.below, ctx);
    }
    e.evidence = evidence;
    e
}

/// The account the provider recorded as the submitter: an `Authenticated sender:`
/// or qmail's `user@domain@[ip]` in the host's own lines (the entry's and the one
/// it wrote about its client), else `X-Authenticated-Sender`/`-User` or cPanel's
/// `authenticated_id`. Only what a server wrote: never From or Return-Path, which
/// the spammer writes.
fn account(hops: &[Hop], p: usize, below: Option<usize>, ctx: &Context) -> Option<String> {
    let token = |s: &str| -> Option<String> {
        let t: String = s
            .trim_start_matches(|c: char| c.is_whitespace() || c.is_control())
            .chars()
            .take_while(|c| {
                !c.is_whitespace() && !c.is_control() && !matches!(c, ')' | '(' | ';' | ',' | '<' | '>' | '"')
            })
            .take(100)
            .collect();
        let t = t.trim_end_matches(['.', ':']).to_string();
        // A bracketed token is an address or a redaction, not an account.
        (t.len() > 1 && !t.starts_with('[') && t.chars().any(char::is_alphanumeric)).then_some(t)
    };
    // The host's own lines: the entry's, its internal hops, down to the line that
    // records the client (the first public sender below the entry).
    let mut own = Vec::new();
    for h in hops.iter().skip(p).take(8) {
        own.push(h);
        if h.index > p && (h.from_ip.is_some_and(|ip| !internal(ip)) || Some(h.index) == below) {
            break;
        }
    }
    for h in own {
        let lower = h.raw.to_ascii_lowercase();
        if let Some(i) = lower.find("authenticated sender:")
            && let Some(a) = h.raw.get(i + "authenticated sender:".len()..).and_then(token)
        {
            return Some(format!("{a} (Authenticated sender, hop {})", h.index));
        }
        if let Some(i) = h.ident.as_deref().filter(|i| i.contains('@')).and_then(token) {
            return Some(format!("{i} (the login the server recorded, hop {})", h.index));
        }
    }
    for (field, value) in &ctx.auth_headers {
        let found = match field.as_str() {
            // cPanel writes "host: account".
            "x-authenticated-sender" | "x-authenticated-user" => {
                token(value.rsplit_once(": ").map_or(value.as_str(), |(_, a)| a))
            }
            "x-get-message-sender-via" => value
                .to_ascii_lowercase()
                .find("authenticated_id:")
                .and_then(|i| value.get(i + "authenticated_id:".len()..))
                .and_then(|v| token(v.split('/').next().unwrap_or(v))),
            _ => None,
        };
        if let Some(a) = found {
            let shown = match field.as_str() {
                "x-authenticated-sender" => "X-Authenticated-Sender",
                "x-authenticated-user" => "X-Authenticated-User",
                _ => "X-Get-Message-Sender-Via",
            };
            return Some(format!("{a} ({shown})"));
        }
    }
    None
}

/// A known provider's server: an ESP's, or a free mail service's with its mailbox: who runs the host decides, not how it was submitted.
fn provider_rule(
    hops: &[Hop],
    p: usize,
    found: &Found,
    ctx: &Context,
    e: &mut Entry,
    evidence: &mut Vec<String>,
) -> bool {
    let h = &hops[p];
    let sub = &found.sub;
    let provider_name = provider_name(hops, p).unwrap_or("");
    let esp = esp_of(provider_name)
        .or_else(|| ctx.return_path.as_deref().and_then(esp_of))
        .filter(|_| found.below.is_none())
        .or_else(|| {
            ctx.esp_by_mailer()
                .filter(|e| e.hosts.iter().any(|d| names::within(provider_name, d)))
        });
    if let Some(esp) = esp {
        e.class = Class::Esp;
        e.confidence = Confidence::High;
        e.provider = Some(esp.name.clone());
        e.ids = provider_ids(ctx, Some(esp));
        e.provider_desk = provider_desk(ctx, &esp.hosts);
        evidence.push(format!(
            "{} is a server of {}, an email service provider",
            label(h),
            esp.name
        ));
        if let Some(m) = &ctx.mailer {
            evidence.push(format!("X-Mailer: {m}"));
        }
        return true;
    }
    if let Some(f) = freemail_of(provider_name)
        && let Some(mailbox) = mailbox_of(f, ctx)
    {
        e.class = Class::Freemail;
        e.confidence = if sub.any() || ctx.dkim_domains.iter().any(|d| f.mailboxes.contains(d)) {
            Confidence::High
        } else {
            Confidence::Medium
        };
        e.provider = Some(f.name.clone());
        e.ids = provider_ids(ctx, None);
        e.provider_desk = provider_desk(ctx, &f.hosts);
        evidence.push(format!(
            "{} is {}'s own server, and the sender is a {} mailbox ({mailbox})",
            label(h),
            f.name,
            f.name
        ));
        push_submission(evidence, sub, ctx);
        return true;
    }
    // Issue 22 rule 5: the provider's own outbound server sending for an
    // organisation whose mail it hosts (Google Workspace, Microsoft 365): the
    // From domain signs (DKIM d=) and is no consumer mailbox: an account of that
    // tenant, the provider hosting it.
    if let Some(f) = freemail_of(provider_name).filter(|f| !f.consumer_only)
        && found.below.is_none()
        && let Some(tenant) = hosted_tenant(f, ctx)
    {
        e.class = Class::CompromisedAccount;
        e.confidence = Confidence::Medium;
        e.provider = Some(f.name.clone());
        e.ids = provider_ids(ctx, None);
        e.provider_desk = provider_desk(ctx, &f.hosts);
        evidence.push(format!(
            "{} is {}'s own server, sending for {tenant}, an organisation whose mail {} hosts (DKIM d={tenant}, the From domain): an account of that organisation",
            label(h),
            f.name,
            f.name
        ));
        push_submission(evidence, sub, ctx);
        return true;
    }
    false
}

/// The organisation a hosting provider sends for: a DKIM `d=` that is the From
/// domain (or its parent) and neither a consumer mailbox of the provider's nor the
/// provider's own domain.
fn hosted_tenant(f: &Freemail, ctx: &Context) -> Option<String> {
    ctx.dkim_domains
        .iter()
        .filter(|d| !f.mailboxes.contains(d) && !f.hosts.iter().any(|h| names::within(d, h)))
        .find(|d| {
            ctx.from_domain
                .as_deref()
                .is_some_and(|from| names::within(from, d))
        })
        .cloned()
}

/// A submission the host's operator recorded: a web one (webmail, a script), or an account's (authenticated, MAPI, a mail client).
fn submission_rule(
    hops: &[Hop],
    p: usize,
    found: &Found,
    ctx: &Context,
    e: &mut Entry,
    evidence: &mut Vec<String>,
) -> bool {
    let h = &hops[p];
    let sub = &found.sub;
    let webmail_mailer = ctx.webmail_mailer();
    let local_auth_with_client =
        sub.auth.is_some() && ctx.originating_ip.is_some() && sub.client.is_none_or(internal);
    // A webmail program's own X-Mailer on a message a named mail server sent with
    // nothing outside below it (its lines below are its own: the web front end,
    // a filter, localhost): a mailbox of that server used through its webmail,
    // even where no line records the login (issue 22, rule 2). An end-user
    // machine's fake X-Mailer stays what the machine is.
    let webmail_alone = webmail_mailer.is_some() && found.below.is_none() && end_user_signs(h).is_none();
    if sub.http.is_some()
        || sub.web_script.is_some()
        || sub.webmail_front.is_some()
        || sub.any() && webmail_mailer.is_some()
        || local_auth_with_client
        || webmail_alone
    {
        e.class = Class::Webmail;
        // The X-Mailer alone is the sender's word: high only with a line or a field
        // of the server's that agrees (a login, a web front end, the client's IP).
        let corroborated = sub.any() || ctx.originating_ip.is_some();
        e.confidence = if sub.http.is_some()
            || sub.webmail_front.is_some()
            || webmail_mailer.is_some() && corroborated
        {
            Confidence::High
        } else if webmail_alone {
            Confidence::Medium
        } else {
            Confidence::Low
        };
        e.client = ctx
            .originating_ip
            .filter(|ip| !internal(*ip))
            .or(sub.client.filter(|ip| !internal(*ip)));
        evidence.push(format!(
            "{} handed it on for a web submission on its own side",
            label(h)
        ));
        if let Some(w) = &sub.web_script {
            evidence.push(format!("a web server's user injected it: {w}"));
        }
        if let Some(f) = &sub.webmail_front {
            evidence.push(format!("submitted from the webmail front end {f}"));
        }
        push_submission(evidence, sub, ctx);
        return true;
    }
    let client_submission = sub.client_line.is_some()
        || found
            .below
            .is_some_and(|b| ctx.exchange_client.is_some() && hops[b].raw.contains("Microsoft SMTP Server"));
    if sub.auth.is_some()
        || sub.mapi.is_some()
        || client_submission
        || !ctx.auth_headers.is_empty() && found.below.is_some()
    {
        e.class = Class::CompromisedAccount;
        e.confidence = if sub.auth.is_some() && sub.mapi.is_none() {
            Confidence::High
        } else {
            Confidence::Medium
        };
        e.client = e
            .client
            .or(found.below.and_then(|b| hops[b].from_ip))
            .filter(|ip| !internal(*ip))
            .or(ctx.originating_ip.filter(|ip| !internal(*ip)));
        evidence.push(format!(
            "{} handed it on for an account on its own side",
            label(h)
        ));
        if client_submission && sub.auth.is_none() && sub.mapi.is_none() {
            if let Some(b) = found.below {
                evidence.push(format!(
                    "hop {b}: a mail client at {} submitted it to the organisation's Exchange server (authentication implied, not shown)",
                    label(&hops[b])
                ));
            }
            if let Some(x) = &ctx.exchange_client {
                evidence.push(x.clone());
            }
        }
        for (k, v) in &ctx.auth_headers {
            evidence.push(format!("{k}: {v}"));
        }
        push_submission(evidence, sub, ctx);
        return true;
    }
    false
}

/// The host took it from an outside end-user machine or ratware: an open relay.
fn open_relay_rule(hops: &[Hop], found: &Found, e: &mut Entry, evidence: &mut Vec<String>) -> bool {
    if let Some(b) = found.below {
        let hb = &hops[b];
        let signs = end_user_signs(hb).unwrap_or_else(|| format!("{} is not its own", label(hb)));
        e.class = Class::OpenRelay;
        e.confidence = if hb.from_rdns.is_some()
            || hb
                .from_helo
                .as_deref()
                .is_some_and(|x| names::big_provider(x).is_some())
        {
            Confidence::High
        } else {
            Confidence::Medium
        };
        evidence.push(format!(
            "hop {b}, written by this relay: it took the message with no authentication from an unrelated host: {signs}"
        ));
        evidence.push(format!("hop {b}: {}", quote(&hb.raw, 200)));
        return true;
    }
    false
}

/// A sender judged by one sign: an open proxy's IDENT, a big provider's bare
/// domain as its name (ratware), or a rented server's generic name (issue 22
/// rule 3). Sets the class when one holds.
fn named_direct(h: &Hop, ip: Option<IpAddr>, e: &mut Entry, evidence: &mut Vec<String>) -> bool {
    if let Some(i) = h.ident.as_deref().filter(|i| !i.contains('@')) {
        e.class = Class::BotnetDirect;
        e.confidence = Confidence::High;
        evidence.push(format!(
            "{} connected through an open proxy (IDENT {i})",
            label(h)
        ));
        return true;
    }
    if let Some(n) = [h.from_rdns.as_deref(), h.from_helo.as_deref()]
        .into_iter()
        .flatten()
        .find(|n| bare_big_provider(n))
    {
        e.class = Class::BotnetDirect;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "{} sent it straight to you calling itself {n}: no server of that provider is named so; ratware is",
            label(h)
        ));
        return true;
    }
    if let Some(r) = h
        .from_rdns
        .as_deref()
        .filter(|r| names::is_generic_rdns(r, ip) && names::rented_server(r))
    {
        // A VPS or cloud instance is rented, not infected.
        e.class = Class::SpammerHost;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "{} sent it straight to you: {r} names a rented server (a VPS, a cloud or hosting machine), not a home connection",
            label(h)
        ));
        return true;
    }
    false
}

/// Nothing outside below the host: it sent the message itself (an infected machine, or the spammer's own server).
fn direct_rule(
    hops: &[Hop],
    p: usize,
    found: &Found,
    ctx: &Context,
    e: &mut Entry,
    evidence: &mut Vec<String>,
) {
    let h = &hops[p];
    let forged = found
        .forged_below
        .map(|f| format!("the lines below hop {p} do not chain (from hop {f}): made up by the sender"));
    if let Some(f) = &forged {
        evidence.push(f.clone());
    }
    let ip = h.from_ip;
    let helo = h.from_helo.clone().unwrap_or_default();
    if named_direct(h, ip, e, evidence) {
    } else if let Some(r) = h.from_rdns.as_deref().filter(|r| names::is_generic_rdns(r, ip)) {
        e.class = Class::BotnetDirect;
        e.confidence = Confidence::High;
        evidence.push(format!(
            "{} sent it straight to you: {r} is a generic end-user name",
            label(h)
        ));
    } else if let Some((b, foreign_helo)) = &found.loopback_helo {
        e.class = Class::BotnetDirect;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "hop {b}: the message was injected into {} over loopback by a program calling itself {foreign_helo}: a hijacked server or a local proxy",
            label(h)
        ));
    } else if let Some(b) = found.lan_client {
        e.class = Class::SpammerHost;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "{} is the gateway of the network it was sent from: hop {b} shows {} on its own LAN handing it over",
            label(h),
            label(&hops[b])
        ));
        if let Some(m) = &ctx.mailer {
            evidence.push(format!("X-Mailer: {m}"));
        }
    } else if h.from_rdns.is_some()
        && (helo.is_empty()
            || received::is_ip_literal(&helo) && helo.trim_matches(['[', ']']).parse::<IpAddr>().ok() != ip
            || names::big_provider(&helo).is_some()
                && names::big_provider(&helo) != h.from_rdns.as_deref().and_then(names::big_provider))
    {
        e.class = Class::BotnetDirect;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "{} sent it straight to you with a HELO that is not its own ({})",
            label(h),
            if helo.is_empty() { "none" } else { helo.as_str() }
        ));
    } else if h.from_rdns.is_none() {
        let ratware = helo.is_empty()
            || received::is_ip_literal(&helo)
            || !helo.contains('.')
            || names::big_provider(&helo).is_some()
            || forged.is_some();
        if ratware {
            e.class = Class::BotnetDirect;
            let random = !helo.is_empty()
                && (!helo.contains('.')
                    && helo.chars().all(|c| c.is_ascii_lowercase())
                    && !looks_like_word(&helo)
                    || helo
                        .trim_matches(['[', ']'])
                        .parse::<IpAddr>()
                        .is_ok_and(is_private));
            e.confidence = if random || h.handoff == Handoff::Inconsistent {
                Confidence::High
            } else {
                Confidence::Medium
            };
            evidence.push(format!(
                "{} sent it straight to you with no reverse DNS{}",
                label(h),
                if helo.is_empty() {
                    String::new()
                } else {
                    format!(" and HELO {helo}")
                }
            ));
        } else {
            e.class = Class::SpammerHost;
            e.confidence = Confidence::Medium;
            evidence.push(format!(
                "{} sent it straight to you; it has no reverse DNS but names itself {helo}",
                label(h)
            ));
        }
    } else {
        e.class = Class::SpammerHost;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "{} sent it straight to you: a named server, not an end-user connection",
            label(h)
        ));
    }
}

/// A lower-case HELO that reads like a word or a PC name rather than random letters.
fn looks_like_word(s: &str) -> bool {
    let vowels = s.chars().filter(|c| "aeiou".contains(*c)).count();
    s.len() <= 4 || vowels * 4 >= s.len()
}

fn push_submission(evidence: &mut Vec<String>, sub: &Submission, ctx: &Context) {
    for s in [&sub.http, &sub.auth, &sub.mapi].into_iter().flatten() {
        evidence.push(s.clone());
    }
    if let Some(ip) = ctx.originating_ip {
        evidence.push(format!("X-Originating-IP: {ip}"));
    }
    if let Some(m) = &ctx.mailer {
        evidence.push(format!("X-Mailer: {m}"));
    }
    if let Some(d) = ctx.dkim_domains.first() {
        evidence.push(format!("DKIM-Signature d={d} (not verified: a hint)"));
    }
}

#[cfg(test)]
mod tests;
