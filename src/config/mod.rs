//! The configuration file (DESIGN.md §4): TOML at
//! `$XDG_CONFIG_HOME/relaytrace/config.toml` or `--config FILE`. With no file at all,
//! everything but sending works. Sections this version does not use yet are accepted
//! and kept for the parts that will.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub mod check;
pub mod keys;
pub mod paths;

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Config {
    pub trust: Trust,
    pub input: Input,
    pub network: Network,
    pub zones: Zones,
    pub reporter: Reporter,
    pub compose: Compose,
    /// How the TUI copies: `auto`, `system` or `osc52`.
    pub clipboard: ClipboardMode,
    pub smtp: Option<Smtp>,
    pub sendmail: Option<Sendmail>,
    /// The sections read elsewhere (`[keys]`, by the TUI's keymap) and any this
    /// version does not know, kept so that a newer configuration still loads.
    #[serde(flatten, skip_serializing)]
    pub other: toml::Table,
    /// Where each key was written, for errors found after loading (`[keys]`,
    /// `[trust] hosts`).
    #[serde(skip)]
    pub lines: check::Lines,
}

/// `[input]`: how much of a message is read.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Input {
    /// The largest message read, in MiB (each of an mbox's; standard input whole):
    /// past it, an error rather than gigabytes held.
    pub max_message_mb: u64,
}

impl Default for Input {
    fn default() -> Self {
        Input {
            max_message_mb: 256, // message::MAX_MESSAGE, the readers' own default
        }
    }
}

impl Input {
    /// The limit in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_message_mb << 20
    }
}

/// `[trust]`: the user's own mail site (`SpamCop`'s "mailhosts").
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Trust {
    /// Host names, domains and CIDR networks of the user's own mail hosts.
    pub hosts: Vec<String>,
    /// The authserv-ids of the site's `Authentication-Results` lines, besides its
    /// host names (a filter's own name, say): only those lines are trusted.
    pub authserv_ids: Vec<String>,
}

/// How text reaches the clipboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClipboardMode {
    /// The system clipboard where there is a display, else OSC 52.
    #[default]
    Auto,
    /// The system clipboard (X11, Wayland) through arboard.
    System,
    /// The terminal's clipboard escape sequence (works over SSH).
    Osc52,
}

/// `[smtp]`: SMTP submission.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    /// `starttls` (587), `tls` (implicit, 465) or `none` (a local relay).
    #[serde(default = "default_security")]
    pub security: Security,
    #[serde(default)]
    pub username: Option<String>,
    /// A command that prints the password (`pass show mail/smtp`); never stored by us.
    #[serde(default)]
    pub password_command: Option<String>,
    /// A PEM file of a certificate authority to trust besides the system's (a
    /// private relay).
    #[serde(default)]
    pub ca_file: Option<std::path::PathBuf>,
    /// The whole send, connection to final answer, ends within this many seconds
    /// (each step too); past it the outcome is unknown if the message was handed over.
    #[serde(default = "default_send_timeout")]
    pub timeout_secs: f64,
    /// Let `security = "none"` log in (the password would cross the network in
    /// clear): off unless said.
    #[serde(default)]
    pub allow_plaintext_auth: bool,
    /// The password when it was asked for already (the TUI runs `password_command`
    /// in the foreground, with the terminal, before the send starts). Never in the
    /// file, never printed.
    #[serde(skip)]
    pub password: Option<Secret>,
}

/// A secret: its `Debug` shows no character of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

fn default_send_timeout() -> f64 {
    60.0
}

fn default_security() -> Security {
    Security::Starttls
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    Starttls,
    Tls,
    None,
}

/// `[sendmail]`: the local sendmail program.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(try_from = "RawSendmail", into = "RawSendmail")]
pub struct Sendmail {
    /// The program (`path = "/usr/sbin/sendmail"`, or the first word of
    /// `path = ["msmtp", "-a", "abuse"]`).
    pub path: std::path::PathBuf,
    /// Its own arguments (the rest of that list), given before relaytrace's
    /// `-i -f <from> -- <recipients>`.
    pub args: Vec<String>,
    /// sendmail must finish within this many seconds.
    pub timeout_secs: f64,
}

/// `[sendmail]` as written: `path` a program or a program with its arguments.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawSendmail {
    #[serde(default)]
    path: Option<ProgramSpec>,
    #[serde(default = "default_send_timeout")]
    timeout_secs: f64,
}

#[derive(Deserialize, Serialize)]
#[serde(untagged)]
enum ProgramSpec {
    Path(std::path::PathBuf),
    Argv(Vec<String>),
}

