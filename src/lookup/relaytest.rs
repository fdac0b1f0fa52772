//! The opt-in open-relay test: is the relay open right now?
//!
//! It connects to the relay's SMTP port, says EHLO with the reporter's domain, and
//! offers one outside recipient in each of the forms open relays have accepted (a
//! plain outside address, the `%` hack, `!` paths, a source route, a quoted local
//! part, the relay's own name with the outside address inside), each after a MAIL
//! FROM and followed by RSET. It **never sends DATA**: no message is ever handed
//! over. It stops at the first accepted recipient and ends with QUIT. The
//! transcript, the time and the verdict are evidence for the complaint; the same
//! probes as `swaks` commands let the user repeat it.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// What the test found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A recipient outside the relay's own domains was accepted from an outside sender.
    Open,
    /// Every form was refused.
    Closed,
    /// The relay answered "try again later" (4xx) and accepted none.
    Greylisted,
    /// No SMTP conversation: no connection, no greeting, or the greeting refused.
    Unreachable,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Open => "open",
            Verdict::Closed => "closed",
            Verdict::Greylisted => "greylisted",
            Verdict::Unreachable => "unreachable",
        }
    }
}

/// One test: what was sent, what came back, and what it means.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RelayTest {
    pub ip: IpAddr,
    pub port: u16,
    /// When it started (RFC 3339, UTC).
    pub time: String,
    pub verdict: Verdict,
    /// The recipient form the relay accepted, when open.
    pub accepted: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// `C: …` / `S: …` lines, as exchanged (controls escaped, long lines cut).
    pub transcript: Vec<String>,
    /// The same probes as `swaks` commands.
    pub swaks: Vec<String>,
}

/// What the test will do: the sender, the HELO name and each recipient form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub ip: IpAddr,
    pub port: u16,
    pub helo: String,
    pub sender: String,
    pub recipients: Vec<String>,
}

impl Plan {
    /// The probes for the relay at `ip` (named `relay_name` where known) from the
    /// reporter at `reporter`: the outside recipient is the reporter's own address.
    pub fn new(ip: IpAddr, port: u16, relay_name: Option<&str>, reporter: &str) -> Option<Plan> {
        let (user, domain) = reporter.trim().rsplit_once('@')?;
        if user.is_empty()
            || domain.is_empty()
            || !reporter.is_ascii()
            || reporter.contains(['<', '>', ' ', '"'])
        {
            return None;
        }
        let literal = match ip {
            IpAddr::V4(v4) => format!("[{v4}]"),
            IpAddr::V6(v6) => format!("[IPv6:{v6}]"),
        };
        let relay = relay_name
            .filter(|n| {
                !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            })
            .map_or_else(|| literal.clone(), str::to_string);
        let mut recipients = vec![
            format!("{user}@{domain}"),
            format!("{user}%{domain}@{relay}"),
            format!("{user}%{domain}@{literal}"),
            format!("{domain}!{user}@{relay}"),
            format!("{domain}!{user}"),
            format!("\"{user}@{domain}\"@{relay}"),
            format!("@{relay}:{user}@{domain}"),
            format!("{user}@{domain}@{relay}"),
        ];
        // Without the relay's name, the name and the literal forms are one: each
        // form is tried once.
        let mut seen = std::collections::HashSet::new();
        recipients.retain(|r| seen.insert(r.clone()));
        Some(Plan {
            ip,
            port,
            helo: domain.to_string(),
            sender: reporter.trim().to_string(),
            recipients,
        })
    }

    /// Exactly what will be sent, for the consent dialog.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![
            format!("connect to {} port {}", self.ip, self.port),
            format!("EHLO {}", self.helo),
        ];
        for r in &self.recipients {
            out.push(format!("MAIL FROM:<{}>  RCPT TO:<{r}>  RSET", self.sender));
        }
        out.push("QUIT — never DATA: no message is sent; stops at the first accepted recipient".into());
        out
    }

    /// The same probes as `swaks` commands (quitting after RCPT, so never DATA).
    pub fn swaks(&self) -> Vec<String> {
        self.recipients
            .iter()
            .map(|r| {
                format!(
                    "swaks --server {} --port {} --ehlo {} --from '{}' --to '{}' --quit-after RCPT",
                    self.ip, self.port, self.helo, self.sender, r
                )
            })
            .collect()
    }
}

