//! Keys are data: a keymap turns key events into actions, the help overlay is made
//! from the same table, and the configuration's `[keys]` can change any binding
//! (`input_point = "i"`, `quit = ["q", "Ctrl-c"]`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Help,
    Quit,
    Back,
    Down,
    Up,
    First,
    Last,
    NextPane,
    PrevPane,
    PageDown,
    PageUp,
    Open,
    InputPoint,
    Relay,
    Class,
    Rewrite,
    Recipients,
    Retry,
    Refresh,
    Compose,
    Edit,
    Editor,
    Preview,
    Redact,
    Format,
    Quote,
    Send,
    Copy,
    SentLog,
    NextMessage,
    PrevMessage,
    HeadersOnly,
    RelayTest,
}

impl Action {
    pub const ALL: [Action; 33] = [
        Action::Help,
        Action::Quit,
        Action::Back,
        Action::Down,
        Action::Up,
        Action::First,
        Action::Last,
        Action::NextPane,
        Action::PrevPane,
        Action::PageDown,
        Action::PageUp,
        Action::Open,
        Action::InputPoint,
        Action::Relay,
        Action::Class,
        Action::Rewrite,
        Action::Recipients,
        Action::Retry,
        Action::Refresh,
        Action::Compose,
        Action::Edit,
        Action::Editor,
        Action::Preview,
        Action::Redact,
        Action::Format,
        Action::Quote,
        Action::Send,
        Action::Copy,
        Action::SentLog,
        Action::NextMessage,
        Action::PrevMessage,
        Action::HeadersOnly,
        Action::RelayTest,
    ];

