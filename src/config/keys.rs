//! Every key of the configuration file, with its default and what it does: the one
//! table `relaytrace config init` writes its starter file from, `config show`
//! walks, and the tests hold `docs/configuration.md` and the structs of this module
//! to (a key missing from either side fails them).

/// One key.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// `""` for the top level.
    pub section: &'static str,
    pub name: &'static str,
    /// The value as TOML: the default, or an example when `default` is false.
    pub value: &'static str,
    /// Whether `value` is the default (else the key is unset by default).
    pub default: bool,
    pub doc: &'static str,
}

const fn d(section: &'static str, name: &'static str, value: &'static str, doc: &'static str) -> Key {
    Key {
        section,
        name,
        value,
        default: true,
        doc,
    }
}

const fn e(section: &'static str, name: &'static str, value: &'static str, doc: &'static str) -> Key {
    Key {
        section,
        name,
        value,
        default: false,
        doc,
    }
}

/// The sections, in the order the starter file and `config show` give them, each
/// with a line on what it is for.
pub const SECTIONS: [(&str, &str); 10] = [
    ("", "top level"),
    ("reporter", "who writes the complaints"),
    (
        "trust",
        "your own mail site (SpamCop's \"mailhosts\"): hops inside it are trusted",
    ),
    ("input", "how much of a message is read"),
    (
        "network",
        "where lookups go, how long they may take, the answer cache",
    ),
    ("zones", "the DNS-based services (these are the defaults)"),
    ("compose", "the complaints"),
    ("smtp", "sending by SMTP submission (or [sendmail])"),
    ("sendmail", "sending by the local sendmail program (or [smtp])"),
    (
        "keys",
        "the TUI's keys: each action named gets exactly the keys given",
    ),
];

