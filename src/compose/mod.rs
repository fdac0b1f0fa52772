//! Complaints (pure): the facts of the investigation, a template filled with them, and
//! the message built around the spam forwarded whole — a `message/rfc822` attachment
//! byte for byte, optionally quoted inline, or an ARF report (RFC 5965). Nothing of
//! the spam can reach a header line we write unescaped.

pub mod mime;
pub mod redact;

use std::fmt::Write as _;

use crate::config::{Compose, Reporter};
use crate::lookup::Lookup;
use crate::lookup::contact::{Contact, is_email};
use crate::sanitize::clip;
use crate::trace::{Trace, names};

/// Who a complaint goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Owner,
    Isp,
}

impl Side {
    pub fn word(self) -> &'static str {
        match self {
            Side::Owner => "owner",
            Side::Isp => "ISP",
        }
    }
}

/// The shape of the composed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A MIME message with the spam attached as `message/rfc822` (for `sendmail -t`).
    Eml,
    /// Plain text with the spam quoted, for web forms and the clipboard.
    Text,
    /// An abuse report in the Abuse Reporting Format (RFC 5965).
    Arf,
}

/// Why a complaint cannot be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ComposeError {
    #[error("no recipient: no {0} contact was found; add one")]
    NoRecipient(&'static str),
    #[error("{0:?} is not an e-mail address")]
    BadAddress(String),
    #[error("set your name and address in the configuration's [reporter] section")]
    NoReporter,
    #[error("the template uses {{{{{0}}}}}, which relaytrace does not know")]
    UnknownPlaceholder(String),
    #[error("cannot read the template {path}: {why}")]
    Template { path: String, why: String },
}

/// What the templates can say, read from the investigation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub org: String,
    pub isp: String,
    pub relay_ip: String,
    pub relay_host: String,
    pub input_point: String,
    pub spam_subject: String,
    pub spam_date: String,
    /// The Received lines that show the relaying, newest first, unfolded.
    pub evidence: Vec<String>,
    /// DNSBL listings of the relay.
    pub dnsbl: Vec<String>,
    pub reporter_name: String,
    pub reporter_address: String,
    /// For ARF: when the site received it, the relay's domain, its source port.
    pub arrival_date: Option<String>,
    pub reported_domain: Option<String>,
    pub source_port: Option<u16>,
}

/// A Received line as one line of text (folding undone, controls escaped).
fn one_line(raw: &str) -> String {
    clip(&raw.split_whitespace().collect::<Vec<_>>().join(" "), 1000)
}

/// The source port recorded for `ip` in a Received line (`[ip]:port`, `ip:port`, `ip.port`).
fn source_port(raw: &str, ip: &str) -> Option<u16> {
    if ip.is_empty() {
        return None;
    }
    let mut rest = raw;
    while let Some(pos) = rest.find(ip) {
        let after = &rest[pos + ip.len()..];
        let after = after.strip_prefix(']').unwrap_or(after);
        if let Some(digits) = after.strip_prefix(':') {
            let n: String = digits.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(p) = n.parse::<u16>()
                && p > 0
            {
                return Some(p);
            }
        }
        rest = &rest[pos + ip.len()..];
    }
    None
}

