//! Every value of the configuration checked when it is loaded, each error naming
//! the line it is on: a bad DNS server or reporter address is said at once, not
//! when the first lookup or complaint needs it.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use super::Config;

/// Where each key is in the file: (`section`, `key`) → its 1-based line; top-level
/// keys are in section `""`.
#[derive(Debug, Clone, Default)]
pub struct Lines(BTreeMap<(String, String), usize>);

impl Lines {
    /// Reads the positions of `text`'s keys (TOML's `[section]` and `key = value`
    /// lines; a dotted `[a.b]` is its own section, `"quoted"` keys are unquoted).
    #[must_use]
    pub fn of(text: &str) -> Lines {
        let mut map = BTreeMap::new();
        let mut section = String::new();
        for (i, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.starts_with('[') {
                let name = t.trim_start_matches('[');
                let name = name.split(']').next().unwrap_or("").trim();
                section = name.to_string();
                map.entry((section.clone(), String::new())).or_insert(i + 1);
                continue;
            }
            if t.starts_with('#') {
                continue;
            }
            if let Some((key, _)) = t.split_once('=') {
                let key = key.trim().trim_matches(['"', '\'']).to_string();
                if !key.is_empty() {
                    map.entry((section.clone(), key)).or_insert(i + 1);
                }
            }
        }
        Lines(map)
    }

    /// The line of `key` in `section` (or of the section itself), if written.
    #[must_use]
    pub fn line(&self, section: &str, key: &str) -> Option<usize> {
        self.0
            .get(&(section.to_string(), key.to_string()))
            .or_else(|| self.0.get(&(section.to_string(), String::new())))
            .copied()
    }

    /// `[section] key (line N)`, as errors name a value.
    #[must_use]
    pub fn name(&self, section: &str, key: &str) -> String {
        let head = if section.is_empty() {
            key.to_string()
        } else {
            format!("[{section}] {key}")
        };
        match self.line(section, key) {
            Some(n) => format!("{head} (line {n})"),
            None => head,
        }
    }
}

/// Is `s` free of control characters (CR, LF, ESC, …) and bidi controls?
fn printable(s: &str) -> bool {
    !s.chars().any(crate::sanitize::unsafe_char)
}

