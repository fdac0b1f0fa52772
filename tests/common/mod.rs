//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared` beside the repository, or `None` (the caller skips, saying why).
pub fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: ../shared is absent (peer data and corpus live there; see README)");
        None
    }
}

/// The normalisation the peer scorers use: `!1.2.3.4!` and `[1.2.3.4]` are the
/// address, `unknown`/`unverified` mean no name, a final dot does not count.
pub fn norm(v: Option<&str>) -> String {
    let mut v = v.unwrap_or("").trim().to_ascii_lowercase();
    while v.ends_with('.') {
        v.pop();
    }
    if v.len() > 2 && v.starts_with('!') && v.ends_with('!') {
        v = v[1..v.len() - 1].to_string();
    }
    if v.starts_with('[') && v.ends_with(']') {
        v = v[1..v.len() - 1].to_string();
    }
    if let Some(rest) = v.strip_prefix("ipv6:") {
        v = rest.to_string();
    }
    if v == "unknown" || v == "unverified" {
        v.clear();
    }
    v
}