impl From<Sendmail> for RawSendmail {
    fn from(s: Sendmail) -> RawSendmail {
        let path = if s.args.is_empty() {
            ProgramSpec::Path(s.path)
        } else {
            let mut argv = vec![s.path.display().to_string()];
            argv.extend(s.args);
            ProgramSpec::Argv(argv)
        };
        RawSendmail {
            path: Some(path),
            timeout_secs: s.timeout_secs,
        }
    }
}

impl TryFrom<RawSendmail> for Sendmail {
    type Error = String;

    fn try_from(r: RawSendmail) -> Result<Sendmail, String> {
        let (path, args) = match r.path {
            None => (default_sendmail(), Vec::new()),
            Some(ProgramSpec::Path(p)) => (expand_path(&p), Vec::new()),
            Some(ProgramSpec::Argv(mut argv)) => {
                if argv.is_empty() || argv[0].trim().is_empty() {
                    return Err("[sendmail] path: an empty list names no program".into());
                }
                let program = argv.remove(0);
                (expand_path(std::path::Path::new(&program)), argv)
            }
        };
        Ok(Sendmail {
            path,
            args,
            timeout_secs: r.timeout_secs,
        })
    }
}

/// `~` and `$VAR` / `${VAR}` expanded in a configured path (an unset variable is
/// left as written).
pub fn expand_path(p: &std::path::Path) -> std::path::PathBuf {
    let Some(text) = p.to_str() else {
        return p.to_path_buf();
    };
    let home = || dirs::home_dir().map(|h| h.display().to_string());
    let text = match text.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => match home() {
            Some(h) => format!("{h}{rest}"),
            None => text.to_string(),
        },
        _ => text.to_string(),
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, used) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        match std::env::var(name).ok().filter(|_| !name.is_empty()) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[i..i + 1 + used]),
        }
        rest = &after[used..];
    }
    out.push_str(rest);
    std::path::PathBuf::from(out)
}

fn default_sendmail() -> std::path::PathBuf {
    "/usr/sbin/sendmail".into()
}

/// `[reporter]`: who writes the complaints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Reporter {
    pub name: String,
    pub address: String,
    /// Your own addresses, replaced in the forwarded copy when redaction is on.
    pub redact: Vec<String>,
    /// What they are replaced with.
    pub redact_with: Option<String>,
}

/// `[compose]`: the complaints.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Compose {
    /// Template files overriding `assets/templates/owner.txt` and `isp.txt`.
    pub owner_template: Option<std::path::PathBuf>,
    pub isp_template: Option<std::path::PathBuf>,
    /// Quote the spam inline with `> ` after the text, as well as attaching it.
    pub quote_inline: bool,
    /// A folder of templates `<class>-<side>.txt` (`compromised_account-owner.txt`, …)
    /// overriding the built-in ones.
    pub templates_dir: Option<std::path::PathBuf>,
    /// Spam older than this many days gets a warning and a sentence in the complaint.
    pub max_age_days: u32,
    /// A spam larger than this many KiB is flagged in the preview and the send
    /// dialog, with the choice to forward only its header section (`H`).
    pub big_spam_kb: u64,
}

impl Default for Compose {
    fn default() -> Self {
        Compose {
            owner_template: None,
            isp_template: None,
            quote_inline: false,
            templates_dir: None,
            max_age_days: 7,
            big_spam_kb: 1024,
        }
    }
}

