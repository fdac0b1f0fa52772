//! `relaytrace lookup` and `relaytrace investigate`: lookups for an address, a domain,
//! or every external hop of a message, printed as JSON (DESIGN.md §3) or as a report.

use std::fmt::Write as _;
use std::io::{BufWriter, Read, Write};
use std::net::IpAddr;

use futures_util::future::join_all;

use crate::cli::{CliError, write_err};
use crate::lookup::{Engine, Lookup};
use crate::message::{LoadError, Reader, fields};
use crate::sanitize::{clean, clip};
use crate::trace::{self, Handoff, Hop, Options};

/// What `lookup` was asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Ip(IpAddr),
    Domain(String),
}

impl Target {
    /// Reads an address (any notation the parser knows) or a domain name.
    ///
    /// # Errors
    /// Neither an address nor a host name.
    pub fn parse(s: &str) -> Result<Target, String> {
        let t = s.trim();
        if let Some(ip) = crate::received::parse_ip_token(t) {
            return Ok(Target::Ip(ip));
        }
        let d = t.trim_end_matches('.').to_ascii_lowercase();
        let valid = d.contains('.')
            && d.len() <= 253
            && d.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if valid {
            Ok(Target::Domain(d))
        } else {
            Err(format!(
                "{:?} is neither an IP address nor a domain name",
                clean(t)
            ))
        }
    }
}

/// The options of `investigate`.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub json: bool,
    pub raw: bool,
    pub hop: Option<usize>,
    pub pick: Option<usize>,
}

/// A hop worth looking up: outside the site, with a public address.
pub fn is_external(h: &Hop) -> bool {
    !matches!(h.handoff, Handoff::Trusted | Handoff::Internal)
        && h.from_ip.is_some_and(|ip| {
            !crate::received::is_private(ip)
                && !crate::received::is_loopback(ip)
                && !crate::received::is_impossible(ip)
        })
}

/// The hops worth looking up: the external ones from the relay down to the entry
/// and two more below it (context for the user), at most [`MAX_LOOKED_UP`]. A
/// forged chain of a thousand external hops does not become a thousand lookups.
pub const MAX_LOOKED_UP: usize = 8;

/// See [`MAX_LOOKED_UP`].
#[must_use]
pub fn hops_to_look_up(t: &crate::trace::Trace) -> Vec<usize> {
    let Some(relay) = t.relay.or(t.entry.hop) else {
        return Vec::new();
    };
    let bottom = t.entry.hop.unwrap_or(relay).max(relay);
    let mut out: Vec<usize> = t.hops[relay.min(t.hops.len())..]
        .iter()
        .filter(|h| is_external(h))
        .map(|h| h.index)
        .filter(|&i| i <= bottom)
        .collect();
    out.extend(
        t.hops
            .iter()
            .skip(bottom + 1)
            .filter(|h| is_external(h))
            .map(|h| h.index)
            .take(2),
    );
    if let Some(e) = t.entry.hop.filter(|e| !out.contains(e)) {
        out.push(e);
    }
    // The entry and the relay always; the rest as room allows.
    if out.len() > MAX_LOOKED_UP {
        let keep: Vec<usize> = [Some(relay), t.entry.hop].into_iter().flatten().collect();
        let mut trimmed: Vec<usize> = out.iter().copied().filter(|i| keep.contains(i)).collect();
        trimmed.extend(
            out.iter()
                .copied()
                .filter(|i| !keep.contains(i))
                .take(MAX_LOOKED_UP - trimmed.len()),
        );
        trimmed.sort_unstable();
        trimmed.dedup();
        out = trimmed;
    }
    out
}

/// `relaytrace lookup`.
///
/// # Errors
/// The output cannot be written.
pub async fn lookup(
    engine: &Engine,
    target: &Target,
    json: bool,
    raw: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let result = match target {
        Target::Ip(ip) => Box::pin(engine.lookup_ip(*ip)).await,
        Target::Domain(d) => Box::pin(engine.lookup_domain(d)).await,
    };
    let mut out = BufWriter::new(out);
    if json {
        out.write_all(
            crate::sanitize::json_line(&result)
                .map_err(|e| CliError::Input(e.to_string()))?
                .as_bytes(),
        )
        .map_err(|e| write_err(&e))?;
        out.write_all(b"\n").map_err(|e| write_err(&e))?;
    } else {
        out.write_all(render(&result, raw).as_bytes())
            .map_err(|e| write_err(&e))?;
    }
    out.flush().map_err(|e| write_err(&e))
}

