//! The provider tables (`assets/providers.toml`): free mail services, ESPs, the
//! operators of several domains, webmail programs, forwarders and notifiers.

use std::sync::OnceLock;

use serde::Deserialize;

use super::context::{addresses, domain_of_address};
use super::{Context, names};

#[derive(Debug, Deserialize)]
pub(super) struct Tables {
    pub(super) freemail: Vec<Freemail>,
    pub(super) esp: Vec<Esp>,
    pub(super) org: Vec<Org>,
    pub(super) webmail: Webmail,
    pub(super) forwarders: Forwarders,
    #[serde(default)]
    pub(super) ids: Ids,
    #[serde(default)]
    pub(super) notifier: Vec<Notifier>,
}

/// A service that mails its users' posts to others (GitHub's notifications): what
/// it sends is someone's post, passed on.
#[derive(Debug, Deserialize)]
pub(super) struct Notifier {
    pub(super) name: String,
    pub(super) hosts: Vec<String>,
    /// The field naming the account that posted (`X-GitHub-Sender`).
    pub(super) poster: String,
}

/// Header fields in which providers name the customer, campaign or message.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Ids {
    pub(super) generic: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Freemail {
    pub(super) name: String,
    pub(super) hosts: Vec<String>,
    pub(super) mailboxes: Vec<String>,
    pub(super) consumer_only: bool,
}

#[derive(Debug, Deserialize)]
pub(super) struct Esp {
    pub(super) name: String,
    /// Registrable domains of its servers; `acemsa*.com` stands for numbered ones.
    pub(super) hosts: Vec<String>,
    pub(super) mailers: Vec<String>,
    #[serde(default)]
    pub(super) ids: Vec<String>,
    /// Header fields only this platform writes (`X-SG-EID`): their presence is its mark.
    #[serde(default)]
    pub(super) fingerprints: Vec<String>,
    /// Words of its own Received lines (`(SG)`, `smtp-relay.gmail.com`).
    #[serde(default)]
    pub(super) lines: Vec<String>,
    /// Words of the `Feedback-ID` it writes (`activecampaign`).
    #[serde(default)]
    pub(super) feedback: Vec<String>,
}

