//! The sent log: JSON lines, appended, flushed and synced, in
//! `$XDG_DATA_HOME/relaytrace/sent.jsonl`: what went where, when, by which way, and
//! what the server said.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One sent complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// RFC 3339 UTC.
    pub time: String,
    /// The key of the spam (the drafts' key).
    pub message: String,
    pub relay_ip: String,
    pub side: crate::compose::Side,
    pub recipients: Vec<String>,
    /// `smtp host:port` or `sendmail path`.
    pub transport: String,
    /// The server's words (or sendmail's exit).
    pub reply: String,
    pub subject: String,
    pub bytes: usize,
    /// `sent`, or `unknown` when the message was handed over and no final answer
    /// came (the server may have it). Entries written before this field are `sent`.
    #[serde(default)]
    pub outcome: Outcome,
}

/// Whether the server is known to have the complaint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    #[default]
    Sent,
    Unknown,
}

/// The default log file.
pub fn default_path() -> Option<PathBuf> {
    crate::config::paths::dir(crate::config::paths::Kind::Data).map(|d| d.join("sent.jsonl"))
}

/// The addresses the user marked as bounced (`bounced.txt` beside the log).
pub fn bounced_path() -> Option<PathBuf> {
    crate::config::paths::dir(crate::config::paths::Kind::Data).map(|d| d.join("bounced.txt"))
}

/// The marked addresses, lower case, one a line; a missing file is none.
pub fn read_bounced(path: &Path) -> std::collections::BTreeSet<String> {
    std::fs::read(path)
        .map(|b| {
            String::from_utf8_lossy(&b)
                .lines()
                .map(|l| l.trim().to_ascii_lowercase())
                .filter(|l| l.contains('@') && l.len() <= 254)
                .collect()
        })
        .unwrap_or_default()
}

/// Writes the marked addresses whole (a temporary file renamed over it, 0600).
///
/// # Errors
/// The file cannot be written.
pub fn write_bounced(path: &Path, set: &std::collections::BTreeSet<String>) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut f = crate::config::paths::create_private(&tmp)?;
    for a in set {
        writeln!(f, "{a}")?;
    }
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Appends an entry, flushed and synced to disk before returning.
///
/// # Errors
/// The log cannot be written.
pub fn append(path: &Path, e: &Entry) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(e).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut f = crate::config::paths::open_private(
        path,
        std::fs::OpenOptions::new().create(true).append(true).read(true),
    )?;
    // A partial append (a full disk) left the last line without its newline: end it
    // first, so this entry is not glued to it.
    let len = f.metadata()?.len();
    if len > 0 {
        use std::io::{Read as _, Seek as _};
        let mut last = [0u8; 1];
        f.seek(std::io::SeekFrom::Start(len - 1))?;
        f.read_exact(&mut last)?;
        if last[0] != b'\n' {
            line.insert(0, b'\n');
        }
    }
    f.write_all(&line)?;
    f.flush()?;
    f.sync_all()
}

