//! The rules that name the class once the walk has found the host (DESIGN.md §1a,
//! `../shared/corpus/ENTRY-CLASSES.md`): the first that holds decides.

use std::net::IpAddr;

use super::providers::{
    Esp, Freemail, esp_by_domain, esp_of, freemail_by_host, freemail_by_mailbox, freemail_of, provider_desk,
    provider_ids, tables, webmail_host,
};
use super::{
    Class, Confidence, Context, Entry, Found, Handoff, Hop, Kind, Submission, auto_forwarder,
    bare_big_provider, end_user_signs, internal, is_private, label, names, provider_name, proxy_ident,
    qmail_login, quote, received, sender_name, with_word,
};

/// The other reading of a class that is not certain (issue 22 rule 8), unless the
/// rule that decided named a more precise one. A high reading has none.
pub(super) fn rivals(e: &mut Entry, login_shown: bool) {
    if e.confidence == Confidence::High || !e.alternatives.is_empty() {
        return;
    }
    let (class, why) = match e.class {
        Class::OpenRelay => (
            Class::BotnetDirect,
            "the relay may be the client's own ISP's server for its subscribers: then the client is the entry",
        ),
        Class::CompromisedAccount if !login_shown => (
            Class::Webmail,
            "the login is implied, not shown: a submission through a web interface would make it webmail",
        ),
        Class::CompromisedAccount => (Class::SpammerHost, "the account may be one the spammer set up"),
        Class::Webmail => (
            Class::SpammerHost,
            "no login is recorded: the server may be the sender's own",
        ),
        Class::Freemail => (
            Class::OpenRelay,
            "no submission is recorded: a service that relays without a login would make it an open relay",
        ),
        Class::Esp => (
            Class::SpammerHost,
            "one kind of mark names the platform: the sender's own server dressed as it is the other reading",
        ),
        Class::SpammerHost => (
            Class::BotnetDirect,
            "a hijacked server, or an infected machine behind it, cannot be excluded",
        ),
        Class::BotnetDirect => (Class::SpammerHost, "a rented server cannot be excluded"),
        Class::ListOrForward | Class::Unknown => return,
    };
    e.or(class, why);
}

/// A notification service mailing someone's post, or a mailbox's automatic forward
/// with nothing that can be judged below it: the message was passed on, and who
/// put it in is not in the header (ENTRY-CLASSES.md: `list_or_forward`).
pub(super) fn passed_on(
    hops: &[Hop],
    p: usize,
    found: &Found,
    ctx: &Context,
    e: &mut Entry,
    evidence: &mut Vec<String>,
) -> bool {
    if ctx.poster.is_none() && ctx.forwarded_by.is_none() {
        return false;
    }
    let h = &hops[p];
    let host = sender_name(h).and_then(names::registrable);
    if let Some((field, poster)) = &ctx.poster
        && let Some(n) = tables()
            .notifier
            .iter()
            .find(|n| host.as_ref().is_some_and(|d| n.hosts.contains(d)))
    {
        e.class = Class::ListOrForward;
        e.confidence = Confidence::Medium;
        e.provider = Some(n.name.clone());
        e.account = Some(format!("{poster} ({field})"));
        evidence.push(format!(
            "{} is {}'s, which mailed you a post by its user {poster} ({field}: {poster}); how the post reached {} is not in the header: report the account to {}",
            label(h),
            n.name,
            n.name,
            n.name
        ));
        return true;
    }
    if found.below.is_none()
        && let Some((fwd, f)) = auto_forwarder(h, ctx)
    {
        e.class = Class::ListOrForward;
        e.confidence = Confidence::Medium;
        e.provider = Some(f.name.clone());
        evidence.push(format!(
            "{} is {}'s, forwarding the mail of {fwd} automatically; the lines below the forward cannot be judged{}",
            label(h),
            f.name,
            found
                .forged_below
                .map_or_else(String::new, |b| format!(" (from hop {b} they do not chain)"))
        ));
        return true;
    }
    false
}

