//! Issue 22's rules 2, 4, 5 and 6 and the walk's same-operator checks, each on a
//! real header fragment of `../shared/corpus/dev` (named per test) and with a
//! counter-example that must not fire. The fragments are copied, so these run
//! without `../shared`.

use super::tests::trace_of;
use super::{Class, Confidence, Entry};

/// A header of unfolded lines (each "Field: value") above a short body.
fn header(lines: &[&str]) -> Vec<u8> {
    let mut m = lines.join("\n");
    m.push_str("\nSubject: x\n\nbody\n");
    m.into_bytes()
}

fn entry(lines: &[&str], site: &[&str]) -> Entry {
    trace_of(&header(lines), site).entry
}

const EXO: &str = "Received: from {SENDER} by SJ1PEPF000026C6.mail.protection.outlook.com (10.167.244.103) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6631.29 via Frontend Transport; Wed, 7 Jan 2026 19:32:27 +0000";

/// The Exchange Online line recording `sender` (as `name (ip)`): the recipient's
/// side, trusted as `outlook.com`.
fn exo(sender: &str) -> String {
    EXO.replace("{SENDER}", sender)
}

/// ppot-sample-1010: `SendGrid` under a customer's own name, known by its
/// `X-SG-EID` and its own `(SG)` lines: an ESP, high.
#[test]
fn a_white_labelled_esp_is_known_by_its_marks() {
    let top = exo("o73.email.quantinsti.com (149.72.51.63)");
    let lines = [
        top.as_str(),
        "Received: by filterdrecv-7fd948b676-mhxck with SMTP id filterdrecv-7fd948b676-mhxck-1-64C417C9-BB 2023-07-28 19:32:25.928333532 +0000 UTC m=+6810983.819096959",
        "Received: from MTMxNjc5NTQ (unknown) by geopod-ismtpd-0 (SG) with HTTP id USPP9TOgSja8rIXka996_A Fri, 28 Jul 2023 19:32:25.608 +0000 (UTC)",
        "From: Raunaq Sahni <raunaq.s@quantinsti.com>",
        "X-SG-EID: =?us-ascii?Q?EOw4LxH4+DfB7xdsDpTu5ABRnO7Uxt4AsDue9Jlj6kX=2F0P=2F7Tiazy1ftWN30AR?=",
    ];
    let e = entry(&lines, &["outlook.com"]);
    assert_eq!((e.class, e.confidence), (Class::Esp, Confidence::High), "{e:?}");
    assert_eq!(e.provider.as_deref(), Some("SendGrid"));
    assert_eq!(e.ip.unwrap().to_string(), "149.72.51.63");
    assert!(e.ids.iter().any(|i| i.starts_with("X-SG-EID")), "{:?}", e.ids);
    // Its lines without its field are no ESP: the field is what SendGrid always
    // writes, the lines anyone could.
    let lines_only: Vec<&str> = lines.iter().copied().filter(|l| !l.starts_with("X-SG")).collect();
    assert_ne!(entry(&lines_only, &["outlook.com"]).class, Class::Esp);
    // The field alone, with no line of SendGrid's: medium.
    let field_only = [lines[0], lines[3], lines[4]];
    let e = entry(&field_only, &["outlook.com"]);
    assert_eq!((e.class, e.confidence), (Class::Esp, Confidence::Medium), "{e:?}");
    // The field on a home machine is its own invention.
    let bot = exo("dsl-81-81-81-4.dyn.isp.example (81.81.81.4)");
    let e = entry(
        &[
            "Received: from pc1 (dsl-81-81-81-4.dyn.isp.example [81.81.81.4]) by mx.site.test with SMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000",
            lines[4],
        ],
        &["site.test"],
    );
    assert_eq!(e.class, Class::BotnetDirect, "{e:?} {bot}");
}

/// ppot-sample-2446: a numbered `ActiveCampaign` host (`acemsa5.com`), its
/// X-Mailer and Feedback-ID. `acemsa*.com` matches digits only.
#[test]
fn an_esp_with_numbered_domains() {
    let top = exo("d43.csa.acemsa5.com (52.128.41.107)");
    let lines = [
        top.as_str(),
        "Received: by d39.asa.acemsa4.com id hiopri365bkk for <phishing@pot>; Thu, 4 Jan 2024 04:22:10 +0000 (envelope-from <bounce-843804-5370-493942-phishing@pot=hotmail.com@d12.csa.acemsa1.com>)",
        "X-Mailer: ActiveCampaign Mailer",
        "Feedback-ID: 843804:843804.5370:warmedips:activecampaign",
        "From: \"Ledger News\" <rodrigo@tradestars.com.br>",
    ];
    let e = entry(&lines, &["outlook.com"]);
    assert_eq!((e.class, e.confidence), (Class::Esp, Confidence::High), "{e:?}");
    assert_eq!(e.provider.as_deref(), Some("ActiveCampaign"));
    let esp = super::providers::tables()
        .esp
        .iter()
        .find(|e| e.name == "ActiveCampaign")
        .unwrap();
    assert!(esp.owns("acemsa5.com") && esp.owns("acems1.com"));
    assert!(!esp.owns("acemsaevil.com") && !esp.owns("acemsa.com"));
}