    /// The name in the configuration's `[keys]`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Help => "help",
            Action::Quit => "quit",
            Action::Back => "back",
            Action::Down => "down",
            Action::Up => "up",
            Action::First => "first",
            Action::Last => "last",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::PageDown => "page_down",
            Action::PageUp => "page_up",
            Action::Open => "open",
            Action::InputPoint => "input_point",
            Action::Relay => "relay",
            Action::Class => "class",
            Action::Rewrite => "rewrite",
            Action::Recipients => "recipients",
            Action::Retry => "retry",
            Action::Refresh => "refresh",
            Action::Compose => "compose",
            Action::Edit => "edit",
            Action::Editor => "editor",
            Action::Preview => "preview",
            Action::Redact => "redact",
            Action::Format => "format",
            Action::Quote => "quote",
            Action::Send => "send",
            Action::Copy => "copy",
            Action::SentLog => "sent_log",
            Action::NextMessage => "next_message",
            Action::PrevMessage => "prev_message",
            Action::HeadersOnly => "headers_only",
            Action::RelayTest => "relay_test",
        }
    }

    /// What it does, for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Help => "this help (j/k scroll it, any other key closes it)",
            Action::Quit => "quit",
            Action::Back => "close the overlay, or go back one view",
            Action::Down => "next hop (or message)",
            Action::Up => "previous hop (or message)",
            Action::First => "first hop",
            Action::Last => "last hop",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::PageDown => "scroll the pane down",
            Action::PageUp => "scroll the pane up",
            Action::Open => "open the chosen message",
            Action::InputPoint => "make the selected hop the input point",
            Action::Relay => "make the selected hop the relay",
            Action::Class => "choose how the spam got in (the next class; the complaints follow)",
            Action::Rewrite => {
                "compose: write the focused complaint again from the investigation (your text goes to the draft history)"
            }
            Action::Recipients => {
                "compose: pick the recipients from the side's contacts (Enter checks or unchecks one)"
            }
            Action::Retry => "retry the failed lookups of the hop",
            Action::Refresh => "look the hop up again, bypassing the cache",
            Action::Compose => "compose the complaints",
            Action::Edit => "compose: edit the focused field (Esc leaves editing)",
            Action::Editor => "compose: edit the body in $EDITOR",
            Action::Preview => "compose: preview the whole message, redactions and encoding",
            Action::Redact => "compose: redaction of your addresses in the forwarded copy on/off",
            Action::Format => "compose: format eml → text → arf",
            Action::Quote => "compose: quote the spam inline as well, on/off",
            Action::Send => "compose: send the focused complaint (asks first; Enter sends, Esc cancels)",
            Action::Copy => "copy the focused complaint (or pane) to the clipboard",
            Action::SentLog => "what was sent for this message",
            Action::NextMessage => "the next message of the mbox (the drafts are kept)",
            Action::PrevMessage => "the previous message of the mbox",
            Action::HeadersOnly => "compose: forward only the spam's header section (for a big spam), on/off",
            Action::RelayTest => "test whether the entry relay is open now (asks first; never sends DATA)",
        }
    }

    /// What the action does on the compose screen, where it differs from the hops
    /// screen's.
    pub fn in_compose(self) -> Option<&'static str> {
        Some(match self {
            Action::NextPane | Action::PrevPane => "the other complaint (owner / ISP)",
            Action::Down => "next field (To, Subject, body)",
            Action::Up => "previous field",
            Action::Back => "back to the hops (the drafts are kept)",
            Action::Copy => "copy the focused complaint, as text",
            _ => return None,
        })
    }

    fn defaults(self) -> &'static [&'static str] {
        match self {
            Action::Help => &["?"],
            Action::Quit => &["q", "Ctrl-c"],
            Action::Back => &["Esc"],
            Action::Down => &["j", "Down"],
            Action::Up => &["k", "Up"],
            Action::First => &["Home", "g"],
            Action::Last => &["End", "G"],
            Action::NextPane => &["Tab", "l", "Right"],
            Action::PrevPane => &["BackTab", "h", "Left"],
            Action::PageDown => &["PageDown", "Space"],
            Action::PageUp => &["PageUp"],
            Action::Open => &["Enter"],
            Action::InputPoint => &["i"],
            Action::Relay => &["R"],
            Action::Class => &["C"],
            Action::Rewrite => &["W"],
            Action::Recipients => &["t"],
            Action::Retry => &["r"],
            Action::Refresh => &["F"],
            Action::Compose => &["c"],
            Action::Edit => &["e"],
            Action::Editor => &["E"],
            Action::Preview => &["p"],
            Action::Redact => &["x"],
            Action::Format => &["f"],
            Action::Quote => &["Q"],
            Action::Send => &["s"],
            Action::Copy => &["y"],
            Action::SentLog => &["L"],
            Action::NextMessage => &["]"],
            Action::PrevMessage => &["["],
            Action::HeadersOnly => &["H"],
            Action::RelayTest => &["O"],
        }
    }
}

