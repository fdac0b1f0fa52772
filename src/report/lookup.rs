//! The readable report of one lookup (`relaytrace lookup`, `investigate`).

use std::fmt::Write as _;

use crate::lookup::Lookup;
use crate::lookup::answer::Status;
use crate::sanitize::{clean, clip};

fn contacts(s: &mut String, list: &[crate::lookup::contact::Contact]) {
    if list.is_empty() {
        let _ = writeln!(s, "    (none found)");
    }
    for c in list {
        let mark = if c.preselect { "*" } else { " " };
        let source = c.source.as_str();
        let conf = c.confidence.as_str();
        let _ = writeln!(
            s,
            "  {mark} {:<36} {source:<9} {conf:<6}  {}",
            clean(&c.email),
            clip(&c.basis, 70)
        );
    }
}

/// The readable report of one lookup.
pub fn render(l: &Lookup, raw: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", clean(l.query()));
    names(&mut s, l);
    networks(&mut s, l);
    parties(&mut s, l);
    probes(&mut s, l);
    answers(&mut s, l, raw);
    s
}

/// Reverse DNS and the origin AS.
fn names(s: &mut String, l: &Lookup) {
    // What the PTR query said: a name, none, or no answer at all.
    let ptr_failed = l.evidence.rdns.as_ref().is_none_or(|r| {
        r.answers
            .first()
            .is_none_or(|a| !matches!(a.status, Status::Ok | Status::NotFound))
    });
    let not_asked = l
        .evidence
        .rdns
        .as_ref()
        .and_then(|r| r.answers.first())
        .and_then(|a| a.reason.as_deref())
        .is_some_and(|r| r.starts_with("offline"));
    let rdns = if l.rdns().is_empty() && not_asked {
        "unknown (--offline: not in the cache, and not asked)".to_string()
    } else if l.rdns().is_empty() && ptr_failed {
        "unknown (the PTR query got no answer)".to_string()
    } else if l.rdns().is_empty() {
        "(no PTR record)".to_string()
    } else {
        let v = match l.fcrdns() {
            Some(true) => "forward-confirmed",
            _ => "NOT forward-confirmed",
        };
        format!(
            "{} ({v})",
            l.rdns()
                .iter()
                .map(|n| clean(n).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    // A domain asked about is not an address: its address is what was looked up.
    if let Some((name, addr, _)) = &l.evidence.name {
        let a: Vec<&str> = addr.lines().collect();
        let _ = writeln!(
            s,
            "  address      {}",
            if a.is_empty() {
                format!("{} has no address record", clean(name))
            } else {
                clean(&a.join(", ")).into_owned()
            }
        );
        if l.evidence.ip.is_none() {
            return;
        }
    }
    let _ = writeln!(s, "  reverse DNS  {rdns}");
    if let Some(a) = &l.asn() {
        let peers: Vec<String> = a.peers.iter().take(8).map(|p| format!("AS{p}")).collect();
        let _ = writeln!(
            s,
            "  AS           AS{} {}, {} {} {}{}",
            a.number,
            clean(a.name.as_deref().unwrap_or("?")),
            a.cidr.as_deref().unwrap_or(""),
            a.country.as_deref().unwrap_or(""),
            a.registry.as_deref().unwrap_or(""),
            if peers.is_empty() {
                String::new()
            } else {
                format!("; peers {}", peers.join(" "))
            }
        );
    }
}

/// The network, the allocation above it, and the domain of the name.
fn networks(s: &mut String, l: &Lookup) {
    let net_line = |n: &crate::lookup::result::Network| {
        let name = n
            .name
            .as_deref()
            .map(|x| format!(" {}", clean(x)))
            .unwrap_or_default();
        format!(
            "{}{name} — {} ({}{})",
            n.cidr.as_deref().unwrap_or("?"),
            clean(n.org.as_deref().unwrap_or("?")),
            n.source,
            if n.customer { ", customer reassignment" } else { "" }
        )
    };
    if let Some(n) = &l.network() {
        let _ = writeln!(s, "  network      {}", net_line(n));
        if let Some(p) = &n.parent {
            let _ = writeln!(s, "  parent       {}", net_line(p));
        }
    }
    if let Some(d) = &l.domain() {
        let _ = writeln!(
            s,
            "  domain       {}; registrar {}{}",
            clean(&d.name),
            clean(d.registrar.as_deref().unwrap_or("?")),
            d.abuse_contacts
                .first()
                .map(|c| format!(" ({})", clean(&c.email)))
                .unwrap_or_default()
        );
    }
}

/// The owner and the ISP with their contacts.
fn parties(s: &mut String, l: &Lookup) {
    let _ = writeln!(s, "  owner        {}", clean(l.owner_name().unwrap_or("?")));
    contacts(s, l.owner_contacts());
    let _ = writeln!(s, "  ISP          {}", clean(l.isp_name().unwrap_or("?")));
    contacts(s, l.isp_contacts());
}

/// The blocklists and the traceroute.
fn probes(s: &mut String, l: &Lookup) {
    for b in l.dnsbl() {
        let state = if b.listed {
            "LISTED"
        } else if b.error {
            "error"
        } else {
            "not listed"
        };
        let _ = writeln!(
            s,
            "  DNSBL        {:<28} {state} {}",
            clean(&b.zone),
            clip(
                &[
                    b.answer.as_deref().unwrap_or(""),
                    b.reason.as_deref().unwrap_or("")
                ]
                .join(" "),
                70
            )
        );
    }
    if let Some(r) = &l.traceroute() {
        if let (Some(why), Some(cmd)) = (&r.answer.reason, &r.command) {
            let _ = writeln!(s, "  traceroute   {}; run: {}", clean(why), clean(cmd));
        } else {
            let up = r
                .upstream_ip
                .map(|u| {
                    let asn = r.upstream_asn.map(|n| format!(" (AS{n})")).unwrap_or_default();
                    format!("; upstream {u}{asn}")
                })
                .unwrap_or_default();
            let note = r
                .answer
                .reason
                .as_deref()
                .map(|w| format!(" ({})", clean(w)))
                .unwrap_or_default();
            let _ = writeln!(s, "  traceroute   {} hops{up}{note}", r.hops.len());
        }
    }
}

/// Every answer, with its text when `raw`.
fn answers(s: &mut String, l: &Lookup, raw: bool) {
    let _ = writeln!(s, "  answers:");
    for a in &l.answers() {
        let _ = writeln!(
            s,
            "    {:<12} {:>5} ms{} {:<7} {:<28} {}{}",
            a.status.as_str(),
            a.elapsed_ms,
            if a.cached { " (cached)" } else { "" },
            a.protocol,
            clip(&a.server, 28),
            clip(&a.query, 60),
            a.reason
                .as_deref()
                .map(|r| format!(" — {}", clip(r, 80)))
                .unwrap_or_default()
        );
        if raw && !a.text.is_empty() {
            for line in a.text.lines() {
                let _ = writeln!(s, "      | {}", clean(line));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lookup::answer::Answer;
    use crate::lookup::attribute::{DomainEvidence, Evidence, Network, Rdns, answer_of};
    use crate::lookup::traceroute::{Route, RouteHop};

    /// The words the report had wrong (issue 13.8): a domain is not an address, a
    /// failed PTR query is not "no PTR record", a traceroute without an upstream
    /// leaves no dangling "; ", a network without a name leaves no gap.
    #[test]
    fn words_and_states() {
        let mut e = Evidence::new("192.0.2.1".parse().unwrap());
        let mut ptr = Answer::new("dns", "s", "1.2.0.192.in-addr.arpa PTR").failed(Status::Timeout, "slow");
        ptr.elapsed_ms = 1;
        e.rdns = Some(Rdns {
            names: Vec::new(),
            fcrdns: None,
            answers: vec![ptr],
        });
        e.traceroute = Some(Some(Route {
            hops: vec![RouteHop {
                ttl: 1,
                addrs: Vec::new(),
                avg_ms: None,
            }],
            upstream_ip: None,
            upstream_asn: None,
            command: None,
            answer: answer_of("traceroute", "local", "192.0.2.1", ""),
        }));
        let mut l = Lookup::from_evidence(e);
        l.attribution.network = Some(Network {
            cidr: Some("192.0.2.0/29".into()),
            org: Some("Example".into()),
            source: "whois".into(),
            ..Network::default()
        });
        let r = render(&l, false);
        assert!(
            r.contains("reverse DNS  unknown (the PTR query got no answer)"),
            "{r}"
        );
        assert!(r.contains("traceroute   1 hops\n"), "{r}");
        assert!(r.contains("network      192.0.2.0/29 — Example (whois)"), "{r}");

        let mut d = Evidence {
            query: "example.org".into(),
            ..Evidence::default()
        };
        d.name = Some((
            "example.org".into(),
            answer_of("dns", "s", "example.org A", ""),
            DomainEvidence::default(),
        ));
        let r = render(&Lookup::from_evidence(d), false);
        assert!(
            r.contains("address      example.org has no address record"),
            "{r}"
        );
        assert!(!r.contains("reverse DNS"), "{r}");
    }
}
