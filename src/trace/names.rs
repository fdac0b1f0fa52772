//! Host-name judgements: registrable domains (public suffix list), generic
//! (dynamic, dial-up, pool) reverse DNS, and the big providers whose names ratware
//! likes to borrow.

use std::net::IpAddr;

/// The registrable domain of a host name ("mx1.mail.example.co.uk" → "example.co.uk"),
/// lower-cased, or `None` for bare names, IP literals and unknown suffixes.
#[must_use]
pub fn registrable(host: &str) -> Option<String> {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    if h.is_empty() || !h.contains('.') || h.starts_with('[') || h.parse::<IpAddr>().is_ok() {
        return None;
    }
    if !h
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        return None;
    }
    let suffix = psl::suffix(h.as_bytes())?;
    if !suffix.is_known() {
        return None;
    }
    psl::domain_str(&h).map(str::to_string)
}

/// The registrable domain under the ICANN section of the public suffix list only:
/// a name under a private suffix (a cloud's or a dynamic-DNS service's, like
/// `ec2-….compute.amazonaws.com`) gives the operator's own domain
/// (`amazonaws.com`), not the customer's host name.
#[must_use]
pub fn registrable_icann(host: &str) -> Option<String> {
    registrable(host)?;
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let mut suffix = String::from_utf8(psl::suffix(h.as_bytes())?.as_bytes().to_vec()).ok()?;
    loop {
        let s = psl::suffix(suffix.as_bytes())?;
        if !s.is_known() {
            return None;
        }
        let text = String::from_utf8(s.as_bytes().to_vec()).ok()?;
        if s.typ() != Some(psl::Type::Private) {
            suffix = text;
            break;
        }
        suffix = text.split_once('.')?.1.to_string();
    }
    let prefix = h.strip_suffix(suffix.as_str())?.strip_suffix('.')?;
    let label = prefix.rsplit('.').next().filter(|l| !l.is_empty())?;
    Some(format!("{label}.{suffix}"))
}

/// Case-insensitive host equality ignoring a final dot and IP-literal brackets.
#[must_use]
pub fn same_host(a: &str, b: &str) -> bool {
    bare(a).eq_ignore_ascii_case(bare(b))
}

/// [`norm`] without the lower-casing: a slice of `h`, no allocation.
fn bare(h: &str) -> &str {
    let h = h.trim().trim_end_matches('.');
    let h = h.strip_prefix('[').and_then(|x| x.strip_suffix(']')).unwrap_or(h);
    crate::received::strip_prefix_ci(h, "ipv6:").unwrap_or(h)
}

/// A host name or literal in a comparable form.
#[must_use]
pub fn norm(h: &str) -> String {
    bare(h).to_ascii_lowercase()
}

/// Is `host` the same as `domain` or inside it (label boundary)?
#[must_use]
pub fn within(host: &str, domain: &str) -> bool {
    let (h, d) = (norm(host), norm(domain));
    !d.is_empty()
        && (h == d || (h.len() > d.len() && h.ends_with(&d) && h.as_bytes()[h.len() - d.len() - 1] == b'.'))
}

/// Words in reverse-DNS names that mark an end-user or unnamed address.
const GENERIC_WORDS: &[&str] = &[
    "dsl",
    "adsl",
    "xdsl",
    "vdsl",
    "sdsl",
    "dial",
    "dialup",
    "dialin",
    "dyn",
    "dynamic",
    "dynip",
    "pool",
    "ppp",
    "pppoe",
    "cable",
    "cbl",
    "dhcp",
    "client",
    "clients",
    "cust",
    "customer",
    "broadband",
    "bb",
    "home",
    "user",
    "users",
    "res",
    "resid",
    "residential",
    "mobile",
    "wireless",
    "wifi",
    "lte",
    "3g",
    "4g",
    "5g",
    "nat",
    "cpe",
    "modem",
    "ftth",
    "fttx",
    "fibre",
    "fiber",
    "ip",
    "ips",
    "host",
    "hosts",
    "unassigned",
    "unknown",
    "static",
    "rev",
    "reverse",
    "in-addr",
    "addr",
    "tpnet",
    "ptr",
    "vps",
    "node",
    "dip",
    "dip0",
    "tdialin",
    "t-dialin",
    "dialer",
    "access",
    "ras",
    "catv",
    "ddns",
    "dhcpd",
    "gprs",
    "pop",
    "cm",
    "dslam",
    "sub",
];