/// ppot-sample-208: Google's SMTP relay service (`by smtp-relay.gmail.com`,
/// `X-Relaying-Domain`) is an ESP, whatever sent to it. The field with an outside
/// sender and no line of the service is nothing.
#[test]
fn googles_smtp_relay_service_is_an_esp() {
    let top = exo("mail-lj1-f226.google.com (209.85.208.226)");
    let lines = [
        top.as_str(),
        "Received: by mail-lj1-f226.google.com with SMTP id s22so29593472ljp.5 for <phishing@pot>; Mon, 02 Jan 2023 09:44:24 -0800 (PST)",
        "Received: from oracle.com ([20.223.208.55]) by smtp-relay.gmail.com with ESMTP id g16-20020a05600c4ed000b003d0274a3155sm2009499wmq.22.2023.01.02.09.38.25 for <phishing@pot>; Mon, 02 Jan 2023 09:38:25 -0800 (PST)",
        "X-Relaying-Domain: helloadmin.lol",
        "From: Consumer Rewards <support@ISCPVVUW.fr>",
    ];
    let e = entry(&lines, &["outlook.com"]);
    assert_eq!(e.class, Class::Esp, "{e:?}");
    assert_eq!(e.provider.as_deref(), Some("Google Workspace SMTP relay"));
    assert!(e.ids.iter().any(|i| i.contains("helloadmin.lol")), "{:?}", e.ids);
    let relay = exo("relay.example.net (80.80.80.10)");
    let e = entry(
        &[
            relay.as_str(),
            "Received: from oracle.com ([20.223.208.55]) by relay.example.net with ESMTP id g16; Mon, 02 Jan 2023 09:38:25 -0800 (PST)",
            lines[3],
        ],
        &["outlook.com"],
    );
    assert_ne!(e.class, Class::Esp, "{e:?}");
}

/// ppot-sample-2433: a GitHub notification is someone's post passed on: list or
/// forward, naming the poster. The same field from another host is nothing.
#[test]
fn a_notification_is_a_post_passed_on() {
    let top = exo("out-19.smtp.github.com (192.30.252.202)");
    let lines = [
        top.as_str(),
        "Received: from github.com (hubbernetes-node-4e43de5.va3-iad.github.net [10.48.15.56]) by smtp.github.com (Postfix) with ESMTPA id EF4FBE0FFF for <phishing@pot>; Sun, 31 Dec 2023 17:25:30 -0800 (PST)",
        "From: Binance <notifications@github.com>",
        "X-GitHub-Sender: arconejeros",
        "List-ID: MaaniBeigy/cvcqv <cvcqv.MaaniBeigy.github.com>",
    ];
    let e = entry(&lines, &["outlook.com"]);
    assert_eq!(e.class, Class::ListOrForward, "{e:?}");
    assert_eq!(e.account.as_deref(), Some("arconejeros (X-GitHub-Sender)"));
    assert!(!e.class.complains());
    let other = exo("mail.shop.example (82.82.82.9)");
    let e = entry(&[other.as_str(), lines[3]], &["outlook.com"]);
    assert_ne!(e.class, Class::ListOrForward, "{e:?}");
}

/// ppot-sample-1214: Gmail's automatic forward (`X-Forwarded-For`, the `+caf_=`
/// Return-Path) with nothing below it that chains: list or forward.
#[test]
fn an_automatic_forward_with_nothing_judged_below() {
    let top = exo("mail-oa1-f46.google.com (209.85.160.46)");
    let lines = [
        top.as_str(),
        "Received: by mail-oa1-f46.google.com with SMTP id 586e51a60fabf-1bbb4bde76dso238736fac.2 for <phishing@pot>; Sat, 02 Sep 2023 17:57:14 -0700 (PDT)",
        "X-Forwarded-For: phish.me.again@gmail.com phishing@pot",
        "Return-Path: phish.me.again+caf_=phishing@pot=hotmail.com@gmail.com",
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=hotmail.com; s=selector1",
        "From: phishing@pot <phishing@pot>",
    ];
    let e = entry(&lines, &["outlook.com"]);
    assert_eq!(e.class, Class::ListOrForward, "{e:?}");
    assert!(
        e.evidence[0].contains("phish.me.again@gmail.com"),
        "{:?}",
        e.evidence
    );
    // No forward: Gmail's own server with a Hotmail signature is nobody's tenant.
    let plain: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.starts_with("X-Forwarded") && !l.starts_with("Return-Path"))
        .collect();
    let e = entry(&plain, &["outlook.com"]);
    assert!(
        !matches!(e.class, Class::ListOrForward | Class::CompromisedAccount),
        "{e:?}"
    );
}

