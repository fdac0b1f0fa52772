//! The command line (docs/json.md): what it accepts, parsed by clap. The `cmd`
//! runs it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Investigate spam: where it got in, who runs that network, and whom to tell.
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
  relaytrace config init                     a starter configuration file

Manual pages: man relaytrace, man relaytrace-compose, … (relaytrace man --dir
~/.local/share/man/man1 installs them). Every configuration key, explained:
relaytrace config init --stdout.

Exit status: 0 success, 1 the input is not a readable message, 2 usage or configuration error,
3 compose found nobody to send the complaint to (give one with --add-to).";

/// Options every command takes.
#[derive(Debug, Args, Default)]
pub struct Global {
    /// The configuration file.
    #[arg(
        long,
        value_name = "FILE",
        global = true,
        help = "Configuration file (default: $XDG_CONFIG_HOME/relaytrace/config.toml)"
    )]
    pub config: Option<PathBuf>,

    /// A host name, domain, IP address or CIDR network of your own mail site;
    /// hops inside it are trusted. Repeatable; adds to the config's [trust] hosts.
    #[arg(long, value_name = "HOST|DOMAIN|CIDR", global = true)]
    pub trust: Vec<String>,

    /// Never use the network: no packet leaves the machine (no traceroute, no relay
    /// test); lookups are answered from the cache only. (`hops` never uses the
    /// network at all.)
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

    /// Test whether a relay is open right now (opt-in; never DATA).
    ///
    /// Connects to the relay's SMTP port, says EHLO with your [reporter] domain and
    /// offers your own address as an outside recipient in eight forms open relays
    /// accept (plain, `%` hack, `!` paths, source route, quoted, the relay's name
    /// around it), each after MAIL FROM and followed by RSET. It never sends DATA,
    /// stops at the first accepted recipient and ends with QUIT. Prints the
    /// verdict (open, closed, greylisted, unreachable), the transcript and the same
    /// probes as swaks commands. One test per relay per day unless --force.
    Relaytest(RelaytestArgs),

    /// Where the configuration is, what is in effect, a starter file.
    ///
    /// `config path` prints the file's path (whether or not it exists); `config show`
    /// prints the configuration in effect, each value with where it came from (the
    /// file and line, the default, or --trust); `config init` writes a starter file
    /// with every key commented out (never over an existing one unless --force).
    /// Every key is described in docs/configuration.md.
    Config(ConfigArgs),

    /// Print the completion script of a shell (bash, zsh, fish, elvish, powershell).
    ///
    /// bash:  relaytrace completions bash > ~/.local/share/bash-completion/completions/relaytrace
    /// zsh:   relaytrace completions zsh > ~/.zfunc/_relaytrace   (with fpath+=~/.zfunc)
    /// fish:  relaytrace completions fish > ~/.config/fish/completions/relaytrace.fish
    Completions(CompletionsArgs),

    /// Print the manual page (roff), or write one page a command into a folder.
    ///
    /// man:  relaytrace man --dir ~/.local/share/man/man1 && man relaytrace
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print the configuration file's path.
    Path,
    /// Print the configuration in effect, each value with where it came from.
    Show,
    /// Write a starter configuration file with every key commented out.
    Init {
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        /// Print it instead of writing the file.
        #[arg(long, conflicts_with = "force")]
        stdout: bool,
    },
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write relaytrace.1 and one relaytrace-COMMAND.1 a command into this folder
    /// instead of printing relaytrace.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RelaytestArgs {
    /// Print one compact JSON object.
    #[arg(long)]
    pub json: bool,

    /// Test again although the relay was tested in the last day.
    #[arg(long)]
    pub force: bool,

    /// The relay's host name, for the forms that name it (else its address literal).
    #[arg(long, value_name = "HOST")]
    pub name: Option<String>,

    /// The port to connect to (default: `[network] relay_test_port`, 25).
    #[arg(long)]
    pub port: Option<u16>,

    /// The relay's IP address.
    #[arg(value_name = "IP")]
    pub ip: std::net::IpAddr,
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
    /// Print one compact JSON object per message (docs/json.md).
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
    /// Print one compact JSON object (docs/json.md).
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
    /// Print one compact JSON object per message (docs/json.md).
    #[arg(long)]
    pub json: bool,

    /// Message file (.eml, mbox, Maildir file) or - for standard input.
    #[arg(value_name = "MESSAGE|-")]
    pub file: PathBuf,
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