/// Does the reverse-DNS name look generic — an end user's connection or an address
/// nobody named — rather than a mail server someone runs?
#[must_use]
pub fn is_generic_rdns(name: &str, ip: Option<IpAddr>) -> bool {
    let n = norm(name);
    let dom = registrable(&n).unwrap_or_default();
    let host_part = n.strip_suffix(&dom).unwrap_or(&n).trim_end_matches('.');
    if host_part.is_empty() || super::entry::known_operator(&dom) {
        return false;
    }
    if let Some(IpAddr::V4(v4)) = ip {
        // The address spelt into the name, in the forms ISPs use. One buffer for
        // all of them: this runs for most hops.
        let [o1, o2, o3, o4] = v4.octets();
        let digit_count = host_part.bytes().filter(u8::is_ascii_digit).count();
        let mut buf = String::with_capacity(24);
        let mut has = |args: std::fmt::Arguments<'_>| {
            use std::fmt::Write as _;
            buf.clear();
            let _ = buf.write_fmt(args);
            host_part.contains(buf.as_str())
        };
        if has(format_args!("{o1}-{o2}-{o3}-{o4}"))
            || has(format_args!("{o1}.{o2}.{o3}.{o4}"))
            || has(format_args!("{o4}-{o3}-{o2}-{o1}"))
            || has(format_args!("{o4}.{o3}.{o2}.{o1}"))
            || has(format_args!("{o1:03}-{o2:03}-{o3:03}-{o4:03}"))
            || has(format_args!("{o1:03}{o2:03}{o3:03}{o4:03}"))
            || has(format_args!("{o1:02x}{o2:02x}{o3:02x}{o4:02x}"))
            || digit_count >= 6 && has(format_args!("{o3}-{o4}"))
            || digit_count >= 5 && has(format_args!("{o4}-{o3}"))
        {
            return true;
        }
    }
    let digits = host_part.chars().filter(char::is_ascii_digit).count();
    if digits >= 8 {
        return true;
    }
    host_part.split(['.', '-', '_']).any(|w| {
        let letters = w.trim_end_matches(|c: char| c.is_ascii_digit());
        GENERIC_WORDS.contains(&w)
            || (!letters.is_empty() && GENERIC_WORDS.contains(&letters) && letters.len() >= 3)
    })
}

/// Domains under which clouds and hosting companies name their rented machines
/// (issue 22 rule 3): a generic name there is a rented server, not a home line.
const CLOUD_DOMAINS: &[&str] = &[
    "googleusercontent.com",
    "amazonaws.com",
    "cloudapp.net",
    "cloudapp.azure.com",
    "linodeusercontent.com",
    "linode.com",
    "vultrusercontent.com",
    "vultr.com",
    "choopa.net",
    "your-server.de",
    "contaboserver.net",
    "ovh.net",
    "ip-51-91-0.eu",
    "leaseweb.net",
    "hostwindsdns.com",
    "digitaloceanspaces.com",
    "scalewaycloud.com",
    "poneytelecom.eu",
    "hetzner.cloud",
    "aliyun.com",
    "tencentcloud.com",
];

/// Words of hosting in a host name's labels: `vps-33`, `cloudhost`, `server12`.
const HOSTING_WORDS: &[&str] = &[
    "vps",
    "vds",
    "cloud",
    "cloudhost",
    "host",
    "hosts",
    "hosting",
    "server",
    "srv",
    "dedicated",
    "dedi",
    "colo",
    "vm",
    "instance",
    "compute",
];

/// Is `name` the name of a rented server (a VPS, a cloud instance, a hosting
/// company's machine), generic as it may be? Such a machine is the spammer's
/// (or a rented server's) own, never an infected home computer.
#[must_use]
pub fn rented_server(name: &str) -> bool {
    let n = norm(name);
    if CLOUD_DOMAINS.iter().any(|d| within(&n, d)) {
        return true;
    }
    let dom = registrable(&n).unwrap_or_default();
    let host_part = n.strip_suffix(&dom).unwrap_or(&n).trim_end_matches('.');
    let words = host_part
        .split(['.', '-', '_'])
        .chain(dom.split(['.', '-']).take(1));
    words.into_iter().any(|w| {
        let letters = w.trim_end_matches(|c: char| c.is_ascii_digit());
        HOSTING_WORDS.contains(&letters)
            || letters.len() > 4
                && HOSTING_WORDS
                    .iter()
                    .any(|h| h.len() >= 4 && (letters.starts_with(h) || letters.ends_with(h)))
    })
}