/// Gmail to Gmail and the like: nothing outside the site, but the lowest sender is a
/// free mail provider's own outbound host.
pub(super) fn inside_provider(hops: &[Hop], ctx: &Context) -> Option<Entry> {
    // The lowest sender on the public Internet; a provider's own machines inside
    // its network go by IPv6 (Exchange Online's `2603:10a6:…`), its outbound edge
    // by IPv4: prefer that.
    let public = |h: &&Hop| h.kind == Kind::Transfer && h.from_ip.is_some_and(|ip| !internal(ip));
    let (i, h) = hops
        .iter()
        .enumerate()
        .rev()
        .find(|(_, h)| public(h) && h.from_ip.is_some_and(|ip| ip.is_ipv4()))
        .or_else(|| hops.iter().enumerate().rev().find(|(_, h)| public(h)))?;
    let name = sender_name(h)?;
    let f = freemail_of(name)?;
    let (class, confidence, why) = if let Some(mailbox) = mailbox_of(f, ctx, None) {
        (
            Class::Freemail,
            Confidence::High,
            format!("the sender is a {} mailbox ({mailbox})", f.name),
        )
    } else {
        // An organisation's mail the provider hosts (issue 22 rule 5).
        let tenant = hosted_tenant(f, ctx).filter(|_| !f.consumer_only)?;
        let web = hops[i..].iter().find(|h| with_word(h) == "http");
        let why = format!(
            "it sends for {tenant}, an organisation whose mail {} hosts (its DKIM signature): an account of that organisation{}",
            f.name,
            web.map_or_else(String::new, |w| format!(
                ", used through the web (hop {}: {})",
                w.index,
                quote(&w.raw, 100)
            ))
        );
        match web {
            Some(_) => (Class::Webmail, Confidence::High, why),
            None => (Class::CompromisedAccount, Confidence::Medium, why),
        }
    };
    let mut e = Entry {
        class,
        evidence: vec![format!(
            "hop {i}: {} is {}'s own outbound host, and {why}; nothing came from outside",
            label(h),
            f.name,
        )],
        ids: provider_ids(ctx, None),
        provider_desk: provider_desk(ctx, &f.hosts),
        provider: Some(f.name.clone()),
        ..Entry::at(Some(i), h.from_ip, Some(names::norm(name)), confidence)
    };
    rivals(&mut e, false);
    Some(e)
}

/// The free mail mailbox domain the sender used, when it is one of `f`'s (or the
/// sender cannot be seen and `f` hosts only consumer mail).
pub(super) fn mailbox_of(f: &Freemail, ctx: &Context, login: Option<&str>) -> Option<String> {
    if let Some(d) = ctx.sender_domains.iter().find(|d| f.mailboxes.contains(d)) {
        return Some(d.clone());
    }
    if f.consumer_only {
        // A service with consumer mailboxes only: a login its server recorded, or
        // its webmail's Message-ID (`@mail.com`), says the message was written in
        // one of them, whatever the From says. A login in another domain is a
        // hosted (paid, business) mailbox.
        if let Some(l) = login {
            let theirs = l
                .rsplit_once('@')
                .is_none_or(|(_, d)| f.mailboxes.iter().any(|m| m.eq_ignore_ascii_case(d)));
            return theirs.then(|| {
                format!(
                    "the login {l} at {}'s own server; the From is not its address",
                    f.name
                )
            });
        }
        if let Some(d) = ctx
            .msgid_domain
            .as_deref()
            .filter(|d| f.mailboxes.iter().any(|m| m == d))
        {
            return Some(format!("its Message-ID is {}'s (@{d})", f.name));
        }
    }
    let seen = ctx
        .sender_domains
        .iter()
        .any(|d| names::registrable(d).is_some() && d != "removed");
    (f.consumer_only && !seen).then(|| "the sender's address is not shown".to_string())
}

pub(super) fn classify(
    hops: &[Hop],
    p: usize,
    found: &Found,
    ctx: &Context,
    mut evidence: Vec<String>,
) -> Entry {
    let h = &hops[p];
    let name = sender_name(h).map(names::norm);
    let mut e = Entry {
        client: found.sub.client,
        ..Entry::at(Some(p), h.from_ip, name.clone(), Confidence::Medium)
    };
    // The first rule that holds decides.
    if !(passed_on(hops, p, found, ctx, &mut e, &mut evidence)
        || provider_rule(hops, p, found, ctx, &mut e, &mut evidence)
        || web_rule(hops, p, found, ctx, &mut e, &mut evidence)
        || account_rule(hops, p, found, ctx, &mut e, &mut evidence)
        || infected_inside_rule(hops, p, found, &mut e, &mut evidence)
        || open_relay_rule(hops, found, &mut e, &mut evidence))
    {
        direct_rule(hops, p, found, ctx, &mut e, &mut evidence);
    }
    if matches!(
        e.class,
        Class::CompromisedAccount | Class::Webmail | Class::Freemail | Class::Esp
    ) {
        e.account = account(hops, p, found.below, ctx);
    }
    rivals(&mut e, found.sub.auth.is_some());
    e.evidence = evidence;
    e
}

