//! `relaytrace lookup`: every source about one address or domain, as JSON (DESIGN.md
//! §3) or as a report.

use std::io::{BufWriter, Write};
use std::net::IpAddr;

use crate::error::Error;
use crate::lookup::Engine;
use crate::sanitize::clean;

/// What `lookup` was asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Ip(IpAddr),
    Domain(String),
}

impl Target {
    /// Reads an address (any notation the parser knows) or a domain name.
    ///
    /// # Errors
    /// Neither an address nor a host name.
    pub fn parse(s: &str) -> Result<Target, String> {
        let t = s.trim();
        if let Some(ip) = crate::received::parse_ip_token(t) {
            return Ok(Target::Ip(ip));
        }
        let d = t.trim_end_matches('.').to_ascii_lowercase();
        let valid = d.contains('.')
            && d.len() <= 253
            && d.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if valid {
            Ok(Target::Domain(d))
        } else {
            Err(format!(
                "{:?} is neither an IP address nor a domain name",
                clean(t)
            ))
        }
    }
}

/// `relaytrace lookup`.
///
/// # Errors
/// The output cannot be written.
pub async fn run(
    engine: &Engine,
    target: &Target,
    json: bool,
    raw: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let result = match target {
        Target::Ip(ip) => Box::pin(engine.lookup_ip(*ip)).await,
        Target::Domain(d) => Box::pin(engine.lookup_domain(d)).await,
    };
    let mut out = BufWriter::new(out);
    if json {
        super::write_json_line(&mut out, &result)?;
    } else {
        out.write_all(crate::report::lookup::render(&result, raw).as_bytes())
            .map_err(|e| Error::write(&e))?;
    }
    out.flush().map_err(|e| Error::write(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            Target::parse("192.0.2.1"),
            Ok(Target::Ip("192.0.2.1".parse().unwrap()))
        );
        assert_eq!(
            Target::parse("[IPv6:2001:db8::1]"),
            Ok(Target::Ip("2001:db8::1".parse().unwrap()))
        );
        assert_eq!(
            Target::parse("Example.NET."),
            Ok(Target::Domain("example.net".into()))
        );
        assert!(Target::parse("not a host").is_err());
        assert!(Target::parse("\x1b[31m").is_err());
    }
}
