//! `relaytrace relaytest IP`: the opt-in open-relay test (never DATA).

use std::io::Write;

use crate::cli::RelaytestArgs;
use crate::config::Config;
use crate::error::Error;
use crate::lookup::Engine;
use crate::lookup::relaytest::{Plan, report};

/// `relaytrace relaytest`.
///
/// # Errors
/// No reporter address to test with, the test may not run (offline, a private
/// address, tested in the last day), or the output cannot be written.
pub async fn run(engine: &Engine, cfg: &Config, a: &RelaytestArgs, out: &mut dyn Write) -> Result<(), Error> {
    let port = a.port.unwrap_or(cfg.network.relay_test_port);
    let plan = Plan::new(a.ip, port, a.name.as_deref(), &cfg.reporter.address).ok_or_else(|| {
        Error::Usage(
            "the test offers your own address as the outside recipient: set [reporter] address in the configuration"
                .into(),
        )
    })?;
    let t = engine.relay_test(&plan, a.force).await.map_err(Error::Usage)?;
    if a.json {
        super::write_json_line(out, &t)
    } else {
        out.write_all(report(&t).as_bytes()).map_err(|e| Error::write(&e))
    }
}
