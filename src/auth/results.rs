//! `Authentication-Results` (RFC 8601): who wrote each line (its authserv-id), what
//! it says for dkim, spf, dmarc and arc, and whether the user's site wrote it. A
//! line written elsewhere is only a claim: a spammer can add any line they like.

use serde::Serialize;

use crate::message::{decode_text, fields};

/// One `Authentication-Results` line.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Results {
    /// Who wrote it (the first token).
    pub authserv_id: String,
    /// Written by the user's site (its authserv-id is a site host or configured).
    pub trusted: bool,
    /// The method results it states (`dkim=pass header.d=example.com`), in order.
    pub methods: Vec<String>,
    /// The whole value, unfolded, at most 1000 characters.
    pub text: String,
}

impl Results {
    /// The result it states for `method` (`dkim`, `spf`, `dmarc`, `arc`).
    pub fn result(&self, method: &str) -> Option<&str> {
        self.methods.iter().find_map(|m| {
            let (k, v) = m.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case(method)
                .then(|| v.split_whitespace().next().unwrap_or(""))
        })
    }
}

/// The message's `Authentication-Results` lines, topmost first (at most
/// [`super::MAX_ITEMS`]).
pub fn authentication_results(raw: &[u8], site: &[String], authserv_ids: &[String]) -> Vec<Results> {
    let header_end = memchr::memmem::find(raw, b"\r\n\r\n")
        .or_else(|| memchr::memmem::find(raw, b"\n\n"))
        .map_or(raw.len(), |i| i + 2);
    fields(&raw[..header_end])
        .filter(|f| f.is("authentication-results"))
        .take(super::MAX_ITEMS)
        .map(|f| parse(&decode_text(f.value), site, authserv_ids))
        .collect()
}

/// Reads one value: `authserv-id [version]; method=result props; ...` or `; none`.
pub fn parse(value: &str, site: &[String], authserv_ids: &[String]) -> Results {
    let text: String = value.chars().take(1000).collect();
    let without_comments = strip_comments(&text);
    let mut parts = without_comments.split(';');
    let authserv_id = parts
        .next()
        .and_then(|p| p.split_whitespace().next())
        .unwrap_or("")
        .to_ascii_lowercase();
    let methods = parts
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| p.contains('='))
        .take(16)
        .collect();
    Results {
        trusted: trusted(&authserv_id, site, authserv_ids),
        authserv_id,
        methods,
        text,
    }
}

/// Is `id` the site's: configured, or one of the site's host names or under one
/// of its domains? Networks in the site do not name an authserv-id.
fn trusted(id: &str, site: &[String], authserv_ids: &[String]) -> bool {
    if id.is_empty() {
        return false;
    }
    let id = id.trim_end_matches('.');
    authserv_ids.iter().any(|a| a.trim().eq_ignore_ascii_case(id))
        || site
            .iter()
            .map(|s| s.trim().trim_end_matches('.').to_ascii_lowercase())
            .any(|s| {
                !s.contains('/')
                    && s.parse::<std::net::IpAddr>().is_err()
                    && (id == s || id.ends_with(&format!(".{s}")))
            })
}

/// The text with RFC 5322 comments (`(…)`, nested) removed.
fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0u32;
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' => escaped = true,
            '(' => depth = depth.saturating_add(1),
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}