/// The account the provider recorded as the submitter: an `Authenticated sender:`
/// or qmail's `user@domain@[ip]` in the host's own lines (the entry's and the one
/// it wrote about its client), else `X-Authenticated-Sender`/`-User` or cPanel's
/// `authenticated_id`. Only what a server wrote: never From or Return-Path, which
/// the spammer writes.
pub(super) fn account(hops: &[Hop], p: usize, below: Option<usize>, ctx: &Context) -> Option<String> {
    let token = |s: &str| -> Option<String> {
        let t: String = s
            .trim_start_matches(|c: char| c.is_whitespace() || c.is_control())
            .chars()
            .take_while(|c| {
                !c.is_whitespace() && !c.is_control() && !matches!(c, ')' | '(' | ';' | ',' | '<' | '>' | '"')
            })
            .take(100)
            .collect();
        let t = t.trim_end_matches(['.', ':']).to_string();
        // A bracketed token is an address or a redaction, not an account.
        (t.len() > 1 && !t.starts_with('[') && t.chars().any(char::is_alphanumeric)).then_some(t)
    };
    // The host's own lines: the entry's, its internal hops, down to the line that
    // records the client (the first public sender below the entry).
    let mut own = Vec::new();
    for h in hops.iter().skip(p).take(8) {
        own.push(h);
        if h.index > p && (h.from_ip.is_some_and(|ip| !internal(ip)) || Some(h.index) == below) {
            break;
        }
    }
    for h in own {
        let lower = h.raw.to_ascii_lowercase();
        if let Some(i) = lower.find("authenticated sender:")
            && let Some(a) = h.raw.get(i + "authenticated sender:".len()..).and_then(token)
        {
            return Some(format!("{a} (Authenticated sender, hop {})", h.index));
        }
        // Exim: `with esmtpa (ID user@example.com)`.
        if let Some(i) = lower
            .find("esmtpa (id ")
            .map(|i| i + 11)
            .or_else(|| lower.find("esmtpsa (id ").map(|i| i + 12))
            && let Some(a) = h.raw.get(i..).and_then(token)
        {
            return Some(format!("{a} (the login the server recorded, hop {})", h.index));
        }
        if let Some(i) = h
            .ident
            .as_deref()
            .filter(|i| i.contains('@') || qmail_login(h))
            .and_then(token)
        {
            return Some(format!("{i} (the login the server recorded, hop {})", h.index));
        }
    }
    for (field, value) in &ctx.auth_headers {
        let found = match field.as_str() {
            // cPanel writes "host: account".
            "x-authenticated-sender" | "x-authenticated-user" | "x-authenticated-id" | "x-wm-authuser" => {
                token(value.rsplit_once(": ").map_or(value.as_str(), |(_, a)| a))
            }
            "authentication-results-original" => value
                .to_ascii_lowercase()
                .find("smtp.auth=")
                .and_then(|i| value.get(i + "smtp.auth=".len()..))
                .and_then(token),
            "x-get-message-sender-via" => value
                .to_ascii_lowercase()
                .find("authenticated_id:")
                .and_then(|i| value.get(i + "authenticated_id:".len()..))
                .and_then(|v| token(v.split('/').next().unwrap_or(v))),
            _ => None,
        };
        if let Some(a) = found {
            let shown = match field.as_str() {
                "x-authenticated-sender" => "X-Authenticated-Sender",
                "x-authenticated-user" => "X-Authenticated-User",
                "x-authenticated-id" => "X-Authenticated-Id",
                "x-wm-authuser" => "X-WM-AuthUser",
                "authentication-results-original" => "Authentication-Results-Original",
                _ => "X-Get-Message-Sender-Via",
            };
            return Some(format!("{a} ({shown})"));
        }
    }
    None
}

