//! The readable report of `hops`: a table of hops with the relay and the input point
//! marked, then the reasons. Everything from the message passes through
//! [`crate::sanitize`] first.

pub mod lookup;

use std::io::{self, Write};

use crate::sanitize::{clean, clip};
use crate::trace::{Hop, Trace, duration};

fn delay(h: &Hop) -> String {
    match h.delay_s {
        None => "-".to_string(),
        Some(d) if d < 0 => format!("-{} !", duration(d)),
        Some(d) => duration(d),
    }
}

/// Writes the report of one message.
///
/// # Errors
/// Writing fails.
pub fn write_text(out: &mut dyn Write, t: &Trace, title: Option<&str>) -> io::Result<()> {
    if let Some(title) = title {
        writeln!(out, "── {} ──", clean(title))?;
    }
    let show = |v: &Option<String>| v.as_deref().map_or_else(|| "-".to_string(), |s| clip(s, 100));
    writeln!(out, "Subject: {}", show(&t.subject))?;
    writeln!(out, "From:    {}", show(&t.from))?;
    writeln!(out, "Date:    {}", show(&t.date))?;
    writeln!(
        out,
        "Site:    {}",
        if t.site.is_empty() {
            "-".to_string()
        } else {
            clip(&t.site.join(", "), 100)
        }
    )?;
    for w in &t.warnings {
        writeln!(out, "Warning: {}", clean(w))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "  {:>3}  {:<42} {:<24} {:<32} {:>10}  verdict",
        "hop", "from", "ip", "by", "delay"
    )?;
    for h in &t.hops {
        let mut mark = String::new();
        if t.relay == Some(h.index) {
            mark.push_str("  ◄ relay");
        }
        if t.input_point == Some(h.index) {
            mark.push_str(if mark.is_empty() {
                "  ◄ input point"
            } else {
                ", input point"
            });
        }
        let ip = h.from_ip.map_or_else(|| "-".to_string(), |i| i.to_string());
        writeln!(
            out,
            "  {:>3}  {:<42} {:<24} {:<32} {:>10}  {} {}{}",
            h.index,
            clip(&h.sender(), 42),
            clip(&ip, 24),
            clip(h.by.as_deref().unwrap_or("-"), 32),
            delay(h),
            h.handoff.symbol(),
            h.handoff.word(),
            mark
        )?;
    }
    writeln!(out)?;
    match t.relay {
        Some(r) => writeln!(out, "Relay:       hop {r}, {}", describe(&t.hops[r]))?,
        None => writeln!(out, "Relay:       none: no hop came from outside your site")?,
    }
    if let Some(p) = t.input_point {
        writeln!(out, "Input point: hop {p}, {}", describe(&t.hops[p]))?;
    }
    let e = &t.entry;
    writeln!(
        out,
        "Entry:       {} ({}, confidence {})",
        e.class.words(),
        e.class.name(),
        format!("{:?}", e.confidence).to_ascii_lowercase()
    )?;
    for ev in &e.evidence {
        writeln!(out, "  - {}", crate::sanitize::clean(ev))?;
    }
    for a in &e.alternatives {
        writeln!(
            out,
            "  Or:        {} ({}): {}",
            a.class.words(),
            a.class.name(),
            crate::sanitize::clean(&a.why)
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Reasons:")?;
    for h in &t.hops {
        if h.reasons.is_empty() && h.parsed {
            continue;
        }
        writeln!(out, "  hop {}:", h.index)?;
        if !h.parsed {
            writeln!(out, "      raw: {}", clip(&h.raw, 300))?;
        }
        for r in &h.reasons {
            writeln!(out, "    - {}", clip(r, 300))?;
        }
    }
    writeln!(out)
}

/// The message's authentication, a line each (nothing when it carries none).
///
/// # Errors
/// The output cannot be written.
pub fn write_auth(out: &mut dyn Write, auth: &crate::auth::Auth) -> io::Result<()> {
    let lines = crate::auth::lines(auth);
    if lines.is_empty() {
        return Ok(());
    }
    writeln!(out, "Authentication:")?;
    for l in lines {
        writeln!(out, "  - {}", clip(&l, 400))?;
    }
    writeln!(out)
}

fn describe(h: &Hop) -> String {
    let ip = h.from_ip.map_or_else(|| "?".to_string(), |i| i.to_string());
    let name = h
        .from_rdns
        .as_deref()
        .map_or_else(|| "no reverse DNS".to_string(), |r| clip(r, 80));
    let helo = h
        .from_helo
        .as_deref()
        .map(|x| format!(", HELO {}", clip(x, 80)))
        .unwrap_or_default();
    format!(
        "{ip} ({name}{helo}), seen by {}",
        clip(h.by.as_deref().unwrap_or("?"), 80)
    )
}
