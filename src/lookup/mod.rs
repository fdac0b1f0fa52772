//! Lookups (DESIGN.md §5): who owns each relay, who is its ISP, and where to complain.

pub mod answer;
pub mod attribute;
pub mod cache;
pub mod contact;
pub mod dns;
pub mod engine;
pub mod rdap;
pub mod relaytest;
pub mod result;
pub mod services;
pub mod tables;
pub mod traceroute;
pub mod whois;

pub use engine::Engine;
pub use result::Lookup;
