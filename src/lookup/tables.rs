//! IANA's delegations shipped inside (as whois(1) ships its lists): which regional
//! registry holds an IPv4 /8, an IPv6 prefix or an AS number, so the whois.iana.org
//! hop can be skipped. A configured `rdap_bootstrap_url` wins over this copy.

use std::net::IpAddr;
use std::sync::OnceLock;

use ipnet::IpNet;

/// A regional internet registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rir {
    Arin,
    Ripe,
    Apnic,
    Lacnic,
    Afrinic,
}

impl Rir {
    fn from_name(s: &str) -> Option<Rir> {
        Some(match s {
            "arin" => Rir::Arin,
            "ripe" => Rir::Ripe,
            "apnic" => Rir::Apnic,
            "lacnic" => Rir::Lacnic,
            "afrinic" => Rir::Afrinic,
            _ => return None,
        })
    }

    /// The registry an RDAP base URL belongs to (`https://rdap.arin.net/registry/`).
    pub fn from_url(url: &str) -> Option<Rir> {
        let u = url.to_ascii_lowercase();
        ["afrinic", "lacnic", "apnic", "arin", "ripe"]
            .into_iter()
            .find(|r| u.contains(r))
            .and_then(Rir::from_name)
    }

    /// Its port-43 whois server.
    pub fn whois(self) -> &'static str {
        match self {
            Rir::Arin => "whois.arin.net",
            Rir::Ripe => "whois.ripe.net",
            Rir::Apnic => "whois.apnic.net",
            Rir::Lacnic => "whois.lacnic.net",
            Rir::Afrinic => "whois.afrinic.net",
        }
    }

    /// Its RDAP base URL.
    pub fn rdap(self) -> &'static str {
        match self {
            Rir::Arin => "https://rdap.arin.net/registry/",
            Rir::Ripe => "https://rdap.db.ripe.net/",
            Rir::Apnic => "https://rdap.apnic.net/",
            Rir::Lacnic => "https://rdap.lacnic.net/rdap/",
            Rir::Afrinic => "https://rdap.afrinic.net/rdap/",
        }
    }
}

struct Tables {
    nets: Vec<(IpNet, Rir)>,
    asns: Vec<(u32, u32, Rir)>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let rows = |text: &'static str| {
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split_once(' '))
                .collect::<Vec<_>>()
        };
        let mut nets = Vec::new();
        for (net, rir) in rows(include_str!("../../assets/iana/ipv4.txt"))
            .into_iter()
            .chain(rows(include_str!("../../assets/iana/ipv6.txt")))
        {
            if let (Ok(n), Some(r)) = (net.parse::<IpNet>(), Rir::from_name(rir.trim())) {
                nets.push((n, r));
            }
        }
        // Most specific first.
        nets.sort_by_key(|(n, _)| std::cmp::Reverse(n.prefix_len()));
        let mut asns = Vec::new();
        for (range, rir) in rows(include_str!("../../assets/iana/asn.txt")) {
            let Some((a, z)) = range.split_once('-') else {
                continue;
            };
            if let (Ok(a), Ok(z), Some(r)) = (a.parse(), z.parse(), Rir::from_name(rir.trim())) {
                asns.push((a, z, r));
            }
        }
        Tables { nets, asns }
    })
}

/// The registry IANA delegated `ip` to, per the shipped table.
pub fn rir_of_ip(ip: IpAddr) -> Option<Rir> {
    tables()
        .nets
        .iter()
        .find(|(n, _)| n.contains(&ip))
        .map(|(_, r)| *r)
}

/// The registry IANA delegated AS `n` to.
pub fn rir_of_asn(n: u32) -> Option<Rir> {
    tables()
        .asns
        .iter()
        .find(|(a, z, _)| (*a..=*z).contains(&n))
        .map(|(_, _, r)| *r)
}

/// The RDAP base URL for `ip` in an IANA bootstrap file (RFC 9224): the longest
/// matching prefix; the first URL of its service.
pub fn bootstrap_lookup_ip(json: &serde_json::Value, ip: IpAddr) -> Option<String> {
    let mut best: Option<(u8, String)> = None;
    for service in json.get("services")?.as_array()? {
        let (Some(prefixes), Some(urls)) = (service.get(0).and_then(|v| v.as_array()), service.get(1)) else {
            continue;
        };
        let Some(url) = urls.as_array().and_then(|u| u.first()).and_then(|u| u.as_str()) else {
            continue;
        };
        for p in prefixes.iter().filter_map(|p| p.as_str()?.parse::<IpNet>().ok()) {
            if p.contains(&ip) && best.as_ref().is_none_or(|(len, _)| p.prefix_len() > *len) {
                best = Some((p.prefix_len(), url.to_string()));
            }
        }
    }
    best.map(|(_, u)| u)
}