/// A reply: its code and its text (multi-line joined).
struct Reply {
    code: u16,
    text: String,
}

/// The most lines read for one reply, and the longest line: a hostile server
/// cannot make the test read for ever.
const MAX_REPLY_LINES: usize = 64;
const MAX_LINE: usize = 2048;

struct Session<'a> {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    step: Duration,
    /// Kept outside the conversation: a test cut off by its time limit keeps what
    /// was said.
    transcript: &'a mut Vec<String>,
}

impl Session<'_> {
    async fn read(&mut self) -> Result<Reply, String> {
        let mut text = Vec::new();
        for _ in 0..MAX_REPLY_LINES {
            let mut line = Vec::new();
            let n = tokio::time::timeout(self.step, read_line(&mut self.reader, &mut line))
                .await
                .map_err(|_| format!("no answer within {} s", self.step.as_secs()))?
                .map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("the relay closed the connection".into());
            }
            let l = String::from_utf8_lossy(&line).trim_end().to_string();
            self.transcript
                .push(format!("S: {}", crate::sanitize::clip(&l, 300)));
            let code = l
                .get(..3)
                .and_then(|c| c.parse::<u16>().ok())
                .ok_or("not an SMTP reply")?;
            text.push(l.get(4..).unwrap_or("").to_string());
            if l.as_bytes().get(3) != Some(&b'-') {
                return Ok(Reply {
                    code,
                    text: text.join(" "),
                });
            }
        }
        Err("a reply of too many lines".into())
    }

    async fn command(&mut self, line: &str) -> Result<Reply, String> {
        self.transcript.push(format!("C: {line}"));
        let bytes = format!("{line}\r\n");
        tokio::time::timeout(self.step, self.writer.write_all(bytes.as_bytes()))
            .await
            .map_err(|_| "the relay stopped reading".to_string())?
            .map_err(|e| e.to_string())?;
        self.read().await
    }
}

/// One line, at most [`MAX_LINE`] bytes kept (the rest of a longer line read and
/// dropped).
async fn read_line(
    r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    out: &mut Vec<u8>,
) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok(total);
        }
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = MAX_LINE.saturating_sub(out.len());
        out.extend_from_slice(&buf[..take.min(room)]);
        r.consume(take);
        total += take;
        if done {
            return Ok(total);
        }
    }
}

/// Runs the test of `plan`, every step within `step` and the whole within `limit`.
/// `now` names the time it starts (RFC 3339, UTC).
pub async fn run(plan: &Plan, step: Duration, limit: Duration, now: String) -> RelayTest {
    let started = Instant::now();
    let mut result = RelayTest {
        ip: plan.ip,
        port: plan.port,
        time: now,
        verdict: Verdict::Unreachable,
        accepted: None,
        reason: String::new(),
        transcript: Vec::new(),
        swaks: plan.swaks(),
    };
    let mut transcript = Vec::new();
    let outcome = tokio::time::timeout(limit, conversation(plan, step, &mut transcript)).await;
    result.transcript = transcript;
    match outcome {
        Ok(Ok((verdict, accepted, reason))) => {
            result.verdict = verdict;
            result.accepted = accepted;
            result.reason = reason;
        }
        Ok(Err(e)) => {
            result.verdict = if result.transcript.iter().any(|l| l.starts_with("S: 2")) {
                // A conversation that broke off after the greeting: what was seen
                // decides (nothing accepted: not shown open).
                Verdict::Closed
            } else {
                Verdict::Unreachable
            };
            result.reason = e;
        }
        Err(_) => {
            result.reason = format!(
                "not finished within {} s ({} ms)",
                limit.as_secs(),
                started.elapsed().as_millis()
            );
        }
    }
    result
}