/// Mail providers whose names are forged in HELOs and Received lines.
const BIG_PROVIDERS: &[&str] = &[
    "yahoo.com",
    "yahoo.co.uk",
    "aol.com",
    "hotmail.com",
    "msn.com",
    "live.com",
    "outlook.com",
    "microsoft.com",
    "gmail.com",
    "google.com",
    "googlemail.com",
    "icloud.com",
    "apple.com",
    "me.com",
    "mac.com",
    "mail.ru",
    "yandex.ru",
    "gmx.net",
    "gmx.de",
    "web.de",
    "comcast.net",
    "att.net",
    "verizon.net",
    "earthlink.net",
    "excite.com",
    "netscape.net",
    "compuserve.com",
    "juno.com",
    "lycos.com",
    "rr.com",
    "cox.net",
    "sbcglobal.net",
    "bellsouth.net",
    "amazon.com",
    "ebay.com",
    "paypal.com",
    "facebook.com",
    "163.com",
    "126.com",
    "qq.com",
    "sina.com",
];

/// The big provider a name belongs to, if any.
#[must_use]
pub fn big_provider(name: &str) -> Option<&'static str> {
    let d = registrable(name)?;
    BIG_PROVIDERS.iter().copied().find(|p| *p == d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains() {
        assert_eq!(
            registrable("mx1.mail.example.co.uk").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(registrable("toole.uol.com.br").as_deref(), Some("uol.com.br"));
        assert_eq!(registrable("Example.COM.").as_deref(), Some("example.com"));
        assert_eq!(registrable("localhost"), None);
        assert_eq!(registrable("mail.local"), None);
        assert_eq!(registrable("1.2.3.4"), None);
        assert_eq!(registrable("[1.2.3.4]"), None);
        assert_eq!(
            registrable_icann("ec2-18-176-59-179.ap-northeast-1.compute.amazonaws.com").as_deref(),
            Some("amazonaws.com")
        );
        assert_eq!(
            registrable_icann("mx1.mail.example.co.uk").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(
            registrable_icann("host.dyndns.org").as_deref(),
            Some("dyndns.org")
        );
    }

    #[test]
    fn generic_names() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert!(is_generic_rdns(
            "200-161-145-252.dsl.telesp.net.br",
            ip("200.161.145.252")
        ));
        assert!(is_generic_rdns(
            "p5483b7c0.dip.t-dialin.net",
            ip("84.131.183.192")
        ));
        assert!(is_generic_rdns(
            "lns-p19-8-82-65-66-244.adsl.proxad.net",
            ip("82.65.66.244")
        ));
        assert!(is_generic_rdns(
            "wireless-084-198.tele2.co.uk",
            ip("212.19.84.198")
        ));
        assert!(is_generic_rdns(
            "c66.169.197.134.ts46v-19.pkcty.ftwrth.tx.charter.com",
            ip("66.169.197.134")
        ));
        assert!(is_generic_rdns("OL203-154.fibertel.com.ar", ip("24.232.154.203")));
        assert!(!is_generic_rdns("toole.uol.com.br", ip("200.231.206.186")));
        assert!(!is_generic_rdns("mail.vac-bsa.org", ip("209.240.238.223")));
        assert!(!is_generic_rdns("smtp.easydns.com", ip("205.210.42.30")));
        assert!(!is_generic_rdns("mail-sor-f41.google.com", ip("209.85.220.41")));
        // Exchange Online's own machines are not end users.
        assert!(!is_generic_rdns("AS8PR03MB7269.eurprd03.prod.outlook.com", None));
        assert!(!is_generic_rdns("PH7P220CA0073.outlook.office365.com", None));
    }

    #[test]
    fn within_domain() {
        assert!(within("mx.example.org", "example.org"));
        assert!(within("example.org.", "EXAMPLE.org"));
        assert!(!within("badexample.org", "example.org"));
    }
}
