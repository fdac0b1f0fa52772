//! Abuse contacts: finding addresses in free text, telling a registry's own or
//! placeholder address from an operator's, and ranking what was found.

use serde::Serialize;

/// Where a contact came from (DESIGN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Rdap,
    Whois,
    Abusix,
    #[serde(rename = "abuse.net")]
    AbuseNet,
    Fallback,
    /// Named by the provider itself in the message's header (`X-Complaints-To`), in
    /// its own domain.
    Header,
}

impl Source {
    /// The name used in JSON and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Rdap => "rdap",
            Source::Whois => "whois",
            Source::Abusix => "abusix",
            Source::AbuseNet => "abuse.net",
            Source::Fallback => "fallback",
            Source::Header => "header",
        }
    }
}

/// How sure we are that the address reaches the people who can act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

impl Confidence {
    /// The name used in JSON and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// How a registry answer designates an address, best first. The order is the
/// ranking of the issue: the designated abuse contact (RDAP abuse entity, RIPE's
/// "Abuse contact for" line, `abuse-c`, ARIN's resource POC), then the
/// organisation's abuse mailbox, then a remark that names an address for abuse, then
/// a registry's own desk, then any other address of the network's contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Designated,
    Mailbox,
    Remark,
    Registry,
    Other,
    /// A named person's own address (`firstname.lastname@`), not a role mailbox.
    Person,
    /// An address whose record states no function for it (an RDAP entity with no
    /// role): a suggestion.
    Unassigned,
    RegistryOther,
    /// An address the record itself says is not for complaints ("complaints sent to
    /// any other POC will be ignored", "only for whois corrections").
    Excluded,
}

impl Tier {
    /// The confidence a contact of this tier gets.
    pub fn confidence(self) -> Confidence {
        match self {
            Tier::Designated | Tier::Mailbox => Confidence::High,
            Tier::Remark | Tier::Other => Confidence::Medium,
            Tier::Registry | Tier::Person | Tier::Unassigned | Tier::RegistryOther | Tier::Excluded => {
                Confidence::Low
            }
        }
    }

    /// The same kind of designation for an address of a registry.
    fn demoted(self) -> Tier {
        match self {
            Tier::Designated | Tier::Mailbox | Tier::Remark | Tier::Registry => Tier::Registry,
            Tier::Other | Tier::Person | Tier::Unassigned | Tier::RegistryOther => Tier::RegistryOther,
            Tier::Excluded => Tier::Excluded,
        }
    }
}

/// An address found in an answer, with how it was designated and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub email: String,
    pub tier: Tier,
    /// The text it was read from, for the user to judge.
    pub basis: String,
}

impl Found {
    /// A contact found under `tier`, demoted when it is a registry's own address.
    /// `None` for placeholders, which are never contacts.
    pub fn new(email: &str, tier: Tier, basis: &str) -> Option<Found> {
        let email = email
            .trim_matches(|c: char| c == '.' || c == '\'' || c == '"')
            .to_ascii_lowercase();
        if !is_email(&email) || is_placeholder(&email) {
            return None;
        }
        let tier = if is_registry(&email) {
            tier.demoted()
        } else if is_personal(&email) && tier != Tier::Designated {
            // A person's address is a suggestion at best, unless the record names
            // that person as its only designated abuse contact.
            Tier::Person
        } else {
            tier
        };
        Some(Found {
            email,
            tier,
            basis: crate::sanitize::clip(basis.trim(), 200),
        })
    }
}

/// A contact as reported: the address, where it came from, how sure we are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub email: String,
    pub source: Source,
    pub confidence: Confidence,
    /// Why: the line or object it was read from.
    pub basis: String,
    /// Derived from the hop the user picked (its IP, or a verified rDNS name), and
    /// so fit to be pre-selected; the rest are suggestions.
    pub preselect: bool,
    #[serde(skip)]
    pub tier: Tier,
}

/// Addresses that registries print where the real one is hidden or missing.
const PLACEHOLDERS: &[&str] = &[
    "search-apnic-not-arin@apnic.net",
    "hostmaster@ripe.net",
    "removed@lacnic.net",
    "abuse@ripe.net",
    "no-email@lacnic.net",
    "hostmaster@arin.net",
    "noc@arin.net",
];

/// Words of role mailboxes: an address made of them is nobody's personal one.
const ROLE_WORDS: &[&str] = &[
    "abuse",
    "noc",
    "hostmaster",
    "postmaster",
    "admin",
    "administrator",
    "ip",
    "ipadmin",
    "net",
    "network",
    "networks",
    "security",
    "secure",
    "support",
    "spam",
    "dns",
    "ops",
    "tech",
    "technical",
    "info",
    "help",
    "helpdesk",
    "contact",
    "cert",
    "csirt",
    "soc",
    "registry",
    "lir",
    "ripe",
    "arin",
    "apnic",
    "lacnic",
    "afrinic",
    "domain",
    "domains",
    "mail",
    "email",
    "hostmaster",
    "service",
    "services",
    "customer",
    "report",
    "reports",
    "team",
    "center",
    "centre",
    "desk",
    "whois",
    "routing",
    "peering",
    "iana",
    "ipam",
    "nic",
    "sysadmin",
    "system",
    "systems",
    "operations",
    "engineering",
    "legal",
    "compliance",
    "trust",
    "safety",
    "resources",
    "address",
    "addressing",
    "changed",
    "registration",
    "dept",
    "group",
    "int",
    "ext",
];

