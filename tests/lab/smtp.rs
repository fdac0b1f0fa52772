//! An SMTP peer that takes the whole message and then answers it late or never
//! (issue 16, H3): for the send time limit, in the library and in the TUI.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Starts the peer on a free loopback port; every connection takes the message,
/// then answers it after `delay` (never, for `None`). Returns the port and the
/// data received.
pub fn late_after_data(delay: Option<Duration>) -> (u16, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let data = got.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let data = data.clone();
            std::thread::spawn(move || serve(s, delay, &data));
        }
    });
    (port, got)
}

fn serve(s: std::net::TcpStream, delay: Option<Duration>, data: &Mutex<Vec<u8>>) {
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    let _ = w.write_all(b"220 lab ESMTP\r\n");
    let mut in_data = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
            return;
        }
        if in_data {
            if line == b".\r\n" {
                match delay {
                    Some(d) => {
                        std::thread::sleep(d);
                        let _ = w.write_all(b"250 2.0.0 queued late\r\n");
                    }
                    None => std::thread::sleep(Duration::from_secs(10 * 60)),
                }
                return;
            }
            data.lock().unwrap().extend_from_slice(&line);
            continue;
        }
        let reply: &[u8] = match line.get(..4).map(<[u8]>::to_ascii_uppercase).as_deref() {
            Some(b"EHLO") => b"250-lab\r\n250 8BITMIME\r\n",
            Some(b"DATA") => {
                in_data = true;
                b"354 go ahead\r\n"
            }
            _ => b"250 ok\r\n",
        };
        let _ = w.write_all(reply);
    }
}

/// What a BDAT peer saw: the MAIL FROM line and the message's bytes.
#[derive(Clone, Default)]
pub struct Bdat {
    pub mail: Arc<Mutex<String>>,
    pub data: Arc<Mutex<Vec<u8>>>,
}

/// An SMTP peer offering CHUNKING and BINARYMIME (RFC 3030): it takes `BDAT <n>
/// [LAST]` chunks, and DATA too for clients that do not use them.
pub fn bdat_peer() -> (u16, Bdat) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Bdat::default();
    let out = seen.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let seen = seen.clone();
            std::thread::spawn(move || serve_bdat(s, &seen));
        }
    });
    (port, out)
}

fn serve_bdat(s: std::net::TcpStream, seen: &Bdat) {
    use std::io::Read;
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    let _ = w.write_all(b"220 lab ESMTP\r\n");
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
            return;
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        let upper = text.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-lab\r\n250-8BITMIME\r\n250-CHUNKING\r\n250 BINARYMIME\r\n"
        } else if upper.starts_with("MAIL") {
            seen.mail.lock().unwrap().clone_from(&text);
            b"250 ok\r\n"
        } else if let Some(rest) = upper.strip_prefix("BDAT ") {
            let n: usize = rest
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let mut chunk = vec![0; n];
            if r.read_exact(&mut chunk).is_err() {
                return;
            }
            seen.data.lock().unwrap().extend_from_slice(&chunk);
            b"250 2.0.0 chunk taken\r\n"
        } else if upper.starts_with("QUIT") {
            let _ = w.write_all(b"221 bye\r\n");
            return;
        } else {
            b"250 ok\r\n"
        };
        let _ = w.write_all(reply);
    }
}

/// What a recording peer was given: the envelope and the message as the client
/// meant it (dot-unstuffed), each DATA appended.
#[derive(Clone, Default)]
pub struct Recorded {
    pub from: Arc<Mutex<String>>,
    pub rcpts: Arc<Mutex<Vec<String>>>,
    pub data: Arc<Mutex<Vec<u8>>>,
}

/// A plain SMTP server on a free loopback port (8BITMIME, no TLS, no AUTH) that
/// keeps what it is given; a recipient with "refuse" in it gets a 550 with words.
pub fn recording_peer() -> (u16, Recorded) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let rec = Recorded::default();
    let out = rec.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let rec = rec.clone();
            std::thread::spawn(move || serve_recording(s, &rec));
        }
    });
    (port, out)
}

/// The message after DATA's 354, up to the lone dot, dot-unstuffed (RFC 5321
/// 4.5.2); `None` when the client went away first.
pub fn read_data(r: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut l = Vec::new();
        if r.read_until(b'\n', &mut l).unwrap_or(0) == 0 {
            return None;
        }
        if l == b".\r\n" {
            return Some(body);
        }
        let l = if l.starts_with(b"..") { &l[1..] } else { &l[..] };
        body.extend_from_slice(l);
    }
}

/// The address inside `<…>` of a MAIL FROM or RCPT TO line.
fn angle_address(line: &str) -> String {
    line.split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(a, _)| a.to_string())
        .unwrap_or_default()
}

