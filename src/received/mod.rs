//! One `Received:` line in, its fields out. Pure: no I/O, no allocation beyond the
//! result, linear in the length of the line, never panics on any bytes.
//!
//! The parser reads the line the way a person does: it splits the text into clauses
//! (`from`, `by`, `via`, `with`, `id`, `for`, and the date after the last `;`), then
//! reads the `from` clause's comments to tell the name the sender gave (HELO), the
//! name its address resolved to (reverse DNS) and the address itself. Which of the
//! two names comes first depends on the MTA that wrote the line (Sendmail and Postfix
//! put the HELO first, qmail and Exim the reverse DNS), so the shape of the comments
//! and a few MTA fingerprints decide.

mod date;
mod ip;

use std::net::IpAddr;

pub use date::{Timestamp, parse_date};
pub use ip::{is_impossible, is_ip_literal, is_loopback, is_private, parse_ip_token, strip_prefix_ci};

/// How much of one line the parser reads; the raw line is kept whole regardless.
const MAX_PARSE_LEN: usize = 16 * 1024;

/// What kind of step a `Received:` line records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A host handed the message over a network connection (SMTP, LMTP, HTTP, …).
    Transfer,
    /// A step on one host with no network sender: qmail's `invoked by`, a pickup
    /// directory, local delivery, a content filter.
    Local,
    /// The message was fetched from a mailbox (fetchmail, POP3, IMAP).
    Fetch,
    /// The line could not be read.
    #[default]
    Unparsed,
    /// Not a `Received:` line: the client address a webmail or submission server
    /// recorded in `X-Originating-IP`, shown as a last hop below the others.
    Originating,
}

/// The fields of one `Received:` line. Absent values are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Received {
    pub kind: Kind,
    /// The name the sender announced with HELO/EHLO/LHLO (as written, IP literals keep
    /// their brackets).
    pub from_helo: Option<String>,
    /// The name the receiving host found for the sender's address (reverse DNS).
    pub from_rdns: Option<String>,
    /// The address of the host that connected.
    pub from_ip: Option<IpAddr>,
    /// The host that wrote this line.
    pub by: Option<String>,
    pub with: Option<String>,
    pub via: Option<String>,
    pub id: Option<String>,
    pub for_: Option<String>,
    pub ident: Option<String>,
    pub envfrom: Option<String>,
    pub auth: Option<String>,
    pub tls: Option<String>,
    pub date: Option<Timestamp>,
    /// The receiving MTA said the reverse DNS did not match forward (`may be forged`).
    pub rdns_mismatch: bool,
    /// For `fetch` and `local` lines: the host (and address) named, kept for display.
    pub source: Option<String>,
}

impl Received {
    /// Did the parser understand the line?
    #[must_use]
    pub fn parsed(&self) -> bool {
        self.kind != Kind::Unparsed
    }
}

