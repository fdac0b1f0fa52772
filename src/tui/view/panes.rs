//! The panes of the selected hop, each with its state: the Received line and its
//! verdict, reverse DNS, the whois chain, RDAP, ASN, contacts, DNSBL, traceroute.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{Theme, glyph, words};
use crate::lookup::answer::{Answer, Status};
use crate::lookup::attribute::Rdns;
use crate::lookup::contact::Contact;
use crate::sanitize::{clean, clean_line, clip};
use crate::tui::model::{AuthState, HopLookup, Model, Pane, PaneState};

/// The state of a pane for the selected hop.
pub fn state(m: &Model, pane: Pane) -> PaneState {
    if pane == Pane::Received {
        return PaneState::Done;
    }
    if pane == Pane::Evidence {
        return match &m.auth {
            AuthState::None => {
                PaneState::Idle("the message's text cannot be read again: nothing to check".into())
            }
            AuthState::Checking { since, .. } => PaneState::Waiting(m.now.saturating_duration_since(*since)),
            AuthState::Done(a) if crate::auth::lines(a).is_empty() => PaneState::NotFound,
            AuthState::Done(_) => PaneState::Done,
        };
    }
    match m.lookups.get(&m.hops.selected) {
        Some(l) => l.state(pane, m.now),
        None => PaneState::Idle(match m.trace.hops.get(m.hops.selected) {
            Some(h) if h.from_ip.is_none() => "this hop names no sender address: nothing to look up".into(),
            Some(h) if crate::trace::is_external(h) => {
                "below the entry: not looked up on its own (r looks it up)".into()
            }
            Some(_) => {
                "inside your site, or a private address: not looked up (press i to make it the input point)"
                    .into()
            }
            None => "no hop".into(),
        }),
    }
}