/// The facts for a complaint about the relay at `hop` (the input point).
pub fn facts(trace: &Trace, hop: usize, lookup: Option<&Lookup>, reporter: &Reporter) -> Facts {
    let mut f = Facts {
        spam_subject: clip(trace.subject.as_deref().unwrap_or("(no subject)"), 200),
        spam_date: trace.date.clone().unwrap_or_else(|| "(no date)".into()),
        reporter_name: clip(&reporter.name, 100),
        reporter_address: clip(&reporter.address, 200),
        ..Facts::default()
    };
    let Some(h) = trace.hops.get(hop) else { return f };
    let ip = h.from_ip.map(|i| i.to_string()).unwrap_or_default();
    f.relay_ip.clone_from(&ip);
    let verified_name = lookup
        .filter(|l| l.fcrdns == Some(true))
        .and_then(|l| l.rdns.first().cloned());
    f.relay_host = clip(
        &verified_name
            .or_else(|| h.from_rdns.clone())
            .or_else(|| h.from_helo.clone().map(|helo| format!("calling itself {helo}")))
            .map_or_else(|| "no host name".into(), |h| h.trim_end_matches('.').to_string()),
        200,
    );
    let relay = trace.relay;
    f.input_point = match relay {
        Some(r) if r == hop => format!("it handed the spam to my mail server (Received line {hop})"),
        Some(r) => format!(
            "Received line {hop}; it handed the spam on to {} more relay(s) before my mail server",
            hop.saturating_sub(r)
        ),
        None => format!("Received line {hop}"),
    };
    // From the hop where the site received it down to the line the relay wrote.
    let top = relay.unwrap_or(hop).min(hop);
    let bottom = (hop + 1).min(trace.hops.len().saturating_sub(1));
    // The reporter's own addresses do not go out in the evidence either.
    let with = reporter.redact_with.as_deref().unwrap_or(redact::REPLACEMENT);
    f.evidence = trace.hops[top..=bottom]
        .iter()
        .map(|h| {
            let line = format!("Received: {}", one_line(&h.raw));
            let (bytes, _) = redact::redact(line.as_bytes(), &reporter.redact, with);
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .collect();
    f.arrival_date = trace
        .hops
        .get(relay.unwrap_or(hop))
        .and_then(|h| h.fields.date.map(|d| d.to_rfc5322()));
    f.source_port = source_port(&h.raw, &ip);
    if let Some(l) = lookup {
        f.org = clip(l.owner.as_deref().unwrap_or(""), 200);
        f.isp = clip(l.isp.as_deref().unwrap_or(""), 200);
        f.dnsbl = l
            .dnsbl
            .iter()
            .filter(|b| b.listed)
            .map(|b| {
                format!(
                    "{} lists {ip}{}",
                    b.zone,
                    b.reason
                        .as_deref()
                        .or(b.answer.as_deref())
                        .map(|r| format!(" ({})", clip(r, 150)))
                        .unwrap_or_default()
                )
            })
            .collect();
        f.reported_domain = l.rdns.first().and_then(|n| names::registrable(n));
    }
    if f.org.is_empty() {
        f.org = format!("the network of {ip}");
    }
    if f.isp.is_empty() {
        f.isp = format!("the provider of {ip}");
    }
    f
}

/// The built-in template of a side.
pub fn default_template(side: Side) -> &'static str {
    match side {
        Side::Owner => include_str!("../../assets/templates/owner.txt"),
        Side::Isp => include_str!("../../assets/templates/isp.txt"),
    }
}

/// The template of a side: the configured file, else the built-in one.
///
/// # Errors
/// The configured file cannot be read.
pub fn template(side: Side, cfg: &Compose) -> Result<String, ComposeError> {
    let path = match side {
        Side::Owner => cfg.owner_template.as_ref(),
        Side::Isp => cfg.isp_template.as_ref(),
    };
    match path {
        Some(p) => std::fs::read_to_string(p).map_err(|e| ComposeError::Template {
            path: p.display().to_string(),
            why: e.to_string(),
        }),
        None => Ok(default_template(side).to_string()),
    }
}

/// Fills `{{placeholder}}`s. Every placeholder must be known.
///
/// # Errors
/// An unknown placeholder.
pub fn fill(template: &str, f: &Facts) -> Result<String, ComposeError> {
    let mut out = String::with_capacity(template.len() + 1024);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = after[..close].trim();
        let value = match name {
            "org" => f.org.clone(),
            "isp" => f.isp.clone(),
            "relay_ip" => f.relay_ip.clone(),
            "relay_host" => f.relay_host.clone(),
            "input_point" => f.input_point.clone(),
            "spam_subject" => f.spam_subject.clone(),
            "spam_date" => f.spam_date.clone(),
            "evidence" => f
                .evidence
                .iter()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
            "dnsbl" => {
                if f.dnsbl.is_empty() {
                    String::new()
                } else {
                    let mut s = String::from("\nThe relay's address is listed by DNS blocklists:\n");
                    for l in &f.dnsbl {
                        let _ = writeln!(s, "  - {l}");
                    }
                    s
                }
            }
            "reporter_name" => f.reporter_name.clone(),
            "reporter_address" => f.reporter_address.clone(),
            other => return Err(ComposeError::UnknownPlaceholder(clip(other, 40))),
        };
        out.push_str(&value);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(reflow(&out, 72))
}

/// Re-wraps the plain paragraphs of a filled template at `width` columns (a
/// placeholder's value can make a line long); indented lines, lists and the lines
/// of a paragraph that has any are left as they are.
pub fn reflow(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, para) in text.split("\n\n").enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        let plain = !para.is_empty()
            && para
                .lines()
                .all(|l| !l.starts_with([' ', '\t', '-', '*', '>']) && !l.is_empty());
        if !plain {
            out.push_str(para);
            continue;
        }
        let mut col = 0;
        for (j, word) in para.split_whitespace().enumerate() {
            let w = word.chars().count();
            if j > 0 {
                if col + 1 + w > width {
                    out.push('\n');
                    col = 0;
                } else {
                    out.push(' ');
                    col += 1;
                }
            }
            out.push_str(word);
            col += w;
        }
        if para.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// A complaint being written: what the user sees and edits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Draft {
    pub side: Side,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    pub format: Format,
    pub quote_inline: bool,
    pub redact: bool,
}

