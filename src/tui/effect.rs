//! What `update` asks the runtime to do; the runtime alone spawns tasks, and their
//! results come back as messages.

use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Look `ip` up for `hop` (request `req`); `refresh` bypasses the cache.
    Lookup {
        hop: usize,
        ip: IpAddr,
        req: u64,
        refresh: bool,
    },
    /// Read the message's authentication and check it (request `req`); `site` is
    /// the site the trace used, `spf` what SPF is checked for.
    Authenticate {
        req: u64,
        whole: std::sync::Arc<Vec<u8>>,
        site: Vec<String>,
        spf: Option<crate::auth::SpfInput>,
        refresh: bool,
    },
    /// Run the open-relay test (the user agreed to exactly this plan).
    RelayTest {
        plan: Box<crate::lookup::relaytest::Plan>,
        force: bool,
    },
    /// Open message `n` of the mbox (1-based).
    Open(usize),
    /// Save the drafts of the message (atomically).
    SaveDrafts {
        key: String,
        drafts: Vec<crate::compose::Draft>,
        history: Vec<crate::compose::Draft>,
    },
    /// Write the addresses marked as bounced.
    SaveBounced(std::collections::BTreeSet<String>),
    /// Edit a panel's body in `$EDITOR`.
    Editor { panel: usize, text: String },
    /// Send these bytes (after the user confirmed them) and log it.
    Send {
        panel: usize,
        from: String,
        to: Vec<String>,
        bytes: std::sync::Arc<Vec<u8>>,
        /// The binary form, for a server that takes it (BDAT).
        binary: Option<std::sync::Arc<Vec<u8>>>,
        entry: Box<crate::deliver::log::Entry>,
    },
    /// Put text on the clipboard; `terminal_only`: by OSC 52, the system clipboard
    /// having failed.
    Copy {
        what: String,
        text: String,
        terminal_only: bool,
    },
    /// Build a complaint as text on a worker (a big spam takes seconds to quote),
    /// then copy it: the result comes back as [`super::msg::Msg::Copied`].
    CopyComplaint {
        what: String,
        job: Box<crate::compose::Job>,
    },
    /// Append this entry to the sent log now (the program is about to end).
    Log(Box<crate::deliver::log::Entry>),
}
