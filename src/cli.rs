//! The command line (DESIGN.md §3): argument parsing and the subcommands.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config;
use crate::message::{LoadError, Reader, fields};
use crate::report;
use crate::trace::{self, Options, Site};

/// Investigate spam that came through an open relay.
///
/// relaytrace reads a spam exactly as you received it, turns its Received: lines into
/// hops (index 0 is the topmost, newest line), decides which hops can be believed,
/// names the relay that handed the spam to your own mail site, and walks down through
/// verified hand-offs to the input point: the relay where the spam entered the chain.
/// That relay's operator and its ISP are who you complain to.
#[derive(Debug, Parser)]
#[command(name = "relaytrace", version, about, long_about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// Message to open: a file (.eml, mbox, Maildir file) or - for standard input.
    /// Without a subcommand, relaytrace opens it in the terminal UI (or prints its hops
    /// when standard output is not a terminal).
    #[arg(value_name = "MESSAGE|-")]
    pub file: Option<PathBuf>,
}

const AFTER_HELP: &str = "\
Verdicts (the handoff of each hop):
  trusted       inside your own site (--trust, [trust] hosts, and the domain of the top hop's by host)
  internal      a private or loopback sender inside a site hop
  verified      written by the host the line above saw: its by matches that sender
  unverified    nothing confirms or refutes it
  inconsistent  evidence of forgery: broken chain, impossible address or date, lying HELO

Examples:
  relaytrace spam.eml                        the terminal UI (? lists its keys)
  relaytrace - < spam.eml                    the same, the message on standard input
  relaytrace investigate --json spam.eml     lookups for every external hop
  relaytrace lookup 192.0.2.1
  relaytrace compose --to isp spam.eml | sendmail -t
  relaytrace hops spam.eml
  relaytrace hops --json --trust example.org --trust 192.0.2.0/24 spam.eml
  relaytrace hops --message 3 saved.mbox
  formail -s relaytrace hops --json - < saved.mbox

Exit status: 0 success, 1 the input is not a readable message, 2 usage error.";

/// Options every command takes.
#[derive(Debug, Args, Default)]
pub struct Global {
    /// Configuration file (default: $`XDG_CONFIG_HOME/relaytrace/config.toml`).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// A host name, domain, IP address or CIDR network of your own mail site;
    /// hops inside it are trusted. Repeatable; adds to the config's [trust] hosts.
    #[arg(long, value_name = "HOST|DOMAIN|CIDR", global = true)]
    pub trust: Vec<String>,

    /// Never use the network: answer lookups from the cache only. (`hops` never uses
    /// the network at all.)
    #[arg(long, global = true)]
    pub offline: bool,

    /// Pick one message of an mbox (1-based). Without it, every message is read.
    #[arg(long, value_name = "N", global = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub message: Option<u64>,

    /// Ask every server again instead of using cached answers (the new answers
    /// replace the cached ones).
    #[arg(long, global = true, conflicts_with = "offline")]
    pub refresh: bool,

    /// Do not add the domain of the topmost hop's `by` host to your site; trust only
    /// what --trust and the configuration name.
    #[arg(long, global = true)]
    pub no_auto_site: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and analyse the Received: hops of a message, with no network.
    ///
    /// Prints a table of hops (index, sender host and address, by host, delay,
    /// verdict) with the relay and the input point marked and the reasons below it;
    /// with --json, one compact JSON object per message (NDJSON for an mbox).
    Hops(HopsArgs),

    /// Hops plus lookups for every external hop: reverse DNS, whois with its
    /// referrals, RDAP, ASN and upstream, abuse contacts, DNSBL, traceroute.
    ///
    /// Names the owner of each relay's network and its ISP, each with ranked abuse
    /// contacts and where each came from. With --json, the hops object with a
    /// `lookups` member on each external hop.
    Investigate(InvestigateArgs),

    /// Lookups for one IP address or domain.
    Lookup(LookupArgs),

    /// Write the complaint to the relay's owner or to its ISP, with the spam forwarded
    /// whole, and print it (the eml form can be piped to `sendmail -t`).
    ///
    /// The relay is the input point (or --hop N); its lookups give the contacts
    /// (answers from the cache with --offline). The reporter comes from the
    /// configuration's [reporter] section.
    Compose(ComposeArgs),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SideArg {
    Owner,
    Isp,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Eml,
    Text,
    Arf,
}

#[derive(Debug, Args)]
pub struct ComposeArgs {
    /// Who the complaint goes to.
    #[arg(long, value_enum)]
    pub to: SideArg,

    /// The hop of the relay to complain about (default: the input point).
    #[arg(long, value_name = "N")]
    pub hop: Option<usize>,

    /// eml (MIME, the spam attached as message/rfc822), text (the spam quoted) or
    /// arf (an RFC 5965 abuse report).
    #[arg(long, value_enum, default_value = "eml")]
    pub format: FormatArg,

    /// Also quote the spam inline with "> " after the text.
    #[arg(long)]
    pub quote: bool,

    /// Do not replace your [reporter] redact addresses in the forwarded copy (on by
    /// default, except for arf).
    #[arg(long)]
    pub no_redact: bool,

    /// Redact even in the arf format.
    #[arg(long, conflicts_with = "no_redact")]
    pub redact: bool,

    /// How the spam got in, overriding the analysis (`open_relay`, `compromised_account`,
    /// `webmail`, `freemail`, `esp`, `spammer_host`, `botnet_direct`): the template follows it.
    #[arg(long, value_name = "CLASS", value_parser = parse_class)]
    pub class: Option<crate::trace::entry::Class>,

    /// Send it to this address too (repeatable); with no contact found, to it alone.
    #[arg(long = "add-to", value_name = "ADDRESS")]
    pub add_to: Vec<String>,

    /// Message file (.eml, mbox with --message, Maildir file) or - for standard input.
    #[arg(value_name = "MESSAGE|-")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct InvestigateArgs {
    /// Print one compact JSON object per message (DESIGN.md §3).
    #[arg(long)]
    pub json: bool,

    /// Look up only this hop (its index in the hops table).
    #[arg(long, value_name = "N")]
    pub hop: Option<usize>,

    /// Also print every server's raw answer.
    #[arg(long)]
    pub raw: bool,

    /// Message file (.eml, mbox, Maildir file) or - for standard input.
    #[arg(value_name = "MESSAGE|-")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Print one compact JSON object (DESIGN.md §3).
    #[arg(long)]
    pub json: bool,

    /// Also print every server's raw answer.
    #[arg(long)]
    pub raw: bool,

    /// An IPv4 or IPv6 address, or a domain name.
    #[arg(value_name = "IP|DOMAIN")]
    pub target: String,
}

#[derive(Debug, Args)]
pub struct HopsArgs {
    /// Print one compact JSON object per message (DESIGN.md §3).
    #[arg(long)]
    pub json: bool,

    /// Message file (.eml, mbox, Maildir file) or - for standard input.
    #[arg(value_name = "MESSAGE|-")]
    pub file: PathBuf,
}

/// Errors that end a command, each with the exit status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad input: exit 1.
    #[error("{0}")]
    Input(String),
    /// Usage or configuration: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Standard output went away (a closed pipe): stop quietly.
    #[error("output closed")]
    Closed,
}

impl CliError {
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) => 1,
            CliError::Usage(_) => 2,
            CliError::Closed => 0,
        }
    }
}