/// glitchy-2025-93 and ppot-sample-1498: Google's default key for a Workspace
/// tenant (`….gappssmtp.com`) names an organisation's account, used through the
/// web when Google's `with HTTP` line is there. Consumer Gmail stays free mail.
#[test]
fn a_workspace_tenant_by_googles_default_key() {
    let sor = "Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with SMTPS id 5b1f17b1804b1-4313f9b95d8sor5360655e9.13 for <[removed]> (Google Transport Security); Tue, 15 Oct 2024 07:41:47 -0700 (PDT)";
    let e = entry(
        &[
            sor,
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sakaeoschool-ac-th.20230601.gappssmtp.com; s=20230601",
            "From:[removed]",
        ],
        &["google.com"],
    );
    assert_eq!(
        (e.class, e.ip.map(|i| i.to_string())),
        (Class::CompromisedAccount, Some("209.85.220.41".into())),
        "{e:?}"
    );
    // Medium, so it names its rival (a web submission the lines do not show).
    assert_eq!(
        e.alternatives.first().map(|a| a.class),
        Some(Class::Webmail),
        "{e:?}"
    );
    let top = exo("mail-vs1-f67.google.com (209.85.217.67)");
    let web = [
        top.as_str(),
        "Received: by mail-vs1-f67.google.com with SMTP id ada2fe7eead31-452b0430cc5so877676137.3 for <phishing@pot>; Fri, 06 Oct 2023 01:16:03 -0700 (PDT)",
        "Received: by 2002:a05:6200:54c7:b0:50b:67e0:f459 with HTTP; Fri, 6 Oct 2023 01:16:02 -0700 (PDT)",
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=aluno-edu-es-gov-br.20230601.gappssmtp.com; s=20230601",
        "From: Cathy Oliva <gabriel.cimao@aluno.edu.es.gov.br>",
    ];
    let e = entry(&web, &["outlook.com"]);
    assert_eq!(
        (e.class, e.confidence),
        (Class::Webmail, Confidence::High),
        "{e:?}"
    );
    let gmail = header(&web);
    let gmail = String::from_utf8(gmail)
        .unwrap()
        .replace("aluno-edu-es-gov-br.20230601.gappssmtp.com", "gmail.com")
        .replace("aluno.edu.es.gov.br", "gmail.com");
    assert_eq!(
        trace_of(gmail.as_bytes(), &["outlook.com"]).entry.class,
        Class::Freemail
    );
}

/// nazario-phishing0-265 and -266: qmail's `(user@ip with login)` is a login. A
/// bare login at a consumer-only service is its free mailbox; a login in another
/// domain is a hosted mailbox there, an account.
#[test]
fn a_login_at_a_free_service() {
    let line = |login: &str| {
        format!(
            "Received: from unknown (HELO newcastle23) ({login}@195.234.182.160 with login) by smtp803.mail.sc5.yahoo.com with SMTP; 14 Apr 2005 02:37:26 -0000"
        )
    };
    let top = "Received: from smtp803.mail.sc5.yahoo.com (smtp803.mail.sc5.yahoo.com [66.163.168.182]) by example.comm with SMTP id XAA01847 for <username@example.com>; Thu, 14 Apr 2005 23:37:27 -0400";
    let from = "From: \"Amazon.com\" <payments@amazon.com>";
    let e = entry(&[top, &line("newcastle23"), from], &["example.comm"]);
    assert_eq!(e.class, Class::Freemail, "{e:?}");
    assert_eq!(e.account_name(), Some("newcastle23"));
    let e = entry(
        &[top, &line("admin@safetydeals-squaretradecentral.com"), from],
        &["example.comm"],
    );
    assert_eq!(e.class, Class::CompromisedAccount, "{e:?}");
    // An IDENT answer without a login is still an open proxy.
    let ident = "Received: from unknown (HELO newcastle23) (newcastle23@195.234.182.160) by smtp803.mail.sc5.yahoo.com with SMTP; 14 Apr 2005 02:37:26 -0000";
    assert_eq!(
        entry(&[top, ident, from], &["example.comm"]).class,
        Class::OpenRelay
    );
}

