//! Sending a composed complaint, its bytes exactly as composed: SMTP submission with
//! lettre (STARTTLS, implicit TLS, or none for a local relay; AUTH PLAIN/LOGIN, the
//! password from `password_command`, never logged or stored) or the local sendmail.

use std::time::Duration;

use lettre::Address;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use crate::config::{Config, Security, Sendmail, Smtp};

/// How complaints leave.
#[derive(Debug, Clone)]
pub enum Transport {
    Smtp(Smtp),
    Sendmail(Sendmail),
}

impl Transport {
    /// The configured way: `[smtp]`, else `[sendmail]`.
    ///
    /// # Errors
    /// Neither is configured.
    pub fn from_config(cfg: &Config) -> Result<Transport, String> {
        match (&cfg.smtp, &cfg.sendmail) {
            (Some(s), _) => Ok(Transport::Smtp(s.clone())),
            (None, Some(s)) => Ok(Transport::Sendmail(s.clone())),
            (None, None) => Err("no way to send: configure [smtp] (host, port, security, username, password_command) or [sendmail] (path)".into()),
        }
    }

    /// How long a whole send may take.
    pub fn limit(&self) -> Duration {
        let secs = match self {
            Transport::Smtp(s) => s.timeout_secs,
            Transport::Sendmail(s) => s.timeout_secs,
        };
        Duration::from_secs_f64(if secs.is_finite() {
            secs.clamp(0.1, 3600.0)
        } else {
            60.0
        })
    }

    /// How it is named in the confirmation and the log.
    /// How a complaint's line ends must travel on this transport.
    pub fn line_ends(&self) -> crate::compose::LineEnds {
        match self {
            Transport::Smtp(_) => crate::compose::LineEnds::Crlf,
            Transport::Sendmail(_) => crate::compose::LineEnds::AsStored,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(s) => format!("smtp {}:{} ({})", s.host, port(s), security_word(s.security)),
            Transport::Sendmail(s) if s.args.is_empty() => format!("sendmail {}", s.path.display()),
            Transport::Sendmail(s) => format!("sendmail {} {}", s.path.display(), s.args.join(" ")),
        }
    }
}

fn port(s: &Smtp) -> u16 {
    s.port.unwrap_or(match s.security {
        Security::Starttls => 587,
        Security::Tls => 465,
        Security::None => 25,
    })
}

fn security_word(s: Security) -> &'static str {
    match s {
        Security::Starttls => "STARTTLS",
        Security::Tls => "TLS",
        Security::None => "no TLS",
    }
}

/// Runs `password_command` and returns its first line.
///
/// # Errors
/// The command fails or prints nothing.
pub fn password(command: &str) -> Result<String, String> {
    password_with(command, false)
}

/// Runs `password_command` with the terminal as its standard input and error (a
/// pinentry or a passphrase prompt can ask there) and returns its first line. The
/// TUI hands the terminal over first.
///
/// # Errors
/// The command fails or prints nothing.
pub fn password_on_terminal(command: &str) -> Result<String, String> {
    password_with(command, true)
}

