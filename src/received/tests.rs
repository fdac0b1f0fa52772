//! Table tests over the formats of the MTA zoo; the peer suites run in `tests/`.

use super::*;

struct Want<'a> {
    ip: Option<&'a str>,
    rdns: Option<&'a str>,
    helo: Option<&'a str>,
    by: Option<&'a str>,
}

fn check(line: &str, w: &Want) -> Received {
    let r = parse(line.as_bytes());
    assert_eq!(r.from_ip.map(|i| i.to_string()).as_deref(), w.ip, "ip of {line}");
    assert_eq!(r.from_rdns.as_deref(), w.rdns, "rdns of {line}");
    assert_eq!(r.from_helo.as_deref(), w.helo, "helo of {line}");
    assert_eq!(r.by.as_deref(), w.by, "by of {line}");
    r
}

#[test]
fn postfix_with_tls_and_envelope() {
    let r = check(
        "from rubel.csumb.edu (rubel.csumb.edu [198.189.237.214]) (using TLSv1 with cipher DHE-RSA-AES256-SHA (256/256 bits)) (No client certificate requested) by sf1.isc.org (Postfix) with ESMTP id 23587284EE for <bind-users@isc.org>; Sat, 16 Oct 2004 23:32:19 +0000 (UTC) (envelope-from snort@csumb.edu)",
        &Want {
            ip: Some("198.189.237.214"),
            rdns: Some("rubel.csumb.edu"),
            helo: Some("rubel.csumb.edu"),
            by: Some("sf1.isc.org"),
        },
    );
    assert_eq!(r.id.as_deref(), Some("23587284EE"));
    assert_eq!(r.for_.as_deref(), Some("bind-users@isc.org"));
    assert_eq!(r.envfrom.as_deref(), Some("snort@csumb.edu"));
    assert!(r.tls.as_deref().is_some_and(|t| t.contains("TLSv1")));
    assert_eq!(r.kind, Kind::Transfer);
    assert_eq!(
        r.date.map(|d| d.to_string()).as_deref(),
        Some("2004-10-16T23:32:19Z")
    );
}

#[test]
fn postfix_unknown_rdns() {
    check(
        "from email.com (unknown [222.32.65.3]) by eclectic.kluge.net (Postfix) with ESMTP id 33DC4416F20",
        &Want {
            ip: Some("222.32.65.3"),
            rdns: None,
            helo: Some("email.com"),
            by: Some("eclectic.kluge.net"),
        },
    );
}

#[test]
fn sendmail_ident_and_auth() {
    let r = check(
        "from lugh.tuatha.org (root@lugh.tuatha.org [194.125.145.45]) by dogma.slashnull.org (8.11.6/8.11.6) with ESMTP id g87",
        &Want {
            ip: Some("194.125.145.45"),
            rdns: Some("lugh.tuatha.org"),
            helo: Some("lugh.tuatha.org"),
            by: Some("dogma.slashnull.org"),
        },
    );
    assert_eq!(r.ident.as_deref(), Some("root"));
    let r = parse(b"from [10.0.0.253] (82-68-189-22.dsl.in-addr.zen.co.uk [82.68.189.22]) (authenticated bits=0) by ensim.rackshack.net (8.11.6/8.11.6) with ESMTP id i8TAFAI25021");
    assert!(r.auth.is_some());
    assert_eq!(r.from_helo.as_deref(), Some("[10.0.0.253]"));
}

