//! The compose screen's state: two panels, the owner's and the ISP's complaint, each
//! with its To and Subject fields and its body in an editor widget.

use ratatui_textarea::TextArea;

use crate::compose::{self, Draft, Format, Side};
use crate::config::{Compose as ComposeConfig, Reporter};

/// Which field of a panel has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    To,
    Subject,
    Body,
}

impl Field {
    #[must_use]
    pub fn next(self) -> Field {
        match self {
            Field::To => Field::Subject,
            Field::Subject | Field::Body => Field::Body,
        }
    }
    #[must_use]
    pub fn prev(self) -> Field {
        match self {
            Field::To | Field::Subject => Field::To,
            Field::Body => Field::Subject,
        }
    }
}

/// One complaint being edited.
// Each flag is a choice of its own the user makes, or a state of the text.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone)]
pub struct Panel {
    pub side: Side,
    pub to: TextArea<'static>,
    pub subject: TextArea<'static>,
    pub body: TextArea<'static>,
    pub format: Format,
    pub quote_inline: bool,
    pub redact: bool,
    /// The relay address it was written about.
    pub about: String,
    /// The user changed its text: it no longer follows the investigation.
    pub edited: bool,
    /// Forward only the spam's header section.
    pub headers_only: bool,
    /// Why it no longer matches the investigation, when it does not.
    pub stale: Option<String>,
}

fn area(text: &str) -> TextArea<'static> {
    TextArea::new(text.split('\n').map(str::to_string).collect())
}

/// The body editor: long lines wrap at words to the panel's width (a word wider
/// than the panel at characters); the text keeps its own line breaks.
fn body_area(text: &str) -> TextArea<'static> {
    let mut a = area(text);
    a.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    a
}

impl Panel {
    pub fn from_draft(d: &Draft) -> Panel {
        Panel {
            side: d.side,
            to: area(&d.to.join(", ")),
            subject: area(&d.subject),
            body: body_area(&d.body),
            format: d.format,
            quote_inline: d.quote_inline,
            redact: d.redact,
            about: d.about.clone(),
            edited: d.edited,
            headers_only: d.headers_only,
            stale: None,
        }
    }

    /// The draft as it stands (the To field split at commas; one-line fields joined).
    pub fn draft(&self) -> Draft {
        let to = self.to.lines().join(" ");
        Draft {
            side: self.side,
            to: to
                .split([',', ';', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            subject: compose::header_text(&self.subject.lines().join(" ")),
            body: self.body.lines().join("\n"),
            format: self.format,
            quote_inline: self.quote_inline,
            redact: self.redact,
            about: self.about.clone(),
            edited: self.edited,
            headers_only: self.headers_only,
        }
    }

    pub fn field_mut(&mut self, f: Field) -> &mut TextArea<'static> {
        match f {
            Field::To => &mut self.to,
            Field::Subject => &mut self.subject,
            Field::Body => &mut self.body,
        }
    }
}

/// The compose screen.
#[derive(Debug, Clone)]
pub struct ComposeState {
    pub panels: Vec<Panel>,
    /// The focused panel (0: owner, 1: ISP).
    pub focus: usize,
    pub field: Field,
    pub editing: bool,
    /// A complaint is on its way: its log entry, written with outcome unknown if the
    /// user quits before the send ends.
    pub sending: Option<Box<crate::deliver::log::Entry>>,
    /// Earlier texts the user replaced with `W`, newest last (saved with the drafts).
    pub history: Vec<Draft>,
    /// The class the complaints were written for.
    pub class: crate::trace::entry::Class,
}

/// What the confirmation dialog shows, and exactly what Enter sends.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub panel: usize,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub bytes: std::sync::Arc<Vec<u8>>,
    /// The complaint with the spam unchanged (`binary`), sent instead where the
    /// SMTP server offers BINARYMIME and CHUNKING.
    pub binary: Option<std::sync::Arc<Vec<u8>>>,
    pub redacted: Option<usize>,
    pub encoding: &'static str,
    pub transport: String,
    /// Recipients that already got this side's complaint about this message.
    pub already: Vec<String>,
    /// The complaint names another relay than the investigation's input point now.
    pub mismatch: Option<String>,
    /// The spam is big and goes whole (`H` forwards only its header section).
    pub big: Option<String>,
    /// Recipients marked as bounced before.
    pub bounced: Vec<String>,
}

/// What composing needs that the analysis does not give.
#[derive(Debug, Clone)]
pub struct Setup {
    pub reporter: Reporter,
    pub config: ComposeConfig,
    pub owner_template: String,
    pub isp_template: String,
    /// The user's templates for the other classes (`[compose] templates_dir`).
    pub templates: std::collections::HashMap<(crate::trace::entry::Class, Side), String>,
    /// The class the user chose over the analysis's (the `C` key).
    pub class_choice: Option<crate::trace::entry::Class>,
    /// The key of the message's drafts on disk.
    pub draft_key: String,
    /// Drafts restored from disk, by the relay address they are about.
    pub restored: std::collections::HashMap<String, Vec<Draft>>,
    /// The whole message, as it is forwarded.
    pub original: Option<std::sync::Arc<Vec<u8>>>,
    /// How complaints are sent, or why they cannot be.
    pub transport: Result<crate::deliver::send::Transport, String>,
    /// Mixed into every complaint's Message-ID: this process's own.
    pub id_salt: u64,
    /// What the sent log holds for this message.
    pub sent: Vec<crate::deliver::log::Entry>,
    /// The whole sent log: complaints about every message, for the history of a
    /// relay.
    pub history: Vec<crate::deliver::log::Entry>,
    /// Addresses the user marked as bounced (in `L`): flagged wherever offered.
    pub bounced: std::collections::BTreeSet<String>,
    /// Where the sent log is.
    pub log_path: Option<std::path::PathBuf>,
    /// The port the open-relay test connects to (`[network] relay_test_port`).
    pub relay_test_port: u16,
    /// Copies go to the terminal's clipboard (OSC 52, size-limited), not the
    /// system's: decided at start from `clipboard` and the display.
    pub clipboard_by_terminal: bool,
    /// `--offline`: nothing is contacted, the open-relay test included.
    pub offline: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            reporter: Reporter::default(),
            config: ComposeConfig::default(),
            owner_template: String::new(),
            isp_template: String::new(),
            templates: std::collections::HashMap::new(),
            class_choice: None,
            draft_key: String::new(),
            restored: std::collections::HashMap::new(),
            original: None,
            transport: Err("no way to send: configure [smtp] or [sendmail]".into()),
            id_salt: 0,
            sent: Vec::new(),
            history: Vec::new(),
            bounced: std::collections::BTreeSet::new(),
            log_path: None,
            relay_test_port: 25,
            clipboard_by_terminal: false,
            offline: false,
        }
    }
}

impl Setup {
    /// The template of a class and side, or why that side has nobody to write to.
    ///
    /// # Errors
    /// The reason there is no complaint on that side for the class.
    pub fn template(&self, class: crate::trace::entry::Class, side: Side) -> Result<&str, &'static str> {
        if class == crate::trace::entry::Class::OpenRelay {
            let t = match side {
                Side::Owner => &self.owner_template,
                Side::Isp => &self.isp_template,
            };
            if !t.is_empty() {
                return Ok(t);
            }
        }
        if let Some(t) = self.templates.get(&(class, side)) {
            return Ok(t);
        }
        crate::compose::builtin(class, side)
    }
}
