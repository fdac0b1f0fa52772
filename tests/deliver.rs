//! Sending against real servers on loopback: the lab's recording SMTP server
//! (keeping the bytes, dot-unstuffed), scripted SMTP peers for the failures, and a
//! sendmail script that records its arguments and input.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use relaytrace::config::{Security, Sendmail, Smtp};
use relaytrace::deliver::send::{Forms, Sent, Transport, Went, send, send_forms};

#[path = "lab/smtp.rs"]
mod smtp_peer;
use smtp_peer::{bdat_peer, late_after_data};

/// The reply of an accepted send, the reason of a refused one (else the test fails).
trait Outcome {
    fn unwrap(self) -> String;
    fn unwrap_err(self) -> String;
}

impl Outcome for Sent {
    fn unwrap(self) -> String {
        match self {
            Sent::Accepted(r) => r,
            other => panic!("not accepted: {other:?}"),
        }
    }
    fn unwrap_err(self) -> String {
        match self {
            Sent::Refused(r) => r,
            other => panic!("not refused: {other:?}"),
        }
    }
}

/// The recording SMTP server of the lab.
fn mailin() -> (u16, smtp_peer::Recorded) {
    smtp_peer::recording_peer()
}

/// A scripted SMTP peer: answers each command with the next line of `script`
/// (after the greeting), then closes.
fn scripted(greeting: &str, script: Vec<&'static str>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let greeting = greeting.to_string();
    std::thread::spawn(move || {
        let Ok((s, _)) = listener.accept() else { return };
        let mut w = s.try_clone().unwrap();
        let mut r = BufReader::new(s);
        let _ = w.write_all(greeting.as_bytes());
        for reply in script {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if reply == "CLOSE" {
                return;
            }
            let _ = w.write_all(reply.as_bytes());
        }
    });
    port
}

fn smtp(port: u16, security: Security, user: Option<&str>) -> Transport {
    Transport::Smtp(Smtp {
        host: "127.0.0.1".into(),
        port: Some(port),
        security,
        username: user.map(str::to_string),
        password_command: user.map(|_| "echo wrong-secret".to_string()),
        ca_file: None,
        timeout_secs: 10.0,
        allow_plaintext_auth: true,
        password: None,
    })
}

