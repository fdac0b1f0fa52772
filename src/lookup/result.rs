//! One address (or domain) looked up from every source at once, and the owner and
//! ISP named from what came back, each with ranked contacts (DESIGN.md §3).

use std::net::IpAddr;

use futures_util::future::join_all;
use hickory_resolver::proto::rr::RecordType;
use serde::Serialize;

use super::answer::{Answer, Status};
use super::contact::{Confidence, Contact, Found, Source, Tier};
use super::dns;
use super::engine::{Engine, Hop, join_url};
use super::rdap::parse as rparse;
use super::services::{self, Asn, Listing};
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

impl Lookup {
    /// The owner's organisation, when known.
    pub fn owner_name(&self) -> Option<&str> {
        self.owner.as_ref().and_then(|p| p.org.as_deref())
    }

    /// The ISP's organisation, when known.
    pub fn isp_name(&self) -> Option<&str> {
        self.isp.as_ref().and_then(|p| p.org.as_deref())
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

/// Everything found about one address or domain.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Lookup {
    pub query: String,
    pub rdns: Vec<String>,
    /// The PTR name resolves back to the address (`null`: no PTR).
    pub fcrdns: Option<bool>,
    pub asn: Option<Asn>,
    pub network: Option<Network>,
    pub domain: Option<Domain>,
    /// Who runs the relay's network (DESIGN.md §3 `owner`).
    pub owner: Option<Party>,
    /// Who connects that network (DESIGN.md §3 `isp`).
    pub isp: Option<Party>,
    pub owner_contacts: Vec<Contact>,
    pub isp_contacts: Vec<Contact>,
    pub dnsbl: Vec<Listing>,
    pub traceroute: Option<super::traceroute::Route>,
    pub answers: Vec<Answer>,
}

/// One part of a lookup, reported as soon as it is known.
#[derive(Debug, Clone)]
pub enum Part {
    Rdns {
        names: Vec<String>,
        fcrdns: Option<bool>,
        answers: Vec<Answer>,
    },
    Domain(Domain),
    Asn {
        asn: Option<Asn>,
        answers: Vec<Answer>,
    },
    Dnsbl {
        listings: Vec<Listing>,
        answers: Vec<Answer>,
    },
    Whois(Vec<Answer>),
    Rdap(Vec<Answer>),
    Traceroute(Option<super::traceroute::Route>),
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
        (_, Tier::Person | Tier::RegistryOther) => 7,
        (_, Tier::Excluded) => 9,
    }
}

