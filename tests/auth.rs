//! Message authentication against a real DNS server on loopback (tests/lab): messages
//! signed here with generated keys (RSA from a fixture made by `openssl genrsa`,
//! Ed25519 made by ring at run time) whose keys the lab DNS serves, then altered,
//! revoked, removed; SPF and DMARC records; and the corpus's real signatures, whose
//! keys are not there ("key not found", cleanly).

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;
mod lab;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use base64::Engine as _;
use lab::{Lab, Plan, Rr};
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use relaytrace::auth::{self, SpfInput, Verdict};

const RSA_PEM: &str = include_str!("fixtures/dkim/rsa2048.pem");
const RSA_PUB: &str = include_str!("fixtures/dkim/rsa2048.pub.b64");

const MESSAGE: &str = "Received: from mail.sender.test (mail.sender.test [192.0.2.25])\r\n\tby mx.site.test; Mon, 2 Nov 2026 10:00:00 +0000\r\n\
Return-Path: <bounce@sender.test>\r\n\
From: Offers <offers@sender.test>\r\n\
To: victim@site.test\r\n\
Subject: Cheap watches\r\n\
Date: Mon, 2 Nov 2026 09:59:00 +0000\r\n\
Message-ID: <1@sender.test>\r\n\
\r\n\
Buy now.\r\n\
This offer ends soon.\r\n";

fn signed_rsa(message: &str, selector: &str, body_length: bool) -> String {
    use rustls::pki_types::pem::PemObject;
    let der = rustls::pki_types::PrivatePkcs1KeyDer::from_pem_slice(RSA_PEM.as_bytes()).unwrap();
    let key = RsaKey::<Sha256>::from_key_der(rustls::pki_types::PrivateKeyDer::Pkcs1(der)).unwrap();
    let mut signer = DkimSigner::from_key(key)
        .domain("sender.test")
        .selector(selector)
        .headers(["From", "To", "Subject", "Date", "Message-ID"]);
    if body_length {
        signer = signer.body_length(true);
    }
    let sig = signer.sign(message.as_bytes()).unwrap();
    format!("{}{message}", sig.to_header())
}

/// An Ed25519 key made now: the signer and the public key's base64.
fn ed25519() -> (Ed25519Key, String) {
    use ring::signature::KeyPair;
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let pair = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let public = base64::engine::general_purpose::STANDARD.encode(pair.public_key().as_ref());
    (Ed25519Key::from_pkcs8_der(pkcs8.as_ref()).unwrap(), public)
}

fn lab(ed_public: &str) -> Lab {
    let mut plan = Plan::default();
    let key = |p: &str| format!("v=DKIM1; k=rsa; p={p}");
    plan.records = vec![
        Rr::Txt("rsa._domainkey.sender.test".into(), key(RSA_PUB.trim())),
        Rr::Txt(
            "revoked._domainkey.sender.test".into(),
            "v=DKIM1; k=rsa; p=".into(),
        ),
        Rr::Txt(
            "ed._domainkey.sender.test".into(),
            format!("v=DKIM1; k=ed25519; p={ed_public}"),
        ),
        Rr::Txt("sender.test".into(), "v=spf1 ip4:192.0.2.25 -all".into()),
        Rr::Txt("_dmarc.sender.test".into(), "v=DMARC1; p=reject".into()),
    ];
    Lab::start(plan)
}

fn check(lab: &Lab, raw: &str, spf: Option<SpfInput>) -> auth::Auth {
    let mut a = auth::read(raw.as_bytes(), &["site.test".into()], &[]);
    let resolver = relaytrace::lookup::dns::resolver(&[lab.dns.to_string()], Duration::from_secs(3)).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(auth::verify(
            raw.as_bytes(),
            &mut a,
            resolver,
            spf,
            Duration::from_secs(10),
            1_793_700_000,
        ));
    a
}

fn only(a: &auth::Auth) -> (Option<Verdict>, String) {
    assert_eq!(a.dkim.len(), 1, "{a:?}");
    (a.dkim[0].result, a.dkim[0].reason.clone().unwrap_or_default())
}