async fn conversation(
    plan: &Plan,
    step: Duration,
    transcript: &mut Vec<String>,
) -> Result<(Verdict, Option<String>, String), String> {
    let addr = SocketAddr::new(plan.ip, plan.port);
    let stream = match tokio::time::timeout(step, TcpStream::connect(addr)).await {
        Err(_) => return Err(format!("no connection to {addr} within {} s", step.as_secs())),
        Ok(Err(e)) => return Err(format!("no connection to {addr}: {e}")),
        Ok(Ok(s)) => s,
    };
    let (r, w) = stream.into_split();
    let mut s = Session {
        reader: BufReader::new(r),
        writer: w,
        step,
        transcript,
    };
    let result = steps(plan, &mut s).await;
    // Goodbye after a finished conversation (an error here changes nothing).
    if result.is_ok() {
        let _ = s.command("QUIT").await;
    }
    result
}

async fn steps(plan: &Plan, s: &mut Session<'_>) -> Result<(Verdict, Option<String>, String), String> {
    let greeting = s.read().await?;
    if greeting.code != 220 {
        return Ok((
            Verdict::Unreachable,
            None,
            format!(
                "the relay refused the connection: {} {}",
                greeting.code, greeting.text
            ),
        ));
    }
    let hello = s.command(&format!("EHLO {}", plan.helo)).await?;
    if hello.code / 100 != 2 {
        let helo = s.command(&format!("HELO {}", plan.helo)).await?;
        if helo.code / 100 != 2 {
            return Ok((
                Verdict::Closed,
                None,
                format!("the relay refused HELO: {} {}", helo.code, helo.text),
            ));
        }
    }
    let mut temporary = None;
    for r in &plan.recipients {
        let mail = s.command(&format!("MAIL FROM:<{}>", plan.sender)).await?;
        if mail.code / 100 != 2 {
            if mail.code / 100 == 4 {
                temporary.get_or_insert_with(|| format!("MAIL FROM: {} {}", mail.code, mail.text));
            }
            s.command("RSET").await?;
            continue;
        }
        let rcpt = s.command(&format!("RCPT TO:<{r}>")).await?;
        s.command("RSET").await?;
        match rcpt.code / 100 {
            2 => {
                return Ok((
                    Verdict::Open,
                    Some(r.clone()),
                    format!(
                        "it accepted RCPT TO:<{r}> from <{}> ({} {}); no DATA was sent",
                        plan.sender, rcpt.code, rcpt.text
                    ),
                ));
            }
            4 => {
                temporary.get_or_insert_with(|| format!("RCPT TO:<{r}>: {} {}", rcpt.code, rcpt.text));
            }
            _ => {}
        }
    }
    Ok(match temporary {
        Some(t) => (
            Verdict::Greylisted,
            None,
            format!("no form was accepted; the relay asked to try again later ({t})"),
        ),
        None => (
            Verdict::Closed,
            None,
            format!("it refused all {} recipient forms", plan.recipients.len()),
        ),
    })
}

/// Where the tests done are kept (`$XDG_STATE_HOME/relaytrace/relaytests.jsonl`):
/// one test per relay per day unless forced.
pub fn history_path() -> Option<std::path::PathBuf> {
    crate::config::paths::dir(crate::config::paths::Kind::State).map(|d| d.join("relaytests.jsonl"))
}

/// The tests of `ip` in the history at `path`, newest last.
pub fn earlier(path: &std::path::Path, ip: IpAddr) -> Vec<RelayTest> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| serde_json::from_str::<Stored>(l).ok())
        .filter(|t| t.ip == ip)
        .map(Stored::into_test)
        .collect()
}

/// A test as the history keeps it (the same fields).
#[derive(serde::Deserialize)]
struct Stored {
    ip: IpAddr,
    port: u16,
    time: String,
    verdict: String,
    accepted: Option<String>,
    reason: String,
    #[serde(default)]
    transcript: Vec<String>,
    #[serde(default)]
    swaks: Vec<String>,
}

impl Stored {
    fn into_test(self) -> RelayTest {
        RelayTest {
            ip: self.ip,
            port: self.port,
            time: self.time,
            verdict: match self.verdict.as_str() {
                "open" => Verdict::Open,
                "closed" => Verdict::Closed,
                "greylisted" => Verdict::Greylisted,
                _ => Verdict::Unreachable,
            },
            accepted: self.accepted,
            reason: self.reason,
            transcript: self.transcript,
            swaks: self.swaks,
        }
    }
}

