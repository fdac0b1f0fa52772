//! The `relaytrace` binary: parses the command line, runs it, and turns every failure
//! into one clear line on standard error and an exit status (0, 1 bad input, 2 usage).

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // The clipboard's background owner (started by the TUI as it exits): no terminal,
    // no output, the text on standard input.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == relaytrace::deliver::clipboard::SERVE_ARG)
    {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut io::stdin().lock(), &mut text);
        return match relaytrace::deliver::clipboard::serve(&text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(1),
        };
    }
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            io::stderr(),
            "relaytrace: internal error{place}: {}; please report it",
            relaytrace::sanitize::clean(&msg)
        );
    }));
    let cli = relaytrace::cli::Cli::parse();
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    match relaytrace::cmd::run(cli, &mut lock) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = e.exit_code();
            if code != 0 {
                let _ = writeln!(io::stderr(), "relaytrace: {e}");
            }
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
    }
}
