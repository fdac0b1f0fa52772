//! One address (or domain) looked up from every source at once: the engine gathers
//! the evidence here, and [`attribute`] names the owner and the ISP from it
//! (DESIGN.md §3).

use std::net::IpAddr;

use futures_util::future::join_all;
use hickory_resolver::proto::rr::RecordType;
use serde::Serialize;

use super::answer::{Answer, Status};
pub use super::attribute::{Attribution, Domain, Network, Party};
use super::attribute::{
    DomainEvidence, Evidence, Rdns, Upstream, attribute, finish, range_text, rdap_object, to_contact,
    upstream_to_ask,
};
use super::contact::{Contact, Found, Source, Tier};
use super::dns;
use super::engine::{Engine, Hop, join_url};
use super::services::{self, Asn, Listing};
use super::whois::parse::{self as wparse, Net};
use crate::trace::names;

/// Everything found about one address or domain: the evidence, and the owner and
/// ISP attributed from it. Serialised as DESIGN.md §3's flat `lookup --json` object.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    pub evidence: Evidence,
    pub attribution: Attribution,
}

impl Lookup {
    /// Judges `evidence`.
    pub fn from_evidence(evidence: Evidence) -> Lookup {
        let attribution = attribute(&evidence);
        Lookup {
            evidence,
            attribution,
        }
    }

    pub fn query(&self) -> &str {
        &self.evidence.query
    }

    pub fn rdns(&self) -> &[String] {
        self.evidence.rdns_names()
    }

    /// The PTR name resolves back to the address (`None`: no PTR).
    pub fn fcrdns(&self) -> Option<bool> {
        self.evidence.fcrdns()
    }

    pub fn asn(&self) -> Option<&Asn> {
        self.evidence.origin()
    }

    /// The domain asked about, else the registrable domain of the reverse-DNS name.
    pub fn domain(&self) -> Option<&Domain> {
        match &self.evidence.name {
            Some((_, _, d)) => Some(&d.info),
            None => self.evidence.domain.as_ref().map(|d| &d.info),
        }
    }

    pub fn dnsbl(&self) -> &[Listing] {
        self.evidence.dnsbl.as_ref().map_or(&[], |d| &d.0)
    }

    pub fn traceroute(&self) -> Option<&super::traceroute::Route> {
        self.evidence.route()
    }

    pub fn answers(&self) -> Vec<&Answer> {
        self.evidence.answers()
    }

    pub fn network(&self) -> Option<&Network> {
        self.attribution.network.as_ref()
    }

    pub fn owner_contacts(&self) -> &[Contact] {
        &self.attribution.owner_contacts
    }

    pub fn isp_contacts(&self) -> &[Contact] {
        &self.attribution.isp_contacts
    }

    /// The owner's organisation, when known.
    pub fn owner_name(&self) -> Option<&str> {
        self.attribution.owner.as_ref().and_then(|p| p.org.as_deref())
    }

    /// The ISP's organisation, when known.
    pub fn isp_name(&self) -> Option<&str> {
        self.attribution.isp.as_ref().and_then(|p| p.org.as_deref())
    }
}

impl Serialize for Lookup {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Flat<'a> {
            query: &'a str,
            rdns: &'a [String],
            fcrdns: Option<bool>,
            asn: Option<&'a Asn>,
            network: Option<&'a Network>,
            domain: Option<&'a Domain>,
            owner: Option<&'a Party>,
            isp: Option<&'a Party>,
            owner_contacts: &'a [Contact],
            isp_contacts: &'a [Contact],
            dnsbl: &'a [Listing],
            traceroute: Option<&'a super::traceroute::Route>,
            answers: Vec<&'a Answer>,
        }
        Flat {
            query: self.query(),
            rdns: self.rdns(),
            fcrdns: self.fcrdns(),
            asn: self.asn(),
            network: self.network(),
            domain: self.domain(),
            owner: self.attribution.owner.as_ref(),
            isp: self.attribution.isp.as_ref(),
            owner_contacts: self.owner_contacts(),
            isp_contacts: self.isp_contacts(),
            dnsbl: self.dnsbl(),
            traceroute: self.traceroute(),
            answers: self.answers(),
        }
        .serialize(s)
    }
}

/// One part of the evidence, reported as soon as it is in (the TUI fills its panes
/// from these while the rest is still in flight).
#[derive(Debug, Clone)]
pub enum Part {
    Rdns {
        names: Vec<String>,
        fcrdns: Option<bool>,
        answers: Vec<Answer>,
    },
    Domain(DomainEvidence),
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

impl Evidence {
    /// Takes one part.
    pub fn apply(&mut self, part: Part) {
        match part {
            Part::Rdns {
                names,
                fcrdns,
                answers,
            } => {
                self.rdns = Some(Rdns {
                    names,
                    fcrdns,
                    answers,
                });
            }
            Part::Domain(d) => self.domain = Some(d),
            Part::Asn { asn, answers } => self.asn = Some((asn, answers)),
            Part::Dnsbl { listings, answers } => self.dnsbl = Some((listings, answers)),
            Part::Whois(a) => {
                self.whois = Some(a);
                self.whois_read = std::sync::OnceLock::new();
            }
            Part::Rdap(a) => self.rdap = Some(a),
            Part::Traceroute(r) => self.traceroute = Some(r),
        }
    }
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

