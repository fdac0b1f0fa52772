//! `update` with no terminal: key → action → effects, stale answers dropped,
//! timeouts shown as failures, the input point choice recomputing the contacts.

// A test is one scenario, read best whole (the 100-line rule is for the product).
#![allow(clippy::too_many_lines)]

use std::time::{Duration, Instant};

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::effect::Effect;
use super::keymap::Keymap;
use super::model::{AuthState, Model, Overlay, Pane, PaneState, Quit, Screen};
use super::msg::Msg;
use super::update::{start, update};
use crate::lookup::Lookup;
use crate::lookup::answer::{Answer, Status};
use crate::lookup::attribute::Attribution;
use crate::lookup::contact::{Confidence, Contact, Source, Tier};
use crate::lookup::result::Part;
use crate::message::Reader;
use crate::trace::{Options, Site, analyse};

pub(crate) const SAMPLE: &[u8] = include_bytes!("../../assets/samples/sa20021010-0031.eml");

pub(crate) fn model() -> Model {
    let msg = Reader::new(SAMPLE).next().unwrap().unwrap();
    let t = analyse(
        &msg,
        &Options {
            site: Site::default(),
            no_auto_site: false,
            authserv_ids: Vec::new(),
        },
    );
    Model::new("sample.eml".into(), t, Keymap::default(), true, Instant::now())
}

pub(crate) fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new_with_kind(
        c,
        KeyModifiers::NONE,
        KeyEventKind::Press,
    ))
}

pub(crate) fn answer(protocol: &str, status: Status, reason: Option<&str>) -> Answer {
    let mut a = Answer::new(protocol, "server.test", "q");
    a.status = status;
    a.reason = reason.map(str::to_string);
    a
}

pub(crate) fn contact(email: &str) -> Contact {
    Contact {
        email: email.into(),
        source: Source::Whois,
        confidence: Confidence::High,
        basis: "OrgAbuseEmail".into(),
        preselect: true,
        tier: Tier::Mailbox,
    }
}

/// The request id of the lookup started for `hop`.
fn req_of(effects: &[Effect], hop: usize) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Lookup { hop: h, req, .. } if *h == hop => Some(*req),
            _ => None,
        })
        .unwrap()
}

#[test]
fn lookups_start_for_external_hops_selected_first() {
    let mut m = model();
    assert_eq!(m.hops.selected, 2, "the input point is selected at first");
    let effects = start(&mut m, false);
    let hops: Vec<usize> = effects
        .iter()
        .map(|e| match e {
            Effect::Lookup { hop, .. } => *hop,
            _ => usize::MAX,
        })
        .collect();
    assert_eq!(hops, vec![2, 3], "external hops only, the selected first");
    assert_eq!(m.in_flight(), 2);
}

#[test]
fn keys_move_switch_panes_and_quit() {
    let mut m = model();
    assert!(update(&mut m, key(KeyCode::Char('j'))).is_empty());
    assert_eq!(m.hops.selected, 3);
    update(&mut m, key(KeyCode::Char('j')));
    assert_eq!(m.hops.selected, 3, "stays on the last hop");
    update(&mut m, key(KeyCode::Up));
    assert_eq!(m.hops.selected, 2);
    update(&mut m, key(KeyCode::Tab));
    assert_eq!(m.hops.pane, Pane::Rdns);
    update(&mut m, Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::SHIFT)));
    assert_eq!(m.hops.pane, Pane::Received);
    update(&mut m, key(KeyCode::BackTab));
    assert_eq!(m.hops.pane, Pane::Evidence);
    update(&mut m, key(KeyCode::Char('?')));
    assert!(matches!(m.overlay, Some(Overlay::Help(0))));
    // At 80x24 the help scrolls down to its last lines: every key and sign is there.
    let top = snapshots::render_screen(&m, 80, 24);
    assert!(top.contains("on the hops screen"), "{top}");
    for _ in 0..60 {
        update(&mut m, key(KeyCode::Char('j')));
    }
    assert!(
        matches!(m.overlay, Some(Overlay::Help(60))),
        "j scrolls, it does not close"
    );
    let bottom = snapshots::render_screen(&m, 80, 24);
    for needed in [
        "on the compose screen",
        "the other complaint (owner / ISP)",
        "next field",
        "tabs",
        "done",
        "waiting",
        "marks",
        "verdicts",
    ] {
        assert!(
            bottom.contains(needed) || top.contains(needed),
            "{needed}:\n{top}\n{bottom}"
        );
    }
    assert!(bottom.contains("verdicts"), "the end is reachable:\n{bottom}");
    update(&mut m, key(KeyCode::Char('q')));
    assert!(
        m.overlay.is_none() && m.quit == Quit::No,
        "any key closes the help first"
    );
    update(&mut m, key(KeyCode::Char('q')));
    assert_eq!(m.quit, Quit::Now);
}

#[test]
fn a_stale_answer_is_dropped() {
    let mut m = model();
    let first = req_of(&start(&mut m, false), 2);
    // The user refreshes hop 2: a new request replaces the first.
    m.hops.selected = 2;
    let refreshed = update(&mut m, key(KeyCode::Char('F')));
    let second = req_of(&refreshed, 2);
    assert!(matches!(refreshed[0], Effect::Lookup { refresh: true, .. }));
    assert_ne!(first, second);
    m.dirty = false;
    update(
        &mut m,
        Msg::Part {
            hop: 2,
            req: first,
            part: Box::new(Part::Whois(vec![answer("whois", Status::Ok, None)])),
        },
    );
    assert!(
        m.lookups[&2].lookup.evidence.whois.is_none(),
        "the old request's answer is not drawn"
    );
    assert!(!m.dirty);
    update(
        &mut m,
        Msg::Part {
            hop: 2,
            req: second,
            part: Box::new(Part::Whois(vec![answer("whois", Status::Ok, None)])),
        },
    );
    assert!(m.lookups[&2].lookup.evidence.whois.is_some());
    assert!(m.dirty);
}

#[test]
fn pane_states_waiting_done_failed_rate_limited() {
    let mut m = model();
    let req = req_of(&start(&mut m, false), 2);
    let later = m.now + Duration::from_millis(1500);
    assert!(
        matches!(m.lookups[&2].state(Pane::Whois, later), PaneState::Waiting(d) if d >= Duration::from_millis(1500))
    );
    let timeout = answer("whois", Status::Timeout, Some("no answer within 8 s"));
    update(
        &mut m,
        Msg::Part {
            hop: 2,
            req,
            part: Box::new(Part::Whois(vec![timeout])),
        },
    );
    match m.lookups[&2].state(Pane::Whois, later) {
        PaneState::Failed(r) => assert!(r.contains("timeout") && r.contains("8 s"), "{r}"),
        s => panic!("a timeout is a failure: {s:?}"),
    }
    let limited = answer("rdap", Status::RateLimited, Some("HTTP 429"));
    update(
        &mut m,
        Msg::Part {
            hop: 2,
            req,
            part: Box::new(Part::Rdap(vec![limited])),
        },
    );
    assert_eq!(
        m.lookups[&2].state(Pane::Rdap, later),
        PaneState::RateLimited("HTTP 429".into())
    );
    let nx = answer("dns", Status::NotFound, None);
    update(
        &mut m,
        Msg::Part {
            hop: 2,
            req,
            part: Box::new(Part::Rdns {
                names: vec![],
                fcrdns: None,
                answers: vec![nx],
            }),
        },
    );
    assert_eq!(m.lookups[&2].state(Pane::Rdns, later), PaneState::NotFound);
    assert!(m.lookups[&2].has_failures());
    // Retry asks again (a new request) once the first is done.
    let evidence = m.lookups[&2].lookup.evidence.clone();
    update(
        &mut m,
        Msg::Done {
            hop: 2,
            req,
            lookup: Box::new(Lookup::from_evidence(evidence)),
        },
    );
    let again = update(&mut m, key(KeyCode::Char('r')));
    assert_eq!(again.len(), 1);
    assert!(req_of(&again, 2) > req);
}