fn password_with(command: &str, terminal: bool) -> Result<String, String> {
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg(command).stdin(std::process::Stdio::null());
    if terminal
        && let Ok(tty) = std::fs::File::options().read(true).write(true).open("/dev/tty")
        && let Ok(input) = tty.try_clone()
    {
        cmd.stdin(input).stderr(tty);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run password_command: {e}"))?;
    if !out.status.success() {
        return Err(format!("password_command failed ({})", out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('\r')
        .to_string();
    if line.is_empty() {
        Err("password_command printed nothing".into())
    } else {
        Ok(line)
    }
}

/// What became of a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// The server (or sendmail) took the message: its reply.
    Accepted(String),
    /// Not delivered: the server refused it, or the way could not be opened. Safe to
    /// send again.
    Refused(String),
    /// The message was handed over but no final answer came (the time limit, or the
    /// connection was lost after the data): the server may have it. Logged, and a
    /// second send is warned of like a sent one.
    Unknown(String),
}

impl Sent {
    /// The same outcome with `note` before its words.
    #[must_use]
    pub fn with_note(self, note: &str) -> Sent {
        match self {
            Sent::Accepted(w) => Sent::Accepted(format!("{note}: {w}")),
            Sent::Refused(w) => Sent::Refused(format!("{note}: {w}")),
            Sent::Unknown(w) => Sent::Unknown(format!("{note}: {w}")),
        }
    }

    /// The reply when accepted, else the reason.
    pub fn words(&self) -> &str {
        match self {
            Sent::Accepted(w) | Sent::Refused(w) | Sent::Unknown(w) => w,
        }
    }
}

/// The complaint in the forms it may travel in.
#[derive(Debug, Clone, Copy)]
pub struct Forms<'a> {
    /// The form any server carries (the spam in base64 where its lines would not
    /// travel as they are).
    pub safe: &'a [u8],
    /// The spam attached unchanged (`Content-Transfer-Encoding: binary`): sent
    /// instead, by BDAT with `BODY=BINARYMIME`, where the SMTP server offers
    /// CHUNKING and BINARYMIME (RFC 3030).
    pub binary: Option<&'a [u8]>,
}

/// Which form went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Went {
    Safe,
    /// The binary form, by BDAT.
    Binary,
}

/// Sends `bytes` from `from` to `to`, the whole of it within `limit`. `resolve`
/// turns the SMTP host into addresses (relaytrace's own resolver, so
/// `dns_servers` redirects sending too).
pub async fn send<R, F>(
    t: &Transport,
    resolve: R,
    from: &str,
    to: &[String],
    bytes: &[u8],
    limit: Duration,
) -> Sent
where
    R: FnOnce(String) -> F,
    F: std::future::Future<Output = Result<Vec<std::net::IpAddr>, String>>,
{
    let forms = Forms {
        safe: bytes,
        binary: None,
    };
    send_forms(t, resolve, from, to, forms, limit).await.0
}

/// As [`send`], choosing the form by what the server offers: the binary form by
/// BDAT where it can go so (SMTP with CHUNKING and BINARYMIME, and text that
/// lettre can write), else the safe form. Says which went.
pub async fn send_forms<R, F>(
    t: &Transport,
    resolve: R,
    from: &str,
    to: &[String],
    forms: Forms<'_>,
    limit: Duration,
) -> (Sent, Went)
where
    R: FnOnce(String) -> F,
    F: std::future::Future<Output = Result<Vec<std::net::IpAddr>, String>>,
{
    let bytes = forms.safe;
    let envelope = match envelope(from, to) {
        Ok(e) => e,
        Err(e) => return (Sent::Refused(e), Went::Safe),
    };
    match t {
        Transport::Sendmail(s) => (sendmail(s, &envelope, bytes, limit).await, Went::Safe),
        Transport::Smtp(s) => {
            let handed_over = std::sync::atomic::AtomicBool::new(false);
            let went = std::sync::Mutex::new(Went::Safe);
            let all = smtp(s, resolve, &envelope, forms, limit, &handed_over, &went);
            let sent = match tokio::time::timeout(limit, all).await {
                Ok(sent) => sent,
                Err(_) if handed_over.load(std::sync::atomic::Ordering::SeqCst) => Sent::Unknown(format!(
                    "{} took the message but gave no final answer within {} s: it may have it",
                    s.host,
                    limit.as_secs()
                )),
                Err(_) => Sent::Refused(format!(
                    "{} did not get as far as the message within {} s",
                    s.host,
                    limit.as_secs()
                )),
            };
            (
                sent,
                *went.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
            )
        }
    }
}

/// The local sendmail: `path args… -i -f <from> -- <recipients…>`, the message on
/// its standard input, all within `limit` (killed after it). Exit 0 is accepted;
/// anything else is refused with what it wrote on standard error.
async fn sendmail(s: &Sendmail, envelope: &Envelope, bytes: &[u8], limit: Duration) -> Sent {
    use tokio::io::AsyncWriteExt as _;
    let mut c = tokio::process::Command::new(&s.path);
    c.args(&s.args).arg("-i");
    if let Some(from) = envelope.from() {
        c.arg("-f").arg(AsRef::<str>::as_ref(from));
    }
    c.arg("--")
        .args(envelope.to().iter().map(AsRef::<str>::as_ref))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let name = s.path.display().to_string();
    let run = async {
        let mut child = c.spawn().map_err(|e| format!("{name}: {e}"))?;
        // A sendmail that fails early stops reading: its exit status and words
        // tell why, not the broken pipe.
        let mut fed = Ok(());
        if let Some(mut stdin) = child.stdin.take() {
            fed = stdin.write_all(bytes).await;
            if fed.is_ok() {
                fed = stdin.shutdown().await;
            }
        }
        let out = child
            .wait_with_output()
            .await
            .map_err(|e| format!("{name}: {e}"))?;
        match fed {
            Err(e) if out.status.success() => Err(format!("{name} did not take the whole message: {e}")),
            _ => Ok(out),
        }
    };
    match tokio::time::timeout(limit, run).await {
        Err(_) => Sent::Unknown(format!(
            "{name} did not finish within {} s: it may have queued the message",
            limit.as_secs()
        )),
        Ok(Err(e)) => Sent::Refused(e),
        Ok(Ok(out)) if out.status.success() => Sent::Accepted(format!("{name} accepted it")),
        Ok(Ok(out)) => Sent::Refused(format!(
            "{name} exited with {}: {}",
            out.status
                .code()
                .map_or_else(|| "a signal".to_string(), |c| c.to_string()),
            crate::sanitize::clip(String::from_utf8_lossy(&out.stderr).trim(), 300)
        )),
    }
}

fn envelope(from: &str, to: &[String]) -> Result<Envelope, String> {
    let from: Address = from
        .trim()
        .parse()
        .map_err(|e| format!("the sender {from:?}: {e}"))?;
    let rcpts = to
        .iter()
        .map(|r| {
            r.trim()
                .parse::<Address>()
                .map_err(|e| format!("the recipient {r:?}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Envelope::new(Some(from), rcpts).map_err(|e| e.to_string())
}

/// One SMTP transaction, step by step, so that a failure is known to be before the
/// message was handed over (refused) or after it (unknown). `handed_over` is set
/// when the server has said 354 and the data is going out.
async fn smtp<R, F>(
    s: &Smtp,
    resolve: R,
    envelope: &Envelope,
    forms: Forms<'_>,
    step: Duration,
    handed_over: &std::sync::atomic::AtomicBool,
    went: &std::sync::Mutex<Went>,
) -> Sent
where
    R: FnOnce(String) -> F,
    F: std::future::Future<Output = Result<Vec<std::net::IpAddr>, String>>,
{
    // One TLS provider for the process (ring), whatever else is linked in.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ip = match resolve(s.host.clone()).await {
        Ok(ips) => match ips.into_iter().next() {
            Some(ip) => ip,
            None => return Sent::Refused(format!("{} has no address", s.host)),
        },
        Err(e) => return Sent::Refused(e),
    };
    // The binary form goes only as text lettre can write, to a server that says
    // it takes it.
    let binary = forms.binary.and_then(|b| std::str::from_utf8(b).ok());
    let (mut conn, offers_binary) = match session(s, ip, step, binary.is_some()).await {
        Ok(c) => c,
        Err(sent) => return sent,
    };
    if let Some(text) = binary.filter(|_| offers_binary) {
        *went.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Went::Binary;
        return bdat(&mut conn, s, envelope, text, handed_over).await;
    }
    let bytes = forms.safe;
    if let Err(sent) = transaction(&mut conn, s, envelope, bytes).await {
        return sent;
    }
    handed_over.store(true, std::sync::atomic::Ordering::SeqCst);
    // lettre ends the data with CRLF "." CRLF; a message that ends in CRLF gives up
    // that CRLF so the server stores exactly these bytes.
    let body = bytes.strip_suffix(b"\r\n").unwrap_or(bytes);
    let result = conn.message(body).await;
    final_answer(&mut conn, result).await
}

/// What the server's answer to the message (DATA's end or the last BDAT) means:
/// accepted, refused (it does not have it), or unknown (the connection failed
/// after the message was handed over).
async fn final_answer(
    conn: &mut AsyncSmtpConnection,
    result: Result<lettre::transport::smtp::response::Response, lettre::transport::smtp::Error>,
) -> Sent {
    match result {
        Ok(r) => {
            let _ = conn.quit().await;
            Sent::Accepted(
                format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" "))
                    .trim()
                    .to_string(),
            )
        }
        // The server answered the data with a refusal: it does not have it.
        Err(e) if e.is_permanent() || e.is_transient() => {
            conn.abort().await;
            Sent::Refused(error_words(&e))
        }
        Err(e) => Sent::Unknown(format!(
            "the connection failed after the message was handed over ({}): the server may have it",
            error_words(&e)
        )),
    }
}

/// Connects, says hello, secures the connection as configured and logs in: a
/// session ready for a transaction, or why not (nothing was sent).
/// `ask_binary`: also asks (a second EHLO, before logging in) whether the server
/// offers CHUNKING and BINARYMIME, which lettre does not record.
async fn session(
    s: &Smtp,
    ip: std::net::IpAddr,
    step: Duration,
    ask_binary: bool,
) -> Result<(AsyncSmtpConnection, bool), Sent> {
    let refused = |e: &lettre::transport::smtp::Error| Sent::Refused(error_words(e));
    let tls_params = || -> Result<TlsParameters, String> {
        let mut b = TlsParameters::builder(s.host.clone());
        if let Some(ca) = &s.ca_file {
            let pem = std::fs::read(ca).map_err(|e| format!("ca_file {}: {e}", ca.display()))?;
            let cert = lettre::transport::smtp::client::Certificate::from_pem(&pem)
                .map_err(|e| format!("ca_file {}: {e}", ca.display()))?;
            b = b.add_root_certificate(cert);
        }
        b.build().map_err(|e| format!("TLS: {e}"))
    };
    let hello = ClientId::default();
    let wrapper = match s.security {
        Security::Tls => match tls_params() {
            Ok(p) => Some(p),
            Err(e) => return Err(Sent::Refused(e)),
        },
        Security::Starttls | Security::None => None,
    };
    let mut conn =
        match AsyncSmtpConnection::connect_tokio1((ip, port(s)), Some(step), &hello, wrapper, None).await {
            Ok(c) => c,
            Err(e) => return Err(refused(&e)),
        };
    if s.security == Security::Starttls {
        if !conn.can_starttls() {
            conn.abort().await;
            return Err(Sent::Refused(format!(
                "{} does not offer STARTTLS (security = \"starttls\"): nothing was sent in the clear",
                s.host
            )));
        }
        let params = match tls_params() {
            Ok(p) => p,
            Err(e) => return Err(Sent::Refused(e)),
        };
        if let Err(e) = conn.starttls(params, &hello).await {
            return Err(refused(&e));
        }
    }
    let offers_binary = ask_binary && {
        match conn
            .command(lettre::transport::smtp::commands::Ehlo::new(hello.clone()))
            .await
        {
            Ok(r) => {
                let has = |k: &str| {
                    r.message().any(|l| {
                        l.split_whitespace()
                            .next()
                            .is_some_and(|w| w.eq_ignore_ascii_case(k))
                    })
                };
                has("CHUNKING") && has("BINARYMIME")
            }
            Err(e) => return Err(refused(&e)),
        }
    };
    if s.username.is_some() && s.security == Security::None && !s.allow_plaintext_auth {
        conn.abort().await;
        return Err(Sent::Refused(
            "security = \"none\" with a username would send the password in clear: use starttls or tls, or set allow_plaintext_auth = true in [smtp]".into(),
        ));
    }
    if let Some(user) = &s.username {
        let pass = match (&s.password, &s.password_command) {
            (Some(known), _) => known.0.clone(),
            (None, Some(c)) => match password(c) {
                Ok(p) => p,
                Err(e) => return Err(Sent::Refused(e)),
            },
            (None, None) => {
                return Err(Sent::Refused(
                    "[smtp] username is set but password_command is not".into(),
                ));
            }
        };
        let creds = Credentials::new(user.clone(), pass);
        if let Err(e) = conn.auth(&[Mechanism::Plain, Mechanism::Login], &creds).await {
            conn.abort().await;
            return Err(refused(&e));
        }
    }
    Ok((conn, offers_binary))
}

/// `BDAT <n> LAST` with the message after it, as lettre writes a command: one
/// chunk, so the server's one reply is the final answer.
struct Bdat<'a>(&'a str);

impl std::fmt::Display for Bdat<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BDAT {} LAST\r\n{}", self.0.len(), self.0)
    }
}