/// Every entry of the log; a line that does not read (a stray byte, a cut append)
/// is skipped, never the whole log.
pub fn read(path: &Path) -> Vec<Entry> {
    std::fs::read(path)
        .map(|bytes| {
            bytes
                .split(|b| *b == b'\n')
                .filter_map(|l| serde_json::from_slice(l).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The entries for one message.
pub fn for_message(path: &Path, message: &str) -> Vec<Entry> {
    read(path).into_iter().filter(|e| e.message == message).collect()
}

/// What the log says of complaints about `relay_ip` (about any message): the
/// newest that went, with its recipients and date, and how many went in all.
/// `None` when none went.
///
/// `arrivals` are the times (seconds since the epoch) at which the messages known
/// to have come from this relay reached the site: those after the last complaint
/// are counted ("3 messages since"), so that a relay still sending after it was
/// told shows it.
pub fn about_relay(entries: &[Entry], relay_ip: &str, arrivals: &[i64]) -> Option<String> {
    let sent: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.relay_ip == relay_ip && e.outcome == Outcome::Sent)
        .collect();
    let last = sent.last()?;
    let since = crate::received::Timestamp::from_rfc3339(&last.time)
        .map_or(0, |t| arrivals.iter().filter(|&&a| a > t.epoch).count());
    let mut notes = Vec::new();
    if sent.len() > 1 {
        notes.push(format!("{} complaints in all", sent.len()));
    }
    match since {
        0 => {}
        1 => notes.push("1 message since".into()),
        n => notes.push(format!("{n} messages since")),
    }
    Some(format!(
        "complained to {} about {relay_ip} on {}{}",
        last.recipients.join(", "),
        when(&last.time),
        if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        }
    ))
}

/// The recipients that already got a complaint about this message, each with what
/// they got and when: this side's ("sent 2026-11-01 10:00 UTC", or "outcome
/// unknown" when no send to them is known to have gone), or the other side's (the
/// owner's and the ISP's desks are often one mailbox).
pub fn already_sent(entries: &[Entry], side: crate::compose::Side, recipients: &[String]) -> Vec<String> {
    recipients
        .iter()
        .filter_map(|r| {
            let to_r = |e: &&Entry| e.recipients.iter().any(|x| x.eq_ignore_ascii_case(r));
            let mine: Vec<&Entry> = entries.iter().filter(to_r).filter(|e| e.side == side).collect();
            if let Some(e) = mine.iter().rev().find(|e| e.outcome == Outcome::Sent) {
                return Some(format!("{r} (sent {})", when(&e.time)));
            }
            if let Some(e) = mine.last() {
                return Some(format!("{r} (outcome unknown, {})", when(&e.time)));
            }
            let other = entries.iter().filter(to_r).rev().find(|e| e.side != side)?;
            Some(format!(
                "{r} (got the {} complaint {})",
                other.side.word(),
                when(&other.time)
            ))
        })
        .collect()
}

/// An entry's RFC 3339 time as people read it: `2026-11-01 10:00 UTC`.
fn when(time: &str) -> String {
    match time.get(..16) {
        Some(t) if time.ends_with('Z') => format!("{} UTC", t.replace('T', " ")),
        _ => time.to_string(),
    }
}

/// Now as RFC 3339 UTC.
pub fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    crate::received::Timestamp {
        epoch: i64::try_from(secs).unwrap_or(0),
        offset_min: 0,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/sent.jsonl");
        let e = Entry {
            time: now(),
            message: "k1".into(),
            relay_ip: "192.0.2.1".into(),
            side: crate::compose::Side::Owner,
            recipients: vec!["abuse@x.test".into()],
            transport: "smtp localhost:25".into(),
            reply: "250 ok".into(),
            subject: "s".into(),
            bytes: 10,
            outcome: Outcome::Sent,
        };
        append(&path, &e).unwrap();
        append(
            &path,
            &Entry {
                message: "k2".into(),
                ..e.clone()
            },
        )
        .unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"garbage\n")
            .unwrap();
        assert_eq!(read(&path).len(), 2);
        // A bad byte and a cut line hide nothing else; the next entry starts on a
        // line of its own.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"\xff\xfe not json\n{\"time\":\"cut")
            .unwrap();
        append(
            &path,
            &Entry {
                message: "k3".into(),
                ..e.clone()
            },
        )
        .unwrap();
        let all = read(&path);
        assert_eq!(all.len(), 3, "{all:?}");
        assert_eq!(all[2].message, "k3");
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions()) & 0o777,
            0o600
        );
        let mine = for_message(&path, "k1");
        assert_eq!(mine, vec![e.clone()]);
        assert_eq!(
            already_sent(
                &mine,
                crate::compose::Side::Owner,
                &["ABUSE@x.test".into(), "new@x.test".into()]
            ),
            vec![format!("ABUSE@x.test (sent {})", when(&e.time))]
        );
        // The ISP complaint to the mailbox that got the owner's: said too.
        assert_eq!(
            already_sent(&mine, crate::compose::Side::Isp, &["abuse@x.test".into()]),
            vec![format!(
                "abuse@x.test (got the owner complaint {})",
                when(&e.time)
            )]
        );
        let unknown = Entry {
            side: crate::compose::Side::Isp,
            outcome: Outcome::Unknown,
            ..e.clone()
        };
        assert_eq!(
            already_sent(
                std::slice::from_ref(&unknown),
                crate::compose::Side::Isp,
                &["abuse@x.test".into()]
            ),
            vec![format!("abuse@x.test (outcome unknown, {})", when(&e.time))]
        );
        assert_eq!(
            already_sent(
                &[
                    unknown,
                    Entry {
                        side: crate::compose::Side::Isp,
                        ..e.clone()
                    }
                ],
                crate::compose::Side::Isp,
                &["abuse@x.test".into()]
            ),
            vec![format!("abuse@x.test (sent {})", when(&e.time))]
        );
        assert_eq!(when("2026-11-01T10:00:05Z"), "2026-11-01 10:00 UTC");
    }

    /// Complaints about a relay, whatever the message they were about (issue 13).
    #[test]
    fn the_history_of_a_relay() {
        let e = Entry {
            time: "2026-11-02T09:30:00Z".into(),
            message: "k1".into(),
            relay_ip: "216.201.75.12".into(),
            side: crate::compose::Side::Owner,
            recipients: vec!["abuse@saks.test".into()],
            transport: "smtp".into(),
            reply: "250 ok".into(),
            subject: "s".into(),
            bytes: 1,
            outcome: Outcome::Sent,
        };
        let other = Entry {
            message: "k9".into(),
            ..e.clone()
        };
        let unknown = Entry {
            outcome: Outcome::Unknown,
            ..e.clone()
        };
        let said = about_relay(&[e.clone(), other, unknown], "216.201.75.12", &[]).unwrap();
        assert_eq!(
            said,
            "complained to abuse@saks.test about 216.201.75.12 on 2026-11-02 09:30 UTC (2 complaints in all)"
        );
        assert!(about_relay(std::slice::from_ref(&e), "192.0.2.99", &[]).is_none());
        // Messages from it that arrived after the complaint are counted; earlier
        // ones are not (2026-11-02T09:30:00Z is 1_793_611_800).
        let told = 1_793_611_800;
        let said = about_relay(
            std::slice::from_ref(&e),
            "216.201.75.12",
            &[told - 60, told + 60, told + 86_400, told + 90_000],
        )
        .unwrap();
        assert!(
            said.ends_with("on 2026-11-02 09:30 UTC (3 messages since)"),
            "{said}"
        );
        let said = about_relay(std::slice::from_ref(&e), "216.201.75.12", &[told + 5]).unwrap();
        assert!(said.ends_with("(1 message since)"), "{said}");
    }

    #[test]
    fn bounced_addresses_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bounced.txt");
        assert!(read_bounced(&path).is_empty());
        let set: std::collections::BTreeSet<String> = ["abuse@gone.test".to_string()].into();
        write_bounced(&path, &set).unwrap();
        assert_eq!(read_bounced(&path), set);
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions()) & 0o777,
            0o600
        );
    }
}