#[test]
fn exim_forms() {
    check(
        "from dsl092-076-133.bos1.dsl.speakeasy.net ([66.92.76.133] helo=pendaran.arborius.net) by sc8-sf-mx1.sourceforge.net with esmtp (TLSv1:AES256-SHA:256) (Exim 4.41) id 1CIlfc-0003Pa-8W",
        &Want {
            ip: Some("66.92.76.133"),
            rdns: Some("dsl092-076-133.bos1.dsl.speakeasy.net"),
            helo: Some("pendaran.arborius.net"),
            by: Some("sc8-sf-mx1.sourceforge.net"),
        },
    );
    let r = check(
        "from [2a01:4f8:161:124b::3026] (ident=mail) by parser.example.com with esmtpa (Exim 4.85) (envelope-from <sender@parser.example.com>) id 1aXSvr-0003uW-IS",
        &Want {
            ip: Some("2a01:4f8:161:124b::3026"),
            rdns: None,
            helo: None,
            by: Some("parser.example.com"),
        },
    );
    assert_eq!(r.ident.as_deref(), Some("mail"));
    assert!(r.auth.is_some());
    assert_eq!(r.envfrom.as_deref(), Some("sender@parser.example.com"));
}

#[test]
fn qmail_forms() {
    let r = check(
        "from adsl-207-213-27-129.dsl.lsan03.pacbell.net (HELO merlin.net.au) (Owner50@207.213.27.129) by totor.example.net with SMTP; 10 Nov 2003 06:30:34 -0000",
        &Want {
            ip: Some("207.213.27.129"),
            rdns: Some("adsl-207-213-27-129.dsl.lsan03.pacbell.net"),
            helo: Some("merlin.net.au"),
            by: Some("totor.example.net"),
        },
    );
    assert_eq!(r.ident.as_deref(), Some("Owner50"));
    let r = parse(b"(qmail 10681 invoked by uid 404); 14 Nov 2003 08:05:52 -0000");
    assert_eq!(r.kind, Kind::Local);
    assert!(r.from_ip.is_none());
    assert!(r.date.is_some());
    let r = parse(b"(qmail 87263 messnum 771997 invoked from network[83.70.48.2/83-70-48-2.bas2.dbn.dublin.eircom.net]); 8 Mar 2004 23:59:05 -0000");
    assert_eq!(r.kind, Kind::Local);
    assert!(r.from_ip.is_none());
}

#[test]
fn exchange_and_outlook() {
    check(
        "from tthompson ([217.35.105.172] unverified) by mail.neosinteractive.com with Microsoft SMTPSVC(5.0.2195.5329); Tue, 11 Mar 2003 13:23:01 +0000",
        &Want {
            ip: Some("217.35.105.172"),
            rdns: None,
            helo: Some("tthompson"),
            by: Some("mail.neosinteractive.com"),
        },
    );
    let r = check(
        "from BN3NAM04FT003.eop-NAM04.prod.protection.outlook.com (10.152.92.53) by BN3NAM04HT205.eop-NAM04.prod.protection.outlook.com (10.152.93.134) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384) id 15.20.696.11 via Frontend Transport; Sat, 21 Apr 2018 03:01:32 +0000",
        &Want {
            ip: Some("10.152.92.53"),
            rdns: Some("BN3NAM04FT003.eop-NAM04.prod.protection.outlook.com"),
            helo: Some("BN3NAM04FT003.eop-NAM04.prod.protection.outlook.com"),
            by: Some("BN3NAM04HT205.eop-NAM04.prod.protection.outlook.com"),
        },
    );
    assert_eq!(r.id.as_deref(), Some("15.20.696.11"));
    assert!(r.tls.is_some());
    let r = parse(
        b"from mail pickup service by hotmail.com with Microsoft SMTPSVC; Tue, 16 Mar 2004 18:12:31 -0800",
    );
    assert_eq!(r.kind, Kind::Local);
    let r = parse(b"from felhqr107.felhqr.myfelda ([fe80::7da9:ebc5:9264:b4d1]) by felhqr107.felhqr.myfelda ([fe80::7da9:ebc5:9264:b4d1%9]) with mapi id 15.01.2507.032");
    assert_eq!(
        r.from_ip.map(|i| i.to_string()).as_deref(),
        Some("fe80::7da9:ebc5:9264:b4d1")
    );
}