/// csdmc-TRAIN_03614: Exim's `with esmtpa (ID user@domain)` names the login; a
/// server's own queue id as the Message-ID says nothing of the mailbox.
#[test]
fn exims_login_and_a_servers_message_id() {
    let e = entry(
        &[
            "Received: from mout4.freenet.de (mout4.freenet.de [195.4.92.94]) by mx.google.com with ESMTP id m9si3901953wbc.17.2010.04.29.15.57.56; Thu, 29 Apr 2010 15:57:56 -0700 (PDT)",
            "Received: from [195.4.92.26] (helo=16.mx.freenet.de) by mout4.freenet.de with esmtpa (ID d1@sieghartprkno-inc.de) (port 25) (Exim 4.72 #3) id 1O7cg8-0001gw-44; Fri, 30 Apr 2010 00:57:56 +0200",
            "Received: from [208.112.47.26] (port=4653 helo=User) by 16.mx.freenet.de with esmtpa (ID d1@sieghartprkno-inc.de) (port 587) (Exim 4.72 #3) id 1O7cg7-0001VL-OC; Fri, 30 Apr 2010 00:57:56 +0200",
            "From: \"Michael Woolley\"<mic_wooley@michaels.com>",
            "Message-ID: <1O7cg7-0001VL-OC@16.mx.freenet.de>",
        ],
        &["google.com"],
    );
    assert_eq!(e.class, Class::CompromisedAccount, "{e:?}");
    assert_eq!(e.account_name(), Some("d1@sieghartprkno-inc.de"));
}

/// csdmc-TRAIN_00490: a consumer-only service's webmail Message-ID (`@mail.com`)
/// names its mailbox though the From is another of its domains.
#[test]
fn a_free_services_own_message_id() {
    let lines = [
        "Received: from ws1-5.us4.outblaze.com (205-158-62-51.outblaze.com [205.158.62.51]) by dogma.slashnull.org (8.11.6/8.11.6) with SMTP id g4H83Ee19643 for <jm@jmason.org>; Fri, 17 May 2002 09:03:14 +0100",
        "Received: from [213.96.188.148] by ws1-5.us4.outblaze.com with http for axolotl@madrid.com; Fri, 17 May 2002 03:03:08 -0500",
        "From: \"Wild Cats\" <axolotl@madrid.com>",
        "Message-Id: <20020517080308.88645.qmail@mail.com>",
    ];
    let e = entry(&lines, &["slashnull.org"]);
    assert_eq!(e.class, Class::Freemail, "{e:?}");
    let other: Vec<&str> = lines[..3].to_vec();
    assert_eq!(entry(&other, &["slashnull.org"]).class, Class::Webmail);
}

/// nazario-phishing0-380: QMQP from a neighbour address is the operator's own
/// cluster; from another network it is a stranger.
#[test]
fn qmqp_from_a_neighbour_is_inside() {
    let lines = |client: &str| {
        vec![
            "Received: from h07.biglist.com (unknown [209.123.46.107]) by mail1.domain.com (Postfix) with SMTP id BDAD685AAB1 for <username@domain.com>; Sun,  5 Jun 2005 03:07:44 -0400 (EDT)".to_string(),
            "Received: (qmail 86924 invoked from network); 4 Jun 2005 20:36:33 -0000".to_string(),
            format!("Received: from unknown ({client}) by 0 with QMQP; 4 Jun 2005 20:36:33 -0000"),
            "X-Complaints-To: <mailto:abuse@BIGLIST.com>".to_string(),
            "X-Bl-Legal-Notice: <http://www.BIGLIST.com/legal/>".to_string(),
        ]
    };
    let own = lines("209.123.46.113");
    let own: Vec<&str> = own.iter().map(String::as_str).collect();
    let e = entry(&own, &["domain.com"]);
    assert_eq!(e.class, Class::Esp, "{e:?}");
    assert_eq!(e.provider_desk.as_deref(), Some("abuse@biglist.com"));
    let far = lines("66.93.12.142");
    let far: Vec<&str> = far.iter().map(String::as_str).collect();
    assert_ne!(entry(&far, &["domain.com"]).class, Class::Esp);
}

