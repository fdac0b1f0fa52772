//! A loopback internet for the lookup tests (DESIGN.md §6): a DNS server
//! (hickory-server, in-process) with PTR, A, MX and TXT records; whois servers on
//! distinct 127.0.0.x addresses, one port, answering with the captured texts of
//! `../shared/peer/whois`; and an HTTP RDAP server with a bootstrap. Each can delay,
//! drop the connection mid-answer or answer garbage. relaytrace is pointed at it only
//! through its configuration.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub mod pty;
pub mod smtp;

use hickory_server::Server;
use hickory_server::net::runtime::Time;
use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::proto::rr::rdata::{A, MX, PTR, SOA, TXT};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// What a server does with one question.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Send these bytes and close.
    Bytes(Vec<u8>),
    /// Wait, then send.
    Slow(Duration, Vec<u8>),
    /// Send the first `n` bytes, then reset the connection.
    Drop(usize, Vec<u8>),
    /// Accept and never answer.
    Silent,
}

impl Reply {
    pub fn file(path: &Path) -> Reply {
        Reply::Bytes(std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
    }

    fn delayed(self, d: Duration) -> Reply {
        match self {
            Reply::Bytes(b) if !d.is_zero() => Reply::Slow(d, b),
            other => other,
        }
    }
}

/// A DNS record to serve.
pub enum Rr {
    A(&'static str, Ipv4Addr),
    Ptr(IpAddr, &'static str),
    Txt(String, String),
    Mx(&'static str, &'static str),
}

/// The lab's plan: DNS records, whois servers (host, address, answers), RDAP paths.
#[derive(Default)]
pub struct Plan {
    pub records: Vec<Rr>,
    pub whois: Vec<(String, Ipv4Addr, HashMap<String, Reply>)>,
    pub rdap: HashMap<String, (u16, Vec<u8>)>,
    /// Added to every whois and RDAP answer (for the speed benchmark).
    pub delay: Duration,
    /// Where the RDAP server listens (default `RDAP_IP`, any port) and the port of
    /// every whois server (default: any free one): a test in a network namespace
    /// puts them on public addresses and the real ports, so the guards run.
    pub rdap_at: Option<SocketAddr>,
    pub whois_port: Option<u16>,
}

impl Plan {
    /// A whois server `host` at `ip` answering `query` with `reply`.
    pub fn whois(&mut self, host: &str, ip: Ipv4Addr, query: &str, reply: Reply) {
        if let Some(s) = self.whois.iter_mut().find(|s| s.0 == host) {
            s.2.insert(query.to_string(), reply);
            return;
        }
        let mut m = HashMap::new();
        m.insert(query.to_string(), reply);
        self.whois.push((host.to_string(), ip, m));
    }

    pub fn rdap(&mut self, path: &str, status: u16, body: Vec<u8>) {
        self.rdap.insert(path.to_string(), (status, body));
    }
}

pub const RDAP_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 20);
pub const RDAP_HOST: &str = "rdap.lab.test";

/// The running lab; it stops when dropped.
pub struct Lab {
    pub dns: SocketAddr,
    /// Requests received by any lab server.
    pub hits: Hits,
    pub whois_port: u16,
    pub rdap_port: u16,
    pub dir: tempfile::TempDir,
    rdap: Paths,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `../shared/peer/whois`. A test that calls it is marked
/// `#[cfg_attr(no_shared, ignore = "needs ../shared")]`: without `../shared` it is
/// listed as ignored, never run to a silent pass.
///
/// # Panics
/// The data went away after the build.
pub fn whois_data() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/peer/whois");
    assert!(
        p.is_dir(),
        "../shared/peer/whois is absent (touch build.rs to rebuild without it)"
    );
    p
}

fn name(s: &str) -> Name {
    let mut n = Name::from_ascii(s).unwrap();
    n.set_fqdn(true);
    n
}

fn reverse(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut s = String::new();
            for b in v6.octets().iter().rev() {
                let _ = write!(s, "{:x}.{:x}.", b & 0xf, b >> 4);
            }
            s + "ip6.arpa"
        }
    }
}

