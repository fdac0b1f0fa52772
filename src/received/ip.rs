//! Addresses as they appear in `Received:` lines: `[1.2.3.4]`, `[IPv6:2001:db8::1]`,
//! `1.2.3.4:25`, `[1.2.3.4]:25`, Exim 3's `1.2.3.4.25`, `::ffff:1.2.3.4`, zone ids.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Reads one address token in any of the notations MTAs write, or `None`.
///
/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are returned as IPv4: that is the
/// address the sender really had. Zone ids (`fe80::1%eth0`) are dropped.
#[must_use]
pub fn parse_ip_token(token: &str) -> Option<IpAddr> {
    let mut s =
        token.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '"' | '\''));
    if let Some(rest) = s.strip_prefix('[') {
        // "[1.2.3.4]", "[1.2.3.4]:25", "[1.2.3.4:25]"
        s = rest.split(']').next().unwrap_or(rest);
    } else if let Some(stripped) = s.strip_suffix(']') {
        s = stripped;
    }
    if let Some(rest) = strip_prefix_ci(s, "ipv6:") {
        s = rest;
    }
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Some(ip) = plain(s) {
        return Some(ip);
    }
    // A zone id: fe80::1%eth0
    if let Some((addr, _zone)) = s.split_once('%')
        && let Ok(v6) = addr.parse::<Ipv6Addr>()
    {
        return Some(unmap(v6));
    }
    // IPv4 with a port: 1.2.3.4:25
    if let Some((addr, port)) = s.rsplit_once(':')
        && is_port(port)
        && let Ok(v4) = addr.parse::<Ipv4Addr>()
    {
        return Some(IpAddr::V4(v4));
    }
    // Exim 3 and some others glue the port on with a dot: 10.0.8.6.13219
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() == 5 && is_port(parts[4]) {
        let joined = parts[..4].join(".");
        if let Ok(v4) = joined.parse::<Ipv4Addr>() {
            return Some(IpAddr::V4(v4));
        }
    }
    None
}

/// `s` without `prefix`, compared ignoring ASCII case; safe on any UTF-8.
#[must_use]
pub fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

fn plain(s: &str) -> Option<IpAddr> {
    if let Ok(v4) = s.parse::<Ipv4Addr>() {
        return Some(IpAddr::V4(v4));
    }
    if s.contains(':')
        && let Ok(v6) = s.parse::<Ipv6Addr>()
    {
        return Some(unmap(v6));
    }
    None
}

fn unmap(v6: Ipv6Addr) -> IpAddr {
    match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    }
}

fn is_port(s: &str) -> bool {
    !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Does the token look like an address literal, bracketed or bare?
#[must_use]
pub fn is_ip_literal(token: &str) -> bool {
    parse_ip_token(token).is_some()
}

/// Addresses that no host on the public internet can have: private (RFC 1918, ULA),
/// loopback, link-local, CGNAT shared space.
#[must_use]
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            v6.is_loopback() || (seg[0] & 0xfe00) == 0xfc00 || (seg[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Is the address loopback (127/8, `::1`)?
#[must_use]
pub fn is_loopback(ip: IpAddr) -> bool {
    ip.is_loopback()
}

/// Addresses that cannot be the source of a TCP connection at all: "this network",
/// multicast, reserved class E, broadcast, unspecified, IETF documentation ranges.
/// Seeing one as a sender is evidence of a forged line.
#[must_use]
pub fn is_impossible(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            o[0] == 0 || o[0] >= 224 || v4.is_documentation()
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            v6.is_unspecified() || v6.is_multicast() || (seg[0] == 0x2001 && seg[1] == 0x0db8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<String> {
        parse_ip_token(s).map(|ip| ip.to_string())
    }

    #[test]
    fn notations() {
        assert_eq!(p("[1.2.3.4]").as_deref(), Some("1.2.3.4"));
        assert_eq!(p("1.2.3.4").as_deref(), Some("1.2.3.4"));
        assert_eq!(p("[1.2.3.4]:25").as_deref(), Some("1.2.3.4"));
        assert_eq!(p("[1.2.3.4:50387]").as_deref(), Some("1.2.3.4"));
        assert_eq!(p("63.146.189.86:23198").as_deref(), Some("63.146.189.86"));
        assert_eq!(p("[10.0.8.6.13219]").as_deref(), Some("10.0.8.6"));
        assert_eq!(
            p("[IPv6:2001:4f8:3:bb::25]").as_deref(),
            Some("2001:4f8:3:bb::25")
        );
        assert_eq!(p("[::ffff:218.11.152.141]").as_deref(), Some("218.11.152.141"));
        assert_eq!(p("fe80::1%eth0").as_deref(), Some("fe80::1"));
        assert_eq!(
            p("2a01:111:e400:c418::34").as_deref(),
            Some("2a01:111:e400:c418::34")
        );
        assert_eq!(p("[2001:db8::1]:25").as_deref(), Some("2001:db8::1"));
        assert_eq!(p("host.example.com"), None);
        assert_eq!(p("1.2.3"), None);
        assert_eq!(p("[]"), None);
        assert_eq!(p("256.1.1.1"), None);
    }

    #[test]
    fn classes() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(is_private(ip("10.1.2.3")));
        assert!(is_private(ip("172.16.1.78")));
        assert!(is_private(ip("100.64.0.1")));
        assert!(is_private(ip("fe80::1")));
        assert!(is_private(ip("fd00::1")));
        assert!(!is_private(ip("8.8.8.8")));
        assert!(is_impossible(ip("0.1.2.3")));
        assert!(is_impossible(ip("240.0.0.1")));
        assert!(is_impossible(ip("224.0.0.1")));
        assert!(!is_impossible(ip("1.2.3.4")));
    }
}