/// Does the address look like a named person's (`alvin.anderson@`, `j_smith@`)
/// rather than a role mailbox?
pub fn is_personal(email: &str) -> bool {
    let Some((local, _)) = email.split_once('@') else {
        return false;
    };
    let local = local.to_ascii_lowercase();
    let parts: Vec<&str> = local.split(['.', '_', '-']).filter(|p| !p.is_empty()).collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| {
            let letters = p.trim_end_matches(|c: char| c.is_ascii_digit());
            !letters.is_empty() && letters.bytes().all(|b| b.is_ascii_lowercase())
        })
        && parts.iter().any(|p| p.len() >= 3)
        && !parts
            .iter()
            .any(|p| ROLE_WORDS.contains(&p.trim_end_matches(|c: char| c.is_ascii_digit())))
}

/// Is this a placeholder that must never be reported?
pub fn is_placeholder(email: &str) -> bool {
    let e = email.to_ascii_lowercase();
    PLACEHOLDERS.contains(&e.as_str())
        || e.contains("redacted")
        || e.contains("privacy")
        || e.starts_with("please")
        || e.contains("not-disclosed")
        || e.ends_with(".invalid")
        || e.ends_with("@example.com")
        || e.ends_with("@example.net")
        || e.ends_with("@example.org")
}

/// Registries, NIRs and national CERTs (`assets/registries.txt`, with sources):
/// they run the registry, not the network.
fn registry_domains() -> &'static [&'static str] {
    static LIST: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../../assets/registries.txt")
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Is this a registry's (or a national CERT's) own address?
pub fn is_registry(email: &str) -> bool {
    let Some((_, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let domain = domain.to_ascii_lowercase();
    registry_domains()
        .iter()
        .any(|r| domain == *r || domain.strip_suffix(r).is_some_and(|p| p.ends_with('.')))
}

fn local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"._%+-=!#$&'*/?^`{|}~".contains(&c)
}

fn domain_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'.' || c == b'-'
}

/// Is this a plausible e-mail address (ASCII, one `@`, a dotted domain)?
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && local.bytes().all(local_char)
        && !local.starts_with('.')
        && domain.len() <= 253
        && domain.contains('.')
        && domain.bytes().all(domain_char)
        && !domain.starts_with(['.', '-'])
        && !domain.contains("..")
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// The most addresses read from one text: a real answer names a handful, and the
/// author of an answer reached by referral may be the spammer.
pub const MAX_EMAILS: usize = 64;

/// The most contacts kept in one list (see [`merge`]).
pub const MAX_CONTACTS: usize = 32;

/// Every e-mail address in `text`, in order, as written, without repeats; at most
/// [`MAX_EMAILS`]. Linear in the length of `text`.
pub fn emails_in(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while out.len() < MAX_EMAILS
        && let Some(at) = memchr::memchr(b'@', &b[i..]).map(|p| p + i)
    {
        let mut start = at;
        while start > 0 && local_char(b[start - 1]) && b[start - 1] != b'\'' {
            start -= 1;
        }
        let mut end = at + 1;
        while end < b.len() && domain_char(b[end]) {
            end += 1;
        }
        let mut cand = &text[start..end];
        cand = cand
            .trim_start_matches(['.', '/', '='])
            .trim_end_matches(['.', '-']);
        if let Some(rest) = strip_mailto(cand) {
            cand = rest;
        }
        if is_email(cand) && !out.contains(&cand) {
            out.push(cand);
        }
        i = end.max(at + 1);
    }
    out
}

/// `s` without a case-insensitive `scheme` prefix.
pub fn strip_scheme<'a>(s: &'a str, scheme: &str) -> Option<&'a str> {
    let head = s.get(..scheme.len())?;
    head.eq_ignore_ascii_case(scheme).then(|| &s[scheme.len()..])
}

fn strip_mailto(s: &str) -> Option<&str> {
    let lower = s.get(..7)?;
    lower.eq_ignore_ascii_case("mailto:").then(|| &s[7..])
}

/// Adds `f` to `list`, keeping the better tier of a duplicate. The list holds at
/// most [`MAX_CONTACTS`]: past that, `f` takes the place of the last of the worst
/// tier when its own tier is better, and is dropped otherwise.
pub fn merge(list: &mut Vec<Found>, f: Found) {
    if let Some(old) = list.iter_mut().find(|o| o.email == f.email) {
        if f.tier < old.tier {
            *old = f;
        }
    } else if list.len() < MAX_CONTACTS {
        list.push(f);
    } else if let Some(worst) = list
        .iter()
        .enumerate()
        .rev()
        .max_by_key(|(_, o)| o.tier)
        .map(|(i, _)| i)
        .filter(|&i| list[i].tier > f.tier)
    {
        list.remove(worst);
        list.push(f);
    }
}

