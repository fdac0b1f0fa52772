//! The import graph of `src/` (ARCHITECTURE.md): no circle between top-level
//! modules, and no arrow from a lower module up to the front ends or the front
//! door. Read from the source text: every `crate::<module>` outside test code.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layer of a top-level module; `None`: beside all (anyone may use it, it uses
/// only its own kind).
fn layer(m: &str) -> Option<u8> {
    Some(match m {
        "message" | "received" => 0,
        "trace" | "logfile" => 1,
        "lookup" | "auth" | "compose" | "deliver" => 2,
        "report" | "tui" => 3,
        "cmd" | "cli" | "main" | "lib" => 4,
        "config" | "sanitize" | "error" => return None,
        other => panic!("a top-level module ARCHITECTURE.md does not place: {other}"),
    })
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
            if p.extension().is_none_or(|e| e != "rs") || rel.ends_with("tests.rs") || rel.contains("/tests/")
            {
                continue;
            }
            let top = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
            let text = std::fs::read_to_string(&p).unwrap();
            // Test modules at the end of a file do not count.
            let code = text.split("#[cfg(test)]").next().unwrap();
            let entry = deps.entry(top.clone()).or_default();
            for (i, _) in code.match_indices("crate::") {
                let name: String = code[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != top {
                    entry.insert(name);
                }
            }
        }
    }
    deps
}

#[test]
fn no_arrow_points_up_and_no_circle() {
    let deps = graph();
    let mut wrong = Vec::new();
    for (from, tos) in &deps {
        for to in tos {
            match (layer(from), layer(to)) {
                // Beside all: uses only its own kind.
                (None, Some(_)) => wrong.push(format!("{from} → {to}")),
                (Some(a), Some(b)) if b > a => wrong.push(format!("{from} → {to} (up)")),
                // Within the library layer: compose reads lookups and the
                // authentication, lookup checks the authentication with its
                // resolver, deliver uses compose.
                (Some(2), Some(2))
                    if !matches!(
                        (from.as_str(), to.as_str()),
                        ("compose", "lookup" | "auth")
                            | ("lookup", "auth")
                            | ("deliver", "compose" | "lookup")
                    ) =>
                {
                    wrong.push(format!("{from} → {to} (sideways)"));
                }
                (Some(a), Some(b)) if a == b && a != 2 && a != 4 => {
                    wrong.push(format!("{from} → {to} (sideways)"));
                }
                _ => {}
            }
            if deps.get(to).is_some_and(|back| back.contains(from)) {
                wrong.push(format!("{from} ↔ {to} (circle)"));
            }
        }
    }
    // The front door's own two: cmd runs what cli parsed; cli names nothing of cmd.
    assert!(!deps.get("cli").is_some_and(|d| d.contains("cmd")), "cli → cmd");
    assert!(wrong.is_empty(), "{wrong:#?}\n{deps:#?}");
    assert!(
        deps.contains_key("message") && deps.contains_key("cmd"),
        "{deps:#?}"
    );
}

/// Issue 21: a build without `../shared` (a user's `cargo install`) prints no
/// test-data warning; the tests that need it say so themselves, as ignored.
#[test]
fn the_build_script_warns_nobody() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("build.rs")).unwrap();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    assert!(
        !code.contains("cargo::warning") && !code.contains("cargo:warning"),
        "build.rs warns"
    );
}
