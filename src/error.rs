//! The errors that end a command: each maps to one exit status and prints as one
//! line (DESIGN.md §3: 0 done, 1 bad input, 2 usage or configuration; and 3 for a
//! complaint with nobody to send it to).

use std::fmt::Display;
use std::io;

/// Errors that end a command, each with the exit status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: exit 1.
    #[error("{0}")]
    Input(String),
    /// Usage or configuration: exit 2.
    #[error("{0}")]
    Usage(String),
    /// `compose` found nobody to send the complaint to (and none was given with
    /// `--add-to`): exit 3, whatever the format.
    #[error("{0}")]
    NoRecipient(String),
    /// Standard output went away (a closed pipe): stop quietly.
    #[error("output closed")]
    Closed,
}

impl Error {
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 1,
            Error::Usage(_) => 2,
            Error::NoRecipient(_) => 3,
            Error::Closed => 0,
        }
    }

    /// Bad input about `what` (a file name as shown to the user).
    pub fn input(what: &str, e: impl Display) -> Error {
        Error::Input(format!("{what}: {e}"))
    }

    /// Writing the output failed: a closed pipe ends quietly, anything else is said.
    #[must_use]
    pub fn write(e: &io::Error) -> Error {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Error::Closed
        } else {
            Error::Input(format!("cannot write the output: {e}"))
        }
    }
}

/// An I/O error in the words a user reads.
pub fn io_words(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
