//! The front door: runs a parsed command line. One file a subcommand; each loads
//! its input, asks the library and writes its output, and every failure is an
//! [`Error`] with its exit status.

pub mod compose;
pub mod config;
pub mod hops;
pub mod investigate;
pub mod lookup;
pub mod relaytest;
pub mod tui;

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;

use crate::cli::{Cli, Command, Global};
use crate::config as cfg_file;
use crate::error::{Error, io_words};
use crate::trace::{Options, Site};

/// Runs the parsed command line, writing to `out`.
///
/// # Errors
/// See [`Error`].
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), Error> {
    // These need no configuration (and `config path`/`init` must work beside a
    // broken one).
    let command = match cli.command {
        Some(Command::Config(a)) => {
            return config::run(&a.action, cli.global.config.as_deref(), &cli.global.trust, out);
        }
        Some(Command::Completions(a)) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(a.shell, &mut cmd, "relaytrace", out);
            return Ok(());
        }
        Some(Command::Man(a)) => return man(a.dir.as_deref(), out),
        other => other,
    };
    let cfg = cfg_file::load(cli.global.config.as_deref()).map_err(|e| Error::Usage(e.to_string()))?;
    // Checked here, for every command, as the file is read: the TUI's keys too.
    crate::tui::keymap::Keymap::from_config(cfg.other.get("keys"), &cfg.lines).map_err(Error::Usage)?;
    let mut site = Site::parse(&cfg.trust.hosts)
        .map_err(|e| Error::Usage(format!("{}: {e}", cfg.lines.name("trust", "hosts"))))?;
    for t in &cli.global.trust {
        site.add(t).map_err(|e| Error::Usage(format!("--trust: {e}")))?;
    }
    let opts = Options {
        site,
        no_auto_site: cli.global.no_auto_site,
        authserv_ids: cfg.trust.authserv_ids.clone(),
    };
    let pick = cli
        .global
        .message
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let (path, json) = match (command, cli.file) {
        (Some(Command::Lookup(a)), _) => {
            let target = lookup::Target::parse(&a.target).map_err(Error::Usage)?;
            return runtime()?.block_on(async {
                let engine = engine(&cfg, &cli.global)?;
                Box::pin(lookup::run(&engine, &target, a.json, a.raw, out)).await
            });
        }
        (Some(Command::Relaytest(a)), _) => {
            return runtime()?.block_on(async {
                let engine = engine(&cfg, &cli.global)?;
                relaytest::run(&engine, &cfg, &a, out).await
            });
        }
        (Some(Command::Investigate(a)), _) => {
            let shown = shown(&a.file);
            let (origin, input) = source(&a.file, &shown, cfg.input.max_bytes())?;
            let req = investigate::Request {
                json: a.json,
                raw: a.raw,
                hop: a.hop,
                pick,
                max_message: cfg.input.max_bytes(),
            };
            return runtime()?.block_on(async {
                let engine = engine(&cfg, &cli.global)?;
                investigate::run(&engine, (input, &origin), &shown, &req, &opts, out).await
            });
        }
        (Some(Command::Compose(a)), _) => {
            let input = input(&a.file)?;
            let shown = shown(&a.file);
            return runtime()?.block_on(async {
                let engine = engine(&cfg, &cli.global)?;
                Box::pin(compose::run(
                    &engine,
                    &cfg,
                    input,
                    &shown,
                    &a,
                    pick.unwrap_or(1),
                    &opts,
                    out,
                ))
                .await
            });
        }
        (Some(Command::Hops(a)), _) => (a.file, a.json),
        (None, Some(m)) if io::stdout().is_terminal() => {
            return tui::run(&cfg, (cli.global.offline, cli.global.refresh), opts, &m, pick);
        }
        (None, Some(m)) => (m, false),
        (Some(Command::Config(_) | Command::Completions(_) | Command::Man(_)), _) => {
            unreachable!("answered above")
        }
        (None, None) => {
            return Err(Error::Usage(
                "no message given: relaytrace MESSAGE, or relaytrace hops MESSAGE (see --help)".to_string(),
            ));
        }
    };
    hops::run(&path, json, pick, cfg.input.max_bytes(), &opts, out)
}