#[test]
fn gmail_yahoo_aol() {
    let r = check(
        "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with SMTPS id a1sor123.2024.01.01 for <x@gmail.com> (Google Transport Security); Mon, 01 Jan 2024 10:00:00 -0800 (PST)",
        &Want {
            ip: Some("209.85.220.41"),
            rdns: Some("mail-sor-f41.google.com."),
            helo: Some("mail-sor-f41.google.com"),
            by: Some("mx.google.com"),
        },
    );
    assert!(r.tls.is_some());
    check(
        "from 211.245.85.228  (EHLO ) (211.245.85.228) by mta232.mail.scd.yahoo.com with SMTP; Sun, 25 Jan 2004 00:24:37 -0800",
        &Want {
            ip: Some("211.245.85.228"),
            rdns: Some("211.245.85.228"),
            helo: None,
            by: Some("mta232.mail.scd.yahoo.com"),
        },
    );
    let r = parse(b"from Dwsf@aol.com by imo-m01.mx.aol.com (mail_out_v36_r4.12.) id m.b9.3bfe3305 (4116) for <Slowhand101967@aol.com>; Tue, 3 Feb 2004 11:14:06 -0500 (EST)");
    assert!(r.from_ip.is_none());
}

#[test]
fn communigate_mdaemon_imail_courier_lotus() {
    let r = check(
        "from [212.73.124.190] (account skudinva@sibptus.tomsk.ru HELO wxpskudinva.sibptus.transneft.ru) by relay2.tomsk.ru (CommuniGate Pro SMTP 5.1.13) with ESMTPSA id 9830625",
        &Want {
            ip: Some("212.73.124.190"),
            rdns: None,
            helo: Some("wxpskudinva.sibptus.transneft.ru"),
            by: Some("relay2.tomsk.ru"),
        },
    );
    assert!(r.auth.is_some());
    check(
        "from imo-m01.mx.aol.com ([64.12.136.4] verified) by xxx.com (CommuniGate Pro SMTP 4.1.8) with ESMTP id 875522",
        &Want {
            ip: Some("64.12.136.4"),
            rdns: Some("imo-m01.mx.aol.com"),
            helo: Some("imo-m01.mx.aol.com"),
            by: Some("xxx.com"),
        },
    );
    // MDaemon
    check(
        "from web01.bgca.dmz ([10.1.1.5]) by list.bgca.org (MDaemon PRO v9.0.1) with ESMTP id md50000050056.msg for <example@vandinter.org>",
        &Want {
            ip: Some("10.1.1.5"),
            rdns: None,
            helo: Some("web01.bgca.dmz"),
            by: Some("list.bgca.org"),
        },
    );
    // IMail
    check(
        "from mail.example.net [203.0.113.9] by smtp.example.com (SMTPD32-8.15) id A1B2C3D4; Mon, 10 Mar 2003 10:00:00 -0500",
        &Want {
            ip: Some("203.0.113.9"),
            // IMail writes the HELO there, not a name it looked up (issue 10).
            rdns: None,
            helo: Some("mail.example.net"),
            by: Some("smtp.example.com"),
        },
    );
    // Exchange IMS with no name for the address: `from HELO (IP [IP])`.
    check(
        "from smtp-gw-4.msn.com (64.4.1.1 [64.4.1.1]) by relay.victim.example with SMTP (Microsoft Exchange Internet Mail Service Version 5.5.2653.13) id R1; Mon, 2 Nov 2026 10:00:01 +0000",
        &Want {
            ip: Some("64.4.1.1"),
            rdns: None,
            helo: Some("smtp-gw-4.msn.com"),
            by: Some("relay.victim.example"),
        },
    );
    // Courier
    let r = check(
        "from a1200 ([24.83.2.4]) (AUTH: LOGIN mitch@example.com) by bigass1.example.com with esmtp; Tue, 06 Jan 2004 23:56:09 +0000",
        &Want {
            ip: Some("24.83.2.4"),
            rdns: None,
            helo: Some("a1200"),
            by: Some("bigass1.example.com"),
        },
    );
    assert!(r.auth.is_some());
    // Lotus Domino
    check(
        "from notes.example.com ([192.0.2.44]) by mail.example.com (Lotus Domino Release 5.0.8) with ESMTP id 2003031012000012",
        &Want {
            ip: Some("192.0.2.44"),
            rdns: None,
            helo: Some("notes.example.com"),
            by: Some("mail.example.com"),
        },
    );
}