/// `[network]`: where lookups go and how long they may take.
// Each flag is a setting of its own in the file the user writes.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Network {
    /// DNS servers as `ip` or `ip:port`; empty means the system's configuration.
    pub dns_servers: Vec<String>,
    /// The port every whois server is reached on.
    pub whois_port: u16,
    /// Where IANA's RDAP bootstrap files (`ipv4.json`, `ipv6.json`, `asn.json`,
    /// `dns.json`) are. When set, it wins over the delegation tables shipped inside.
    pub rdap_bootstrap_url: Option<String>,
    /// The time limit of each lookup, in seconds.
    pub timeout_secs: f64,
    /// At most this many requests to one server at a time.
    pub per_server: usize,
    /// At most this many requests a second start to one whois or RDAP server
    /// (0: no pacing, the concurrency limit only).
    pub per_server_rate: f64,
    /// At most this many requests (DNS, whois, RDAP) in flight at once, over all
    /// servers: a forged chain of many hops cannot open hundreds of sockets.
    pub max_requests: usize,
    /// Use the shipped IANA delegation tables to skip asking whois.iana.org.
    pub iana_tables: bool,
    /// The disk cache of answers; `false` keeps answers in memory only.
    pub cache: bool,
    /// Answers older than this many days are removed from the disk cache (0: kept).
    pub cache_max_age_days: u32,
    /// Past this many MiB the oldest answers are removed (0: no limit).
    pub cache_max_mb: u64,
    /// Probe the path to the relay (needs `CAP_NET_RAW` or root).
    pub traceroute: bool,
    /// Let whois and RDAP reach servers on loopback, private, link-local and
    /// metadata addresses and whois referrals name any port. Off: a referral or
    /// redirect written by a hostile answer cannot aim relaytrace at your own
    /// network (a test lab on 127.0.0.x turns it on).
    pub allow_private_servers: bool,
    /// The port the open-relay test connects to (25; a test lab sets its own).
    pub relay_test_port: u16,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            dns_servers: Vec::new(),
            whois_port: 43,
            rdap_bootstrap_url: None,
            timeout_secs: 8.0,
            per_server: 2,
            per_server_rate: 10.0,
            max_requests: 64,
            iana_tables: true,
            cache: true,
            cache_max_age_days: 30,
            cache_max_mb: 64,
            traceroute: true,
            allow_private_servers: false,
            relay_test_port: 25,
        }
    }
}

/// `[zones]`: the DNS-based services.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Zones {
    pub asn_origin: String,
    pub asn_origin6: String,
    pub asn_peer: String,
    pub asn_name: String,
    pub abusix: String,
    pub abuse_net: String,
    pub dnsbl: Vec<String>,
}

impl Default for Zones {
    fn default() -> Self {
        Zones {
            asn_origin: "origin.asn.cymru.com".into(),
            asn_origin6: "origin6.asn.cymru.com".into(),
            asn_peer: "peer.asn.cymru.com".into(),
            asn_name: "asn.cymru.com".into(),
            abusix: "abuse-contacts.abusix.zone".into(),
            abuse_net: "contacts.abuse.net".into(),
            dnsbl: vec![
                "zen.spamhaus.org".into(),
                "bl.spamcop.net".into(),
                "b.barracudacentral.org".into(),
            ],
        }
    }
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the configuration {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
}

/// The default location, `$XDG_CONFIG_HOME/relaytrace/config.toml`.
#[must_use]
pub fn default_path() -> Option<PathBuf> {
    paths::dir(paths::Kind::Config).map(|d| d.join("config.toml"))
}

/// The configuration file as found: where it is (or would be) and its text (none:
/// there is no file, and the defaults apply).
#[derive(Debug, Clone)]
pub struct Source {
    pub path: Option<PathBuf>,
    pub text: Option<String>,
}

/// Reads `--config FILE` (which must exist) or the default file (which may not).
///
/// # Errors
/// The file cannot be read.
pub fn read(explicit: Option<&Path>) -> Result<Source, ConfigError> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => match default_path() {
            Some(p) => (p, false),
            None => {
                return Ok(Source {
                    path: None,
                    text: None,
                });
            }
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(t) => Ok(Source {
            path: Some(path),
            text: Some(t),
        }),
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => Ok(Source {
            path: Some(path),
            text: None,
        }),
        Err(source) => Err(ConfigError::Read { path, source }),
    }
}

/// Loads `--config FILE` (which must exist) or the default file (which may not).
///
/// # Errors
/// The file cannot be read or is not valid TOML of this shape.
pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    load_source(&read(explicit)?)
}

/// The configuration of a [`Source`].
///
/// # Errors
/// The text is not valid TOML of this shape.
pub fn load_source(source: &Source) -> Result<Config, ConfigError> {
    match (&source.text, &source.path) {
        (Some(text), path) => parse(text).map_err(|message| ConfigError::Parse {
            path: path.clone().unwrap_or_default(),
            message,
        }),
        (None, _) => Ok(Config::default()),
    }
}

