//! Sending a composed complaint, its bytes exactly as composed: SMTP submission with
//! lettre (STARTTLS, implicit TLS, or none for a local relay; AUTH PLAIN/LOGIN, the
//! password from `password_command`, never logged or stored) or the local sendmail.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSendmailTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

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

    /// How it is named in the confirmation and the log.
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(s) => format!("smtp {}:{} ({})", s.host, port(s), security_word(s.security)),
            Transport::Sendmail(s) => format!("sendmail {}", s.path.display()),
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
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
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

/// Sends `bytes` from `from` to `to`. `resolve` turns the SMTP host into addresses
/// (relaytrace's own resolver, so `dns_servers` redirects sending too). Returns the
/// server's reply.
///
/// # Errors
/// The server's words, or why it could not be reached.
pub async fn send<R, F>(
    t: &Transport,
    resolve: R,
    from: &str,
    to: &[String],
    bytes: &[u8],
    timeout: Duration,
) -> Result<String, String>
where
    R: FnOnce(String) -> F,
    F: std::future::Future<Output = Result<Vec<std::net::IpAddr>, String>>,
{
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
    let envelope = Envelope::new(Some(from), rcpts).map_err(|e| e.to_string())?;
    match t {
        Transport::Sendmail(s) => {
            let tr = AsyncSendmailTransport::<Tokio1Executor>::new_with_command(s.path.as_os_str());
            match tokio::time::timeout(timeout, tr.send_raw(&envelope, bytes)).await {
                Err(_) => Err(format!(
                    "{} did not finish within {} s",
                    s.path.display(),
                    timeout.as_secs()
                )),
                Ok(Err(e)) => Err(format!("{}: {e}", s.path.display())),
                Ok(Ok(())) => Ok(format!("{} accepted it", s.path.display())),
            }
        }
        Transport::Smtp(s) => {
            // One TLS provider for the process (ring), whatever else is linked in.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let ip = resolve(s.host.clone())
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| format!("{} has no address", s.host))?;
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
            let tls = match s.security {
                Security::Starttls => Tls::Required(tls_params()?),
                Security::Tls => Tls::Wrapper(tls_params()?),
                Security::None => Tls::None,
            };
            let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(ip.to_string())
                .port(port(s))
                .tls(tls)
                .timeout(Some(timeout));
            if let Some(user) = &s.username {
                let pass = match &s.password_command {
                    Some(c) => password(c)?,
                    None => return Err("[smtp] username is set but password_command is not".into()),
                };
                b = b
                    .credentials(Credentials::new(user.clone(), pass))
                    .authentication(vec![Mechanism::Plain, Mechanism::Login]);
            }
            let tr = b.build();
            // lettre ends the data with CRLF "." CRLF; a message that ends in CRLF
            // gives up that CRLF so the server stores exactly these bytes.
            let body = bytes.strip_suffix(b"\r\n").unwrap_or(bytes);
            match tr.send_raw(&envelope, body).await {
                Ok(r) => Ok(
                    format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" "))
                        .trim()
                        .to_string(),
                ),
                Err(e) => Err(error_words(&e)),
            }
        }
    }
}

/// An SMTP error with the server's own words where it gave some.
fn error_words(e: &lettre::transport::smtp::Error) -> String {
    crate::sanitize::clip(&crate::lookup::engine::error_chain(e), 300)
}