#[test]
fn webmail_and_fetch_are_not_relays() {
    let r = parse(b"from 153.90.199.141        (SquirrelMail authenticated user admin); by web1.cs.montana.edu with HTTP;        Thu, 23 Sep 2004 14:35:29 -0600 (MDT)");
    assert_eq!(
        r.from_ip.map(|i| i.to_string()).as_deref(),
        Some("153.90.199.141")
    );
    assert!(r.auth.is_some());
    assert!(r.from_helo.is_none());
    let r = parse(b"from pop.vip.sc5.yahoo.com [216.136.173.10] by localhost with POP3 (fetchmail-5.9.13) for p@h.net (single-drop); Sun, 22 Feb 2004 20:46:25 -0600 (CST)");
    assert_eq!(r.kind, Kind::Fetch);
    assert!(r.from_ip.is_none());
    assert_eq!(
        r.source.as_deref(),
        Some("pop.vip.sc5.yahoo.com [216.136.173.10]")
    );
}

#[test]
fn ratware_and_broken_lines() {
    // "by ;" and no date
    let r = parse(b"from 139.88.66.159 by ;");
    assert_eq!(r.from_ip.map(|i| i.to_string()).as_deref(), Some("139.88.66.159"));
    // forged year
    let r = parse(b"from 144.60.76.182 ([144.60.76.182]) by smtp4.cyberecschange.com with SMTP; 28 Aug 0102 14:16:34 -0100");
    assert!(r.date.is_some_and(|d| d.epoch < 0));
    // not a Received line at all
    let r = parse(b"\x00\x01\xff garbage");
    assert_eq!(r.kind, Kind::Unparsed);
    assert!(!r.parsed());
    let r = parse(b"");
    assert!(!r.parsed());
    // NULs inside tokens are dropped
    let r = parse(b"from smtp11.mailt\x00rack.pl (smtp11.mail\x00track.pl [1\x0085.243.30.90])");
    assert_eq!(r.from_ip.map(|i| i.to_string()).as_deref(), Some("185.243.30.90"));
}

#[test]
fn ipv6_forms() {
    for (line, want) in [
        (
            "from rc3.isc.org (rc3.isc.org [IPv6:2001:4f8:3:bb::25]) by sf1.isc.org (Postfix)",
            "2001:4f8:3:bb::25",
        ),
        (
            "from x ([2001:db8:1::5]:4455 helo=x) by y with esmtp",
            "2001:db8:1::5",
        ),
        (
            "from cs.helsinki.fi ([::ffff:218.11.152.141]) by mail.cs.helsinki.fi with esmtp",
            "218.11.152.141",
        ),
        (
            "from mx.example (2a01:111:e400:c418::34) by y with SMTP",
            "2a01:111:e400:c418::34",
        ),
        ("from h ([fe80::1%eth0]) by y", "fe80::1"),
    ] {
        let r = parse(line.as_bytes());
        assert_eq!(r.from_ip.map(|i| i.to_string()).as_deref(), Some(want), "{line}");
    }
}

#[test]
fn huge_line_is_bounded() {
    let mut line = b"from a (b [1.2.3.4]) by c with SMTP id ".to_vec();
    line.extend(std::iter::repeat_n(b'x', 5_000_000));
    let r = parse(&line);
    assert_eq!(r.from_ip.map(|i| i.to_string()).as_deref(), Some("1.2.3.4"));
}