/// Parses configuration text.
///
/// # Errors
/// The text is not valid TOML of this shape; the message says where.
pub fn parse(text: &str) -> Result<Config, String> {
    // The error quotes the offending line: its control bytes are made visible, so
    // that a configuration cannot write escape sequences to the terminal.
    let mut c: Config = toml::from_str(text).map_err(|e| {
        let words = e.to_string();
        let hint = did_you_mean(&words);
        let line = crate::sanitize::clean(&words.replace('\n', " "))
            .trim()
            .to_string();
        format!("{line}{hint}")
    })?;
    unknown_sections(&c, text)?;
    for p in [
        c.compose.owner_template.as_mut(),
        c.compose.isp_template.as_mut(),
        c.compose.templates_dir.as_mut(),
        c.smtp.as_mut().and_then(|s| s.ca_file.as_mut()),
    ]
    .into_iter()
    .flatten()
    {
        *p = expand_path(p);
    }
    let at = check::Lines::of(text);
    seconds(&at.name("network", "timeout_secs"), c.network.timeout_secs)?;
    if !(1..=16384).contains(&c.input.max_message_mb) {
        return Err(format!(
            "{} = {}: give a size in MiB from 1 to 16384",
            at.name("input", "max_message_mb"),
            c.input.max_message_mb
        ));
    }
    let rate = c.network.per_server_rate;
    if !(rate.is_finite() && (0.0..=1000.0).contains(&rate)) {
        return Err(format!(
            "{} = {rate}: give requests a second from 0 (no pacing) to 1000",
            at.name("network", "per_server_rate")
        ));
    }
    for (key, n) in [
        ("per_server", c.network.per_server),
        ("max_requests", c.network.max_requests),
    ] {
        if !(1..=1024).contains(&n) {
            return Err(format!(
                "{} = {n}: give a number of requests from 1 to 1024",
                at.name("network", key)
            ));
        }
    }
    if let Some(s) = &c.smtp {
        seconds(&at.name("smtp", "timeout_secs"), s.timeout_secs)?;
    }
    if let Some(s) = &c.sendmail {
        seconds(&at.name("sendmail", "timeout_secs"), s.timeout_secs)?;
    }
    check::values(&c, &at)?;
    c.lines = at;
    Ok(c)
}

/// The sections this version reads.
pub const SECTIONS: [&str; 10] = [
    "trust",
    "input",
    "network",
    "zones",
    "reporter",
    "compose",
    "smtp",
    "sendmail",
    "keys",
    "clipboard",
];

/// A section (or top-level key) this version does not know is an error naming its
/// line, with the nearest known name: a misspelt `[smpt]` must not be ignored.
fn unknown_sections(c: &Config, text: &str) -> Result<(), String> {
    if let Some(name) = c.other.keys().find(|k| k.as_str() != "keys") {
        let line = text
            .lines()
            .position(|l| {
                let l = l.trim();
                l.trim_start_matches('[').trim_end_matches(']').trim() == name
                    || l.split('=').next().is_some_and(|k| k.trim() == name)
                    || l.starts_with(&format!("[{name}."))
            })
            .map(|i| format!(" (line {})", i + 1))
            .unwrap_or_default();
        let nearest = SECTIONS
            .iter()
            .map(|s| (edit_distance(s, name), s))
            .min()
            .filter(|(d, _)| *d <= 2)
            .map(|(_, s)| format!(": did you mean [{s}]?"))
            .unwrap_or_default();
        return Err(format!(
            "unknown section or key {:?}{line}{nearest}",
            crate::sanitize::clip(name, 60)
        ));
    }
    Ok(())
}

/// For serde's "unknown field `hostz`, expected `hosts` or `authserv_ids`": the
/// nearest expected name, as ": did you mean `hosts`?".
fn did_you_mean(words: &str) -> String {
    let Some(rest) = words.split("unknown field `").nth(1) else {
        return String::new();
    };
    let Some((field, expected)) = rest.split_once('`') else {
        return String::new();
    };
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|name| (edit_distance(name, field), name))
        .min()
        .filter(|(d, name)| *d <= 2.max(name.len() / 3))
        .map(|(_, name)| format!(": did you mean `{}`?", crate::sanitize::clip(name, 40)))
        .unwrap_or_default()
}

