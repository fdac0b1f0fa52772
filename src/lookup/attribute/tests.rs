use std::path::PathBuf;

use super::*;
use crate::lookup::services::Asn;
use crate::lookup::traceroute::Route;

/// `../shared/peer/whois` (build.rs marks the tests that read it ignored without it).
fn shared() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/peer/whois");
    assert!(
        p.is_dir(),
        "../shared is absent (touch build.rs to rebuild without it)"
    );
    p
}

/// Evidence of one address from captured answers: whois files in the order the
/// chain asks them, RDAP files (the address's network, then its parent).
fn evidence(dir: &std::path::Path, ip: &str, whois: &[&str], rdap: &[&str]) -> Evidence {
    let mut e = Evidence::new(ip.parse().unwrap());
    let read = |f: &str| crate::lookup::whois::decode(&std::fs::read(dir.join(f)).unwrap(), "");
    e.whois = Some(
        whois
            .iter()
            .map(|f| {
                let query = if f.contains("NET-174-64") {
                    "n ! NET-174-64-0-0-1".to_string()
                } else {
                    format!("n + {ip}")
                };
                answer_of("whois", "captured", &query, &read(f))
            })
            .collect(),
    );
    e.rdap = Some(
        rdap.iter()
            .map(|f| answer_of("rdap", "captured", &format!("ip/{ip}"), &read(f)))
            .collect(),
    );
    e
}

/// The ISP a case should name.
#[derive(Clone, Copy)]
enum Isp {
    /// The owner holds its own allocation and nothing names an upstream: the ISP
    /// side says so and names nobody.
    Own,
    /// The allocation holder or provider named in the answers.
    Org(&'static str),
    /// The captured answers alone cannot name it (an rwhois answer without the
    /// registry's answer above it); not counted.
    Unknowable,
}

/// One address read by hand: its captured answers, the owner's organisation (a
/// part of its name; `None` where the record names none), the ISP, and the address
/// each side should pre-select (`None`: nothing fit to pre-select).
struct Case {
    ip: &'static str,
    whois: &'static [&'static str],
    rdap: &'static [&'static str],
    owner: Option<&'static str>,
    isp: Isp,
    owner_pick: Option<&'static str>,
    isp_pick: Option<&'static str>,
}

#[allow(clippy::too_many_arguments)]
const fn case(
    ip: &'static str,
    whois: &'static [&'static str],
    rdap: &'static [&'static str],
    owner: Option<&'static str>,
    isp: Isp,
    owner_pick: Option<&'static str>,
    isp_pick: Option<&'static str>,
) -> Case {
    Case {
        ip,
        whois,
        rdap,
        owner,
        isp,
        owner_pick,
        isp_pick,
    }
}

fn picked(c: &[Contact]) -> Option<&str> {
    c.iter().find(|c| c.preselect).map(|c| c.email.as_str())
}