/// Runs the parsed command line, writing to `out`.
///
/// # Errors
/// See [`CliError`].
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), CliError> {
    let cfg = config::load(cli.global.config.as_deref()).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut site =
        Site::parse(&cfg.trust.hosts).map_err(|e| CliError::Usage(format!("[trust] hosts: {e}")))?;
    for t in &cli.global.trust {
        site.add(t)
            .map_err(|e| CliError::Usage(format!("--trust: {e}")))?;
    }
    let opts = Options {
        site,
        no_auto_site: cli.global.no_auto_site,
    };
    let pick = cli
        .global
        .message
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let (path, json) = match (cli.command, cli.file) {
        (Some(Command::Lookup(a)), _) => {
            let target = crate::investigate::Target::parse(&a.target).map_err(CliError::Usage)?;
            return runtime()?.block_on(async {
                let engine = engine(&cfg, &cli.global)?;
                Box::pin(crate::investigate::lookup(&engine, &target, a.json, a.raw, out)).await
            });
        }
        (Some(Command::Investigate(a)), _) => {
            let input = open(&a.file)?;
            let shown = crate::sanitize::clean(&a.file.display().to_string()).into_owned();
            let req = crate::investigate::Request {
                json: a.json,
                raw: a.raw,
                hop: a.hop,
                pick,
            };
            return runtime()?.block_on(async {
                let engine = engine(&cfg, &cli.global)?;
                crate::investigate::investigate(&engine, input, &shown, &req, &opts, out).await
            });
        }
        (Some(Command::Compose(a)), _) => {
            let input = open(&a.file)?;
            let shown = crate::sanitize::clean(&a.file.display().to_string()).into_owned();
            return runtime()?.block_on(async {
                let engine = engine(&cfg, &cli.global)?;
                Box::pin(crate::investigate::compose(
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
            return tui(&cfg, cli.global.offline, opts, &m, pick);
        }
        (None, Some(m)) => (m, false),
        (None, None) => {
            return Err(CliError::Usage(
                "no message given: relaytrace MESSAGE, or relaytrace hops MESSAGE (see --help)".to_string(),
            ));
        }
    };
    hops(&path, json, pick, &opts, out)
}

/// Loads the message(s) and opens the TUI.
fn tui(
    cfg: &config::Config,
    offline: bool,
    opts: Options,
    path: &PathBuf,
    pick: Option<usize>,
) -> Result<(), CliError> {
    let shown = crate::sanitize::clean(&path.display().to_string()).into_owned();
    let shown = if shown == "-" {
        "standard input".to_string()
    } else {
        shown
    };
    // Standard input is read whole (the complaints forward the message from it);
    // a file is read again when a message's full text is needed.
    let (origin, input): (crate::tui::Origin, Box<dyn Read>) = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::Input(format!("{shown}: {e}")))?;
        let bytes = std::sync::Arc::new(bytes);
        (
            crate::tui::Origin::Bytes(bytes.clone()),
            Box::new(io::Cursor::new(bytes.to_vec())),
        )
    } else {
        (crate::tui::Origin::Path(path.clone()), open(path)?)
    };
    let reader = Reader::new(input);
    let mut messages = Vec::new();
    let mut seen = 0;
    for next in reader {
        let message = next.map_err(|e| CliError::Input(format!("{shown}: {}", LoadError::from(e))))?;
        seen += 1;
        if pick.is_none_or(|n| n == message.number) {
            messages.push(message);
        }
        if pick.is_some() && !messages.is_empty() {
            break;
        }
    }
    if let Some(n) = pick
        && messages.is_empty()
    {
        return Err(CliError::Input(format!(
            "{shown}: {}",
            LoadError::NoSuchMessage {
                wanted: n,
                count: seen
            }
        )));
    }
    if messages.len() == 1 && fields(&messages[0].header).next().is_none() {
        return Err(CliError::Input(format!("{shown}: {}", LoadError::NotAMessage)));
    }
    crate::tui::open(cfg, offline, opts, shown, messages, origin)
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the async runtime: {e}")))
}

fn engine(cfg: &config::Config, g: &Global) -> Result<crate::lookup::Engine, CliError> {
    crate::lookup::Engine::new(
        cfg.network.clone(),
        cfg.zones.clone(),
        crate::lookup::cache::Cache::default_dir(),
        g.offline,
        g.refresh,
    )
    .map_err(CliError::Usage)
}

pub(crate) fn open(path: &PathBuf) -> Result<Box<dyn Read>, CliError> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(io::stdin().lock()));
    }
    let shown = crate::sanitize::clean(&path.display().to_string()).into_owned();
    if path.is_dir() {
        return Err(CliError::Input(format!(
            "{shown}: is a directory; give one message file (a Maildir message is a file in cur/ or new/)"
        )));
    }
    File::open(path)
        .map(|f| Box::new(f) as Box<dyn Read>)
        .map_err(|e| CliError::Input(format!("{shown}: {}", io_words(&e))))
}