/// Levenshtein distance (names are short).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// A time limit must be a number of seconds from 0.1 to 3600: zero, negative,
/// infinite and NaN limits are refused, not bent silently.
fn seconds(what: &str, v: f64) -> Result<(), String> {
    if v.is_finite() && (0.1..=3600.0).contains(&v) {
        Ok(())
    } else {
        Err(format!("{what} = {v}: give a number of seconds from 0.1 to 3600"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_line_is_quoted_without_its_control_bytes() {
        let e = parse("[network]\ntimeout_secs = \"\x1b]52;c;aGk=\x07\x1b[2J\"\n").unwrap_err();
        assert!(!e.chars().any(char::is_control), "{e:?}");
    }

    #[test]
    fn time_limits_must_be_real_seconds() {
        for bad in ["nan", "inf", "-inf", "0", "-3", "0.0", "1e9"] {
            let e = parse(&format!("[network]\ntimeout_secs = {bad}\n")).unwrap_err();
            assert!(e.contains("timeout_secs"), "{bad}: {e}");
            let e = parse(&format!("[smtp]\nhost = \"h\"\ntimeout_secs = {bad}\n")).unwrap_err();
            assert!(e.contains("[smtp] timeout_secs"), "{bad}: {e}");
        }
        for bad in ["0", "5000"] {
            let e = parse(&format!("[network]\nmax_requests = {bad}\n")).unwrap_err();
            assert!(e.contains("max_requests"), "{bad}: {e}");
        }
        for bad in ["nan", "inf", "-1", "5000"] {
            let e = parse(&format!("[network]\nper_server_rate = {bad}\n")).unwrap_err();
            assert!(e.contains("per_server_rate"), "{bad}: {e}");
        }
        let c = parse("[network]\ntimeout_secs = 2.5\n[sendmail]\ntimeout_secs = 5\n").unwrap();
        assert!((c.network.timeout_secs - 2.5).abs() < f64::EPSILON);
        assert!((c.sendmail.unwrap().timeout_secs - 5.0).abs() < f64::EPSILON);
    }

    #[test]
    fn reads_trust_and_keeps_the_rest() {
        let c = parse("[trust]\nhosts = [\"example.org\", \"192.0.2.0/24\"]\n[reporter]\nname = \"Jane\"\n")
            .unwrap();
        assert_eq!(c.trust.hosts, vec!["example.org", "192.0.2.0/24"]);
        assert_eq!(c.reporter.name, "Jane");
        // A misspelt or unknown section names its line and the nearest known one.
        assert_eq!(
            parse("[reporter]\nname = \"J\"\n\n[smpt]\nhost = \"x\"\n").unwrap_err(),
            "unknown section or key \"smpt\" (line 4): did you mean [smtp]?"
        );
        assert_eq!(
            parse("[later]\nx = 1").unwrap_err(),
            "unknown section or key \"later\" (line 1)"
        );
        assert!(parse("[keys]\nquit = \"x\"").unwrap().other.contains_key("keys"));
        let c =
            parse("clipboard = \"osc52\"\n[smtp]\nhost = \"smtp.example.org\"\nsecurity = \"tls\"").unwrap();
        assert_eq!(c.clipboard, ClipboardMode::Osc52);
        assert_eq!(c.smtp.unwrap().security, Security::Tls);
    }

    #[test]
    fn paths_expand_home_and_variables() {
        let home = dirs::home_dir().unwrap();
        let h = std::env::var("HOME").unwrap();
        let c = parse(
            "[compose]\ntemplates_dir = \"~/tpl\"\nowner_template = \"$HOME/o.txt\"\nisp_template = \"${HOME}/i-$NO_SUCH_VAR_X.txt\"\n",
        )
        .unwrap();
        assert_eq!(c.compose.templates_dir.unwrap(), home.join("tpl"));
        assert_eq!(
            c.compose.owner_template.unwrap(),
            std::path::PathBuf::from(format!("{h}/o.txt"))
        );
        assert_eq!(
            c.compose.isp_template.unwrap(),
            std::path::PathBuf::from(format!("{h}/i-$NO_SUCH_VAR_X.txt"))
        );
        assert_eq!(
            expand_path(std::path::Path::new("~user/x")),
            std::path::Path::new("~user/x")
        );
        assert_eq!(
            expand_path(std::path::Path::new("a$")),
            std::path::Path::new("a$")
        );
        assert_eq!(
            expand_path(std::path::Path::new("${")),
            std::path::Path::new("${")
        );
    }

    #[test]
    fn rejects_bad_toml() {
        assert!(parse("[trust\nhosts = 1").is_err());
        let e = parse("[trust]\n\nhost = [\"typo\"]").unwrap_err();
        assert!(e.contains("line 3"), "{e}");
        assert!(e.ends_with(": did you mean `hosts`?"), "{e}");
        let e = parse("[network]\ntimout_secs = 3").unwrap_err();
        assert!(e.ends_with(": did you mean `timeout_secs`?"), "{e}");
        let e = parse("[network]\nfrobnicate = 3").unwrap_err();
        assert!(e.contains("unknown field") && !e.contains("did you mean"), "{e}");
    }

    #[test]
    fn the_bundled_sample_config_parses() {
        let text = include_str!("../../assets/config.toml");
        let c = parse(text).unwrap();
        assert!(!c.trust.hosts.is_empty());
    }
}
