//! Message authentication: who signed the spam and whether the attached copy is
//! the one they signed (DKIM, ARC), what the user's own site recorded about it
//! (Authentication-Results), and SPF and DMARC evaluated today.
//!
//! Two steps: [`read`] lists what the message carries without the network (the
//! signatures, the ARC chain, the Authentication-Results lines, and which of those
//! the site wrote); [`verify`] fetches keys and records through relaytrace's own
//! resolver (so `dns_servers` redirects it, and tests stay on loopback) and gives
//! each its verdict, with Stalwart's `mail-auth` doing the cryptography.
//!
//! Keys are fetched now, not when the spam was sent: a rotated key reads "key not
//! found", and SPF and DMARC are labelled "as of today".

mod results;

use std::net::IpAddr;
use std::time::Duration;

use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator};
use serde::Serialize;

pub use results::{Results, authentication_results};

/// The most DKIM signatures, ARC sets or Authentication-Results lines kept: a
/// hostile header section may carry thousands.
pub const MAX_ITEMS: usize = 32;

/// What the message says about its own authenticity, and what was found of it.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Auth {
    pub dkim: Vec<Signature>,
    /// The ARC chain, instance 1 (the first forwarder) first.
    pub arc: Vec<ArcSet>,
    /// The chain's verdict when verified.
    pub arc_result: Option<Verdict>,
    pub arc_reason: Option<String>,
    pub authentication_results: Vec<Results>,
    pub spf: Option<Spf>,
    pub dmarc: Option<Dmarc>,
    /// When the keys and records were checked (RFC 3339, UTC); `None`: not checked
    /// (no network was asked for).
    pub checked: Option<String>,
}

/// A verdict as RFC 8601 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    Neutral,
    #[serde(rename = "permerror")]
    PermError,
    #[serde(rename = "temperror")]
    TempError,
    None,
    SoftFail,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Neutral => "neutral",
            Verdict::PermError => "permerror",
            Verdict::TempError => "temperror",
            Verdict::None => "none",
            Verdict::SoftFail => "softfail",
        }
    }
}

/// One `DKIM-Signature`.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Signature {
    /// `d=`: the domain that takes responsibility.
    pub domain: String,
    pub selector: String,
    pub algorithm: String,
    /// `i=`, when given.
    pub identity: Option<String>,
    /// `h=`: the header fields signed.
    pub headers: Vec<String>,
    /// `l=`: only this many body octets are signed (a weakness: text can be added).
    pub body_length: Option<u64>,
    /// `t=` and `x=` (RFC 3339).
    pub signed: Option<String>,
    pub expires: Option<String>,
    /// `d=` is the From domain or shares its registrable domain (DMARC's relaxed
    /// alignment).
    pub aligned: bool,
    /// The verdict; `None` when not checked.
    pub result: Option<Verdict>,
    /// Why it did not pass, in words.
    pub reason: Option<String>,
}

impl Signature {
    /// A verified signature: the copy is what `d=` sent.
    pub fn passed(&self) -> bool {
        self.result == Some(Verdict::Pass)
    }
}

/// One ARC set: the seal of a forwarder.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ArcSet {
    pub instance: u32,
    pub domain: String,
    pub selector: String,
    /// `cv=`: what this forwarder found of the chain before it.
    pub cv: String,
}

/// SPF for the entry's address and the envelope sender's domain, today.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Spf {
    pub domain: String,
    pub ip: IpAddr,
    pub result: Verdict,
    /// The date it was evaluated on (records change: it says nothing certain of
    /// the day the spam was sent).
    pub as_of: String,
}

/// DMARC for the From domain, today.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Dmarc {
    pub domain: String,
    pub result: Verdict,
    pub policy: String,
    pub dkim_aligned: bool,
    pub spf_aligned: bool,
    pub as_of: String,
}

