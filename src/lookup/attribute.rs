//! Who owns an address and who connects it, each with ranked abuse contacts and
//! the reasons, read from the answers gathered about it (DESIGN.md §4a).
//!
//! No I/O happens here: the engine gathers [`Evidence`], [`attribute`] judges it.
//! The same evidence always gives the same [`Attribution`], so the rules are tested
//! on captured registry answers without a socket.

use std::collections::HashSet;
use std::net::IpAddr;

use serde::Serialize;

use super::answer::{Answer, Status};
use super::contact::{self, Confidence, Contact, Found, Source, Tier};
use super::rdap::parse as rparse;
use super::services::{Asn, Listing};
use super::traceroute::Route;
use super::whois::parse::{self as wparse, Net, Parsed};
use crate::trace::names;

/// A network and the allocation above it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Network {
    pub cidr: Option<String>,
    pub name: Option<String>,
    pub org: Option<String>,
    pub handle: Option<String>,
    /// `whois` or `rdap`: which answer named it.
    pub source: String,
    pub customer: bool,
    pub parent: Option<Box<Network>>,
}

/// One of the two parties: its organisation, the network that names it, and why
/// it is this side.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Party {
    pub org: Option<String>,
    pub network: Option<String>,
    pub basis: String,
}

impl From<&str> for Party {
    /// A party known only by its organisation's name.
    fn from(org: &str) -> Party {
        Party {
            org: Some(org.to_string()),
            network: None,
            basis: String::new(),
        }
    }
}

/// The registrable domain of the relay's host name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Domain {
    pub name: String,
    pub registrar: Option<String>,
    pub registrant: Option<String>,
    pub mx: Vec<String>,
    pub abuse_contacts: Vec<Contact>,
}

/// Reverse DNS with forward confirmation.
#[derive(Debug, Clone, Default)]
pub struct Rdns {
    pub names: Vec<String>,
    /// The PTR name resolves back to the address (`None`: no PTR).
    pub fcrdns: Option<bool>,
    pub answers: Vec<Answer>,
}

/// A domain's registration, and what abuse.net says of it.
#[derive(Debug, Clone, Default)]
pub struct DomainEvidence {
    pub info: Domain,
    pub abuse_net: Vec<Contact>,
    pub answers: Vec<Answer>,
}

/// The record of the AS asked about once the first round named no ISP desk.
#[derive(Debug, Clone, Default)]
pub struct Upstream {
    pub asn: u32,
    /// The RDAP bootstrap step, then the autnum query.
    pub answers: Vec<Answer>,
}

/// Everything gathered about one address (or one domain), each part as it came;
/// `None` is a part not in yet.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// What was asked: the address, or the domain.
    pub query: String,
    pub ip: Option<IpAddr>,
    pub rdns: Option<Rdns>,
    /// The registrable domain of the reverse-DNS name.
    pub domain: Option<DomainEvidence>,
    pub asn: Option<(Option<Asn>, Vec<Answer>)>,
    /// Abusix's abuse-contact TXT answer.
    pub abusix: Option<Answer>,
    pub dnsbl: Option<(Vec<Listing>, Vec<Answer>)>,
    /// The whois chain, in the order asked (IANA or RIR, referrals, handles).
    pub whois: Option<Vec<Answer>>,
    /// Those answers read, once: given by the engine (it read them to follow the
    /// chain), else read when first needed. A hostile answer is not read twice.
    pub whois_read: std::sync::OnceLock<Vec<Parsed>>,
    /// RDAP: bootstrap steps, the address's network, then its parent.
    pub rdap: Option<Vec<Answer>>,
    /// `Some(None)`: traceroute is switched off.
    pub traceroute: Option<Option<Route>>,
    /// The origin-AS answer of the router before the relay's network.
    pub route_origin: Option<Answer>,
    pub upstream: Option<Upstream>,
    /// A domain lookup: the domain asked about, its address answer and registration.
    pub name: Option<(String, Answer, DomainEvidence)>,
}

impl Evidence {
    /// Evidence about one address, nothing in yet.
    pub fn new(ip: IpAddr) -> Evidence {
        Evidence {
            query: ip.to_string(),
            ip: Some(ip),
            ..Evidence::default()
        }
    }

    pub fn fcrdns(&self) -> Option<bool> {
        self.rdns.as_ref().and_then(|r| r.fcrdns)
    }

    pub fn rdns_names(&self) -> &[String] {
        self.rdns.as_ref().map_or(&[], |r| &r.names)
    }

    pub fn origin(&self) -> Option<&Asn> {
        self.asn.as_ref().and_then(|a| a.0.as_ref())
    }

