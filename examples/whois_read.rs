//! What relaytrace reads in a saved whois answer: its networks, contacts, referral.
//! `cargo run --example whois_read -- FILE [SERVER]` (SERVER picks the charset).

use std::process::ExitCode;

use relaytrace::lookup::whois::{decode, parse};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: whois_read FILE [SERVER]");
        return ExitCode::from(2);
    };
    let server = args.next().unwrap_or_default();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(1);
        }
    };
    let p = parse::parse(&decode(&bytes, &server));
    println!("outcome: {:?}", p.outcome);
    for n in &p.networks {
        println!(
            "network {} {:?} holder {:?}{}",
            n.range,
            n.name,
            n.org,
            if n.customer { " (customer)" } else { "" }
        );
        for c in n.contacts.iter().chain(&n.parent_contacts) {
            println!("    {:<40} {:?}  {}", c.email, c.tier, c.basis);
        }
    }
    let (owner, isp) = parse::ranked_contacts(&p, None);
    println!(
        "owner: {:?}",
        owner.iter().map(|c| c.email.as_str()).collect::<Vec<_>>()
    );
    println!(
        "isp:   {:?}",
        isp.iter().map(|c| c.email.as_str()).collect::<Vec<_>>()
    );
    println!("referral: {:?}  follow-up: {:?}", p.referral, p.followup);
    ExitCode::SUCCESS
}