/// A known provider's server: an ESP's, or a free mail service's with its mailbox: who runs the host decides, not how it was submitted.
pub(super) fn provider_rule(
    hops: &[Hop],
    p: usize,
    found: &Found,
    ctx: &Context,
    e: &mut Entry,
    evidence: &mut Vec<String>,
) -> bool {
    let h = &hops[p];
    let sub = &found.sub;
    let provider_name = provider_name(hops, p).unwrap_or("");
    // Its registrable domain, read once: each rule below asks who runs it.
    let domain = names::registrable(provider_name);
    let host_esp = domain.as_deref().and_then(esp_by_domain);
    let host_freemail = domain.as_deref().and_then(freemail_by_host);
    let by_host = host_esp
        .or_else(|| ctx.return_path.as_deref().and_then(esp_of))
        .filter(|_| found.below.is_none())
        .or_else(|| {
            ctx.esp_by_mailer()
                .filter(|e| host_esp.is_some_and(|h| std::ptr::eq(h, *e)))
        });
    let esp = by_host
        .map(|esp| (esp, Confidence::High, Vec::new()))
        .or_else(|| esp_marks(hops, p, found, ctx));
    if let Some((esp, confidence, marks)) = esp {
        e.class = Class::Esp;
        e.confidence = confidence;
        evidence.extend(marks);
        e.provider = Some(esp.name.clone());
        e.ids = provider_ids(ctx, Some(esp));
        e.provider_desk = provider_desk(ctx, &esp.hosts);
        evidence.push(format!(
            "{} is a server of {}, an email service provider",
            label(h),
            esp.name
        ));
        if let Some(m) = &ctx.mailer {
            evidence.push(format!("X-Mailer: {m}"));
        }
        return true;
    }
    if let Some(f) = host_freemail
        && let Some(mailbox) = mailbox_of(
            f,
            ctx,
            sub.auth
                .as_ref()
                .and_then(|_| account(hops, p, found.below, ctx))
                .as_deref()
                .and_then(|a| a.split(" (").next()),
        )
    {
        e.class = Class::Freemail;
        e.confidence = if sub.any() || ctx.dkim_domains.iter().any(|d| f.mailboxes.contains(d)) {
            Confidence::High
        } else {
            Confidence::Medium
        };
        e.provider = Some(f.name.clone());
        e.ids = provider_ids(ctx, None);
        e.provider_desk = provider_desk(ctx, &f.hosts);
        evidence.push(format!(
            "{} is {}'s own server, and the sender is a {} mailbox ({mailbox})",
            label(h),
            f.name,
            f.name
        ));
        push_submission(evidence, sub, ctx);
        return true;
    }
    // Issue 22 rule 5: the provider's own outbound server sending for an
    // organisation whose mail it hosts (Google Workspace, Microsoft 365): the
    // From domain signs (DKIM d=) and is no consumer mailbox: an account of that
    // tenant, the provider hosting it.
    if let Some(f) = host_freemail.filter(|f| !f.consumer_only)
        && found.below.is_none()
        && let Some(tenant) = hosted_tenant(f, ctx)
    {
        // Through the provider's web interface: webmail; else an account's submission.
        (e.class, e.confidence) = if sub.http.is_some() {
            (Class::Webmail, Confidence::High)
        } else {
            (Class::CompromisedAccount, Confidence::Medium)
        };
        e.provider = Some(f.name.clone());
        e.ids = provider_ids(ctx, None);
        e.provider_desk = provider_desk(ctx, &f.hosts);
        evidence.push(format!(
            "{} is {}'s own server, sending for {tenant}, an organisation whose mail {} hosts (its DKIM signature): an account of that organisation",
            label(h),
            f.name,
            f.name
        ));
        push_submission(evidence, sub, ctx);
        return true;
    }
    false
}

/// An ESP known by its marks rather than its host name (issue 22 rule 6): a
/// white-labelled `SendGrid` server (`o73.email.example.com` with `X-SG-EID`), a
/// numbered `ActiveCampaign` host. The marks are of two kinds: the header's (a field
/// only it writes, its Feedback-ID, its X-Mailer) and the servers' (words of its own
/// Received lines, the host's HELO, the Return-Path in its domain). One kind makes
/// it medium, both high. With an outside sender below, only its own line recording
/// that sender can say the platform took the message (a customer's submission).
pub(super) fn esp_marks(
    hops: &[Hop],
    p: usize,
    found: &Found,
    ctx: &Context,
) -> Option<(&'static Esp, Confidence, Vec<String>)> {
    let h = &hops[p];
    // An end-user machine's fields are its own invention; lines below that do not
    // chain are a replayed message's.
    if h.from_rdns
        .as_deref()
        .is_some_and(|r| names::is_generic_rdns(r, h.from_ip))
        || found.forged_below.is_some()
    {
        return None;
    }
    // Without a mark in the header only the platform's own line recording an
    // outside customer can name it (the rest was asked by name above).
    let mailer_esp = ctx.esp_by_mailer();
    if found.below.is_none() && mailer_esp.is_none() && ctx.id_fields.is_empty() {
        return None;
    }
    // What every platform is checked against, read once (this runs for many
    // messages of an mbox).
    let own_lines = found.below.map_or(hops.len() - 1, |b| b).min(p + 12);
    let lowered: Vec<(usize, String)> = (p + 1..=own_lines.min(hops.len() - 1))
        .map(|k| (k, hops[k].raw.to_ascii_lowercase()))
        .collect();
    let sender = sender_name(h);
    let sender_esp = sender
        .and_then(names::registrable)
        .and_then(|d| esp_by_domain(&d));
    let rp_esp = ctx
        .return_path
        .as_deref()
        .and_then(names::registrable)
        .and_then(|d| esp_by_domain(&d));
    let feedback: Vec<(&str, String)> = ctx
        .id_fields
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("feedback-id"))
        .map(|(_, v)| (v.as_str(), v.to_ascii_lowercase()))
        .collect();
    tables().esp.iter().find_map(|esp| {
        let mut header = Vec::new();
        for (name, _) in &ctx.id_fields {
            if esp.fingerprints.iter().any(|f| f.eq_ignore_ascii_case(name)) {
                header.push(format!("{name}: a field only {} writes", esp.name));
            }
        }
        for (value, lower) in &feedback {
            if esp.feedback.iter().any(|w| lower.contains(w.as_str())) {
                header.push(format!("Feedback-ID: {value}"));
            }
        }
        if let Some(m) = ctx
            .mailer
            .as_deref()
            .filter(|_| mailer_esp.is_some_and(|e| std::ptr::eq(e, esp)))
        {
            header.push(format!("X-Mailer: {m}"));
        }
        let mut servers = Vec::new();
        let line = lowered
            .iter()
            .find(|(_, l)| esp.lines.iter().any(|w| l.contains(w.as_str())));
        if let Some((k, _)) = line {
            servers.push(format!(
                "hop {k}, a line of {}'s own servers: {}",
                esp.name,
                quote(&hops[*k].raw, 140)
            ));
        }
        if let Some(n) = sender.filter(|_| sender_esp.is_some_and(|e| std::ptr::eq(e, esp))) {
            servers.push(format!("{n}: a name of {}'s servers", esp.name));
        }
        if let Some(rp) = ctx
            .return_path
            .as_deref()
            .filter(|_| rp_esp.is_some_and(|e| std::ptr::eq(e, esp)))
        {
            servers.push(format!("Return-Path in {}'s domain ({rp})", esp.name));
        }
        // Below an outside sender only the platform's own line counts; without
        // a mark in the header, only that line either.
        if line.is_none() && (found.below.is_some() || header.is_empty()) {
            return None;
        }
        let confidence = if !header.is_empty() && !servers.is_empty() {
            Confidence::High
        } else {
            Confidence::Medium
        };
        header.extend(servers);
        Some((esp, confidence, header))
    })
}

