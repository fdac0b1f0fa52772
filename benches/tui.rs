//! Responsiveness of the TUI (issue 4): the real binary in a pseudo-terminal, every
//! DNS, whois and RDAP answer of the loopback lab delayed 2 s. Measures the time to
//! the first frame, the time from a key press to the redrawn frame while the lookups
//! are in flight, and what an idle screen costs (CPU time and bytes drawn) once they
//! are done. `cargo bench --bench tui`.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

#[path = "../tests/lab/mod.rs"]
mod lab;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use lab::pty::Pty;
use lab::{Lab, Plan, Reply, Rr};

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may contain spaces) start after ") ".
    let rest = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    num(11) + num(12) // utime + stime (fields 14 and 15 of stat)
}

/// The `pct`-th percentile (0 to 100).
fn percentile(v: &mut [f64], pct: usize) -> f64 {
    v.sort_by(f64::total_cmp);
    v[(v.len() - 1) * pct / 100]
}

fn main() {
    if cfg!(no_shared) {
        eprintln!("SKIPPED: this benchmark needs ../shared (the captured registry answers)");
        return;
    }
    let w = lab::whois_data();
    let delay = Duration::from_millis(
        std::env::var("RELAYTRACE_BENCH_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000),
    );
    let mut plan = Plan {
        delay,
        ..Plan::default()
    };
    plan.whois(
        "whois.arin.net",
        Ipv4Addr::new(127, 0, 0, 3),
        "*",
        Reply::file(&w.join("ip-whois/arin/ipwhois_74.125.225.229.txt")),
    );
    plan.whois(
        "whois.lacnic.net",
        Ipv4Addr::new(127, 0, 0, 6),
        "*",
        Reply::file(&w.join("ip-whois/lacnic/phuhn_lac177_228_94_39.txt")),
    );
    plan.records = vec![
        Rr::Ptr("216.201.75.12".parse().unwrap(), "sbsmail.saks.com.pa"),
        Rr::A("sbsmail.saks.com.pa", Ipv4Addr::new(216, 201, 75, 12)),
    ];
    let lab = Lab::start(plan);
    let cfg = lab.config("timeout_secs = 30");
    let cache = lab.dir.path().join("cache");

    let started = Instant::now();
    let mut pty = Pty::spawn(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "assets/samples/sa20021010-0031.eml",
        ],
        &[("XDG_CACHE_HOME", &cache), ("XDG_STATE_HOME", lab.dir.path())],
        (120, 40),
    );
    pty.wait_for("the first frame", Duration::from_secs(10), |s| {
        s.contents().contains("hop 2 of 0–3")
    });
    let first_frame = started.elapsed();

    // Key presses while every lookup waits 2 s per answer.
    let mut latencies = Vec::new();
    for i in 0..60 {
        let (key, want) = if i % 2 == 0 {
            ("j", "hop 3 of 0–3")
        } else {
            ("k", "hop 2 of 0–3")
        };
        let t = Instant::now();
        pty.send(key);
        pty.wait_for("the redrawn frame", Duration::from_secs(5), |s| {
            s.contents().contains(want)
        });
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(
            pty.parser.screen().contents().contains("in flight"),
            "the lookups must still be in flight while measuring"
        );
        if i > 40 && !pty.parser.screen().contents().contains("in flight") {
            break;
        }
    }

    // Idle: wait for the lookups to finish, then watch.
    pty.wait_for("all lookups done", Duration::from_secs(2 * 60), |s| {
        !s.contents().contains("in flight")
    });
    std::thread::sleep(Duration::from_millis(300));
    pty.pump(Duration::from_millis(10));
    let pid = pty.pid().unwrap();
    let cpu_before = cpu_ticks(pid);
    let idle_for = Duration::from_secs(3);
    let idle_start = Instant::now();
    let mut drawn = 0;
    while idle_start.elapsed() < idle_for {
        drawn += pty.pump(Duration::from_millis(100));
    }
    let cpu_after = cpu_ticks(pid);
    pty.send("q");
    let code = pty.exit_code(Duration::from_secs(10));

    let n = latencies.len();
    let max = latencies.iter().copied().fold(0.0, f64::max);
    println!("answer delay: {} ms", delay.as_millis());
    println!(
        "first frame after start (process start included): {:>6.1} ms (target < 100 ms)",
        first_frame.as_secs_f64() * 1000.0
    );
    println!(
        "key press → redrawn frame, {n} presses with lookups in flight: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (target < 50 ms)",
        percentile(&mut latencies, 50),
        percentile(&mut latencies, 99),
        max
    );
    println!(
        "idle {} s after the lookups: {} CPU ticks (1/100 s), {} bytes drawn (target 0, 0)",
        idle_for.as_secs(),
        cpu_after - cpu_before,
        drawn
    );
    assert_eq!(code, 0);
}
