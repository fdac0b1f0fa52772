//! The user's own mail site: host names, domains and networks whose hops are trusted.

use std::net::IpAddr;

use ipnet::IpNet;

use super::names::{norm, within};

/// Hosts, domains and networks that make up the user's site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    /// Host names and domains: a host matches a name equal to one or inside it.
    pub names: Vec<String>,
    pub nets: Vec<IpNet>,
}

/// A `--trust` value or `[trust] hosts` entry that is none of host, domain, address
/// or network.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a host name, domain, IP address or CIDR network: {0:?}")]
pub struct BadSpec(pub String);

impl Site {
    /// Builds a site from host names, domains, IP addresses and CIDR networks.
    ///
    /// # Errors
    /// A spec that is none of those.
    pub fn parse<S: AsRef<str>>(specs: &[S]) -> Result<Site, BadSpec> {
        let mut site = Site::default();
        for s in specs {
            site.add(s.as_ref())?;
        }
        Ok(site)
    }

    /// Adds one host name, domain, address or network.
    ///
    /// # Errors
    /// A spec that is none of those.
    pub fn add(&mut self, spec: &str) -> Result<(), BadSpec> {
        let s = spec.trim();
        if let Ok(net) = s.parse::<IpNet>() {
            self.nets.push(net.trunc());
        } else if let Ok(ip) = norm(s).parse::<IpAddr>() {
            self.nets.push(IpNet::from(ip));
        } else if !s.is_empty()
            && s.len() <= 253
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            && !s.starts_with('.')
        {
            let n = norm(s);
            if !self.names.contains(&n) {
                self.names.push(n);
            }
        } else {
            return Err(BadSpec(spec.to_string()));
        }
        Ok(())
    }

    #[must_use]
    pub fn has_host(&self, host: &str) -> bool {
        if let Ok(ip) = norm(host).parse::<IpAddr>() {
            return self.has_ip(ip);
        }
        self.names.iter().any(|d| within(host, d))
    }

    #[must_use]
    pub fn has_ip(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// Everything in the site, for display.
    #[must_use]
    pub fn describe(&self) -> Vec<String> {
        self.names
            .iter()
            .cloned()
            .chain(self.nets.iter().map(ToString::to_string))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        let s = Site::parse(&["example.org", "192.0.2.0/24", "10.1.2.3", "[2001:db8::1]"]).unwrap();
        assert!(s.has_host("mx.example.org"));
        assert!(!s.has_host("example.org.evil.com"));
        assert!(s.has_ip("192.0.2.77".parse().unwrap()));
        assert!(s.has_ip("10.1.2.3".parse().unwrap()));
        assert!(s.has_host("[192.0.2.1]"));
        assert!(s.has_ip("2001:db8::1".parse().unwrap()));
        assert!(Site::parse(&["not a host"]).is_err());
        assert!(Site::parse(&["a\r\nb"]).is_err());
    }
}