/// `relaytrace investigate`.
///
/// # Errors
/// The message cannot be read, `--hop` names no external hop, or the output cannot
/// be written.
pub async fn investigate(
    engine: &Engine,
    input: Box<dyn Read>,
    shown: &str,
    req: &Request,
    opts: &Options,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut reader = Reader::new(input);
    let mut out = BufWriter::new(out);
    let mut seen = 0usize;
    let mut done = 0usize;
    while let Some(next) = reader.next() {
        let message = next.map_err(|e| CliError::Input(format!("{shown}: {}", LoadError::from(e))))?;
        seen += 1;
        if req.pick.is_some_and(|n| n != message.number) {
            continue;
        }
        if fields(&message.header).next().is_none() {
            if reader.is_mbox() {
                continue;
            }
            return Err(CliError::Input(format!("{shown}: {}", LoadError::NotAMessage)));
        }
        let t = trace::analyse(&message, opts);
        let wanted: Vec<usize> = match req.hop {
            Some(n) => {
                let Some(h) = t.hops.get(n) else {
                    return Err(CliError::Usage(format!(
                        "--hop {n}: the message has {} hops (0 to {})",
                        t.hops.len(),
                        t.hops.len().saturating_sub(1)
                    )));
                };
                if h.from_ip.is_none() {
                    return Err(CliError::Usage(format!(
                        "--hop {n}: that hop names no sender address"
                    )));
                }
                vec![n]
            }
            None => hops_to_look_up(&t),
        };
        // Every hop at once; the engine merges identical requests and limits each server.
        let results: Vec<(usize, Lookup)> = join_all(wanted.iter().filter_map(|&i| {
            let ip = t.hops[i].from_ip?;
            Some(async move { (i, Box::pin(engine.lookup_ip(ip)).await) })
        }))
        .await;
        if req.json {
            let mut v = serde_json::to_value(&t).map_err(|e| CliError::Input(e.to_string()))?;
            if let Some(hops) = v.get_mut("hops").and_then(|h| h.as_array_mut()) {
                for (i, l) in &results {
                    if let Some(h) = hops.get_mut(*i).and_then(|h| h.as_object_mut()) {
                        h.insert(
                            "lookups".into(),
                            serde_json::to_value(l).map_err(|e| CliError::Input(e.to_string()))?,
                        );
                    }
                }
            }
            out.write_all(
                crate::sanitize::json_line(&v)
                    .map_err(|e| CliError::Input(e.to_string()))?
                    .as_bytes(),
            )
            .map_err(|e| write_err(&e))?;
            out.write_all(b"\n").map_err(|e| write_err(&e))?;
        } else {
            let title = reader
                .is_mbox()
                .then(|| format!("message {} of {shown}", message.number));
            crate::report::write_text(&mut out, &t, title.as_deref()).map_err(|e| write_err(&e))?;
            for (i, l) in &results {
                let role = match (t.relay == Some(*i), t.input_point == Some(*i)) {
                    (true, true) => " (the relay and input point)",
                    (true, false) => " (the relay)",
                    (false, true) => " (the input point)",
                    _ => "",
                };
                writeln!(out, "\nhop {i}{role}").map_err(|e| write_err(&e))?;
                out.write_all(render(l, req.raw).as_bytes())
                    .map_err(|e| write_err(&e))?;
            }
        }
        done += 1;
        if req.pick.is_some() {
            break;
        }
    }
    out.flush().map_err(|e| write_err(&e))?;
    if let Some(n) = req.pick
        && seen < n
    {
        return Err(CliError::Input(format!(
            "{shown}: {}",
            LoadError::NoSuchMessage {
                wanted: n,
                count: seen
            }
        )));
    }
    if done == 0 {
        return Err(CliError::Input(format!("{shown}: {}", LoadError::NotAMessage)));
    }
    Ok(())
}

fn contacts(s: &mut String, list: &[crate::lookup::contact::Contact]) {
    if list.is_empty() {
        let _ = writeln!(s, "    (none found)");
    }
    for c in list {
        let mark = if c.preselect { "*" } else { " " };
        let source = c.source.as_str();
        let conf = c.confidence.as_str();
        let _ = writeln!(
            s,
            "  {mark} {:<36} {source:<9} {conf:<6}  {}",
            clean(&c.email),
            clip(&c.basis, 70)
        );
    }
}

