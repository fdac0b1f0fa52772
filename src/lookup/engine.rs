//! The lookup engine: every request goes through here, so it is cached, merged with
//! identical ones in flight, limited per server, kept from servers that asked us to
//! wait, and timed out.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hickory_resolver::TokioResolver;
use hickory_resolver::proto::rr::RecordType;
use tokio::sync::Semaphore;

use super::answer::{Answer, Status};
use super::cache::Cache;
use super::whois::parse::{self as wparse, Outcome, Parsed};
use super::{dns, tables, whois};
use crate::config::{Network, Zones};

/// How long a server that rate-limited us is left alone.
const PENALTY: Duration = Duration::from_secs(600);

/// Most whois hops in one chain (IANA → RIR → NIR → rwhois → handle).
const MAX_CHAIN: usize = 6;

/// Lookups with their settings and shared state. [`Engine::refreshing`] gives a
/// handle on the same state that asks every server again.
#[derive(Clone)]
pub struct Engine {
    pub net: Network,
    pub zones: Zones,
    pub timeout: Duration,
    resolver: TokioResolver,
    dns_label: Arc<str>,
    http: reqwest::Client,
    cache: Arc<Cache>,
    /// Ask again instead of answering from the cache (and store what comes back).
    refresh: bool,
    limits: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    /// When each whois or RDAP server may be asked next (`[network] per_server_rate`).
    slots: Arc<Mutex<HashMap<String, Instant>>>,
    /// `[network] max_requests`: requests in flight over all servers.
    global: Arc<Semaphore>,
    penalty: Arc<Mutex<HashMap<String, Instant>>>,
}

/// Lets reqwest resolve through our resolver, so `dns_servers` redirects RDAP too.
struct HttpResolver(TokioResolver, bool);

impl reqwest::dns::Resolve for HttpResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let resolver = self.0.clone();
        let allow_private = self.1;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = whois::client::resolve(&resolver, &host, 0)
                .await
                .and_then(|a| {
                    if allow_private {
                        Ok(a)
                    } else {
                        whois::client::public_only(a, &host)
                    }
                })
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.into() })?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Is the URL's host a loopback, private or link-local address literal?
fn private_literal(url: &reqwest::Url) -> bool {
    let Some(ip) = url.host_str().and_then(|h| {
        h.trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .ok()
    }) else {
        return false;
    };
    crate::received::is_private(ip) || crate::received::is_loopback(ip) || ip.is_unspecified()
}

/// Is the URL plain web: `http` or `https` on port 80 or 443? A link or redirect
/// in an answer (which may come from the spammer's own network) may lead nowhere
/// else: not to a mail, SSH or any other port of a public address.
fn web_url(url: &reqwest::Url) -> bool {
    matches!(url.scheme(), "http" | "https") && matches!(url.port_or_known_default(), Some(80 | 443))
}

/// Is `url` on the same scheme, host and port as `base` (the configured bootstrap,
/// whose port is the user's choice)?
fn same_origin(url: &reqwest::Url, base: &str) -> bool {
    reqwest::Url::parse(base).is_ok_and(|b| b.origin() == url.origin())
}

/// Was the connection refused? Read from the I/O error in the chain, not the text.
fn refused(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        cur = err.source();
    }
    false
}

/// One whois answer in a chain, with what was read from it.
#[derive(Debug, Clone)]
pub struct Hop {
    pub answer: Answer,
    pub parsed: Parsed,
}

