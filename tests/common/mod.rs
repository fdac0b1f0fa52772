//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared` beside the repository. A test that calls it is marked
/// `#[cfg_attr(no_shared, ignore = "needs ../shared")]` (build.rs sets `no_shared`):
/// without the data it is listed as ignored, never run to a silent pass.
///
/// # Panics
/// The data went away after the build.
pub fn shared() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared");
    assert!(
        p.is_dir(),
        "../shared is absent (touch build.rs to rebuild without it)"
    );
    p
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

/// The member names in `v`, at any depth, that `docs/json.md` does not name as
/// `` `name` ``: the JSON contract's page must cover what the commands print.
pub fn undocumented(v: &serde_json::Value) -> std::collections::BTreeSet<String> {
    fn walk(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    out.insert(k.clone());
                    walk(v, out);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let page = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/json.md"))
        .expect("docs/json.md");
    let mut keys = std::collections::BTreeSet::new();
    walk(v, &mut keys);
    keys.retain(|k| !page.contains(&format!("`{k}`")));
    keys
}

/// Whether `program` is on the PATH. Under CI (`RELAYTRACE_CI`) its absence fails
/// the test: `.ci/run` installs every program the tests drive.
pub fn have(program: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("RELAYTRACE_CI").is_none(),
            "CI must install {program} (.ci/run)"
        );
        eprintln!("SKIPPED: {program} is not installed");
    }
    found
}