    /// RDAP: the network, then its parent through the `rdap-up` link (the bootstrap
    /// steps first).
    async fn rdap_ip(&self, ip: IpAddr) -> Vec<Answer> {
        let mut answers = Vec::new();
        let Some(base) = self.rdap_base_ip(ip, &mut answers).await else {
            return answers;
        };
        let a = self.rdap_get(&join_url(&base, &format!("ip/{ip}"))).await;
        let net = rdap_object(&a);
        answers.push(a);
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
            answers.push(self.rdap_get(&up).await);
        }
        answers
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
            let (names, fcrdns, answers) = self.rdns(ip).await;
            progress(Part::Rdns {
                names: names.clone(),
                fcrdns,
                answers: answers.clone(),
            });
            // Under the ICANN section only: a cloud's or dynamic-DNS provider's
            // private suffix names its customer's host, not a domain to ask about.
            let domain = names.first().and_then(|n| names::registrable_icann(n));
            let dom = match domain {
                Some(d) => {
                    let (info, abuse_net, answers) = Box::pin(self.domain_info(&d)).await;
                    let d = DomainEvidence {
                        info,
                        abuse_net,
                        answers,
                    };
                    progress(Part::Domain(d.clone()));
                    Some(d)
                }
                None => None,
            };
            (
                Rdns {
                    names,
                    fcrdns,
                    answers,
                },
                dom,
            )
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
            let (chain, read): (Vec<Answer>, Vec<_>) = self
                .whois_chain(ip)
                .await
                .into_iter()
                .map(|h| (h.answer, h.parsed))
                .unzip();
            progress(Part::Whois(chain.clone()));
            (chain, read)
        };
        let rdap = async {
            let r = self.rdap_ip(ip).await;
            progress(Part::Rdap(r.clone()));
            r
        };
        let trace = async {
            let r = self.traceroute(ip).await;
            progress(Part::Traceroute(r.clone()));
            r
        };
        let ((rdns, domain), asn, abusix, dnsbl, whois, rdap, route) = tokio::join!(
            rdns_and_domain,
            asn,
            self.dns(&abusix_name, RecordType::TXT),
            dnsbl,
            whois,
            rdap,
            trace
        );
        let mut ev = Evidence {
            rdns: Some(rdns),
            domain,
            asn: Some(asn),
            abusix: Some(abusix),
            dnsbl: Some(dnsbl),
            whois: Some(whois.0),
            whois_read: std::sync::OnceLock::from(whois.1),
            rdap: Some(rdap),
            ..Evidence::new(ip)
        };

        self.route_evidence(&mut ev, ip, route).await;

        self.judge(ev).await
    }

    /// Judges the evidence; where no record names an ISP desk, asks for the
    /// upstream AS's record and judges again.
    async fn judge(&self, mut ev: Evidence) -> Lookup {
        let attribution = attribute(&ev);
        let Some(peer) = upstream_to_ask(&ev, &attribution) else {
            return Lookup {
                evidence: ev,
                attribution,
            };
        };
        let mut answers = Vec::new();
        if let Some(base) = self.rdap_base_asn(peer, &mut answers).await {
            answers.push(self.rdap_get(&join_url(&base, &format!("autnum/{peer}"))).await);
        }
        ev.upstream = Some(Upstream { asn: peer, answers });
        Lookup::from_evidence(ev)
    }

    /// The traceroute's evidence: the router before the relay's network, and its AS.
    async fn route_evidence(&self, ev: &mut Evidence, ip: IpAddr, route: Option<super::traceroute::Route>) {
        let cidr = ev.origin().and_then(|a| a.cidr.clone());
        let own = ev.origin().map(|a| a.number);
        if let Some(mut r) = route {
            r.upstream_ip = super::traceroute::upstream_of(&r, ip, cidr.as_deref());
            if let Some(up) = r.upstream_ip.filter(|u| !crate::received::is_private(*u)) {
                let zone = if up.is_ipv4() {
                    &self.zones.asn_origin
                } else {
                    &self.zones.asn_origin6
                };
                let a = self.dns(&services::dnsbl_name(up, zone), RecordType::TXT).await;
                r.upstream_asn = services::parse_origin(&a.text)
                    .map(|o| o.number)
                    .filter(|n| own != Some(*n));
                ev.route_origin = Some(a);
            }
            ev.traceroute = Some(Some(r));
        } else {
            ev.traceroute = Some(None);
        }
    }

    /// Lookups for a domain: its registrar and abuse contacts, and those of the
    /// address its name resolves to.
    pub async fn lookup_domain(&self, domain: &str) -> Lookup {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let base = names::registrable(&domain).unwrap_or_else(|| domain.clone());
        let (addr, (info, abuse_net, answers)) =
            tokio::join!(self.dns(&domain, RecordType::A), self.domain_info(&base));
        let mut ev = match addr.lines().find_map(|l| l.parse::<IpAddr>().ok()) {
            Some(ip) => Box::pin(self.lookup_ip(ip)).await.evidence,
            None => Evidence::default(),
        };
        ev.query.clone_from(&domain);
        ev.name = Some((
            domain,
            addr,
            DomainEvidence {
                info,
                abuse_net,
                answers,
            },
        ));
        Lookup::from_evidence(ev)
    }
}
