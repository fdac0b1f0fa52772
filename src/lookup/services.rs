//! The DNS-based services: Team Cymru's IP-to-ASN interface (origin, origin6, peer,
//! AS name), Abusix's abuse-contact zone, abuse.net's contacts zone, and DNSBLs.

use std::net::IpAddr;

use serde::Serialize;

/// ASN facts for an address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Asn {
    pub number: u32,
    pub name: Option<String>,
    pub cidr: Option<String>,
    pub country: Option<String>,
    pub registry: Option<String>,
    /// The neighbouring ASes (Cymru's peer interface): the upstreams of a network.
    pub peers: Vec<u32>,
}

fn fields(line: &str) -> Vec<String> {
    line.split('|')
        .map(|f| crate::sanitize::clip(f.trim().trim_matches('"'), 120))
        .collect()
}

/// `15169 | 8.8.8.0/24 | US | arin | 2023-12-28` (several origins: the first, the
/// most specific prefix wins when several lines come back).
pub fn parse_origin(text: &str) -> Option<Asn> {
    let mut best: Option<(u8, Asn)> = None;
    for line in text.lines() {
        let f = fields(line);
        let number: u32 = f.first()?.split_whitespace().next()?.parse().ok()?;
        let cidr = f.get(1).cloned().filter(|s| !s.is_empty());
        let len = cidr
            .as_deref()
            .and_then(|c| c.split('/').nth(1)?.parse().ok())
            .unwrap_or(0);
        let asn = Asn {
            number,
            name: None,
            cidr,
            country: f.get(2).cloned().filter(|s| !s.is_empty()),
            registry: f.get(3).cloned().filter(|s| !s.is_empty()),
            peers: Vec::new(),
        };
        if best.as_ref().is_none_or(|(l, _)| len > *l) {
            best = Some((len, asn));
        }
    }
    best.map(|(_, a)| a)
}

/// `701 1239 3356 | 8.8.8.0/24 | US | arin | …` → the peer ASNs.
pub fn parse_peers(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for line in text.lines() {
        let first = line.split('|').next().unwrap_or("");
        for n in first
            .split_whitespace()
            .filter_map(|w| w.trim_matches('"').parse::<u32>().ok())
        {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// `15169 | US | arin | 2000-03-30 | GOOGLE - Google LLC, US` → the AS name.
pub fn parse_as_name(text: &str) -> Option<String> {
    let line = text.lines().next()?;
    fields(line).get(4).cloned().filter(|s| !s.is_empty())
}

/// A DNSBL's verdict on the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listing {
    pub zone: String,
    pub listed: bool,
    /// The A record(s), e.g. `127.0.0.2`.
    pub answer: Option<String>,
    /// The TXT reason, or why the list could not say.
    pub reason: Option<String>,
    /// The list answered with an error code (a refused or over-quota query).
    pub error: bool,
}

/// Reads the A answer of a DNSBL query: `127.0.0.x` is a listing, `127.255.255.x`
/// (Spamhaus) and anything outside 127/8 is an error, not a listing.
pub fn read_listing(zone: &str, a_records: &[&str]) -> Listing {
    let mut l = Listing {
        zone: zone.to_string(),
        listed: false,
        answer: None,
        reason: None,
        error: false,
    };
    if a_records.is_empty() {
        return l;
    }
    l.answer = Some(a_records.join(", "));
    let codes: Vec<IpAddr> = a_records.iter().filter_map(|r| r.parse().ok()).collect();
    let err = codes.iter().any(|ip| match ip {
        IpAddr::V4(v4) => v4.octets()[0] != 127 || v4.octets()[1] == 255,
        IpAddr::V6(_) => true,
    });
    if err || codes.is_empty() {
        l.error = true;
        l.reason = Some("the list answered with an error code, not a listing".into());
    } else {
        l.listed = true;
    }
    l
}

/// The name to ask a DNS-based list about an address: `4.3.2.1.zone`.
pub fn dnsbl_name(ip: IpAddr, zone: &str) -> String {
    format!("{}.{}", super::dns::reverse_name(ip), zone.trim_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cymru() {
        let a = parse_origin("15169 | 8.8.8.0/24 | US | arin | 2023-12-28").unwrap();
        assert_eq!(
            (a.number, a.cidr.as_deref(), a.country.as_deref()),
            (15169, Some("8.8.8.0/24"), Some("US"))
        );
        let two = parse_origin("3356 | 4.0.0.0/9 | US | arin |\n3356 | 4.4.0.0/16 | US | arin |").unwrap();
        assert_eq!(two.cidr.as_deref(), Some("4.4.0.0/16"));
        assert_eq!(
            parse_peers("701 1239 3356 | 8.8.8.0/24 | US | arin |"),
            vec![701, 1239, 3356]
        );
        assert_eq!(
            parse_as_name("15169 | US | arin | 2000-03-30 | GOOGLE - Google LLC, US").as_deref(),
            Some("GOOGLE - Google LLC, US")
        );
        assert!(parse_origin("garbage").is_none());
    }

    #[test]
    fn dnsbl_codes() {
        assert!(read_listing("zen", &["127.0.0.2"]).listed);
        let e = read_listing("zen", &["127.255.255.254"]);
        assert!(!e.listed && e.error);
        assert!(!read_listing("zen", &[]).listed);
        assert_eq!(
            dnsbl_name("192.0.2.1".parse().unwrap(), "zen.spamhaus.org."),
            "1.2.0.192.zen.spamhaus.org"
        );
    }
}