async fn resolve(host: String) -> Result<Vec<IpAddr>, String> {
    host.parse::<IpAddr>()
        .map(|ip| vec![ip])
        .map_err(|e| e.to_string())
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

const MESSAGE: &[u8] = b"From: jane@example.org\r\nTo: abuse@example.net\r\nSubject: Open Relay\r\n\r\nline one\r\n.leading dot\r\n\xc3\xa9 8-bit\r\n";

#[test]
fn smtp_delivers_the_composed_bytes_exactly() {
    let (port, rec) = mailin();
    let to = vec!["abuse@example.net".to_string()];
    let reply = rt()
        .block_on(send(
            &smtp(port, Security::None, None),
            resolve,
            "jane@example.org",
            &to,
            MESSAGE,
            Duration::from_secs(10),
        ))
        .unwrap();
    assert!(reply.starts_with("250"), "{reply}");
    let got = rec.data.lock().unwrap().clone();
    assert_eq!(got, MESSAGE, "byte-identical after the dot is unstuffed");
    assert_eq!(*rec.from.lock().unwrap(), "jane@example.org");
    assert_eq!(*rec.rcpts.lock().unwrap(), vec!["abuse@example.net"]);
}

#[test]
fn a_refused_recipient_shows_the_servers_words() {
    let (port, _) = mailin();
    let to = vec!["refuse@example.net".to_string()];
    let err = rt()
        .block_on(send(
            &smtp(port, Security::None, None),
            resolve,
            "jane@example.org",
            &to,
            MESSAGE,
            Duration::from_secs(10),
        ))
        .unwrap_err();
    assert!(err.contains("550") && err.contains("no such user here"), "{err}");
}

#[test]
fn a_server_closing_mid_data_leaves_the_outcome_unknown() {
    let port = scripted(
        "220 lab ESMTP\r\n",
        vec![
            "250-lab\r\n250 8BITMIME\r\n",
            "250 ok\r\n",
            "250 ok\r\n",
            "354 go ahead\r\n",
            "CLOSE",
        ],
    );
    let to = vec!["abuse@example.net".to_string()];
    let err = rt().block_on(send(
        &smtp(port, Security::None, None),
        resolve,
        "jane@example.org",
        &to,
        MESSAGE,
        Duration::from_secs(5),
    ));
    assert!(
        matches!(&err, Sent::Unknown(why) if why.contains("may have it")),
        "the data was handed over: {err:?}"
    );
}

#[test]
fn starttls_required_but_not_offered() {
    let (port, rec) = mailin();
    let to = vec!["abuse@example.net".to_string()];
    let err = rt()
        .block_on(send(
            &smtp(port, Security::Starttls, None),
            resolve,
            "jane@example.org",
            &to,
            MESSAGE,
            Duration::from_secs(10),
        ))
        .unwrap_err();
    assert!(err.to_ascii_lowercase().contains("tls"), "{err}");
    assert!(
        rec.data.lock().unwrap().is_empty(),
        "nothing was sent in the clear"
    );
}

#[test]
fn a_wrong_password_is_reported() {
    let port = scripted(
        "220 lab ESMTP\r\n",
        vec![
            "250-lab\r\n250 AUTH PLAIN LOGIN\r\n",
            "535 5.7.8 Authentication credentials invalid\r\n",
            "CLOSE",
        ],
    );
    let to = vec!["abuse@example.net".to_string()];
    let err = rt()
        .block_on(send(
            &smtp(port, Security::None, Some("jane")),
            resolve,
            "jane@example.org",
            &to,
            MESSAGE,
            Duration::from_secs(5),
        ))
        .unwrap_err();
    assert!(
        err.contains("535") || err.to_ascii_lowercase().contains("auth"),
        "{err}"
    );
    assert!(!err.contains("wrong-secret"), "the password never appears: {err}");
}

#[test]
fn sendmail_gets_the_envelope_and_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("sendmail");
    let args = dir.path().join("args");
    let input = dir.path().join("input");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\ncat > '{}'\n",
            args.display(),
            input.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    // msmtp-style: `path = ["<program>", "-a", "abuse"]` (issue 15).
    let cfg = relaytrace::config::parse(&format!(
        "[sendmail]\npath = [\"{}\", \"-a\", \"abuse\"]\ntimeout_secs = 10\n",
        script.display()
    ))
    .unwrap();
    let t = Transport::from_config(&cfg).unwrap();
    assert!(
        matches!(&t, Transport::Sendmail(Sendmail { path, args, .. }) if *path == script && args == &["-a", "abuse"])
    );
    let to = vec!["abuse@example.net".to_string(), "noc@example.net".to_string()];
    // Another test's fork can hold the fresh script open for a moment (ETXTBSY).
    let run = || {
        let mut last = Sent::Refused(String::new());
        for _ in 0..20 {
            last = rt().block_on(send(
                &t,
                resolve,
                "jane@example.org",
                &to,
                MESSAGE,
                Duration::from_secs(10),
            ));
            if !matches!(&last, Sent::Refused(e) if e.contains("Broken pipe") || e.contains("busy")) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        last
    };
    let reply = run().unwrap();
    assert!(reply.contains("accepted"), "{reply}");
    assert_eq!(std::fs::read(&input).unwrap(), MESSAGE);
    let a = std::fs::read_to_string(&args).unwrap();
    assert_eq!(
        a.lines().collect::<Vec<_>>(),
        [
            "-a",
            "abuse",
            "-i",
            "-f",
            "jane@example.org",
            "--",
            "abuse@example.net",
            "noc@example.net"
        ],
        "its own arguments first, then the envelope"
    );
    // A failing sendmail is an error with its words.
    std::fs::write(&script, "#!/bin/sh\necho 'queue is full' >&2\nexit 75\n").unwrap();
    let err = run().unwrap_err();
    assert!(err.contains("queue is full") || err.contains("75"), "{err}");
}

/// A certificate authority and a `localhost` certificate it signed, as PEM files.
fn tls_files(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let (ca_path, cert_path, key_path) = (dir.join("ca.pem"), dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&ca_path, ca.pem()).unwrap();
    std::fs::write(&cert_path, leaf.pem()).unwrap();
    std::fs::write(&key_path, leaf_key.serialize_pem()).unwrap();
    (ca_path, cert_path, key_path)
}

/// An SMTP server on loopback offering STARTTLS (rustls, with `cert` and `key`)
/// and, once secured, AUTH PLAIN (the password "right-secret"); it keeps what it
/// is given.
fn tls_peer(cert: &std::path::Path, key: &std::path::Path) -> (u16, smtp_peer::Recorded) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = vec![CertificateDer::from_pem_file(cert).unwrap()];
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let rec = smtp_peer::Recorded::default();
    let out = rec.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let (config, rec) = (config.clone(), rec.clone());
            std::thread::spawn(move || serve_tls(s, config, &rec));
        }
    });
    (port, out)
}