/// Appends `t` to the history (created 0600 in a 0700 folder).
///
/// # Errors
/// The history cannot be written.
pub fn remember(path: &std::path::Path, t: &RelayTest) -> std::io::Result<()> {
    let mut f = crate::config::paths::open_private_append(path)?;
    let line = serde_json::to_string(t).map_err(std::io::Error::other)?;
    std::io::Write::write_all(&mut f, format!("{line}\n").as_bytes())?;
    f.sync_data()
}

/// Why the test of `ip` may not run now, if it may not: a private or loopback
/// target (unless `allow_private`), or a test of it in the last day (unless
/// `force`).
pub fn refused(
    ip: IpAddr,
    allow_private: bool,
    force: bool,
    history: &[RelayTest],
    now: i64,
) -> Option<String> {
    if crate::received::is_private(ip) && !allow_private {
        return Some(format!(
            "{ip} is a private or loopback address: not tested ([network] allow_private_servers is off)"
        ));
    }
    if force {
        return None;
    }
    let last = history.last()?;
    let at = crate::received::Timestamp::from_rfc3339(&last.time)?;
    (now - at.epoch < 86_400).then(|| {
        format!(
            "{ip} was tested at {} ({}): one test per relay per day (--force, or F in the dialog, tests again)",
            last.time,
            last.verdict.word()
        )
    })
}

/// The test as a short text: verdict, time, reason, transcript, the swaks commands.
pub fn report(t: &RelayTest) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "open-relay test of {} port {} at {}: {}",
        t.ip,
        t.port,
        t.time,
        t.verdict.word()
    );
    let _ = writeln!(s, "  {}", crate::sanitize::clip(&t.reason, 400));
    let _ = writeln!(s, "transcript:");
    for l in &t.transcript {
        let _ = writeln!(s, "  {}", crate::sanitize::clean(l));
    }
    let _ = writeln!(s, "to repeat it with swaks:");
    for c in &t.swaks {
        let _ = writeln!(s, "  {c}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_names_every_form_and_never_data() {
        let p = Plan::new(
            "192.0.2.7".parse().unwrap(),
            25,
            Some("mail.relay.test"),
            "jane@example.org",
        )
        .unwrap();
        assert_eq!(p.helo, "example.org");
        assert_eq!(
            p.recipients,
            [
                "jane@example.org",
                "jane%example.org@mail.relay.test",
                "jane%example.org@[192.0.2.7]",
                "example.org!jane@mail.relay.test",
                "example.org!jane",
                "\"jane@example.org\"@mail.relay.test",
                "@mail.relay.test:jane@example.org",
                "jane@example.org@mail.relay.test",
            ]
        );
        let lines = p.lines().join("\n");
        assert!(lines.contains("never DATA") && !lines.contains("\nDATA"));
        assert!(p.swaks().iter().all(|c| c.contains("--quit-after RCPT")));
        // A name that is not a host name is not written into a command.
        let p = Plan::new(
            "192.0.2.7".parse().unwrap(),
            25,
            Some("evil\r\nDATA"),
            "jane@example.org",
        )
        .unwrap();
        assert!(
            p.recipients
                .iter()
                .all(|r| !r.contains('\r') && !r.contains("evil"))
        );
        // Without a name, each form once (the `%` form at the literal was twice).
        let p = Plan::new("192.0.2.7".parse().unwrap(), 25, None, "jane@example.org").unwrap();
        let unique: std::collections::HashSet<&String> = p.recipients.iter().collect();
        assert_eq!(unique.len(), p.recipients.len(), "{:?}", p.recipients);
        assert_eq!(p.recipients.len(), 7);
        assert!(p.recipients.contains(&"jane%example.org@[192.0.2.7]".to_string()));
        // No usable reporter address: no test.
        assert!(Plan::new("192.0.2.7".parse().unwrap(), 25, None, "").is_none());
        assert!(Plan::new("192.0.2.7".parse().unwrap(), 25, None, "a b@c").is_none());
    }
}
