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

use serde::{Deserialize, Serialize};

use super::names;
use super::{Handoff, Hop};
use crate::received::{self, Kind, is_loopback, is_private};

mod context;
mod providers;
mod rules;

pub use context::Context;
use context::domain_of_address;
use providers::{freemail_by_mailbox, is_forwarder, webmail_host};
pub use providers::{known_operator, org_of};
use rules::{classify, inside_provider};

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
    /// The other classes the headers also fit, with why (issue 22 rule 8): a
    /// medium reading names its rival; a high one has none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Alternative>,
}

/// Another reading of how the spam got in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternative {
    pub class: Class,
    pub why: String,
}

impl Entry {
    /// The submitting account without where it was read ("user@example.com").
    #[must_use]
    pub fn account_name(&self) -> Option<&str> {
        self.account.as_deref().and_then(|a| a.split(" (").next())
    }

    fn unknown(why: &str) -> Entry {
        Entry {
            evidence: vec![why.to_string()],
            ..Entry::at(None, None, None, Confidence::Low)
        }
    }

    /// An entry not yet classed at `hop`, with nothing known but where it is.
    fn at(hop: Option<usize>, ip: Option<IpAddr>, host: Option<String>, confidence: Confidence) -> Entry {
        Entry {
            class: Class::Unknown,
            hop,
            ip,
            host,
            confidence,
            evidence: Vec::new(),
            client: None,
            client_hop: None,
            account: None,
            ids: Vec::new(),
            provider_desk: None,
            provider: None,
            alternatives: Vec::new(),
        }
    }

    /// Names another reading (once per class).
    fn or(&mut self, class: Class, why: &str) {
        if class != self.class && !self.alternatives.iter().any(|a| a.class == class) {
            self.alternatives.push(Alternative {
                class,
                why: why.to_string(),
            });
        }
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
            if x.len() > r.len()
                && x.as_bytes()[r.len()] == b'.'
                && x[..r.len()].eq_ignore_ascii_case(r)
                && !full(&r)
                && full(&x) =>
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
                || own_local_line(hops, b, p)
                || hb.by.as_deref().is_some_and(|by| {
                    // Chained by name, or under a local resubmission on the same
                    // machine (a list's `(from cpunks@localhost) by waste…`).
                    let above = if hp.from_ip.is_none() {
                        hp.by.as_deref()
                    } else {
                        sender_name(hp)
                    };
                    above.is_some_and(|n| names::same_host(n, by)) && names::registrable(by).is_some()
                })
                || hb.by.as_deref().is_none_or(|by| {
                    names::registrable(by).is_none()
                        && !received::is_ip_literal(by)
                        && by.parse::<IpAddr>().is_err()
                })
                || hb.kind == Kind::Originating
        }
    }
}