fn zone(
    plan_records: &[Rr],
    whois: &[(String, Ipv4Addr, HashMap<String, Reply>)],
    rdap_ip: Ipv4Addr,
) -> InMemoryZoneHandler<TokioRuntimeProvider> {
    let root = Name::root();
    let mut h =
        InMemoryZoneHandler::<TokioRuntimeProvider>::empty(root.clone(), ZoneType::Primary, AxfrPolicy::Deny);
    let soa = SOA::new(
        name("ns.lab.test"),
        name("hostmaster.lab.test"),
        1,
        3600,
        600,
        86400,
        60,
    );
    h.upsert_mut(Record::from_rdata(root, 3600, RData::SOA(soa)), 1);
    let mut add = |n: Name, d: RData| {
        h.upsert_mut(Record::from_rdata(n, 300, d), 1);
    };
    for (host, ip, _) in whois {
        add(name(host), RData::A(A(*ip)));
    }
    add(name(RDAP_HOST), RData::A(A(rdap_ip)));
    for r in plan_records {
        match r {
            Rr::A(n, ip) => add(name(n), RData::A(A(*ip))),
            Rr::Ptr(ip, n) => add(name(&reverse(*ip)), RData::PTR(PTR(name(n)))),
            // Strings of at most 255 octets, as DNS carries them (a DKIM key is longer).
            Rr::Txt(n, t) => add(
                name(n),
                RData::TXT(TXT::new(
                    t.as_bytes()
                        .chunks(255)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect(),
                )),
            ),
            Rr::Mx(n, x) => add(name(n), RData::MX(MX::new(10, name(x)))),
        }
    }
    h
}

/// The catalog, answering after a delay (the speed benchmark's 100 ms).
struct Delayed {
    inner: Catalog,
    delay: Duration,
    hits: Hits,
}

/// Every request any lab server received (DNS queries, whois and HTTP
/// connections): a test of `--offline` proves it stays at zero.
pub type Hits = Arc<std::sync::atomic::AtomicUsize>;

fn hit(h: &Hits) {
    h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

#[async_trait::async_trait]
impl RequestHandler for Delayed {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response_handle: R,
    ) -> ResponseInfo {
        hit(&self.hits);
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        self.inner.handle_request::<R, T>(request, response_handle).await
    }
}

async fn serve_whois(
    listener: TcpListener,
    answers: Arc<HashMap<String, Reply>>,
    delay: Duration,
    hits: Hits,
) {
    loop {
        let Ok((mut s, _)) = listener.accept().await else {
            return;
        };
        hit(&hits);
        let answers = answers.clone();
        tokio::spawn(async move {
            let mut q = Vec::new();
            let mut b = [0u8; 1];
            while q.len() < 1024 {
                match s.read(&mut b).await {
                    Ok(1) if b[0] == b'\n' => break,
                    Ok(1) => q.push(b[0]),
                    _ => return,
                }
            }
            let query = String::from_utf8_lossy(&q).trim().to_string();
            let Some(reply) = answers.get(&query).or_else(|| answers.get("*")).cloned() else {
                return;
            };
            match reply.delayed(delay) {
                Reply::Bytes(bytes) => {
                    let _ = s.write_all(&bytes).await;
                }
                Reply::Slow(d, bytes) => {
                    tokio::time::sleep(d).await;
                    let _ = s.write_all(&bytes).await;
                }
                Reply::Drop(n, bytes) => {
                    let _ = s.write_all(&bytes[..n.min(bytes.len())]).await;
                    let _ = s.flush().await;
                    // A reset, not a clean end: the client sees the connection break.
                    let std = s.into_std().unwrap();
                    let sock = socket2::SockRef::from(&std);
                    let _ = sock.set_linger(Some(Duration::ZERO));
                    drop(std);
                    return;
                }
                Reply::Silent => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
            }
            let _ = s.shutdown().await;
        });
    }
}

