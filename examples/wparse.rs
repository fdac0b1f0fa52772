fn main() {
    let path = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let p = relaytrace::lookup::whois::parse::parse(&relaytrace::lookup::whois::decode(&bytes, ""));
    println!("{:#?}", p.outcome);
    for n in &p.networks {
        println!(
            "{:?} {:?} {:?} {:?} contacts={:?}",
            n.range,
            n.name,
            n.org,
            n.customer,
            n.contacts.iter().map(|c| &c.email).collect::<Vec<_>>()
        );
    }
    println!("referral {:?} followup {:?}", p.referral, p.followup);
}