/// MAIL FROM with `BODY=BINARYMIME`, RCPT TO, then the message in one BDAT chunk
/// (RFC 3030): no dot-stuffing, no line length limit, every byte as it is.
async fn bdat(
    conn: &mut AsyncSmtpConnection,
    s: &Smtp,
    envelope: &Envelope,
    text: &str,
    handed_over: &std::sync::atomic::AtomicBool,
) -> Sent {
    let binary = MailParameter::Other {
        keyword: "BODY".into(),
        value: Some("BINARYMIME".into()),
    };
    if let Err(sent) = envelope_commands(conn, s, envelope, Some(binary)).await {
        return sent;
    }
    handed_over.store(true, std::sync::atomic::Ordering::SeqCst);
    let result = conn.command(Bdat(text)).await;
    final_answer(conn, result).await
}

/// MAIL FROM, RCPT TO and DATA, with the extensions the message needs; `Err` is a
/// refusal before the message was handed over.
async fn transaction(
    conn: &mut AsyncSmtpConnection,
    s: &Smtp,
    envelope: &Envelope,
    bytes: &[u8],
) -> Result<(), Sent> {
    let mut body = None;
    if !bytes.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            conn.abort().await;
            return Err(Sent::Refused(format!(
                "{} does not take 8-bit data (8BITMIME)",
                s.host
            )));
        }
        body = Some(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    envelope_commands(conn, s, envelope, body).await?;
    if let Err(e) = conn.command(Data).await {
        conn.abort().await;
        return Err(Sent::Refused(error_words(&e)));
    }
    Ok(())
}

