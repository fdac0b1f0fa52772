//! RDAP (RFC 9082/9083/9224): bootstrap, IP network and its parent, autnum, domain.

pub mod parse;

pub use parse::abuse_contacts;