#[test]
fn picking_the_input_point_recomputes_the_contacts() {
    let mut m = model();
    let effects = start(&mut m, false);
    for (hop, email) in [(2, "abuse@relay-owner.test"), (3, "abuse@dsl-isp.test")] {
        let lookup = Lookup {
            attribution: Attribution {
                owner_contacts: vec![contact(email)],
                ..Attribution::default()
            },
            ..Lookup::default()
        };
        update(
            &mut m,
            Msg::Done {
                hop,
                req: req_of(&effects, hop),
                lookup: Box::new(lookup),
            },
        );
    }
    assert_eq!(m.targets().0[0].email, "abuse@relay-owner.test");
    update(&mut m, key(KeyCode::Char('j')));
    update(&mut m, key(KeyCode::Char('i')));
    assert_eq!(m.input_point(), Some(3));
    assert_eq!(
        m.targets().0[0].email,
        "abuse@dsl-isp.test",
        "owner follows the input point at once"
    );
    assert!(m.status.as_deref().unwrap().contains("your choice"));
    // Choosing the analysis' own hop again clears the override.
    update(&mut m, key(KeyCode::Char('k')));
    update(&mut m, key(KeyCode::Char('i')));
    assert_eq!(m.input_choice, None);
    assert_eq!(m.targets().0[0].email, "abuse@relay-owner.test");
    // A hop inside the site (or with a private sender) is refused, with the reason.
    update(&mut m, key(KeyCode::Char('g')));
    let asked = update(&mut m, key(KeyCode::Char('i')));
    assert!(asked.is_empty(), "{asked:?}");
    assert!(
        m.status.as_deref().unwrap().contains("cannot be the input point"),
        "{:?}",
        m.status
    );
    assert_eq!(m.input_choice, None);
    // A hop without an address cannot.
    update(&mut m, key(KeyCode::Char('j')));
    assert!(update(&mut m, key(KeyCode::Char('R'))).is_empty());
    assert!(m.status.as_deref().unwrap().contains("no sender address"));
}

#[test]
fn mouse_wheel_and_click() {
    let mut m = model();
    m.size = (80, 24);
    let a = super::view::layout::areas(m.size, m.trace.hops.len());
    let click = |row| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 10,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    update(&mut m, click(a.hops.y + 2));
    assert_eq!(m.hops.selected, 0);
    update(&mut m, click(a.hops.y + 5));
    assert_eq!(m.hops.selected, 3);
    let wheel = Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: a.pane.y + 2,
        modifiers: KeyModifiers::NONE,
    });
    update(&mut m, wheel);
    assert_eq!(m.scroll_of(m.hops.pane), 3);
    let tab = Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: a.tabs.x + 14,
        row: a.tabs.y,
        modifiers: KeyModifiers::NONE,
    });
    update(&mut m, tab);
    assert_eq!(m.hops.pane, Pane::Rdns);
}

#[test]
fn idle_ticks_do_not_redraw() {
    let mut m = model();
    m.dirty = false;
    update(&mut m, Msg::Tick);
    assert!(!m.dirty, "nothing in flight: no redraw");
    start(&mut m, false);
    m.dirty = false;
    update(&mut m, Msg::Tick);
    assert!(m.dirty, "spinners move while lookups are in flight");
}

#[test]
fn the_mbox_picker_opens_a_message() {
    let mut m = model();
    m.screen = Screen::Picker;
    m.picker.rows = (1..=3)
        .map(|n| super::model::PickerRow {
            number: n,
            subject: format!("s{n}"),
            from: String::new(),
            date: String::new(),
            entry: String::new(),
            complained: false,
            entry_ip: None,
            arrived: None,
        })
        .collect();
    update(&mut m, key(KeyCode::Down));
    assert_eq!(update(&mut m, key(KeyCode::Enter)), vec![Effect::Open(2)]);
    let msg = Reader::new(SAMPLE).next().unwrap().unwrap();
    let t = analyse(&msg, &Options::default());
    let effects = update(
        &mut m,
        Msg::Opened {
            source: "message 2 of x".into(),
            trace: Box::new(t),
            draft_key: "k".into(),
            restored: std::collections::HashMap::new(),
            original: None,
        },
    );
    assert_eq!(m.screen, Screen::Hops);
    assert!(!effects.is_empty(), "its lookups start");
    // `]` / `[` step through the mbox from the hop view (issue 13).
    let next = update(&mut m, key(KeyCode::Char(']')));
    assert!(next.contains(&Effect::Open(3)), "{next:?}");
    assert_eq!(m.picker.picked, 2);
    assert!(
        update(&mut m, key(KeyCode::Char(']'))).is_empty(),
        "no message after the last"
    );
    assert_eq!(m.status.as_deref(), Some("the last message"));
    let prev = update(&mut m, key(KeyCode::Char('[')));
    assert!(prev.contains(&Effect::Open(2)), "{prev:?}");
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.screen, Screen::Picker, "Esc goes back to the picker");
}

/// `TestBackend` snapshots of every pane in every state, at 80×24 and 160×48.
/// The RDAP tab tells how the address's own query went, not the bootstrap step
/// (issue 11), and shows that answer first.
#[test]
fn the_rdap_tab_reports_the_address_query_not_the_bootstrap() {
    let mut l = super::model::HopLookup::new(0, "192.0.2.1".parse().unwrap(), Instant::now());
    let mut boot = answer("rdap", Status::Ok, None);
    boot.query = "https://data.iana.org/rdap/ipv4.json".into();
    let mut ip = answer("rdap", Status::NotFound, Some("404"));
    ip.query = "https://rdap.arin.net/registry/ip/192.0.2.1".into();
    l.apply(Part::Rdap(vec![boot.clone(), ip]));
    let now = Instant::now();
    assert!(
        matches!(l.state(Pane::Rdap, now), PaneState::NotFound),
        "{:?}",
        l.state(Pane::Rdap, now)
    );
    // Only the bootstrap was fetched (it failed): that is what the tab says.
    let mut l = super::model::HopLookup::new(0, "192.0.2.1".parse().unwrap(), Instant::now());
    boot.status = Status::Timeout;
    l.apply(Part::Rdap(vec![boot]));
    assert!(matches!(l.state(Pane::Rdap, now), PaneState::Failed(_)));
}

mod snapshots {
    use std::time::Duration;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::lookup::attribute::{Attribution, DomainEvidence};
    use crate::lookup::result::{Domain, Network};
    use crate::lookup::services::{Asn, Listing};
    use crate::lookup::traceroute::{Route, RouteHop};
    use crate::tui::model::HopLookup;

    pub(super) fn render_screen(m: &Model, w: u16, h: u16) -> String {
        render(m, w, h)
    }