/// A key with its modifiers (Shift is folded into the character for letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    /// The key of an event, normalised (Shift+Tab is `BackTab`; Shift+letter is the
    /// capital).
    pub fn of(e: &KeyEvent) -> Key {
        let code = match e.code {
            KeyCode::Tab if e.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            c => c,
        };
        Key {
            code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
            alt: e.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Reads `q`, `Ctrl-c`, `Alt-x`, `Esc`, `Enter`, `Tab`, `BackTab`/`Shift-Tab`,
    /// `Up`, `Down`, `Left`, `Right`, `PageUp`, `PageDown`, `Home`, `End`, `Space`, `F5`.
    ///
    /// # Errors
    /// Not a key name.
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut rest = s.trim();
        let (mut ctrl, mut alt) = (false, false);
        loop {
            if let Some(r) = rest.strip_prefix("Ctrl-").or_else(|| rest.strip_prefix("C-")) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("Alt-").or_else(|| rest.strip_prefix("M-")) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "Esc" => KeyCode::Esc,
            "Enter" => KeyCode::Enter,
            "Tab" => KeyCode::Tab,
            "BackTab" | "Shift-Tab" => KeyCode::BackTab,
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "Left" => KeyCode::Left,
            "Right" => KeyCode::Right,
            "PageUp" => KeyCode::PageUp,
            "PageDown" => KeyCode::PageDown,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            "Space" => KeyCode::Char(' '),
            "Backspace" => KeyCode::Backspace,
            f if f.len() > 1 && f.starts_with('F') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().map_err(|_| format!("{s:?} is not a key"))?)
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
            _ => {
                return Err(format!(
                    "{s:?} is not a key (try q, Ctrl-c, Esc, Enter, Tab, Up, PageDown, F5)"
                ));
            }
        };
        Ok(Key { code, ctrl, alt })
    }

    /// The name as the configuration's `[keys]` takes it (`Up`, `PageDown`,
    /// `Ctrl-c`): [`Key::parse`] reads it back.
    pub fn config_name(self) -> String {
        let base = match self.code {
            KeyCode::Up => "Up".to_string(),
            KeyCode::Down => "Down".to_string(),
            KeyCode::Left => "Left".to_string(),
            KeyCode::Right => "Right".to_string(),
            KeyCode::PageUp => "PageUp".to_string(),
            KeyCode::PageDown => "PageDown".to_string(),
            KeyCode::BackTab => "BackTab".to_string(),
            _ => return self.name(),
        };
        self.with_modifiers(&base)
    }

    /// `base` after the `Ctrl-` and `Alt-` of this key.
    fn with_modifiers(self, base: &str) -> String {
        let mut s = String::new();
        if self.ctrl {
            s.push_str("Ctrl-");
        }
        if self.alt {
            s.push_str("Alt-");
        }
        s + base
    }

    /// The name shown in the help and the status line.
    pub fn name(self) -> String {
        let base = match self.code {
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "Shift-Tab".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Backspace => "Backspace".to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other:?}"),
        };
        self.with_modifiers(&base)
    }
}

