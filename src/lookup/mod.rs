//! Lookups (DESIGN.md §5): who owns each relay, who is its ISP, and where to complain.

pub mod contact;
pub mod whois;
pub mod rdap;