/// What the message carries, without the network. `site` is the site the trace
/// used (hosts, domains, networks) and `authserv_ids` the configured
/// `[trust] authserv_ids`: an Authentication-Results line is trusted only when its
/// authserv-id is one of them.
#[must_use]
pub fn read(raw: &[u8], site: &[String], authserv_ids: &[String]) -> Auth {
    let mut auth = Auth {
        authentication_results: authentication_results(raw, site, authserv_ids),
        ..Auth::default()
    };
    // Most spam carries no signature or seal: its header is not parsed again.
    let signed = crate::message::fields(raw).take(2000).any(|f| {
        f.name.eq_ignore_ascii_case(b"DKIM-Signature")
            || f.name.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"ARC-"))
    });
    if !signed {
        return auth;
    }
    let Some(message) = AuthenticatedMessage::parse_with_opts(raw, None, false) else {
        return auth;
    };
    let from = message.from.first().map(|f| domain_of(f)).unwrap_or_default();
    for h in message.dkim_headers.iter().take(MAX_ITEMS) {
        let s = &h.header;
        auth.dkim.push(Signature {
            domain: s.d.to_ascii_lowercase(),
            selector: s.s.clone(),
            algorithm: algorithm(s.a),
            identity: (!s.i.is_empty()).then(|| s.i.clone()),
            headers: s.h.iter().take(64).cloned().collect(),
            body_length: (s.l > 0).then_some(s.l),
            signed: time(s.t),
            expires: time(s.x),
            aligned: aligned(&s.d, &from),
            result: None,
            reason: None,
        });
    }
    for e in message.errors.iter().take(MAX_ITEMS) {
        if matches!(e.header, mail_auth::Error::Dkim(_)) || e.name.eq_ignore_ascii_case(b"DKIM-Signature") {
            auth.dkim.push(Signature {
                domain: tag(e.value, "d").unwrap_or_default(),
                selector: tag(e.value, "s").unwrap_or_default(),
                algorithm: tag(e.value, "a").unwrap_or_default(),
                result: Some(Verdict::PermError),
                reason: Some(match &e.header {
                    mail_auth::Error::MissingParameters => {
                        "the signature is incomplete: required tags (b=, bh=, d=, h=, s=) are missing".into()
                    }
                    other => format!("the signature cannot be read: {other}"),
                }),
                ..Signature::default()
            });
        }
    }
    let mut seals: Vec<&mail_auth::arc::Seal> = message.as_headers.iter().map(|h| &h.header).collect();
    seals.sort_by_key(|s| s.i);
    for s in seals.into_iter().take(MAX_ITEMS) {
        auth.arc.push(ArcSet {
            instance: s.i,
            domain: s.d.to_ascii_lowercase(),
            selector: s.s.clone(),
            cv: match s.cv {
                mail_auth::arc::ChainValidation::None => "none",
                mail_auth::arc::ChainValidation::Fail => "fail",
                mail_auth::arc::ChainValidation::Pass => "pass",
            }
            .into(),
        });
    }
    auth
}

/// What [`verify`] needs for SPF: the entry's address, the name it gave in HELO,
/// and the envelope sender (Return-Path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfInput {
    pub ip: IpAddr,
    pub helo: String,
    pub mail_from: String,
}

/// Checks every signature, the ARC chain, SPF and DMARC with keys and records
/// fetched now through `resolver`, within `limit`. `now` is the Unix time it is
/// checked at.
pub async fn verify(
    raw: &[u8],
    auth: &mut Auth,
    resolver: hickory_resolver::TokioResolver,
    spf: Option<SpfInput>,
    limit: Duration,
    now: i64,
) {
    let Some(message) = AuthenticatedMessage::parse_with_opts(raw, None, false) else {
        return;
    };
    let authenticator = MessageAuthenticator(resolver);
    let checks = async {
        let dkim = authenticator.verify_dkim(&message).await;
        let arc = authenticator.verify_arc(&message).await;
        let spf_out = match &spf {
            Some(s) => Some(
                authenticator
                    .verify_spf(mail_auth::spf::verify::SpfParameters::verify_mail_from(
                        s.ip,
                        &s.helo,
                        "relaytrace.invalid",
                        &s.mail_from,
                    ))
                    .await,
            ),
            None => None,
        };
        let mail_from_domain = spf.as_ref().map(|s| domain_of(&s.mail_from)).unwrap_or_default();
        let dmarc = match &spf_out {
            Some(out) if !message.from.is_empty() => Some(
                authenticator
                    .verify_dmarc(mail_auth::dmarc::verify::DmarcParameters::new(
                        &message,
                        &dkim,
                        &mail_from_domain,
                        out,
                    ))
                    .await,
            ),
            _ => None,
        };
        (dkim, arc, spf_out, dmarc)
    };
    let today = crate::received::Timestamp {
        epoch: now,
        offset_min: 0,
    }
    .to_string();
    let Ok((dkim, arc, spf_out, dmarc)) = tokio::time::timeout(limit, checks).await else {
        for s in auth.dkim.iter_mut().filter(|s| s.result.is_none()) {
            s.result = Some(Verdict::TempError);
            s.reason = Some(format!("no answer within {} s", limit.as_secs()));
        }
        auth.checked = Some(today);
        return;
    };
    for out in &dkim {
        let Some(sig) = out.signature() else { continue };
        let Some(mine) = auth
            .dkim
            .iter_mut()
            .find(|s| s.result.is_none() && s.domain.eq_ignore_ascii_case(&sig.d) && s.selector == sig.s)
        else {
            continue;
        };
        let (verdict, reason) = dkim_verdict(out.result(), &sig.d, &sig.s);
        mine.result = Some(verdict);
        mine.reason = reason;
    }
    if !auth.arc.is_empty() {
        let (verdict, reason) = dkim_verdict(arc.result(), "", "");
        auth.arc_result = Some(verdict);
        auth.arc_reason = reason;
    }
    let date = today.get(..10).unwrap_or(&today).to_string();
    if let (Some(out), Some(input)) = (&spf_out, &spf) {
        auth.spf = Some(Spf {
            domain: out.domain().to_string(),
            ip: input.ip,
            result: spf_verdict(out.result()),
            as_of: date.clone(),
        });
    }
    if let Some(d) = &dmarc {
        auth.dmarc = Some(Dmarc {
            domain: d.domain().to_string(),
            result: match d.result() {
                mail_auth::DmarcResult::Pass => Verdict::Pass,
                mail_auth::DmarcResult::Fail(_) => Verdict::Fail,
                mail_auth::DmarcResult::TempError(_) => Verdict::TempError,
                mail_auth::DmarcResult::PermError(_) => Verdict::PermError,
                mail_auth::DmarcResult::None => Verdict::None,
            },
            policy: format!("{:?}", d.policy()).to_lowercase(),
            dkim_aligned: matches!(d.dkim_result(), mail_auth::DmarcResult::Pass),
            spf_aligned: matches!(d.spf_result(), mail_auth::DmarcResult::Pass),
            as_of: date,
        });
    }
    auth.checked = Some(today);
}