/// nazario-phishing0-316: a machine of the organisation's own (its reverse DNS
/// says mot.com) that lies in its HELO is an infected machine behind the
/// organisation's gateway, not a stranger relayed for.
#[test]
fn an_organisations_own_machine_with_a_false_helo() {
    let lines = |rdns: &str| {
        vec![
            "Received: from motgate.mot.com (motgate.mot.com [129.188.136.100]) by mail1.domain.com (Postfix) with ESMTP id 087B985AC33 for <username@domain.com>; Mon,  9 May 2005 11:46:43 -0400 (EDT)".to_string(),
            "Received: from az33exr02.mot.com (az33exr02.mot.com [10.64.251.232]) by motgate.mot.com (Motorola/Motgate) with ESMTP id j49Fkf9p029332 for <username@domain.com>; Mon, 9 May 2005 08:46:41 -0700 (MST)".to_string(),
            format!("Received: from domain.com ({rdns} [145.9.18.69]) by az33exr02.mot.com (8.13.1/8.13.0) with ESMTP id j49FmWsG026101 for <username@domain.com>; Mon, 9 May 2005 10:48:33 -0500 (CDT)"),
            "From: Staff@domain.com".to_string(),
        ]
    };
    let own = lines("bzm005-02.mcil.comm.mot.com");
    let e = entry(
        &own.iter().map(String::as_str).collect::<Vec<_>>(),
        &["domain.com"],
    );
    assert_eq!(
        (e.class, e.ip.unwrap().to_string()),
        (Class::BotnetDirect, "129.188.136.100".into()),
        "{e:?}"
    );
    let stranger = lines("host-145-9-18-69.dsl.example.net");
    let e = entry(
        &stranger.iter().map(String::as_str).collect::<Vec<_>>(),
        &["domain.com"],
    );
    assert_eq!(e.class, Class::OpenRelay, "{e:?}");
}

/// ppot-sample-4715: `AuthAs: Anonymous` is the receiving Exchange's word for
/// any outside sender, no client submission: the on-premises server took it from
/// a stranger (HELO `User`) without a login.
#[test]
fn exchanges_anonymous_is_no_login() {
    let top = exo("VSDC010025P.kemenkeu.go.id (103.165.248.236)");
    let lines = [
        top.as_str(),
        "Received: from User (178.215.236.124) by VSDC010025P.kemenkeu.go.id (10.216.131.11) with Microsoft SMTP Server id 15.2.1258.12; Sat, 4 Jan 2025 20:28:53 +0700",
        "X-MS-Exchange-CrossTenant-AuthAs: Anonymous",
        "From: Mr Wisley More <pudong@jouder.com>",
    ];
    assert_eq!(entry(&lines, &["outlook.com"]).class, Class::OpenRelay);
    let proxied: Vec<&str> = lines
        .iter()
        .copied()
        .chain(["X-ClientProxiedBy: PR3P189CA0075.EURP189.PROD.OUTLOOK.COM (2603:10a6:102:b4::20)"])
        .collect();
    assert_eq!(entry(&proxied, &["outlook.com"]).class, Class::CompromisedAccount);
}

/// ppot-sample-5767: a login to the host from the host's own address is an
/// application on it (a web form's mail): webmail or web script. From another
/// address it is an account's submission.
#[test]
fn a_login_from_the_servers_own_address() {
    let lines = |client: &str| {
        vec![
            exo("p3nlsmtp01-08.prod.phx3.secureserver.net (50.63.9.86)"),
            "Received: from 109.241.109.208.host.secureserver.net ([208.109.241.109]) by : HOSTING RELAY : with ESMTPS id g8jXuIJOfNuvlg8jXuFYXb; Sun, 27 Jul 2025 14:16:39 -0700".to_string(),
            format!("Received: from [{client}] (port=60654 helo=mykeysupply.com) by 109.241.109.208.host.secureserver.net with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.98.2) (envelope-from <email@mykeysupply.com>) id 1ug8jY-00000003OET-0pAe for phishing@pot; Sun, 27 Jul 2025 21:16:39 +0000"),
            "X-Mailer: PHPMailer 6.9.2 (https://github.com/PHPMailer/PHPMailer)".to_string(),
            "From: My Key Supply <email@mykeysupply.com>".to_string(),
        ]
    };
    let own = lines("208.109.241.109");
    let e = entry(
        &own.iter().map(String::as_str).collect::<Vec<_>>(),
        &["outlook.com"],
    );
    assert_eq!(
        (e.class, e.confidence),
        (Class::Webmail, Confidence::Medium),
        "{e:?}"
    );
    let other = lines("71.241.152.181");
    let e = entry(
        &other.iter().map(String::as_str).collect::<Vec<_>>(),
        &["outlook.com"],
    );
    assert_eq!(e.class, Class::CompromisedAccount, "{e:?}");
}