#[test]
fn dkim_verdicts_for_signed_altered_revoked_and_missing_keys() {
    let (ed_key, ed_public) = ed25519();
    let lab = lab(&ed_public);

    // RSA-SHA256, relaxed/relaxed: pass, d= aligned with From.
    let good = signed_rsa(MESSAGE, "rsa", false);
    let a = check(&lab, &good, None);
    assert_eq!(only(&a).0, Some(Verdict::Pass), "{a:?}");
    let s = &a.dkim[0];
    assert_eq!(
        (s.domain.as_str(), s.selector.as_str(), s.algorithm.as_str()),
        ("sender.test", "rsa", "rsa-sha256")
    );
    assert!(s.aligned && s.body_length.is_none());
    assert!(a.checked.is_some());

    // Ed25519-SHA256: pass.
    let sig = DkimSigner::from_key(ed_key)
        .domain("sender.test")
        .selector("ed")
        .headers(["From", "Subject"])
        .sign(MESSAGE.as_bytes())
        .unwrap();
    let ed = format!("{}{MESSAGE}", sig.to_header());
    let a = check(&lab, &ed, None);
    assert_eq!(only(&a).0, Some(Verdict::Pass), "{a:?}");
    assert_eq!(a.dkim[0].algorithm, "ed25519-sha256");

    // The body changed after signing: the body hash.
    let body = good.replace("Buy now.", "Buy now!");
    let (v, why) = only(&check(&lab, &body, None));
    assert_eq!(v, Some(Verdict::Fail));
    assert!(why.contains("body hash"), "{why}");

    // A signed header changed: the signature.
    let header = good.replace("Subject: Cheap watches", "Subject: Dear watches");
    let (v, why) = only(&check(&lab, &header, None));
    assert_eq!(v, Some(Verdict::Fail));
    assert!(why.contains("signature"), "{why}");

    // A revoked key (empty p=).
    let revoked = signed_rsa(MESSAGE, "revoked", false);
    let (v, why) = only(&check(&lab, &revoked, None));
    assert_ne!(v, Some(Verdict::Pass));
    assert!(why.contains("revoked"), "{why}");

    // No key published: key not found, naming where it was looked for.
    let missing = signed_rsa(MESSAGE, "gone", false);
    let (v, why) = only(&check(&lab, &missing, None));
    assert_ne!(v, Some(Verdict::Pass));
    assert!(
        why.contains("key not found") && why.contains("gone._domainkey.sender.test"),
        "{why}"
    );

    // Expired: x= one second after signing, checked two seconds later.
    let key = {
        use rustls::pki_types::pem::PemObject;
        let der = rustls::pki_types::PrivatePkcs1KeyDer::from_pem_slice(RSA_PEM.as_bytes()).unwrap();
        RsaKey::<Sha256>::from_key_der(rustls::pki_types::PrivateKeyDer::Pkcs1(der)).unwrap()
    };
    let sig = DkimSigner::from_key(key)
        .domain("sender.test")
        .selector("rsa")
        .headers(["From", "Subject"])
        .expiration(1)
        .sign(MESSAGE.as_bytes())
        .unwrap();
    std::thread::sleep(Duration::from_millis(2100));
    let a = check(&lab, &format!("{}{MESSAGE}", sig.to_header()), None);
    let (v, why) = only(&a);
    assert_ne!(v, Some(Verdict::Pass));
    assert!(why.contains("expired"), "{why}");
    assert!(a.dkim[0].expires.is_some());

    // l= is noted: text appended after the signed length still passes.
    let limited = signed_rsa(MESSAGE, "rsa", true);
    let appended = format!("{limited}Click http://evil.test/\r\n");
    let a = check(&lab, &appended, None);
    assert_eq!(only(&a).0, Some(Verdict::Pass), "{a:?}");
    assert!(a.dkim[0].body_length.is_some(), "{a:?}");
}

#[test]
fn spf_and_dmarc_as_of_today() {
    let (_, ed_public) = ed25519();
    let lab = lab(&ed_public);
    let good = signed_rsa(MESSAGE, "rsa", false);
    let spf = |ip: [u8; 4]| SpfInput {
        ip: IpAddr::V4(Ipv4Addr::from(ip)),
        helo: "mail.sender.test".into(),
        mail_from: "bounce@sender.test".into(),
    };
    let a = check(&lab, &good, Some(spf([192, 0, 2, 25])));
    let s = a.spf.as_ref().unwrap();
    assert_eq!((s.result, s.domain.as_str()), (Verdict::Pass, "sender.test"));
    assert_eq!(s.as_of, "2026-11-03");
    let d = a.dmarc.as_ref().unwrap();
    assert_eq!((d.result, d.policy.as_str()), (Verdict::Pass, "reject"), "{d:?}");
    assert!(d.dkim_aligned && d.spf_aligned);
    // From an address SPF does not list, and with the body changed: both fail.
    let body = good.replace("Buy now.", "Buy now!");
    let a = check(&lab, &body, Some(spf([198, 51, 100, 9])));
    assert_eq!(a.spf.as_ref().unwrap().result, Verdict::Fail);
    assert_eq!(a.dmarc.as_ref().unwrap().result, Verdict::Fail);
}