fn io_words(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

pub(crate) fn write_err(e: &io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError::Closed
    } else {
        CliError::Input(format!("cannot write the output: {e}"))
    }
}

fn hops(
    path: &PathBuf,
    json: bool,
    pick: Option<usize>,
    opts: &Options,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let shown = crate::sanitize::clean(&path.display().to_string()).into_owned();
    let mut reader = Reader::new(open(path)?);
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let mut seen = 0usize;
    let mut good = 0usize;
    let mut mbox = false;
    while let Some(next) = reader.next() {
        let message = next.map_err(|e| CliError::Input(format!("{shown}: {}", LoadError::from(e))))?;
        mbox |= reader.is_mbox();
        seen += 1;
        if pick.is_some_and(|n| n != message.number) {
            continue;
        }
        let has_fields = fields(&message.header).next().is_some();
        if !has_fields && !mbox {
            return Err(CliError::Input(format!("{shown}: {}", LoadError::NotAMessage)));
        }
        good += usize::from(has_fields);
        let mut t = trace::analyse(&message, opts);
        if !has_fields {
            t.warnings
                .insert(0, "not an e-mail message: no header fields found".to_string());
        }
        if json {
            out.write_all(
                crate::sanitize::json_line(&t)
                    .map_err(|e| CliError::Input(e.to_string()))?
                    .as_bytes(),
            )
            .map_err(|e| write_err(&e))?;
            out.write_all(b"\n").map_err(|e| write_err(&e))?;
        } else {
            let title = mbox.then(|| format!("message {} of {shown}", message.number));
            report::write_text(&mut out, &t, title.as_deref()).map_err(|e| write_err(&e))?;
        }
        if pick.is_some() {
            break;
        }
    }
    out.flush().map_err(|e| write_err(&e))?;
    if let Some(n) = pick {
        if seen < n {
            return Err(CliError::Input(format!(
                "{shown}: {}",
                LoadError::NoSuchMessage {
                    wanted: n,
                    count: seen
                }
            )));
        }
    } else if good == 0 {
        return Err(CliError::Input(format!("{shown}: {}", LoadError::NotAMessage)));
    }
    Ok(())
}

/// A class by its JSON name.
fn parse_class(s: &str) -> Result<crate::trace::entry::Class, String> {
    crate::trace::entry::Class::ALL
        .into_iter()
        .find(|c| c.name() == s)
        .ok_or_else(|| {
            let names: Vec<&str> = crate::trace::entry::Class::ALL.iter().map(|c| c.name()).collect();
            format!("one of {}", names.join(", "))
        })
}