fn serve_tls(s: std::net::TcpStream, config: Arc<rustls::ServerConfig>, rec: &smtp_peer::Recorded) {
    use base64::Engine as _;
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let _ = w.write_all(b"220 localhost ESMTP\r\n");
    // In the clear: nothing but EHLO and STARTTLS.
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-localhost\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("STARTTLS") {
            let _ = w.write_all(b"220 2.0.0 ready\r\n");
            break;
        } else if upper.starts_with("QUIT") {
            let _ = w.write_all(b"221 bye\r\n");
            return;
        } else {
            b"530 5.7.0 must issue a STARTTLS command first\r\n"
        };
        let _ = w.write_all(reply);
    }
    let Ok(conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = BufReader::new(rustls::StreamOwned::new(conn, s));
    let mut authed = false;
    loop {
        let mut line = String::new();
        if tls.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let upper = line.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            "250-localhost\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n".into()
        } else if upper.starts_with("AUTH PLAIN ") {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(line[11..].trim())
                .unwrap_or_default();
            authed = raw.split(|b| *b == 0).nth(2) == Some(b"right-secret".as_slice());
            if authed {
                "235 2.7.0 ok\r\n".into()
            } else {
                "535 5.7.8 Authentication credentials invalid\r\n".into()
            }
        } else if !authed && (upper.starts_with("MAIL") || upper.starts_with("RCPT")) {
            "530 5.7.0 authentication required\r\n".into()
        } else if upper.starts_with("MAIL FROM:") || upper.starts_with("RCPT TO:") {
            "250 ok\r\n".into()
        } else if upper.starts_with("DATA") {
            let _ = tls.get_mut().write_all(b"354 go ahead\r\n");
            let Some(body) = smtp_peer::read_data(&mut tls) else {
                return;
            };
            rec.data.lock().unwrap().extend_from_slice(&body);
            "250 2.0.0 queued\r\n".into()
        } else if upper.starts_with("QUIT") {
            let _ = tls.get_mut().write_all(b"221 bye\r\n");
            let _ = tls.get_mut().flush();
            return;
        } else {
            "250 ok\r\n".into()
        };
        let _ = tls.get_mut().write_all(reply.as_bytes());
        let _ = tls.get_mut().flush();
    }
}

#[test]
fn starttls_with_a_private_ca_and_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = tls_files(dir.path());
    let (port, rec) = tls_peer(&cert, &key);
    let localhost = |host: String| async move {
        assert_eq!(host, "localhost");
        Ok::<_, String>(vec!["127.0.0.1".parse::<IpAddr>().unwrap()])
    };
    let transport = |password: &str, ca_file: Option<std::path::PathBuf>| {
        Transport::Smtp(Smtp {
            host: "localhost".into(),
            port: Some(port),
            security: Security::Starttls,
            username: Some("jane".into()),
            password_command: Some(format!("echo {password}")),
            ca_file,
            timeout_secs: 10.0,
            allow_plaintext_auth: false,
            password: None,
        })
    };
    let to = vec!["abuse@example.net".to_string()];
    let reply = rt()
        .block_on(send(
            &transport("right-secret", Some(ca.clone())),
            localhost,
            "jane@example.org",
            &to,
            MESSAGE,
            Duration::from_secs(10),
        ))
        .unwrap();
    assert!(reply.starts_with("250"), "{reply}");
    assert_eq!(
        rec.data.lock().unwrap().as_slice(),
        MESSAGE,
        "the bytes, over TLS"
    );
    // A wrong password: the server's words, never the password.
    let err = rt()
        .block_on(send(
            &transport("wrong-secret", Some(ca.clone())),
            localhost,
            "jane@example.org",
            &to,
            MESSAGE,
            Duration::from_secs(10),
        ))
        .unwrap_err();
    assert!(
        err.contains("535") || err.to_ascii_lowercase().contains("credentials"),
        "{err}"
    );
    assert!(!err.contains("wrong-secret"));
    // Without trusting the private CA, the certificate is refused.
    let err = rt()
        .block_on(send(
            &transport("right-secret", None),
            localhost,
            "jane@example.org",
            &to,
            MESSAGE,
            Duration::from_secs(10),
        ))
        .unwrap_err();
    assert!(
        err.to_ascii_lowercase().contains("certificate") || err.to_ascii_lowercase().contains("tls"),
        "{err}"
    );
}