pub fn tabs(f: &mut Frame, m: &Model, t: &Theme, area: Rect) {
    let mut spans = Vec::new();
    for (i, p) in Pane::ALL.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("│"));
        }
        let s = state(m, p);
        let label = super::layout::tab_label(glyph(&s), p, area.width);
        let style = if p == m.hops.pane {
            t.selected()
        } else {
            t.state(&s)
        };
        spans.push(Span::styled(label, style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn answer_lines(out: &mut Vec<Line<'_>>, t: &Theme, answers: &[Answer], raw: bool) {
    for a in answers {
        let style = match a.status.as_str() {
            "ok" => t.ok(),
            "not_found" => t.dim(),
            "rate_limited" => t.warn(),
            _ => t.bad(),
        };
        out.push(Line::from(vec![
            Span::styled(format!("{:<12}", a.status.as_str()), style),
            Span::raw(format!(
                "{:>5} ms{} {} {} — {}",
                a.elapsed_ms,
                if a.cached { " cached" } else { "" },
                a.protocol,
                clip(&a.server, 40),
                clip(&a.query, 120)
            )),
        ]));
        if let Some(r) = &a.reason {
            out.push(Line::styled(format!("             {}", clip(r, 200)), style));
        }
        if raw {
            for line in a.text.lines() {
                out.push(Line::styled(format!("  │ {}", clean_line(line)), t.dim()));
            }
            out.push(Line::from(""));
        }
    }
}

fn contact_lines(out: &mut Vec<Line<'_>>, t: &Theme, list: &[Contact]) {
    if list.is_empty() {
        out.push(Line::styled("  (none found)", t.dim()));
    }
    for c in list {
        let source = c.source.as_str();
        let conf = c.confidence.as_str();
        out.push(Line::from(vec![
            Span::styled(if c.preselect { "  ● " } else { "  ○ " }, t.key()),
            Span::styled(format!("{:<38}", clean(&c.email)), t.key()),
            Span::raw(format!(" {source:<9} {conf:<6} ")),
            Span::styled(clip(&c.basis, 100), t.dim()),
        ]));
    }
}

fn received(m: &Model, t: &Theme) -> Vec<Line<'static>> {
    let Some(h) = m.trace.hops.get(m.hops.selected) else {
        return vec![Line::from("no hops")];
    };
    let mut out = vec![
        Line::styled(format!("Received: {}", clean_line(&h.raw)), t.title()),
        Line::from(""),
    ];
    let field = |k: &str, v: Option<String>| v.map(|v| Line::from(format!("  {k:<10} {}", clip(&v, 200))));
    out.extend(
        [
            field("HELO", h.from_helo.clone()),
            field("rDNS", h.from_rdns.clone()),
            field("address", h.from_ip.map(|i| i.to_string())),
            field("by", h.by.clone()),
            field("with", h.with.clone()),
            field("id", h.id.clone()),
            field("for", h.for_.clone()),
            field("ident", h.ident.clone()),
            field("envfrom", h.envfrom.clone()),
            field("auth", h.auth.clone()),
            field("tls", h.tls.clone()),
            field("date", h.date.clone()),
        ]
        .into_iter()
        .flatten(),
    );
    out.push(Line::from(""));
    out.push(Line::styled(
        format!("{} {}", h.handoff.symbol(), h.handoff.word()),
        t.title(),
    ));
    for r in &h.reasons {
        out.push(Line::from(format!("  - {}", clip(r, 400))));
    }
    let mut choice = |what: &str, chosen: Option<usize>, suggested: Option<usize>| {
        if chosen == Some(h.index) {
            out.push(Line::styled(
                format!(
                    "  - {what}: your choice{}",
                    suggested
                        .map(|s| format!(" (the analysis suggests hop {s})"))
                        .unwrap_or_default()
                ),
                t.warn(),
            ));
        }
    };
    choice("relay", m.relay_choice, m.trace.relay);
    choice("input point", m.input_choice, m.trace.input_point);
    out
}

fn body(m: &Model, t: &Theme, pane: Pane) -> Vec<Line<'static>> {
    if pane == Pane::Received {
        return received(m, t);
    }
    if pane == Pane::Evidence {
        return evidence(m, t);
    }
    let Some(l) = m.lookups.get(&m.hops.selected) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match pane {
        Pane::Received | Pane::Evidence => {}
        Pane::Rdns => rdns_pane(&mut out, t, l),
        Pane::Whois => whois_pane(&mut out, t, l),
        Pane::Rdap => rdap_pane(&mut out, t, l),
        Pane::Asn => asn_pane(&mut out, t, l),
        Pane::Contacts => contacts_pane(&mut out, m, t, l),
        Pane::Dnsbl => dnsbl_pane(&mut out, t, l),
        Pane::Traceroute => traceroute_pane(&mut out, t, l),
    }
    out
}

/// The message's authentication: each DKIM signature with its verdict, the ARC
/// chain, the Authentication-Results lines (the site's own, or claims), SPF and
/// DMARC as of today.
fn evidence(m: &Model, t: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    relay_test_lines(&mut out, m, t);
    let Some(a) = m.auth.auth() else {
        return out;
    };
    out.push(Line::styled(
        match (&m.auth, a.checked.as_deref()) {
            (AuthState::Checking { .. }, _) => "fetching the keys and records…".to_string(),
            (_, Some(c)) => format!(
                "checked {} UTC with the keys and records published now (a rotated key reads \"key not found\")",
                c.get(..16).unwrap_or(c).replace('T', " ")
            ),
            (_, None) => "listed only: no network (--offline)".to_string(),
        },
        t.dim(),
    ));
    let lines = crate::auth::lines(a);
    if lines.is_empty() {
        out.push(Line::from(
            "no DKIM signature, ARC seal or Authentication-Results line",
        ));
    }
    for l in lines {
        let style = if l.contains(": verified on ") || l.contains("your site's own record") {
            t.ok()
        } else if l.contains(": fail") || l.contains("a claim") {
            t.warn()
        } else {
            Style::default()
        };
        out.push(Line::styled(format!("  {}", clip(&l, 500)), style));
    }
    if let Some(s) = crate::auth::responsible(a) {
        out.push(Line::from(""));
        out.push(Line::styled(
            format!(
                "{} signed it and the signature holds: the copy is unaltered, and {} took responsibility for it",
                s.domain, s.domain
            ),
            t.title(),
        ));
    }
    out
}