type Paths = Arc<std::sync::Mutex<HashMap<String, (u16, Vec<u8>)>>>;

async fn serve_http(listener: TcpListener, paths: Paths, delay: Duration, hits: Hits) {
    loop {
        let Ok((mut s, _)) = listener.accept().await else {
            return;
        };
        hit(&hits);
        let paths = paths.clone();
        tokio::spawn(async move {
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") && req.len() < 65536 {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&req);
            let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
            tokio::time::sleep(delay).await;
            let found = paths.lock().unwrap().get(&path).cloned();
            let (status, body) =
                found.unwrap_or((404, b"{\"errorCode\":404,\"title\":\"Not Found\"}".to_vec()));
            // A redirect's body is where it leads.
            let (location, body) = if (300..400).contains(&status) {
                (
                    format!("Location: {}\r\n", String::from_utf8_lossy(&body)),
                    Vec::new(),
                )
            } else {
                (String::new(), body)
            };
            let head = format!(
                "HTTP/1.1 {status} X\r\n{location}Content-Type: application/rdap+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes()).await;
            let _ = s.write_all(&body).await;
            let _ = s.shutdown().await;
        });
    }
}

async fn bind_same_port(ips: &[Ipv4Addr]) -> (u16, Vec<TcpListener>) {
    'again: for _ in 0..50 {
        let first = TcpListener::bind((ips[0], 0)).await.unwrap();
        let port = first.local_addr().unwrap().port();
        let mut ls = vec![first];
        for ip in &ips[1..] {
            match TcpListener::bind((*ip, port)).await {
                Ok(l) => ls.push(l),
                Err(_) => continue 'again,
            }
        }
        return (port, ls);
    }
    panic!("no common free port on the lab addresses");
}

