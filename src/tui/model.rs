//! The TUI's state. Only `update` changes it; views only read it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::lookup::Lookup;
use crate::lookup::answer::{Answer, Status};
use crate::lookup::contact::Contact;
use crate::lookup::result::{Domain, Part};
use crate::lookup::services::{Asn, Listing};
use crate::lookup::traceroute::Route;
use crate::trace::Trace;

use super::keymap::Keymap;

/// The panes shown for the selected hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Received,
    Rdns,
    Whois,
    Rdap,
    Asn,
    Contacts,
    Dnsbl,
    Traceroute,
}

impl Pane {
    pub const ALL: [Pane; 8] = [
        Pane::Received,
        Pane::Rdns,
        Pane::Whois,
        Pane::Rdap,
        Pane::Asn,
        Pane::Contacts,
        Pane::Dnsbl,
        Pane::Traceroute,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Received => "Received",
            Pane::Rdns => "rDNS",
            Pane::Whois => "whois",
            Pane::Rdap => "RDAP",
            Pane::Asn => "ASN",
            Pane::Contacts => "contacts",
            Pane::Dnsbl => "DNSBL",
            Pane::Traceroute => "traceroute",
        }
    }

    /// The title on narrow screens (the tabs fit in 80 columns).
    pub fn short_title(self) -> &'static str {
        match self {
            Pane::Received => "Rcvd",
            Pane::Traceroute => "route",
            p => p.title(),
        }
    }

    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// Where a pane's lookup stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaneState {
    /// Nothing to look up for this hop (trusted, private, no address).
    Idle(String),
    Waiting(Duration),
    Done,
    NotFound,
    RateLimited(String),
    Failed(String),
}

/// The lookups of one hop, as its parts arrive.
#[derive(Debug, Clone)]
pub struct HopLookup {
    /// The request these answers belong to; answers of an older request are dropped.
    pub req: u64,
    pub ip: IpAddr,
    pub started: Instant,
    pub finished: Option<Instant>,
    pub rdns: Option<(Vec<String>, Option<bool>, Vec<Answer>)>,
    pub domain: Option<Domain>,
    pub asn: Option<(Option<Asn>, Vec<Answer>)>,
    pub dnsbl: Option<(Vec<Listing>, Vec<Answer>)>,
    pub whois: Option<Vec<Answer>>,
    pub rdap: Option<Vec<Answer>>,
    pub traceroute: Option<Option<Route>>,
    pub done: Option<Box<Lookup>>,
}

impl HopLookup {
    pub fn new(req: u64, ip: IpAddr, now: Instant) -> HopLookup {
        HopLookup {
            req,
            ip,
            started: now,
            finished: None,
            rdns: None,
            domain: None,
            asn: None,
            dnsbl: None,
            whois: None,
            rdap: None,
            traceroute: None,
            done: None,
        }
    }

    /// Takes one part.
    pub fn apply(&mut self, part: Part) {
        match part {
            Part::Rdns {
                names,
                fcrdns,
                answers,
            } => self.rdns = Some((names, fcrdns, answers)),
            Part::Domain(d) => self.domain = Some(d),
            Part::Asn { asn, answers } => self.asn = Some((asn, answers)),
            Part::Dnsbl { listings, answers } => self.dnsbl = Some((listings, answers)),
            Part::Whois(a) => self.whois = Some(a),
            Part::Rdap(a) => self.rdap = Some(a),
            Part::Traceroute(r) => self.traceroute = Some(r),
        }
    }

    pub fn in_flight(&self) -> bool {
        self.done.is_none()
    }

    /// The answers behind a pane, once they are in.
    fn answers(&self, pane: Pane) -> Option<Vec<&Answer>> {
        Some(match pane {
            Pane::Received => return Some(Vec::new()),
            Pane::Rdns => self.rdns.as_ref()?.2.iter().collect(),
            Pane::Whois => self.whois.as_ref()?.iter().collect(),
            Pane::Rdap => {
                // The address's own query first, the bootstrap step after it.
                let mut a: Vec<&Answer> = self.rdap.as_ref()?.iter().collect();
                a.sort_by_key(|x| is_bootstrap(x));
                a
            }
            Pane::Asn => self.asn.as_ref()?.1.iter().collect(),
            Pane::Dnsbl => self.dnsbl.as_ref()?.1.iter().collect(),
            Pane::Traceroute => match self.traceroute.as_ref()? {
                Some(r) => vec![&r.answer],
                None => Vec::new(),
            },
            Pane::Contacts => self.done.as_ref()?.answers.iter().collect(),
        })
    }

    /// The state of a pane at `now`.
    pub fn state(&self, pane: Pane, now: Instant) -> PaneState {
        let Some(answers) = self.answers(pane) else {
            return PaneState::Waiting(now.saturating_duration_since(self.started));
        };
        if pane == Pane::Traceroute && self.traceroute.as_ref().is_some_and(Option::is_none) {
            return PaneState::Idle("traceroute is switched off in the configuration".into());
        }
        if pane == Pane::Contacts {
            let done = self.done.as_deref();
            return if done.is_some_and(|d| !d.owner_contacts.is_empty() || !d.isp_contacts.is_empty()) {
                PaneState::Done
            } else {
                PaneState::NotFound
            };
        }
        // RDAP: the bootstrap file is a step; the pane tells how the address's own
        // query went (unless that query was never made).
        let answers: Vec<&Answer> = if pane == Pane::Rdap && answers.iter().any(|a| !is_bootstrap(a)) {
            answers.into_iter().filter(|a| !is_bootstrap(a)).collect()
        } else {
            answers
        };
        let first = answers.first().map(|a| a.status);
        if answers.iter().any(|a| a.status == Status::Ok) {
            return PaneState::Done;
        }
        if let Some(a) = answers.iter().find(|a| a.status == Status::RateLimited) {
            return PaneState::RateLimited(a.reason.clone().unwrap_or_default());
        }
        if let Some(a) = answers
            .iter()
            .find(|a| !matches!(a.status, Status::Ok | Status::NotFound))
        {
            return PaneState::Failed(format!(
                "{} {}: {}",
                a.status.as_str(),
                a.server,
                a.reason.clone().unwrap_or_default()
            ));
        }
        match first {
            None | Some(Status::NotFound) => PaneState::NotFound,
            Some(_) => PaneState::Done,
        }
    }