/// The envelope sender as the site recorded it: the topmost `Return-Path`, without
/// its angle brackets (empty for the null sender `<>`).
pub fn return_path(header: &[u8]) -> Option<String> {
    let f = crate::message::fields(header).find(|f| f.is("return-path"))?;
    let v = String::from_utf8_lossy(f.value);
    let v = v.trim();
    let inner = v
        .find('<')
        .and_then(|a| v[a + 1..].find('>').map(|b| &v[a + 1..a + 1 + b]))
        .unwrap_or(v);
    Some(inner.trim().chars().take(320).collect())
}

/// What SPF is checked for: the entry's address, its HELO name and the envelope
/// sender (the null sender is checked as `postmaster@` its HELO name, RFC 7208).
pub fn spf_input(t: &crate::trace::Trace, header: &[u8]) -> Option<SpfInput> {
    let hop = t.hops.get(t.entry.hop?)?;
    let ip = t.entry.ip.or(hop.from_ip)?;
    let helo = hop.from_helo.clone().unwrap_or_default();
    let rp = return_path(header)?;
    let mail_from = if rp.contains('@') {
        rp
    } else if helo.is_empty() {
        return None;
    } else {
        format!("postmaster@{helo}")
    };
    Some(SpfInput { ip, helo, mail_from })
}