fn to_contact(f: &Found, source: Source) -> Contact {
    let confidence = match source {
        Source::Fallback => Confidence::Low,
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
fn finish(mut list: Vec<Contact>, name_verified: bool) -> Vec<Contact> {
    list.sort_by_key(rank_key);
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Contact> = Vec::new();
    for c in list {
        if out.len() < super::contact::MAX_CONTACTS && seen.insert(c.email.clone()) {
            out.push(c);
        }
    }
    let pick = out.iter().position(|c| {
        c.confidence != Confidence::Low && matches!(c.source, Source::Rdap | Source::Whois | Source::Abusix)
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
fn range_text(n: &Net) -> String {
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

/// The status of an RDAP or whois answer, read once more for the evidence.
fn rdap_object(a: &Answer) -> Option<rparse::Object> {
    if !a.ok() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(&a.text).ok()?;
    let o = rparse::object(&v);
    o.error.is_none().then_some(o)
}

impl Engine {
    /// Reverse DNS with forward confirmation: the names, whether one resolves back,
    /// and the answers.
    async fn rdns(&self, ip: IpAddr) -> (Vec<String>, Option<bool>, Vec<Answer>) {
        let arpa = if ip.is_ipv4() { "in-addr.arpa" } else { "ip6.arpa" };
        let ptr = self
            .dns(&format!("{}.{arpa}", dns::reverse_name(ip)), RecordType::PTR)
            .await;
        let names: Vec<String> = ptr
            .lines()
            .take(4)
            .map(|n| crate::sanitize::clip(n, 253))
            .collect();
        let mut answers = vec![ptr];
        if names.is_empty() {
            return (names, None, answers);
        }
        let rtype = if ip.is_ipv4() {
            RecordType::A
        } else {
            RecordType::AAAA
        };
        let forwards = join_all(names.iter().map(|n| self.dns(n, rtype))).await;
        let confirmed = forwards
            .iter()
            .any(|a| a.lines().any(|l| l.parse::<IpAddr>().ok() == Some(ip)));
        answers.extend(forwards);
        (names, Some(confirmed), answers)
    }

    /// Team Cymru: origin AS, its name and its peers.
    async fn asn(&self, ip: IpAddr) -> (Option<Asn>, Vec<Answer>) {
        let zone = if ip.is_ipv4() {
            &self.zones.asn_origin
        } else {
            &self.zones.asn_origin6
        };
        let origin = self.dns(&services::dnsbl_name(ip, zone), RecordType::TXT).await;
        let Some(mut asn) = services::parse_origin(&origin.text) else {
            return (None, vec![origin]);
        };
        let name_q = format!("AS{}.{}", asn.number, self.zones.asn_name.trim_matches('.'));
        let peer_q = services::dnsbl_name(ip, &self.zones.asn_peer);
        let (name, peers) = tokio::join!(
            self.dns(&name_q, RecordType::TXT),
            self.dns(&peer_q, RecordType::TXT)
        );
        asn.name = services::parse_as_name(&name.text);
        asn.peers = services::parse_peers(&peers.text)
            .into_iter()
            .filter(|p| *p != asn.number)
            .collect();
        (Some(asn), vec![origin, name, peers])
    }

    /// Every configured DNSBL, with the TXT reason where listed.
    async fn dnsbl(&self, ip: IpAddr) -> (Vec<Listing>, Vec<Answer>) {
        let results = join_all(self.zones.dnsbl.iter().map(|zone| async move {
            let name = services::dnsbl_name(ip, zone);
            let a = self.dns(&name, RecordType::A).await;
            let records: Vec<&str> = a.lines().collect();
            let mut l = services::read_listing(zone, &records);
            let mut answers = Vec::new();
            if !matches!(a.status, Status::Ok | Status::NotFound) {
                l.error = true;
                l.reason = a.reason.clone();
            }
            if l.listed {
                let t = self.dns(&name, RecordType::TXT).await;
                l.reason = t.lines().next().map(|s| crate::sanitize::clip(s, 200));
                answers.push(t);
            }
            answers.insert(0, a);
            (l, answers)
        }))
        .await;
        let mut listings = Vec::new();
        let mut answers = Vec::new();
        for (l, a) in results {
            listings.push(l);
            answers.extend(a);
        }
        (listings, answers)
    }

    /// RDAP: the network, then its parent through the `rdap-up` link.
    async fn rdap_ip(&self, ip: IpAddr) -> (Option<rparse::Object>, Option<rparse::Object>, Vec<Answer>) {
        let mut answers = Vec::new();
        let Some(base) = self.rdap_base_ip(ip, &mut answers).await else {
            return (None, None, answers);
        };
        let a = self.rdap_get(&join_url(&base, &format!("ip/{ip}"))).await;
        let net = rdap_object(&a);
        answers.push(a);
        let mut parent = None;
        // The parent: the `rdap-up` link, else a `parentHandle` that is a range or CIDR
        // (APNIC, AFRINIC), never the whole address space.
        let up = net.as_ref().and_then(|n| {
            n.up.clone().or_else(|| {
                let (a, z) = wparse::parse_range(n.parent_handle.as_deref()?)?;
                let cidr = range_text(&Net {
                    first: Some(a),
                    last: Some(z),
                    ..Net::default()
                });
                let len: u8 = cidr.split_once('/')?.1.parse().ok()?;
                (len >= 4).then(|| join_url(&base, &format!("ip/{cidr}")))
            })
        });
        if let Some(up) = up {
            let p = self.rdap_get(&up).await;
            parent = rdap_object(&p);
            answers.push(p);
        }
        (net, parent, answers)
    }

    /// The whois server of a domain's registry: asked of IANA (cached for a day).
    async fn domain_whois(&self, domain: &str) -> Vec<Hop> {
        let tld = domain.rsplit('.').next().unwrap_or(domain).to_ascii_lowercase();
        let port = self.whois_port(None);
        let mut hops = Vec::new();
        // The registry's server: the table of common TLDs, else IANA (cached for a
        // day), else the new-gTLD convention whois.nic.<tld>.
        let server = if let Some(s) = super::tables::tld_whois(&tld) {
            s.to_string()
        } else {
            let iana = self.whois("whois", "whois.iana.org", port, &tld).await;
            let s = iana.parsed.referral.as_ref().map(|r| r.host.clone());
            let failed = !iana.answer.ok();
            hops.push(iana);
            match s {
                Some(s) => s,
                None if failed => format!("whois.nic.{tld}"),
                None => return hops,
            }
        };
        let first = self
            .whois(
                "whois",
                &server,
                port,
                &super::tables::domain_query(&server, domain),
            )
            .await;
        let next = first
            .parsed
            .referral
            .as_ref()
            .filter(|r| !r.host.eq_ignore_ascii_case(&server))
            .map(|r| r.host.clone());
        hops.push(first);
        if let Some(registrar) = next {
            hops.push(
                self.whois("whois", &registrar, self.whois_port(None), domain)
                    .await,
            );
        }
        hops
    }

    /// The registrable domain: registrar and its abuse contact (whois, RDAP), MX,
    /// and abuse.net's contacts.
    pub async fn domain_info(&self, domain: &str) -> (Domain, Vec<Contact>, Vec<Answer>) {
        let mut answers = Vec::new();
        let rdap = async {
            let mut ans = Vec::new();
            let base = self.rdap_base_domain(domain, &mut ans).await;
            if let Some(base) = base {
                ans.push(self.rdap_get(&join_url(&base, &format!("domain/{domain}"))).await);
            }
            ans
        };
        let abuse_net_name = format!("{domain}.{}", self.zones.abuse_net.trim_matches('.'));
        let (hops, rdap_answers, mx, abuse_net) = tokio::join!(
            self.domain_whois(domain),
            rdap,
            self.dns(domain, RecordType::MX),
            self.dns(&abuse_net_name, RecordType::TXT)
        );
        let mut d = Domain {
            name: domain.to_string(),
            ..Domain::default()
        };
        let mut registrar_contacts = Vec::new();
        for h in &hops {
            if d.registrar.is_none() {
                d.registrar.clone_from(&h.parsed.registrar);
            }
            if d.registrant.is_none() {
                d.registrant.clone_from(&h.parsed.registrant);
            }
            let (owner, isp) = wparse::ranked_contacts(&h.parsed, None);
            registrar_contacts.extend(owner.iter().chain(&isp).map(|f| to_contact(f, Source::Whois)));
        }
        for a in &rdap_answers {
            if let Some(o) = rdap_object(a).filter(|o| o.registrar.is_some() || !o.contacts.is_empty()) {
                d.registrar = d.registrar.or(o.registrar.clone());
                registrar_contacts.extend(o.contacts.iter().map(|f| to_contact(f, Source::Rdap)));
            }
        }
        d.abuse_contacts = finish(registrar_contacts, false);
        for c in &mut d.abuse_contacts {
            c.preselect = false; // the registrar is not the relay's operator
        }
        d.mx = mx.lines().map(|l| crate::sanitize::clip(l, 253)).collect();
        let abuse_net_contacts: Vec<Contact> = abuse_net
            .lines()
            .flat_map(super::contact::emails_in)
            .filter_map(|e| Found::new(e, Tier::Mailbox, &format!("{abuse_net_name} TXT")))
            .map(|f| to_contact(&f, Source::AbuseNet))
            .collect();
        answers.extend(hops.into_iter().map(|h| h.answer));
        answers.extend(rdap_answers);
        answers.push(mx);
        answers.push(abuse_net);
        (d, abuse_net_contacts, answers)
    }

    /// Every lookup for one address, concurrently.
    pub async fn lookup_ip(&self, ip: IpAddr) -> Lookup {
        Box::pin(self.lookup_ip_with(ip, &|_| {})).await
    }

    /// [`Engine::lookup_ip`], telling `progress` each part as soon as it is known (the
    /// TUI fills its panes from these while the rest is still in flight).
    pub async fn lookup_ip_with(&self, ip: IpAddr, progress: &(dyn Fn(Part) + Send + Sync)) -> Lookup {
        let abusix_name = services::dnsbl_name(ip, &self.zones.abusix);
        let rdns_and_domain = async {
            let (names, fcrdns, mut answers) = self.rdns(ip).await;
            progress(Part::Rdns {
                names: names.clone(),
                fcrdns,
                answers: answers.clone(),
            });
            // The domain of a confirmed name (else of the first name, as a suggestion).
            let name = names.first().cloned();
            // Under the ICANN section only: a cloud's or dynamic-DNS provider's
            // private suffix names its customer's host, not a domain to ask about.
            let domain = name.as_deref().and_then(names::registrable_icann);
            let dom = match domain {
                Some(d) => {
                    let (info, abuse_net, a) = Box::pin(self.domain_info(&d)).await;
                    answers.extend(a);
                    Some((info, abuse_net))
                }
                None => None,
            };
            if let Some((d, _)) = &dom {
                progress(Part::Domain(d.clone()));
            }
            (names, fcrdns, dom, answers)
        };
        let asn = async {
            let r = self.asn(ip).await;
            progress(Part::Asn {
                asn: r.0.clone(),
                answers: r.1.clone(),
            });
            r
        };
        let dnsbl = async {
            let r = self.dnsbl(ip).await;
            progress(Part::Dnsbl {
                listings: r.0.clone(),
                answers: r.1.clone(),
            });
            r
        };
        let whois = async {
            let chain = self.whois_chain(ip).await;
            progress(Part::Whois(chain.iter().map(|h| h.answer.clone()).collect()));
            chain
        };
        let rdap = async {
            let r = self.rdap_ip(ip).await;
            progress(Part::Rdap(r.2.clone()));
            r
        };
        let trace = async {
            let r = self.traceroute(ip).await;
            progress(Part::Traceroute(r.clone()));
            r
        };
        let (
            (names, fcrdns, dom, rdns_answers),
            (asn, asn_answers),
            abusix,
            (dnsbl, dnsbl_answers),
            chain,
            (rnet, rparent, rdap_answers),
            route,
        ) = tokio::join!(
            rdns_and_domain,
            asn,
            self.dns(&abusix_name, RecordType::TXT),
            dnsbl,
            whois,
            rdap,
            trace
        );
        let verified = fcrdns == Some(true);
        let mut out = Lookup {
            query: ip.to_string(),
            rdns: names,
            fcrdns,
            asn,
            dnsbl,
            ..Lookup::default()
        };

        // Whois: every network of every answer that contains the address.
        let mut union = Parsed {
            outcome: wparse::Outcome::Ok,
            networks: Vec::new(),
            referral: None,
            followup: None,
            contact_handles: Vec::new(),
            loose: Vec::new(),
            registrar: None,
            registrant: None,
            origin_as: None,
        };
        let mut handle_contacts = Vec::new();
        // Later answers (follow-ups, referrals) are the more detailed: they go first.
        for h in chain.iter().rev().filter(|h| h.answer.ok()) {
            if h.answer.query.starts_with("p + ") {
                // An ARIN POC asked for by handle: its address is the contact it stood for.
                for e in super::contact::emails_in(&h.answer.text).into_iter().take(1) {
                    if let Some(f) = Found::new(
                        e,
                        Tier::Mailbox,
                        &format!("{} (rwhois abuse contact)", h.answer.query),
                    ) {
                        handle_contacts.push(f);
                    }
                }
                continue;
            }
            for n in &h.parsed.networks {
                if n.contains(ip)
                    && !union
                        .networks
                        .iter()
                        .any(|u| u.first == n.first && u.last == n.last)
                {
                    union.networks.push(n.clone());
                }
            }
            union.loose.extend(h.parsed.loose.iter().cloned());
        }
        if let Some(most) = union.networks.iter_mut().min_by_key(|n| n.size()) {
            for f in handle_contacts {
                super::contact::merge(&mut most.contacts, f);
            }
        }
        let (w_owner, w_isp) = wparse::ranked_contacts(&union, Some(ip));
        let mut nets: Vec<&Net> = union.networks.iter().collect();
        nets.sort_by_key(|n| n.size());
        let owner_net = nets.first().copied();
        let parent_net = owner_net.and_then(|o| {
            nets.iter()
                .skip(1)
                .find(|n| n.org.is_some() && n.org != o.org || o.customer)
                .copied()
        });

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
        // Abusix names the desk of whoever holds the address space: that is the
        // ISP's when its address (or its domain) is the allocation holder's record's
        // and not the customer's.
        let domain_of = |e: &str| e.rsplit_once('@').and_then(|(_, d)| names::registrable(d));
        for c in abusix
            .lines()
            .flat_map(super::contact::emails_in)
            .filter_map(|e| Found::new(e, Tier::Mailbox, &format!("{abusix_name} TXT")))
            .map(|f| to_contact(&f, Source::Abusix))
        {
            let d = domain_of(&c.email);
            let on = |side: &[Contact]| {
                side.iter()
                    .any(|o| o.email == c.email || d.is_some() && domain_of(&o.email) == d)
            };
            if on(&isp) && !on(&owner) {
                isp.push(c);
            } else {
                owner.push(c);
            }
        }
        if let Some((d, abuse_net)) = &dom {
            owner.extend(abuse_net.iter().cloned());
            // RFC 2142's role address only for a name that resolves back to the
            // address, and only where the domain is not a cloud's or ISP's whose
            // name merely covers the address (a private suffix was already cut).
            if verified
                && let Some(f) = Found::new(
                    &format!("abuse@{}", d.name),
                    Tier::Other,
                    "RFC 2142 role address of the host's domain",
                )
            {
                owner.push(to_contact(&f, Source::Fallback));
            }
        }

        // Network and names.
        out.network = owner_net.map(net_info).or_else(|| rnet.as_ref().map(rdap_info));
        if let Some(n) = &mut out.network {
            n.parent = parent_net
                .map(net_info)
                .or_else(|| rparent.as_ref().map(rdap_info))
                .map(Box::new);
        }
        out.owner = owner_net
            .map(|n| Party {
                org: n.org.clone(),
                network: Some(range_text(n)),
                basis: if n.customer {
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
                rnet.as_ref().map(|o| Party {
                    org: o.org.clone(),
                    network: o.cidr.clone().or_else(|| o.range.clone()),
                    basis: "the network RDAP returns for the address".into(),
                })
            });
        out.isp = parent_net
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
                rparent.as_ref().map(|o| Party {
                    org: o.org.clone(),
                    network: o.cidr.clone().or_else(|| o.range.clone()),
                    basis: "the parent network RDAP returns".into(),
                })
            });

        let mut answers: Vec<Answer> = rdns_answers;
        answers.extend(asn_answers);
        answers.push(abusix);
        answers.extend(dnsbl_answers);
        answers.extend(chain.into_iter().map(|h| h.answer));
        answers.extend(rdap_answers);

        // The router before the relay's network, and its AS.
        let mut route = route;
        if let Some(r) = &mut route {
            r.upstream_ip =
                super::traceroute::upstream_of(r, ip, out.asn.as_ref().and_then(|a| a.cidr.as_deref()));
            if let Some(up) = r.upstream_ip.filter(|u| !crate::received::is_private(*u)) {
                let zone = if up.is_ipv4() {
                    &self.zones.asn_origin
                } else {
                    &self.zones.asn_origin6
                };
                let a = self.dns(&services::dnsbl_name(up, zone), RecordType::TXT).await;
                r.upstream_asn = services::parse_origin(&a.text)
                    .map(|o| o.number)
                    .filter(|n| out.asn.as_ref().is_none_or(|own| own.number != *n));
                answers.push(a);
            }
        }

        // Where the owner holds its own allocation: the upstream transit is the ISP.
        let owner_contacts = finish(owner, verified);
        let mut isp_contacts = finish(isp, false);
        isp_contacts.retain(|c| !owner_contacts.iter().any(|o| o.email == c.email));
        if isp_contacts.is_empty()
            && let Some(asn) = &out.asn
        {
            let upstream = route
                .as_ref()
                .and_then(|r| r.upstream_asn)
                .or_else(|| asn.peers.first().copied());
            if let Some(peer) = upstream {
                let mut ans = Vec::new();
                if let Some(base) = self.rdap_base_asn(peer, &mut ans).await {
                    let a = self.rdap_get(&join_url(&base, &format!("autnum/{peer}"))).await;
                    if let Some(o) = rdap_object(&a) {
                        out.isp = Some(Party {
                            org: o
                                .org
                                .clone()
                                .or(o.name.clone())
                                .map(|n| format!("{n} (AS{peer}, upstream)")),
                            network: None,
                            basis: format!(
                                "the relay is on the provider's own network; AS{peer} is the {} of its origin AS",
                                if route.as_ref().and_then(|r| r.upstream_asn).is_some() {
                                    "upstream on the traceroute"
                                } else {
                                    "first upstream peer (Team Cymru)"
                                }
                            ),
                        });
                        isp_contacts = finish(
                            o.contacts.iter().map(|f| to_contact(f, Source::Rdap)).collect(),
                            false,
                        );
                        for c in &mut isp_contacts {
                            c.basis = format!("upstream AS{peer}: {}", c.basis);
                        }
                    }
                    ans.push(a);
                }
                answers.extend(ans);
            }
        }
        if out.isp.is_none() && isp_contacts.is_empty() && out.owner.is_some() {
            out.isp = Some(Party {
                org: None,
                network: None,
                basis: "the relay is on the provider's own network, and nothing names an upstream".into(),
            });
        }
        if let Some(r) = &route {
            answers.push(r.answer.clone());
        }
        out.owner_contacts = owner_contacts;
        out.isp_contacts = isp_contacts;
        out.domain = dom.map(|(d, _)| d);
        out.traceroute = route;
        out.answers = answers;
        out
    }

    /// Lookups for a domain: its registrar and abuse contacts, and those of the
    /// address its name resolves to.
    pub async fn lookup_domain(&self, domain: &str) -> Lookup {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let base = names::registrable(&domain).unwrap_or_else(|| domain.clone());
        let (addr, (d, abuse_net, answers)) =
            tokio::join!(self.dns(&domain, RecordType::A), self.domain_info(&base));
        let mut out = match addr.lines().find_map(|l| l.parse::<IpAddr>().ok()) {
            Some(ip) => Box::pin(self.lookup_ip(ip)).await,
            None => Lookup::default(),
        };
        out.query = domain;
        let mut owner = abuse_net;
        if let Some(f) = Found::new(
            &format!("abuse@{base}"),
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
        out.domain = Some(d);
        out.answers.insert(0, addr);
        out.answers.extend(answers);
        out
    }
}
