//! One whois question over TCP: connect (the host resolved by our resolver), send the
//! query, read to the end within the time limit, keep what arrived.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_resolver::TokioResolver;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::lookup::answer::{Answer, Status};

/// Answers longer than this are cut (no registry sends more).
pub const MAX_ANSWER: usize = 2 << 20;

/// Resolves a server name through our resolver (an IP literal as it is).
pub async fn resolve(resolver: &TokioResolver, host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let fqdn = format!("{}.", host.trim_end_matches('.'));
    match resolver.lookup_ip(fqdn.as_str()).await {
        Ok(l) => {
            let addrs: Vec<SocketAddr> = l.iter().map(|ip| SocketAddr::new(ip, port)).collect();
            if addrs.is_empty() {
                Err(format!("{host} has no address"))
            } else {
                Ok(addrs)
            }
        }
        Err(e) if e.is_nx_domain() || e.is_no_records_found() => Err(format!("{host} has no address")),
        Err(e) => Err(format!("cannot resolve {host}: {e}")),
    }
}

/// Only the public addresses of `host`: loopback, private, link-local (cloud
/// metadata at 169.254.169.254), unspecified and multicast ones are refused.
///
/// # Errors
/// Every address of `host` is one of those.
pub fn public_only(addrs: Vec<SocketAddr>, host: &str) -> Result<Vec<SocketAddr>, String> {
    let public: Vec<SocketAddr> = addrs
        .into_iter()
        .filter(|a| {
            let ip = a.ip();
            !(crate::received::is_private(ip)
                || crate::received::is_loopback(ip)
                || ip.is_unspecified()
                || ip.is_multicast()
                || crate::received::is_impossible(ip))
        })
        .collect();
    if public.is_empty() {
        Err(format!(
            "{host} is on a loopback, private or link-local address: not asked (allow_private_servers is off)"
        ))
    } else {
        Ok(public)
    }
}

/// Asks `host:port` the `query` and returns the raw bytes, or how it failed with what
/// had arrived by then.
pub async fn ask_raw(
    resolver: &TokioResolver,
    host: &str,
    port: u16,
    query: &str,
    timeout: Duration,
    allow_private: bool,
) -> Result<Vec<u8>, (Status, String, Vec<u8>)> {
    let deadline = Instant::now() + timeout;
    let left = || deadline.saturating_duration_since(Instant::now());
    let addrs = match tokio::time::timeout(left(), resolve(resolver, host, port)).await {
        Err(_) => {
            return Err((
                Status::Timeout,
                format!("resolving {host} took too long"),
                Vec::new(),
            ));
        }
        Ok(Err(e)) => return Err((Status::Error, e, Vec::new())),
        Ok(Ok(a)) if allow_private => a,
        Ok(Ok(a)) => public_only(a, host).map_err(|e| (Status::Refused, e, Vec::new()))?,
    };
    let mut stream = None;
    let mut last_err = String::new();
    let mut last_status = Status::Error;
    for addr in addrs.iter().take(4) {
        match tokio::time::timeout(left(), TcpStream::connect(addr)).await {
            Err(_) => {
                return Err((
                    Status::Timeout,
                    format!("connecting to {addr} took too long"),
                    Vec::new(),
                ));
            }
            Ok(Ok(s)) => {
                stream = Some(s);
                break;
            }
            Ok(Err(e)) => {
                last_status = crate::lookup::answer::io_status(&e);
                last_err = format!("{addr}: {e}");
            }
        }
    }
    let Some(mut stream) = stream else {
        return Err((last_status, format!("cannot connect: {last_err}"), Vec::new()));
    };
    let line = format!("{}\r\n", query.replace(['\r', '\n'], " "));
    match tokio::time::timeout(left(), stream.write_all(line.as_bytes())).await {
        Err(_) => {
            return Err((
                Status::Timeout,
                "sending the query took too long".into(),
                Vec::new(),
            ));
        }
        Ok(Err(e)) => return Err((Status::Error, format!("cannot send the query: {e}"), Vec::new())),
        Ok(Ok(())) => {}
    }
    let mut buf = Vec::with_capacity(8192);
    let mut chunk = vec![0u8; 16384];
    loop {
        match tokio::time::timeout(left(), stream.read(&mut chunk)).await {
            Err(_) => {
                return Err((
                    Status::Timeout,
                    format!("the answer did not end within {} s", timeout.as_secs_f32()),
                    buf,
                ));
            }
            Ok(Ok(0)) => return Ok(buf),
            Ok(Ok(n)) => {
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() >= MAX_ANSWER {
                    buf.truncate(MAX_ANSWER);
                    return Ok(buf);
                }
            }
            Ok(Err(e)) => {
                return Err((
                    Status::Error,
                    format!("the connection broke after {} bytes: {e}", buf.len()),
                    buf,
                ));
            }
        }
    }
}

/// The whole exchange as an [`Answer`] (status from the transport only; the caller
/// reads the text for rate limits and "not found").
pub async fn ask(
    resolver: &TokioResolver,
    protocol: &str,
    host: &str,
    port: u16,
    query: &str,
    timeout: Duration,
    allow_private: bool,
) -> Answer {
    let server = if port == 43 {
        host.to_string()
    } else {
        format!("{host}:{port}")
    };
    let mut a = Answer::new(protocol, &server, query);
    let started = Instant::now();
    let result = ask_raw(resolver, host, port, query, timeout, allow_private).await;
    a.elapsed_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(bytes) => {
            a.text = super::decode(&bytes, host);
            a.status = Status::Ok;
            a.ttl_s = 86_400;
            a
        }
        Err((status, reason, partial)) => {
            a.text = super::decode(&partial, host);
            a.failed(status, reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    #[test]
    fn only_public_servers_are_asked() {
        let a = |s: &str| -> SocketAddr { s.parse().unwrap() };
        for bad in [
            "169.254.169.254:80",
            "10.1.2.3:43",
            "127.0.0.2:25",
            "[::1]:43",
            "[fe80::1]:43",
            "0.0.0.0:43",
        ] {
            assert!(super::public_only(vec![a(bad)], "h").is_err(), "{bad}");
        }
        let kept = super::public_only(vec![a("10.0.0.1:43"), a("81.2.69.7:43")], "h").unwrap();
        assert_eq!(kept, vec![a("81.2.69.7:43")]);
    }
}