/// Reverse DNS and the name's domain.
fn rdns_pane(out: &mut Vec<Line<'static>>, t: &Theme, l: &HopLookup) {
    let ev = &l.lookup.evidence;
    if let Some(Rdns {
        names,
        fcrdns,
        answers,
    }) = &ev.rdns
    {
        if names.is_empty() {
            let failed = answers
                .first()
                .is_some_and(|a| !matches!(a.status, Status::Ok | Status::NotFound));
            out.push(Line::from(if failed {
                format!("{}: reverse DNS unknown (the PTR lookup failed)", l.ip)
            } else {
                format!("{}: no PTR record", l.ip)
            }));
        }
        for n in names {
            let v = match fcrdns {
                Some(true) => Span::styled("forward-confirmed", t.ok()),
                _ => Span::styled("NOT forward-confirmed", t.bad()),
            };
            out.push(Line::from(vec![
                Span::raw(format!("{} → {}  ", l.ip, clean(n))),
                v,
            ]));
        }
        if let Some(d) = ev.domain.as_ref().map(|d| &d.info) {
            out.push(Line::from(format!(
                "domain {}; registrar {}; MX {}",
                clean(&d.name),
                clip(d.registrar.as_deref().unwrap_or("?"), 80),
                clip(&d.mx.join(", "), 120)
            )));
        }
        out.push(Line::from(""));
        answer_lines(out, t, answers, false);
    }
}

/// The whois servers asked, in order.
fn whois_pane(out: &mut Vec<Line<'static>>, t: &Theme, l: &HopLookup) {
    let ev = &l.lookup.evidence;
    if let Some(a) = &ev.whois {
        out.push(Line::styled(
            match a.len() {
                1 => "1 server asked:".to_string(),
                n => format!("{n} servers asked, in order:"),
            },
            t.title(),
        ));
        answer_lines(out, t, a, true);
    }
}

/// The RDAP answers, the address's own first.
fn rdap_pane(out: &mut Vec<Line<'static>>, t: &Theme, l: &HopLookup) {
    let ev = &l.lookup.evidence;
    if let Some(a) = &ev.rdap {
        answer_lines(out, t, a, true);
    }
}

/// The origin AS and its upstream peers.
fn asn_pane(out: &mut Vec<Line<'static>>, t: &Theme, l: &HopLookup) {
    let ev = &l.lookup.evidence;
    if let Some((asn, answers)) = &ev.asn {
        match asn {
            Some(a) => {
                out.push(Line::from(format!(
                    "AS{} {} · {} · {} · {}",
                    a.number,
                    clip(a.name.as_deref().unwrap_or("?"), 80),
                    a.cidr.as_deref().unwrap_or("?"),
                    a.country.as_deref().unwrap_or("?"),
                    a.registry.as_deref().unwrap_or("?")
                )));
                let peers: Vec<String> = a.peers.iter().map(|p| format!("AS{p}")).collect();
                out.push(Line::from(format!(
                    "upstream peers: {}",
                    if peers.is_empty() {
                        "none known".into()
                    } else {
                        peers.join(" ")
                    }
                )));
            }
            None => out.push(Line::from("no origin AS known")),
        }
        out.push(Line::from(""));
        answer_lines(out, t, answers, false);
    }
}