/// ppot-sample-1022: a login from a rented cloud machine to the From domain's own
/// server, which signs for it: the spammer's own host (ENTRY-CLASSES.md), medium.
/// The same login to a server of another domain is an account there.
#[test]
fn a_login_from_a_cloud_machine_to_the_domains_own_server() {
    let lines = |server: &str| {
        vec![
            exo(&format!("{server} (23.236.135.70)")),
            format!(
                "Received: from swiswi.1zrwpc2wieaejphi2iew1ev1pb.gvxx.internal.cloudapp.net (unknown [20.240.44.186]) by {server} (Postfix) with ESMTPSA id CACFBE32FF for <phishing@pot>; Tue,  1 Aug 2023 04:24:03 +0300 (+03)"
            ),
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=itariannotifications.com; s=mail"
                .to_string(),
            "From: Lido DAO <sdv2-noreply@itariannotifications.com>".to_string(),
        ]
    };
    let own = lines("mail.itariannotifications.com");
    let e = entry(
        &own.iter().map(String::as_str).collect::<Vec<_>>(),
        &["outlook.com"],
    );
    assert_eq!(
        (e.class, e.confidence),
        (Class::SpammerHost, Confidence::Medium),
        "{e:?}"
    );
    let hosted = lines("mail.hostingco.example");
    let e = entry(
        &hosted.iter().map(String::as_str).collect::<Vec<_>>(),
        &["outlook.com"],
    );
    assert_eq!(e.class, Class::CompromisedAccount, "{e:?}");
}

/// glitchy-2024-12 and -2024-1: a webmail front end hands the message to the
/// provider: named as one from outside (`business-webmail.de`), or a web host on
/// the server's own LAN that made the Message-ID (Openwave's `mwebp13`).
#[test]
fn a_webmail_front_end_below_the_provider() {
    let e = entry(
        &[
            "Received: from mailout12.t-online.de (mailout12.t-online.de. [194.25.134.22]) by mx.google.com with ESMTPS id ffacd0b85a97d-3823bd925f1si1738332f8f.803.2024.11.17.09.52.37; Sun, 17 Nov 2024 09:52:37 -0800 (PST)",
            "Received: from fwd77.aul.t-online.de (fwd77.aul.t-online.de [10.223.144.103]) by mailout12.t-online.de (Postfix) with SMTP id EE4C9447; Sun, 17 Nov 2024 18:52:36 +0100 (CET)",
            "Received: from business-webmail.de ([80.156.86.102]) by fwd77.t-online.de with (TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384 encrypted) esmtp id 1tCjRm-0rRGHg0; Sun, 17 Nov 2024 18:52:34 +0100",
            "User-Agent: Business Webmail/1.2.1",
            "From:[removed]",
        ],
        &["google.com"],
    );
    assert_eq!(
        (e.class, e.confidence),
        (Class::Webmail, Confidence::High),
        "{e:?}"
    );
    let lan = |helo: &str, msgid: &str| {
        entry(
            &[
                "Received: from msa12.plala.or.jp (msa12.plala.or.jp. [60.36.166.12]) by mx.google.com with ESMTP id b10-20020a170903228a00b001d4c2359a83si1965642plh.298.2024.01.02.09.00.15; Tue, 02 Jan 2024 09:00:15 -0800 (PST)",
                &format!(
                    "Received: from {helo} ([172.23.13.133]) by msa12.plala.or.jp with ESMTP id <20240102170009.SEJE843.msa12.plala.or.jp@{helo}>; Wed, 3 Jan 2024 02:00:09 +0900"
                ),
                &format!("Message-ID: <20240103020009.VYGR2.12757.root@{msgid}>"),
            ],
            &["google.com"],
        )
    };
    let e = lan("mwebp13", "mwebp13");
    assert_eq!(
        (e.class, e.confidence),
        (Class::Webmail, Confidence::High),
        "{e:?}"
    );
    // A LAN PC that is no web host: the network's gateway sent it.
    assert_eq!(
        lan("HEWLETT-2B2AA46", "HEWLETT-2B2AA46").class,
        Class::SpammerHost
    );
}

/// ppot-sample-6992: under a local qmail line, qmail names itself by its address,
/// in the network of the host above: its line is believed and shows the login.
/// An address in another network is not the host's.
#[test]
fn qmail_naming_itself_by_address() {
    let lines = |by: &str| {
        vec![
            exo("letovvtj.e-kei.pl (94.152.40.6)"),
            "Received: (qmail 46193 invoked by uid 3942007); 2 Jan 2026 07:09:57 -0000".to_string(),
            format!(
                "Received: from 180.252.62.16 (HELO DESKTOP-ECD236F.1142832234-1295725061-2229727846) (no-replay@gpf.pl@180.252.62.16) by {by} with ESMTPA; 2 Jan 2026 07:09:57 -0000"
            ),
            "From: Microsoft Onefile <no-replay@gpf.pl>".to_string(),
        ]
    };
    let own = lines("94.152.13.42");
    let e = entry(
        &own.iter().map(String::as_str).collect::<Vec<_>>(),
        &["outlook.com"],
    );
    assert_eq!(
        (e.class, e.confidence),
        (Class::CompromisedAccount, Confidence::High),
        "{e:?}"
    );
    assert_eq!(e.account_name(), Some("no-replay@gpf.pl"));
    let far = lines("203.0.113.9");
    let e = entry(
        &far.iter().map(String::as_str).collect::<Vec<_>>(),
        &["outlook.com"],
    );
    assert_ne!(e.class, Class::CompromisedAccount, "{e:?}");
}