/// Every key but the `[keys]` actions (those are `tui::keymap::Action::ALL`).
pub const KEYS: &[Key] = &[
    d(
        "",
        "clipboard",
        "\"auto\"",
        "how the TUI copies: \"auto\" (the system clipboard where there is a display, else OSC 52), \"system\" (X11 or Wayland) or \"osc52\" (the terminal's escape sequence; works over SSH)",
    ),
    e(
        "reporter",
        "name",
        "\"Jane Doe\"",
        "your name, under each complaint",
    ),
    e(
        "reporter",
        "address",
        "\"jane@example.org\"",
        "your address: the complaints' From and envelope sender; sending needs it",
    ),
    d(
        "reporter",
        "redact",
        "[]",
        "your own addresses, replaced in the forwarded copy while redaction is on (not in ARF)",
    ),
    e(
        "reporter",
        "redact_with",
        "\"nobody@example.invalid\"",
        "what they are replaced with (default: redacted@relaytrace.invalid)",
    ),
    d(
        "trust",
        "hosts",
        "[]",
        "host names, domains, IP addresses and CIDR networks of your own mail hosts (--trust adds to them)",
    ),
    d(
        "trust",
        "authserv_ids",
        "[]",
        "the authserv-ids of Authentication-Results lines your site writes besides its host names: only those lines are trusted",
    ),
    d(
        "input",
        "max_message_mb",
        "256",
        "the largest message read, in MiB (each of an mbox's; standard input whole), 1 to 16384",
    ),
    d(
        "network",
        "dns_servers",
        "[]",
        "DNS servers as \"ip\" or \"ip:port\"; empty: the system's resolver configuration. Every host relaytrace connects to is resolved through them",
    ),
    d(
        "network",
        "whois_port",
        "43",
        "the port every whois server is reached on",
    ),
    e(
        "network",
        "rdap_bootstrap_url",
        "\"https://data.iana.org/rdap/\"",
        "where IANA's RDAP bootstrap files are; when set, it wins over the tables shipped inside",
    ),
    d(
        "network",
        "timeout_secs",
        "8.0",
        "the time limit of each lookup, in seconds (0.1 to 3600)",
    ),
    d(
        "network",
        "per_server",
        "2",
        "at most this many requests to one server at a time (1 to 1024)",
    ),
    d(
        "network",
        "per_server_rate",
        "10.0",
        "at most this many requests a second start to one whois or RDAP server (0: unpaced)",
    ),
    d(
        "network",
        "max_requests",
        "64",
        "at most this many requests in flight over all servers (1 to 1024)",
    ),
    d(
        "network",
        "iana_tables",
        "true",
        "answer from the shipped IANA delegation tables instead of asking whois.iana.org",
    ),
    d(
        "network",
        "cache",
        "true",
        "keep answers on disk in the cache folder (false: in memory only)",
    ),
    d(
        "network",
        "cache_max_age_days",
        "30",
        "answers older than this are removed from the disk cache (0: kept however old)",
    ),
    d(
        "network",
        "cache_max_mb",
        "64",
        "past this size in MiB the oldest answers are removed from the disk cache (0: no limit)",
    ),
    d(
        "network",
        "traceroute",
        "true",
        "probe the path to the relay (needs root or the CAP_NET_RAW capability: see the README's Install section)",
    ),
    d(
        "network",
        "allow_private_servers",
        "false",
        "let whois and RDAP reach loopback, private, link-local and metadata addresses, and referrals name any port (a test lab); off, a hostile answer cannot aim relaytrace at your own network",
    ),
    d(
        "network",
        "relay_test_port",
        "25",
        "the port the open-relay test (O in the TUI, relaytrace relaytest) connects to",
    ),
    d(
        "zones",
        "asn_origin",
        "\"origin.asn.cymru.com\"",
        "IPv4 address to origin AS (Team Cymru's format)",
    ),
    d(
        "zones",
        "asn_origin6",
        "\"origin6.asn.cymru.com\"",
        "IPv6 address to origin AS",
    ),
    d(
        "zones",
        "asn_peer",
        "\"peer.asn.cymru.com\"",
        "an address's upstream ASes",
    ),
    d("zones", "asn_name", "\"asn.cymru.com\"", "an AS number's name"),
    d(
        "zones",
        "abusix",
        "\"abuse-contacts.abusix.zone\"",
        "Abusix's abuse-contact lookup",
    ),
    d(
        "zones",
        "abuse_net",
        "\"contacts.abuse.net\"",
        "abuse.net's contacts of a domain",
    ),
    d(
        "zones",
        "dnsbl",
        "[\"zen.spamhaus.org\", \"bl.spamcop.net\", \"b.barracudacentral.org\"]",
        "the blocklists every relay is checked against",
    ),
    e(
        "compose",
        "owner_template",
        "\"~/.config/relaytrace/owner.txt\"",
        "a template file for the complaint to the owner (default: the one built in for the class); ~ and $VAR are expanded",
    ),
    e(
        "compose",
        "isp_template",
        "\"~/.config/relaytrace/isp.txt\"",
        "a template file for the complaint to the ISP",
    ),
    e(
        "compose",
        "templates_dir",
        "\"~/.config/relaytrace/templates\"",
        "a folder of templates <class>-<side>.txt (compromised_account-owner.txt, …) overriding the built-in ones",
    ),
    d(
        "compose",
        "quote_inline",
        "false",
        "also quote the spam inline with \"> \" after the text",
    ),
    d(
        "compose",
        "max_age_days",
        "7",
        "a spam older than this gets a warning and a sentence in the complaint",
    ),
    d(
        "compose",
        "big_spam_kb",
        "1024",
        "a bigger spam is flagged in the preview and the send dialog, with H to forward its headers only",
    ),
    e(
        "smtp",
        "host",
        "\"smtp.example.org\"",
        "the submission server (setting [smtp] needs it)",
    ),
    e(
        "smtp",
        "port",
        "587",
        "default: 587 for starttls, 465 for tls, 25 for none",
    ),
    d(
        "smtp",
        "security",
        "\"starttls\"",
        "\"starttls\", \"tls\" (implicit, port 465) or \"none\" (a local relay)",
    ),
    e("smtp", "username", "\"jane\"", "the login; without it, no AUTH"),
    e(
        "smtp",
        "password_command",
        "\"pass show mail/smtp\"",
        "a command that prints the password (never stored); the TUI hands it the terminal, so pinentry can ask",
    ),
    e(
        "smtp",
        "ca_file",
        "\"/etc/ssl/private-ca.pem\"",
        "a PEM certificate authority to trust besides the Mozilla roots built in (a private relay); the system's store is not read",
    ),
    d(
        "smtp",
        "timeout_secs",
        "60.0",
        "the whole send ends within this many seconds; past it, if the server already has the message, the outcome is logged \"unknown\"",
    ),
    d(
        "smtp",
        "allow_plaintext_auth",
        "false",
        "let security = \"none\" log in (the password would cross the network in clear)",
    ),
    d(
        "sendmail",
        "path",
        "\"/usr/sbin/sendmail\"",
        "the program, or the program with its own arguments ([\"msmtp\", \"-a\", \"abuse\"]); relaytrace adds -i -f <from> -- <recipients>",
    ),
    d(
        "sendmail",
        "timeout_secs",
        "60.0",
        "sendmail must finish within this many seconds",
    ),
];

/// The key `name` of `section`.
pub fn find(section: &str, name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.section == section && k.name == name)
}

/// The names of a section's keys (for "did you mean").
pub fn names(section: &str) -> impl Iterator<Item = &'static str> + '_ {
    KEYS.iter().filter(move |k| k.section == section).map(|k| k.name)
}