impl Esp {
    /// Is `domain` (registrable) one of its servers' domains?
    pub(super) fn owns(&self, domain: &str) -> bool {
        self.hosts.iter().any(|h| match h.split_once('*') {
            Some((pre, post)) => {
                domain.len() > pre.len() + post.len()
                    && domain.starts_with(pre)
                    && domain.ends_with(post)
                    && domain[pre.len()..domain.len() - post.len()]
                        .bytes()
                        .all(|c| c.is_ascii_digit())
            }
            None => h == domain,
        })
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct Org {
    pub(super) name: String,
    pub(super) domains: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Webmail {
    pub(super) mailers: Vec<String>,
    pub(super) hosts: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Forwarders {
    pub(super) domains: Vec<String>,
}

pub(super) fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        // Shipped inside the binary and checked by a unit test: it always reads.
        toml::from_str(include_str!("../../../assets/providers.toml")).unwrap_or(Tables {
            freemail: Vec::new(),
            esp: Vec::new(),
            org: Vec::new(),
            webmail: Webmail {
                mailers: Vec::new(),
                hosts: Vec::new(),
            },
            forwarders: Forwarders { domains: Vec::new() },
            ids: Ids::default(),
            notifier: Vec::new(),
        })
    })
}

/// Whether some provider names its customers, campaigns or messages in the field
/// `name` (lower case).
pub(super) fn is_id_field(name: &str) -> bool {
    static NAMES: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    NAMES
        .get_or_init(|| {
            let t = tables();
            t.ids
                .generic
                .iter()
                .chain(t.esp.iter().flat_map(|e| e.ids.iter().chain(&e.fingerprints)))
                .map(|f| f.to_ascii_lowercase())
                .collect()
        })
        .contains(name)
}

/// The abuse address a provider names in its own header field, when it is in one
/// of the provider's own domains (`hosts`): a spammer can write the field too, but
/// cannot make the provider's domain theirs.
pub(super) fn provider_desk(ctx: &Context, hosts: &[String]) -> Option<String> {
    ctx.id_fields
        .iter()
        .filter(|(name, _)| {
            name.eq_ignore_ascii_case("x-complaints-to") || name.eq_ignore_ascii_case("x-abuse-reports-to")
        })
        .flat_map(|(_, value)| addresses(value))
        .find(|a| {
            // A whole, plain address: nothing around the domain, a plain local part.
            let Some((local, domain)) = a.rsplit_once('@') else {
                return false;
            };
            !local.is_empty()
                && local
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._+-=".contains(c))
                && domain_of_address(a).is_some_and(|d| d == domain)
                && names::registrable(domain).is_some_and(|d| hosts.contains(&d))
        })
}

/// Most provider fields quoted in a complaint.
pub(super) const MAX_IDS: usize = 6;

/// The provider fields of the message that `provider` (an ESP's name, or none for
/// a free mail service) or any provider writes: "X-Responder-ID: 246060".
pub(super) fn provider_ids(ctx: &Context, provider: Option<&Esp>) -> Vec<String> {
    let theirs = |name: &str| {
        provider.is_some_and(|e| {
            e.ids
                .iter()
                .chain(&e.fingerprints)
                .any(|f| f.eq_ignore_ascii_case(name))
        }) || tables().ids.generic.iter().any(|f| f.eq_ignore_ascii_case(name))
    };
    ctx.id_fields
        .iter()
        .filter(|(name, _)| theirs(name))
        .map(|(name, value)| crate::sanitize::clip(&format!("{name}: {value}"), 150))
        .take(MAX_IDS)
        .collect()
}

/// The operator a host name belongs to: a known operator's name, else its
/// registrable domain without the public suffix ("alpha-mail" for both
/// alpha-mail.net and alpha-mail.jp).
#[must_use]
pub fn org_of(host: &str) -> Option<String> {
    let d = names::registrable(host)?;
    if let Some(o) = tables().org.iter().find(|o| o.domains.contains(&d)) {
        return Some(o.name.clone());
    }
    let suffix = psl::suffix(d.as_bytes()).map_or(0, |s| s.as_bytes().len());
    let brand = d.get(..d.len().saturating_sub(suffix + 1)).unwrap_or(&d);
    (!brand.is_empty()).then(|| brand.to_string())
}

/// Is `domain` (registrable) one of a known operator's, whose internal host names
/// (Exchange Online mailbox servers, Google's frontends) are not end-user names?
#[must_use]
pub fn known_operator(domain: &str) -> bool {
    let i = index();
    i.operators.contains(domain) || i.esp_patterns.iter().any(|&e| tables().esp[e].owns(domain))
}

/// The tables' domains for lookups by name (the names check runs for every hop).
struct Index {
    /// Every known operator's, free mail host's and ESP's exact domain.
    operators: std::collections::HashSet<String>,
    /// ESP by exact domain.
    esp: std::collections::HashMap<String, usize>,
    /// ESPs with a numbered-domain pattern (`acemsa*.com`).
    esp_patterns: Vec<usize>,
}

fn index() -> &'static Index {
    static I: OnceLock<Index> = OnceLock::new();
    I.get_or_init(|| {
        let t = tables();
        let mut i = Index {
            operators: std::collections::HashSet::new(),
            esp: std::collections::HashMap::new(),
            esp_patterns: Vec::new(),
        };
        i.operators
            .extend(t.org.iter().flat_map(|o| o.domains.iter().cloned()));
        i.operators
            .extend(t.freemail.iter().flat_map(|f| f.hosts.iter().cloned()));
        for (n, e) in t.esp.iter().enumerate() {
            for h in &e.hosts {
                if h.contains('*') {
                    if !i.esp_patterns.contains(&n) {
                        i.esp_patterns.push(n);
                    }
                } else {
                    i.operators.insert(h.clone());
                    i.esp.entry(h.clone()).or_insert(n);
                }
            }
        }
        i
    })
}

pub(super) fn freemail_of(host: &str) -> Option<&'static Freemail> {
    freemail_by_host(&names::registrable(host)?)
}

/// The free mail service whose servers' registrable domain `domain` is.
pub(super) fn freemail_by_host(domain: &str) -> Option<&'static Freemail> {
    tables()
        .freemail
        .iter()
        .find(|f| f.hosts.iter().any(|h| h == domain))
}

/// The free mail service whose mailbox domain `domain` is.
pub(super) fn freemail_by_mailbox(domain: &str) -> Option<&'static Freemail> {
    tables()
        .freemail
        .iter()
        .find(|f| f.mailboxes.iter().any(|m| m == domain))
}

pub(super) fn esp_of(host: &str) -> Option<&'static Esp> {
    esp_by_domain(&names::registrable(host)?)
}

/// The ESP whose servers' registrable domain `domain` is.
pub(super) fn esp_by_domain(domain: &str) -> Option<&'static Esp> {
    let t = tables();
    let i = index();
    i.esp
        .get(domain)
        .or_else(|| i.esp_patterns.iter().find(|&&e| t.esp[e].owns(domain)))
        .map(|&e| &t.esp[e])
}

pub(super) fn is_forwarder(host: &str) -> bool {
    names::registrable(host).is_some_and(|d| tables().forwarders.domains.contains(&d))
}

pub(super) fn webmail_host(host: &str) -> bool {
    let n = names::norm(host);
    n.split(['.', '-']).any(|label| {
        let l = label.trim_end_matches(|c: char| c.is_ascii_digit());
        tables().webmail.hosts.iter().any(|w| l == w)
    })
}