/// nazario-phishing0-279 (issue 22 rule 7): Cox's smarthost carried a customer's
/// machine known only by its HELO, whose own local injection line is right below
/// and whose name is the Message-ID's: the customer's machine is the entry. With
/// a Message-ID made elsewhere the smarthost stays the relay.
#[test]
fn a_smarthost_carrying_its_customers_own_message() {
    let lines = |msgid: &str| {
        vec![
            "Received: from lakermmtao07.cox.net (lakermmtao07.cox.net [68.230.240.32]) by mail1.domain.com (Postfix) with ESMTP id CB0AE85ABD8 for <username@domain.com>; Tue, 26 Apr 2005 00:09:46 -0400 (EDT)".to_string(),
            "Received: from fedorabox.readreceipts.com ([68.106.214.124]) by lakermmtao07.cox.net (InterMail vM.6.01.04.00 201-2131-118-20041027) with ESMTP id <20050426040944.HIWL28809.lakermmtao07.cox.net@fedorabox.readreceipts.com>; Tue, 26 Apr 2005 00:09:44 -0400".to_string(),
            "Received: (qmail 9751 invoked by uid 511); 25 Apr 2005 22:25:05 -0500".to_string(),
            format!("Message-ID: <20050426032505.9750.qmail@{msgid}>"),
            "From: aw-confirm@ebay.com <aw-confirm@ebay.com>".to_string(),
        ]
    };
    let own = lines("fedorabox.readreceipts.com");
    let e = entry(
        &own.iter().map(String::as_str).collect::<Vec<_>>(),
        &["domain.com"],
    );
    assert_eq!(
        (e.class, e.ip.unwrap().to_string()),
        (Class::BotnetDirect, "68.106.214.124".into()),
        "{e:?}"
    );
    let elsewhere = lines("ebay.com");
    let e = entry(
        &elsewhere.iter().map(String::as_str).collect::<Vec<_>>(),
        &["domain.com"],
    );
    assert_eq!(e.ip.unwrap().to_string(), "68.230.240.32", "{e:?}");
}

/// csdmc-TRAIN_02482: list servers exchanging a list's mail (identd's `daemon`
/// and `cpunks` are no proxies; the list's own server is named in `Sender:`) are
/// passed through down to the ESP that sent to the list.
#[test]
fn a_lists_own_servers_are_passed_through() {
    let lines = [
        "Received: from locust.minder.net (locust.minder.net [66.92.53.74]) by hq.pro-ns.net (8.12.5/8.12.5) with ESMTP id g6LJECCU088005 for <cypherpunks@ds.pro-ns.net>; Sun, 21 Jul 2002 14:14:13 -0500 (CDT)",
        "Received: from einstein.ssz.com (cpunks@[207.200.56.4]) by locust.minder.net (8.11.6/8.11.6) with ESMTP id g6LJE4J77822 for <cpunks@minder.net>; Sun, 21 Jul 2002 15:14:04 -0400 (EDT)",
        "Received: (from cpunks@localhost) by einstein.ssz.com (8.8.8/8.8.8) id OAA11797 for cpunks@minder.net; Sun, 21 Jul 2002 14:22:09 -0500",
        "Received: from mkt1.verticalresponse.com (mkt1.verticalresponse.com [130.94.4.19]) by einstein.ssz.com (8.8.8/8.8.8) with SMTP id OAA11775 for <cypherpunks@einstein.ssz.com>; Sun, 21 Jul 2002 14:21:03 -0500",
        "Sender: owner-cypherpunks@einstein.ssz.com",
    ];
    let e = entry(&lines, &["pro-ns.net"]);
    assert_eq!(
        (e.class, e.ip.unwrap().to_string()),
        (Class::Esp, "130.94.4.19".into()),
        "{e:?}"
    );
    // Squid's identd answer is an open proxy's: taken for the list's own address
    // (a hop of passage), the proxied machine is the entry; taken for a stranger's
    // address, the server relayed for a proxy.
    let squid = |rcpt: &str| {
        format!(
            "Received: from einstein.ssz.com (squid@[207.200.56.4]) by locust.minder.net (8.11.6/8.11.6) with ESMTP id g6LJE4J77822 for <{rcpt}>; Sun, 21 Jul 2002 15:14:04 -0400 (EDT)"
        )
    };
    let e = entry(&[lines[0], &squid("cpunks@minder.net")], &["pro-ns.net"]);
    assert_eq!(
        (e.class, e.ip.unwrap().to_string()),
        (Class::BotnetDirect, "207.200.56.4".into())
    );
    assert_eq!(
        entry(&[lines[0], &squid("victim@elsewhere.org")], &["pro-ns.net"]).class,
        Class::OpenRelay
    );
}