    pub fn route(&self) -> Option<&Route> {
        self.traceroute.as_ref().and_then(Option::as_ref)
    }

    /// Every answer, in the order of DESIGN.md §3's `answers`.
    pub fn answers(&self) -> Vec<&Answer> {
        let mut out: Vec<&Answer> = Vec::new();
        if let Some((_, a, _)) = &self.name {
            out.push(a);
        }
        if let Some(r) = &self.rdns {
            out.extend(&r.answers);
        }
        if let Some(d) = &self.domain {
            out.extend(&d.answers);
        }
        if let Some((_, a)) = &self.asn {
            out.extend(a);
        }
        out.extend(&self.abusix);
        if let Some((_, a)) = &self.dnsbl {
            out.extend(a);
        }
        out.extend(self.whois.iter().flatten());
        out.extend(self.rdap.iter().flatten());
        out.extend(&self.route_origin);
        if let Some(u) = &self.upstream {
            out.extend(&u.answers);
        }
        if let Some(r) = self.route() {
            out.push(&r.answer);
        }
        if let Some((_, _, d)) = &self.name {
            out.extend(&d.answers);
        }
        out
    }
}

/// The owner and the ISP of an address, with each side's contacts ranked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Attribution {
    pub network: Option<Network>,
    /// Who runs the relay's network (DESIGN.md §3 `owner`).
    pub owner: Option<Party>,
    /// Who connects that network (DESIGN.md §3 `isp`).
    pub isp: Option<Party>,
    pub owner_contacts: Vec<Contact>,
    pub isp_contacts: Vec<Contact>,
}

/// The ranking of the issue: designated abuse contacts (RDAP abuse entity, RIPE
/// abuse-c), then organisation abuse mailboxes, Abusix, remarks, abuse.net,
/// registries, other addresses, and `abuse@<domain>` last.
fn rank_key(c: &Contact) -> u8 {
    match (c.source, c.tier) {
        (Source::Fallback, _) => 8,
        (Source::Abusix, _) => 2,
        (Source::AbuseNet, _) => 4,
        (_, Tier::Designated) => 0,
        (_, Tier::Mailbox) => 1,
        (_, Tier::Remark) => 3,
        (_, Tier::Registry) => 5,
        (_, Tier::Other) => 6,
        (_, Tier::Person | Tier::Unassigned | Tier::RegistryOther) => 7,
        (_, Tier::Excluded) => 9,
    }
}

/// A found address as a contact of `source`.
pub fn to_contact(f: &Found, source: Source) -> Contact {
    let confidence = match source {
        Source::Fallback => Confidence::Low,
        // A named person's address: low even where the record designates it.
        _ if contact::is_personal(&f.email) => Confidence::Low,
        // At most medium, and never better than the address itself deserves (a
        // registry's or a person's address stays low). `Confidence` orders High
        // first, so the worse of two is the greater.
        Source::AbuseNet | Source::Abusix => Confidence::Medium.max(f.tier.confidence()),
        _ => f.tier.confidence(),
    };
    Contact {
        email: f.email.clone(),
        source,
        confidence,
        basis: f.basis.clone(),
        preselect: false,
        tier: f.tier,
    }
}