/// Line `b` below a line `p` that records no sender (written on the machine itself:
/// `by mail-vs1-f67.google.com with SMTP id …`, qmail's `invoked by uid`): nothing
/// names the next machine, so `b` is believed when its `by` is an address of the
/// same network as the nearest sender above (qmail naming itself by address), or
/// the line above is a big operator's, whose internal hosts go by address
/// (Gmail's `by 2002:a05:… with HTTP`).
fn own_local_line(hops: &[Hop], b: usize, p: usize) -> bool {
    let hb = &hops[b];
    // A machine named by its address in the network of the sender above: the
    // same operator's (qmail's `by 94.152.13.42` under `letovvtj.e-kei.pl [94.152.40.6]`).
    let by_literal = hb.by.as_deref().and_then(received::parse_ip_token);
    if let (Some(by), Some(above)) = (by_literal, hops[p].from_ip)
        && !internal(above)
        && same_net(above, by, 16)
    {
        return true;
    }
    if hops[p].from_ip.is_some() {
        return false;
    }
    let known = hops[p]
        .by
        .as_deref()
        .and_then(names::registrable)
        .is_some_and(|d| known_operator(&d));
    // The same big operator's next machine by name (`by smtp-relay.gmail.com`).
    if known
        && hb
            .by
            .as_deref()
            .and_then(org_of)
            .is_some_and(|o| hops[p].by.as_deref().and_then(org_of) == Some(o))
    {
        return true;
    }
    let Some(by) = hb.by.as_deref().and_then(received::parse_ip_token) else {
        return false;
    };
    let above = hops[..p]
        .iter()
        .rev()
        .find_map(|h| h.from_ip.filter(|ip| !internal(*ip)));
    known && by.is_ipv6() || above.is_some_and(|a| same_net(a, by, 16))
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
                || h.ident.as_deref().is_some_and(|i| i.contains('@'))
                || qmail_login(h);
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

/// Does the line's IDENT name the user a proxy runs as (`squid@[ip]`, `nobody`)?
/// Other identd answers (`root`, `daemon`, a list's `cpunks`) are a Unix mail
/// server's, and a `user@domain` or qmail's `with login` is a login.
fn proxy_ident(h: &Hop) -> bool {
    const PROXY_USERS: &[&str] = &[
        "squid", "proxy", "nobody", "wingate", "socks", "www-data", "www", "httpd", "apache", "unknown",
    ];
    h.ident
        .as_deref()
        .is_some_and(|i| !qmail_login(h) && PROXY_USERS.iter().any(|u| i.eq_ignore_ascii_case(u)))
}

/// qmail's SMTP AUTH patches record the login before the client's address:
/// `(newcastle23@195.234.182.160 with login)`, `(… with plain)`.
fn qmail_login(h: &Hop) -> bool {
    let l = h.raw.to_ascii_lowercase();
    [" with login)", " with plain)", " with cram-md5)"]
        .iter()
        .any(|m| l.contains(m))
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
    if let Some(i) = h.ident.as_deref().filter(|_| proxy_ident(h)) {
        return Some(format!("it connected through an open proxy (IDENT {i}@[{ip}])"));
    }
    name_signs(h)
}

/// [`end_user_signs`] from the host's names alone (not its IDENT).
fn name_signs(h: &Hop) -> Option<String> {
    let ip = h.from_ip?;
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

/// Does the sender's HELO spell its own IPv4 address, forwards or reversed
/// (`109.241.109.208.host.secureserver.net` from 208.109.241.109)? A hosting
/// provider's name for its machine that the machine could only know from it.
fn helo_names_own_address(h: &Hop) -> bool {
    let (Some(IpAddr::V4(ip)), Some(helo)) = (h.from_ip, h.from_helo.as_deref()) else {
        return false;
    };
    let o = ip.octets();
    let fwd = format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3]);
    let rev = format!("{}.{}.{}.{}", o[3], o[2], o[1], o[0]);
    let name = names::norm(helo);
    !received::is_ip_literal(helo)
        && names::registrable(&name).is_some()
        && (name.starts_with(&format!("{fwd}.")) || name.starts_with(&format!("{rev}.")))
}

/// A hand-off over QMQP (qmail's protocol between a cluster's own machines, never
/// offered to strangers) from an address in the same /24 as the host above: one
/// operator's machines.
fn qmqp_neighbour(h: &Hop, above: &Hop) -> bool {
    with_word(h) == "qmqp"
        && h.from_ip
            .zip(above.from_ip)
            .is_some_and(|(a, b)| same_net(a, b, 24))
}

