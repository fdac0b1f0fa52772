//! `relaytrace config path|show|init`: where the configuration is, what is in
//! effect and where each value came from, and a starter file.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use crate::cli::ConfigAction;
use crate::config::{self, Config, Source, keys};
use crate::error::Error;
use crate::tui::keymap::{Action, Keymap};

/// Runs `config ACTION`.
///
/// # Errors
/// The configuration cannot be read or is invalid (`show`); the starter file
/// cannot be written or is there already (`init`).
pub fn run(
    action: &ConfigAction,
    explicit: Option<&Path>,
    cli_trust: &[String],
    out: &mut dyn Write,
) -> Result<(), Error> {
    let text = match action {
        ConfigAction::Path => {
            let path = config_path(explicit)?;
            format!("{}\n", crate::sanitize::clean(&path.display().to_string()))
        }
        ConfigAction::Show => {
            let source = config::read(explicit).map_err(|e| Error::Usage(e.to_string()))?;
            let cfg = config::load_source(&source).map_err(|e| Error::Usage(e.to_string()))?;
            let keymap = Keymap::from_config(cfg.other.get("keys"), &cfg.lines).map_err(Error::Usage)?;
            show(&cfg, &source, cli_trust, &keymap)
        }
        ConfigAction::Init { force, stdout } => {
            if *stdout {
                starter()
            } else {
                let path = config_path(explicit)?;
                write_new(&path, &starter(), *force)?;
                format!(
                    "wrote {}: every key is there with its default, commented out\n",
                    crate::sanitize::clean(&path.display().to_string())
                )
            }
        }
    };
    out.write_all(text.as_bytes()).map_err(|e| Error::write(&e))
}

fn config_path(explicit: Option<&Path>) -> Result<std::path::PathBuf, Error> {
    explicit
        .map(Path::to_path_buf)
        .or_else(config::default_path)
        .ok_or_else(|| Error::Usage("no home folder and no $XDG_CONFIG_HOME: give --config FILE".into()))
}

/// Writes `text` to a new file at `path` (its folder made if need be); an existing
/// file is kept unless `force`.
fn write_new(path: &Path, text: &str, force: bool) -> Result<(), Error> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let shown = crate::sanitize::clean(&path.display().to_string()).into_owned();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Error::Usage(format!("cannot make the folder of {shown}: {e}")))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).mode(0o600);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut f = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::Usage(format!(
                "{shown} is there already: not overwritten (--force replaces it; config show prints what it says)"
            ))
        } else {
            Error::Usage(format!("cannot write {shown}: {e}"))
        }
    })?;
    f.write_all(text.as_bytes())
        .map_err(|e| Error::Usage(format!("cannot write {shown}: {e}")))
}

/// The starter file: every key with its default (or an example), commented out,
/// under its section with what it is for.
pub fn starter() -> String {
    let mut s = String::from(
        "# relaytrace configuration, written by `relaytrace config init`.\n\
         # Every key is here with its default (or an example), commented out: remove\n\
         # the # to change one. `relaytrace config show` prints what is in effect and\n\
         # where each value came from; docs/configuration.md describes every key.\n",
    );
    for (section, about) in keys::SECTIONS {
        s.push('\n');
        if section.is_empty() {
            let _ = writeln!(s, "# ── {about}");
        } else {
            // [smtp] needs a host and [sendmail] turns sending through it on: both
            // stay commented out until the user fills them in.
            let header = if matches!(section, "smtp" | "sendmail") {
                format!("# [{section}]")
            } else {
                format!("[{section}]")
            };
            let _ = writeln!(s, "# ── {about}\n{header}");
        }
        if section == "keys" {
            let map = Keymap::default();
            for a in Action::ALL {
                let _ = writeln!(
                    s,
                    "# {} = {}    # {}",
                    a.name(),
                    toml_list(&map.config_keys(a)),
                    a.describe()
                );
            }
            continue;
        }
        for k in keys::KEYS.iter().filter(|k| k.section == section) {
            for line in wrap(k.doc, 76) {
                let _ = writeln!(s, "# {line}");
            }
            let _ = writeln!(s, "# {} = {}", k.name, k.value);
        }
    }
    s
}

fn toml_list(items: &[String]) -> String {
    toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect()).to_string()
}

