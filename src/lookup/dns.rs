//! DNS through hickory: the configured servers (else the system's configuration),
//! never the hosts file. Each query becomes an [`Answer`] whose text holds one
//! record per line, so it can be cached and shown as it came.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};

use super::answer::{Answer, Status};

/// Reads `ip` or `ip:port` (`[v6]:port` too).
pub fn parse_server(s: &str) -> Option<SocketAddr> {
    let s = s.trim();
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(sa);
    }
    s.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 53))
}

/// Builds the resolver.
///
/// # Errors
/// A server is not an address, or the system configuration cannot be read.
pub fn resolver(servers: &[String], timeout: Duration) -> Result<TokioResolver, String> {
    let mut builder = if servers.is_empty() {
        TokioResolver::builder_tokio()
            .map_err(|e| format!("cannot read the system's DNS configuration: {e}"))?
    } else {
        let mut ns = Vec::new();
        for s in servers {
            let sa = parse_server(s)
                .ok_or_else(|| format!("dns_servers: {s:?} is not an address or address:port"))?;
            let mut udp = ConnectionConfig::udp();
            udp.port = sa.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = sa.port();
            ns.push(NameServerConfig::new(sa.ip(), true, vec![udp, tcp]));
        }
        TokioResolver::builder_with_config(
            ResolverConfig::from_name_servers(ns),
            TokioRuntimeProvider::default(),
        )
    };
    let opts = builder.options_mut();
    opts.use_hosts_file = ResolveHosts::Never;
    opts.timeout = timeout;
    opts.attempts = 2;
    opts.ndots = 0;
    opts.cache_size = 1024;
    builder.build().map_err(|e| format!("cannot set up DNS: {e}"))
}

/// The text form of one record's data, for the kinds we ask for.
fn rdata_text(d: &RData) -> Option<String> {
    Some(match d {
        RData::A(a) => a.0.to_string(),
        RData::AAAA(a) => a.0.to_string(),
        RData::PTR(p) => p.0.to_utf8().trim_end_matches('.').to_string(),
        RData::MX(m) => format!("{} {}", m.preference, m.exchange.to_utf8().trim_end_matches('.')),
        RData::TXT(t) => t
            .txt_data
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect::<String>(),
        RData::CNAME(c) => return (!c.0.is_root()).then(String::new).filter(|s| !s.is_empty()),
        _ => return None,
    })
}

/// One DNS query, as an answer. `server` names what answered (for the evidence).
pub async fn query(
    resolver: &TokioResolver,
    server: &str,
    name: &str,
    rtype: RecordType,
    timeout: Duration,
) -> Answer {
    let mut a = Answer::new("dns", server, &format!("{name} {rtype}"));
    let started = Instant::now();
    let fqdn = if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    };
    let result = tokio::time::timeout(timeout, resolver.lookup(fqdn.as_str(), rtype)).await;
    a.elapsed_ms = started.elapsed().as_millis() as u64;
    match result {
        Err(_) => a.failed(
            Status::Timeout,
            format!("no answer within {} s", timeout.as_secs_f32()),
        ),
        Ok(Err(e)) if e.is_nx_domain() || e.is_no_records_found() => {
            a.status = Status::NotFound;
            a.ttl_s = 3600;
            a
        }
        Ok(Err(e)) => {
            let status = net_status(&e);
            a.failed(status, net_words(&e))
        }
        Ok(Ok(lookup)) => {
            let mut ttl = u32::MAX;
            let mut lines = Vec::new();
            for r in lookup.answers() {
                if r.record_type() != rtype {
                    continue;
                }
                if let Some(t) = rdata_text(&r.data) {
                    ttl = ttl.min(r.ttl);
                    lines.push(t.replace(['\n', '\r'], " "));
                }
            }
            if lines.is_empty() {
                a.status = Status::NotFound;
                a.ttl_s = 3600;
            } else {
                a.status = Status::Ok;
                a.ttl_s = u64::from(ttl.clamp(60, 86_400));
                a.text = lines.join("\n");
            }
            a
        }
    }
}

/// The reverse-DNS name of an address (`4.3.2.1.in-addr.arpa`, nibbles for IPv6).
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut s = String::with_capacity(64);
            for b in v6.octets().iter().rev() {
                let _ = write!(s, "{:x}.{:x}.", b & 0xf, b >> 4);
            }
            s.pop();
            s
        }
    }
}

/// The DNS servers in use, as shown in the evidence.
pub fn server_label(servers: &[String]) -> Arc<str> {
    if servers.is_empty() {
        Arc::from("system resolver")
    } else {
        Arc::from(servers.join(","))
    }
}

/// How a failed DNS request ended, read from the error's kind (never its text).
/// A resolver failure in the user's words: the resolver's own ("no connections
/// available") mean that no DNS server could be reached. (A refused connection is
/// a server that answered: not "no network".)
fn net_words(e: &hickory_resolver::net::NetError) -> String {
    let said = e.to_string();
    let lower = said.to_ascii_lowercase();
    if lower.contains("no connections available") || lower.contains("network is unreachable") {
        format!("no network: no DNS server could be reached ({said})")
    } else {
        said
    }
}

fn net_status(e: &hickory_resolver::net::NetError) -> Status {
    use hickory_resolver::net::{DnsError, NetError};
    use hickory_resolver::proto::op::ResponseCode;
    match e {
        NetError::Timeout => Status::Timeout,
        NetError::Io(io) => crate::lookup::answer::io_status(io),
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => Status::Refused,
        _ => Status::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names() {
        assert_eq!(reverse_name("192.0.2.1".parse().unwrap()), "1.2.0.192");
        assert_eq!(
            reverse_name("2001:db8::1".parse().unwrap()),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
        );
    }

    #[test]
    fn servers() {
        assert_eq!(
            parse_server("127.0.0.1:5353"),
            Some("127.0.0.1:5353".parse().unwrap())
        );
        assert_eq!(parse_server("::1"), Some("[::1]:53".parse().unwrap()));
        assert_eq!(parse_server("dns.example"), None);
    }
}