/// The entry weighed with the verified signatures (issue 14): the classifier's
/// "DKIM-Signature d=… (not verified: a hint)" becomes what the check found, and
/// for the classes where a provider is responsible (free mail, webmail, ESP, a
/// compromised account) a signature verified for the entry host's own domain
/// raises the confidence one step — the copy is what that provider sent. A
/// signature that failed is said to be no evidence. Unchecked (no network), the
/// entry is left as it is.
pub fn weigh_entry(entry: &mut crate::trace::entry::Entry, a: &Auth) {
    use crate::trace::entry::{Class, Confidence};
    let Some(day) = a.checked.as_deref().map(|c| c.get(..10).unwrap_or(c)) else {
        return;
    };
    let same = |x: &str, y: &str| {
        x.trim_end_matches('.')
            .eq_ignore_ascii_case(y.trim_end_matches('.'))
    };
    for line in &mut entry.evidence {
        let Some(d) = line
            .strip_prefix("DKIM-Signature d=")
            .and_then(|r| r.strip_suffix(" (not verified: a hint)"))
            .map(str::to_string)
        else {
            continue;
        };
        let Some(sig) = a.dkim.iter().find(|s| same(&s.domain, &d)) else {
            continue;
        };
        let why = sig
            .reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        *line = match sig.result {
            Some(Verdict::Pass) => {
                format!("DKIM-Signature d={d} verified on {day}: the copy is what {d} sent")
            }
            Some(Verdict::TempError) | None => {
                format!("DKIM-Signature d={d} could not be checked{why} (a hint)")
            }
            Some(v) => format!(
                "DKIM-Signature d={d} did not verify ({}{why}): not evidence",
                v.word()
            ),
        };
    }
    let provider_class = matches!(
        entry.class,
        Class::Freemail | Class::Webmail | Class::Esp | Class::CompromisedAccount
    );
    // The host is under `d=`, or both have the same registrable domain.
    let under = |host: &str, d: &str| {
        let (host, d) = (
            host.trim_end_matches('.').to_ascii_lowercase(),
            d.to_ascii_lowercase(),
        );
        d.contains('.') && (host == d || host.ends_with(&format!(".{d}")))
            || crate::trace::names::registrable(&host)
                .is_some_and(|h| crate::trace::names::registrable(&d).is_some_and(|r| r == h))
    };
    let own = entry.host.as_deref().and_then(|host| {
        a.dkim
            .iter()
            .filter(|s| s.passed())
            .find(|s| under(host, &s.domain))
    });
    if let (true, Some(sig)) = (provider_class, own) {
        entry.evidence.push(format!(
            "the entry's own domain {} signed it (DKIM verified on {day})",
            sig.domain
        ));
        entry.confidence = match entry.confidence {
            Confidence::Low => Confidence::Medium,
            Confidence::Medium | Confidence::High => Confidence::High,
        };
        // A reading made certain names no rival.
        if entry.confidence == Confidence::High {
            entry.alternatives.clear();
        }
    }
}

/// What the message's authentication says, a line each, in words (for reports,
/// the Evidence pane and complaints). Only a site's line is called a record; the
/// others are claims.
pub fn lines(a: &Auth) -> Vec<String> {
    let mut out = Vec::new();
    let checked = a.checked.as_deref().map(|c| c.get(..10).unwrap_or(c));
    for s in &a.dkim {
        let state = match (s.result, checked) {
            (Some(Verdict::Pass), Some(day)) => format!("verified on {day}"),
            (Some(v), _) => format!(
                "{}{}",
                v.word(),
                s.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default()
            ),
            (None, _) => "not checked (no network)".to_string(),
        };
        let mut notes = Vec::new();
        if s.aligned {
            notes.push("aligned with From".to_string());
        }
        if let Some(l) = s.body_length {
            notes.push(format!("l={l}: only the first {l} body octets are signed"));
        }
        out.push(format!(
            "DKIM d={} s={} ({}): {state}{}",
            s.domain,
            s.selector,
            s.algorithm,
            if notes.is_empty() {
                String::new()
            } else {
                format!(" · {}", notes.join(" · "))
            }
        ));
    }
    if !a.arc.is_empty() {
        let chain: Vec<String> = a
            .arc
            .iter()
            .map(|s| format!("i={} d={} cv={}", s.instance, s.domain, s.cv))
            .collect();
        out.push(format!(
            "ARC {}: {}",
            chain.join(", "),
            match a.arc_result {
                Some(v) => format!(
                    "{}{}",
                    v.word(),
                    a.arc_reason
                        .as_deref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                ),
                None => "not checked (no network)".into(),
            }
        ));
    }
    for r in &a.authentication_results {
        out.push(format!(
            "Authentication-Results by {} ({}): {}",
            r.authserv_id,
            if r.trusted {
                "your site's own record"
            } else {
                "a claim: not written by your site"
            },
            if r.methods.is_empty() {
                "none".to_string()
            } else {
                r.methods.join("; ")
            }
        ));
    }
    if let Some(s) = &a.spf {
        out.push(format!(
            "SPF for {} from {}: {} (as of {}; the record may have changed since)",
            s.domain,
            s.ip,
            s.result.word(),
            s.as_of
        ));
    }
    if let Some(d) = &a.dmarc {
        out.push(format!(
            "DMARC for {}: {} (policy {}; DKIM {}aligned, SPF {}aligned; as of {})",
            d.domain,
            d.result.word(),
            d.policy,
            if d.dkim_aligned { "" } else { "not " },
            if d.spf_aligned { "" } else { "not " },
            d.as_of
        ));
    }
    out
}

/// The verified signature that names who is responsible: one aligned with From
/// first, else the first that verified.
pub fn responsible(a: &Auth) -> Option<&Signature> {
    let passed = || a.dkim.iter().filter(|s| s.passed());
    passed().find(|s| s.aligned).or_else(|| passed().next())
}