/// Judges every case; with `abusix`, Abusix answers each address with the
/// address the manifest says its registry answer should yield.
fn score(dir: &std::path::Path, abusix: bool) -> (usize, usize, usize, usize, Vec<String>) {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let expected_of = |file: &str| -> Option<String> {
        manifest["samples"]
            .as_array()?
            .iter()
            .find(|s| s["file"].as_str() == Some(file))?["expected"]["abuse_emails"]
            .as_array()?
            .first()?
            .as_str()
            .map(str::to_ascii_lowercase)
    };
    let (mut owner_ok, mut isp_ok, mut isp_n) = (0, 0, 0);
    let mut failures = Vec::new();
    for c in CASES {
        let mut e = evidence(dir, c.ip, c.whois, c.rdap);
        if abusix {
            let said = c.whois.iter().chain(c.rdap).find_map(|f| expected_of(f));
            if let Some(addr) = said {
                e.abusix = Some(answer_of(
                    "dns",
                    "abusix",
                    &format!("{}.abuse-contacts.abusix.zone", c.ip),
                    &addr,
                ));
            }
        }
        let a = attribute(&e);
        let org = a.owner.as_ref().and_then(|p| p.org.as_deref());
        let org_right = match (c.owner, org) {
            (Some(want), Some(got)) => got.to_ascii_lowercase().contains(&want.to_ascii_lowercase()),
            (None, None) => true,
            _ => false,
        };
        let owner_pick = picked(&a.owner_contacts);
        if org_right && owner_pick == c.owner_pick {
            owner_ok += 1;
        } else {
            failures.push(format!("{} owner: {org:?} picking {owner_pick:?}", c.ip));
        }
        let isp_pick = picked(&a.isp_contacts);
        let isp_org = a.isp.as_ref().and_then(|p| p.org.as_deref());
        let isp_right = match c.isp {
            Isp::Unknowable => continue,
            Isp::Own => {
                isp_org.is_none()
                    && a.isp
                        .as_ref()
                        .is_some_and(|p| p.basis.contains("provider's own network"))
            }
            Isp::Org(want) => {
                isp_org.is_some_and(|g| g.to_ascii_lowercase().contains(&want.to_ascii_lowercase()))
            }
        };
        isp_n += 1;
        if isp_right && isp_pick == c.isp_pick {
            isp_ok += 1;
        } else {
            failures.push(format!("{} ISP: {:?} picking {isp_pick:?}", c.ip, a.isp));
        }
        // Never on the wrong side, never a person's (but a record's only designated
        // contact) or a registry's address pre-selected.
        for (side, list, other) in [
            ("owner", &a.owner_contacts, c.isp_pick),
            ("ISP", &a.isp_contacts, c.owner_pick),
        ] {
            for p in list.iter().filter(|p| p.preselect) {
                assert!(
                    Some(p.email.as_str()) != other || c.owner_pick == c.isp_pick,
                    "{}: {} on the {side} side",
                    c.ip,
                    p.email
                );
                assert!(
                    !contact::is_registry(&p.email),
                    "{}: registry address {} pre-selected",
                    c.ip,
                    p.email
                );
                assert!(
                    !contact::is_personal(&p.email)
                        || list.iter().filter(|x| x.tier == Tier::Designated).count() == 1,
                    "{}: personal address {} pre-selected",
                    c.ip,
                    p.email
                );
            }
        }
    }
    (owner_ok, CASES.len(), isp_ok, isp_n, failures)
}

#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn owner_and_isp_of_the_captured_answers() {
    let dir = shared();
    for abusix in [false, true] {
        let (owner, n, isp, isp_n, failures) = score(&dir, abusix);
        for f in &failures {
            eprintln!("FAIL (abusix {abusix}) {f}");
        }
        eprintln!("abusix {abusix}: owner right {owner}/{n}, ISP right {isp}/{isp_n}");
        assert!(owner * 100 >= n * 95, "owner {owner}/{n} below 95 %");
        assert!(isp * 100 >= isp_n * 95, "ISP {isp}/{isp_n} below 95 %");
    }
}

const W: &[&str] = &[];
use Isp::{Org, Own, Unknowable};

