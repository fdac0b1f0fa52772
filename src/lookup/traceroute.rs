//! Traceroute to the relay (trippy-core): the routers just before the relay's network
//! name its upstream. Raw sockets need root or `CAP_NET_RAW`; without them the answer
//! says so and gives the exact command that enables it.
//!
//! The privilege is held as trippy holds it: installed as `setcap cap_net_raw+p`
//! (permitted, not effective), it is raised into the effective set of the one
//! thread that runs a trace, for that trace, and dropped when the trace ends. No
//! other thread (those that read the spam and the servers' answers) ever holds it.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::answer::{Answer, Status};
use super::engine::Engine;

/// One router on the path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteHop {
    pub ttl: u8,
    pub addrs: Vec<IpAddr>,
    pub avg_ms: Option<f64>,
}

/// The path to the relay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Route {
    pub hops: Vec<RouteHop>,
    /// The last router before the relay's network, and its AS.
    pub upstream_ip: Option<IpAddr>,
    pub upstream_asn: Option<u32>,
    /// How to run it by hand where we may not.
    pub command: Option<String>,
    #[serde(skip)]
    pub answer: Answer,
}

/// Why a trace failed: refused (no privilege to send ICMP) or any other error, read
/// from the I/O error's kind in the chain, not from the text.
fn failure(e: &(dyn std::error::Error + 'static)) -> (Status, String) {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::PermissionDenied)
        {
            return (Status::Refused, e.to_string());
        }
        cur = err.source();
    }
    (Status::Error, e.to_string())
}

/// Runs a trace with `CAP_NET_RAW` raised in this thread's effective set from the
/// permitted one (where it was not effective already), and dropped again after.
/// Root (or a binary given `+ep`) needs no raising and is left as it is.
fn privileged<T>(trace: impl FnOnce() -> Result<T, (Status, String)>) -> Result<T, (Status, String)> {
    use trippy_privilege::Privilege;
    let before = Privilege::discover().map_err(|e| (Status::Error, e.to_string()))?;
    if before.has_privileges() || !before.needs_privileges() {
        return trace();
    }
    let raised = Privilege::acquire_privileges().map_err(|e| (Status::Error, e.to_string()))?;
    if !raised.has_privileges() {
        return Err((Status::Refused, NEEDS.to_string()));
    }
    let result = trace();
    // The capability stays permitted (for the next trace), never effective here;
    // a drop that did not happen is said, never passed over.
    let dropped =
        Privilege::drop_privileges().is_ok() && Privilege::discover().is_ok_and(|p| !p.has_privileges());
    if !dropped {
        return Err((
            Status::Error,
            "the trace ran, but CAP_NET_RAW could not be dropped again".to_string(),
        ));
    }
    result
}

const NEEDS: &str = "traceroute needs root or CAP_NET_RAW";

/// Is this process root (effective user 0)? Read from /proc: no unsafe call.
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(2))
            .is_some_and(|euid| euid == "0")
    })
}

/// What a failed trace suggests: `setcap` when the privilege was missing and the
/// user is not root; else `mtr`, which may trace where this could not.
fn suggestion(ip: IpAddr, reason: Option<&str>, root: bool) -> String {
    if reason == Some(NEEDS) && !root {
        enable_command(ip)
    } else if reason == Some(NEEDS) {
        format!(
            "mtr -rwz {ip}   # running as root, yet no raw socket: the system (a container?) withholds CAP_NET_RAW"
        )
    } else {
        format!("mtr -rwz {ip}")
    }
}

/// The command that lets this binary trace: the capability permitted on the file
/// itself, as the README's Install section says.
pub fn enable_command(ip: IpAddr) -> String {
    let exe = std::env::current_exe()
        .ok()
        .map(|p| p.display().to_string())
        .filter(|p| !p.ends_with(" (deleted)"))
        .map_or_else(
            || "\"$(command -v relaytrace)\"".into(),
            |p| shell_words::quote(&p).into_owned(),
        );
    format!("sudo setcap cap_net_raw+p {exe}   # or: mtr -rwz {ip}")
}

fn run(ip: IpAddr, timeout: Duration) -> Result<Vec<RouteHop>, (Status, String)> {
    privileged(|| trace(ip, timeout))
}