/// Are `a` and `b` in the same IPv4 /`bits` (IPv6: the same /48)?
fn same_net(a: IpAddr, b: IpAddr, bits: u32) -> bool {
    match (a, b) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => a.segments()[..3] == b.segments()[..3],
        _ => false,
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
    let mut infected_inside = None;
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
            let named_alike =
                || hb.from_rdns.is_none() && (hb.handoff == Handoff::Verified || helo_names_own_address(hb));
            // identd answering for a machine of the same operator is no open proxy.
            let ident_only = || proxy_ident(hb) && name_signs(hb).is_none();
            // A machine of the same organisation (its reverse DNS says so) with a
            // HELO that is not its name: an infected machine inside.
            let lying_inside = same_org
                && hb.from_rdns.as_deref().is_some_and(|r| {
                    names::registrable(r).is_some() && !names::is_generic_rdns(r, hb.from_ip)
                })
                && sender_name(hb) == hb.from_rdns.as_deref();
            if lying_inside && end_user_signs(hb).is_some() {
                infected_inside.get_or_insert(b);
            }
            if same_org && (end_user_signs(hb).is_none() || named_alike() || ident_only() || lying_inside)
                || qmqp_neighbour(hb, &hops[p])
            {
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
        carried: false,
        infected_inside,
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
        // Issue 22 rule 7: a host known only by its HELO that made the message
        // itself (its own local injection line below, its name in the
        // Message-ID): the relay above only carried its mail, as an ISP's
        // smarthost carries its customers'.
        if let Some(b) = below
            && !found.sub.any()
            && steps < 50
            && let Some(why) = made_there(hops, b, ctx)
        {
            evidence.push(format!(
                "hop {b}: {} handed it to {}, which only carried it; {why}",
                label(&hops[b]),
                label(host)
            ));
            let mut found = host_lines(hops, b, ctx);
            found.carried = true;
            return classify(hops, b, &found, ctx, evidence);
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
    /// The host reached the site through a relay that only carried its mail
    /// (issue 22 rule 7): it is a customer's machine of that relay's ISP.
    carried: bool,
    /// A machine of the host's own organisation that lied in its HELO (an
    /// infected PC behind the organisation's gateway).
    infected_inside: Option<usize>,
    below: Option<usize>,
    forged_below: Option<usize>,
    sub: Submission,
    lan_client: Option<usize>,
    loopback_helo: Option<(usize, String)>,
}

/// Did the sender of hop `b` (no reverse DNS, a full host name as HELO) make the
/// message itself? Its own line is right below (a local injection: qmail's
/// `invoked by uid`, sendmail's `from userid`) and the Message-ID names it.
fn made_there(hops: &[Hop], b: usize, ctx: &Context) -> Option<String> {
    let hb = &hops[b];
    let helo = hb.from_helo.as_deref().filter(|_| hb.from_rdns.is_none())?;
    let local = hops.get(b + 1).filter(|h| h.kind == Kind::Local)?;
    let msgid = ctx
        .msgid_domain
        .as_deref()
        .filter(|d| names::same_host(d, helo))?;
    if names::registrable(helo).is_none() || names::big_provider(helo).is_some() || proxy_ident(hb) {
        return None;
    }
    Some(format!(
        "the line below it is its own local injection ({}) and the Message-ID is made there (@{msgid}): it sent its own message",
        quote(&local.raw, 60)
    ))
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

/// The mailbox that forwards its mail automatically (`X-Forwarded-For`, Gmail's
/// `+caf_=`) and its free mail service, when `h`'s sender is that service's server.
fn auto_forwarder<'a>(h: &Hop, ctx: &'a Context) -> Option<(&'a str, &'static providers::Freemail)> {
    let fwd = ctx.forwarded_by.as_deref()?;
    let f = domain_of_address(fwd).and_then(|d| freemail_by_mailbox(&d))?;
    sender_name(h)
        .and_then(names::registrable)
        .is_some_and(|d| f.hosts.contains(&d))
        .then_some((fwd, f))
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
    // The sender below is the list's own server: the list address is in its
    // domain (`Sender: owner-cypherpunks@einstein.ssz.com` from einstein.ssz.com).
    if let Some(list) = sender_name(line).and_then(|n| {
        ctx.lists
            .iter()
            .find(|l| l.rsplit_once('@').is_some_and(|(_, d)| names::same_host(d, n)))
    }) {
        return Some(format!(
            "hop {b}: {} is the list server of <{list}>: a hop of passage",
            label(line)
        ));
    }
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
    if let Some((fwd, _)) = auto_forwarder(host, ctx) {
        return Some(format!(
            "{} forwarded it automatically for {fwd} (X-Forwarded-For): a hop of passage",
            label(host)
        ));
    }
    // Issue 22 rule 4: the host took it `for` an address in its own domain and
    // handed it on to another mailbox: the recipient's own forward.
    if let Some(own) = line.for_.as_deref().and_then(domain_of_address)
        && let Some(writer) = line.by.as_deref().and_then(org_of)
        && org_of(&own).is_some_and(|o| o == writer)
        && let Some(next) = host
            .for_
            .as_deref()
            .filter(|f| domain_of_address(f).is_some_and(|d| org_of(&d).as_deref() != Some(writer.as_str())))
    {
        return Some(format!(
            "hop {b}: {} took it for {}, an address of its own domain, and sent it on to {}: the recipient's forward, a hop of passage",
            label(host),
            line.for_.as_deref().unwrap_or_default().trim_matches(['<', '>']),
            next.trim_matches(['<', '>'])
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

#[cfg(test)]
mod rule_tests;
#[cfg(test)]
mod tests;