/// The owner and the ISP with their contacts, and who the complaints go to.
fn contacts_pane(out: &mut Vec<Line<'static>>, m: &Model, t: &Theme, l: &HopLookup) {
    if let Some(d) = l.done() {
        out.push(Line::styled(
            format!("owner: {}", clip(d.owner_name().unwrap_or("?"), 120)),
            t.title(),
        ));
        if let Some(n) = d.network() {
            out.push(Line::from(format!(
                "  network {} {} ({})",
                n.cidr.as_deref().unwrap_or("?"),
                clip(n.name.as_deref().unwrap_or(""), 60),
                n.source
            )));
        }
        if let Some(b) = d
            .attribution
            .owner
            .as_ref()
            .map(|p| p.basis.as_str())
            .filter(|b| !b.is_empty())
        {
            out.push(Line::from(format!("  why: {}", clip(b, 200))));
        }
        contact_lines(out, t, d.owner_contacts());
        out.push(Line::styled(
            format!("ISP: {}", clip(d.isp_name().unwrap_or("?"), 120)),
            t.title(),
        ));
        if let Some(b) = d
            .attribution
            .isp
            .as_ref()
            .map(|p| p.basis.as_str())
            .filter(|b| !b.is_empty())
        {
            out.push(Line::from(format!("  why: {}", clip(b, 200))));
        }
        if let Some(p) = d.network().and_then(|n| n.parent.as_ref()) {
            out.push(Line::from(format!(
                "  allocation {} {}",
                p.cidr.as_deref().unwrap_or("?"),
                clip(p.org.as_deref().unwrap_or(""), 80)
            )));
        }
        contact_lines(out, t, d.isp_contacts());
        if let Some(dom) = d.domain() {
            out.push(Line::styled(
                format!(
                    "registrar of {}: {}",
                    clean(&dom.name),
                    clip(dom.registrar.as_deref().unwrap_or("?"), 80)
                ),
                t.title(),
            ));
            contact_lines(out, t, &dom.abuse_contacts);
        }
        out.push(Line::from(""));
        out.push(Line::styled(
            "● pre-selected (from this address or its confirmed name) · ○ suggestion",
            t.dim(),
        ));
    }
    let (owner, isp) = m.targets();
    let ip = m.input_point();
    out.push(Line::from(""));
    out.push(Line::styled(
        format!(
            "complaints (input point: {}): owner → {} · ISP → {}",
            ip.map_or("none".into(), |i| format!("hop {i}")),
            owner.first().map_or("?".into(), |c| clean(&c.email).into_owned()),
            isp.first().map_or("?".into(), |c| clean(&c.email).into_owned())
        ),
        t.warn(),
    ));
}

/// The open-relay test of the input point's relay: running, its verdict with the
/// transcript and the swaks commands, or how to start it.
fn relay_test_lines(out: &mut Vec<Line<'static>>, m: &Model, t: &Theme) {
    let Some(ip) = m
        .input_point()
        .and_then(|i| m.trace.hops.get(i))
        .and_then(|h| h.from_ip)
    else {
        return;
    };
    let key = m.keymap.first(crate::tui::keymap::Action::RelayTest);
    match m.relay_tests.get(&ip) {
        None if m.setup.offline => out.push(Line::styled(
            format!("the open-relay test of {ip} needs the network: not offered under --offline"),
            t.dim(),
        )),
        None => out.push(Line::styled(
            format!("{key} tests whether {ip} is an open relay now (shows what it sends and asks first; never DATA)"),
            t.dim(),
        )),
        Some(None) => out.push(Line::styled(format!("open-relay test of {ip}: running…"), t.warn())),
        Some(Some(Err(why))) => out.push(Line::styled(
            format!("open-relay test of {ip} not run: {}", clip(why, 300)),
            t.warn(),
        )),
        Some(Some(Ok(r))) => {
            let style = match r.verdict {
                crate::lookup::relaytest::Verdict::Open => t.bad(),
                crate::lookup::relaytest::Verdict::Closed => t.ok(),
                _ => t.warn(),
            };
            out.push(Line::styled(
                format!("open-relay test of {ip} port {} at {}: {}", r.port, r.time, r.verdict.word()),
                style,
            ));
            out.push(Line::from(format!("  {}", clip(&r.reason, 400))));
            for l in &r.transcript {
                out.push(Line::styled(format!("  │ {}", clean_line(l)), t.dim()));
            }
            out.push(Line::from("  to repeat it:"));
            for c in &r.swaks {
                out.push(Line::from(format!("    {}", clean(c))));
            }
        }
    }
    out.push(Line::from(""));
}