/// The corpus's real signatures and ARC chains: listed, and their keys are not in
/// the lab, so each reads "key not found" (or a clean failure), never a pass and
/// never a panic.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn corpus_signatures_and_arc_chains_end_cleanly() {
    let lab = Lab::start(Plan::default());
    let dir = common::shared().join("corpus/spam");
    let (mut signatures, mut chains) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let raw = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let a = check(&lab, &text, None);
        for s in &a.dkim {
            signatures += 1;
            assert_ne!(s.result, Some(Verdict::Pass), "{}: {s:?}", path.display());
            assert!(s.result.is_some(), "{}: unchecked {s:?}", path.display());
        }
        if !a.arc.is_empty() {
            chains += 1;
            assert!(
                a.arc.iter().all(|s| !s.domain.is_empty() && s.instance >= 1),
                "{a:?}"
            );
            assert_ne!(a.arc_result, Some(Verdict::Pass), "{}", path.display());
        }
    }
    assert!(signatures >= 7, "{signatures} signatures");
    assert!(chains >= 5, "{chains} ARC chains");
}

/// `investigate --json` carries `auth`, checked through the configured DNS;
/// `hops --json` lists it unchecked; `--offline` checks nothing.
#[test]
fn investigate_and_hops_carry_auth_in_their_json() {
    let (_, ed_public) = ed25519();
    let lab = lab(&ed_public);
    let good = signed_rsa(MESSAGE, "rsa", false);
    let file = lab.dir.path().join("signed.eml");
    std::fs::write(&file, &good).unwrap();
    let json = |args: &[&str]| -> serde_json::Value {
        let out = lab.command("").args(args).arg(&file).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let v = json(&["investigate", "--json"]);
    let a = &v["auth"];
    assert_eq!(a["dkim"][0]["result"], "pass", "{a}");
    assert_eq!(a["dkim"][0]["domain"], "sender.test");
    assert!(a["checked"].is_string());
    assert_eq!(a["spf"]["result"], "pass", "{a}");
    assert_eq!(a["dmarc"]["result"], "pass", "{a}");
    let v = json(&["hops", "--json"]);
    assert!(
        v["auth"]["dkim"][0]["result"].is_null() && v["auth"]["checked"].is_null(),
        "{v}"
    );
    let v = json(&["--offline", "investigate", "--json"]);
    assert!(v["auth"]["checked"].is_null(), "offline: {}", v["auth"]);
    // The text report says it in words.
    let out = lab.command("").args(["investigate"]).arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("DKIM d=sender.test s=rsa (rsa-sha256): verified on "),
        "{text}"
    );
    assert!(
        text.contains("SPF for sender.test from 192.0.2.25: pass (as of "),
        "{text}"
    );
}

/// A verified signature of the entry's own domain confirms a submission class
/// (issue 14: "the entry classifier may use a verified d= as evidence"): the hint
/// becomes what the check found and the confidence goes up a step; the hops
/// alone (no network) keep the hint.
#[test]
fn a_verified_signature_of_the_entry_domain_weighs_in_the_entry() {
    let (_, ed_public) = ed25519();
    let lab = lab(&ed_public);
    let submitted = MESSAGE.replacen(
        "Received: ",
        "Received: from mail.sender.test (mail.sender.test [93.184.216.25])\r\n\tby mx.site.test; Mon, 2 Nov 2026 10:00:00 +0000\r\n\
Received: from [81.2.69.160] (helo=laptop)\r\n\tby mail.sender.test with ESMTPSA id 1x; Mon, 2 Nov 2026 09:59:30 +0000\r\nX-Old-",
        1,
    );
    let file = lab.dir.path().join("submitted.eml");
    std::fs::write(&file, signed_rsa(&submitted, "rsa", false)).unwrap();
    let json = |args: &[&str]| -> serde_json::Value {
        let out = lab.command("").args(args).arg(&file).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let before = json(&["hops", "--json"]);
    assert_eq!(
        before["entry"]["class"], "compromised_account",
        "{}",
        before["entry"]
    );
    let evidence = |v: &serde_json::Value| -> Vec<String> {
        v["entry"]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        evidence(&before).contains(&"DKIM-Signature d=sender.test (not verified: a hint)".to_string()),
        "{}",
        before["entry"]
    );
    let after = json(&["investigate", "--json"]);
    let lines = evidence(&after);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("DKIM-Signature d=sender.test verified on ")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("the entry's own domain sender.test signed it")),
        "{lines:?}"
    );
    let rank = |c: &serde_json::Value| ["low", "medium", "high"].iter().position(|r| c == r).unwrap();
    assert_eq!(
        rank(&after["entry"]["confidence"]),
        (rank(&before["entry"]["confidence"]) + 1).min(2)
    );
}