/// The organisation a hosting provider sends for: a DKIM `d=` that is the From
/// domain (or its parent) and neither a consumer mailbox of the provider's nor the
/// provider's own domain.
pub(super) fn hosted_tenant(f: &Freemail, ctx: &Context) -> Option<String> {
    let own = |d: &str| f.hosts.iter().any(|h| names::within(d, h)) || freemail_by_mailbox(d).is_some();
    let from = ctx.from_domain.as_deref().filter(|d| !own(d));
    if let Some(d) = ctx
        .dkim_domains
        .iter()
        .filter(|d| !own(d))
        .find(|d| from.is_some_and(|from| names::within(from, d)))
    {
        return Some(d.clone());
    }
    // The provider's default key for a tenant that set up none of its own
    // (`school-ac-th.20230601.gappssmtp.com`, `tenant.onmicrosoft.com`): the
    // tenant is the From domain.
    let default = ctx
        .dkim_domains
        .iter()
        .find(|d| d.ends_with(".gappssmtp.com") || d.ends_with(".onmicrosoft.com"));
    if let Some(d) = default {
        return Some(from.map_or_else(|| d.clone(), str::to_string));
    }
    // The From hidden (a redacted archive): a signature of a domain that is not the
    // provider's, on mail that left through the provider's own submission servers.
    if ctx.from_domain.is_none() {
        return ctx
            .dkim_domains
            .iter()
            .find(|d| !own(d) && names::registrable(d).is_some())
            .cloned();
    }
    None
}