const CASES: &[Case] = &[
    case(
        "74.125.225.229",
        &["ip-whois/arin/ipwhois_74.125.225.229.txt"],
        &["rdap/ip/ipwhois_arin_74.125.225.229.json"],
        Some("Google"),
        Own,
        Some("arin-contact@google.com"),
        None,
    ),
    case(
        "2001:4860:4860::8888",
        &["ip-whois/arin/ipwhois_2001-4860-4860--8888.txt"],
        &["rdap/ip/ipwhois_arin_2001-4860-4860--8888.json"],
        Some("Google"),
        Own,
        Some("arin-contact@google.com"),
        None,
    ),
    // BT's own corporate assignment: the abuse-c's mailbox, not the RDAP role's
    // list of staff addresses.
    case(
        "62.239.237.1",
        &["ip-whois/ripe/ipwhois_62.239.237.1.txt"],
        &["rdap/ip/ipwhois_ripe_62.239.237.1.json"],
        Some("BT"),
        Own,
        Some("protect@bt.com"),
        None,
    ),
    case(
        "2a00:2381:ffff::1",
        &["ip-whois/ripe/ipwhois_2a00-2381-ffff--1.txt"],
        &["rdap/ip/ipwhois_ripe_2a00-2381-ffff--1.json"],
        Some("BT"),
        Own,
        Some("protect@bt.com"),
        None,
    ),
    // KRNIC's mirror: DACOM's /17 inside LG DACOM's allocation; KRNIC's IRT is a registry.
    case(
        "210.107.73.73",
        &["ip-whois/apnic/ipwhois_210.107.73.73.txt"],
        &["rdap/ip/ipwhois_apnic_210.107.73.73.json"],
        Some("DACOM"),
        Org("LG DACOM"),
        Some("abuse@bora.net"),
        None,
    ),
    // IIJ's /48 inside JPNIC's allocation block: JPNIC is the registry, not an ISP.
    case(
        "2001:240:10c:1::ca20:9d1d",
        &["ip-whois/apnic/ipwhois_2001-240-10c-1--ca20-9d1d.txt"],
        &["rdap/ip/ipwhois_apnic_2001-240-10c-1--ca20-9d1d.json"],
        Some("Internet Initiative Japan"),
        Own,
        None,
        None,
    ),
    case(
        "2801:10:c000::",
        &["ip-whois/lacnic/ipwhois_2801-10-c000--.txt"],
        &["rdap/ip/ipwhois_lacnic_2801-10-c000--.json"],
        Some("Universidad Catolica de Oriente"),
        Own,
        Some("sistemas.red@uco.edu.co"),
        None,
    ),
    case(
        "200.57.141.161",
        &["ip-whois/lacnic/ipwhois_200.57.141.161.txt"],
        &["rdap/ip/ipwhois_lacnic_200.57.141.161.json"],
        Some("Triara"),
        Own,
        Some("operacion.redes@triara.com"),
        None,
    ),
    case(
        "196.11.240.215",
        &["ip-whois/afrinic/ipwhois_196.11.240.215.txt"],
        &["rdap/ip/ipwhois_afrinic_196.11.240.215.json"],
        Some("MTN"),
        Own,
        Some("abuse@mtnbusiness.co.za"),
        None,
    ),
    // Only people's and role-less addresses: nothing fit to pre-select.
    case(
        "2001:43f8:7b0::",
        &["ip-whois/afrinic/ipwhois_2001-43f8-7b0--.txt"],
        &["rdap/ip/ipwhois_afrinic_2001-43f8-7b0--.json"],
        Some("TESPOK"),
        Own,
        None,
        None,
    ),
    case(
        "133.1.2.5",
        &["ip-whois/nir/ipwhois_jpnic_133.1.2.5.html"],
        W,
        Some("Osaka University"),
        Own,
        None,
        None,
    ),
    // KT's customer block inside Korea Telecom's allocation, one desk for both.
    case(
        "115.1.2.3",
        &["ip-whois/nir/ipwhois_krnic_115.1.2.3.html"],
        W,
        Some("KT"),
        Org("Korea Telecom"),
        Some("kornet_ip@kt.com"),
        None,
    ),
    case(
        "69.65.39.166",
        &["ip-whois/arin/weppos_arin_referral_rwhois.txt"],
        W,
        Some("GigeNET"),
        Own,
        Some("abuse@gigenet.com"),
        None,
    ),
    case(
        "4.2.2.1",
        &["ip-whois/arin/weppos_arin_referral_missing.txt"],
        W,
        Some("Level 3"),
        Own,
        Some("security@level3.com"),
        None,
    ),
    // A pool description is not a name: the NOC role names Bouygues Telecom.
    case(
        "128.79.0.1",
        &["ip-whois/ripe/weppos_arin_referral_ripe.txt"],
        W,
        Some("Bouygues Telecom"),
        Own,
        Some("abuse_box@bouyguestelecom.fr"),
        None,
    ),
    // Filed under 94.41.54.105, but the answer is 145.255.0.0/20's.
    case(
        "145.255.0.1",
        &["ip-whois/ripe/phuhn_ripe94_41_54_105.txt"],
        W,
        Some("Ufanet"),
        Own,
        Some("abuse@ufanet.ru"),
        None,
    ),
    case(
        "46.161.62.245",
        &["ip-whois/ripe/phuhn_ripe46_161_62_245.txt"],
        W,
        Some("QUALITYNETWORK"),
        Own,
        Some("abuse@pinspb.ru"),
        None,
    ),
    case(
        "46.161.62.245",
        &["ip-whois/ripe/phuhn_ripe_46.161.62.245_2023.txt"],
        W,
        Some("QualityNetwork"),
        Own,
        Some("abusemail@depo40.ru"),
        None,
    ),
    // Reserved space: IANA's own desk is a registry's.
    case(
        "246.161.212.245",
        &["ip-whois/arin/phuhn_arin246_161_212_245.txt"],
        W,
        Some("Internet Assigned Numbers Authority"),
        Own,
        None,
        None,
    ),
    case(
        "104.199.208.27",
        &["ip-whois/arin/phuhn_arin104_199_208_27.txt"],
        W,
        Some("Google LLC"),
        Own,
        Some("google-cloud-compliance@google.com"),
        None,
    ),
    case(
        "197.48.169.77",
        &["ip-whois/afrinic/phuhn_afr197_48_169_77.txt"],
        W,
        Some("TE Data"),
        Own,
        Some("abuse@tedata.net"),
        None,
    ),
    // VNNIC's IRT is the registry's: FPT's NOC mailbox is the one to write to.
    case(
        "1.52.34.175",
        &["ip-whois/apnic/phuhn_ap1_52_34_175.txt"],
        W,
        Some("FPT Telecom"),
        Own,
        Some("ftel.noc.net@fpt.com.vn"),
        None,
    ),
    case(
        "103.18.33.107",
        &["ip-whois/apnic/phuhn_ap103_18_33_107.txt"],
        W,
        Some("MEDIA LINTAS"),
        Own,
        Some("abuse@medialintas.com"),
        None,
    ),
    case(
        "138.36.27.5",
        &["ip-whois/lacnic/phuhn_lac138_36_27_5.txt"],
        W,
        Some("CABLEMAX"),
        Own,
        Some("andresacosta@cablemax.com.do"),
        None,
    ),
    case(
        "177.228.94.39",
        &["ip-whois/lacnic/phuhn_lac177_228_94_39.txt"],
        W,
        Some("Mega Cable"),
        Own,
        Some("nic_tech@megacable.com.mx"),
        None,
    ),
    // NIC.br names CERT.br, a national CERT: a suggestion, never pre-selected.
    case(
        "177.37.164.71",
        &["ip-whois/nir/phuhn_br177_37_164_71.txt"],
        W,
        Some("BRISANET"),
        Own,
        None,
        None,
    ),
    // TWNIC's short answer names no organisation.
    case(
        "114.45.70.76",
        &["ip-whois/nir/phuhn_tw114_45_70_76.txt"],
        W,
        None,
        Own,
        Some("network-adm@hinet.net"),
        None,
    ),
    // The KRNIC customer's contact and LG DACOM's, each on its side.
    case(
        "112.220.69.50",
        &["ip-whois/nir/phuhn_kr112_220_69_50.txt"],
        W,
        Some("LG Uplus"),
        Org("LG DACOM"),
        Some("b8273338@user.bora.net"),
        Some("ipadm@lguplus.co.kr"),
    ),
    case(
        "67.229.101.42",
        &["ip-whois/rwhois/phuhn_ns67_229_101_42.txt"],
        W,
        Some("VPLS"),
        Own,
        Some("abuse@vpls.net"),
        None,
    ),
    // Filed under 69.10.58.155, but the answer is 69.10.32.0/29's; InterServer's
    // rwhois names its customer only.
    case(
        "69.10.32.1",
        &["ip-whois/rwhois/phuhn_ns69_10_58_155.txt"],
        W,
        Some("VPMANAGE"),
        Unknowable,
        None,
        None,
    ),
    // Hostwinds' customer Riko: Hostwinds' desk is the ISP's.
    case(
        "104.168.144.18",
        &["ip-whois/rwhois/phuhn_ns104_168_144_18.txt"],
        W,
        Some("Riko"),
        Org("Hostwinds"),
        None,
        Some("abuse@hostwinds.com"),
    ),
    case(
        "184.154.139.1",
        &["ip-whois/rwhois/phuhn_SingleHopNet184_154.txt"],
        W,
        Some("Innovative Business Services"),
        Unknowable,
        None,
        None,
    ),
    case(
        "17.142.171.7",
        &["ip-whois/arin/phuhn_arin17_142_171_7.txt"],
        W,
        Some("Apple"),
        Own,
        Some("abuse@apple.com"),
        None,
    ),
    // Cox's reassignment to itself: the customer record has no POC; CXA's desk.
    case(
        "174.79.60.55",
        &[
            "ip-whois/arin/phuhn_arin_174.79.60.55_multimatch_2023.txt",
            "ip-whois/arin/phuhn_arin_NET-174-64-0-0-1_2023.txt",
            "ip-whois/arin/phuhn_arin_174.79.60.55_reassigned.txt",
        ],
        W,
        Some("Cox Communications"),
        Org("Cox Communications Inc"),
        None,
        Some("abuse@cox.net"),
    ),
    // The person is the record's one abuse contact: low, but the one to write to.
    case(
        "192.198.0.1",
        W,
        &["rdap/ip/icann-rdap_arin_192.198.0.0.json"],
        Some("Radio Link Internet"),
        Own,
        Some("daniel.petsinger@radiolinkinternet.com"),
        None,
    ),
    case(
        "206.41.110.1",
        W,
        &["rdap/ip/20c_arin_206.41.110.0.json"],
        Some("United-IX"),
        Own,
        Some("neteng@unitedix.net"),
        None,
    ),
    // The registrant organisation, not the maintainer RDAP lists first.
    case(
        "86.54.11.1",
        W,
        &["rdap/ip/nils_ripe_86.54.11.1.json"],
        Some("Whalebone"),
        Own,
        Some("abuse@whalebone.io"),
        None,
    ),
];