#[derive(Debug, Clone)]
enum Tok {
    Word(String),
    /// A parenthesised comment (its inner text); `glued` when no space preceded it.
    Comment {
        text: String,
        glued: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    From,
    By,
    Via,
    With,
    Id,
    For,
    EnvFrom,
}

struct Clause {
    key: Key,
    toks: Vec<Tok>,
}

/// Parses the value of one `Received:` header field (without the field name).
#[must_use]
pub fn parse(raw: &[u8]) -> Received {
    let text = normalize(raw);
    let mut text = text.trim();
    if let Some(rest) = strip_prefix_ci(text, "received:") {
        text = rest.trim_start();
    }
    let (clauses_text, date_text) = split_date(text);
    let mut r = Received {
        date: date_text.and_then(parse_date),
        ..Received::default()
    };
    let mut toks = tokenize(clauses_text);
    // "(from KRYPTIK [70.20.57.51]) by host.name" (Norton AntiVirus gateway)
    if let Some(Tok::Comment { text, .. }) = toks.first()
        && strip_prefix_ci(text, "from ").is_some()
    {
        let mut inner = tokenize(text);
        inner.extend(toks.drain(1..));
        toks = inner;
    }
    let starts_with_comment = matches!(toks.first(), Some(Tok::Comment { .. }));
    let clauses = split_clauses(toks);
    let has_from = clauses.iter().any(|c| c.key == Key::From);
    let has_by = clauses.iter().any(|c| c.key == Key::By);

    for c in &clauses {
        match c.key {
            Key::By => {
                // "by user@example.com" (ratware) names no host.
                r.by = first_word(&c.toks)
                    .map(|w| clean_host(&w))
                    .filter(|w| !w.contains('@'));
            }
            Key::With => r.with = with_value(&c.toks),
            Key::Via => r.via = first_word(&c.toks),
            Key::Id => r.id = first_word(&c.toks).map(|w| strip_angle(&w)),
            Key::For => r.for_ = first_word(&c.toks).map(|w| strip_angle(&w)),
            Key::EnvFrom => r.envfrom = first_word(&c.toks).map(|w| strip_angle(&w)),
            Key::From => {}
        }
    }
    // An id written after the date (Courier, some Exchange gateways).
    if r.id.is_none()
        && let Some(d) = date_text
    {
        let words: Vec<&str> = d.split_whitespace().collect();
        if let Some(i) = words.iter().position(|w| w.eq_ignore_ascii_case("id")) {
            r.id = words.get(i + 1).map(|w| strip_angle(w));
        }
    }
    scan_comments(&clauses, date_text, &mut r);

    let from = clauses.iter().find(|c| c.key == Key::From);
    if let Some(from) = from {
        read_from_clause(&from.toks, &mut r, text);
    }
    classify(&mut r, text, has_from, has_by, starts_with_comment);
    r
}

/// Lossy UTF-8, every control character (folding included) turned into a space,
/// runs of spaces collapsed, at most `MAX_PARSE_LEN` bytes read.
fn normalize(raw: &[u8]) -> String {
    let raw = &raw[..raw.len().min(MAX_PARSE_LEN)];
    let s = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c == '\0' {
            // NULs are dropped, not spaced: they split tokens ratware wants whole.
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// Splits at the last `;` outside comments: clauses before it, the date after it.
fn split_date(text: &str) -> (&str, Option<&str>) {
    let mut depth = 0i32;
    let mut last = None;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth = (depth - 1).max(0),
            b';' if depth == 0 => last = Some(i),
            _ => {}
        }
    }
    // "(SquirrelMail authenticated user x); by host with HTTP; date" works because
    // the last ';' is the date's; what follows a ';' with no date in it (an id after
    // the date, a comment) is read by the callers from the same part.
    match last {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    }
}

fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut word = String::new();
    let mut chars = text.char_indices().peekable();
    let mut prev_space = true;
    while let Some((i, c)) = chars.next() {
        match c {
            '(' => {
                let glued = !word.is_empty();
                if !word.is_empty() {
                    toks.push(Tok::Word(std::mem::take(&mut word)));
                }
                // Find the matching parenthesis (or the end of the text).
                let mut depth = 1u32;
                let start = i + 1;
                let mut end = text.len();
                for (j, d) in chars.by_ref() {
                    match d {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                end = j;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                toks.push(Tok::Comment {
                    text: text[start..end].trim().to_string(),
                    glued: glued && !prev_space,
                });
                prev_space = false;
            }
            ' ' => {
                if !word.is_empty() {
                    toks.push(Tok::Word(std::mem::take(&mut word)));
                }
                prev_space = true;
            }
            ')' => {}
            _ => {
                word.push(c);
                prev_space = false;
            }
        }
    }
    if !word.is_empty() {
        toks.push(Tok::Word(word));
    }
    // Drop words that are only punctuation (", " after a comment).
    toks.retain(|t| match t {
        Tok::Word(w) => w.chars().any(char::is_alphanumeric) || w.contains('[') || w.contains('<'),
        Tok::Comment { .. } => true,
    });
    toks
}

fn keyword(word: &str) -> Option<Key> {
    let w = word.trim_end_matches(',');
    Some(match w.to_ascii_lowercase().as_str() {
        "from" => Key::From,
        "by" => Key::By,
        "via" => Key::Via,
        "with" => Key::With,
        "id" => Key::Id,
        "for" => Key::For,
        _ => return None,
    })
}

fn split_clauses(toks: Vec<Tok>) -> Vec<Clause> {
    let mut clauses: Vec<Clause> = Vec::new();
    let mut seen: Vec<Key> = Vec::new();
    for t in toks {
        if let Tok::Word(w) = &t
            && let Some(mut k) = keyword(w)
        {
            if k == Key::From && seen.contains(&Key::By) {
                k = Key::EnvFrom; // XMail: "... for <rcpt> from <sender>"
            }
            if !seen.contains(&k) {
                // "for" inside the from clause ("for" as a HELO) is rare; keywords
                // are taken the first time they appear.
                seen.push(k);
                clauses.push(Clause {
                    key: k,
                    toks: Vec::new(),
                });
                continue;
            }
        }
        if let Some(c) = clauses.last_mut() {
            c.toks.push(t);
        }
    }
    clauses
}

fn first_word(toks: &[Tok]) -> Option<String> {
    toks.iter().find_map(|t| match t {
        Tok::Word(w) => {
            let w = w.trim_end_matches([',', ';']);
            (!w.is_empty()).then(|| w.to_string())
        }
        Tok::Comment { .. } => None,
    })
}

fn with_value(toks: &[Tok]) -> Option<String> {
    let mut words = Vec::new();
    for t in toks {
        match t {
            Tok::Word(w) => {
                let w = w.trim_end_matches([',', ';']);
                if words.is_empty() && w.starts_with('[') {
                    // "with [XMail 1.20 ESMTP Server]"
                    continue;
                }
                if w.ends_with(']') {
                    continue;
                }
                words.push(w.to_string());
                if words.len() >= 3 || !words[0].eq_ignore_ascii_case("microsoft") {
                    break;
                }
            }
            Tok::Comment { .. } if !words.is_empty() => break,
            Tok::Comment { .. } => {}
        }
    }
    if words.is_empty() {
        return None;
    }
    let joined = words.join(" ");
    // stalwart: "ESMTP/TLS/DHE-RSA-AES256-GCM-SHA384"
    Some(match joined.split_once('/') {
        Some((proto, _)) if !proto.is_empty() && !joined.contains(' ') => proto.to_string(),
        _ => joined,
    })
}

fn strip_angle(w: &str) -> String {
    let w = w.trim_end_matches([',', ';', '.']);
    let w = w.strip_prefix('<').unwrap_or(w);
    let w = w.strip_prefix('<').unwrap_or(w);
    let w = w.strip_suffix('>').unwrap_or(w);
    w.strip_suffix('>').unwrap_or(w).to_string()
}

fn clean_host(w: &str) -> String {
    let w = w.trim_end_matches([',', ';', ':']);
    let w = w.strip_prefix('<').and_then(|x| x.strip_suffix('>')).unwrap_or(w);
    w.to_string()
}

/// Looks through every comment (and the date part) for authentication, TLS and
/// envelope-sender details, wherever the MTA put them.
fn scan_comments(clauses: &[Clause], date_text: Option<&str>, r: &mut Received) {
    let mut comments: Vec<&str> = Vec::new();
    for c in clauses {
        for t in &c.toks {
            if let Tok::Comment { text, .. } = t {
                comments.push(text);
            }
        }
    }
    let trailing: Vec<Tok> = date_text.map(tokenize).unwrap_or_default();
    for t in &trailing {
        if let Tok::Comment { text, .. } = t {
            comments.push(text);
        }
    }
    for text in comments {
        let lower = text.to_ascii_lowercase();
        for key in ["envelope-from", "envelope-sender"] {
            if r.envfrom.is_none()
                && let Some(pos) = lower.find(key)
            {
                let rest = text[pos + key.len()..].trim_start_matches([' ', '=', ':']);
                let addr = rest.split([' ', ',']).next().unwrap_or("");
                if !addr.is_empty() {
                    r.envfrom = Some(strip_angle(addr));
                }
            }
        }
        if r.auth.is_none() {
            r.auth = auth_in_comment(text, &lower);
        }
        if r.via.is_none() && lower.starts_with("via ") {
            r.via = Some(text[4..].trim().to_string());
        }
        if r.tls.is_none() && is_tls_comment(&lower) {
            r.tls = Some(short(text, 160));
        }
        if r.ident.is_none()
            && let Some(pos) = lower.find("ident=")
        {
            let v = text[pos + 6..].split([' ', ',']).next().unwrap_or("");
            if !v.is_empty() {
                r.ident = Some(v.to_string());
            }
        }
    }
    if let Some(with) = &r.with {
        let up = with.to_ascii_uppercase();
        if r.auth.is_none() && proto_is_authenticated(&up) {
            r.auth = Some(with.clone());
        }
        if r.tls.is_none() && proto_is_tls(&up) {
            r.tls = Some(with.clone());
        }
    }
    // GMX's submission servers ("by mail.gmx.net (mp033)") take only logged-in users.
    if r.auth.is_none()
        && let Some(by) = &r.by
    {
        let by = by.to_ascii_lowercase();
        if by.ends_with("mail.gmx.net") || by.ends_with("mail.gmx.com") {
            let by_clause = clauses.iter().find(|c| c.key == Key::By);
            let mp = by_clause.is_some_and(|c| {
                c.toks.iter().any(|t| {
                    matches!(t, Tok::Comment { text, .. } if text.len() > 2
                            && text.starts_with("mp")
                            && text[2..].bytes().all(|b| b.is_ascii_digit()))
                })
            });
            if mp {
                r.auth = Some(format!("GMX submission ({by})"));
            }
        }
    }
}

fn short(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

fn auth_in_comment(text: &str, lower: &str) -> Option<String> {
    let words: Vec<&str> = lower.split(|c: char| c.is_whitespace() || c == ',').collect();
    let authenticated = words.iter().enumerate().any(|(i, w)| {
        w.starts_with("authenticated") && !(i > 0 && matches!(words[i - 1], "not" | "no" | "un"))
    });
    if authenticated
        || lower.starts_with("auth:")
        || lower.contains(" auth:")
        || lower.starts_with("auth=")
        || lower.contains(" auth=")
        || lower.starts_with("account ")
    {
        return Some(short(text, 120));
    }
    None
}

fn is_tls_comment(lower: &str) -> bool {
    lower.contains("using tls")
        || lower.contains("using ssl")
        || lower.contains("version=tls")
        || lower.contains("version=ssl")
        || lower.contains("cipher=")
        || lower.contains("encrypted")
        || lower.starts_with("tlsv")
        || lower.starts_with("tls1")
        || lower.starts_with("tls-")
        || lower.starts_with("tls ")
        || lower.contains("ssl:")
}

fn proto_is_authenticated(up: &str) -> bool {
    let base = up.split(['/', ' ']).next().unwrap_or(up);
    ((base.contains("SMTP") || base.contains("LMTP"))
        && (base.ends_with('A') || base.ends_with("SA") || base.ends_with("A*")))
        || base == "ASMTP"
        || base == "HTTP"
        || base == "HTTPU"
        || base == "HTTPSA"
        || base == "MAPI"
}

fn proto_is_tls(up: &str) -> bool {
    let base = up.split(['/', ' ']).next().unwrap_or(up);
    matches!(
        base,
        "ESMTPS" | "ESMTPSA" | "LMTPS" | "LMTPSA" | "UTF8SMTPS" | "UTF8SMTPSA" | "SMTPS" | "ESMTPS*"
    ) || up.contains("/TLS")
}

/// What one comment of the `from` clause says.
// Each flag is a separate thing the comment states (a bracketed address, a port
// after it, a verified or a forged name): no two of them are one state.
#[allow(clippy::struct_excessive_bools)]
#[derive(Default)]
struct CommentFacts {
    helo: Option<String>,
    /// `(name [ip])`: the name before a bracketed address.
    name_before_ip: Option<String>,
    ip: Option<IpAddr>,
    ip_bracketed: bool,
    ip_had_port: bool,
    ident: Option<String>,
    verified: bool,
    forged: bool,
    plain_name: Option<String>,
}

fn read_comment(text: &str) -> CommentFacts {
    let mut f = CommentFacts::default();
    // "name[1.2.3.4]" is read as "name [1.2.3.4]".
    let mut flat = String::with_capacity(text.len() + 4);
    let mut prev = ' ';
    for c in text.chars() {
        if c == '[' && (prev.is_ascii_alphanumeric() || prev == '.' || prev == '>') {
            flat.push(' ');
        }
        flat.push(if c == '(' || c == ')' { ' ' } else { c });
        prev = c;
    }
    let lower = flat.to_ascii_lowercase();
    f.forged = lower.contains("may be forged");
    let words: Vec<&str> = flat.split_whitespace().collect();
    let mut i = 0;
    let mut prev_name: Option<&str> = None;
    while i < words.len() {
        let w = words[i];
        let wl = w.to_ascii_lowercase();
        if matches!(wl.as_str(), "helo" | "ehlo" | "lhlo") {
            // "(HELO name)", "(EHLO )": the word after is the name, possibly none.
            let next = words.get(i + 1).copied();
            let is_kw = next.is_some_and(|n| {
                let n = n.to_ascii_lowercase();
                n == "verified" || n == "unverified"
            });
            f.helo = Some(if is_kw {
                String::new()
            } else {
                next.unwrap_or("").to_string()
            });
            i += 2;
            continue;
        }
        if let Some(v) = wl.strip_prefix("helo=") {
            let _ = v;
            f.helo = Some(w[5..].trim_end_matches([',', ')']).to_string());
            i += 1;
            continue;
        }
        if wl == "verified" {
            f.verified = true;
        }
        if wl == "account" {
            // CommuniGate: "(account user@example.com HELO x)": skip the account name.
            i += 2;
            continue;
        }
        if f.ip.is_none() {
            // "ident@1.2.3.4", "IDENT:squid@[1.2.3.4]", "user@domain@1.2.3.4"
            let (ident, addr) = match w.rfind('@') {
                Some(at) => (Some(&w[..at]), &w[at + 1..]),
                None => (None, w),
            };
            if let Some(ip) = parse_ip_token(addr) {
                f.ip = Some(ip);
                f.ip_bracketed = addr.starts_with('[');
                let inner = addr.trim_start_matches('[');
                f.ip_had_port = addr.contains("]:")
                    || (ip.is_ipv4() && inner.trim_end_matches(']').contains(':'))
                    || (ip.is_ipv4() && inner.trim_end_matches(']').split('.').count() == 5);
                if let Some(id) = ident {
                    let id = id.strip_prefix("IDENT:").unwrap_or(id);
                    if !id.is_empty() {
                        f.ident = Some(id.to_string());
                    }
                }
                if f.ip_bracketed
                    && let Some(name) = prev_name
                {
                    let (id, name) = match name.rfind('@') {
                        Some(at) => (Some(&name[..at]), &name[at + 1..]),
                        None => (None, name),
                    };
                    if let Some(id) = id {
                        let id = id.strip_prefix("IDENT:").unwrap_or(id);
                        f.ident = Some(id.to_string());
                    }
                    f.name_before_ip = Some(name.to_string());
                }
                i += 1;
                continue;
            }
        }
        if i == 0 && words.len() == 1 && looks_like_name(w) {
            f.plain_name = Some(w.to_string());
        }
        prev_name = (f.ip.is_none() && looks_like_name(w.rsplit('@').next().unwrap_or(w))).then_some(w);
        i += 1;
    }
    f
}

fn looks_like_name(w: &str) -> bool {
    !w.is_empty()
        && w.len() <= 255
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'@' | b':'))
        && w.bytes().any(|b| b.is_ascii_alphabetic())
}

fn is_nameless(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    matches!(l.as_str(), "unknown" | "softdnserr" | "unverified" | "")
}

// Where the address came from decides how to read the names.
enum Src {
    NamedBracket(String),
    Bracket,
    Bare { port: bool, glued: bool },
    Stray,
    Word,
}

/// Reads HELO, reverse DNS, address and ident out of the `from` clause.
#[allow(clippy::too_many_lines)]
fn read_from_clause(toks: &[Tok], r: &mut Received, line: &str) {
    let mut it = toks.iter().peekable();
    let word = match it.peek() {
        Some(Tok::Word(w)) => {
            let w = w.trim_end_matches(',').to_string();
            it.next();
            Some(w)
        }
        _ => None,
    };
    let mut helo_explicit: Option<String> = None;
    let mut src: Option<Src> = None;
    let mut verified = false;
    let mut plain_name: Option<String> = None;
    let mut stray_words: Vec<&str> = Vec::new();
    for t in it {
        match t {
            Tok::Comment { text, glued } => {
                let f = read_comment(text);
                if f.helo.is_some() && helo_explicit.is_none() {
                    helo_explicit.clone_from(&f.helo);
                }
                verified |= f.verified;
                r.rdns_mismatch |= f.forged;
                if r.ident.is_none() {
                    r.ident.clone_from(&f.ident);
                }
                if plain_name.is_none() {
                    plain_name.clone_from(&f.plain_name);
                }
                if r.from_ip.is_none()
                    && let Some(ip) = f.ip
                {
                    r.from_ip = Some(ip);
                    src = Some(match (f.ip_bracketed, f.name_before_ip) {
                        (true, Some(name)) => Src::NamedBracket(name),
                        (true, None) => Src::Bracket,
                        (false, _) => Src::Bare {
                            port: f.ip_had_port,
                            glued: *glued,
                        },
                    });
                }
            }
            Tok::Word(w) => {
                stray_words.push(w);
                if r.from_ip.is_none()
                    && let Some(ip) = parse_ip_token(w)
                {
                    r.from_ip = Some(ip);
                    src = Some(Src::Stray);
                }
            }
        }
    }
    // 'claiming to be "foo.example"' (TIS smtpd)
    if let Some(pos) = stray_words
        .iter()
        .position(|w| w.eq_ignore_ascii_case("claiming"))
        && stray_words
            .get(pos + 1)
            .is_some_and(|w| w.eq_ignore_ascii_case("to"))
        && let Some(name) = stray_words.get(pos + 3)
    {
        helo_explicit = Some(name.trim_matches(['"', ',']).to_string());
    }
    for w in &stray_words {
        if let Some(v) = w.strip_prefix("helo=") {
            helo_explicit.get_or_insert_with(|| v.to_string());
        }
    }
    let word_ip = word.as_deref().and_then(parse_ip_token);
    if r.from_ip.is_none()
        && let Some(ip) = word_ip
    {
        r.from_ip = Some(ip);
        src = Some(Src::Word);
    }
    let word_is_name = word
        .as_deref()
        .is_some_and(|w| word_ip.is_none() && !is_nameless(w) && looks_like_name(w) && !w.contains('@'));
    let exim = is_exim(line, r);
    let helo_or_word = |helo: Option<String>| helo.or_else(|| word.clone());
    match src {
        Some(Src::NamedBracket(name)) => {
            if !is_nameless(&name) && looks_like_name(&name) {
                r.from_rdns = Some(name);
            }
            r.from_helo = helo_or_word(helo_explicit);
        }
        Some(Src::Bracket) => {
            if helo_explicit.is_some() {
                if word_is_name {
                    r.from_rdns.clone_from(&word);
                }
                r.from_helo = helo_explicit;
            } else {
                if word_is_name && (verified || exim) {
                    r.from_rdns.clone_from(&word);
                }
                r.from_helo.clone_from(&word);
            }
        }
        Some(Src::Bare { port, glued }) => {
            if glued {
                // TIS smtpd: "from name(1.2.3.4), claiming to be "helo""
                if word_is_name {
                    r.from_rdns.clone_from(&word);
                }
                r.from_helo = helo_explicit;
            } else {
                let dotted = word
                    .as_deref()
                    .is_some_and(|w| w.contains('.') && !w.starts_with('['));
                // Exchange IMS writes `from HELO (IP [IP])` when the address has no
                // name: the word is the client's HELO, not a name it looked up.
                if !port && dotted && !helo_writer(line) && word.as_deref().is_some_and(|w| !is_nameless(w)) {
                    r.from_rdns.clone_from(&word);
                }
                r.from_helo = helo_or_word(helo_explicit);
            }
        }
        Some(Src::Stray) => {
            // IMail writes `from HELO [IP]`: no name was looked up.
            if word_is_name && !helo_writer(line) && word.as_deref().is_some_and(|w| w.contains('.')) {
                r.from_rdns.clone_from(&word);
            }
            r.from_helo = helo_explicit.or(plain_name).or_else(|| word.clone());
        }
        Some(Src::Word) => {
            // Exim writes "from [ip] (helo=x)" and leaves helo= out when there was
            // none; others write the HELO literal itself.
            let bracketed = word.as_deref().is_some_and(|w| w.starts_with('['));
            r.from_helo = helo_explicit.or_else(|| if bracketed && !exim { word.clone() } else { None });
        }
        None => {
            r.from_helo = helo_or_word(helo_explicit);
            if plain_name.as_deref().is_some_and(|n| n.contains('.')) {
                r.from_rdns = plain_name;
            }
        }
    }
    // Web submissions have no HELO: what stands there is the client's name or address.
    if is_http(r) {
        r.from_helo = None;
        if r.auth.is_none() {
            r.auth = Some(r.with.clone().unwrap_or_else(|| "HTTP".to_string()));
        }
        if !matches!(r.from_rdns.as_deref(), Some(n) if n.contains('.')) {
            r.from_rdns = None;
        }
    }
    if r.from_helo.as_deref() == Some("") {
        r.from_helo = None;
    }
}

fn is_http(r: &Received) -> bool {
    let with = r.with.as_deref().unwrap_or("").to_ascii_uppercase();
    let via = r.via.as_deref().unwrap_or("").to_ascii_uppercase();
    matches!(with.as_str(), "HTTP" | "HTTPU" | "HTTPSA" | "XIMSS") || via == "HTTP"
}

/// MTAs that write the client's HELO, not a looked-up name, before its address:
/// Exchange's Internet Mail Service and `IMail`.
fn helo_writer(line: &str) -> bool {
    line.contains("Internet Mail Service") || line.contains("SMTPD32") || line.contains("(IMail ")
}

fn is_exim(line: &str, r: &Received) -> bool {
    if line.contains("(Exim ") || line.contains("Exim ") {
        return true;
    }
    let id_like = r.id.as_deref().is_some_and(|id| {
        let parts: Vec<&str> = id.split('-').collect();
        parts.len() == 3
            && parts[0].len() == 6
            && parts[1].len() == 6
            && (2..=4).contains(&parts[2].len())
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    let lower_proto = r
        .with
        .as_deref()
        .is_some_and(|w| matches!(w, "esmtp" | "esmtps" | "esmtpa" | "esmtpsa" | "smtp" | "asmtp"));
    id_like && lower_proto
}

/// Decides the kind of line; `fetch` and `local` lines give up their address, which
/// is not the address of a sender.
fn classify(r: &mut Received, line: &str, has_from: bool, has_by: bool, starts_with_comment: bool) {
    let with = r.with.as_deref().unwrap_or("").to_ascii_lowercase();
    let lower = line.to_ascii_lowercase();
    let fetch = matches!(
        with.as_str(),
        "pop3" | "pop" | "imap" | "imap4" | "imaps" | "pop3s" | "imap4rev1"
    ) || lower.contains("(fetchmail")
        || lower.contains("fetchmail-")
        || lower.contains("(getmail");
    // A content filter re-injecting ("from 1.2.3.4 by host with qmail-scanner") names
    // an address that is not a sender's; "with local" lines with no address are local
    // delivery, with an address ratware forged them and they are read as hand-offs.
    let local = with.starts_with("qmail-scanner")
        || (r.from_ip.is_none()
            && matches!(with.as_str(), "local" | "spool" | "scanned-ok" | "spamassassin"))
        || lower.starts_with("from mail pickup service")
        || lower.contains(" by uid ")
        || lower.contains("(avg smtp ")
        || (starts_with_comment && !has_from);
    let kind = if fetch {
        Kind::Fetch
    } else if local {
        Kind::Local
    } else if has_from || has_by {
        Kind::Transfer
    } else {
        Kind::Unparsed
    };
    if matches!(kind, Kind::Fetch | Kind::Local) {
        if let Some(ip) = r.from_ip.take() {
            let name = r
                .from_rdns
                .clone()
                .or_else(|| r.from_helo.clone())
                .unwrap_or_default();
            r.source = Some(format!("{name} [{ip}]").trim().to_string());
        } else {
            r.source = r.from_rdns.clone().or_else(|| r.from_helo.clone());
        }
    }
    r.kind = kind;
}

#[cfg(test)]
mod tests;