fn trace(ip: IpAddr, timeout: Duration) -> Result<Vec<RouteHop>, (Status, String)> {
    // Concurrent traces (one per hop) must tell their ICMP replies apart.
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let id = (std::process::id() as u16)
        .wrapping_add(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
        .max(1);
    let tracer = trippy_core::Builder::new(ip)
        .trace_identifier(id)
        .privilege_mode(trippy_core::PrivilegeMode::Privileged)
        .protocol(trippy_core::Protocol::Icmp)
        .max_rounds(Some(2))
        .max_ttl(30)
        .max_round_duration(timeout.min(Duration::from_secs(2)))
        .grace_duration(Duration::from_millis(100))
        .build()
        .map_err(|e| failure(&e))?;
    tracer.run().map_err(|e| failure(&e))?;
    let state = tracer.snapshot();
    if let Some(e) = state.error() {
        return Err((Status::Error, e.to_string()));
    }
    Ok(state
        .hops()
        .iter()
        .map(|h| RouteHop {
            ttl: h.ttl(),
            addrs: h.addrs().copied().collect(),
            avg_ms: (h.total_recv() > 0).then(|| h.avg_ms()),
        })
        .collect())
}

impl Engine {
    /// The path to `ip`, or `None` when traceroute is switched off in the configuration.
    pub async fn traceroute(&self, ip: IpAddr) -> Option<Route> {
        if !self.net.traceroute {
            return None;
        }
        let mut answer = Answer::new("traceroute", "local", &ip.to_string());
        if self.offline() {
            // --offline: no packet leaves the machine, ICMP included.
            return Some(Route {
                hops: Vec::new(),
                upstream_ip: None,
                upstream_asn: None,
                command: Some(format!("mtr -rwz {ip}")),
                answer: answer.failed(
                    Status::Refused,
                    "--offline: not run (no packet leaves the machine)",
                ),
            });
        }
        let started = Instant::now();
        let timeout = self.timeout;
        let job = tokio::task::spawn_blocking(move || run(ip, timeout));
        let result = tokio::time::timeout(timeout + Duration::from_secs(6), job).await;
        answer.elapsed_ms = started.elapsed().as_millis() as u64;
        let hops = match result {
            Err(_) => {
                answer = answer.failed(Status::Timeout, "the trace did not finish in time");
                Vec::new()
            }
            Ok(Err(e)) => {
                answer = answer.failed(Status::Error, format!("the trace stopped: {e}"));
                Vec::new()
            }
            Ok(Ok(Err((status, e)))) => {
                answer = answer.failed(status, e);
                Vec::new()
            }
            Ok(Ok(Ok(hops))) => {
                (answer.status, answer.reason) = route_status(&hops, ip);
                answer.text = hops
                    .iter()
                    .map(|h| {
                        let addrs: Vec<String> = h.addrs.iter().map(ToString::to_string).collect();
                        let ms = h.avg_ms.map_or_else(|| "*".to_string(), |m| format!("{m:.1} ms"));
                        format!(
                            "{:>2}  {}  {ms}",
                            h.ttl,
                            if addrs.is_empty() {
                                "*".into()
                            } else {
                                addrs.join(" ")
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                hops
            }
        };
        // What to do instead: the capability only where it is what was missing and
        // can be given (root has it already: a container may withhold it).
        let command = (!answer.ok()).then(|| suggestion(ip, answer.reason.as_deref(), is_root()));
        Some(Route {
            hops,
            upstream_ip: None,
            upstream_asn: None,
            command,
            answer,
        })
    }
}

/// How a finished trace reads: a path with routers that answered is an answer,
/// whether or not the relay itself answered the probes (many drop them); that it
/// did not is said.
pub fn route_status(hops: &[RouteHop], target: IpAddr) -> (Status, Option<String>) {
    if !hops.iter().any(|h| !h.addrs.is_empty()) {
        return (Status::NotFound, None);
    }
    let note = (!hops.iter().any(|h| h.addrs.contains(&target)))
        .then(|| "the relay itself did not answer the probes; the routers before it did".to_string());
    (Status::Ok, note)
}

/// The last router before the relay's network (`cidr`), or the one before the relay.
pub fn upstream_of(route: &Route, target: IpAddr, cidr: Option<&str>) -> Option<IpAddr> {
    let net: Option<ipnet::IpNet> = cidr.and_then(|c| c.parse().ok());
    let inside = |a: &IpAddr| *a == target || net.is_some_and(|n| n.contains(a));
    let first_inside = route.hops.iter().position(|h| h.addrs.iter().any(inside))?;
    route.hops[..first_inside]
        .iter()
        .rev()
        .find_map(|h| h.addrs.iter().find(|a| !inside(a)).copied())
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_is_never_told_to_setcap() {
        let ip = "192.0.2.1".parse().unwrap();
        assert!(super::suggestion(ip, Some(super::NEEDS), false).starts_with("sudo setcap"));
        let root = super::suggestion(ip, Some(super::NEEDS), true);
        assert!(
            !root.contains("setcap") && root.contains("withholds CAP_NET_RAW"),
            "{root}"
        );
        assert_eq!(
            super::suggestion(ip, Some("the trace stopped"), false),
            "mtr -rwz 192.0.2.1"
        );
    }

    #[test]
    fn a_path_that_stops_before_the_relay_is_still_a_path() {
        let hop = |ttl: u8, a: &[&str]| RouteHop {
            ttl,
            addrs: a.iter().map(|x| x.parse().unwrap()).collect(),
            avg_ms: Some(1.0),
        };
        let target: IpAddr = "192.0.2.9".parse().unwrap();
        let partial = [hop(1, &["198.51.100.1"]), hop(2, &[])];
        let (status, note) = route_status(&partial, target);
        assert_eq!(status, Status::Ok);
        assert!(note.unwrap().contains("did not answer"));
        let whole = [hop(1, &["198.51.100.1"]), hop(2, &["192.0.2.9"])];
        assert_eq!(route_status(&whole, target), (Status::Ok, None));
        assert_eq!(route_status(&[hop(1, &[])], target).0, Status::NotFound);
    }

    use super::*;

    #[test]
    fn upstream_is_the_router_before_the_network() {
        let hop = |ttl, a: &str| RouteHop {
            ttl,
            addrs: vec![a.parse().unwrap()],
            avg_ms: Some(1.0),
        };
        let route = Route {
            hops: vec![
                hop(1, "10.0.0.1"),
                hop(2, "198.51.100.1"),
                hop(3, "192.0.2.1"),
                hop(4, "192.0.2.77"),
            ],
            upstream_ip: None,
            upstream_asn: None,
            command: None,
            answer: Answer::new("traceroute", "local", "x"),
        };
        let target = "192.0.2.77".parse().unwrap();
        assert_eq!(
            upstream_of(&route, target, Some("192.0.2.0/24")),
            Some("198.51.100.1".parse().unwrap())
        );
        assert_eq!(
            upstream_of(&route, target, None),
            Some("192.0.2.1".parse().unwrap())
        );
    }
}