/// The readable report of one lookup.
pub fn render(l: &Lookup, raw: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", clean(l.query()));
    let rdns = if l.rdns().is_empty() {
        "(no PTR record)".to_string()
    } else {
        let v = match l.fcrdns() {
            Some(true) => "forward-confirmed",
            _ => "NOT forward-confirmed",
        };
        format!(
            "{} ({v})",
            l.rdns()
                .iter()
                .map(|n| clean(n).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let _ = writeln!(s, "  reverse DNS  {rdns}");
    if let Some(a) = &l.asn() {
        let peers: Vec<String> = a.peers.iter().take(8).map(|p| format!("AS{p}")).collect();
        let _ = writeln!(
            s,
            "  AS           AS{} {}, {} {} {}{}",
            a.number,
            clean(a.name.as_deref().unwrap_or("?")),
            a.cidr.as_deref().unwrap_or(""),
            a.country.as_deref().unwrap_or(""),
            a.registry.as_deref().unwrap_or(""),
            if peers.is_empty() {
                String::new()
            } else {
                format!("; peers {}", peers.join(" "))
            }
        );
    }
    let net_line = |n: &crate::lookup::result::Network| {
        format!(
            "{} {} — {} ({}{})",
            n.cidr.as_deref().unwrap_or("?"),
            clean(n.name.as_deref().unwrap_or("")),
            clean(n.org.as_deref().unwrap_or("?")),
            n.source,
            if n.customer { ", customer reassignment" } else { "" }
        )
    };
    if let Some(n) = &l.network() {
        let _ = writeln!(s, "  network      {}", net_line(n));
        if let Some(p) = &n.parent {
            let _ = writeln!(s, "  parent       {}", net_line(p));
        }
    }
    if let Some(d) = &l.domain() {
        let _ = writeln!(
            s,
            "  domain       {}; registrar {}{}",
            clean(&d.name),
            clean(d.registrar.as_deref().unwrap_or("?")),
            d.abuse_contacts
                .first()
                .map(|c| format!(" ({})", clean(&c.email)))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(s, "  owner        {}", clean(l.owner_name().unwrap_or("?")));
    contacts(&mut s, l.owner_contacts());
    let _ = writeln!(s, "  ISP          {}", clean(l.isp_name().unwrap_or("?")));
    contacts(&mut s, l.isp_contacts());
    for b in l.dnsbl() {
        let state = if b.listed {
            "LISTED"
        } else if b.error {
            "error"
        } else {
            "not listed"
        };
        let _ = writeln!(
            s,
            "  DNSBL        {:<28} {state} {}",
            clean(&b.zone),
            clip(
                &[
                    b.answer.as_deref().unwrap_or(""),
                    b.reason.as_deref().unwrap_or("")
                ]
                .join(" "),
                70
            )
        );
    }
    if let Some(r) = &l.traceroute() {
        if let (Some(why), Some(cmd)) = (&r.answer.reason, &r.command) {
            let _ = writeln!(s, "  traceroute   {}; run: {}", clean(why), clean(cmd));
        } else {
            let up = r.upstream_ip.map(|u| format!("upstream {u}")).unwrap_or_default();
            let asn = r.upstream_asn.map(|n| format!(" (AS{n})")).unwrap_or_default();
            let _ = writeln!(s, "  traceroute   {} hops; {up}{asn}", r.hops.len());
        }
    }
    let _ = writeln!(s, "  answers:");
    for a in &l.answers() {
        let _ = writeln!(
            s,
            "    {:<12} {:>5} ms{} {:<7} {:<28} {}{}",
            a.status.as_str(),
            a.elapsed_ms,
            if a.cached { " (cached)" } else { "" },
            a.protocol,
            clip(&a.server, 28),
            clip(&a.query, 60),
            a.reason
                .as_deref()
                .map(|r| format!(" — {}", clip(r, 80)))
                .unwrap_or_default()
        );
        if raw && !a.text.is_empty() {
            for line in a.text.lines() {
                let _ = writeln!(s, "      | {}", clean(line));
            }
        }
    }
    s
}

/// `relaytrace compose`.
///
/// # Errors
/// The message cannot be read, the hop has no address, no recipient, no reporter.
#[allow(clippy::too_many_arguments)]
pub async fn compose(
    engine: &Engine,
    cfg: &crate::config::Config,
    mut input: Box<dyn Read>,
    shown: &str,
    a: &crate::cli::ComposeArgs,
    number: usize,
    opts: &Options,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    use crate::compose::{self, Format, Side};
    let original = crate::message::read_message(&mut input, number)
        .map_err(|e| CliError::Input(format!("{shown}: {e}")))?;
    let message = Reader::new(original.as_slice())
        .next()
        .transpose()
        .map_err(|e| CliError::Input(format!("{shown}: {}", LoadError::from(e))))?
        .filter(|m| fields(&m.header).next().is_some())
        .ok_or_else(|| CliError::Input(format!("{shown}: {}", LoadError::NotAMessage)))?;
    let t = trace::analyse(&message, opts);
    let hop = a.hop.or(t.input_point).or(t.relay).ok_or_else(|| {
        CliError::Input(format!(
            "{shown}: no external hop to complain about (use --hop N)"
        ))
    })?;
    let ip = t
        .hops
        .get(hop)
        .and_then(|h| h.from_ip)
        .ok_or_else(|| CliError::Usage(format!("--hop {hop}: that hop names no sender address")))?;
    let lookup = Box::pin(engine.lookup_ip(ip)).await;
    let side = match a.to {
        crate::cli::SideArg::Owner => Side::Owner,
        crate::cli::SideArg::Isp => Side::Isp,
    };
    let format = match a.format {
        crate::cli::FormatArg::Eml => Format::Eml,
        crate::cli::FormatArg::Text => Format::Text,
        crate::cli::FormatArg::Arf => Format::Arf,
    };
    let mut facts = compose::facts(&t, hop, Some(&lookup), &cfg.reporter);
    if let Some(c) = a.class {
        facts.class = c;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let now = i64::try_from(now).unwrap_or(0);
    compose::age_note(&mut facts, &t, hop, now, cfg.compose.max_age_days);
    let template = compose::template_for(facts.class, side, &cfg.compose)
        .map_err(|e| CliError::Usage(e.to_string()))?
        .map_err(|why| {
            CliError::Input(format!(
                "{shown}: no {} complaint for a {} ({}): {why}",
                side.word(),
                facts.class.words(),
                facts.class.name()
            ))
        })?;
    let contacts = if side == Side::Isp && compose::isp_is_client_network(facts.class) {
        // The submitting client's network: its contacts are not the entry's ISP's.
        &[][..]
    } else {
        compose::side_contacts(&lookup, side)
    };
    let mut d = compose::draft(
        side,
        &facts,
        &template,
        contacts,
        format,
        a.quote || cfg.compose.quote_inline,
    )
    .map_err(|e| CliError::Usage(e.to_string()))?;
    d.to.extend(a.add_to.iter().cloned());
    d.redact = (d.redact && !a.no_redact) || a.redact;
    let salt = u64::from(std::process::id()) << 32 ^ u64::try_from(now).unwrap_or(0);
    let id = compose::mime::message_id(&cfg.reporter.address, now, salt);
    let built =
        compose::mime::build(&d, &facts, &original, &cfg.reporter, now, &id).map_err(|e| match e {
            compose::ComposeError::NoRecipient(_) => CliError::Input(format!(
                "{e} (hop {hop}, {ip}: see `relaytrace lookup {ip}`, or give one with --add-to ADDRESS)"
            )),
            other => CliError::Usage(other.to_string()),
        })?;
    if let Some(note) = &built.note {
        eprintln!("relaytrace: note: {note}");
    }
    for c in &built.changes {
        eprintln!("relaytrace: redacted line {}: {}", c.line, c.after);
    }
    out.write_all(&built.bytes).map_err(|e| write_err(&e))?;
    out.flush().map_err(|e| write_err(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            Target::parse("192.0.2.1"),
            Ok(Target::Ip("192.0.2.1".parse().unwrap()))
        );
        assert_eq!(
            Target::parse("[IPv6:2001:db8::1]"),
            Ok(Target::Ip("2001:db8::1".parse().unwrap()))
        );
        assert_eq!(
            Target::parse("Example.NET."),
            Ok(Target::Domain("example.net".into()))
        );
        assert!(Target::parse("not a host").is_err());
        assert!(Target::parse("\x1b[31m").is_err());
    }
}
