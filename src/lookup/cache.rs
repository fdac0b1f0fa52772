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
            use std::os::unix::fs::DirBuilderExt;
            let _ = std::fs::DirBuilder::new().recursive(true).mode(0o700).create(d);
        }
        Cache {
            dir,
            offline,
            flights: Mutex::new(HashMap::new()),
        }
    }

    /// The default directory, `$XDG_CACHE_HOME/relaytrace`.
    pub fn default_dir() -> Option<PathBuf> {
        dirs::cache_dir().map(|d| d.join("relaytrace"))
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
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)
                .and_then(|mut f| f.write_all(&bytes))
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

    #[test]
    fn long_keys_get_distinct_names() {
        let a = file_name(&"a".repeat(300));
        let b = file_name(&format!("{}b", "a".repeat(299)));
        assert_ne!(a, b);
        assert!(a.len() < 200);
        assert_eq!(file_name("whois|x y"), "whois%7cx%20y.json");
    }
}