/// A web submission the host's operator recorded: webmail, a web application or script.
pub(super) fn web_rule(
    hops: &[Hop],
    p: usize,
    found: &Found,
    ctx: &Context,
    e: &mut Entry,
    evidence: &mut Vec<String>,
) -> bool {
    let h = &hops[p];
    let sub = &found.sub;
    let webmail_mailer = ctx.webmail_mailer();
    let local_auth_with_client =
        sub.auth.is_some() && ctx.originating_ip.is_some() && sub.client.is_none_or(internal);
    // A webmail program's own X-Mailer on a message a named mail server sent with
    // nothing outside below it (its lines below are its own: the web front end,
    // a filter, localhost): a mailbox of that server used through its webmail,
    // even where no line records the login (issue 22, rule 2). An end-user
    // machine's fake X-Mailer stays what the machine is.
    let webmail_alone = webmail_mailer.is_some() && found.below.is_none() && end_user_signs(h).is_none();
    // The client is the very host it submitted to (the line above records that
    // host at the same address): an application on the server, a web form's
    // mail (issue 22 rule 2).
    let self_submit = found.below.filter(|_| sub.auth.is_some()).filter(|&b| {
        let ip = hops[b].from_ip;
        hops[..b]
            .iter()
            .rev()
            .find(|x| x.kind == Kind::Transfer && x.from_ip.is_some())
            .is_some_and(|x| x.from_ip == ip && ip.is_some_and(|i| !internal(i)))
    });
    // A web front end of the provider's hands it over: an outside host named as
    // one (`business-webmail.de`), or a web host on the server's own LAN
    // (Openwave's `mwebp13`).
    let front_below = found
        .below
        .and_then(|b| sender_name(&hops[b]))
        .filter(|n| webmail_host(n))
        .map(str::to_string);
    let lan_web = found
        .lan_client
        .and_then(|b| sender_name(&hops[b]))
        .filter(|n| names::norm(n).split(['.', '-']).any(|l| l.contains("web")))
        .map(str::to_string);
    if sub.http.is_some()
        || self_submit.is_some()
        || front_below.is_some()
        || lan_web.is_some()
        || sub.web_script.is_some()
        || sub.webmail_front.is_some()
        || sub.any() && webmail_mailer.is_some()
        || local_auth_with_client
        || webmail_alone
    {
        e.class = Class::Webmail;
        // The X-Mailer alone is the sender's word: high only with a line or a field
        // of the server's that agrees (a login, a web front end, the client's IP).
        let corroborated = sub.any() || ctx.originating_ip.is_some();
        // The web host made the message: its name is the Message-ID's.
        let made_there = lan_web
            .as_deref()
            .zip(ctx.msgid_domain.as_deref())
            .is_some_and(|(n, d)| names::same_host(n, d));
        e.confidence = if sub.http.is_some()
            || sub.webmail_front.is_some()
            || webmail_mailer.is_some() && (corroborated || front_below.is_some())
            || made_there
        {
            Confidence::High
        } else if webmail_alone || lan_web.is_some() || front_below.is_some() || self_submit.is_some() {
            Confidence::Medium
        } else {
            Confidence::Low
        };
        e.client = ctx
            .originating_ip
            .filter(|ip| !internal(*ip))
            .or(sub.client.filter(|ip| !internal(*ip)));
        evidence.push(format!(
            "{} handed it on for a web submission on its own side",
            label(h)
        ));
        if let Some(w) = &sub.web_script {
            evidence.push(format!("a web server's user injected it: {w}"));
        }
        if let Some(f) = sub.webmail_front.as_ref().or(front_below.as_ref()) {
            evidence.push(format!("submitted from the webmail front end {f}"));
        }
        if self_submit.is_some() {
            e.or(
                Class::CompromisedAccount,
                "the server's own account used by whoever runs the application",
            );
        }
        if let Some(b) = self_submit {
            evidence.push(format!(
                "hop {b}: the server took it, logged in, from its own address: an application on that server (a web form or script)"
            ));
        }
        if let Some(w) = &lan_web {
            evidence.push(format!(
                "a web host on its own network ({w}) handed it over{}",
                if made_there {
                    ", and made the Message-ID"
                } else {
                    ""
                }
            ));
        }
        push_submission(evidence, sub, ctx);
        return true;
    }
    false
}

/// A submission by an account the host's operator recorded: authenticated, MAPI,
/// a mail client's.
pub(super) fn account_rule(
    hops: &[Hop],
    p: usize,
    found: &Found,
    ctx: &Context,
    e: &mut Entry,
    evidence: &mut Vec<String>,
) -> bool {
    let h = &hops[p];
    let sub = &found.sub;
    let client_submission = sub.client_line.is_some()
        || found
            .below
            .is_some_and(|b| ctx.exchange_client.is_some() && hops[b].raw.contains("Microsoft SMTP Server"));
    // A login from a rented cloud machine to the From domain's own server, which
    // signs for it: server and domain look like the spammer's (ENTRY-CLASSES.md:
    // spammer_host even with AUTH); a stolen login used from a VM is the other reading.
    let rented_client = found.below.filter(|_| sub.auth.is_some()).and_then(|b| {
        let hb = &hops[b];
        let name = [hb.from_rdns.as_deref(), hb.from_helo.as_deref()]
            .into_iter()
            .flatten()
            .find(|n| names::rented_server(n))?;
        let dom = ctx.from_domain.as_deref().and_then(names::registrable)?;
        let own = sender_name(h).is_some_and(|n| names::within(n, &dom)) && ctx.dkim_domains.iter().any(|d| names::within(d, &dom));
        own.then(|| format!("hop {b}: the login came from {name}, a rented cloud machine, to {dom}'s own server, which signs as {dom}: server and domain look like the sender's own"))
    });
    if let Some(why) = rented_client {
        e.class = Class::SpammerHost;
        e.confidence = Confidence::Medium;
        e.or(
            Class::CompromisedAccount,
            "a stolen login of a real organisation, used from a rented machine",
        );
        evidence.push(format!("{} sent it for its own domain", label(h)));
        evidence.push(why);
        push_submission(evidence, sub, ctx);
        return true;
    }
    if sub.auth.is_some()
        || sub.mapi.is_some()
        || client_submission
        || !ctx.auth_headers.is_empty() && found.below.is_some()
    {
        e.class = Class::CompromisedAccount;
        e.confidence = if sub.auth.is_some() && sub.mapi.is_none() {
            Confidence::High
        } else {
            Confidence::Medium
        };
        e.client = e
            .client
            .or(found.below.and_then(|b| hops[b].from_ip))
            .filter(|ip| !internal(*ip))
            .or(ctx.originating_ip.filter(|ip| !internal(*ip)));
        evidence.push(format!(
            "{} handed it on for an account on its own side",
            label(h)
        ));
        if client_submission && sub.auth.is_none() && sub.mapi.is_none() {
            if let Some(b) = found.below {
                evidence.push(format!(
                    "hop {b}: a mail client at {} submitted it to the organisation's Exchange server (authentication implied, not shown)",
                    label(&hops[b])
                ));
            }
            if let Some(x) = &ctx.exchange_client {
                evidence.push(x.clone());
            }
        }
        for (k, v) in &ctx.auth_headers {
            evidence.push(format!("{k}: {v}"));
        }
        push_submission(evidence, sub, ctx);
        return true;
    }
    false
}