/// Issue 22 rule 8: a medium reading names its rival with why, in the JSON too; a
/// high one names none.
#[test]
fn a_medium_reading_names_its_rival() {
    // No reverse DNS and a HELO that could be a server's: medium, a rented server
    // the other reading (CSDMC style).
    let e = entry(
        &[
            "Received: from mta33.cheapdeals.example ([82.82.82.9]) by mx.site.test with ESMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000",
        ],
        &["site.test"],
    );
    assert_eq!(e.confidence, Confidence::Medium, "{e:?}");
    assert_eq!(e.alternatives.len(), 1, "{e:?}");
    assert_ne!(e.alternatives[0].class, e.class);
    let json = serde_json::to_value(&e).unwrap();
    assert!(
        json["alternatives"][0]["class"].is_string() && json["alternatives"][0]["why"].is_string(),
        "{json}"
    );
    // A relay line showing a dial-up client: high, no rival, no member.
    let e = entry(
        &[
            "Received: from relay.example.net (relay.example.net [80.80.80.10]) by mx.site.test with ESMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000",
            "Received: from bogus.example (dsl-81-81-81-4.dyn.isp.example [81.81.81.4]) by relay.example.net with SMTP id R1; Mon, 2 Nov 2026 10:00:01 +0000",
        ],
        &["site.test"],
    );
    assert_eq!((e.class, e.confidence), (Class::OpenRelay, Confidence::High));
    assert!(e.alternatives.is_empty());
    assert!(serde_json::to_value(&e).unwrap().get("alternatives").is_none());
}

/// Issue 22 rule 4: a host that took the message `for` an address of its own
/// domain and handed it on to another mailbox is the recipient's forward (the
/// user's side): the trace goes on below it. Taking it for someone else's domain
/// and passing it on is relaying.
#[test]
fn a_forward_for_an_address_of_its_own() {
    let lines = |rcpt: &str| {
        vec![
            "Received: from mail.jane-family.net (mail.jane-family.net [80.80.80.20]) by mx.site.test with ESMTP id A1 for <jane@site.test>; Mon, 2 Nov 2026 10:00:05 +0000".to_string(),
            format!("Received: from pc1 (dsl-81-81-81-4.dyn.isp.example [81.81.81.4]) by mail.jane-family.net with SMTP id F1 for <{rcpt}>; Mon, 2 Nov 2026 10:00:01 +0000"),
        ]
    };
    let fwd = lines("jane@jane-family.net");
    let e = entry(
        &fwd.iter().map(String::as_str).collect::<Vec<_>>(),
        &["site.test"],
    );
    assert_eq!(
        (e.class, e.ip.unwrap().to_string()),
        (Class::BotnetDirect, "81.81.81.4".into()),
        "{e:?}"
    );
    assert!(
        e.evidence.iter().any(|l| l.contains("the recipient's forward")),
        "{:?}",
        e.evidence
    );
    let relayed = lines("victim@elsewhere.org");
    let e = entry(
        &relayed.iter().map(String::as_str).collect::<Vec<_>>(),
        &["site.test"],
    );
    assert_eq!(e.class, Class::OpenRelay, "{e:?}");
}

/// Issue 22 rule 2: the submission fields of other servers: `X-Authenticated-Id`,
/// `X-WM-AuthUser`, `Authentication-Results-Original … smtp.auth=` (passed only).
#[test]
fn other_servers_submission_fields() {
    let relay = [
        "Received: from relay.example.net (relay.example.net [80.80.80.10]) by mx.site.test with ESMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000",
        "Received: from bogus.example (dsl-81-81-81-4.dyn.isp.example [81.81.81.4]) by relay.example.net with SMTP id R1; Mon, 2 Nov 2026 10:00:01 +0000",
    ];
    for (field, account) in [
        ("X-Authenticated-Id: sales@shop.example", "sales@shop.example"),
        ("X-WM-AuthUser: sales@shop.example", "sales@shop.example"),
        (
            "Authentication-Results-Original: relay.example.net; auth=pass (LOGIN) smtp.auth=sales@shop.example",
            "sales@shop.example",
        ),
    ] {
        let e = entry(&[relay[0], relay[1], field], &["site.test"]);
        assert_eq!(e.class, Class::CompromisedAccount, "{field}: {e:?}");
        assert_eq!(e.account_name(), Some(account), "{field}");
    }
    let failed = "Authentication-Results-Original: relay.example.net; auth=fail smtp.auth=sales@shop.example";
    assert_eq!(
        entry(&[relay[0], relay[1], failed], &["site.test"]).class,
        Class::OpenRelay
    );
}