fn serve_recording(s: std::net::TcpStream, rec: &Recorded) {
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    let _ = w.write_all(b"220 mx.lab.test ESMTP\r\n");
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let upper = line.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            "250-mx.lab.test\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n".into()
        } else if upper.starts_with("HELO") {
            "250 mx.lab.test\r\n".into()
        } else if upper.starts_with("MAIL FROM:") {
            *rec.from.lock().unwrap() = angle_address(&line);
            "250 2.1.0 ok\r\n".into()
        } else if upper.starts_with("RCPT TO:") {
            let to = angle_address(&line);
            if to.contains("refuse") {
                format!("550 5.1.1 <{to}>: no such user here\r\n")
            } else {
                rec.rcpts.lock().unwrap().push(to);
                "250 2.1.5 ok\r\n".into()
            }
        } else if upper.starts_with("DATA") {
            let _ = w.write_all(b"354 end with <CRLF>.<CRLF>\r\n");
            let Some(body) = read_data(&mut r) else { return };
            rec.data.lock().unwrap().extend_from_slice(&body);
            "250 2.0.0 queued\r\n".into()
        } else if upper.starts_with("QUIT") {
            let _ = w.write_all(b"221 2.0.0 bye\r\n");
            return;
        } else if upper.starts_with("RSET") || upper.starts_with("NOOP") {
            "250 2.0.0 ok\r\n".into()
        } else {
            "502 5.5.2 not implemented\r\n".into()
        };
        let _ = w.write_all(reply.as_bytes());
    }
}

/// An SMTP submission peer that wants AUTH PLAIN with `password` (plaintext, on
/// loopback): records every password tried, and the message of an authenticated
/// session.
pub fn auth_peer(password: &'static str) -> (u16, AuthSeen) {
    use base64::Engine as _;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = AuthSeen::default();
    let out = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut w = stream.try_clone().unwrap();
            let mut r = BufReader::new(stream);
            let _ = w.write_all(b"220 lab ESMTP\r\n");
            let mut authed = false;
            let mut line = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let upper = line.to_ascii_uppercase();
                let reply: &[u8] = if upper.starts_with("EHLO") {
                    b"250-lab\r\n250 AUTH PLAIN LOGIN\r\n"
                } else if let Some(b64) = upper.strip_prefix("AUTH PLAIN ").map(|_| line[11..].trim()) {
                    let raw = base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .unwrap_or_default();
                    let given = raw.split(|b| *b == 0).nth(2).unwrap_or_default();
                    let given = String::from_utf8_lossy(given).into_owned();
                    authed = given == password;
                    seen.tried.lock().unwrap().push(given);
                    if authed {
                        b"235 2.7.0 ok\r\n"
                    } else {
                        b"535 5.7.8 bad credentials\r\n"
                    }
                } else if upper.starts_with("MAIL") && !authed {
                    b"530 5.7.0 authentication required\r\n"
                } else if upper.starts_with("DATA") {
                    let _ = w.write_all(b"354 go\r\n");
                    let Some(body) = read_data(&mut r) else { break };
                    seen.data.lock().unwrap().extend_from_slice(&body);
                    b"250 2.0.0 queued\r\n"
                } else if upper.starts_with("QUIT") {
                    let _ = w.write_all(b"221 bye\r\n");
                    break;
                } else {
                    b"250 ok\r\n"
                };
                let _ = w.write_all(reply);
            }
        }
    });
    (port, out)
}

/// What an AUTH peer saw: every password tried, and the messages of authenticated
/// sessions.
#[derive(Clone, Default)]
pub struct AuthSeen {
    pub tried: Arc<Mutex<Vec<String>>>,
    pub data: Arc<Mutex<Vec<u8>>>,
}

/// How a relay-test peer answers.
#[derive(Clone)]
pub enum RelayMode {
    /// Accepts the recipient that equals this one; refuses the rest (550).
    OpenFor(String),
    /// Refuses every recipient (550 relaying denied).
    Closed,
    /// Answers every recipient with 450 (greylisting).
    Greylist,
    /// Takes the connection and never says a word.
    Silent,
}

/// An SMTP peer for the open-relay test, on a free loopback port: answers as
/// `mode` says and records every line the client sent (to prove no DATA).
pub fn relay_peer(mode: RelayMode) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let (mode, log) = (mode.clone(), log.clone());
            std::thread::spawn(move || serve_relay(s, &mode, &log));
        }
    });
    (port, seen)
}

fn serve_relay(s: std::net::TcpStream, mode: &RelayMode, log: &Mutex<Vec<String>>) {
    if matches!(mode, RelayMode::Silent) {
        std::thread::sleep(Duration::from_secs(30));
        return;
    }
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    let _ = w.write_all(b"220 relay.lab.test ESMTP\r\n");
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let text = line.trim_end().to_string();
        log.lock().unwrap().push(text.clone());
        let upper = text.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            "250-relay.lab.test\r\n250 8BITMIME\r\n".into()
        } else if upper.starts_with("RCPT TO:") {
            let rcpt = text["RCPT TO:".len()..]
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>');
            match mode {
                RelayMode::OpenFor(ok) if rcpt == ok => "250 2.1.5 ok\r\n".into(),
                RelayMode::Greylist => "450 4.7.1 greylisted, try again later\r\n".into(),
                _ => "550 5.7.1 relaying denied\r\n".into(),
            }
        } else if upper.starts_with("DATA") {
            "354 go ahead\r\n".into()
        } else if upper.starts_with("QUIT") {
            let _ = w.write_all(b"221 bye\r\n");
            return;
        } else {
            "250 ok\r\n".into()
        };
        let _ = w.write_all(reply.as_bytes());
    }
}