/// A machine of the organisation's own lied in its HELO: an infected machine behind
/// the organisation's gateway (the host), not a stranger the gateway relayed for.
fn infected_inside_rule(
    hops: &[Hop],
    p: usize,
    found: &Found,
    e: &mut Entry,
    evidence: &mut Vec<String>,
) -> bool {
    let Some(b) = found.infected_inside.filter(|_| found.below.is_none()) else {
        return false;
    };
    e.class = Class::BotnetDirect;
    e.confidence = Confidence::Medium;
    e.or(
        Class::CompromisedAccount,
        "an account on the organisation's internal relay, used by that machine",
    );
    evidence.push(format!(
        "hop {b}: {}, a machine of the organisation's own, handed it on under a false HELO: an infected machine behind {}, the organisation's gateway",
        label(&hops[b]),
        label(&hops[p])
    ));
    true
}

/// The host took it from an outside end-user machine or ratware: an open relay.
pub(super) fn open_relay_rule(
    hops: &[Hop],
    found: &Found,
    e: &mut Entry,
    evidence: &mut Vec<String>,
) -> bool {
    if let Some(b) = found.below {
        let hb = &hops[b];
        let signs = end_user_signs(hb).unwrap_or_else(|| format!("{} is not its own", label(hb)));
        e.class = Class::OpenRelay;
        e.confidence = if hb.from_rdns.is_some()
            || hb
                .from_helo
                .as_deref()
                .is_some_and(|x| names::big_provider(x).is_some())
        {
            Confidence::High
        } else {
            Confidence::Medium
        };
        evidence.push(format!(
            "hop {b}, written by this relay: it took the message with no authentication from an unrelated host: {signs}"
        ));
        evidence.push(format!("hop {b}: {}", quote(&hb.raw, 200)));
        return true;
    }
    false
}

/// A sender judged by one sign: an open proxy's IDENT, a big provider's bare
/// domain as its name (ratware), or a rented server's generic name (issue 22
/// rule 3). Sets the class when one holds.
pub(super) fn named_direct(h: &Hop, ip: Option<IpAddr>, e: &mut Entry, evidence: &mut Vec<String>) -> bool {
    if let Some(i) = h.ident.as_deref().filter(|_| proxy_ident(h)) {
        e.class = Class::BotnetDirect;
        e.confidence = Confidence::High;
        evidence.push(format!(
            "{} connected through an open proxy (IDENT {i})",
            label(h)
        ));
        return true;
    }
    if let Some(n) = [h.from_rdns.as_deref(), h.from_helo.as_deref()]
        .into_iter()
        .flatten()
        .find(|n| bare_big_provider(n))
    {
        e.class = Class::BotnetDirect;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "{} sent it straight to you calling itself {n}: no server of that provider is named so; ratware is",
            label(h)
        ));
        return true;
    }
    if let Some(r) = h
        .from_rdns
        .as_deref()
        .filter(|r| names::is_generic_rdns(r, ip) && names::rented_server(r))
    {
        // A VPS or cloud instance is rented, not infected.
        e.class = Class::SpammerHost;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "{} sent it straight to you: {r} names a rented server (a VPS, a cloud or hosting machine), not a home connection",
            label(h)
        ));
        return true;
    }
    false
}