/// A plain e-mail address: `local@domain.tld`, printable, no space, no angle
/// brackets, commas or semicolons (it is written into headers as it is).
#[must_use]
pub fn plain_address(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.chars()
            .all(|c| !c.is_whitespace() && !crate::sanitize::unsafe_char(c) && !"<>,;:\"()[]\\".contains(c))
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// A DNS name as the zones take it: labels of letters, digits, `-` and `_`.
fn dns_name(s: &str) -> bool {
    let s = s.trim_end_matches('.');
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// A DNS server as `dns_servers` takes it: an address, or an address and port.
#[must_use]
pub fn dns_server(s: &str) -> bool {
    let s = s.trim();
    s.parse::<SocketAddr>().is_ok() || s.parse::<IpAddr>().is_ok()
}

/// Checks every value the file gave.
///
/// # Errors
/// The first value that is wrong, with its line and what is expected.
pub fn values(c: &Config, at: &Lines) -> Result<(), String> {
    reporter(c, at)?;
    network(c, at)?;
    names(c, at)?;
    smtp(c, at)
}

/// `[reporter]`: what goes into every complaint's headers.
fn reporter(c: &Config, at: &Lines) -> Result<(), String> {
    let r = &c.reporter;
    if !printable(&r.name) {
        return Err(format!(
            "{}: a control character (a line break, an escape) has no place in a name",
            at.name("reporter", "name")
        ));
    }
    if !r.address.trim().is_empty() && !plain_address(r.address.trim()) {
        return Err(format!(
            "{} = {:?}: not a plain e-mail address (name@example.org)",
            at.name("reporter", "address"),
            crate::sanitize::clip(&r.address, 80)
        ));
    }
    for a in r.redact.iter().chain(r.redact_with.iter()) {
        if !printable(a) {
            return Err(format!(
                "{}: {:?} holds a control character",
                at.name(
                    "reporter",
                    if r.redact.contains(a) {
                        "redact"
                    } else {
                        "redact_with"
                    }
                ),
                crate::sanitize::clip(a, 80)
            ));
        }
    }
    Ok(())
}

/// `[network]`: the servers and ports.
fn network(c: &Config, at: &Lines) -> Result<(), String> {
    if let Some(s) = c.network.dns_servers.iter().find(|s| !dns_server(s)) {
        return Err(format!(
            "{}: {:?} is not an address or address:port (such as \"9.9.9.9\" or \"[2620:fe::fe]:53\")",
            at.name("network", "dns_servers"),
            crate::sanitize::clip(s, 80)
        ));
    }
    if let Some(u) = &c.network.rdap_bootstrap_url {
        let ok = reqwest::Url::parse(u)
            .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some());
        if !ok {
            return Err(format!(
                "{} = {:?}: give an http:// or https:// URL",
                at.name("network", "rdap_bootstrap_url"),
                crate::sanitize::clip(u, 80)
            ));
        }
    }
    if c.network.whois_port == 0 || c.network.relay_test_port == 0 {
        let key = if c.network.whois_port == 0 {
            "whois_port"
        } else {
            "relay_test_port"
        };
        return Err(format!(
            "{} = 0: give a port from 1 to 65535",
            at.name("network", key)
        ));
    }
    Ok(())
}

/// `[zones]` and `[trust]`: names.
fn names(c: &Config, at: &Lines) -> Result<(), String> {
    let z = &c.zones;
    for (key, name) in [
        ("asn_origin", &z.asn_origin),
        ("asn_origin6", &z.asn_origin6),
        ("asn_peer", &z.asn_peer),
        ("asn_name", &z.asn_name),
        ("abusix", &z.abusix),
        ("abuse_net", &z.abuse_net),
    ]
    .into_iter()
    .chain(z.dnsbl.iter().map(|d| ("dnsbl", d)))
    {
        // An empty zone switches that service off.
        if !name.is_empty() && !dns_name(name) {
            return Err(format!(
                "{} = {:?}: not a DNS name",
                at.name("zones", key),
                crate::sanitize::clip(name, 80)
            ));
        }
    }
    for (key, v) in [("hosts", &c.trust.hosts), ("authserv_ids", &c.trust.authserv_ids)] {
        if let Some(bad) = v.iter().find(|s| s.trim().is_empty() || !printable(s)) {
            return Err(format!(
                "{}: {:?} is not a host, domain or network",
                at.name("trust", key),
                crate::sanitize::clip(bad, 80)
            ));
        }
    }
    Ok(())
}

/// `[smtp]`.
fn smtp(c: &Config, at: &Lines) -> Result<(), String> {
    if let Some(s) = &c.smtp {
        if s.host.trim().is_empty() || !printable(&s.host) || s.host.contains(char::is_whitespace) {
            return Err(format!(
                "{} = {:?}: give the SMTP server's host name",
                at.name("smtp", "host"),
                crate::sanitize::clip(&s.host, 80)
            ));
        }
        if s.port == Some(0) {
            return Err(format!(
                "{} = 0: give a port from 1 to 65535",
                at.name("smtp", "port")
            ));
        }
        if let Some(u) = s.username.as_ref().filter(|u| !printable(u)) {
            return Err(format!(
                "{}: {:?} holds a control character",
                at.name("smtp", "username"),
                crate::sanitize::clip(u, 80)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_per_section() {
        let l = Lines::of(
            "clipboard = \"osc52\"\n[network]\n# x = 1\ndns_servers = [\"a\"]\n[keys]\n\"quit\" = \"x\"\n",
        );
        assert_eq!(l.line("", "clipboard"), Some(1));
        assert_eq!(l.line("network", "dns_servers"), Some(4));
        assert_eq!(l.line("keys", "quit"), Some(6));
        assert_eq!(
            l.line("keys", "nope"),
            Some(5),
            "the section's own line when the key is not written"
        );
        assert_eq!(l.name("network", "x"), "[network] x (line 2)");
    }

    #[test]
    fn addresses() {
        assert!(plain_address("jane@example.org"));
        for bad in [
            "jane@example.org\r\nBcc: x@y.z",
            "jane\x1b@example.org",
            "jane",
            "a b@example.org",
            "<a@b.c>",
            "a@b",
        ] {
            assert!(!plain_address(bad), "{bad:?}");
        }
    }
}