/// MAIL FROM (with `body`, and SMTPUTF8 where an address needs it) and RCPT TO
/// for each recipient; `Err` is a refusal, before anything was handed over.
async fn envelope_commands(
    conn: &mut AsyncSmtpConnection,
    s: &Smtp,
    envelope: &Envelope,
    body: Option<MailParameter>,
) -> Result<(), Sent> {
    let refused = |e: &lettre::transport::smtp::Error| Sent::Refused(error_words(e));
    let mut options: Vec<MailParameter> = body.into_iter().collect();
    let ascii = |a: &Address| AsRef::<str>::as_ref(a).is_ascii();
    if !envelope.from().is_none_or(ascii) || !envelope.to().iter().all(ascii) {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            conn.abort().await;
            return Err(Sent::Refused(format!(
                "{} does not take non-ASCII addresses (SMTPUTF8)",
                s.host
            )));
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if let Err(e) = conn.command(Mail::new(envelope.from().cloned(), options)).await {
        conn.abort().await;
        return Err(refused(&e));
    }
    for rcpt in envelope.to() {
        if let Err(e) = conn.command(Rcpt::new(rcpt.clone(), Vec::new())).await {
            conn.abort().await;
            return Err(refused(&e));
        }
    }
    Ok(())
}

/// An SMTP error with the server's own words where it gave some.
fn error_words(e: &lettre::transport::smtp::Error) -> String {
    crate::sanitize::clip(&crate::lookup::engine::error_chain(e), 300)
}
