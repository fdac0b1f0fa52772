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
    dirs::data_dir().map(|d| d.join("relaytrace").join("drafts"))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct File {
    drafts: Vec<Draft>,
}

/// Saves the drafts of a message.
///
/// # Errors
/// The directory or the file cannot be written.
pub fn save(key: &str, drafts: &[Draft]) -> std::io::Result<PathBuf> {
    let dir = dir().ok_or_else(|| std::io::Error::other("no data directory (set XDG_DATA_HOME or HOME)"))?;
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{key}.json"));
    let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
    let bytes = serde_json::to_vec_pretty(&File {
        drafts: drafts.to_vec(),
    })
    .map_err(std::io::Error::other)?;
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(path)
}

/// The saved drafts of a message, if any.
pub fn load(key: &str) -> Option<Vec<Draft>> {
    let path = dir()?.join(format!("{key}.json"));
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice::<File>(&bytes).ok().map(|f| f.drafts)
}
