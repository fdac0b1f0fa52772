//! Drafts of the complaints, saved as they are edited (at most a second behind) in
//! `$XDG_DATA_HOME/relaytrace/drafts/`, one file per message, written atomically
//! (a temporary file, synced, renamed over the old one), and restored when the
//! message is opened again.

use std::io::Write;
use std::path::PathBuf;

use crate::compose::Draft;

/// The key of a message: a checksum of its header section (FNV-1a, stable across
/// runs and versions) and its length.
pub fn key(header: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in header {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}-{}", header.len())
}

/// The drafts directory.
pub fn dir() -> Option<PathBuf> {
    crate::config::paths::dir(crate::config::paths::Kind::Data).map(|d| d.join("drafts"))
}

/// The drafts of one message, held by this instance alone while it runs: two
/// relaytraces on one message would otherwise overwrite each other's edits.
#[derive(Debug)]
pub struct Lock(#[allow(dead_code)] std::fs::File);

/// Takes the lock on the drafts of message `key`: `Ok(None)` when another instance
/// holds it (an advisory lock the system drops when that process ends).
///
/// # Errors
/// The drafts folder or the lock file cannot be made.
pub fn lock(key: &str) -> std::io::Result<Option<Lock>> {
    let dir = dir().ok_or_else(|| std::io::Error::other("no data directory (set XDG_DATA_HOME or HOME)"))?;
    let file = crate::config::paths::open_private(
        &dir.join(format!(".{key}.lock")),
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true),
    )?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Lock(file))),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Why the drafts of a message held by another instance are not saved here.
pub const HELD_ELSEWHERE: &str =
    "another relaytrace has this message's drafts open: edits here are not saved, so as not to overwrite its";

#[derive(serde::Serialize, serde::Deserialize)]
struct File {
    drafts: Vec<Draft>,
    /// Earlier texts the user replaced, newest last.
    #[serde(default)]
    history: Vec<Draft>,
}

/// The file name of one complaint's draft: message, relay address, side.
fn name(key: &str, d: &Draft) -> String {
    let about: String = d
        .about
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{key}-{about}-{}.json", d.side.name())
}

/// Saves each draft of a message in its own file (keyed by message, relay address
/// and side), with the history of its side.
///
/// # Errors
/// The directory or a file cannot be written.
pub fn save(key: &str, drafts: &[Draft], history: &[Draft]) -> std::io::Result<PathBuf> {
    let dir = dir().ok_or_else(|| std::io::Error::other("no data directory (set XDG_DATA_HOME or HOME)"))?;
    crate::config::paths::private_dir(&dir)?;
    let mut last = dir.clone();
    for d in drafts {
        let file = name(key, d);
        let path = dir.join(&file);
        let tmp = dir.join(format!(".{file}.{}.tmp", std::process::id()));
        let bytes = serde_json::to_vec_pretty(&File {
            drafts: vec![d.clone()],
            history: history.iter().filter(|h| h.side == d.side).cloned().collect(),
        })
        .map_err(std::io::Error::other)?;
        let written = (|| {
            let mut f = crate::config::paths::create_private(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        last = path;
    }
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(last)
}

/// Moves a damaged file to the first free `NAME.corrupt`, `NAME.corrupt.2`, …
/// (a hard link then an unlink: an existing copy is never replaced).
fn set_aside(path: &std::path::Path) -> (std::path::PathBuf, std::io::Result<()>) {
    let base = path.with_extension("json.corrupt");
    let mut last = Err(std::io::Error::other("no free name"));
    for n in 1..1000 {
        let aside = if n == 1 {
            base.clone()
        } else {
            std::path::PathBuf::from(format!("{}.{n}", base.display()))
        };
        match std::fs::hard_link(path, &aside) {
            Ok(()) => return (aside, std::fs::remove_file(path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Err(e),
            Err(e) => return (aside, Err(e)),
        }
    }
    (base, last)
}

/// The saved drafts of a message, by the relay address they are about, and what
/// went wrong reading them. Drafts of earlier versions (one file per message, no
/// address) count as about `legacy`. A damaged file is set aside as
/// `NAME.corrupt` (`NAME.corrupt.2`, … when one is there already: never overwritten
/// by the next save nor the next damaged file) and said.
pub fn load(key: &str, legacy: &str) -> (std::collections::HashMap<String, Vec<Draft>>, Vec<String>) {
    let mut out: std::collections::HashMap<String, Vec<Draft>> = std::collections::HashMap::new();
    let mut notes = Vec::new();
    let Some(dir) = dir() else { return (out, notes) };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (out, notes);
    };
    let prefix = format!("{key}-");
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let old = file == format!("{key}.json");
        let json = std::path::Path::new(&file)
            .extension()
            .is_some_and(|x| x == "json");
        if !(old || file.starts_with(&prefix) && json) {
            continue;
        }
        // Read never through a link; a file an older version left 0644 is made 0600.
        let read = crate::config::paths::open_private(&e.path(), std::fs::OpenOptions::new().read(true))
            .and_then(|mut f| {
                let mut b = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut b).map(|_| b)
            });
        let bytes = match read {
            Ok(b) => b,
            Err(err) => {
                notes.push(format!("a draft {} cannot be read: {err}", e.path().display()));
                continue;
            }
        };
        let f = match serde_json::from_slice::<File>(&bytes) {
            Ok(f) => f,
            Err(err) => {
                let (aside, moved) = set_aside(&e.path());
                notes.push(match moved {
                    Ok(()) => format!("a damaged draft ({err}) was set aside as {}", aside.display()),
                    Err(m) => format!(
                        "a damaged draft {} cannot be read ({err}) nor set aside ({m})",
                        e.path().display()
                    ),
                });
                continue;
            }
        };
        for mut d in f.drafts {
            if d.about.is_empty() {
                d.about = legacy.to_string();
            }
            let list = out.entry(d.about.clone()).or_default();
            if !list.iter().any(|x| x.side == d.side) {
                list.push(d);
            }
        }
    }
    (out, notes)
}
