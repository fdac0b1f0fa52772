//! The panes of the selected hop, each with its state: the Received line and its
//! verdict, reverse DNS, the whois chain, RDAP, ASN, contacts, DNSBL, traceroute.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{Theme, glyph, words};
use crate::lookup::answer::{Answer, Status};
use crate::lookup::attribute::Rdns;
use crate::lookup::contact::Contact;
use crate::sanitize::{clean, clean_line, clip};
use crate::tui::model::{HopLookup, Model, Pane, PaneState};

/// The state of a pane for the selected hop.
pub fn state(m: &Model, pane: Pane) -> PaneState {
    if pane == Pane::Received {
        return PaneState::Done;
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
        let label = format!(" {} {} ", glyph(&s), super::layout::tab_title(p, area.width));
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
    let Some(l) = m.lookups.get(&m.hops.selected) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match pane {
        Pane::Received => {}
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
            format!("{} servers asked, in order:", a.len()),
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
    let lines = body(m, t, m.hops.pane);
    // Not past the end: the last rows (the lines as wrapped) fill the pane at most.
    let inner_w = usize::from(area.width.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner_w)).sum();
    let visible = usize::from(area.height.saturating_sub(2));
    let max = u16::try_from(rows.saturating_sub(visible)).unwrap_or(u16::MAX);
    let scroll = m.scroll_of(m.hops.pane).min(max);
    let p = Paragraph::new(lines)
        .block(Block::default().borders(Borders::ALL).title(title))
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    f.render_widget(p, area);
}