/// `Open Relay - <relay ip> - re: <spam subject>`.
pub fn subject(f: &Facts) -> String {
    header_text(&format!("Open Relay - {} - re: {}", f.relay_ip, f.spam_subject))
}

/// Text made fit for one header line: controls (CR, LF, NUL, escapes) become spaces,
/// runs of white space one space, at most 300 characters. The encoder then writes
/// it as one correctly encoded (RFC 2047) and folded header.
pub fn header_text(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let one = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    one.chars().take(300).collect()
}

/// The contacts of one side of a lookup.
pub fn side_contacts(l: &Lookup, side: Side) -> &[Contact] {
    match side {
        Side::Owner => &l.owner_contacts,
        Side::Isp => &l.isp_contacts,
    }
}

/// Who a complaint is addressed to: the pre-selected contacts, else the first one.
pub fn addressees(contacts: &[Contact]) -> Vec<String> {
    let mut to: Vec<String> = contacts
        .iter()
        .filter(|c| c.preselect)
        .map(|c| c.email.clone())
        .collect();
    if to.is_empty() {
        to.extend(contacts.first().map(|c| c.email.clone()));
    }
    to
}

/// A first draft: the template filled, addressed to the pre-selected contacts of the
/// side (else its first contact).
///
/// # Errors
/// An unknown placeholder in the template.
pub fn draft(
    side: Side,
    f: &Facts,
    template: &str,
    contacts: &[Contact],
    format: Format,
    quote_inline: bool,
) -> Result<Draft, ComposeError> {
    Ok(Draft {
        side,
        to: addressees(contacts),
        subject: subject(f),
        body: fill(template, f)?,
        format,
        quote_inline,
        redact: format != Format::Arf,
    })
}

/// Checks the recipients of a draft.
///
/// # Errors
/// None, or one that is not an address.
pub fn recipients(d: &Draft) -> Result<Vec<String>, ComposeError> {
    let to: Vec<String> =
        d.to.iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
    if to.is_empty() {
        return Err(ComposeError::NoRecipient(d.side.word()));
    }
    for t in &to {
        if !is_email(&t.to_ascii_lowercase()) {
            return Err(ComposeError::BadAddress(clip(t, 100)));
        }
    }
    Ok(to)
}

/// Checks the reporter.
///
/// # Errors
/// The address is missing or not an address.
pub fn reporter_ok(r: &Reporter) -> Result<(), ComposeError> {
    if r.address.trim().is_empty() {
        return Err(ComposeError::NoReporter);
    }
    if !is_email(&r.address.trim().to_ascii_lowercase()) {
        return Err(ComposeError::BadAddress(clip(&r.address, 100)));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