/// The RDAP base URL for AS `n` in `asn.json`.
pub fn bootstrap_lookup_asn(json: &serde_json::Value, n: u32) -> Option<String> {
    for service in json.get("services")?.as_array()? {
        let url = service.get(1)?.as_array()?.first()?.as_str()?;
        for r in service.get(0)?.as_array()?.iter().filter_map(|r| r.as_str()) {
            let (a, z) = r.split_once('-').unwrap_or((r, r));
            if let (Ok(a), Ok(z)) = (a.parse::<u32>(), z.parse::<u32>())
                && (a..=z).contains(&n)
            {
                return Some(url.to_string());
            }
        }
    }
    None
}

/// The RDAP base URL for a domain in `dns.json`: the longest matching label suffix.
pub fn bootstrap_lookup_domain(json: &serde_json::Value, domain: &str) -> Option<String> {
    let domain = domain.to_ascii_lowercase();
    let mut best: Option<(usize, String)> = None;
    for service in json.get("services")?.as_array()? {
        let Some(url) = service.get(1).and_then(|u| u.as_array()?.first()?.as_str()) else {
            continue;
        };
        for tld in service
            .get(0)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str())
        {
            let t = tld.to_ascii_lowercase();
            let hit = domain == t || domain.ends_with(&format!(".{t}"));
            if hit && best.as_ref().is_none_or(|(len, _)| t.len() > *len) {
                best = Some((t.len(), url.to_string()));
            }
        }
    }
    best.map(|(_, u)| u)
}

/// The whois servers of the commonest TLDs, so IANA is not asked for them.
pub fn tld_whois(tld: &str) -> Option<&'static str> {
    Some(match tld {
        "com" | "net" => "whois.verisign-grs.com",
        "org" => "whois.publicinterestregistry.org",
        "info" | "mobi" | "pro" => "whois.identity.digital",
        "biz" => "whois.nic.biz",
        "io" => "whois.nic.io",
        "de" => "whois.denic.de",
        "uk" => "whois.nic.uk",
        "fr" => "whois.nic.fr",
        "nl" => "whois.domain-registry.nl",
        "it" => "whois.nic.it",
        "eu" => "whois.eu",
        "ru" | "su" => "whois.tcinet.ru",
        "br" => "whois.registro.br",
        "mx" => "whois.mx",
        "jp" => "whois.jprs.jp",
        "cn" => "whois.cnnic.cn",
        "au" => "whois.auda.org.au",
        "ca" => "whois.cira.ca",
        "pl" => "whois.dns.pl",
        "ch" | "li" => "whois.nic.ch",
        _ => return None,
    })
}

/// The query a domain registry's server wants.
pub fn domain_query(server: &str, domain: &str) -> String {
    match server {
        // Thin registry: `domain` selects the domain record, not name servers.
        "whois.verisign-grs.com" => format!("domain {domain}"),
        "whois.denic.de" => format!("-T dn,ace {domain}"),
        "whois.jprs.jp" => format!("{domain}/e"),
        _ => domain.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_tables_answer() {
        assert_eq!(rir_of_ip("8.8.8.8".parse().unwrap()), Some(Rir::Arin));
        assert_eq!(rir_of_ip("62.239.237.1".parse().unwrap()), Some(Rir::Ripe));
        assert_eq!(rir_of_ip("210.107.73.73".parse().unwrap()), Some(Rir::Apnic));
        assert_eq!(rir_of_ip("200.57.141.161".parse().unwrap()), Some(Rir::Lacnic));
        assert_eq!(rir_of_ip("196.11.240.215".parse().unwrap()), Some(Rir::Afrinic));
        assert_eq!(rir_of_ip("2a00:2381:ffff::1".parse().unwrap()), Some(Rir::Ripe));
        assert_eq!(rir_of_ip("10.0.0.1".parse().unwrap()), None);
        assert_eq!(rir_of_asn(15169), Some(Rir::Arin));
        assert_eq!(rir_of_asn(8283), Some(Rir::Ripe));
    }

    #[test]
    fn bootstrap_files() {
        let j = serde_json::json!({"services": [
            [["192.0.0.0/8"], ["http://a.test/"]], [["192.0.2.0/24"], ["http://b.test/", "https://b.test/"]]]});
        assert_eq!(
            bootstrap_lookup_ip(&j, "192.0.2.9".parse().unwrap()).as_deref(),
            Some("http://b.test/")
        );
        assert_eq!(
            bootstrap_lookup_ip(&j, "192.1.0.1".parse().unwrap()).as_deref(),
            Some("http://a.test/")
        );
        let a = serde_json::json!({"services": [[["64496-64511"], ["http://as.test/"]]]});
        assert_eq!(
            bootstrap_lookup_asn(&a, 64500).as_deref(),
            Some("http://as.test/")
        );
        let d = serde_json::json!({"services": [[["net", "co.uk"], ["http://d.test/"]]]});
        assert_eq!(
            bootstrap_lookup_domain(&d, "x.example.net").as_deref(),
            Some("http://d.test/")
        );
        assert_eq!(bootstrap_lookup_domain(&d, "example.org"), None);
    }
}