/// The evidence reaches the complaint: the verified signature (the copy is
/// unaltered), the signing domain as the party responsible for a free-mail
/// class, and the site's own Authentication-Results, in the text and in ARF.
#[test]
fn the_complaint_carries_the_evidence() {
    let (_, ed_public) = ed25519();
    let lab = lab(&ed_public);
    let signed = signed_rsa(MESSAGE, "rsa", false);
    let with_results = format!(
        "Authentication-Results: mx.site.test; dkim=pass header.d=sender.test; spf=pass smtp.mailfrom=sender.test\r\n{signed}"
    );
    let file = lab.dir.path().join("signed.eml");
    std::fs::write(&file, &with_results).unwrap();
    let reporter = "[reporter]\nname = \"Jane\"\naddress = \"jane@site.test\"\n";
    let cfg = lab.config("");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("{text}{reporter}")).unwrap();
    let run = |args: &[&str]| -> String {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_relaytrace"));
        c.env("XDG_CACHE_HOME", lab.dir.path().join("cache"));
        c.arg("--config").arg(&cfg).args(args).arg(&file);
        let out = c.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = run(&[
        "compose",
        "--to",
        "owner",
        "--format",
        "text",
        "--class",
        "freemail",
        "--add-to",
        "abuse@sender.test",
    ]);
    assert!(
        text.contains("DKIM:         d=sender.test (s=rsa), verified on "),
        "{text}"
    );
    assert!(text.contains("the attached copy is unaltered"), "{text}");
    assert!(text.contains("Signed-By:    sender.test"), "{text}");
    assert!(
        text.contains("Auth-Results: mx.site.test: dkim=pass header.d=sender.test"),
        "{text}"
    );
    // An open relay did not sign for the spammer: no party named by the signature.
    let relay = run(&[
        "compose",
        "--to",
        "owner",
        "--format",
        "text",
        "--class",
        "open_relay",
        "--add-to",
        "abuse@sender.test",
    ]);
    assert!(
        relay.contains("DKIM:") && !relay.contains("Signed-By:"),
        "{relay}"
    );
    let arf = run(&[
        "compose",
        "--to",
        "owner",
        "--format",
        "arf",
        "--class",
        "freemail",
        "--add-to",
        "abuse@sender.test",
    ]);
    assert!(
        arf.contains("Authentication-Results: mx.site.test; dkim=pass header.d=sender.test;"),
        "{arf}"
    );
}