/// The manual: relaytrace.1 on `out`, or every command's page into `dir`. Each page
/// has clap's sections (no `help` subcommand: it has no page) and the EXIT STATUS,
/// ENVIRONMENT, FILES and SEE ALSO an installed user needs.
fn man(dir: Option<&std::path::Path>, out: &mut dyn Write) -> Result<(), Error> {
    let mut cmd = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    // Global options reach the subcommands' pages, as they reach their --help.
    cmd.build();
    let mut pages = Vec::new();
    let mut stack = vec![("relaytrace".to_string(), cmd)];
    while let Some((name, page)) = stack.pop() {
        for sub in page.get_subcommands().filter(|s| s.get_name() != "help") {
            let sub_name = format!("{name}-{}", sub.get_name());
            stack.push((sub_name.clone(), sub.clone().display_name(sub_name)));
        }
        pages.push((name, page));
    }
    pages.sort_by(|a, b| a.0.cmp(&b.0));
    let names: Vec<String> = pages.iter().map(|(n, _)| n.clone()).collect();
    let Some(dir) = dir else {
        let (name, page) = pages.swap_remove(0);
        let bytes = man_page(&name, page, &names).map_err(|e| Error::write(&e))?;
        return out.write_all(&bytes).map_err(|e| Error::write(&e));
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::Usage(format!("cannot make {}: {e}", dir.display())))?;
    for (name, page) in pages {
        let path = dir.join(format!("{name}.1"));
        let bytes = man_page(&name, page, &names).map_err(|e| Error::write(&e))?;
        std::fs::write(&path, bytes)
            .map_err(|e| Error::Usage(format!("cannot write {}: {e}", path.display())))?;
        writeln!(out, "{}", path.display()).map_err(|e| Error::write(&e))?;
    }
    Ok(())
}

/// One manual page in roff: clap's sections, then ours.
fn man_page(name: &str, page: clap::Command, all: &[String]) -> io::Result<Vec<u8>> {
    let has_subcommands = page.get_subcommands().next().is_some();
    let man = clap_mangen::Man::new(page);
    let mut b = Vec::new();
    man.render_title(&mut b)?;
    man.render_name_section(&mut b)?;
    man.render_synopsis_section(&mut b)?;
    man.render_description_section(&mut b)?;
    man.render_options_section(&mut b)?;
    if has_subcommands {
        man.render_subcommands_section(&mut b)?;
    }
    b.extend_from_slice(MAN_SECTIONS.as_bytes());
    let others: Vec<String> = all
        .iter()
        .filter(|n| n.as_str() != name)
        .map(|n| format!("\\fB{n}\\fR(1)"))
        .collect();
    writeln!(b, ".SH \"SEE ALSO\"\n{}", others.join(",\n"))?;
    Ok(b)
}

/// The sections every page ends with (roff).
const MAN_SECTIONS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Success, also when some lookups failed (the output says which).
.TP
\fB1\fR
The input is not a readable message (one line on standard error).
.TP
\fB2\fR
A usage or configuration error (the line names the option, or the file and line).
.TP
\fB3\fR
\fBcompose\fR found nobody to send the complaint to, in any format; \fB\-\-add\-to\fR gives one.
.SH ENVIRONMENT
.TP
\fBXDG_CONFIG_HOME\fR, \fBXDG_CACHE_HOME\fR, \fBXDG_DATA_HOME\fR, \fBXDG_STATE_HOME\fR
Where the files below are kept (defaults: \fI~/.config\fR, \fI~/.cache\fR, \fI~/.local/share\fR, \fI~/.local/state\fR).
.TP
\fBVISUAL\fR, \fBEDITOR\fR
The editor \fBE\fR opens a complaint in.
.TP
\fBDISPLAY\fR, \fBWAYLAND_DISPLAY\fR
A display for the system clipboard; without one, copies go through the terminal (OSC 52).
.TP
\fBNO_COLOR\fR
Set: the terminal UI uses no colour.
.TP
\fBRELAYTRACE_DEBUG\fR
Set: the log gets debug lines too (never the keys typed).
.SH FILES
.TP
\fI$XDG_CONFIG_HOME/relaytrace/config.toml\fR
The configuration (\fBrelaytrace config init\fR writes one with every key; \fBrelaytrace config show\fR prints the one in effect).
.TP
\fI$XDG_CACHE_HOME/relaytrace/\fR
Answers of DNS, whois and RDAP servers (DNS for its TTL, whois and RDAP for a day).
.TP
\fI$XDG_DATA_HOME/relaytrace/drafts/\fR
The complaints being written, one file per message, relay and side.
.TP
\fI$XDG_DATA_HOME/relaytrace/sent.jsonl\fR, \fIbounced.txt\fR
Every complaint sent (time, message, relay, side, recipients, reply); the addresses marked as bounced.
.TP
\fI$XDG_STATE_HOME/relaytrace/relaytrace.log\fR, \fIrelaytests.jsonl\fR
The log; the open-relay tests made.
"#;

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))
}