/// Nothing outside below the host: it sent the message itself (an infected machine, or the spammer's own server).
pub(super) fn direct_rule(
    hops: &[Hop],
    p: usize,
    found: &Found,
    ctx: &Context,
    e: &mut Entry,
    evidence: &mut Vec<String>,
) {
    let h = &hops[p];
    let forged = found
        .forged_below
        .map(|f| format!("the lines below hop {p} do not chain (from hop {f}): made up by the sender"));
    if let Some(f) = &forged {
        evidence.push(f.clone());
    }
    let ip = h.from_ip;
    let helo = h.from_helo.clone().unwrap_or_default();
    if named_direct(h, ip, e, evidence) {
    } else if let Some(r) = h.from_rdns.as_deref().filter(|r| names::is_generic_rdns(r, ip)) {
        e.class = Class::BotnetDirect;
        e.confidence = Confidence::High;
        evidence.push(format!(
            "{} sent it straight to you: {r} is a generic end-user name",
            label(h)
        ));
    } else if let Some((b, foreign_helo)) = &found.loopback_helo {
        e.class = Class::BotnetDirect;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "hop {b}: the message was injected into {} over loopback by a program calling itself {foreign_helo}: a hijacked server or a local proxy",
            label(h)
        ));
    } else if let Some(b) = found.lan_client {
        e.class = Class::SpammerHost;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "{} is the gateway of the network it was sent from: hop {b} shows {} on its own LAN handing it over",
            label(h),
            label(&hops[b])
        ));
        if let Some(m) = &ctx.mailer {
            evidence.push(format!("X-Mailer: {m}"));
        }
    } else if h.from_rdns.is_some()
        && (helo.is_empty()
            || received::is_ip_literal(&helo) && helo.trim_matches(['[', ']']).parse::<IpAddr>().ok() != ip
            || names::big_provider(&helo).is_some()
                && names::big_provider(&helo) != h.from_rdns.as_deref().and_then(names::big_provider))
    {
        e.class = Class::BotnetDirect;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "{} sent it straight to you with a HELO that is not its own ({})",
            label(h),
            if helo.is_empty() { "none" } else { helo.as_str() }
        ));
    } else if h.from_rdns.is_none() {
        no_rdns_direct(h, found, forged.is_some(), e, evidence);
    } else {
        e.class = Class::SpammerHost;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "{} sent it straight to you: a named server, not an end-user connection",
            label(h)
        ));
    }
}

/// [`direct_rule`] for a sender with no reverse DNS: its HELO decides.
fn no_rdns_direct(h: &Hop, found: &Found, forged: bool, e: &mut Entry, evidence: &mut Vec<String>) {
    let helo = h.from_helo.clone().unwrap_or_default();
    let ratware = helo.is_empty()
        || received::is_ip_literal(&helo)
        || !helo.contains('.')
        || names::big_provider(&helo).is_some()
        || forged;
    if ratware {
        e.class = Class::BotnetDirect;
        let random = !helo.is_empty()
            && (!helo.contains('.')
                && helo.chars().all(|c| c.is_ascii_lowercase())
                && !looks_like_word(&helo)
                || helo
                    .trim_matches(['[', ']'])
                    .parse::<IpAddr>()
                    .is_ok_and(is_private));
        e.confidence = if random || h.handoff == Handoff::Inconsistent {
            Confidence::High
        } else {
            Confidence::Medium
        };
        evidence.push(format!(
            "{} sent it straight to you with no reverse DNS{}",
            label(h),
            if helo.is_empty() {
                String::new()
            } else {
                format!(" and HELO {helo}")
            }
        ));
    } else if found.carried {
        // A machine on an ISP's line that its smarthost carried: most likely a
        // hijacked one; its owner being the sender is the other reading.
        e.class = Class::BotnetDirect;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "{} has no reverse DNS and names itself {helo}: a customer's machine behind its ISP's relay, most likely hijacked (a local user injected the message); a server its owner runs for spam is the other reading",
            label(h)
        ));
    } else {
        e.class = Class::SpammerHost;
        e.confidence = Confidence::Medium;
        evidence.push(format!(
            "{} sent it straight to you; it has no reverse DNS but names itself {helo}",
            label(h)
        ));
    }
}

/// A lower-case HELO that reads like a word or a PC name rather than random letters.
pub(super) fn looks_like_word(s: &str) -> bool {
    let vowels = s.chars().filter(|c| "aeiou".contains(*c)).count();
    s.len() <= 4 || vowels * 4 >= s.len()
}

pub(super) fn push_submission(evidence: &mut Vec<String>, sub: &Submission, ctx: &Context) {
    for s in [&sub.http, &sub.auth, &sub.mapi].into_iter().flatten() {
        evidence.push(s.clone());
    }
    if let Some(ip) = ctx.originating_ip {
        evidence.push(format!("X-Originating-IP: {ip}"));
    }
    if let Some(m) = &ctx.mailer {
        evidence.push(format!("X-Mailer: {m}"));
    }
    if let Some(d) = ctx.dkim_domains.first() {
        evidence.push(format!("DKIM-Signature d={d} (not verified: a hint)"));
    }
}
