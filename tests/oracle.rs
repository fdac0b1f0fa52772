//! The trust analysis against `SpamAssassin`'s reading of the real corpus in
//! `../shared/corpus` (the same measure as `shared/tools/score-oracle`): at least 95 %
//! of its relays found in order, and of its last-external relays agreed.

#![allow(clippy::unwrap_used, clippy::many_single_char_names, clippy::too_many_lines)] // test code: a panic is the failure report

mod common;

use std::fs::File;

use relaytrace::message::Reader;
use relaytrace::trace::{Options, Site, analyse};
use serde_json::Value;

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn corpus_agrees_with_spamassassin() {
    let shared = common::shared();
    let corpus = shared.join("corpus");
    let oracle: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("spamassassin-oracle.json")).unwrap())
            .unwrap();
    let (mut rel_ok, mut rel_n, mut le_ok, mut le_n) = (0, 0, 0, 0);
    let mut fails = Vec::new();
    for (name, m) in oracle["messages"].as_object().unwrap() {
        let Ok(file) = File::open(corpus.join(name)) else {
            continue;
        };
        let domains: Vec<String> = m["trust"]["site_domains"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str().map(str::to_string))
            .collect();
        let opts = Options {
            site: Site::parse(&domains).unwrap(),
            no_auto_site: false,
            authserv_ids: Vec::new(),
        };
        let msg = Reader::new(file).next().unwrap().unwrap();
        let t = analyse(&msg, &opts);
        let ours: Vec<_> = t.hops.iter().filter(|h| h.from_ip.is_some()).collect();
        let mut j = 0;
        for r in m["relays"].as_array().unwrap() {
            if r["synthetic"] == Value::Bool(true) {
                continue;
            }
            rel_n += 1;
            let want_ip = common::norm(r["ip"].as_str());
            let Some(k) = (j..ours.len())
                .find(|&k| common::norm(ours[k].from_ip.map(|i| i.to_string()).as_deref()) == want_ip)
            else {
                fails.push(format!("{name}: relay {want_ip} not found"));
                continue;
            };
            let h = ours[k];
            let same = |want: &Value, got: Option<&str>| {
                let w = common::norm(want.as_str());
                w.is_empty() || w == common::norm(got)
            };
            if same(&r["rdns"], h.from_rdns.as_deref()) && same(&r["helo"], h.from_helo.as_deref()) {
                rel_ok += 1;
            } else {
                fails.push(format!("{name}: relay {want_ip} differs"));
            }
            j = k + 1;
        }
        le_n += 1;
        let want = common::norm(m["last_external"]["ip"].as_str());
        let got = t.relay.and_then(|i| t.hops[i].from_ip).map(|i| i.to_string());
        if want == common::norm(got.as_deref()) {
            le_ok += 1;
        } else {
            fails.push(format!("{name}: last external want {want} got {got:?}"));
        }
    }
    eprintln!(
        "oracle: relays {rel_ok}/{rel_n}, last-external {le_ok}/{le_n}\n{}",
        fails.join("\n")
    );
    assert!(le_n >= 30, "corpus too small: {le_n}");
    assert!(rel_ok * 100 >= rel_n * 95, "relays {rel_ok}/{rel_n}");
    assert!(le_ok * 100 >= le_n * 95, "last external {le_ok}/{le_n}");
}
