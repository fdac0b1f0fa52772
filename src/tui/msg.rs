//! Everything that can happen to the TUI: terminal events and the results of the
//! work the runtime does for it, on one channel.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::lookup::Lookup;
use crate::lookup::result::Part;
use crate::trace::Trace;

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Time passed (sent only while lookups are in flight, for the spinners).
    Tick,
    /// One part of the lookups of `hop`, for request `req`.
    Part {
        hop: usize,
        req: u64,
        part: Box<Part>,
    },
    /// All lookups of `hop` for request `req` are done.
    Done {
        hop: usize,
        req: u64,
        lookup: Box<Lookup>,
    },
    /// The message's authentication, read and checked, for request `req`.
    Auth {
        req: u64,
        auth: Box<crate::auth::Auth>,
    },
    /// The open-relay test of `ip` ended (or was refused, and why).
    RelayTested {
        ip: std::net::IpAddr,
        result: Result<crate::lookup::relaytest::RelayTest, String>,
    },
    /// The message chosen in the picker, analysed.
    Opened {
        source: String,
        trace: Box<Trace>,
        /// Its drafts' key, and the drafts saved for it before.
        draft_key: String,
        restored: std::collections::HashMap<String, Vec<crate::compose::Draft>>,
        original: Option<std::sync::Arc<Vec<u8>>>,
    },
    /// The body came back from `$EDITOR` (or the reason it did not), with what the
    /// user should know of it (bytes that were not UTF-8, where the file is kept).
    Edited {
        panel: usize,
        text: Result<String, String>,
        note: Option<String>,
    },
    /// The drafts were saved (or why not).
    Saved(Result<(), String>),
    /// A send ended: went (or may have gone), with its log entry, or did not.
    SendDone {
        panel: usize,
        report: SendReport,
    },
    /// Text reached the clipboard (which way, how many bytes) or did not.
    Copied {
        what: String,
        result: Result<(&'static str, usize), String>,
    },
    /// The system clipboard failed and the configuration allows the terminal's.
    CopyByTerminal {
        what: String,
        text: String,
    },
}

impl Msg {
    /// What kind of message it is, for the log: never a key's character, an edited
    /// text or a complaint.
    pub fn kind(&self) -> &'static str {
        match self {
            Msg::Key(_) => "key",
            Msg::Mouse(_) => "mouse",
            Msg::Resize(..) => "resize",
            Msg::Tick => "tick",
            Msg::Part { .. } => "lookup part",
            Msg::Done { .. } => "lookup done",
            Msg::Auth { .. } => "authentication",
            Msg::RelayTested { .. } => "relay test",
            Msg::Opened { .. } => "opened",
            Msg::Edited { .. } => "edited",
            Msg::Saved(_) => "saved",
            Msg::SendDone { .. } => "send done",
            Msg::Copied { .. } => "copied",
            Msg::CopyByTerminal { .. } => "copy by terminal",
        }
    }
}

/// How a send ended, as the UI tells it.
#[derive(Debug, Clone)]
pub enum SendReport {
    /// Sent, or perhaps sent (`entry.outcome` says which): the entry, and why the
    /// sent log could not take it if it could not (it is remembered in memory then).
    Gone {
        entry: Box<crate::deliver::log::Entry>,
        unlogged: Option<String>,
    },
    /// Not sent: why.
    Refused(String),
}