/// The owner holds its own allocation (Google's /16): no record names an ISP, so
/// the upstream AS is asked for — the one on the traceroute before Cymru's first
/// peer — and its RDAP record (the captured AS16509 answer) names the ISP side.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn own_allocation_takes_the_upstream_as_record() {
    let dir = shared();
    let mut e = evidence(
        &dir,
        "74.125.225.229",
        &["ip-whois/arin/ipwhois_74.125.225.229.txt"],
        &["rdap/ip/ipwhois_arin_74.125.225.229.json"],
    );
    let origin = Asn {
        number: 15169,
        name: Some("GOOGLE".into()),
        cidr: Some("74.125.225.0/24".into()),
        country: Some("US".into()),
        registry: Some("arin".into()),
        peers: vec![3356, 16509],
    };
    e.asn = Some((Some(origin), Vec::new()));
    let first = attribute(&e);
    assert_eq!(upstream_to_ask(&e, &first), Some(3356), "Cymru's first peer");
    e.traceroute = Some(Some(Route {
        hops: Vec::new(),
        upstream_ip: Some("52.93.0.1".parse().unwrap()),
        upstream_asn: Some(16509),
        command: None,
        answer: Answer::new("traceroute", "local", "74.125.225.229"),
    }));
    assert_eq!(
        upstream_to_ask(&e, &first),
        Some(16509),
        "the traceroute's upstream first"
    );
    // Not yet asked: the ISP side says why it is empty.
    assert!(
        first
            .isp
            .as_ref()
            .unwrap()
            .basis
            .contains("provider's own network")
    );

    let text = std::fs::read_to_string(dir.join("rdap/autnum/icann-rdap_arin_AS16509.json")).unwrap();
    e.upstream = Some(Upstream {
        asn: 16509,
        answers: vec![answer_of("rdap", "captured", "autnum/16509", &text)],
    });
    let a = attribute(&e);
    let isp = a.isp.as_ref().unwrap();
    assert!(
        isp.org.as_deref().unwrap().contains("AS16509, upstream"),
        "{isp:?}"
    );
    assert!(isp.basis.contains("upstream on the traceroute"), "{isp:?}");
    assert_eq!(picked(&a.isp_contacts), Some("abuse@amazonaws.com"));
    assert_eq!(picked(&a.owner_contacts), Some("arin-contact@google.com"));
    // An answer about another AS than the one the rule asks for is not used.
    e.upstream.as_mut().unwrap().asn = 3356;
    assert_eq!(attribute(&e).isp, first.isp);
}

/// Judging is pure: the same evidence, the same attribution.
#[test]
#[cfg_attr(no_shared, ignore = "needs ../shared")]
fn the_same_evidence_gives_the_same_attribution() {
    let dir = shared();
    for c in CASES {
        let e = evidence(&dir, c.ip, c.whois, c.rdap);
        assert_eq!(attribute(&e), attribute(&e), "{}", c.ip);
    }
}

/// Nothing gathered: nobody named, nothing pre-selected.
#[test]
fn no_evidence_names_nobody() {
    let a = attribute(&Evidence::new("192.0.2.1".parse().unwrap()));
    assert_eq!(a, Attribution::default());
    let a = attribute(&Evidence::default());
    assert_eq!(a, Attribution::default());
}
