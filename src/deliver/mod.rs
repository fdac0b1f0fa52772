//! Getting complaints out (I/O): the clipboard (system or OSC 52), sending (SMTP
//! submission or the local sendmail), and the append-only sent log.

pub mod clipboard;
pub mod log;
pub mod send;
