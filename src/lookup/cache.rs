//! The answer cache: on disk (XDG cache dir) with each answer's TTL, and in memory,
//! where concurrent identical requests share one flight.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use super::answer::{Answer, Status};

#[derive(Serialize, Deserialize)]
struct Entry {
    key: String,
    expires: u64,
    answer: Answer,
}

/// The cache. `offline` answers from it only; a request with `refresh` asks again
/// and overwrites.
pub struct Cache {
    dir: Option<PathBuf>,
    offline: bool,
    flights: Mutex<HashMap<String, Arc<OnceCell<Answer>>>>,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A file name for a key: safe characters kept, the rest escaped, long keys cut and
/// told apart by a checksum.
fn file_name(key: &str) -> String {
    let mut s = String::with_capacity(key.len() + 8);
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' {
            s.push(b as char);
        } else {
            let _ = write!(s, "%{b:02x}");
        }
    }
    if s.len() > 180 {
        // FNV-1a: stable across runs and versions, unlike the std hasher.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        s.truncate(160);
        let _ = write!(s, "~{h:016x}");
    }
    s.push_str(".json");
    s
}

impl Cache {
    /// A cache in `dir` (none: memory only).
    /// Answers come from the cache only.
    pub fn offline(&self) -> bool {
        self.offline
    }

    pub fn new(dir: Option<PathBuf>, offline: bool) -> Cache {
        if let Some(d) = &dir {
            // The answers name the hosts the user investigated: theirs alone.
            let _ = crate::config::paths::private_dir(d);
        }
        Cache {
            dir,
            offline,
            flights: Mutex::new(HashMap::new()),
        }
    }

    /// The default directory, `$XDG_CACHE_HOME/relaytrace`.
    pub fn default_dir() -> Option<PathBuf> {
        crate::config::paths::dir(crate::config::paths::Kind::Cache)
    }

    fn read(&self, key: &str) -> Option<Answer> {
        let path = self.dir.as_ref()?.join(file_name(key));
        let bytes = std::fs::read(path).ok()?;
        let e: Entry = serde_json::from_slice(&bytes).ok()?;
        (e.key == key && (e.expires > now() || self.offline)).then_some(e.answer)
    }

    fn write(&self, key: &str, a: &Answer) {
        let Some(dir) = &self.dir else { return };
        if !a.status.cacheable() || a.ttl_s == 0 {
            return;
        }
        let entry = Entry {
            key: key.to_string(),
            expires: now() + a.ttl_s,
            answer: a.clone(),
        };
        let Ok(bytes) = serde_json::to_vec(&entry) else {
            return;
        };
        let path = dir.join(file_name(key));
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let written = {
            use std::io::Write as _;
            crate::config::paths::create_private(&tmp).and_then(|mut f| f.write_all(&bytes))
        };
        if written.is_err() || std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// Stores an answer on disk outside any flight (notes such as rate-limit penalties).
    pub fn put(&self, key: &str, a: &Answer) {
        self.write(key, a);
    }

    /// How long the stored entry for `key` stays valid, if there is one.
    pub fn remaining(&self, key: &str) -> Option<std::time::Duration> {
        let path = self.dir.as_ref()?.join(file_name(key));
        let e: Entry = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
        (e.key == key && e.expires > now()).then(|| std::time::Duration::from_secs(e.expires - now()))
    }

    /// The answer for `key`: from memory, from disk, or by `ask` (once, however many
    /// ask at the same time). Offline, a miss is an error answer built on `template`.
    /// With `refresh`, `ask` is asked (unless offline) and its answer replaces the
    /// one held, for later requests too.
    pub async fn get_or_ask<F>(&self, key: &str, template: Answer, ask: F, refresh: bool) -> Answer
    where
        F: Future<Output = Answer>,
    {
        if refresh && !self.offline {
            let a = ask.await;
            self.write(key, &a);
            let mut map = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            if a.status.cacheable() {
                map.insert(key.to_string(), Arc::new(OnceCell::new_with(Some(a.clone()))));
            } else {
                map.remove(key);
            }
            return a;
        }
        let cell = {
            let mut map = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            map.entry(key.to_string()).or_default().clone()
        };
        let answer = cell
            .get_or_init(|| async {
                if let Some(mut a) = self.read(key) {
                    a.cached = true;
                    a.elapsed_ms = 0;
                    return a;
                }
                if self.offline {
                    return template.failed(Status::Error, "offline, and not in the cache");
                }
                let a = ask.await;
                self.write(key, &a);
                a
            })
            .await
            .clone();
        if !answer.status.cacheable() {
            // A failure is shared by those who asked with it, not kept for later.
            let mut map = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            if map.get(key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
                map.remove(key);
            }
        }
        answer
    }
}

/// How much the disk cache may hold (`[network] cache_max_age_days`, `cache_max_mb`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Entries written longer ago are removed (`None`: kept however old).
    pub max_age: Option<std::time::Duration>,
    /// Past this many bytes the oldest entries are removed (`None`: no limit).
    pub max_bytes: Option<u64>,
}