/// The DNS blocklists.
fn dnsbl_pane(out: &mut Vec<Line<'static>>, t: &Theme, l: &HopLookup) {
    let ev = &l.lookup.evidence;
    if let Some((listings, answers)) = &ev.dnsbl {
        for b in listings {
            let (word, style) = if b.listed {
                ("LISTED", t.bad())
            } else if b.error {
                ("error", t.warn())
            } else {
                ("not listed", t.ok())
            };
            out.push(Line::from(vec![
                Span::raw(format!("{:<30} ", clip(&b.zone, 30))),
                Span::styled(format!("{word:<11}"), style),
                Span::raw(clip(
                    &format!(
                        "{} {}",
                        b.answer.as_deref().unwrap_or(""),
                        b.reason.as_deref().unwrap_or("")
                    ),
                    120,
                )),
            ]));
        }
        out.push(Line::from(""));
        answer_lines(out, t, answers, false);
    }
}

/// The path to the relay.
fn traceroute_pane(out: &mut Vec<Line<'static>>, t: &Theme, l: &HopLookup) {
    let ev = &l.lookup.evidence;
    if let Some(Some(r)) = &ev.traceroute {
        if let (Some(why), Some(cmd)) = (&r.answer.reason, &r.command) {
            out.push(Line::styled(clip(why, 200), t.warn()));
            out.push(Line::from(format!("run it yourself: {}", clean(cmd))));
        } else if let Some(why) = &r.answer.reason {
            out.push(Line::styled(clip(why, 200), t.dim()));
        }
        for h in &r.hops {
            let addrs: Vec<String> = h.addrs.iter().map(ToString::to_string).collect();
            out.push(Line::from(format!(
                "{:>2}  {:<40} {}",
                h.ttl,
                if addrs.is_empty() {
                    "*".to_string()
                } else {
                    addrs.join(" ")
                },
                h.avg_ms.map_or_else(|| "*".into(), |ms| format!("{ms:.1} ms"))
            )));
        }
        if let Some(u) = r.upstream_ip {
            out.push(Line::from(format!(
                "upstream: {u}{}",
                r.upstream_asn.map(|n| format!(" (AS{n})")).unwrap_or_default()
            )));
        }
    }
}