/// Words wrapped to lines of at most `width` columns (a longer word stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("never empty");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// The effective configuration as TOML that would load as it is, each value
/// followed by where it came from: `config.toml:12`, `default`, or the command line.
pub fn show(cfg: &Config, source: &Source, cli_trust: &[String], keymap: &Keymap) -> String {
    let file_name = source
        .path
        .as_ref()
        .map(|p| crate::sanitize::clean(&p.display().to_string()).into_owned());
    let mut s = String::from("# relaytrace's configuration in effect\n");
    match (&file_name, &source.text) {
        (Some(p), Some(_)) => {
            let _ = writeln!(s, "# read from {p}");
        }
        (Some(p), None) => {
            let _ = writeln!(s, "# {p} does not exist: the defaults apply");
        }
        (None, _) => s.push_str("# no configuration file: the defaults apply\n"),
    }
    s.push_str("# each value says where it came from: file:LINE, default, or the command line\n");
    let raw: toml::Table = source
        .text
        .as_deref()
        .and_then(|t| toml::from_str(t).ok())
        .unwrap_or_default();
    let effective = toml::Table::try_from(cfg).unwrap_or_default();
    let label = file_name
        .as_deref()
        .and_then(|p| Path::new(p).file_name())
        .map_or_else(|| "file".to_string(), |n| n.to_string_lossy().into_owned());
    let whence = |section: &str, key: &str| -> String {
        let in_file = if section.is_empty() {
            raw.get(key)
        } else {
            raw.get(section).and_then(|t| t.get(key))
        };
        match (in_file, source.text.as_deref()) {
            (Some(_), Some(text)) => match locate(text, section, key) {
                Some(line) => format!("{label}:{line}"),
                None => label.clone(),
            },
            _ => "default".into(),
        }
    };
    for (section, about) in keys::SECTIONS {
        let table = if section.is_empty() {
            Some(&effective)
        } else {
            effective.get(section).and_then(toml::Value::as_table)
        };
        s.push('\n');
        if section == "keys" {
            let _ = writeln!(s, "[keys]  # {about}");
            for a in Action::ALL {
                let _ = writeln!(
                    s,
                    "{} = {}  # {}",
                    a.name(),
                    toml_list(&keymap.config_keys(a)),
                    whence("keys", a.name())
                );
            }
            continue;
        }
        match (section, table) {
            ("", _) => {}
            (_, Some(_)) => {
                let _ = writeln!(s, "[{section}]  # {about}");
            }
            (_, None) => {
                let _ = writeln!(s, "# [{section}] not set  ({about})");
            }
        }
        for k in keys::KEYS.iter().filter(|k| k.section == section) {
            let value = table.and_then(|t| t.get(k.name));
            match value {
                Some(v) if section == "trust" && k.name == "hosts" && !cli_trust.is_empty() => {
                    let mut all: Vec<toml::Value> = v.as_array().cloned().unwrap_or_default();
                    all.extend(cli_trust.iter().cloned().map(toml::Value::String));
                    let _ = writeln!(
                        s,
                        "{} = {}  # {} + --trust",
                        k.name,
                        clean(&toml::Value::Array(all).to_string()),
                        whence(section, k.name)
                    );
                }
                Some(v) => {
                    let _ = writeln!(
                        s,
                        "{} = {}  # {}",
                        k.name,
                        clean(&v.to_string()),
                        whence(section, k.name)
                    );
                }
                None => {
                    let _ = writeln!(s, "# {} = {}  # not set", k.name, k.value);
                }
            }
        }
    }
    s
}

/// A value as printed: control characters a configuration may hold never reach
/// the terminal (TOML's own escapes cover strings; this is the second guard).
fn clean(s: &str) -> String {
    crate::sanitize::clean(s).into_owned()
}