impl Limits {
    pub fn of(net: &crate::config::Network) -> Limits {
        Limits {
            max_age: (net.cache_max_age_days > 0)
                .then(|| std::time::Duration::from_secs(u64::from(net.cache_max_age_days) * 86_400)),
            max_bytes: (net.cache_max_mb > 0).then(|| net.cache_max_mb.saturating_mul(1 << 20)),
        }
    }
}

/// What a pruning did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub removed: usize,
    pub kept: usize,
    pub kept_bytes: u64,
}

/// The file that records when the cache was last pruned.
const PRUNED_STAMP: &str = ".pruned";

/// Prunes the cache in `dir` if it was not pruned in the last day (a stamp file
/// records when): cheap enough to call at every start.
pub fn prune_daily(dir: &std::path::Path, limits: Limits) -> Option<Pruned> {
    let stamp = dir.join(PRUNED_STAMP);
    let fresh = std::fs::metadata(&stamp)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age < std::time::Duration::from_secs(86_400));
    if fresh {
        return None;
    }
    let pruned = prune(dir, limits, SystemTime::now());
    let _ = std::fs::write(&stamp, b"");
    Some(pruned)
}

/// Removes the entries of the cache in `dir` written before `now - max_age`, then
/// the oldest until the rest fit in `max_bytes`; leftovers of interrupted writes
/// older than an hour go too. Only the cache's own files (`*.json`, `*.tmp<pid>`)
/// are touched.
pub fn prune(dir: &std::path::Path, limits: Limits, now: SystemTime) -> Pruned {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Pruned::default();
    };
    let age = |t: SystemTime| now.duration_since(t).unwrap_or_default();
    let mut entries: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
    let mut removed = 0;
    for e in read.flatten() {
        let path = e.path();
        let Ok(meta) = e.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let modified = meta.modified().unwrap_or(now);
        let name = e.file_name();
        let name = name.to_string_lossy();
        let leftover = path
            .extension()
            .is_some_and(|x| x.to_string_lossy().starts_with("tmp"));
        if leftover {
            if age(modified) > std::time::Duration::from_secs(3600) && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
            continue;
        }
        if !name.ends_with(".json") {
            continue;
        }
        if limits.max_age.is_some_and(|max| age(modified) > max) {
            if std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
            continue;
        }
        entries.push((modified, meta.len(), path));
    }
    let mut total: u64 = entries.iter().map(|e| e.1).sum();
    if let Some(max) = limits.max_bytes {
        entries.sort_by_key(|e| e.0);
        let mut keep_from = 0;
        for (i, (_, len, path)) in entries.iter().enumerate() {
            if total <= max {
                break;
            }
            if std::fs::remove_file(path).is_ok() {
                removed += 1;
                total -= len;
            }
            keep_from = i + 1;
        }
        entries.drain(..keep_from);
    }
    Pruned {
        removed,
        kept: entries.len(),
        kept_bytes: total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn ok(text: &str) -> Answer {
        let mut a = Answer::new("dns", "s", "q");
        a.status = Status::Ok;
        a.text = text.into();
        a.ttl_s = 60;
        a
    }

    #[tokio::test]
    async fn merges_concurrent_requests_and_reuses_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let asked = AtomicUsize::new(0);
        let cache = Cache::new(Some(dir.path().to_path_buf()), false);
        let ask = || async {
            asked.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            ok("x")
        };
        let (a, b) = tokio::join!(
            cache.get_or_ask("k", Answer::new("dns", "s", "q"), ask(), false),
            cache.get_or_ask("k", Answer::new("dns", "s", "q"), ask(), false)
        );
        assert_eq!((a.text.as_str(), b.text.as_str()), ("x", "x"));
        assert_eq!(asked.load(Ordering::SeqCst), 1);

        let again = Cache::new(Some(dir.path().to_path_buf()), true);
        let c = again
            .get_or_ask("k", Answer::new("dns", "s", "q"), ask(), false)
            .await;
        assert!(c.cached);
        assert_eq!(asked.load(Ordering::SeqCst), 1);
        let miss = again
            .get_or_ask("other", Answer::new("dns", "s", "q"), ask(), false)
            .await;
        assert_eq!(miss.status, Status::Error);
    }

    #[tokio::test]
    async fn failures_are_not_kept() {
        let cache = Cache::new(None, false);
        let fail = || async { Answer::new("dns", "s", "q").failed(Status::Timeout, "slow") };
        assert_eq!(
            cache
                .get_or_ask("k", Answer::new("dns", "s", "q"), fail(), false)
                .await
                .status,
            Status::Timeout
        );
        assert_eq!(
            cache
                .get_or_ask("k", Answer::new("dns", "s", "q"), async { ok("y") }, false)
                .await
                .text,
            "y"
        );
    }

    /// A refresh asks again even with the answer in memory and on disk, and what
    /// it gets is what later plain requests see.
    #[tokio::test]
    async fn a_refresh_asks_again_and_its_answer_stays() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(Some(dir.path().to_path_buf()), false);
        let t = || Answer::new("dns", "s", "q");
        assert_eq!(
            cache.get_or_ask("k", t(), async { ok("old") }, false).await.text,
            "old"
        );
        assert_eq!(
            cache.get_or_ask("k", t(), async { ok("new") }, false).await.text,
            "old"
        );
        assert_eq!(
            cache.get_or_ask("k", t(), async { ok("new") }, true).await.text,
            "new"
        );
        assert_eq!(
            cache
                .get_or_ask("k", t(), async { ok("newer") }, false)
                .await
                .text,
            "new"
        );
        // A second refresh asks again too (nothing kept from the first).
        assert_eq!(
            cache
                .get_or_ask("k", t(), async { ok("newest") }, true)
                .await
                .text,
            "newest"
        );
        // And the disk has it for the next run.
        let next = Cache::new(Some(dir.path().to_path_buf()), true);
        assert_eq!(
            next.get_or_ask("k", t(), async { ok("x") }, false).await.text,
            "newest"
        );
    }

    #[tokio::test]
    async fn the_cache_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let top = tempfile::tempdir().unwrap();
        let dir = top.path().join("relaytrace");
        let cache = Cache::new(Some(dir.clone()), false);
        cache
            .get_or_ask("k", Answer::new("dns", "s", "q"), async { ok("x") }, false)
            .await;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        assert_eq!(mode(&file), 0o600);
    }

    /// A cache file of `len` bytes written `days` ago.
    fn aged(dir: &std::path::Path, name: &str, len: usize, days: u64) {
        let path = dir.join(name);
        std::fs::write(&path, vec![b'x'; len]).unwrap();
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(SystemTime::now() - std::time::Duration::from_secs(days * 86_400 + 60))
            .unwrap();
    }

    #[test]
    fn pruning_removes_the_old_then_the_oldest_past_the_size() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        aged(d, "a.json", 1000, 40); // past the age
        aged(d, "b.json", 1000, 20); // oldest of the rest: goes for the size
        aged(d, "c.json", 1000, 10);
        aged(d, "d.json", 1000, 1);
        aged(d, "e.json.tmp123", 10, 1); // an interrupted write
        aged(d, "notes.txt", 10, 400); // not the cache's
        let limits = Limits {
            max_age: Some(std::time::Duration::from_secs(30 * 86_400)),
            max_bytes: Some(2500),
        };
        let p = prune(d, limits, SystemTime::now());
        assert_eq!(
            p,
            Pruned {
                removed: 3,
                kept: 2,
                kept_bytes: 2000
            }
        );
        let mut left: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["c.json", "d.json", "notes.txt"]);
        // No limits: nothing goes.
        let none = Limits {
            max_age: None,
            max_bytes: None,
        };
        assert_eq!(prune(d, none, SystemTime::now()).removed, 0);
    }

    #[test]
    fn pruning_runs_once_a_day_and_the_limits_come_from_the_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        aged(d, "old.json", 10, 90);
        let net = crate::config::Network::default();
        let limits = Limits::of(&net);
        assert_eq!(limits.max_bytes, Some(64 << 20));
        assert_eq!(prune_daily(d, limits).map(|p| p.removed), Some(1));
        aged(d, "old2.json", 10, 90);
        assert_eq!(prune_daily(d, limits), None, "pruned today already");
        assert!(d.join("old2.json").exists());
        let off = crate::config::Network {
            cache_max_age_days: 0,
            cache_max_mb: 0,
            ..net
        };
        assert!(Limits::of(&off).max_age.is_none() && Limits::of(&off).max_bytes.is_none());
    }

    #[test]
    fn long_keys_get_distinct_names() {
        let a = file_name(&"a".repeat(300));
        let b = file_name(&format!("{}b", "a".repeat(299)));
        assert_ne!(a, b);
        assert!(a.len() < 200);
        assert_eq!(file_name("whois|x y"), "whois%7cx%20y.json");
    }
}