impl Lab {
    /// Starts the lab for `plan` on its own thread.
    pub fn start(plan: Plan) -> Lab {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let rdap: Paths = Arc::new(std::sync::Mutex::new(plan.rdap.clone()));
        let paths = rdap.clone();
        let hits: Hits = Arc::default();
        let counted = hits.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let mut catalog = Catalog::new();
                catalog.upsert(
                    LowerName::from(Name::root()),
                    vec![Arc::new(zone(
                        &plan.records,
                        &plan.whois,
                        match plan.rdap_at {
                            Some(SocketAddr::V4(a)) => *a.ip(),
                            _ => RDAP_IP,
                        },
                    ))],
                );
                // A UDP port whose TCP twin is free too (another test may hold it).
                let mut tries = 0;
                let (udp, dns, tcp) = loop {
                    let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                    let dns = udp.local_addr().unwrap();
                    match TcpListener::bind(dns).await {
                        Ok(tcp) => break (udp, dns, tcp),
                        Err(e) if tries < 50 => {
                            tries += 1;
                            let _ = e;
                        }
                        Err(e) => panic!("no free DNS port pair: {e}"),
                    }
                };
                let mut server = Server::new(Delayed {
                    inner: catalog,
                    delay: plan.delay,
                    hits: counted.clone(),
                });
                server.register_socket(udp);
                server.register_listener(tcp, Duration::from_secs(5), 65535);

                let ips: Vec<Ipv4Addr> = plan.whois.iter().map(|w| w.1).collect();
                // No whois server: the names resolve nowhere in the lab's DNS, so
                // nothing is asked whatever the port.
                let whois_port = if ips.is_empty() {
                    43
                } else {
                    let (port, listeners) = match plan.whois_port {
                        Some(port) => {
                            let mut ls = Vec::new();
                            for ip in &ips {
                                ls.push(TcpListener::bind((*ip, port)).await.unwrap());
                            }
                            (port, ls)
                        }
                        None => bind_same_port(&ips).await,
                    };
                    for (l, (_, _, answers)) in listeners.into_iter().zip(plan.whois) {
                        tokio::spawn(serve_whois(l, Arc::new(answers), plan.delay, counted.clone()));
                    }
                    port
                };
                let http = TcpListener::bind(plan.rdap_at.unwrap_or(SocketAddr::new(IpAddr::V4(RDAP_IP), 0)))
                    .await
                    .unwrap();
                let rdap_port = http.local_addr().unwrap().port();
                tokio::spawn(serve_http(http, paths, plan.delay, counted));
                ready_tx.send((dns, whois_port, rdap_port)).unwrap();
                let _ = stop_rx.await;
                let _ = server.shutdown_gracefully().await;
            });
        });
        let (dns, whois_port, rdap_port) = ready_rx.recv().unwrap();
        Lab {
            dns,
            hits,
            whois_port,
            rdap_port,
            dir: tempfile::tempdir().unwrap(),
            rdap,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Serves `body` with `status` at `path` from now on.
    pub fn set_rdap(&self, path: &str, status: u16, body: Vec<u8>) {
        self.rdap.lock().unwrap().insert(path.to_string(), (status, body));
    }

    /// The RDAP base URL of a registry in the lab.
    pub fn rdap_base(&self, rir: &str) -> String {
        format!("http://{RDAP_HOST}:{}/{rir}/", self.rdap_port)
    }

    /// The lab's DNS server as `dns_servers` takes it.
    pub fn dns_server(&self) -> String {
        self.dns.to_string()
    }

    /// Writes a configuration pointing relaytrace at the lab; `extra` is appended
    /// to `[network]`.
    pub fn config(&self, extra: &str) -> PathBuf {
        let path = self.dir.path().join("config.toml");
        let timeout = if extra.contains("timeout_secs") {
            ""
        } else {
            "timeout_secs = 3\n"
        };
        // The lab lives on 127.0.0.x: let relaytrace reach it, unless a test says not.
        let timeout = if extra.contains("allow_private_servers") {
            timeout.to_string()
        } else {
            format!("{timeout}allow_private_servers = true\n")
        };
        let traceroute = if extra.contains("traceroute") {
            ""
        } else {
            "traceroute = false\n"
        };
        let text = format!(
            "[network]\ndns_servers = [\"{}\"]\nwhois_port = {}\nrdap_bootstrap_url = \"http://{RDAP_HOST}:{}/bootstrap/\"\n{timeout}{traceroute}{extra}\n\
             [zones]\nasn_origin = \"origin.asn.lab.test\"\nasn_origin6 = \"origin6.asn.lab.test\"\nasn_peer = \"peer.asn.lab.test\"\n\
             asn_name = \"asn.lab.test\"\nabusix = \"abusix.lab.test\"\nabuse_net = \"contacts.abuse.lab.test\"\ndnsbl = [\"bl.lab.test\"]\n",
            self.dns, self.whois_port, self.rdap_port
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The binary, with this lab's configuration and a private cache.
    pub fn command(&self, extra_network: &str) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_relaytrace"));
        c.env("XDG_CACHE_HOME", self.dir.path().join("cache"));
        c.env("XDG_CONFIG_HOME", self.dir.path().join("no-config"));
        c.arg("--config").arg(self.config(extra_network));
        c
    }
}

/// The bootstrap file for IPv4 with every registry at the lab's RDAP server.
pub fn bootstrap_ipv4(lab_port: u16, map: &[(&str, &str)]) -> Vec<u8> {
    let services: Vec<serde_json::Value> = map
        .iter()
        .map(|(prefix, rir)| serde_json::json!([[prefix], [format!("http://{RDAP_HOST}:{lab_port}/{rir}/")]]))
        .collect();
    serde_json::to_vec(&serde_json::json!({"version": "1.0", "services": services})).unwrap()
}
