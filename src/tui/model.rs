//! The TUI's state. Only `update` changes it; views only read it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::lookup::Lookup;
use crate::lookup::answer::{Answer, Status};
use crate::lookup::attribute::{Attribution, Evidence};
use crate::lookup::contact::Contact;
use crate::lookup::result::Part;
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
    /// The message's authentication (not per hop).
    Evidence,
}

impl Pane {
    pub const ALL: [Pane; 9] = [
        Pane::Received,
        Pane::Rdns,
        Pane::Whois,
        Pane::Rdap,
        Pane::Asn,
        Pane::Contacts,
        Pane::Dnsbl,
        Pane::Traceroute,
        Pane::Evidence,
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
            Pane::Evidence => "evidence",
        }
    }

    /// The title on narrow screens (the tabs fit in 80 columns).
    pub fn short_title(self) -> &'static str {
        match self {
            Pane::Received => "Rcvd",
            Pane::Traceroute => "route",
            Pane::Evidence => "auth",
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

/// The lookups of one hop: the evidence as its parts arrive, and once all are in,
/// the owner and ISP attributed from it.
#[derive(Debug, Clone)]
pub struct HopLookup {
    /// The request these answers belong to; answers of an older request are dropped.
    pub req: u64,
    pub ip: IpAddr,
    pub started: Instant,
    pub finished: Option<Instant>,
    pub lookup: Lookup,
    /// Every part is in and `lookup.attribution` was judged from it.
    pub complete: bool,
}

impl HopLookup {
    pub fn new(req: u64, ip: IpAddr, now: Instant) -> HopLookup {
        HopLookup {
            req,
            ip,
            started: now,
            finished: None,
            lookup: Lookup {
                evidence: Evidence::new(ip),
                attribution: Attribution::default(),
            },
            complete: false,
        }
    }

    /// Takes one part.
    pub fn apply(&mut self, part: Part) {
        self.lookup.evidence.apply(part);
    }

    /// Takes the whole evidence and its attribution.
    pub fn finish(&mut self, lookup: Lookup, now: Instant) {
        self.lookup = lookup;
        self.complete = true;
        self.finished = Some(now);
    }

    /// The lookup, once complete.
    pub fn done(&self) -> Option<&Lookup> {
        self.complete.then_some(&self.lookup)
    }

    pub fn in_flight(&self) -> bool {
        !self.complete
    }

    /// The answers behind a pane, once they are in.
    fn answers(&self, pane: Pane) -> Option<Vec<&Answer>> {
        let ev = &self.lookup.evidence;
        Some(match pane {
            Pane::Received | Pane::Evidence => return Some(Vec::new()),
            Pane::Rdns => ev.rdns.as_ref()?.answers.iter().collect(),
            Pane::Whois => ev.whois.as_ref()?.iter().collect(),
            Pane::Rdap => {
                // The address's own query first, the bootstrap step after it.
                let mut a: Vec<&Answer> = ev.rdap.as_ref()?.iter().collect();
                a.sort_by_key(|x| x.is_rdap_bootstrap());
                a
            }
            Pane::Asn => ev.asn.as_ref()?.1.iter().collect(),
            Pane::Dnsbl => ev.dnsbl.as_ref()?.1.iter().collect(),
            Pane::Traceroute => match ev.traceroute.as_ref()? {
                Some(r) => vec![&r.answer],
                None => Vec::new(),
            },
            Pane::Contacts => self.done()?.answers(),
        })
    }

    /// The state of a pane at `now`.
    pub fn state(&self, pane: Pane, now: Instant) -> PaneState {
        let Some(answers) = self.answers(pane) else {
            return PaneState::Waiting(now.saturating_duration_since(self.started));
        };
        if pane == Pane::Traceroute
            && self
                .lookup
                .evidence
                .traceroute
                .as_ref()
                .is_some_and(Option::is_none)
        {
            return PaneState::Idle("traceroute is switched off in the configuration".into());
        }
        if pane == Pane::Contacts {
            return if self
                .done()
                .is_some_and(|d| !d.owner_contacts().is_empty() || !d.isp_contacts().is_empty())
            {
                PaneState::Done
            } else {
                PaneState::NotFound
            };
        }
        // RDAP: the bootstrap file is a step; the pane tells how the address's own
        // query went (unless that query was never made).
        let answers: Vec<&Answer> = if pane == Pane::Rdap && answers.iter().any(|a| !a.is_rdap_bootstrap()) {
            answers.into_iter().filter(|a| !a.is_rdap_bootstrap()).collect()
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

/// One message of an mbox, in the picker.
#[derive(Debug, Clone)]
pub struct PickerRow {
    pub number: usize,
    pub subject: String,
    pub from: String,
    pub date: String,
    /// How it got in and from where (`open relay 216.201.75.12`).
    pub entry: String,
    /// A complaint went about it, or about its entry's address.
    pub complained: bool,
    /// Its entry's address, and when it reached the site (the newest Received
    /// line's date, seconds since the epoch): for "N messages since".
    pub entry_ip: Option<std::net::IpAddr>,
    pub arrived: Option<i64>,
}

/// The picker: an mbox's messages and the one under the cursor.
#[derive(Debug, Clone, Default)]
pub struct PickerState {
    pub rows: Vec<PickerRow>,
    pub picked: usize,
}

/// The hops screen: the selected hop, the pane shown, and how far each pane of
/// each hop is scrolled.
#[derive(Debug, Clone)]
pub struct HopsState {
    pub selected: usize,
    pub pane: Pane,
    pub scroll: HashMap<(usize, Pane), u16>,
}

/// Which screen is up; each screen's state is its own struct in [`Model`] (the
/// picker's and the compose screen's outlive a switch: going back finds them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Choosing a message of an mbox.
    Picker,
    Hops,
    /// The two complaints, side by side.
    Compose,
}

/// Where quitting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quit {
    #[default]
    No,
    /// `q` was pressed while a complaint was being sent: the next `q` quits.
    Asked,
    /// The runtime ends after this frame.
    Now,
}

/// What is drawn over the screen and takes the keys until it closes.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// The keys and signs, scrolled this far.
    Help(u16),
    /// What the sent log holds: this message's complaints, or every one (`all`),
    /// those matching `filter` (typed while it is open).
    SentLog { all: bool, filter: String, row: usize },
    /// The preview of the focused complaint, scrolled this far.
    Preview(u16),
    /// The confirmation before sending: exactly what Enter sends.
    Confirm(Box<super::compose::Confirm>),
    /// The recipient picker of the focused complaint, at this row.
    Recipients(usize),
    /// The consent before the open-relay test: exactly what it sends; `force`
    /// tests again within a day.
    RelayTest {
        plan: Box<crate::lookup::relaytest::Plan>,
        force: bool,
    },
}

/// The whole state.
#[derive(Debug, Clone)]
pub struct Model {
    /// Where the message was loaded from (shown in the header).
    pub source: String,
    pub trace: Trace,
    pub screen: Screen,
    /// The picker's state (an mbox's messages), kept to go back to.
    pub picker: PickerState,
    /// The hops screen's state.
    pub hops: HopsState,
    pub lookups: HashMap<usize, HopLookup>,
    /// The user's choices, overriding the analysis.
    pub relay_choice: Option<usize>,
    pub input_choice: Option<usize>,
    /// Drawn over the screen, taking the keys.
    pub overlay: Option<Overlay>,
    pub status: Option<String>,
    pub quit: Quit,
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
    /// Why the last save of the drafts failed, until one succeeds.
    pub save_failed: Option<String>,
    /// Unix time now (for the Date of a previewed complaint); set by the runtime.
    pub epoch: i64,
    /// The message's authentication: listed, then checked.
    pub auth: AuthState,
    /// Open-relay tests by relay address: running (`None`), or done or refused.
    pub relay_tests: HashMap<IpAddr, Option<Result<crate::lookup::relaytest::RelayTest, String>>>,
}

/// The message's authentication as far as it is known.
#[derive(Debug, Clone, Default)]
pub enum AuthState {
    /// Not read yet (or the message's text cannot be read again).
    #[default]
    None,
    /// Listed; its keys and records are being fetched (request `req`).
    Checking {
        req: u64,
        auth: Box<crate::auth::Auth>,
        since: Instant,
    },
    /// Done (checked, or listed only when no network may be used).
    Done(Box<crate::auth::Auth>),
}

impl AuthState {
    pub fn auth(&self) -> Option<&crate::auth::Auth> {
        match self {
            AuthState::None => None,
            AuthState::Checking { auth, .. } | AuthState::Done(auth) => Some(auth),
        }
    }
}

impl Model {
    pub fn new(source: String, trace: Trace, keymap: Keymap, color: bool, now: Instant) -> Model {
        let selected = trace.input_point.or(trace.relay).unwrap_or(0);
        Model {
            source,
            trace,
            screen: Screen::Hops,
            picker: PickerState::default(),
            hops: HopsState {
                selected,
                pane: Pane::Received,
                scroll: HashMap::new(),
            },
            lookups: HashMap::new(),
            relay_choice: None,
            input_choice: None,
            overlay: None,
            status: None,
            quit: Quit::No,
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
            save_failed: None,
            epoch: 0,
            auth: AuthState::None,
            relay_tests: HashMap::new(),
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

    /// The lookup of the entry's submitting client (account and web classes), once
    /// in, when the complaints are about the entry's hop.
    pub fn client_lookup(&self, hop: usize) -> Option<&crate::lookup::Lookup> {
        if self.trace.entry.hop != Some(hop) {
            return None;
        }
        let client = self.trace.entry.client_hop?;
        self.lookups.get(&client).and_then(HopLookup::done)
    }

    /// The facts of a complaint about `hop`, with the class in force and the age note.
    pub fn facts(&self, hop: usize, lookup: Option<&crate::lookup::Lookup>) -> crate::compose::Facts {
        let mut f = crate::compose::facts(&self.trace, hop, lookup, &self.setup.reporter);
        if let Some(c) = self.client_lookup(hop) {
            crate::compose::add_client(&mut f, c);
        }
        if let Some(a) = self.auth.auth() {
            crate::compose::add_auth(&mut f, a);
        }
        if let Some(Some(Ok(t))) = self
            .trace
            .hops
            .get(hop)
            .and_then(|h| h.from_ip)
            .and_then(|ip| self.relay_tests.get(&ip))
        {
            crate::compose::add_relay_test(&mut f, t);
        }
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

    /// The lookups in flight (the authentication check counts as one).
    pub fn in_flight(&self) -> usize {
        self.lookups.values().filter(|l| l.in_flight()).count()
            + usize::from(matches!(self.auth, AuthState::Checking { .. }))
    }

    /// The focused complaint, built exactly as it goes, in `format` (its own when
    /// `None`): the preview, the clipboard, the send dialog and the send all take
    /// this one value. Its Message-ID and Date are the same every time it is built.
    pub fn complaint(
        &self,
        format: Option<crate::compose::Format>,
    ) -> Result<(usize, crate::compose::Draft, crate::compose::Built), String> {
        self.complaint_with(format, false)
    }

    /// The focused complaint with its spam attached unchanged (`binary`), for an
    /// SMTP server that takes BINARYMIME by BDAT: only when the usual form had to
    /// put the spam in base64 for its long lines or NULs, and the transport is SMTP.
    pub fn binary_complaint(&self) -> Option<crate::compose::Built> {
        if !matches!(self.setup.transport, Ok(crate::deliver::send::Transport::Smtp(_))) {
            return None;
        }
        let (_, _, safe) = self.complaint(None).ok()?;
        if safe.encoding != "base64" {
            return None;
        }
        let (_, _, built) = self.complaint_with(None, true).ok()?;
        (built.encoding == "binary").then_some(built)
    }

    fn complaint_with(
        &self,
        format: Option<crate::compose::Format>,
        binary: bool,
    ) -> Result<(usize, crate::compose::Draft, crate::compose::Built), String> {
        let (focus, job) = self.complaint_job(format, binary)?;
        let built = job.build().map_err(|e| e.to_string())?;
        Ok((focus, job.draft, built))
    }

    /// What building the focused complaint takes, to build it here or on a worker.
    pub fn complaint_job(
        &self,
        format: Option<crate::compose::Format>,
        binary: bool,
    ) -> Result<(usize, crate::compose::Job), String> {
        use crate::compose::{Format, Job, LineEnds};
        let c = self.compose.as_ref().ok_or("nothing composed")?;
        let p = c.panels.get(c.focus).ok_or("no complaint")?;
        let hop = self.input_point().unwrap_or(self.hops.selected);
        let lookup = self.lookups.get(&hop).and_then(HopLookup::done);
        let facts = self.facts(hop, lookup);
        let mut draft = p.draft();
        if let Some(f) = format {
            draft.format = f;
        }
        let original = self
            .setup
            .original
            .as_ref()
            .ok_or("the message's text cannot be read again")?;
        // What is sent travels as the transport carries it; text is for copying.
        let line_ends = match (&self.setup.transport, draft.format) {
            (Ok(t), Format::Eml | Format::Arf) => t.line_ends(),
            _ => LineEnds::AsStored,
        };
        let job = Job {
            salt: self.setup.id_salt
                ^ u64::try_from(self.epoch).unwrap_or(0).rotate_left(17)
                ^ (c.focus as u64 + 1),
            facts,
            draft,
            original: original.clone(),
            reporter: self.setup.reporter.clone(),
            now: self.epoch,
            line_ends,
            binary,
        };
        Ok((c.focus, job))
    }

    /// A word when the spam is big (`[compose] big_spam_kb`) and the focused
    /// complaint forwards it whole: `H` forwards only its header section.
    pub fn big_spam(&self) -> Option<String> {
        let c = self.compose.as_ref()?;
        let p = c.panels.get(c.focus)?;
        let size = self.setup.original.as_ref()?.len() as u64;
        let limit = self.setup.config.big_spam_kb.saturating_mul(1024);
        (limit > 0 && size > limit && !p.headers_only).then(|| {
            let tenths = (size * 10) >> 20;
            format!(
                "⚠ the spam is {}.{} MB: H forwards only its header section (text/rfc822-headers)",
                tenths / 10,
                tenths % 10
            )
        })
    }

    /// What the sent log says about complaints on the relay at `ip`, with the
    /// messages from it that reached the site since the last one: those of the
    /// open mailbox, or this message when it came alone.
    pub fn about_relay(&self, ip: std::net::IpAddr) -> Option<String> {
        let arrivals: Vec<i64> = if self.picker.rows.is_empty() {
            arrived(&self.trace).into_iter().collect()
        } else {
            self.picker
                .rows
                .iter()
                .filter(|r| r.entry_ip == Some(ip))
                .filter_map(|r| r.arrived)
                .collect()
        };
        crate::deliver::log::about_relay(&self.setup.history, &ip.to_string(), &arrivals)
    }

    /// The sent log's entries `L` shows, newest first: this message's or all, those
    /// matching `filter` (relay, recipient, subject or reply; a network in CIDR
    /// form matches the relays inside it).
    pub fn sent_rows(&self, all: bool, filter: &str) -> Vec<&crate::deliver::log::Entry> {
        let source = if all {
            &self.setup.history
        } else {
            &self.setup.sent
        };
        let needle = filter.to_lowercase();
        // A network (`216.201.64.0/19`) matches the relays inside it.
        let network: Option<ipnet::IpNet> = filter.trim().parse().ok();
        source
            .iter()
            .rev()
            .filter(|e| {
                needle.is_empty()
                    || network.is_some_and(|n| {
                        e.relay_ip
                            .parse::<std::net::IpAddr>()
                            .is_ok_and(|ip| n.contains(&ip))
                    })
                    || [e.relay_ip.as_str(), e.subject.as_str(), e.reply.as_str()]
                        .into_iter()
                        .chain(e.recipients.iter().map(String::as_str))
                        .any(|x| x.to_lowercase().contains(&needle))
            })
            .collect()
    }

    /// Who the complaints go to: the owner's and the ISP's contacts of the input point.
    pub fn targets(&self) -> (&[Contact], &[Contact]) {
        match self
            .input_point()
            .and_then(|i| self.lookups.get(&i))
            .and_then(HopLookup::done)
        {
            Some(l) => (l.owner_contacts(), l.isp_contacts()),
            None => (&[], &[]),
        }
    }

    pub fn scroll_of(&self, pane: Pane) -> u16 {
        self.hops
            .scroll
            .get(&(self.hops.selected, pane))
            .copied()
            .unwrap_or(0)
    }
}

/// When a message reached the site: the date of its newest dated Received line.
pub fn arrived(trace: &crate::trace::Trace) -> Option<i64> {
    trace
        .hops
        .iter()
        .find_map(|h| {
            h.date
                .as_deref()
                .and_then(crate::received::Timestamp::from_rfc3339)
        })
        .map(|t| t.epoch)
}