/// A server that takes the data and never answers, or answers after the limit
/// (issue 16, H3): the send ends within its limit, with the outcome unknown.
#[test]
fn a_server_silent_after_the_data_ends_within_the_limit_as_unknown() {
    let to = vec!["abuse@example.net".to_string()];
    for delay in [None, Some(Duration::from_secs(4))] {
        let (port, got) = late_after_data(delay);
        let started = std::time::Instant::now();
        let sent = rt().block_on(send(
            &smtp(port, Security::None, None),
            resolve,
            "jane@example.org",
            &to,
            MESSAGE,
            Duration::from_millis(1500),
        ));
        let took = started.elapsed();
        assert!(took < Duration::from_millis(2500), "{delay:?}: took {took:?}");
        assert!(
            matches!(&sent, Sent::Unknown(why) if why.contains("no final answer")),
            "{delay:?}: {sent:?}"
        );
        assert!(!got.lock().unwrap().is_empty(), "the server has the data");
    }
}

/// A server that never greets: nothing was handed over, so the send is refused
/// (safe to try again), within the limit.
#[test]
fn a_server_that_never_greets_is_refused_within_the_limit() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held = listener.accept();
        std::thread::sleep(Duration::from_secs(30));
        drop(held);
    });
    let started = std::time::Instant::now();
    let sent = rt().block_on(send(
        &smtp(port, Security::None, None),
        resolve,
        "jane@example.org",
        &["abuse@example.net".to_string()],
        MESSAGE,
        Duration::from_secs(1),
    ));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(sent, Sent::Refused(_)), "{sent:?}");
}

/// A username with `security = "none"` would send the password in clear: refused
/// before any AUTH unless `allow_plaintext_auth` (issue 16).
#[test]
fn plaintext_auth_is_refused_unless_allowed() {
    let (port, rec) = mailin();
    let Transport::Smtp(mut s) = smtp(port, Security::None, Some("jane")) else {
        unreachable!()
    };
    s.allow_plaintext_auth = false;
    let sent = rt().block_on(send(
        &Transport::Smtp(s),
        resolve,
        "jane@example.org",
        &["abuse@example.net".to_string()],
        MESSAGE,
        Duration::from_secs(10),
    ));
    assert!(
        matches!(&sent, Sent::Refused(w) if w.contains("in clear")),
        "{sent:?}"
    );
    assert!(rec.data.lock().unwrap().is_empty());
}

/// Lines over 998 octets (issue 13.2): a server offering CHUNKING and BINARYMIME
/// gets the spam unchanged by BDAT with `BODY=BINARYMIME`, every byte; one that
/// does not gets the safe form over DATA.
#[test]
fn bdat_carries_the_binary_form_where_the_server_offers_it() {
    let long = "x".repeat(1500);
    let binary = format!("From: jane@example.org\r\nSubject: s\r\n\r\n{long}\r\n.dot\r\n");
    let safe = b"From: jane@example.org\r\nSubject: s\r\n\r\nsafe form\r\n".to_vec();
    let forms = Forms {
        safe: &safe,
        binary: Some(binary.as_bytes()),
    };
    let to = vec!["abuse@example.net".to_string()];
    let (port, seen) = bdat_peer();
    let (sent, went) = rt().block_on(send_forms(
        &smtp(port, Security::None, None),
        resolve,
        "jane@example.org",
        &to,
        forms,
        Duration::from_secs(10),
    ));
    assert!(sent.unwrap().starts_with("250 2.0.0 chunk taken"));
    assert_eq!(went, Went::Binary);
    assert_eq!(
        *seen.data.lock().unwrap(),
        binary.as_bytes(),
        "every byte, no dot-stuffing"
    );
    let mail = seen.mail.lock().unwrap().clone();
    assert!(mail.contains("BODY=BINARYMIME"), "{mail}");
    // mailin offers neither: the safe form over DATA.
    let (port, rec) = mailin();
    let (sent, went) = rt().block_on(send_forms(
        &smtp(port, Security::None, None),
        resolve,
        "jane@example.org",
        &to,
        forms,
        Duration::from_secs(10),
    ));
    assert!(sent.unwrap().starts_with("250"));
    assert_eq!(went, Went::Safe);
    assert_eq!(*rec.data.lock().unwrap(), safe);
    // Not text lettre can write: the safe form, even to a server that offers BDAT.
    let raw = [binary.as_bytes(), b"\xff\xfe\r\n"].concat();
    let (port, seen) = bdat_peer();
    let (_, went) = rt().block_on(send_forms(
        &smtp(port, Security::None, None),
        resolve,
        "jane@example.org",
        &to,
        Forms {
            safe: &safe,
            binary: Some(&raw),
        },
        Duration::from_secs(10),
    ));
    assert_eq!(went, Went::Safe);
    assert!(seen.data.lock().unwrap().is_empty(), "no BDAT");
}