/// The line (1-based) where `key` is set in `section` of `text`.
fn locate(text: &str, section: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[') {
            let name = header.split(']').next().unwrap_or("").trim();
            current = name.trim_matches('"').to_string();
            continue;
        }
        if current != section {
            continue;
        }
        if let Some((k, _)) = line.split_once('=')
            && k.trim().trim_matches('"') == key
        {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        Source {
            path: Some("/home/jane/.config/relaytrace/config.toml".into()),
            text: Some(text.into()),
        }
    }

    #[test]
    fn the_starter_file_loads_to_the_defaults() {
        let text = starter();
        let c = config::parse(&text).unwrap();
        assert_eq!(
            toml::Table::try_from(&c).unwrap(),
            toml::Table::try_from(Config::default()).unwrap()
        );
        assert!(c.smtp.is_none() && c.sendmail.is_none());
    }

    /// Uncommenting every key of the starter file loads, and each key marked as a
    /// default gives the default: the table agrees with the structs.
    #[test]
    fn every_key_of_the_table_is_a_key_of_the_structs_with_its_default() {
        let mut text = String::new();
        for line in starter().lines() {
            match line.strip_prefix("# ") {
                Some(l)
                    if l.starts_with('[') || l.split_once(" = ").is_some_and(|(k, _)| !k.contains(' ')) =>
                {
                    text.push_str(l.split("    #").next().unwrap_or(l));
                }
                _ => text.push_str(line),
            }
            text.push('\n');
        }
        let c = config::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let got = toml::Table::try_from(&c).unwrap();
        let smtp = config::parse("[smtp]\nhost = \"h\"").unwrap().smtp;
        let defaults = toml::Table::try_from(Config {
            smtp,
            sendmail: config::parse("[sendmail]").unwrap().sendmail,
            ..Config::default()
        })
        .unwrap();
        let mut seen = 0;
        for k in keys::KEYS {
            let table = if k.section.is_empty() {
                &got
            } else {
                got[k.section].as_table().unwrap()
            };
            let v = table
                .get(k.name)
                .unwrap_or_else(|| panic!("[{}] {} is not read", k.section, k.name));
            if k.default {
                let d = if k.section.is_empty() {
                    &defaults[k.name]
                } else {
                    &defaults[k.section][k.name]
                };
                assert_eq!(
                    v, d,
                    "[{}] {}: the table's default is not the code's",
                    k.section, k.name
                );
            }
            seen += 1;
        }
        // And the other way: every key the structs write is in the table.
        for (name, v) in &got {
            match v.as_table() {
                Some(t) => {
                    for key in t.keys() {
                        assert!(
                            keys::find(name, key).is_some(),
                            "[{name}] {key} is missing from the table"
                        );
                    }
                }
                None => assert!(keys::find("", name).is_some(), "{name} is missing from the table"),
            }
        }
        assert_eq!(seen, keys::KEYS.len());
        assert_eq!(
            keys::SECTIONS.len(),
            config::SECTIONS.len(),
            "a section without a line of its own"
        );
    }

    #[test]
    fn show_says_where_each_value_came_from() {
        let text = "clipboard = \"osc52\"\n\n[trust]\nhosts = [\"example.org\"]\n[network]\n  timeout_secs = 3\n[keys]\nquit = \"x\"\n";
        let src = source(text);
        let cfg = config::parse(text).unwrap();
        let keymap = Keymap::from_config(cfg.other.get("keys"), &cfg.lines).unwrap();
        let out = show(&cfg, &src, &["192.0.2.0/24".to_string()], &keymap);
        assert!(out.contains("clipboard = \"osc52\"  # config.toml:1\n"), "{out}");
        assert!(
            out.contains("hosts = [\"example.org\", \"192.0.2.0/24\"]  # config.toml:4 + --trust\n"),
            "{out}"
        );
        assert!(out.contains("timeout_secs = 3.0  # config.toml:6\n"), "{out}");
        assert!(out.contains("whois_port = 43  # default\n"), "{out}");
        assert!(out.contains("quit = [\"x\"]  # config.toml:8\n"), "{out}");
        assert!(out.contains("down = [\"j\", \"Down\"]  # default\n"), "{out}");
        assert!(out.contains("# [smtp] not set"), "{out}");
        assert!(
            out.contains("# password_command = \"pass show mail/smtp\"  # not set"),
            "{out}"
        );
        // What show prints loads back to the same configuration.
        let again = config::parse(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
        assert_eq!(
            toml::Table::try_from(&again).unwrap()["network"],
            toml::Table::try_from(&cfg).unwrap()["network"]
        );
    }

    #[test]
    fn init_never_overwrites_unless_forced() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        write_new(&path, "one", false).unwrap();
        let e = write_new(&path, "two", false).unwrap_err().to_string();
        assert!(e.contains("is there already"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        write_new(&path, "two", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    /// docs/configuration.md has a row for every key (with its default) and every
    /// action (with its default keys), and no row the code does not read.
    #[test]
    fn the_configuration_page_matches_the_code() {
        let doc = include_str!("../../docs/configuration.md");
        let mut section: Option<String> = None;
        let mut rows: Vec<(String, String, String)> = Vec::new();
        for line in doc.lines() {
            if let Some(h) = line.strip_prefix("## ") {
                section = match h {
                    "Top level" => Some(String::new()),
                    h if h.starts_with('[') => Some(h.trim_matches(['[', ']']).to_string()),
                    _ => None,
                };
                continue;
            }
            let (Some(sec), Some(row)) = (&section, line.strip_prefix("| `")) else {
                continue;
            };
            let cells: Vec<&str> = row.split(" | ").collect();
            let name = cells[0].trim_end_matches('`').to_string();
            rows.push((sec.clone(), name, cells[1].to_string()));
        }
        let map = Keymap::default();
        let mut expected: Vec<(String, String, String)> = keys::KEYS
            .iter()
            .map(|k| {
                let default = if k.default {
                    format!("`{}`", k.value)
                } else {
                    format!("not set (e.g. `{}`)", k.value)
                };
                (
                    k.section.to_string(),
                    k.name.to_string(),
                    default.replace('|', "\\|"),
                )
            })
            .collect();
        for a in Action::ALL {
            let keys: Vec<String> = map.config_keys(a).iter().map(|k| format!("`{k}`")).collect();
            expected.push(("keys".into(), a.name().into(), keys.join(", ")));
        }
        rows.sort();
        expected.sort();
        assert_eq!(rows, expected, "docs/configuration.md and the code disagree");
    }

    #[test]
    fn locates_keys_in_their_section() {
        let t = "a = 1\n[x]\nb = 2\n[y]\n\"b\" = 3\n";
        assert_eq!(locate(t, "", "a"), Some(1));
        assert_eq!(locate(t, "x", "b"), Some(3));
        assert_eq!(locate(t, "y", "b"), Some(5));
        assert_eq!(locate(t, "z", "b"), None);
    }
}
