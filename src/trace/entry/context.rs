//! What the header says besides the Received lines: the fields the classes rest on.

use std::net::IpAddr;

use super::providers::Esp;
use super::providers::{MAX_IDS, is_id_field, tables};
use crate::message::fields;
use crate::received;

/// The header fields the classes rest on.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub mailer: Option<String>,
    /// List addresses: List-Post, List-Id, and `Sender:` / envelope owners.
    pub lists: Vec<String>,
    /// The sender's domains: From, DKIM `d=`, Authentication-Results header.from.
    pub sender_domains: Vec<String>,
    /// The From address's domain (the first From).
    pub from_domain: Option<String>,
    /// The Message-ID's domain: the host or service that made the message.
    pub msgid_domain: Option<String>,
    /// The mailbox that forwarded the message automatically: the first address of
    /// `X-Forwarded-For`, or Gmail's `user+caf_=…@gmail.com` Return-Path.
    pub forwarded_by: Option<String>,
    /// A notification service's field naming who posted: (field, value).
    pub poster: Option<(String, String)>,
    /// The ESP the X-Mailer names.
    pub(super) mailer_esp: Option<&'static Esp>,
    pub dkim_domains: Vec<String>,
    pub return_path: Option<String>,
    pub originating_ip: Option<IpAddr>,
    /// X-Authenticated-Sender/-User/-Id, X-WM-AuthUser, X-AntiAbuse,
    /// X-Get-Message-Sender-Via, Authentication-Results-Original with `auth=pass`:
    /// (field, value).
    pub auth_headers: Vec<(String, String)>,
    /// X-MS-Exchange-CrossTenant-AuthAs / X-ClientProxiedBy: an Exchange client submission.
    pub exchange_client: Option<String>,
    /// Fields in which a provider names the customer, campaign or message: (the
    /// field's name as written, value).
    pub id_fields: Vec<(String, String)>,
}

pub(super) fn clean(v: &[u8]) -> String {
    let s = String::from_utf8_lossy(v);
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::sanitize::clip(&one, 200)
}

pub(super) fn domain_of_address(s: &str) -> Option<String> {
    let at = s.rfind('@')?;
    let d: String = s[at + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .collect();
    let d = d.trim_end_matches('.').to_ascii_lowercase();
    (d.contains('.')).then_some(d)
}

/// `local@domain` addresses in a text, lower-cased.
pub(super) fn addresses(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';' | '"' | '(' | ')' | ':'))
        .filter(|w| w.contains('@') && w.len() < 200)
        .map(|w| w.trim_matches('.').to_ascii_lowercase())
        .filter(|w| domain_of_address(w).is_some())
        .collect()
}

/// The list's own address from a list owner's address (`ilug-admin@linux.ie`,
/// `owner-freebsd-stable@freebsd.org`, `x-bounces@…`).
pub(super) fn list_of_owner(a: &str) -> String {
    let (local, dom) = a.split_once('@').unwrap_or((a, ""));
    let local = local
        .strip_prefix("owner-")
        .or_else(|| local.strip_suffix("-admin"))
        .or_else(|| local.strip_suffix("-bounces"))
        .or_else(|| local.strip_suffix("-owner"))
        .or_else(|| local.strip_suffix("-request"))
        .unwrap_or(local);
    format!("{local}@{dom}")
}

/// The header fields [`Context::from_header`] reads.
pub(super) const CONTEXT_FIELDS: &[&str] = &[
    "x-mailer",
    "user-agent",
    "list-post",
    "list-id",
    "sender",
    "errors-to",
    "x-beenthere",
    "from",
    "dkim-signature",
    "authentication-results",
    "arc-authentication-results",
    "return-path",
    "message-id",
    "x-forwarded-for",
    "x-originating-ip",
    // Open WebMail's spelling.
    "x-originatingip",
    "x-authenticated-sender",
    "x-antiabuse",
    "x-get-message-sender-via",
    "x-authenticated-user",
    "x-authenticated-id",
    "x-wm-authuser",
    "authentication-results-original",
    "x-ms-exchange-crosstenant-authas",
    "x-clientproxiedby",
    "x-ms-exchange-organization-authas",
];

impl Context {
    /// Reads the fields from a header section.
    #[must_use]
    pub fn from_header(header: &[u8]) -> Context {
        let mut c = Context::default();
        for f in fields(header).take(2000) {
            // Most of a header section is Received lines: read elsewhere.
            if f.name.eq_ignore_ascii_case(b"received") {
                continue;
            }
            if let Some(&name) = CONTEXT_FIELDS
                .iter()
                .find(|c| f.name.eq_ignore_ascii_case(c.as_bytes()))
            {
                // The long signed fields are searched as they are; only the
                // others are cleaned (a tenth of `hops`' time went on cleaning).
                match name {
                    "dkim-signature" | "authentication-results" | "arc-authentication-results" => {
                        c.read_signed(name, &String::from_utf8_lossy(f.value));
                    }
                    _ => c.read(name, clean(f.value)),
                }
                continue;
            }
            // Providers' and notifiers' fields all begin `X-` or `Feedback-`
            // (a unit test keeps the tables so).
            let n = f.name;
            if !(n.len() > 2 && (n[..2].eq_ignore_ascii_case(b"x-") || n[0].eq_ignore_ascii_case(&b'f'))) {
                continue;
            }
            let name = String::from_utf8_lossy(n).to_ascii_lowercase();
            if c.poster.is_none()
                && tables()
                    .notifier
                    .iter()
                    .any(|t| t.poster.eq_ignore_ascii_case(&name))
            {
                c.poster = Some((clean(f.name), clean(f.value)));
            } else if c.id_fields.len() < 2 * MAX_IDS && is_id_field(&name) {
                c.id_fields.push((clean(f.name), clean(f.value)));
            }
        }
        // The ESP whose X-Mailer it is, found once (the rules ask several times).
        c.mailer_esp = c.mailer.as_deref().and_then(|m| {
            let l = m.to_ascii_lowercase();
            tables()
                .esp
                .iter()
                .find(|e| e.mailers.iter().any(|w| l.contains(w.as_str())))
        });
        c.lists.sort();
        c.lists.dedup();
        c.sender_domains.dedup();
        c
    }

