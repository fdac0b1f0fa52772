//! relaytrace: a terminal investigator for spam that came through an open relay.
//!
//! The library holds everything; `main.rs` is a thin front end. Pure parts first:
//! [`message`] (bytes in), [`received`] (one line → fields), [`trace`] (hops, trust,
//! relay, input point); then the front-end helpers [`config`], [`report`] and
//! [`sanitize`].

#![forbid(unsafe_code)]

pub mod auth;
pub mod cli;
pub mod cmd;
pub mod compose;
pub mod config;
pub mod deliver;
pub mod error;
pub mod logfile;
pub mod lookup;
pub mod message;
pub mod received;
pub mod report;
pub mod sanitize;
pub mod trace;
pub mod tui;