    fn render(m: &Model, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| super::super::view::draw(f, m)).unwrap();
        let buf = t.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..h {
            let mut line = String::new();
            for x in 0..w {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    fn ok(protocol: &str, server: &str, query: &str, text: &str) -> Answer {
        let mut a = answer(protocol, Status::Ok, None);
        a.server = server.into();
        a.query = query.into();
        a.text = text.into();
        a.elapsed_ms = 42;
        a
    }

    /// The selected hop's lookups with every pane in `state`.
    fn lookup_in(state: &str, base: &HopLookup) -> HopLookup {
        let mut l = base.clone();
        let fail = |p: &str| match state {
            "failed" => answer(p, Status::Timeout, Some("no answer within 8 s")),
            "rate_limited" => answer(p, Status::RateLimited, Some("%ERROR:201: access denied")),
            _ => answer(p, Status::NotFound, None),
        };
        match state {
            "waiting" => {}
            "done" => {
                l.apply(Part::Rdns {
                    names: vec!["sbsmail.saks.com.pa".into()],
                    fcrdns: Some(true),
                    answers: vec![ok(
                        "dns",
                        "system resolver",
                        "12.75.201.216.in-addr.arpa PTR",
                        "sbsmail.saks.com.pa",
                    )],
                });
                l.apply(Part::Domain(DomainEvidence {
                    info: Domain {
                        name: "saks.com.pa".into(),
                        registrar: Some("NIC Panama".into()),
                        ..Domain::default()
                    },
                    ..DomainEvidence::default()
                }));
                l.apply(Part::Asn {
                    asn: Some(Asn {
                        number: 64500,
                        name: Some("EXAMPLE-AS".into()),
                        cidr: Some("216.201.64.0/19".into()),
                        country: Some("PA".into()),
                        registry: Some("lacnic".into()),
                        peers: vec![64501, 64502],
                    }),
                    answers: vec![ok(
                        "dns",
                        "system resolver",
                        "12.75.201.216.origin.asn.cymru.com TXT",
                        "64500 | 216.201.64.0/19 | PA | lacnic",
                    )],
                });
                l.apply(Part::Dnsbl {
                    listings: vec![Listing {
                        zone: "zen.spamhaus.org".into(),
                        listed: true,
                        answer: Some("127.0.0.2".into()),
                        reason: Some("listed".into()),
                        error: false,
                    }],
                    answers: vec![ok(
                        "dns",
                        "system resolver",
                        "12.75.201.216.zen.spamhaus.org A",
                        "127.0.0.2",
                    )],
                });
                l.apply(Part::Whois(vec![ok("whois", "whois.lacnic.net", "216.201.75.12", "inetnum: 216.201.64/19\nowner: Example Cable\nabuse-c: EXA1\n\nnic-hdl: EXA1\ne-mail: abuse@example-cable.test")]));
                l.apply(Part::Rdap(vec![ok(
                    "rdap",
                    "rdap.lacnic.net",
                    "https://rdap.lacnic.net/rdap/ip/216.201.75.12",
                    "{\"handle\": \"216.201.64.0/19\"}",
                )]));
                l.apply(Part::Traceroute(Some(Route {
                    hops: vec![
                        RouteHop {
                            ttl: 1,
                            addrs: vec!["10.0.0.1".parse().unwrap()],
                            avg_ms: Some(0.4),
                        },
                        RouteHop {
                            ttl: 2,
                            addrs: vec!["216.201.75.12".parse().unwrap()],
                            avg_ms: Some(80.2),
                        },
                    ],
                    upstream_ip: Some("10.0.0.1".parse().unwrap()),
                    upstream_asn: None,
                    command: None,
                    answer: ok("traceroute", "local", "216.201.75.12", ""),
                })));
                let mut owner = contact("abuse@example-cable.test");
                owner.basis = "abuse-c: EXA1 → e-mail: abuse@example-cable.test".into();
                let mut fallback = contact("abuse@saks.com.pa");
                fallback.source = Source::Fallback;
                fallback.confidence = Confidence::Low;
                fallback.preselect = false;
                let mut isp = contact("abuse@upstream.test");
                isp.preselect = false;
                let attribution = Attribution {
                    owner: Some("Example Cable".into()),
                    isp: Some("Upstream Transit (AS64501, upstream)".into()),
                    network: Some(Network {
                        cidr: Some("216.201.64.0/19".into()),
                        name: Some("EXAMPLE-NET".into()),
                        org: Some("Example Cable".into()),
                        source: "whois".into(),
                        ..Network::default()
                    }),
                    owner_contacts: vec![owner, fallback],
                    isp_contacts: vec![isp],
                };
                let evidence = l.lookup.evidence.clone();
                l.finish(
                    Lookup {
                        evidence,
                        attribution,
                    },
                    l.started,
                );
                l.finished = None;
            }
            _ => {
                l.apply(Part::Rdns {
                    names: vec![],
                    fcrdns: None,
                    answers: vec![fail("dns")],
                });
                l.apply(Part::Asn {
                    asn: None,
                    answers: vec![fail("dns")],
                });
                l.apply(Part::Dnsbl {
                    listings: vec![],
                    answers: vec![fail("dns")],
                });
                l.apply(Part::Whois(vec![fail("whois")]));
                l.apply(Part::Rdap(vec![fail("rdap")]));
                let mut route_answer = fail("traceroute");
                if state == "failed" {
                    route_answer = answer(
                        "traceroute",
                        Status::Refused,
                        Some("traceroute needs root or CAP_NET_RAW"),
                    );
                }
                l.apply(Part::Traceroute(Some(Route {
                    hops: vec![],
                    upstream_ip: None,
                    upstream_asn: None,
                    command: (state == "failed")
                        .then(|| "sudo setcap cap_net_raw+p /usr/local/bin/relaytrace".to_string()),
                    answer: route_answer,
                })));
                let evidence = l.lookup.evidence.clone();
                l.finish(
                    Lookup {
                        evidence,
                        ..Lookup::default()
                    },
                    l.started,
                );
                l.finished = None;
            }
        }
        l
    }

    /// `y` on a pane copies the answers as the servers sent them, without the
    /// `│` gutter the pane draws (issue 13.7).
    #[test]
    fn a_copied_pane_has_no_gutter() {
        let mut m = model();
        start(&mut m, false);
        let base = m.lookups[&2].clone();
        let mut l = lookup_in("done", &base);
        l.apply(Part::Whois(vec![ok(
            "whois",
            "whois.lacnic.net",
            "216.201.75.12",
            "inetnum: 216.201.64.0/19\nowner: Example Cable",
        )]));
        m.lookups.insert(2, l);
        let text = super::super::view::panes::plain_text(&m, Pane::Whois);
        assert!(
            text.contains("\ninetnum: 216.201.64.0/19\nowner: Example Cable"),
            "{text}"
        );
        assert!(!text.contains('│'), "{text}");
        // One server is one server (issue 21).
        assert!(text.starts_with("1 server asked:"), "{text}");
    }

    /// Scrolling past the end of a pane shows its last lines, never an empty pane
    /// (issue 13.7).
    #[test]
    fn a_pane_scrolled_past_its_end_shows_its_last_lines() {
        let mut m = model();
        m.hops.scroll.insert((m.hops.selected, Pane::Received), 5000);
        let text = super::super::view::panes::plain_text(&m, Pane::Received);
        let last = text.lines().rev().find(|l| l.trim().len() > 8).unwrap().trim();
        let screen = render_screen(&m, 80, 24);
        let head: String = last.chars().take(20).collect();
        assert!(screen.contains(&head), "{head:?} not on:\n{screen}");
    }

    /// At 40 columns the hop's address is whole: it is the last thing cut
    /// (issue 13.7).
    #[test]
    fn at_40_columns_the_address_stays_whole() {
        let m = model();
        let screen = render_screen(&m, 40, 24);
        assert!(screen.contains("216.201.75.12"), "{screen}");
        assert!(screen.contains("200.161.145.252"), "{screen}");
    }

    #[test]
    fn every_pane_in_every_state() {
        for (w, h) in [(80u16, 24u16), (160, 48)] {
            for state in ["waiting", "done", "not_found", "failed", "rate_limited"] {
                let mut m = model();
                start(&mut m, false);
                let base = m.lookups[&2].clone();
                m.lookups.insert(2, lookup_in(state, &base));
                m.now = m.lookups[&2].started + Duration::from_millis(1200);
                m.size = (w, h);
                for pane in Pane::ALL {
                    if pane == Pane::Received && state != "done" {
                        continue;
                    }
                    m.hops.pane = pane;
                    insta::assert_snapshot!(
                        format!("{}_{state}_{w}x{h}", pane.title().to_lowercase()),
                        render(&m, w, h)
                    );
                }
            }
        }
    }

    #[test]
    fn idle_hop_help_and_picker() {
        let mut m = model();
        m.hops.selected = 0;
        m.hops.pane = Pane::Whois;
        insta::assert_snapshot!("idle_hop_80x24", render(&m, 80, 24));
        m.overlay = Some(Overlay::Help(0));
        insta::assert_snapshot!("help_80x24", render(&m, 80, 24));
        insta::assert_snapshot!("help_160x48", render(&m, 160, 48));
        m.overlay = None;
        m.screen = Screen::Picker;
        m.picker.rows = (1..=4)
            .map(|n| super::super::model::PickerRow {
                number: n,
                subject: format!("Cheap offer {n}"),
                from: "a@b.example".into(),
                date: "2002-08-23".into(),
                entry: format!("open relay 192.0.2.{n}"),
                complained: n == 2,
                entry_ip: None,
                arrived: None,
            })
            .collect();
        m.picker.picked = 1;
        insta::assert_snapshot!("picker_80x24", render(&m, 80, 24));
    }

    /// A row's width is the same to every terminal: emoji ZWJ sequences and
    /// variation selectors (2 columns to ratatui, up to 6 to tmux) are taken
    /// apart, wide characters fill whole cells and the border stays (issue 13.7).
    #[test]
    fn a_picker_row_with_wide_characters_keeps_its_width() {
        let mut m = model();
        m.screen = Screen::Picker;
        m.picker.rows = [
            "免費試用立即申請免費試用立即申請免費試用立即申請免費試用立即申請",
            "\u{1f381} Gift \u{2705} for you \u{2764}\u{fe0f} \u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} family deals",
        ]
        .iter()
        .enumerate()
        .map(|(n, subject)| super::super::model::PickerRow {
            number: n + 1,
            subject: (*subject).into(),
            from: "王小明 <wang@例子.example>".into(),
            date: "2002-08-23".into(),
            entry: format!("open relay 192.0.2.{n}"),
            complained: false,
            entry_ip: None,
            arrived: None,
        })
        .collect();
        for w in [80u16, 81, 97, 120] {
            let mut t = Terminal::new(TestBackend::new(w, 10)).unwrap();
            t.draw(|f| super::super::view::draw(f, &m)).unwrap();
            let buf = t.backend().buffer().clone();
            for y in 3..5 {
                let cells: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
                assert_eq!(buf[(w - 1, y)].symbol(), "│", "{w}: {cells}");
                assert!(
                    !cells.contains(['\u{200d}', '\u{fe0f}']),
                    "a joiner or selector reached a cell at {w}: {cells}"
                );
            }
        }
    }

    #[test]
    fn tiny_and_huge_terminals_do_not_break_the_layout() {
        for state in ["waiting", "done", "failed"] {
            let mut m = model();
            start(&mut m, false);
            let base = m.lookups[&2].clone();
            m.lookups.insert(2, lookup_in(state, &base));
            for (w, h) in [(1, 1), (10, 3), (20, 5), (40, 10), (400, 120)] {
                m.size = (w, h);
                for pane in Pane::ALL {
                    m.hops.pane = pane;
                    let _ = render(&m, w, h);
                    m.overlay = Some(Overlay::Help(0));
                    let _ = render(&m, w, h);
                    m.overlay = None;
                }
                // Mouse events anywhere on a tiny screen are harmless too.
                for row in 0..h {
                    let click = MouseEvent {
                        kind: MouseEventKind::Down(MouseButton::Left),
                        column: 0,
                        row,
                        modifiers: KeyModifiers::NONE,
                    };
                    update(&mut m, Msg::Mouse(click));
                }
            }
        }
    }

    #[test]
    fn hostile_text_never_reaches_a_cell_raw() {
        let mut m = model();
        start(&mut m, false);
        let mut l = m.lookups[&2].clone();
        l.apply(Part::Whois(vec![ok(
            "whois",
            "evil\x1b[2J",
            "q\x07",
            "owner: \x1b]52;c;AAAA\x07 \u{202e}evil\r\nabuse\x1b[31m",
        )]));
        m.lookups.insert(2, l);
        m.hops.pane = Pane::Whois;
        let screen = render(&m, 120, 40);
        assert!(!screen.chars().any(|c| c.is_control() && c != '\n'), "{screen}");
        assert!(!screen.contains('\u{202e}'));
        assert!(screen.contains("\\x1b"));
    }
}

mod compose_screen {
    use super::*;
    use crate::tui::compose::Field;

    fn composing() -> Model {
        let mut m = model();
        m.setup.reporter = crate::config::Reporter {
            name: "Jane".into(),
            address: "jane@example.org".into(),
            ..Default::default()
        };
        m.setup.owner_template = crate::compose::default_template(crate::compose::Side::Owner).into();
        m.setup.isp_template = crate::compose::default_template(crate::compose::Side::Isp).into();
        m.setup.draft_key = "test-key".into();
        let effects = start(&mut m, false);
        let lookup = Lookup {
            attribution: Attribution {
                owner: Some("Saks".into()),
                owner_contacts: vec![contact("abuse@saks.test")],
                isp_contacts: vec![contact("abuse@isp.test")],
                ..Attribution::default()
            },
            ..Lookup::default()
        };
        update(
            &mut m,
            Msg::Done {
                hop: 2,
                req: req_of(&effects, 2),
                lookup: Box::new(lookup),
            },
        );
        update(&mut m, key(KeyCode::Char('c')));
        m
    }

    #[test]
    fn c_opens_two_drafts_addressed_from_the_input_point() {
        let m = composing();
        assert_eq!(m.screen, Screen::Compose);
        let c = m.compose.as_ref().unwrap();
        let owner = c.panels[0].draft();
        let isp = c.panels[1].draft();
        assert_eq!(owner.to, vec!["abuse@saks.test"]);
        assert_eq!(isp.to, vec!["abuse@isp.test"]);
        assert!(owner.subject.starts_with("Open Relay - 216.201.75.12 - re: "));
        assert!(owner.body.contains("To the people who run Saks"));
        assert!(isp.body.contains("your customer Saks"));
    }

    #[test]
    fn editing_marks_the_drafts_and_they_are_saved_within_a_second() {
        let mut m = composing();
        update(&mut m, key(KeyCode::Char('e')));
        assert!(m.compose.as_ref().unwrap().editing);
        for ch in "Hello".chars() {
            assert!(
                update(&mut m, key(KeyCode::Char(ch))).is_empty(),
                "typing saves nothing at once"
            );
        }
        let since = m.drafts_dirty.expect("marked");
        // A tick before SAVE_AFTER saves nothing; one after it saves.
        m.now = since;
        assert!(update(&mut m, Msg::Tick).is_empty() || m.drafts_dirty.is_some());
        let saved = loop {
            std::thread::sleep(std::time::Duration::from_millis(50));
            let e = update(&mut m, Msg::Tick);
            if !e.is_empty() {
                break e;
            }
            assert!(
                since.elapsed() < std::time::Duration::from_secs(1),
                "saved within a second"
            );
        };
        match &saved[0] {
            Effect::SaveDrafts { key, drafts, .. } => {
                assert_eq!(key, "test-key");
                assert!(drafts[0].body.starts_with("Hello"), "{}", drafts[0].body);
            }
            e => panic!("{e:?}"),
        }
        // Esc leaves editing (and saves); keys are then actions again.
        update(&mut m, key(KeyCode::Esc));
        assert!(!m.compose.as_ref().unwrap().editing);
        update(&mut m, key(KeyCode::Tab));
        assert_eq!(m.compose.as_ref().unwrap().focus, 1);
        update(&mut m, key(KeyCode::Up));
        update(&mut m, key(KeyCode::Up));
        assert_eq!(m.compose.as_ref().unwrap().field, Field::To);
        update(&mut m, key(KeyCode::Enter));
        for ch in ", more@isp.test".chars() {
            update(&mut m, key(KeyCode::Char(ch)));
        }
        update(&mut m, key(KeyCode::Enter));
        assert!(
            !m.compose.as_ref().unwrap().editing,
            "Enter ends a one-line field"
        );
        assert_eq!(
            m.compose.as_ref().unwrap().panels[1].draft().to,
            vec!["abuse@isp.test", "more@isp.test"]
        );
    }

    #[test]
    fn restored_drafts_win_and_the_editor_round_trip() {
        let mut m = model();
        m.setup.draft_key = "k".into();
        let d = crate::compose::Draft {
            side: crate::compose::Side::Owner,
            to: vec!["kept@x.test".into()],
            subject: "kept".into(),
            body: "kept body".into(),
            format: crate::compose::Format::Eml,
            quote_inline: false,
            redact: true,
            about: "216.201.75.12".into(),
            edited: true,
            headers_only: false,
        };
        m.setup.restored.insert(
            "216.201.75.12".into(),
            vec![
                d.clone(),
                crate::compose::Draft {
                    side: crate::compose::Side::Isp,
                    ..d
                },
            ],
        );
        update(&mut m, key(KeyCode::Char('c')));
        assert_eq!(m.compose.as_ref().unwrap().panels[0].draft().body, "kept body");
        let e = update(&mut m, key(KeyCode::Char('E')));
        assert!(matches!(&e[..], [Effect::Editor { panel: 0, text }] if text == "kept body"));
        update(
            &mut m,
            Msg::Edited {
                panel: 0,
                text: Ok("from the editor".into()),
                note: None,
            },
        );
        assert_eq!(
            m.compose.as_ref().unwrap().panels[0].draft().body,
            "from the editor"
        );
        assert!(m.drafts_dirty.is_some());
        update(
            &mut m,
            Msg::Edited {
                panel: 0,
                text: Err("vi exited with 1".into()),
                note: None,
            },
        );
        assert!(m.status.as_deref().unwrap().contains("vi exited"));
        // Quitting saves at once.
        let e = update(&mut m, key(KeyCode::Char('q')));
        assert!(m.quit == Quit::Now && matches!(&e[..], [Effect::SaveDrafts { .. }]));
    }

    /// Every dialog keeps its action line down to 80x24, however much its text
    /// wraps; below that the screen says it is too small (issue 13.5).
    #[test]
    fn the_send_dialog_keeps_its_keys_at_80x24() {
        let mut m = composing();
        m.setup.original = Some(std::sync::Arc::new(SAMPLE.to_vec()));
        m.setup.transport = crate::deliver::send::Transport::from_config(
            &crate::config::parse("[smtp]\nhost = \"mail.example.org\"\n").unwrap(),
        );
        // Many earlier sends: the warning wraps over several lines.
        for i in 0..12 {
            m.setup.sent.push(crate::deliver::log::Entry {
                time: "2026-11-01T10:00:00Z".into(),
                message: "test-key".into(),
                relay_ip: "216.201.75.12".into(),
                side: crate::compose::Side::Owner,
                recipients: vec![format!("abuse{i}@saks.test"), "abuse@saks.test".into()],
                transport: "smtp".into(),
                reply: "250 ok".into(),
                subject: "s".into(),
                bytes: 1,
                outcome: crate::deliver::log::Outcome::Sent,
            });
        }
        update(&mut m, key(KeyCode::Char('s')));
        assert!(matches!(m.overlay, Some(Overlay::Confirm(_))));
        let screen = super::snapshots::render_screen(&m, 80, 24);
        assert!(screen.contains("Enter sends · Esc cancels"), "{screen}");
        let small = super::snapshots::render_screen(&m, 70, 20);
        assert!(small.contains("too small"), "{small}");
        assert!(!small.contains("Enter sends"), "{small}");
    }

    /// `L` shows the way each complaint went whole at 80 columns (issue 13.9), all
    /// complaints with Tab, and filters as one types (issue 13, history).
    #[test]
    fn the_sent_log_shows_the_way_whole_and_filters() {
        let mut m = composing();
        let entry = |message: &str, relay: &str, to: &str| crate::deliver::log::Entry {
            time: "2026-11-01T10:00:00Z".into(),
            message: message.into(),
            relay_ip: relay.into(),
            side: crate::compose::Side::Owner,
            recipients: vec![to.into()],
            transport: "smtp mail.example.org:587 (starttls)".into(),
            reply: "250 2.0.0 Ok: queued as 4F1A2B".into(),
            subject: "s".into(),
            bytes: 1,
            outcome: crate::deliver::log::Outcome::Sent,
        };
        m.setup
            .sent
            .push(entry("test-key", "216.201.75.12", "abuse@saks.test"));
        m.setup.history = vec![
            entry("test-key", "216.201.75.12", "abuse@saks.test"),
            entry("other", "198.51.100.7", "abuse@elsewhere.test"),
        ];
        update(&mut m, key(KeyCode::Char('L')));
        let screen = super::snapshots::render_screen(&m, 100, 24);
        assert!(
            screen.contains("smtp mail.example.org:587 (starttls)"),
            "{screen}"
        );
        assert_eq!(
            screen.matches("2026-11-01T10:00:00Z").count(),
            1,
            "this message's only:\n{screen}"
        );
        update(&mut m, key(KeyCode::Tab));
        let all = super::snapshots::render_screen(&m, 100, 24);
        assert_eq!(all.matches("2026-11-01T10:00:00Z").count(), 2, "{all}");
        for c in "198.51".chars() {
            update(&mut m, key(KeyCode::Char(c)));
        }
        let filtered = super::snapshots::render_screen(&m, 100, 24);
        assert_eq!(filtered.matches("2026-11-01T10:00:00Z").count(), 1, "{filtered}");
        assert!(filtered.contains("198.51.100.7"), "{filtered}");
        // A network in CIDR form finds the relays inside it.
        assert_eq!(m.sent_rows(true, "216.201.64.0/19").len(), 1);
        assert_eq!(m.sent_rows(true, "216.201.64.0/19")[0].relay_ip, "216.201.75.12");
        assert!(m.sent_rows(true, "10.0.0.0/8").is_empty());
        // Ctrl-B marks the chosen complaint's recipients as bounced (again: not).
        let e = update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Char('b'), KeyModifiers::CONTROL)),
        );
        assert!(
            m.setup.bounced.contains("abuse@elsewhere.test"),
            "{:?}",
            m.setup.bounced
        );
        assert!(matches!(&e[..], [Effect::SaveBounced(set)] if set.contains("abuse@elsewhere.test")));
        let marked = super::snapshots::render_screen(&m, 160, 24);
        assert!(marked.contains("abuse@elsewhere.test ↩"), "{marked}");
        update(&mut m, key(KeyCode::Esc));
        assert!(m.overlay.is_none());
        // Sending to a marked address says so in the dialog.
        m.setup.bounced.insert("abuse@saks.test".into());
        m.setup.original = Some(std::sync::Arc::new(SAMPLE.to_vec()));
        m.setup.transport = crate::deliver::send::Transport::from_config(
            &crate::config::parse("[smtp]\nhost = \"mail.example.org\"\n").unwrap(),
        );
        update(&mut m, key(KeyCode::Char('s')));
        let Some(Overlay::Confirm(cf)) = m.overlay.clone() else {
            panic!("the dialog")
        };
        assert_eq!(cf.bounced, vec!["abuse@saks.test".to_string()]);
    }

    #[test]
    fn an_earlier_complaint_about_the_relay_is_said() {
        let mut m = composing();
        m.setup.history.push(crate::deliver::log::Entry {
            time: "2026-11-02T09:30:00Z".into(),
            message: "another-spam".into(),
            relay_ip: "216.201.75.12".into(),
            side: crate::compose::Side::Owner,
            recipients: vec!["abuse@saks.test".into()],
            transport: "smtp".into(),
            reply: "250 ok".into(),
            subject: "s".into(),
            bytes: 1,
            outcome: crate::deliver::log::Outcome::Sent,
        });
        let compose = super::snapshots::render_screen(&m, 160, 40);
        assert!(
            compose.contains("✉ complained to abuse@saks.test about 216.201.75.12 on 2026-11-02 09:30 UTC"),
            "{compose}"
        );
        update(&mut m, key(KeyCode::Esc));
        let hops = super::snapshots::render_screen(&m, 200, 40);
        assert!(hops.contains("✉ complained to abuse@saks.test"), "{hops}");
        // This 2002 spam came before the complaint: nothing "since".
        assert!(!hops.contains("since"), "{hops}");
        // In a mailbox, its later messages from the same relay are counted.
        let told = 1_793_611_800;
        m.picker.rows = [
            ("216.201.75.12", told + 3600),
            ("216.201.75.12", told + 7200),
            ("216.201.75.12", told - 7200),
            ("192.0.2.1", told + 3600),
        ]
        .iter()
        .enumerate()
        .map(|(n, (ip, at))| super::super::model::PickerRow {
            number: n + 1,
            subject: String::new(),
            from: String::new(),
            date: String::new(),
            entry: String::new(),
            complained: false,
            entry_ip: ip.parse().ok(),
            arrived: Some(*at),
        })
        .collect();
        let hops = super::snapshots::render_screen(&m, 200, 40);
        assert!(hops.contains("09:30 UTC (2 messages since)"), "{hops}");
    }

    /// A big spam (over `[compose] big_spam_kb`) is flagged in the preview and the
    /// send dialog; `H` forwards only its header section as `text/rfc822-headers`
    /// (issue 13, big spam).
    #[test]
    fn a_big_spam_can_go_as_its_header_section() {
        let mut m = composing();
        let mut big = SAMPLE.to_vec();
        big.extend(
            std::iter::repeat_n(b'x', 100)
                .chain([b'\n'])
                .cycle()
                .take(2 << 20),
        );
        m.setup.original = Some(std::sync::Arc::new(big));
        m.setup.config.big_spam_kb = 1024;
        update(&mut m, key(KeyCode::Char('p')));
        let screen = super::snapshots::render_screen(&m, 160, 48);
        assert!(screen.contains("⚠ the spam is 2."), "{screen}");
        update(&mut m, key(KeyCode::Esc));
        update(&mut m, key(KeyCode::Char('H')));
        assert!(m.compose.as_ref().unwrap().panels[0].headers_only);
        assert!(m.big_spam().is_none(), "said no more once chosen");
        let (_, _, built) = m.complaint(None).unwrap();
        assert!(built.bytes.len() < 64 * 1024, "{} bytes", built.bytes.len());
        let text = String::from_utf8_lossy(&built.bytes);
        assert!(text.contains("Content-Type: text/rfc822-headers"), "{text}");
        assert!(
            !text.contains("Content-Type: message/rfc822"),
            "not the whole spam"
        );
        assert!(built.note.unwrap().contains("only the spam's header section"));
    }

    /// A save that failed (full or read-only disk) makes quitting ask first: the
    /// edits since are still on screen, and only a second `q` gives them up.
    #[test]
    fn quitting_after_a_failed_save_asks_first() {
        let mut m = composing();
        update(&mut m, Msg::Saved(Err("No space left on device".into())));
        assert!(m.status.as_deref().unwrap().contains("No space left"));
        let e = update(&mut m, key(KeyCode::Char('q')));
        assert_eq!(m.quit, Quit::Asked);
        assert!(e.is_empty(), "nothing done yet: {e:?}");
        assert!(m.status.as_deref().unwrap().contains("q again quits"));
        update(&mut m, key(KeyCode::Char('j')));
        assert_eq!(m.quit, Quit::No, "any other key stays");
        // A save that works again clears it: q quits at once.
        update(&mut m, Msg::Saved(Ok(())));
        update(&mut m, key(KeyCode::Char('q')));
        assert_eq!(m.quit, Quit::Now);
        let mut m = composing();
        update(&mut m, Msg::Saved(Err("Read-only file system".into())));
        update(&mut m, key(KeyCode::Char('q')));
        let e = update(&mut m, key(KeyCode::Char('q')));
        assert_eq!(m.quit, Quit::Now);
        assert!(
            matches!(&e[..], [Effect::SaveDrafts { .. }]),
            "it still tries: {e:?}"
        );
    }

    /// The preview, the send dialog and the send carry one complaint: the same
    /// bytes, size, encoding and Message-ID, for every format, line-end kind of the
    /// stored spam and transport.
    #[test]
    fn the_previewed_bytes_are_the_sent_bytes() {
        let crlf: Vec<u8> = String::from_utf8_lossy(SAMPLE).replace('\n', "\r\n").into_bytes();
        let smtp = crate::config::parse("[smtp]\nhost = \"mail.example.org\"\n").unwrap();
        let sendmail = crate::config::parse("[sendmail]\npath = \"/usr/sbin/sendmail\"\n").unwrap();
        for original in [SAMPLE.to_vec(), crlf] {
            for cfg in [&smtp, &sendmail] {
                for format in [crate::compose::Format::Eml, crate::compose::Format::Arf] {
                    let mut m = composing();
                    m.epoch = 1_700_000_000;
                    m.setup.original = Some(std::sync::Arc::new(original.clone()));
                    m.setup.transport = crate::deliver::send::Transport::from_config(cfg);
                    m.compose.as_mut().unwrap().panels[0].format = format;
                    let (_, _, preview) = m.complaint(None).unwrap();
                    let (_, _, again) = m.complaint(None).unwrap();
                    assert_eq!(preview.bytes, again.bytes, "the same every time it is built");
                    update(&mut m, key(KeyCode::Char('p')));
                    let screen = super::snapshots::render_screen(&m, 120, 40);
                    let said = format!("{} bytes", preview.bytes.len());
                    assert!(screen.contains(&said), "{said} in {screen}");
                    assert!(
                        screen.contains(&format!("Content-Transfer-Encoding: {}", preview.encoding)),
                        "{screen}"
                    );
                    update(&mut m, key(KeyCode::Esc));
                    update(&mut m, key(KeyCode::Char('s')));
                    let Some(Overlay::Confirm(confirm)) = m.overlay.clone() else {
                        panic!("the dialog")
                    };
                    assert_eq!(
                        *confirm.bytes, preview.bytes,
                        "the dialog shows the previewed bytes"
                    );
                    assert_eq!(confirm.encoding, preview.encoding);
                    let effects = update(&mut m, key(KeyCode::Enter));
                    let sent = effects
                        .iter()
                        .find_map(|e| match e {
                            Effect::Send { bytes, .. } => Some(bytes.clone()),
                            _ => None,
                        })
                        .expect("a send");
                    assert_eq!(*sent, preview.bytes, "what goes is what was previewed");
                    let id = format!("Message-ID: <{}>", preview.message_id);
                    assert!(String::from_utf8_lossy(&sent).contains(&id));
                    if cfg.smtp.is_some() {
                        // SMTP carries CRLF lines only: no bare LF in what goes.
                        assert!(
                            sent.iter()
                                .enumerate()
                                .all(|(i, &b)| b != b'\n' || (i > 0 && sent[i - 1] == b'\r')),
                            "bare LF sent over SMTP"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn toggles_and_the_preview_show_exactly_what_goes() {
        let mut m = composing();
        m.setup.original = Some(std::sync::Arc::new(SAMPLE.to_vec()));
        m.setup.reporter.redact = vec!["webmaster@efi.ie".into()];
        m.epoch = 1_700_000_000;
        update(&mut m, key(KeyCode::Char('f')));
        assert_eq!(
            m.compose.as_ref().unwrap().panels[0].format,
            crate::compose::Format::Text
        );
        update(&mut m, key(KeyCode::Char('f')));
        assert_eq!(
            m.compose.as_ref().unwrap().panels[0].format,
            crate::compose::Format::Arf
        );
        assert!(
            !m.compose.as_ref().unwrap().panels[0].redact,
            "ARF goes unredacted, as the CLI and the README say"
        );
        update(&mut m, key(KeyCode::Char('f')));
        assert!(
            m.compose.as_ref().unwrap().panels[0].redact,
            "eml is redacted again"
        );
        update(&mut m, key(KeyCode::Char('Q')));
        assert!(m.compose.as_ref().unwrap().panels[0].quote_inline);
        update(&mut m, key(KeyCode::Char('Q')));
        assert!(m.drafts_dirty.is_some(), "a toggle is an edit of the draft");
        update(&mut m, key(KeyCode::Char('p')));
        assert!(matches!(m.overlay, Some(Overlay::Preview(0))));
        let screen = super::snapshots::render_screen(&m, 120, 40);
        assert!(screen.contains("to: abuse@saks.test"), "{screen}");
        // Stored with LF: the spam goes as 7bit/8bit (canonical), never binary.
        assert!(
            screen.contains("Content-Transfer-Encoding: 8bit")
                || screen.contains("Content-Transfer-Encoding: 7bit"),
            "{screen}"
        );
        assert!(
            screen.contains("redaction: 2 line(s) change") && screen.contains("redacted@relaytrace.invalid"),
            "{screen}"
        );
        insta::assert_snapshot!("compose_preview_120x40", screen);
        update(&mut m, key(KeyCode::PageDown));
        assert!(matches!(m.overlay, Some(Overlay::Preview(20))));
        update(&mut m, key(KeyCode::Char('x')));
        assert!(m.overlay.is_none(), "any other key closes the preview");
        update(&mut m, key(KeyCode::Char('x')));
        assert!(!m.compose.as_ref().unwrap().panels[0].redact);
        update(&mut m, key(KeyCode::Char('p')));
        let screen = super::snapshots::render_screen(&m, 120, 40);
        assert!(screen.contains("redaction: off"), "{screen}");
    }

    #[test]
    fn recipients_are_picked_from_the_side_contacts() {
        let mut m = model();
        let effects = start(&mut m, false);
        let mut noc = contact("noc@owner.test");
        noc.preselect = false;
        noc.confidence = Confidence::Medium;
        let lookup = Lookup {
            attribution: Attribution {
                owner_contacts: vec![contact("abuse@owner.test"), noc],
                ..Attribution::default()
            },
            ..Lookup::default()
        };
        update(
            &mut m,
            Msg::Done {
                hop: 2,
                req: req_of(&effects, 2),
                lookup: Box::new(lookup),
            },
        );
        update(&mut m, key(KeyCode::Char('c')));
        assert_eq!(
            m.compose.as_ref().unwrap().panels[0].draft().to,
            vec!["abuse@owner.test"]
        );
        update(&mut m, key(KeyCode::Char('t')));
        assert!(matches!(m.overlay, Some(Overlay::Recipients(0))));
        // The second contact checked: To follows.
        update(&mut m, key(KeyCode::Char('j')));
        update(&mut m, key(KeyCode::Enter));
        assert_eq!(
            m.compose.as_ref().unwrap().panels[0].draft().to,
            vec!["abuse@owner.test", "noc@owner.test"]
        );
        // The first unchecked.
        update(&mut m, key(KeyCode::Char('k')));
        update(&mut m, key(KeyCode::Enter));
        assert_eq!(
            m.compose.as_ref().unwrap().panels[0].draft().to,
            vec!["noc@owner.test"]
        );
        update(&mut m, key(KeyCode::Esc));
        assert!(m.overlay.is_none());
        assert!(
            m.compose.as_ref().unwrap().panels[0].edited,
            "the user's choice is kept"
        );
    }

    #[test]
    fn recipients_arriving_late_fill_only_empty_fields() {
        let mut m = model();
        m.setup.owner_template = crate::compose::default_template(crate::compose::Side::Owner).into();
        m.setup.isp_template = crate::compose::default_template(crate::compose::Side::Isp).into();
        let effects = start(&mut m, false);
        update(&mut m, key(KeyCode::Char('c')));
        // The user types an ISP recipient before the lookups come in.
        update(&mut m, key(KeyCode::Tab));
        update(&mut m, key(KeyCode::Up));
        update(&mut m, key(KeyCode::Up));
        update(&mut m, key(KeyCode::Char('e')));
        for ch in "mine@isp.test".chars() {
            update(&mut m, key(KeyCode::Char(ch)));
        }
        update(&mut m, key(KeyCode::Enter));
        let lookup = Lookup {
            attribution: Attribution {
                owner_contacts: vec![contact("abuse@owner.test")],
                isp_contacts: vec![contact("abuse@isp.test")],
                ..Attribution::default()
            },
            ..Lookup::default()
        };
        update(
            &mut m,
            Msg::Done {
                hop: 2,
                req: req_of(&effects, 2),
                lookup: Box::new(lookup),
            },
        );
        let c = m.compose.as_ref().unwrap();
        assert_eq!(c.panels[0].draft().to, vec!["abuse@owner.test"]);
        assert_eq!(
            c.panels[1].draft().to,
            vec!["mine@isp.test"],
            "what the user typed stays"
        );
        assert!(
            m.status
                .as_deref()
                .unwrap()
                .contains("the owner complaint follows it")
        );
    }

    /// Panels wrap the body at words; a long subject shows from its start with an
    /// ellipsis, also after it was edited at its end (issue 13.7).
    #[test]
    fn panels_wrap_words_and_cut_subjects_with_an_ellipsis() {
        use crate::tui::compose::Field;
        let mut m = composing();
        {
            let c = m.compose.as_mut().unwrap();
            let p = &mut c.panels[0];
            *p.field_mut(Field::Subject) = ratatui_textarea::TextArea::new(vec![format!(
                "Spam from 192.0.2.1: {} the end",
                "word ".repeat(40)
            )]);
            let body = format!("Dear abuse desk, {}finally.", "unsolicited ".repeat(30));
            *p.field_mut(Field::Body) = {
                let mut d = p.draft();
                d.body = body;
                crate::tui::compose::Panel::from_draft(&d).body
            };
            // Edited at its end: the cursor at the far right.
            c.field = Field::Subject;
            c.editing = true;
            c.panels[0].subject.move_cursor(ratatui_textarea::CursorMove::End);
        }
        let _ = super::snapshots::render_screen(&m, 80, 24);
        m.compose.as_mut().unwrap().editing = false;
        let screen = super::snapshots::render_screen(&m, 80, 24);
        let subject = screen.lines().find(|l| l.contains("Subject:")).unwrap();
        assert!(
            subject.contains("Spam from 192.0.2.1: word")
                && subject.trim_end_matches(['│', ' ']).ends_with('…'),
            "{subject}"
        );
        // Every body word is whole: no line ends inside "unsolicited".
        let body: Vec<&str> = screen
            .lines()
            .filter(|l| l.matches("unsolicited").count() >= 2)
            .collect();
        assert!(body.len() >= 2, "the body wraps:\n{screen}");
        for l in &body {
            let inner = l.trim_start_matches(['│', '┌', ' ']).trim_end_matches(['│', ' ']);
            let last = inner.split(' ').next_back().unwrap();
            assert!(
                ["unsolicited", "desk,", "finally."].contains(&last),
                "a word cut at the edge: {l:?}\n{screen}"
            );
        }
    }

    #[test]
    fn compose_snapshots() {
        let mut m = composing();
        for (w, h) in [(80u16, 24u16), (160, 48)] {
            m.size = (w, h);
            insta::assert_snapshot!(
                format!("compose_{w}x{h}"),
                super::snapshots::render_screen(&m, w, h)
            );
        }
        update(&mut m, key(KeyCode::Char('e')));
        insta::assert_snapshot!(
            "compose_editing_120x40",
            super::snapshots::render_screen(&m, 120, 40)
        );
    }
}

/// The Evidence pane (issue 14): the message's authentication, asked for at the
/// start when its text can be read; a stale answer is dropped; the verdicts show in
/// words and reach the complaints.
#[test]
fn the_evidence_pane_shows_the_authentication_and_it_reaches_the_complaints() {
    use crate::auth::{Auth, Results, Signature, Spf, Verdict};
    let mut m = model();
    m.setup.original = Some(std::sync::Arc::new(SAMPLE.to_vec()));
    let effects = start(&mut m, false);
    let req = effects
        .iter()
        .find_map(|e| match e {
            Effect::Authenticate { req, .. } => Some(*req),
            _ => None,
        })
        .expect("asked for");
    assert!(m.in_flight() > 0);
    let auth = Auth {
        dkim: vec![
            Signature {
                domain: "hotmail.com".into(),
                selector: "s1".into(),
                algorithm: "rsa-sha256".into(),
                aligned: true,
                result: Some(Verdict::Pass),
                ..Signature::default()
            },
            Signature {
                domain: "evil.test".into(),
                selector: "x".into(),
                algorithm: "rsa-sha256".into(),
                result: Some(Verdict::Fail),
                reason: Some("body hash: the body was changed after signing".into()),
                ..Signature::default()
            },
        ],
        authentication_results: vec![
            Results {
                authserv_id: "dogma.slashnull.org".into(),
                trusted: true,
                methods: vec!["dkim=pass header.d=hotmail.com".into()],
                text: "dogma.slashnull.org; dkim=pass header.d=hotmail.com".into(),
            },
            Results {
                authserv_id: "bank.test".into(),
                trusted: false,
                methods: vec!["dkim=pass".into()],
                text: "bank.test; dkim=pass".into(),
            },
        ],
        spf: Some(Spf {
            domain: "hotmail.com".into(),
            ip: "216.201.75.12".parse().unwrap(),
            result: Verdict::Fail,
            as_of: "2026-11-30".into(),
        }),
        checked: Some("2026-11-30T10:00:00Z".into()),
        ..Auth::default()
    };
    // An answer for an older request is dropped.
    update(
        &mut m,
        Msg::Auth {
            req: req + 100,
            auth: Box::new(auth.clone()),
        },
    );
    assert!(matches!(m.auth, AuthState::Checking { .. }));
    update(
        &mut m,
        Msg::Auth {
            req,
            auth: Box::new(auth),
        },
    );
    m.hops.pane = Pane::Evidence;
    let screen = snapshots::render_screen(&m, 120, 40);
    for want in [
        "DKIM d=hotmail.com s=s1 (rsa-sha256): verified on 2026-11-30 · aligned with From",
        "DKIM d=evil.test s=x (rsa-sha256): fail: body hash: the body was changed after signing",
        "Authentication-Results by dogma.slashnull.org (your site's own record): dkim=pass header.d=hotmail.com",
        "Authentication-Results by bank.test (a claim: not written by your site): dkim=pass",
        "SPF for hotmail.com from 216.201.75.12: fail (as of 2026-11-30",
        "hotmail.com signed it and the signature holds",
        "✓ evidence",
    ] {
        assert!(screen.contains(want), "{want}\n{screen}");
    }
    // The complaint's facts carry it.
    let f = m.facts(2, None);
    assert_eq!(f.dkim_verified, "d=hotmail.com (s=s1), verified on 2026-11-30");
    assert_eq!(
        f.site_results,
        "dogma.slashnull.org: dkim=pass header.d=hotmail.com"
    );
}

/// `O` under `--offline` (issue 21): refused with the reason, no dialog offered.
#[test]
fn the_relay_test_is_not_offered_offline() {
    let mut m = model();
    m.setup.reporter.address = "jane@example.org".into();
    m.setup.offline = true;
    let text = super::view::panes::plain_text(&m, Pane::Evidence);
    assert!(
        text.contains("not offered under --offline") && !text.contains("O tests whether"),
        "{text}"
    );
    assert!(update(&mut m, key(KeyCode::Char('O'))).is_empty());
    assert!(m.overlay.is_none());
    assert!(
        m.status.as_deref().unwrap().contains("--offline"),
        "{:?}",
        m.status
    );
}

/// `O` (issue 14): the consent dialog shows exactly what the open-relay test sends
/// and to whom; any other key cancels; Enter runs that plan; the verdict shows in
/// the Evidence pane and reaches the complaint.
#[test]
fn the_relay_test_asks_first_and_its_verdict_is_evidence() {
    use crate::lookup::relaytest::{RelayTest, Verdict};
    let mut m = model();
    m.setup.reporter.address = "jane@example.org".into();
    update(&mut m, key(KeyCode::Char('O')));
    let Some(Overlay::RelayTest { plan, force }) = m.overlay.clone() else {
        panic!("the dialog: {:?}", m.status)
    };
    assert!(!force);
    assert_eq!(plan.ip.to_string(), "216.201.75.12");
    assert_eq!(plan.port, 25);
    let screen = snapshots::render_screen(&m, 100, 30);
    for want in [
        "test whether 216.201.75.12 is an open relay?",
        "connect to 216.201.75.12 port 25",
        "MAIL FROM:<jane@example.org>  RCPT TO:<jane%example.org@",
        "never DATA",
        "Enter tests",
    ] {
        assert!(screen.contains(want), "{want}\n{screen}");
    }
    // Esc cancels: nothing runs.
    assert!(update(&mut m, key(KeyCode::Esc)).is_empty());
    assert!(m.overlay.is_none() && m.status.as_deref().unwrap().contains("nothing was sent"));
    // F forces, Enter runs exactly the plan shown.
    update(&mut m, key(KeyCode::Char('O')));
    update(&mut m, key(KeyCode::Char('F')));
    assert!(matches!(m.overlay, Some(Overlay::RelayTest { force: true, .. })));
    let e = update(&mut m, key(KeyCode::Enter));
    assert!(matches!(&e[..], [Effect::RelayTest { plan: p, force: true }] if **p == *plan));
    let ip = plan.ip;
    update(
        &mut m,
        Msg::RelayTested {
            ip,
            result: Ok(RelayTest {
                ip,
                port: 25,
                time: "2026-11-30T20:30:00Z".into(),
                verdict: Verdict::Open,
                accepted: Some("jane%example.org@sbsmail.saks.com.pa".into()),
                reason: "it accepted RCPT TO:<jane%example.org@sbsmail.saks.com.pa>; no DATA was sent".into(),
                transcript: vec![
                    "C: RCPT TO:<jane%example.org@sbsmail.saks.com.pa>".into(),
                    "S: 250 ok".into(),
                ],
                swaks: plan.swaks(),
            }),
        },
    );
    assert!(m.status.as_deref().unwrap().contains("open"), "{:?}", m.status);
    m.hops.pane = Pane::Evidence;
    let screen = snapshots::render_screen(&m, 120, 40);
    assert!(
        screen.contains("open-relay test of 216.201.75.12 port 25 at 2026-11-30T20:30:00Z: open"),
        "{screen}"
    );
    assert!(screen.contains("swaks --server 216.201.75.12"), "{screen}");
    let f = m.facts(2, None);
    assert!(
        f.relay_test
            .starts_with("open at 2026-11-30 20:30:00 UTC (port 25): it accepted"),
        "{}",
        f.relay_test
    );
    let body =
        crate::compose::fill(crate::compose::default_template(crate::compose::Side::Owner), &f).unwrap();
    assert!(
        body.contains("I tested the relay just now") && body.contains("S: 250 ok"),
        "{body}"
    );
}

/// A compromised account: the entry's lookup fills the provider's panel, and the
/// second panel waits for the client's hop, whose network it is addressed to
/// (with the time of the login); the hop is marked C and its contacts are the
/// ones the recipient picker offers.
#[test]
fn an_accounts_second_panel_follows_the_clients_lookup() {
    let raw = "Received: from mx1.example.org (mx1.example.org [10.0.0.5]) by mail.example.org with ESMTP id A1; Mon, 1 Jan 2024 10:00:03 +0000\r\n\
               Received: from smtp.1e100.net (smtp.1e100.net [74.125.225.229]) by mx1.example.org with ESMTP id B2; Mon, 1 Jan 2024 10:00:02 +0000\r\n\
               Received: from laptop (host.bt.example [62.239.237.1])\r\n\t(Authenticated sender: jdoe@mail.example)\r\n\tby smtp.1e100.net with ESMTPSA id C3; Mon, 1 Jan 2024 09:59:58 +0000\r\n\
               From: a@b.example\r\nSubject: cheap\r\n\r\nbody\r\n";
    let msg = Reader::new(raw.as_bytes()).next().unwrap().unwrap();
    let t = analyse(
        &msg,
        &Options {
            site: Site::parse(&["example.org"]).unwrap(),
            no_auto_site: false,
            authserv_ids: Vec::new(),
        },
    );
    assert_eq!(t.entry.class, crate::trace::entry::Class::CompromisedAccount);
    assert_eq!(t.entry.client_hop, Some(2));
    let mut m = Model::new("account.eml".into(), t, Keymap::default(), true, Instant::now());
    let effects = start(&mut m, false);
    let client_req = req_of(&effects, 2);
    let done = |hop, req, owner: &str, isp: &str| Msg::Done {
        hop,
        req,
        lookup: Box::new(Lookup {
            attribution: Attribution {
                owner_contacts: vec![contact(owner)],
                isp_contacts: vec![contact(isp)],
                ..Attribution::default()
            },
            ..Lookup::default()
        }),
    };
    update(
        &mut m,
        done(
            1,
            req_of(&effects, 1),
            "abuse@provider.test",
            "abuse@upstream.test",
        ),
    );
    let screen = snapshots::render_screen(&m, 120, 40);
    assert!(screen.contains("· account jdoe@mail.example ·"), "{screen}");
    let row = screen
        .lines()
        .find(|l| l.contains("62.239.237.1"))
        .unwrap_or_default();
    assert!(
        row.trim_end().trim_end_matches('│').trim_end().ends_with('C'),
        "the client's hop is marked: {screen}"
    );
    update(&mut m, key(KeyCode::Char('c')));
    {
        let c = m.compose.as_ref().unwrap();
        assert_eq!(c.panels[0].draft().to, vec!["abuse@provider.test"]);
        assert!(c.panels[1].draft().to.is_empty(), "never the provider's upstream");
    }
    update(
        &mut m,
        done(
            2,
            client_req,
            "abuse@client-isp.test",
            "abuse@client-upstream.test",
        ),
    );
    let c = m.compose.as_ref().unwrap();
    let isp = c.panels[1].draft();
    assert_eq!(isp.to, vec!["abuse@client-isp.test"]);
    assert!(
        isp.body
            .contains("On 2024-01-01 09:59:58 UTC, a mail client at 62.239.237.1"),
        "{}",
        isp.body
    );
    assert_eq!(c.panels[0].draft().to, vec!["abuse@provider.test"]);
    update(&mut m, key(KeyCode::Tab));
    let offered: Vec<String> = super::update::side_contacts_of(&m)
        .into_iter()
        .map(|c| c.email)
        .collect();
    assert_eq!(offered, ["abuse@client-isp.test"]);
}