    /// Reads a DKIM signature's `d=` or an Authentication-Results `header.from=`
    /// from the field as written (folded).
    fn read_signed(&mut self, name: &str, value: &str) {
        match name {
            "dkim-signature" => {
                if let Some(d) = value
                    .split(';')
                    .find_map(|t| t.trim().strip_prefix("d="))
                    .map(|d| d.trim().to_ascii_lowercase())
                {
                    self.dkim_domains.push(d.clone());
                    self.sender_domains.push(d);
                }
            }
            "authentication-results" | "arc-authentication-results" => {
                if let Some(i) = value.find("header.from=") {
                    let d: String = value[i + 12..]
                        .chars()
                        .take_while(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-'))
                        .collect();
                    if d.contains('.') {
                        self.sender_domains.push(d.to_ascii_lowercase());
                    }
                }
            }
            _ => {}
        }
    }

    /// Reads one of [`CONTEXT_FIELDS`] (`name` in lower case, `value` cleaned).
    fn read(&mut self, name: &str, value: String) {
        match name {
            "x-mailer" | "user-agent" if self.mailer.is_none() => self.mailer = Some(value),
            "list-post" => self.lists.extend(addresses(&value.replace("mailto:", " "))),
            "list-id" => {
                // "Name <ilug.linux.ie>": the first label is the list, the rest the domain.
                let id = value
                    .rsplit_once('<')
                    .map_or(value.as_str(), |(_, r)| r.trim_end_matches('>'));
                if let Some((l, d)) = id.trim().split_once('.')
                    && d.contains('.')
                {
                    self.lists.push(format!("{l}@{d}").to_ascii_lowercase());
                }
            }
            "sender" | "errors-to" | "x-beenthere" => {
                for a in addresses(&value) {
                    let lower = a.to_ascii_lowercase();
                    if name == "x-beenthere"
                        || lower.starts_with("owner-")
                        || ["-admin@", "-bounces@", "-owner@", "-request@"]
                            .iter()
                            .any(|m| lower.contains(m))
                    {
                        self.lists.push(list_of_owner(&lower));
                    }
                }
            }
            "from" => {
                if let Some(d) = addresses(&value).first().and_then(|a| domain_of_address(a)) {
                    self.from_domain.get_or_insert_with(|| d.clone());
                    self.sender_domains.push(d);
                }
            }
            "message-id" if self.msgid_domain.is_none() => {
                self.msgid_domain = value
                    .rsplit_once('@')
                    .map(|(_, d)| d.trim_end_matches(['>', ' ']).to_ascii_lowercase())
                    .filter(|d| !d.is_empty() && d.len() < 100);
            }
            "x-forwarded-for" if self.forwarded_by.is_none() => {
                self.forwarded_by = addresses(&value).into_iter().next();
            }
            "return-path" if value.contains("+caf_=") && self.forwarded_by.is_none() => {
                // Gmail's auto-forward: `user+caf_=target=domain@gmail.com`.
                let (user, rest) = value
                    .trim_matches(['<', '>', ' '])
                    .split_once("+caf_=")
                    .unwrap_or_default();
                if let Some(d) = rest.rsplit_once('@').map(|(_, d)| d) {
                    self.forwarded_by = Some(format!("{user}@{d}").to_ascii_lowercase());
                }
                self.return_path = domain_of_address(&value);
            }
            "return-path" => self.return_path = addresses(&value).first().and_then(|a| domain_of_address(a)),
            "x-originating-ip" | "x-originatingip" if self.originating_ip.is_none() => {
                self.originating_ip = value
                    .split([' ', ',', '[', ']'])
                    .find_map(received::parse_ip_token);
            }
            "x-authenticated-sender"
            | "x-antiabuse"
            | "x-get-message-sender-via"
            | "x-authenticated-user"
            | "x-authenticated-id"
            | "x-wm-authuser" => {
                self.auth_headers.push((name.to_string(), value));
            }
            // The submission server's own verdict, kept by a forwarder: only a
            // passed login is a login.
            "authentication-results-original" if value.to_ascii_lowercase().contains("auth=pass") => {
                self.auth_headers.push((name.to_string(), value));
            }
            // `AuthAs: Anonymous` is what the receiving Exchange writes for any
            // outside sender: no sign of a client submission.
            "x-ms-exchange-crosstenant-authas"
            | "x-clientproxiedby"
            | "x-ms-exchange-organization-authas"
                if !value.eq_ignore_ascii_case("anonymous") =>
            {
                self.exchange_client.get_or_insert(format!("{name}: {value}"));
            }
            _ => {}
        }
    }

    pub(super) fn webmail_mailer(&self) -> Option<&str> {
        let m = self.mailer.as_deref()?;
        let l = m.to_ascii_lowercase();
        tables()
            .webmail
            .mailers
            .iter()
            .any(|w| l.contains(w.as_str()))
            .then_some(m)
    }

    pub(super) fn esp_by_mailer(&self) -> Option<&'static Esp> {
        self.mailer_esp
    }
}