/// Merges, de-duplicates (keeping the better), ranks; the first contact of a source
/// derived from the address (or the verified name) is pre-selected.
pub fn finish(mut list: Vec<Contact>, name_verified: bool) -> Vec<Contact> {
    // Of two designated addresses, the one whois states ("Abuse contact for … is",
    // the abuse-mailbox of the abuse-c) before RDAP's, whose abuse entity may list
    // every address of the role.
    list.sort_by_key(|c| {
        (
            rank_key(c),
            c.tier == Tier::Designated && c.source == Source::Rdap,
        )
    });
    let mut seen = HashSet::new();
    let mut out: Vec<Contact> = Vec::new();
    for c in list {
        if out.len() < contact::MAX_CONTACTS && seen.insert(c.email.clone()) {
            out.push(c);
        }
    }
    let pick = out.iter().position(|c| {
        c.confidence != Confidence::Low && matches!(c.source, Source::Rdap | Source::Whois | Source::Abusix)
    });
    // A named person is pre-selected only as the record's one designated contact.
    let pick = pick.or_else(|| {
        let mut designated = out
            .iter()
            .enumerate()
            .filter(|(_, c)| c.tier == Tier::Designated && matches!(c.source, Source::Rdap | Source::Whois));
        match (designated.next(), designated.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    });
    let pick = pick.or_else(|| {
        name_verified
            .then(|| {
                out.iter()
                    .position(|c| matches!(c.source, Source::AbuseNet | Source::Fallback))
            })
            .flatten()
    });
    if let Some(i) = pick {
        out[i].preselect = true;
    }
    out
}

/// A range as a CIDR when it is exactly one, else `a - b`.
pub fn range_text(n: &Net) -> String {
    if let (Some(a), Some(z)) = (n.first, n.last) {
        let nets: Vec<ipnet::IpNet> = match (a, z) {
            (IpAddr::V4(a), IpAddr::V4(z)) => ipnet::Ipv4Subnets::new(a, z, 0)
                .map(ipnet::IpNet::V4)
                .take(2)
                .collect(),
            (IpAddr::V6(a), IpAddr::V6(z)) => ipnet::Ipv6Subnets::new(a, z, 0)
                .map(ipnet::IpNet::V6)
                .take(2)
                .collect(),
            _ => Vec::new(),
        };
        if nets.len() == 1 {
            return nets[0].to_string();
        }
        return format!("{a} - {z}");
    }
    n.range.clone()
}

fn net_info(n: &Net) -> Network {
    Network {
        cidr: Some(range_text(n)),
        name: n.name.clone(),
        org: n.org.clone(),
        handle: n.handle.clone(),
        source: "whois".into(),
        customer: n.customer,
        parent: None,
    }
}

fn rdap_info(o: &rparse::Object) -> Network {
    Network {
        cidr: o.cidr.clone().or_else(|| o.range.clone()),
        name: o.name.clone(),
        org: o.org.clone(),
        handle: o.handle.clone(),
        source: "rdap".into(),
        customer: false,
        parent: None,
    }
}

/// The object of a successful RDAP answer.
pub fn rdap_object(a: &Answer) -> Option<rparse::Object> {
    if !a.ok() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(&a.text).ok()?;
    let o = rparse::object(&v);
    o.error.is_none().then_some(o)
}

/// The address's RDAP network and its parent: the answers that are not bootstrap
/// steps, in the order asked.
fn rdap_pair(e: &Evidence) -> (Option<rparse::Object>, Option<rparse::Object>) {
    let mut asked = e.rdap.iter().flatten().filter(|a| !a.is_rdap_bootstrap());
    let net = asked.next().and_then(rdap_object);
    let parent = net.as_ref().and(asked.next()).and_then(rdap_object);
    (net, parent)
}

/// Every network of every whois answer that contains the address, the most
/// detailed answers (follow-ups, referrals) first; an ARIN POC asked for by handle
/// gives its address to the most specific network.
fn whois_union(e: &Evidence, ip: IpAddr) -> Parsed {
    let mut union = Parsed::empty();
    let mut handle_contacts = Vec::new();
    let answers: Vec<&Answer> = e.whois.iter().flatten().collect();
    let read = e
        .whois_read
        .get_or_init(|| answers.iter().map(|a| wparse::parse(&a.text)).collect());
    for (a, parsed) in answers.iter().zip(read).rev().filter(|(a, _)| a.ok()) {
        if a.query.starts_with("p + ") {
            for addr in contact::emails_in(&a.text).into_iter().take(1) {
                if let Some(f) = Found::new(
                    addr,
                    Tier::Mailbox,
                    &format!("{} (rwhois abuse contact)", a.query),
                ) {
                    handle_contacts.push(f);
                }
            }
            continue;
        }
        for n in &parsed.networks {
            if n.contains(ip)
                && !union
                    .networks
                    .iter()
                    .any(|u| u.first == n.first && u.last == n.last)
            {
                union.networks.push(n.clone());
            }
        }
        union.loose.extend(parsed.loose.iter().cloned());
    }
    if let Some(most) = union.networks.iter_mut().min_by_key(|n| n.size()) {
        for f in handle_contacts {
            contact::merge(&mut most.contacts, f);
        }
    }
    union
}

/// The abuse desk Abusix names, on the side whose record it belongs to: the ISP's
/// when its address (or its domain) is the allocation holder's and not the
/// customer's, else the owner's.
fn place_abusix(e: &Evidence, owner: &mut Vec<Contact>, isp: &mut Vec<Contact>) {
    let Some(abusix) = e.abusix.as_ref().filter(|a| a.ok()) else {
        return;
    };
    let zone_query = &abusix.query;
    let domain_of = |e: &str| e.rsplit_once('@').and_then(|(_, d)| names::registrable(d));
    for c in abusix
        .lines()
        .flat_map(contact::emails_in)
        .filter_map(|addr| Found::new(addr, Tier::Mailbox, &format!("{zone_query} TXT")))
        .map(|f| to_contact(&f, Source::Abusix))
    {
        let d = domain_of(&c.email);
        let on = |side: &[Contact]| {
            side.iter()
                .any(|o| o.email == c.email || d.is_some() && domain_of(&o.email) == d)
        };
        if on(isp) && !on(owner) {
            isp.push(c);
        } else {
            owner.push(c);
        }
    }
}

/// A record whose every address is a registry's: the registry's own block.
fn registry_record(contacts: &[Found]) -> bool {
    !contacts.is_empty() && contacts.iter().all(|f| contact::is_registry(&f.email))
}

/// The owner as the most specific record names it.
fn owner_party(
    owner_net: Option<&Net>,
    parent_net: Option<&Net>,
    rnet: Option<&rparse::Object>,
) -> Option<Party> {
    owner_net
        .map(|n| Party {
            org: n.org.clone(),
            network: Some(range_text(n)),
            basis: if n.customer
                || n.kind
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case("customer"))
            {
                format!(
                    "customer assignment {}{} under {}",
                    range_text(n),
                    n.kind.as_deref().map(|k| format!(" ({k})")).unwrap_or_default(),
                    parent_net
                        .map(|p| format!("{}'s {}", p.org.as_deref().unwrap_or("?"), range_text(p)))
                        .or_else(|| n.provider.clone())
                        .unwrap_or_else(|| "its provider".into())
                )
            } else {
                format!("the most specific network, {}", range_text(n))
            },
        })
        .or_else(|| {
            rnet.map(|o| Party {
                org: o.org.clone(),
                network: o.cidr.clone().or_else(|| o.range.clone()),
                basis: "the network RDAP returns for the address".into(),
            })
        })
}