/// In the TUI: the Evidence tab checks the signature through the lab's DNS and
/// says it in words (end to end, in a pseudo-terminal).
#[test]
fn the_tui_evidence_tab_verifies_the_signature() {
    let (_, ed_public) = ed25519();
    let lab = lab(&ed_public);
    let file = lab.dir.path().join("signed.eml");
    std::fs::write(&file, signed_rsa(MESSAGE, "rsa", false)).unwrap();
    let cfg = lab.config("");
    let state = lab.dir.path().join("state");
    let mut pty = lab::pty::Pty::spawn(
        &["--config", cfg.to_str().unwrap(), file.to_str().unwrap()],
        &[
            ("XDG_STATE_HOME", state.as_path()),
            ("XDG_DATA_HOME", state.as_path()),
            ("XDG_CACHE_HOME", state.as_path()),
        ],
        (120, 40),
    );
    pty.wait_for("the hops", Duration::from_secs(10), |s| {
        s.contents().contains("hop 0 of")
    });
    pty.send("\x1b[Z");
    pty.wait_for("the verdict", Duration::from_secs(10), |s| {
        let c = s.contents();
        c.contains("DKIM d=sender.test s=rsa (rsa-sha256): verified on")
            && c.contains("sender.test signed it")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(Duration::from_secs(10)), 0);
}

/// The DKIM verdicts agree with an independent verifier, Python's dkimpy asking
/// the same lab DNS, on every generated message and every corpus message (pass
/// against not pass). `.ci/run` installs dkimpy; elsewhere the test says it is
/// skipped, and under CI (`RELAYTRACE_CI`) a missing dkimpy fails it.
#[test]
fn dkim_verdicts_agree_with_dkimpy() {
    // Everything the verifier imports, PyNaCl (dkimpy's Ed25519) included.
    let have = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/dkim/verify.py"
        ))
        .arg("check")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var_os("RELAYTRACE_CI").is_none(),
            "dkimpy, dnspython or PyNaCl is missing under CI: .ci/run installs them"
        );
        eprintln!("SKIPPED: needs python3 with dkimpy, dnspython and PyNaCl (.ci/run installs them)");
        return;
    }
    let (ed_key, ed_public) = ed25519();
    let lab = lab(&ed_public);
    let good = signed_rsa(MESSAGE, "rsa", false);
    let ed = {
        let sig = DkimSigner::from_key(ed_key)
            .domain("sender.test")
            .selector("ed")
            .headers(["From", "Subject"])
            .sign(MESSAGE.as_bytes())
            .unwrap();
        format!("{}{MESSAGE}", sig.to_header())
    };
    // l= as dkimpy signs it (mail-auth 0.13.3's signer writes an l= signature
    // dkimpy rejects; relaytrace only verifies, and must accept dkimpy's).
    let dkimpy_signed = {
        use std::io::Write as _;
        let mut child = std::process::Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/dkim/verify.py"
            ))
            .args([
                "sign",
                concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/dkim/rsa2048.pem"),
                "rsa",
                "sender.test",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(MESSAGE.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let mut messages: Vec<(String, Vec<u8>)> = vec![
        ("good".into(), good.clone().into_bytes()),
        ("ed25519".into(), ed.into_bytes()),
        ("body".into(), good.replace("Buy now.", "Buy now!").into_bytes()),
        (
            "header".into(),
            good.replace("Subject: Cheap watches", "Subject: Dear watches")
                .into_bytes(),
        ),
        (
            "revoked".into(),
            signed_rsa(MESSAGE, "revoked", false).into_bytes(),
        ),
        ("missing".into(), signed_rsa(MESSAGE, "gone", false).into_bytes()),
        ("l= by dkimpy".into(), dkimpy_signed.clone().into_bytes()),
        (
            "l= by dkimpy, text appended".into(),
            format!("{dkimpy_signed}Click http://evil.test/\r\n").into_bytes(),
        ),
    ];
    let corpus = common::shared().join("corpus/spam");
    if let Ok(dir) = std::fs::read_dir(&corpus) {
        for e in dir {
            let p = e.unwrap().path();
            messages.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    let mut files = Vec::new();
    for (i, (_, raw)) in messages.iter().enumerate() {
        let f = lab.dir.path().join(format!("m{i}.eml"));
        std::fs::write(&f, raw).unwrap();
        files.push(f);
    }
    let out = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/dkim/verify.py"
        ))
        .arg(lab.dns.ip().to_string())
        .arg(lab.dns.port().to_string())
        .args(&files)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let theirs = String::from_utf8(out.stdout).unwrap();
    let mut compared = 0;
    for ((name, raw), line) in messages.iter().zip(theirs.lines()) {
        let text = String::from_utf8_lossy(raw);
        let ours = check(&lab, &text, None);
        let theirs: Vec<bool> = line
            .split_whitespace()
            .filter(|w| *w != "-")
            .map(|w| w == "pass")
            .collect();
        let mine: Vec<bool> = ours
            .dkim
            .iter()
            .filter(|s| {
                !s.reason.as_deref().is_some_and(|r| {
                    r.starts_with("the signature is incomplete")
                        || r.starts_with("the signature cannot be read")
                })
            })
            .map(auth::Signature::passed)
            .collect();
        // Signatures neither can read are not compared; the passes must agree.
        assert_eq!(
            mine.iter().filter(|p| **p).count(),
            theirs.iter().filter(|p| **p).count(),
            "{name}: ours {:?}, dkimpy {line}",
            ours.dkim
        );
        compared += theirs.len();
    }
    assert!(compared >= 7, "{compared} signatures compared");
}

/// Issue 21: with dkimpy there but `PyNaCl` missing (a fresh machine's pip), the
/// comparison says SKIPPED and passes outside CI, instead of failing and hiding
/// the test targets after it. `PyNaCl` is hidden by a `nacl` that cannot import.
#[test]
fn the_dkimpy_comparison_skips_without_pynacl() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("nacl")).unwrap();
    std::fs::write(
        dir.path().join("nacl/__init__.py"),
        "raise ImportError('No module named nacl (hidden by the test)')\n",
    )
    .unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "dkim_verdicts_agree_with_dkimpy",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PYTHONPATH", dir.path())
        .env_remove("RELAYTRACE_CI")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("SKIPPED") && text.contains("1 passed"), "{text}");
}
