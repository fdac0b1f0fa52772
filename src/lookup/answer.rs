//! One question put to one server, and how it ended: the evidence the user sees.

use serde::{Deserialize, Serialize};

/// How a request ended (DESIGN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    NotFound,
    Timeout,
    Refused,
    RateLimited,
    Error,
}

impl Status {
    /// Worth keeping in the cache: a real answer, positive or negative.
    pub fn cacheable(self) -> bool {
        matches!(self, Status::Ok | Status::NotFound)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::NotFound => "not_found",
            Status::Timeout => "timeout",
            Status::Refused => "refused",
            Status::RateLimited => "rate_limited",
            Status::Error => "error",
        }
    }
}

/// How a failed connection or read ended, by the I/O error's kind.
pub fn io_status(e: &std::io::Error) -> Status {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => Status::Refused,
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => Status::Timeout,
        _ => Status::Error,
    }
}

/// A question and its answer, kept whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// `dns`, `whois`, `rwhois`, `rdap` or `traceroute`.
    pub protocol: String,
    pub server: String,
    pub query: String,
    pub status: Status,
    pub elapsed_ms: u64,
    /// The raw answer (DNS: one record per line; RDAP: the JSON body).
    pub text: String,
    /// Why it failed, in words, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How long the answer may be reused, in seconds.
    #[serde(default, skip_serializing)]
    pub ttl_s: u64,
    /// Served from the cache rather than asked now.
    #[serde(default)]
    pub cached: bool,
}

impl Answer {
    pub fn new(protocol: &str, server: &str, query: &str) -> Answer {
        Answer {
            protocol: protocol.into(),
            server: server.into(),
            query: query.into(),
            status: Status::Error,
            elapsed_ms: 0,
            text: String::new(),
            reason: None,
            ttl_s: 0,
            cached: false,
        }
    }

    /// This answer, failed with `status` for `reason`.
    #[must_use]
    pub fn failed(mut self, status: Status, reason: impl Into<String>) -> Answer {
        self.status = status;
        self.reason = Some(crate::sanitize::clip(&reason.into(), 200));
        self
    }

    /// The lines of the text (DNS records).
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.text.lines().filter(|l| !l.is_empty())
    }

    pub fn ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// An RDAP bootstrap fetch (IANA's `ipv4.json` and the like), a step towards the
    /// server rather than a question about the address.
    pub fn is_rdap_bootstrap(&self) -> bool {
        let q = self.query.to_ascii_lowercase();
        ["ipv4.json", "ipv6.json", "asn.json", "dns.json"]
            .iter()
            .any(|f| q.ends_with(f))
    }
}