/// A DKIM (or ARC) result in words: the reasons an abuse desk understands.
fn dkim_verdict(r: &DkimResult, d: &str, s: &str) -> (Verdict, Option<String>) {
    use mail_auth::Error as E;
    use mail_auth::dkim::DkimError as D;
    let why = |e: &E| -> String {
        match e {
            E::Dkim(D::FailedBodyHashMatch) | E::Arc(mail_auth::arc::ArcError::FailedBodyHashMatch) => {
                "body hash: the body was changed after signing".into()
            }
            E::Crypto(mail_auth::common::crypto::CryptoError::FailedVerification) => {
                "signature: the signed header fields were changed after signing".into()
            }
            E::Dkim(D::RevokedPublicKey) => "key revoked (empty p=)".into(),
            E::Dkim(D::SignatureExpired) | E::Arc(mail_auth::arc::ArcError::SignatureExpired) => {
                "expired (x= is past)".into()
            }
            E::Dns(mail_auth::DnsError::RecordNotFound(_)) if !d.is_empty() => {
                format!(
                    "key not found: no TXT record at {s}._domainkey.{d} (a rotated key, or never published)"
                )
            }
            E::Dns(mail_auth::DnsError::RecordNotFound(_)) => "key not found".into(),
            E::Dns(e) => format!("DNS: {e}"),
            E::Arc(mail_auth::arc::ArcError::BrokenChain) => "the chain is broken or incomplete".into(),
            other => other.to_string(),
        }
    };
    match r {
        // RFC 6376 §6.1.3: a body hash that does not match is a PERMFAIL, "fail" in
        // Authentication-Results (mail-auth says neutral).
        DkimResult::Neutral(
            e @ (E::Dkim(D::FailedBodyHashMatch) | E::Arc(mail_auth::arc::ArcError::FailedBodyHashMatch)),
        )
        | DkimResult::Fail(e) => (Verdict::Fail, Some(why(e))),
        DkimResult::Pass => (Verdict::Pass, None),
        DkimResult::Neutral(e) => (Verdict::Neutral, Some(why(e))),
        DkimResult::PermError(e) => (Verdict::PermError, Some(why(e))),
        DkimResult::TempError(e) => (Verdict::TempError, Some(why(e))),
        DkimResult::None => (Verdict::None, None),
    }
}

fn spf_verdict(r: mail_auth::SpfResult) -> Verdict {
    match r {
        mail_auth::SpfResult::Pass => Verdict::Pass,
        mail_auth::SpfResult::Fail => Verdict::Fail,
        mail_auth::SpfResult::SoftFail => Verdict::SoftFail,
        mail_auth::SpfResult::Neutral => Verdict::Neutral,
        mail_auth::SpfResult::TempError => Verdict::TempError,
        mail_auth::SpfResult::PermError => Verdict::PermError,
        mail_auth::SpfResult::None => Verdict::None,
    }
}

fn algorithm(a: mail_auth::common::crypto::Algorithm) -> String {
    match a {
        mail_auth::common::crypto::Algorithm::RsaSha1 => "rsa-sha1",
        mail_auth::common::crypto::Algorithm::RsaSha256 => "rsa-sha256",
        mail_auth::common::crypto::Algorithm::Ed25519Sha256 => "ed25519-sha256",
    }
    .into()
}

/// A DKIM time tag as RFC 3339, when set and plausible.
fn time(t: u64) -> Option<String> {
    let epoch = i64::try_from(t).ok().filter(|&t| t > 0 && t < 32_503_680_000)?;
    Some(crate::received::Timestamp { epoch, offset_min: 0 }.to_string())
}

/// The domain of an address (`Name <a@b>` or `a@b`), lower case.
pub fn domain_of(address: &str) -> String {
    let a = address.trim().trim_start_matches('<').trim_end_matches('>');
    a.rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// DMARC's relaxed alignment: the same registrable domain.
pub fn aligned(d: &str, from_domain: &str) -> bool {
    let (d, f) = (
        d.trim().to_ascii_lowercase(),
        from_domain.trim().to_ascii_lowercase(),
    );
    if d.is_empty() || f.is_empty() {
        return false;
    }
    let org = |s: &str| psl::domain_str(s).map(str::to_string);
    d == f || org(&d).is_some_and(|o| Some(o) == org(&f))
}

/// One tag's value from a tag list (`d=example.com; s=sel`), whitespace removed.
fn tag(value: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(value);
    text.split(';').find_map(|t| {
        let (k, v) = t.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(name))
            .then(|| v.chars().filter(|c| !c.is_whitespace()).take(255).collect())
    })
}

#[cfg(test)]
mod tests;