impl Engine {
    /// Sets up the resolver, the HTTP client and the cache.
    ///
    /// # Errors
    /// The DNS configuration is unusable.
    pub fn new(
        net: Network,
        zones: Zones,
        cache_dir: Option<std::path::PathBuf>,
        offline: bool,
        refresh: bool,
    ) -> Result<Engine, String> {
        let timeout = Duration::from_secs_f64(net.timeout_secs.clamp(0.1, 600.0));
        let resolver = dns::resolver(&net.dns_servers, timeout)?;
        let http = reqwest::Client::builder()
            .dns_resolver(Arc::new(HttpResolver(
                resolver.clone(),
                net.allow_private_servers,
            )))
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("relaytrace/", env!("CARGO_PKG_VERSION")))
            .redirect({
                // Redirects to an address literal are not resolved by our resolver:
                // check those here (names are checked when they are resolved).
                let allow = net.allow_private_servers;
                let bootstrap = net.rdap_bootstrap_url.clone().unwrap_or_default();
                reqwest::redirect::Policy::custom(move |attempt| {
                    if attempt.previous().len() >= 5 {
                        attempt.error("more than 5 redirects")
                    } else if !allow && private_literal(attempt.url()) {
                        attempt.error("a redirect to a loopback, private or link-local address")
                    } else if !allow && !web_url(attempt.url()) && !same_origin(attempt.url(), &bootstrap) {
                        attempt.error("a redirect to a port other than HTTP's or HTTPS's (80, 443)")
                    } else {
                        attempt.follow()
                    }
                })
            })
            .build()
            .map_err(|e| format!("cannot set up HTTP: {e}"))?;
        let dir = if net.cache { cache_dir } else { None };
        if let Some(d) = &dir
            && !offline
        {
            let _ = super::cache::prune_daily(d, super::cache::Limits::of(&net));
        }
        let net_max = net.max_requests.max(1);
        Ok(Engine {
            dns_label: dns::server_label(&net.dns_servers),
            net,
            zones,
            timeout,
            resolver,
            http,
            cache: Arc::new(Cache::new(dir, offline)),
            refresh,
            limits: Arc::new(Mutex::new(HashMap::new())),
            slots: Arc::new(Mutex::new(HashMap::new())),
            global: Arc::new(Semaphore::new(net_max)),
            penalty: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    /// The same engine (cache, limits, penalties, the bound on requests) for
    /// requests that ask every server again: the TUI's `F`.
    /// `--offline`: answers from the cache only, and nothing else leaves the machine.
    pub fn offline(&self) -> bool {
        self.cache.offline()
    }

    /// Checks the message's DKIM signatures, ARC chain, SPF and DMARC now, through
    /// this engine's resolver and within its time limit (three lookups' worth).
    /// Offline, nothing is checked: `auth.checked` stays `None`.
    pub async fn authenticate(
        &self,
        whole: &[u8],
        auth: &mut crate::auth::Auth,
        spf: Option<crate::auth::SpfInput>,
    ) {
        if self.cache.offline() {
            return;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        crate::auth::verify(whole, auth, self.resolver.clone(), spf, self.timeout * 3, now).await;
    }

    /// The opt-in open-relay test of `plan` (never DATA): refused offline, for a
    /// private target unless `[network] allow_private_servers`, and within a day of
    /// the last test of the relay unless `force`; each step within the lookup time
    /// limit, the whole within a minute; kept in the tests' history.
    ///
    /// # Errors
    /// Why it was not run.
    pub async fn relay_test(
        &self,
        plan: &super::relaytest::Plan,
        force: bool,
    ) -> Result<super::relaytest::RelayTest, String> {
        use super::relaytest;
        if self.cache.offline() {
            return Err("--offline: the relay is not contacted".into());
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        let history = relaytest::history_path();
        let earlier = history
            .as_deref()
            .map(|p| relaytest::earlier(p, plan.ip))
            .unwrap_or_default();
        if let Some(why) = relaytest::refused(plan.ip, self.net.allow_private_servers, force, &earlier, now) {
            return Err(why);
        }
        let at = crate::received::Timestamp {
            epoch: now,
            offset_min: 0,
        }
        .to_string();
        let t = relaytest::run(
            plan,
            self.timeout,
            Duration::from_secs(60).max(self.timeout * 4),
            at,
        )
        .await;
        if let Some(p) = &history
            && let Err(e) = relaytest::remember(p, &t)
        {
            crate::logfile::warn(&format!("the relay test history cannot be written: {e}"));
        }
        Ok(t)
    }

    #[must_use]
    pub fn refreshing(&self) -> Engine {
        Engine {
            refresh: true,
            ..self.clone()
        }
    }

    async fn global_permit(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.global.clone().acquire_owned().await.ok()
    }

    /// Waits for `server`'s next slot: requests to one whois or RDAP server start at
    /// most `per_server_rate` a second, however many hops name it (a forged chain
    /// cannot turn relaytrace into a burst against one registry).
    async fn pace(&self, server: &str) {
        let rate = self.net.per_server_rate;
        if rate <= 0.0 {
            return;
        }
        let gap = Duration::from_secs_f64(1.0 / rate);
        let wait = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let slot = slots.get(server).copied().filter(|s| *s > now).unwrap_or(now);
            slots.insert(server.to_string(), slot + gap);
            slot.saturating_duration_since(now)
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    fn permit_pool(&self, server: &str) -> Arc<Semaphore> {
        let mut map = self.limits.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(server.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.net.per_server.max(1))))
            .clone()
    }

    /// Until when `server` is left alone: it rate-limited us, in this process or in an
    /// earlier one (the note is kept in the cache directory).
    fn penalised(&self, server: &str) -> Option<Instant> {
        let mut map = self.penalty.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(until) = map.get(server).copied().filter(|until| *until > Instant::now()) {
            return Some(until);
        }
        let left = self.cache.remaining(&format!("penalty|{server}"))?;
        let until = Instant::now() + left;
        map.insert(server.to_string(), until);
        Some(until)
    }

    fn penalise(&self, server: &str) {
        self.penalty
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(server.to_string(), Instant::now() + PENALTY);
        let mut note = Answer::new("penalty", server, "rate limited");
        note.status = Status::Ok;
        note.ttl_s = PENALTY.as_secs();
        self.cache.put(&format!("penalty|{server}"), &note);
    }

    /// The addresses of a host name, through relaytrace's resolver (an IP literal as it is).
    ///
    /// # Errors
    /// The name does not resolve.
    pub async fn resolve_host(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        whois::client::resolve(&self.resolver, host, 0)
            .await
            .map(|v| v.into_iter().map(|sa| sa.ip()).collect())
    }

    /// A DNS query, cached.
    pub async fn dns(&self, name: &str, rtype: RecordType) -> Answer {
        let key = format!("dns|{}|{rtype}", name.to_ascii_lowercase());
        let template = Answer::new("dns", &self.dns_label, &format!("{name} {rtype}"));
        let ask = async {
            let _global = self.global_permit().await;
            dns::query(&self.resolver, &self.dns_label, name, rtype, self.timeout).await
        };
        self.cache.get_or_ask(&key, template, ask, self.refresh).await
    }

    /// The port a whois server is reached on: `whois_port`, or the referral's own
    /// port where `whois_port` is left at 43.
    pub(crate) fn whois_port(&self, referral_port: Option<u16>) -> u16 {
        match referral_port {
            Some(p) if self.net.whois_port == 43 => p,
            _ => self.net.whois_port,
        }
    }

    /// One whois question, cached, limited and read.
    pub async fn whois(&self, protocol: &str, host: &str, port: u16, query: &str) -> Hop {
        let server = if port == 43 {
            host.to_string()
        } else {
            format!("{host}:{port}")
        };
        let key = format!("{protocol}|{server}|{query}");
        let template = Answer::new(protocol, &server, query);
        let answer = if let Some(until) = self.penalised(host) {
            let wait = until.saturating_duration_since(Instant::now()).as_secs();
            template.failed(
                Status::RateLimited,
                format!("{host} asked us to slow down; not asked again for {wait} s"),
            )
        } else {
            let ask = async {
                let pool = self.permit_pool(host);
                let _permit = pool.acquire().await;
                self.pace(host).await;
                let _global = self.global_permit().await;
                let mut a = whois::client::ask(
                    &self.resolver,
                    protocol,
                    host,
                    port,
                    query,
                    self.timeout,
                    self.net.allow_private_servers,
                )
                .await;
                if a.ok() {
                    match wparse::parse(&a.text).outcome {
                        Outcome::Ok => {}
                        Outcome::NotFound => a.status = Status::NotFound,
                        Outcome::RateLimited(r) => {
                            self.penalise(host);
                            a = a.failed(Status::RateLimited, r);
                        }
                        Outcome::Error(r) => a = a.failed(Status::Error, r),
                    }
                }
                a
            };
            self.cache.get_or_ask(&key, template, ask, self.refresh).await
        };
        let parsed = wparse::parse(&answer.text);
        Hop { answer, parsed }
    }

    /// The query text a whois server wants for an address.
    fn whois_query(host: &str, ip: IpAddr, rwhois: bool) -> String {
        if rwhois {
            return ip.to_string();
        }
        match host {
            "whois.arin.net" => format!("n + {ip}"),
            "whois.nic.ad.jp" => format!("{ip}/e"),
            _ => ip.to_string(),
        }
    }

    /// The whole referral chain for an address: IANA (unless the shipped table
    /// answers) → RIR → NIR or rwhois, with ARIN's summary follow-up and contact
    /// handles resolved. Loops and depth are bounded.
    pub async fn whois_chain(&self, ip: IpAddr) -> Vec<Hop> {
        let mut chain: Vec<Hop> = Vec::new();
        // Skip IANA where a delegation table answers: the configured bootstrap (fetched,
        // cached) wins over the copy shipped inside.
        let start = if self.net.iana_tables {
            let from_bootstrap = match &self.net.rdap_bootstrap_url {
                Some(_) => self
                    .rdap_base_ip(ip, &mut Vec::new())
                    .await
                    .as_deref()
                    .and_then(tables::Rir::from_url),
                None => None,
            };
            from_bootstrap
                .or_else(|| tables::rir_of_ip(ip))
                .map(tables::Rir::whois)
        } else {
            None
        };
        let mut next: Option<(String, Option<u16>, bool, String)> = Some(match start {
            Some(h) => (h.to_string(), None, false, Self::whois_query(h, ip, false)),
            None => ("whois.iana.org".to_string(), None, false, ip.to_string()),
        });
        let mut seen: Vec<(String, String)> = Vec::new();
        while let Some((host, port, rwhois, query)) = next.take() {
            if chain.len() >= MAX_CHAIN || seen.iter().any(|(h, q)| *h == host && *q == query) {
                break;
            }
            seen.push((host.clone(), query.clone()));
            let protocol = if rwhois { "rwhois" } else { "whois" };
            let hop = self.whois(protocol, &host, self.whois_port(port), &query).await;
            if hop.answer.status == Status::Ok {
                if let Some(f) = &hop.parsed.followup
                    && !seen.iter().any(|(h, q)| *h == host && q == f)
                {
                    next = Some((host.clone(), port, rwhois, f.clone()));
                } else if let Some(r) = &hop.parsed.referral
                    && !r.host.eq_ignore_ascii_case(&host)
                    && !r.host.contains("root.rwhois.net")
                    // A referral may name the whois or rwhois port, nothing else.
                    && (self.net.allow_private_servers || r.port.is_none_or(|p| p == 43 || p == 4321))
                {
                    next = Some((
                        r.host.clone(),
                        r.port,
                        r.rwhois,
                        Self::whois_query(&r.host, ip, r.rwhois),
                    ));
                }
            } else if host == "whois.iana.org"
                && let Some(rir) = tables::rir_of_ip(ip)
            {
                // IANA did not answer: the shipped table still knows the registry.
                next = Some((
                    rir.whois().to_string(),
                    None,
                    false,
                    Self::whois_query(rir.whois(), ip, false),
                ));
            }
            chain.push(hop);
        }
        // A customer reassignment whose allocation above the answers did not include:
        // ask ARIN for that parent by its handle, as the ISP is its holder.
        if let Some(handle) = arin_parent_to_ask(&chain, ip) {
            let hop = self
                .whois(
                    "whois",
                    "whois.arin.net",
                    self.whois_port(None),
                    &format!("n ! {handle}"),
                )
                .await;
            chain.push(hop);
        }
        // An assignment from a provider's allocation (RIPE, APNIC, AFRINIC) whose
        // allocation the answer did not include: one level less specific.
        if let Some((host, query)) = less_specific_to_ask(&chain, ip) {
            let hop = self.whois("whois", &host, self.whois_port(None), &query).await;
            chain.push(hop);
        }
        // rwhois contacts given as ARIN handles (`ABUSE2492-ARIN`).
        let handles: Vec<String> = chain
            .iter()
            .flat_map(|h| h.parsed.contact_handles.iter().cloned())
            .filter(|h| h.to_ascii_uppercase().ends_with("-ARIN"))
            .take(2)
            .collect();
        for h in handles {
            let hop = self
                .whois(
                    "whois",
                    "whois.arin.net",
                    self.whois_port(None),
                    &format!("p + {h}"),
                )
                .await;
            chain.push(hop);
        }
        chain
    }

    /// An HTTP GET of an RDAP URL, cached; 404 is "not found", 429 "rate limited".
    pub async fn rdap_get(&self, url: &str) -> Answer {
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let template = Answer::new("rdap", &host, url);
        if !self.net.allow_private_servers && reqwest::Url::parse(url).is_ok_and(|u| private_literal(&u)) {
            return template.failed(
                Status::Refused,
                format!("{host} is a loopback, private or link-local address: not asked (allow_private_servers is off)"),
            );
        }
        // Links in answers (`up`, the bootstrap's bases) lead to web ports only; the
        // configured bootstrap's own port is the user's choice.
        let bootstrap = self.net.rdap_bootstrap_url.as_deref().unwrap_or_default();
        if !self.net.allow_private_servers
            && reqwest::Url::parse(url).is_ok_and(|u| !web_url(&u) && !same_origin(&u, bootstrap))
        {
            return template.failed(
                Status::Refused,
                format!(
                    "{} is not an HTTP or HTTPS port (80, 443): an RDAP link may lead nowhere else; not asked",
                    crate::sanitize::clip(url, 120)
                ),
            );
        }
        if let Some(until) = self.penalised(&host) {
            let wait = until.saturating_duration_since(Instant::now()).as_secs();
            return template.failed(
                Status::RateLimited,
                format!("{host} asked us to slow down; not asked again for {wait} s"),
            );
        }
        let key = format!("rdap|{url}");
        let ask = async {
            let pool = self.permit_pool(&host);
            let _permit = pool.acquire().await;
            self.pace(&host).await;
            let _global = self.global_permit().await;
            let mut a = Answer::new("rdap", &host, url);
            let started = Instant::now();
            let res = self
                .http
                .get(url)
                .header("Accept", "application/rdap+json, application/json")
                .send()
                .await;
            let res = match res {
                Ok(r) => r,
                Err(e) => {
                    a.elapsed_ms = started.elapsed().as_millis() as u64;
                    let status = if e.is_timeout() {
                        Status::Timeout
                    } else if e.is_connect() && refused(&e) {
                        Status::Refused
                    } else {
                        Status::Error
                    };
                    return a.failed(status, error_chain(&e));
                }
            };
            let code = res.status().as_u16();
            let body = tokio::time::timeout(self.timeout, read_capped(res)).await;
            a.elapsed_ms = started.elapsed().as_millis() as u64;
            let bytes = match body {
                Err(_) => return a.failed(Status::Timeout, "the answer did not end in time"),
                Ok(Err(e)) => {
                    return a.failed(
                        Status::Error,
                        format!("the answer broke off: {}", error_chain(&e)),
                    );
                }
                Ok(Ok(b)) => b,
            };
            a.text =
                String::from_utf8_lossy(&bytes[..bytes.len().min(whois::client::MAX_ANSWER)]).into_owned();
            match code {
                200..=299 => {
                    if serde_json::from_str::<serde_json::Value>(&a.text).is_err() {
                        return a.failed(Status::Error, "the answer is not JSON");
                    }
                    a.status = Status::Ok;
                    a.ttl_s = 86_400;
                    a
                }
                404 => {
                    a.status = Status::NotFound;
                    a.ttl_s = 86_400;
                    a
                }
                429 => {
                    self.penalise(&host);
                    a.failed(Status::RateLimited, "HTTP 429 Too Many Requests")
                }
                _ => a.failed(Status::Error, format!("HTTP {code}")),
            }
        };
        self.cache.get_or_ask(&key, template, ask, self.refresh).await
    }

    /// The RDAP base URL for an address: the configured bootstrap, else the shipped table.
    pub async fn rdap_base_ip(&self, ip: IpAddr, answers: &mut Vec<Answer>) -> Option<String> {
        if let Some(url) = &self.net.rdap_bootstrap_url {
            let file = if ip.is_ipv4() { "ipv4.json" } else { "ipv6.json" };
            let a = self.rdap_get(&join_url(url, file)).await;
            let base = serde_json::from_str(&a.text)
                .ok()
                .and_then(|j| tables::bootstrap_lookup_ip(&j, ip));
            answers.push(a);
            return base;
        }
        tables::rir_of_ip(ip).map(|r| r.rdap().to_string())
    }

    /// The RDAP base URL for an AS number.
    pub async fn rdap_base_asn(&self, n: u32, answers: &mut Vec<Answer>) -> Option<String> {
        if let Some(url) = &self.net.rdap_bootstrap_url {
            let a = self.rdap_get(&join_url(url, "asn.json")).await;
            let base = serde_json::from_str(&a.text)
                .ok()
                .and_then(|j| tables::bootstrap_lookup_asn(&j, n));
            answers.push(a);
            return base;
        }
        tables::rir_of_asn(n).map(|r| r.rdap().to_string())
    }

    /// The RDAP base URL for a domain (only from a bootstrap: no copy is shipped).
    pub async fn rdap_base_domain(&self, domain: &str, answers: &mut Vec<Answer>) -> Option<String> {
        let url = self.net.rdap_bootstrap_url.as_ref()?;
        let a = self.rdap_get(&join_url(url, "dns.json")).await;
        let base = serde_json::from_str(&a.text)
            .ok()
            .and_then(|j| tables::bootstrap_lookup_domain(&j, domain));
        answers.push(a);
        base
    }
}

/// The ARIN handle of the allocation above the most specific network, when that is a
/// customer's (Reassigned, Reallocated) and no answer of the chain included it.
/// The RIPE-style query for the allocation above an assignment: where the most
/// specific network of a RIPE, APNIC or AFRINIC answer is an assignment out of a
/// provider's address space (`ASSIGNED PA`, `ASSIGNED NON-PORTABLE`,
/// `SUB-ALLOCATED PA`) and no answer holds a larger network around the address,
/// `-l <range>` to the same server returns the allocation and its holder, the ISP.
pub(crate) fn less_specific_to_ask(chain: &[Hop], ip: IpAddr) -> Option<(String, String)> {
    const SERVERS: &[&str] = &["whois.ripe.net", "whois.apnic.net", "whois.afrinic.net"];
    let hops: Vec<&Hop> = chain
        .iter()
        .filter(|h| h.answer.ok() && SERVERS.iter().any(|s| h.answer.server.starts_with(s)))
        .collect();
    let nets: Vec<(&Hop, &wparse::Net)> = hops
        .iter()
        .flat_map(|h| h.parsed.networks.iter().map(move |n| (*h, n)))
        .filter(|(_, n)| n.contains(ip))
        .collect();
    let (hop, most) = nets.iter().min_by_key(|(_, n)| n.size())?;
    let status = most.kind.as_deref().unwrap_or("").to_ascii_uppercase();
    let assigned = ["ASSIGNED PA", "ASSIGNED NON-PORTABLE", "SUB-ALLOCATED PA"]
        .iter()
        .any(|k| status.starts_with(k));
    let covered = nets.iter().any(|(_, n)| n.size() > most.size());
    let (first, last) = (most.first?, most.last?);
    let asked = chain.iter().any(|h| h.answer.query.starts_with("-l "));
    (assigned && !covered && !asked).then(|| {
        let host = hop.answer.server.split(':').next().unwrap_or("").to_string();
        (host, format!("-l {first} - {last}"))
    })
}

fn arin_parent_to_ask(chain: &[Hop], ip: IpAddr) -> Option<String> {
    let nets: Vec<&wparse::Net> = chain
        .iter()
        .filter(|h| h.answer.ok() && h.answer.server.starts_with("whois.arin.net"))
        .flat_map(|h| h.parsed.networks.iter())
        .filter(|n| n.contains(ip))
        .collect();
    // Of equal ranges (a summary line and the full record), the full record.
    let most = nets
        .iter()
        .min_by_key(|n| (n.size(), n.kind.is_none() && !n.customer))?;
    let kind = most.kind.as_deref().unwrap_or("").to_ascii_lowercase();
    if !(most.customer || kind.contains("reassigned") || kind.contains("reallocated")) {
        return None;
    }
    let parent = most.parent.as_deref()?;
    let handle = parent
        .rsplit_once('(')
        .map_or(parent, |(_, h)| h.trim_end_matches(')'))
        .trim();
    let valid = handle.to_ascii_uppercase().starts_with("NET")
        && handle.len() <= 40
        && handle.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    // A summary line names the parent but holds none of its contacts.
    let known = nets.iter().any(|n| {
        n.handle
            .as_deref()
            .is_some_and(|h| h.eq_ignore_ascii_case(handle))
            && !(n.contacts.is_empty() && n.parent_contacts.is_empty())
    });
    (valid && !known).then(|| handle.to_string())
}

/// The body, cut at [`whois::client::MAX_ANSWER`] bytes: a hostile server cannot make
/// us hold more.
async fn read_capped(mut res: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await? {
        let room = whois::client::MAX_ANSWER.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= whois::client::MAX_ANSWER {
            break;
        }
    }
    Ok(body)
}

/// `base` + `path` with exactly one slash between.
pub fn join_url(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

/// An error with its causes, in one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(server: &str, query: &str, file: &str) -> Hop {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/peer/whois/ip-whois");
        let text = whois::decode(&std::fs::read(dir.join(file)).unwrap(), server);
        let mut answer = Answer::new("whois", server, query);
        answer.status = Status::Ok;
        let parsed = wparse::parse(&text);
        answer.text = text;
        Hop { answer, parsed }
    }

    #[test]
    #[cfg_attr(no_shared, ignore = "needs ../shared")]
    fn an_assignment_without_its_allocation_asks_one_level_up() {
        let bt = hop("whois.ripe.net", "62.239.237.1", "ripe/ipwhois_62.239.237.1.txt");
        let ip: IpAddr = "62.239.237.1".parse().unwrap();
        assert_eq!(
            less_specific_to_ask(std::slice::from_ref(&bt), ip),
            Some((
                "whois.ripe.net".to_string(),
                "-l 62.239.237.0 - 62.239.237.255".to_string()
            ))
        );
        // Asked once only.
        let mut up = bt.clone();
        up.answer.query = "-l 62.239.237.0 - 62.239.237.255".into();
        assert_eq!(less_specific_to_ask(&[bt, up], ip), None);
        // APNIC's answer already holds the allocation above the assignment.
        let media = hop(
            "whois.apnic.net",
            "103.18.33.107",
            "apnic/phuhn_ap103_18_33_107.txt",
        );
        assert_eq!(
            less_specific_to_ask(&[media], "103.18.33.107".parse().unwrap()),
            None
        );
        // An allocation or ARIN's record is not a RIPE-style assignment.
        let gige = hop(
            "whois.arin.net",
            "n + 69.65.39.166",
            "arin/weppos_arin_referral_rwhois.txt",
        );
        assert_eq!(
            less_specific_to_ask(&[gige], "69.65.39.166".parse().unwrap()),
            None
        );
    }
}