/// The bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(Key, Action)>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut bindings = Vec::new();
        for a in Action::ALL {
            for k in a.defaults() {
                if let Ok(key) = Key::parse(k) {
                    bindings.push((key, a));
                }
            }
        }
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults, changed by the configuration's `[keys]` table: each named action
    /// gets exactly the keys given.
    ///
    /// # Errors
    /// An unknown action or key name, with its line in the file (`lines`).
    pub fn from_config(
        keys: Option<&toml::Value>,
        lines: &crate::config::check::Lines,
    ) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        let Some(keys) = keys else { return Ok(map) };
        let table = keys
            .as_table()
            .ok_or("[keys] must be a table of action = key or [keys]")?;
        for (name, v) in table {
            let action = Action::ALL
                .into_iter()
                .find(|a| a.name() == name)
                .ok_or_else(|| {
                    let near = Action::ALL
                        .into_iter()
                        .map(|a| (crate::config::edit_distance(a.name(), name), a.name()))
                        .min()
                        .filter(|(d, _)| *d <= 2)
                        .map(|(_, n)| format!(": did you mean {n}?"))
                        .unwrap_or_default();
                    format!(
                        "{}: no such action{near}",
                        lines.name("keys", &crate::sanitize::clip(name, 40))
                    )
                })?;
            let list: Vec<&str> = match v {
                toml::Value::String(s) => vec![s.as_str()],
                toml::Value::Array(a) => a.iter().filter_map(toml::Value::as_str).collect(),
                _ => {
                    return Err(format!(
                        "{}: give a key or a list of keys",
                        lines.name("keys", name)
                    ));
                }
            };
            let parsed = list
                .iter()
                .map(|k| Key::parse(k).map_err(|e| format!("{}: {e}", lines.name("keys", name))))
                .collect::<Result<Vec<_>, _>>()?;
            map.bindings.retain(|(k, a)| *a != action && !parsed.contains(k));
            map.bindings.extend(parsed.into_iter().map(|k| (k, action)));
        }
        Ok(map)
    }

    /// The action bound to a key event.
    pub fn action(&self, e: &KeyEvent) -> Option<Action> {
        let key = Key::of(e);
        self.bindings.iter().find(|(k, _)| *k == key).map(|(_, a)| *a)
    }

    /// The keys of an action, as shown.
    pub fn keys(&self, action: Action) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| k.name())
            .collect()
    }

    /// The keys of an action as the configuration writes them.
    pub fn config_keys(&self, action: Action) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| k.config_name())
            .collect()
    }

    /// The first key of an action (for the status line).
    pub fn first(&self, action: Action) -> String {
        self.keys(action)
            .into_iter()
            .next()
            .unwrap_or_else(|| "(unbound)".into())
    }

    /// The help overlay's rows: keys and what they do, in the table's order.
    /// The keys of the compose screen that mean something else there.
    pub fn compose_help(&self) -> Vec<(String, &'static str)> {
        Action::ALL
            .into_iter()
            .filter_map(|a| {
                let keys = self.keys(a);
                (!keys.is_empty()).then(|| a.in_compose().map(|w| (keys.join(" "), w)))?
            })
            .collect()
    }

    pub fn help(&self) -> Vec<(String, &'static str)> {
        Action::ALL
            .into_iter()
            .filter_map(|a| {
                let keys = self.keys(a);
                (!keys.is_empty()).then(|| (keys.join(" "), a.describe()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new_with_kind(code, m, KeyEventKind::Press)
    }

    #[test]
    fn defaults_and_overrides() {
        let k = Keymap::default();
        assert_eq!(
            k.action(&ev(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            k.action(&ev(KeyCode::Tab, KeyModifiers::SHIFT)),
            Some(Action::PrevPane)
        );
        assert_eq!(
            k.action(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        let cfg: toml::Value = toml::from_str("input_point = \"p\"\nquit = [\"x\", \"Ctrl-q\"]").unwrap();
        let k = Keymap::from_config(Some(&cfg), &crate::config::check::Lines::default()).unwrap();
        assert_eq!(
            k.action(&ev(KeyCode::Char('p'), KeyModifiers::NONE)),
            Some(Action::InputPoint)
        );
        assert_eq!(k.action(&ev(KeyCode::Char('i'), KeyModifiers::NONE)), None);
        assert_eq!(k.action(&ev(KeyCode::Char('q'), KeyModifiers::NONE)), None);
        assert_eq!(k.keys(Action::Quit), vec!["x", "Ctrl-q"]);
        assert!(
            k.help()
                .iter()
                .any(|(keys, what)| keys == "p" && what.contains("input point"))
        );
        let bad: toml::Value = toml::from_str("nonsense = \"z\"").unwrap();
        assert!(Keymap::from_config(Some(&bad), &crate::config::check::Lines::default()).is_err());
        let bad: toml::Value = toml::from_str("quit = \"NoSuchKey\"").unwrap();
        assert!(Keymap::from_config(Some(&bad), &crate::config::check::Lines::default()).is_err());
        let typo: toml::Value = toml::from_str("inputpoint = \"z\"").unwrap();
        assert_eq!(
            Keymap::from_config(Some(&typo), &crate::config::check::Lines::default()).unwrap_err(),
            "[keys] inputpoint: no such action: did you mean input_point?"
        );
    }

    #[test]
    fn every_binding_written_as_the_configuration_takes_it_reads_back() {
        let k = Keymap::default();
        let mut table = toml::Table::new();
        for a in Action::ALL {
            let keys = k.config_keys(a);
            assert!(!keys.is_empty(), "{} has no default key", a.name());
            table.insert(
                a.name().into(),
                toml::Value::Array(keys.into_iter().map(toml::Value::String).collect()),
            );
        }
        let back = Keymap::from_config(
            Some(&toml::Value::Table(table)),
            &crate::config::check::Lines::default(),
        )
        .unwrap();
        for a in Action::ALL {
            assert_eq!(back.keys(a), k.keys(a), "{}", a.name());
        }
    }
}