/// The ISP as the record above the owner's names it.
fn isp_party(
    owner_net: Option<&Net>,
    parent_net: Option<&Net>,
    rparent: Option<&rparse::Object>,
) -> Option<Party> {
    parent_net
        .map(|p| Party {
            org: p.org.clone(),
            network: Some(range_text(p)),
            basis: format!(
                "holder of the allocation {} above the owner's network",
                range_text(p)
            ),
        })
        .or_else(|| {
            owner_net.and_then(|n| n.provider.clone()).map(|org| Party {
                org: Some(org),
                network: None,
                basis: "the provider the customer record names".into(),
            })
        })
        .or_else(|| {
            rparent.map(|o| Party {
                org: o.org.clone(),
                network: o.cidr.clone().or_else(|| o.range.clone()),
                basis: "the parent network RDAP returns".into(),
            })
        })
}

/// The AS whose record would name the ISP when the registry records name none:
/// the upstream on the traceroute, else the origin AS's first peer (Team Cymru).
pub fn upstream_to_ask(e: &Evidence, a: &Attribution) -> Option<u32> {
    if !a.isp_contacts.is_empty() {
        return None;
    }
    e.origin()?;
    e.route()
        .and_then(|r| r.upstream_asn)
        .or_else(|| e.origin().and_then(|o| o.peers.first().copied()))
}

/// Judges the evidence: the owner, the ISP and their contacts, with the reasons.
pub fn attribute(e: &Evidence) -> Attribution {
    let mut out = match e.ip {
        Some(ip) => attribute_ip(e, ip),
        None => Attribution::default(),
    };
    if let Some((_, _, d)) = &e.name {
        attribute_name(&mut out, d);
    }
    out
}