/// A pane's text, plain (what `y` copies).
pub fn plain_text(m: &Model, pane: Pane) -> String {
    let t = Theme::new(false);
    body(m, &t, pane)
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            // An answer's text is copied as the server sent it, without the gutter.
            match text.strip_prefix("  │ ") {
                Some(rest) => rest.to_string(),
                None => text,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn draw(f: &mut Frame, m: &Model, t: &Theme, area: Rect) {
    let st = state(m, m.hops.pane);
    let title = Line::from(vec![
        Span::styled(format!(" {} ", m.hops.pane.title()), t.title()),
        Span::styled(format!("— {} ", words(&st)), t.state(&st)),
    ]);
    // Wrapped here, with hanging indents: ratatui's wrap starts every
    // continuation at the left edge.
    let inner_w = usize::from(area.width.saturating_sub(2)).max(1);
    let lines = hanging(body(m, t, m.hops.pane), inner_w);
    // Not past the end: the last rows fill the pane at most.
    let rows = lines.len();
    let visible = usize::from(area.height.saturating_sub(2));
    let max = u16::try_from(rows.saturating_sub(visible)).unwrap_or(u16::MAX);
    let scroll = m.scroll_of(m.hops.pane).min(max);
    let p = Paragraph::new(lines)
        .block(Block::default().borders(Borders::ALL).title(title))
        .scroll((scroll, 0));
    f.render_widget(p, area);
}

/// How far a wrapped line's continuations are indented: under the text after its
/// leading spaces, gutter (`│`) and marks (`●`, `○`), past a short label such as
/// `why: `, and two more inside an answer's gutter. The gutter repeats.
fn indent_of(text: &str) -> (String, usize) {
    let lead: String = text
        .chars()
        .take_while(|c| matches!(c, ' ' | '│' | '●' | '○'))
        .map(|c| if c == '│' { '│' } else { ' ' })
        .collect();
    let rest = &text[text
        .char_indices()
        .find(|(_, c)| !matches!(c, ' ' | '│' | '●' | '○'))
        .map_or(text.len(), |(i, _)| i)..];
    let mut extra = 0;
    if let Some(colon) = rest.find(": ")
        && colon <= 14
        && rest[..colon].chars().all(|c| c.is_alphabetic() || c == ' ')
    {
        extra = rest[..colon].chars().count() + 2;
    }
    if lead.contains('│') {
        extra += 2;
    }
    let width = lead.chars().count() + extra;
    (format!("{lead}{}", " ".repeat(extra)), width)
}

/// `lines` wrapped to `width` columns at spaces (a word wider than the line at
/// characters), each continuation under the first line's text ([`indent_of`]);
/// styles kept. One output line is one row.
pub fn hanging(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthChar;
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.width() <= width {
            out.push(line);
            continue;
        }
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        let (indent, indent_w) = indent_of(&text);
        // A continuation keeps at least half the width for text.
        let (indent, indent_w) = if indent_w * 2 > width {
            (String::new(), 0)
        } else {
            (indent, indent_w)
        };
        let chars: Vec<(char, ratatui::style::Style)> = line
            .spans
            .iter()
            .flat_map(|s| {
                let st = line.style.patch(s.style);
                s.content.chars().map(move |c| (c, st))
            })
            .collect();
        let mut start = 0;
        let mut first = true;
        while start < chars.len() {
            let room = if first { width } else { width - indent_w };
            // The longest run from `start` that fits, broken after a space if any.
            let (mut end, mut used, mut space) = (start, 0, None);
            while end < chars.len() {
                let w = chars[end].0.width().unwrap_or(0);
                if used + w > room {
                    break;
                }
                used += w;
                if chars[end].0 == ' ' {
                    space = Some(end + 1);
                }
                end += 1;
            }
            if end < chars.len()
                && let Some(s) = space.filter(|&s| s > start)
            {
                end = s;
            }
            if end == start {
                end = start + 1;
            }
            let mut spans: Vec<Span<'static>> = Vec::new();
            if !first {
                spans.push(Span::styled(
                    indent.clone(),
                    line.style.patch(line.spans[0].style),
                ));
            }
            let mut run = String::new();
            let mut style = chars[start].1;
            for &(c, st) in &chars[start..end] {
                if st != style && !run.is_empty() {
                    spans.push(Span::styled(std::mem::take(&mut run), style));
                }
                style = st;
                run.push(c);
            }
            if !run.is_empty() {
                spans.push(Span::styled(run, style));
            }
            out.push(Line::from(spans));
            first = false;
            start = end;
            // A continuation does not start with the spaces it was broken at.
            while start < chars.len() && chars[start].0 == ' ' && start > 0 {
                start += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, width: usize) -> Vec<String> {
        hanging(vec![Line::from(text.to_string())], width)
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    /// Wrapped contacts, reasons and answer gutters hang under their text (issue 13.7).
    #[test]
    fn continuations_hang_under_the_text() {
        let c = rows(
            "  ● abuse@example.net  whois  high   OrgAbuseEmail of the reassigned network",
            40,
        );
        assert_eq!(c[0], "  ● abuse@example.net  whois  high   ");
        assert!(
            c[1..]
                .iter()
                .all(|r| r.starts_with("    ") && !r.starts_with("     ")),
            "{c:?}"
        );
        let why = rows(
            "  why: the most specific record is a customer assignment of the ISP",
            30,
        );
        assert!(
            why[1..].iter().all(|r| r.starts_with("       ") && r.len() <= 30),
            "{why:?}"
        );
        let gutter = rows(&format!("  │ remarks: {}", "x".repeat(50)), 30);
        assert!(gutter[1..].iter().all(|r| r.starts_with("  │   ")), "{gutter:?}");
        // Every byte of the text is still there, in order.
        let joined: String = gutter
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if i == 0 {
                    r.as_str()
                } else {
                    r[r.find('│').unwrap() + '│'.len_utf8()..].trim_start()
                }
            })
            .collect();
        assert_eq!(
            joined.replace("  │ remarks:", "").trim_start(),
            "x".repeat(50).as_str()
        );
        // Wide characters never split a row past its width.
        for r in rows("  why: 中文中文中文中文中文中文中文中文中文中文", 17) {
            assert!(unicode_width::UnicodeWidthStr::width(r.as_str()) <= 17, "{r}");
        }
        // A short line is untouched.
        assert_eq!(rows("owner: X", 40), vec!["owner: X".to_string()]);
    }
}