fn engine(cfg: &cfg_file::Config, g: &Global) -> Result<crate::lookup::Engine, Error> {
    crate::lookup::Engine::new(
        cfg.network.clone(),
        cfg.zones.clone(),
        crate::lookup::cache::Cache::default_dir(),
        g.offline,
        g.refresh,
    )
    .map_err(Error::Usage)
}

/// Where the messages come from, kept so that a message's whole text can be read
/// again (the complaints forward it, DKIM hashes its body): standard input is read
/// whole, never past `max`; a file is read again at a message's offset.
///
/// # Errors
/// The input cannot be read or is larger than `max`.
fn source(path: &PathBuf, shown: &str, max: u64) -> Result<(crate::tui::Origin, Box<dyn Read>), Error> {
    if path.as_os_str() != "-" {
        return Ok((crate::tui::Origin::Path(path.clone()), open(path)?));
    }
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::input(shown, e))?;
    if bytes.len() as u64 > max {
        return Err(Error::input(
            shown,
            format!(
                "the input is larger than {} MiB: not read further ([input] max_message_mb raises the limit)",
                max >> 20
            ),
        ));
    }
    let bytes = std::sync::Arc::new(bytes);
    Ok((
        crate::tui::Origin::Bytes(bytes.clone()),
        Box::new(crate::message::SharedBytes(bytes, 0)),
    ))
}

/// The hops object with the message's authentication beside (DESIGN.md §3: `auth`).
#[derive(serde::Serialize)]
struct WithAuth<'a> {
    #[serde(flatten)]
    trace: &'a crate::trace::Trace,
    auth: &'a crate::auth::Auth,
}

/// One value as one compact JSON line (DESIGN.md §3), every character a terminal
/// would obey escaped.
fn write_json_line(out: &mut dyn Write, value: &impl serde::Serialize) -> Result<(), Error> {
    let line = crate::sanitize::json_line(value).map_err(|e| Error::Input(e.to_string()))?;
    out.write_all(line.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .map_err(|e| Error::write(&e))
}

/// A path as the user may be shown it; `-` is standard input.
fn shown(path: &std::path::Path) -> String {
    let shown = crate::sanitize::clean(&path.display().to_string()).into_owned();
    if shown == "-" {
        "standard input".to_string()
    } else {
        shown
    }
}

/// A message's source: a file (it can be read again, by seeking) or a stream.
pub enum Input {
    File(PathBuf),
    Stream(Box<dyn Read>),
}

/// `path` as an [`Input`]: `-` is standard input; a file is checked to open.
fn input(path: &PathBuf) -> Result<Input, Error> {
    if path.as_os_str() == "-" {
        return open(path).map(Input::Stream);
    }
    open(path).map(|_| Input::File(path.clone()))
}

pub(crate) fn open(path: &PathBuf) -> Result<Box<dyn Read>, Error> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(io::stdin().lock()));
    }
    let shown = crate::sanitize::clean(&path.display().to_string()).into_owned();
    if path.is_dir() {
        return Err(Error::Input(format!(
            "{shown}: is a directory; give one message file (a Maildir message is a file in cur/ or new/)"
        )));
    }
    File::open(path)
        .map(|f| Box::new(f) as Box<dyn Read>)
        .map_err(|e| Error::input(&shown, io_words(&e)))
}