fn attribute_ip(e: &Evidence, ip: IpAddr) -> Attribution {
    let verified = e.fcrdns() == Some(true);
    let union = whois_union(e, ip);
    let (rnet, rparent) = rdap_pair(e);
    let (w_owner, w_isp) = wparse::ranked_contacts(&union, Some(ip));
    let mut nets: Vec<&Net> = union.networks.iter().collect();
    nets.sort_by_key(|n| n.size());
    let owner_net = nets.first().copied();
    // The allocation above: another organisation's, never a registry's own block
    // (JPNIC's or VNNIC's allocation record names the registry, not an ISP).
    let parent_net = owner_net.and_then(|o| {
        nets.iter()
            .skip(1)
            .filter(|n| !registry_record(&n.contacts))
            .find(|n| n.org.is_some() && n.org != o.org || o.customer)
            .copied()
    });
    let rparent = rparent.filter(|p| !registry_record(&p.contacts));

    let mut owner = Vec::new();
    let mut isp = Vec::new();
    if let Some(o) = &rnet {
        owner.extend(o.contacts.iter().map(|f| to_contact(f, Source::Rdap)));
    }
    if let Some(p) = &rparent {
        isp.extend(p.contacts.iter().map(|f| to_contact(f, Source::Rdap)));
    }
    owner.extend(w_owner.iter().map(|f| to_contact(f, Source::Whois)));
    isp.extend(w_isp.iter().map(|f| to_contact(f, Source::Whois)));
    place_abusix(e, &mut owner, &mut isp);
    if let Some(d) = &e.domain {
        owner.extend(d.abuse_net.iter().cloned());
        // RFC 2142's role address only for a name that resolves back to the
        // address (the domain is already an ICANN-section one: a cloud's or a
        // dynamic-DNS provider's private suffix names its customer's host).
        if verified
            && let Some(f) = Found::new(
                &format!("abuse@{}", d.info.name),
                Tier::Other,
                "RFC 2142 role address of the host's domain",
            )
        {
            owner.push(to_contact(&f, Source::Fallback));
        }
    }

    let mut network = owner_net.map(net_info).or_else(|| rnet.as_ref().map(rdap_info));
    if let Some(n) = &mut network {
        n.parent = parent_net
            .map(net_info)
            .or_else(|| rparent.as_ref().map(rdap_info))
            .map(Box::new);
    }
    // A registry's or a national CERT's address is nobody's ISP desk: at most a
    // suggestion on the owner's side.
    let (registry, isp): (Vec<Contact>, Vec<Contact>) =
        isp.into_iter().partition(|c| contact::is_registry(&c.email));
    owner.extend(registry);
    let owner_contacts = finish(owner, verified);
    let mut isp_contacts = finish(isp, false);
    isp_contacts.retain(|c| !owner_contacts.iter().any(|o| o.email == c.email));
    let mut out = Attribution {
        network,
        owner: owner_party(owner_net, parent_net, rnet.as_ref()),
        isp: isp_party(owner_net, parent_net, rparent.as_ref()),
        owner_contacts,
        isp_contacts,
    };
    upstream_isp(e, &mut out);
    if out.isp.is_none() && out.isp_contacts.is_empty() && out.owner.is_some() {
        out.isp = Some(Party {
            org: None,
            network: None,
            basis: "the relay is on the provider's own network, and nothing names an upstream".into(),
        });
    }
    out
}

/// Where the owner holds its own allocation: the upstream transit is the ISP.
fn upstream_isp(e: &Evidence, out: &mut Attribution) {
    let Some(up) = &e.upstream else { return };
    if upstream_to_ask(e, out) != Some(up.asn) {
        return;
    }
    let Some(o) = up
        .answers
        .iter()
        .filter(|a| !a.is_rdap_bootstrap())
        .find_map(rdap_object)
    else {
        return;
    };
    let peer = up.asn;
    let on_route = e.route().and_then(|r| r.upstream_asn).is_some();
    out.isp = Some(Party {
        org: o
            .org
            .clone()
            .or(o.name.clone())
            .map(|n| format!("{n} (AS{peer}, upstream)")),
        network: None,
        basis: format!(
            "the relay is on the provider's own network; AS{peer} is the {} of its origin AS",
            if on_route {
                "upstream on the traceroute"
            } else {
                "first upstream peer (Team Cymru)"
            }
        ),
    });
    out.isp_contacts = finish(
        o.contacts.iter().map(|f| to_contact(f, Source::Rdap)).collect(),
        false,
    );
    for c in &mut out.isp_contacts {
        c.basis = format!("upstream AS{peer}: {}", c.basis);
    }
}

/// A domain asked about: its abuse.net contacts and `abuse@` come first, the
/// address's owner's after them, none pre-selected but the domain's own.
fn attribute_name(out: &mut Attribution, d: &DomainEvidence) {
    let mut owner = d.abuse_net.clone();
    if let Some(f) = Found::new(
        &format!("abuse@{}", d.info.name),
        Tier::Other,
        "RFC 2142 role address of the domain",
    ) {
        owner.push(to_contact(&f, Source::Fallback));
    }
    owner.extend(out.owner_contacts.drain(..).map(|mut c| {
        c.preselect = false;
        c
    }));
    out.owner_contacts = finish(owner, true);
}

/// A status answer for tests and tools: `text` as the answer of `query`.
pub fn answer_of(protocol: &str, server: &str, query: &str, text: &str) -> Answer {
    let mut a = Answer::new(protocol, server, query);
    a.status = Status::Ok;
    a.text = text.to_string();
    a
}

#[cfg(test)]
mod tests;