/// Sorts by tier, keeping the answer's order within a tier.
pub fn rank(list: &mut [Found]) {
    list.sort_by_key(|f| f.tier);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_addresses_in_text() {
        assert_eq!(emails_in("send to <abuse@bora.net>."), vec!["abuse@bora.net"]);
        assert_eq!(
            emails_in("trouble: Spam: mailto:abuse@ovh.net"),
            vec!["abuse@ovh.net"]
        );
        assert_eq!(emails_in("'protect@bt.com' and x@y"), vec!["protect@bt.com"]);
        assert_eq!(emails_in("no address @ here, a@b.c1"), Vec::<&str>::new());
        assert_eq!(emails_in("ÿ@é@x.org"), Vec::<&str>::new());
    }

    #[test]
    fn registries_nirs_and_national_certs_are_known() {
        for r in [
            "hm-changed@vnnic.vn",
            "cert@cert.br",
            "hostmaster@nic.or.kr",
            "ip@apnic.net",
            "x@mail.arin.net",
        ] {
            assert!(is_registry(r), "{r}");
            let f = Found::new(r, Tier::Mailbox, "x").unwrap();
            assert_eq!(f.tier.confidence(), Confidence::Low, "{r}");
        }
        assert!(!is_registry("abuse@bora.net"));
        assert!(!is_registry("abuse@notarin.net"));
    }

    #[test]
    fn personal_addresses_are_told_from_role_mailboxes() {
        for p in [
            "alvin.anderson@cox.com",
            "tori.berube@cox.com",
            "carlos.ruiz1@cox.com",
            "j_smith@x.net",
        ] {
            assert!(is_personal(p), "{p}");
        }
        for r in [
            "abuse@cox.net",
            "network-abuse@google.com",
            "arin-contact@google.com",
            "ip-admin@x.net",
            "ipadm@lguplus.co.kr",
            "noc@x.net",
            "abuse-mailbox@x.net",
        ] {
            assert!(!is_personal(r), "{r}");
        }
        let f = Found::new("alvin.anderson@cox.com", Tier::Other, "OrgTechEmail").unwrap();
        assert_eq!(f.tier.confidence(), Confidence::Low);
        let only = Found::new("alvin.anderson@cox.com", Tier::Designated, "abuse-c").unwrap();
        assert_eq!(
            only.tier,
            Tier::Designated,
            "the record's designated abuse contact stays"
        );
    }

    #[test]
    fn a_flood_of_addresses_is_read_once_and_bounded() {
        use std::fmt::Write as _;
        let flood: String = (0..10_000).fold(String::new(), |mut s, i| {
            let _ = write!(s, "a{i}@b.cd, abuse@x.org ");
            s
        });
        let found = emails_in(&flood);
        assert_eq!(found.len(), MAX_EMAILS);
        assert_eq!(
            found.iter().filter(|e| **e == "abuse@x.org").count(),
            1,
            "no repeats"
        );

        let mut list = Vec::new();
        for i in 0..1000 {
            merge(
                &mut list,
                Found::new(&format!("r{i}@b.cd"), Tier::Remark, "remark").unwrap(),
            );
        }
        assert_eq!(list.len(), MAX_CONTACTS);
        // A better contact found late still takes a place.
        merge(
            &mut list,
            Found::new("abuse@isp.example", Tier::Designated, "abuse-c").unwrap(),
        );
        assert_eq!(list.len(), MAX_CONTACTS);
        assert!(list.iter().any(|f| f.email == "abuse@isp.example"));
        merge(
            &mut list,
            Found::new("late@b.cd", Tier::Remark, "remark").unwrap(),
        );
        assert!(
            !list.iter().any(|f| f.email == "late@b.cd"),
            "a worse one does not"
        );
    }

    #[test]
    fn names_on_screen_are_the_json_names() {
        for s in [
            Source::Rdap,
            Source::Whois,
            Source::Abusix,
            Source::AbuseNet,
            Source::Fallback,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for c in [Confidence::High, Confidence::Medium, Confidence::Low] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }

    #[test]
    fn placeholders_never_become_contacts() {
        assert!(Found::new("search-apnic-not-arin@apnic.net", Tier::Mailbox, "").is_none());
        assert!(Found::new("DATA-REDACTED@example.com", Tier::Mailbox, "").is_none());
        let iana = Found::new("abuse@iana.org", Tier::Mailbox, "").unwrap();
        assert_eq!(iana.tier, Tier::Registry);
        let kr = Found::new("hostmaster@nic.or.kr", Tier::Other, "").unwrap();
        assert_eq!(kr.tier, Tier::RegistryOther);
        assert_eq!(
            Found::new("Abuse@Hostwinds.com", Tier::Mailbox, "")
                .unwrap()
                .email,
            "abuse@hostwinds.com"
        );
    }
}