    /// Has any answer of this hop failed (what `retry` retries)?
    pub fn has_failures(&self) -> bool {
        Pane::ALL.iter().any(|p| {
            matches!(
                self.state(*p, self.started),
                PaneState::Failed(_) | PaneState::RateLimited(_)
            )
        })
    }
}

/// An RDAP bootstrap fetch (IANA's `ipv4.json` and the like), not a query about
/// the address.
fn is_bootstrap(a: &Answer) -> bool {
    let q = a.query.to_ascii_lowercase();
    ["ipv4.json", "ipv6.json", "asn.json", "dns.json"]
        .iter()
        .any(|f| q.ends_with(f))
}

/// One message of an mbox, in the picker.
#[derive(Debug, Clone)]
pub struct PickerRow {
    pub number: usize,
    pub subject: String,
    pub from: String,
    pub date: String,
}

/// Which screen is up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Choosing a message of an mbox.
    Picker,
    Hops,
    /// The two complaints, side by side.
    Compose,
}

/// The whole state.
#[derive(Debug, Clone)]
pub struct Model {
    /// Where the message was loaded from (shown in the header).
    pub source: String,
    pub trace: Trace,
    pub screen: Screen,
    pub picker: Vec<PickerRow>,
    pub picked: usize,
    pub selected: usize,
    pub pane: Pane,
    pub scroll: HashMap<(usize, Pane), u16>,
    pub lookups: HashMap<usize, HopLookup>,
    /// The user's choices, overriding the analysis.
    pub relay_choice: Option<usize>,
    pub input_choice: Option<usize>,
    pub help: bool,
    pub status: Option<String>,
    pub quit: bool,
    /// `q` was pressed while a complaint was being sent: the next `q` quits.
    pub quit_asked: bool,
    /// Said on standard error once the terminal is restored.
    pub exit_note: Option<String>,
    /// Something changed since the last frame.
    pub dirty: bool,
    pub keymap: Keymap,
    pub next_req: u64,
    pub now: Instant,
    pub color: bool,
    pub size: (u16, u16),
    /// The compose screen, once opened (kept when going back to the hops).
    pub compose: Option<super::compose::ComposeState>,
    pub setup: super::compose::Setup,
    /// Drafts edited since this moment and not yet saved.
    pub drafts_dirty: Option<Instant>,
    /// Unix time now (for the Date of a previewed complaint); set by the runtime.
    pub epoch: i64,
    /// The sent log overlay is open.
    pub sent_log: bool,
}

impl Model {
    pub fn new(source: String, trace: Trace, keymap: Keymap, color: bool, now: Instant) -> Model {
        let selected = trace.input_point.or(trace.relay).unwrap_or(0);
        Model {
            source,
            trace,
            screen: Screen::Hops,
            picker: Vec::new(),
            picked: 0,
            selected,
            pane: Pane::Received,
            scroll: HashMap::new(),
            lookups: HashMap::new(),
            relay_choice: None,
            input_choice: None,
            help: false,
            status: None,
            quit: false,
            quit_asked: false,
            exit_note: None,
            dirty: true,
            keymap,
            next_req: 1,
            now,
            color,
            size: (80, 24),
            compose: None,
            setup: super::compose::Setup::default(),
            drafts_dirty: None,
            epoch: 0,
            sent_log: false,
        }
    }

    /// The relay: the user's choice, else the analysis'.
    pub fn relay(&self) -> Option<usize> {
        self.relay_choice.or(self.trace.relay)
    }

    /// The input point: the user's choice, else the analysis'.
    pub fn input_point(&self) -> Option<usize> {
        self.input_choice.or(self.trace.input_point)
    }

    /// How the spam got in: the user's choice, else the analysis's.
    pub fn class(&self) -> crate::trace::entry::Class {
        self.setup.class_choice.unwrap_or(self.trace.entry.class)
    }

    /// The facts of a complaint about `hop`, with the class in force and the age note.
    pub fn facts(&self, hop: usize, lookup: Option<&crate::lookup::Lookup>) -> crate::compose::Facts {
        let mut f = crate::compose::facts(&self.trace, hop, lookup, &self.setup.reporter);
        f.class = self.class();
        crate::compose::age_note(
            &mut f,
            &self.trace,
            hop,
            self.epoch,
            self.setup.config.max_age_days,
        );
        f
    }

    /// The lookups in flight.
    pub fn in_flight(&self) -> usize {
        self.lookups.values().filter(|l| l.in_flight()).count()
    }

    /// Who the complaints go to: the owner's and the ISP's contacts of the input point.
    pub fn targets(&self) -> (&[Contact], &[Contact]) {
        match self
            .input_point()
            .and_then(|i| self.lookups.get(&i))
            .and_then(|l| l.done.as_deref())
        {
            Some(l) => (&l.owner_contacts, &l.isp_contacts),
            None => (&[], &[]),
        }
    }

    pub fn scroll_of(&self, pane: Pane) -> u16 {
        self.scroll.get(&(self.selected, pane)).copied().unwrap_or(0)
    }
}
