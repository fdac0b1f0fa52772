//! Where relaytrace keeps its files: the XDG base directories, on Linux and on macOS
//! alike (a terminal tool's users look in `~/.config`, not in `~/Library`).
//!
//! | kind   | variable           | without it           | holds                              |
//! |--------|--------------------|----------------------|------------------------------------|
//! | config | `$XDG_CONFIG_HOME` | `~/.config`          | `config.toml`                      |
//! | cache  | `$XDG_CACHE_HOME`  | `~/.cache`           | the answer cache                   |
//! | data   | `$XDG_DATA_HOME`   | `~/.local/share`     | the sent log, drafts, bounces      |
//! | state  | `$XDG_STATE_HOME`  | `~/.local/state`     | the TUI's log, the relay tests     |
//!
//! each followed by `relaytrace/`. A variable counts only when it holds an absolute
//! path (the XDG rule). On macOS, where earlier versions used
//! `~/Library/Application Support` (config, data, state) and `~/Library/Caches`,
//! a folder already there is still used while the XDG one does not exist: the sent
//! log and drafts written then are not lost.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// A kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Config,
    Cache,
    Data,
    State,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Config, Kind::Cache, Kind::Data, Kind::State];

    /// The environment variable of the kind.
    pub fn variable(self) -> &'static str {
        match self {
            Kind::Config => "XDG_CONFIG_HOME",
            Kind::Cache => "XDG_CACHE_HOME",
            Kind::Data => "XDG_DATA_HOME",
            Kind::State => "XDG_STATE_HOME",
        }
    }

    /// The folder under the home directory without the variable.
    pub fn fallback(self) -> &'static str {
        match self {
            Kind::Config => ".config",
            Kind::Cache => ".cache",
            Kind::Data => ".local/share",
            Kind::State => ".local/state",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Config => "config",
            Kind::Cache => "cache",
            Kind::Data => "data",
            Kind::State => "state",
        }
    }

    /// Where earlier macOS builds kept it (the `dirs` crate's Apple folders).
    fn legacy_macos(self) -> &'static str {
        match self {
            Kind::Cache => "Library/Caches",
            Kind::Config | Kind::Data | Kind::State => "Library/Application Support",
        }
    }
}

/// The platform rules differ in one point: the macOS legacy folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Linux,
    MacOs,
}

impl Platform {
    /// The platform this was built for (other Unix systems follow the Linux rule).
    pub fn current() -> Platform {
        if cfg!(target_os = "macos") {
            Platform::MacOs
        } else {
            Platform::Linux
        }
    }
}

/// What the rule reads of the machine: kept apart so that each platform's rule is
/// tested on any machine.
pub struct Env<'a> {
    pub platform: Platform,
    pub var: &'a dyn Fn(&str) -> Option<OsString>,
    pub home: Option<PathBuf>,
    pub exists: &'a dyn Fn(&Path) -> bool,
}

/// relaytrace's folder of `kind` under the rule of `env`.
pub fn resolve(kind: Kind, env: &Env) -> Option<PathBuf> {
    let base = (env.var)(kind.variable())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| env.home.as_ref().map(|h| h.join(kind.fallback())))?;
    let dir = base.join("relaytrace");
    if env.platform == Platform::MacOs
        && !(env.exists)(&dir)
        && let Some(home) = &env.home
    {
        let legacy = home.join(kind.legacy_macos()).join("relaytrace");
        if (env.exists)(&legacy) {
            return Some(legacy);
        }
    }
    Some(dir)
}

/// relaytrace's folder of `kind` on this machine.
pub fn dir(kind: Kind) -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let exists = |p: &Path| p.exists();
    resolve(
        kind,
        &Env {
            platform: Platform::current(),
            var: &var,
            home: dirs::home_dir(),
            exists: &exists,
        },
    )
}

/// Makes relaytrace's folder `dir` (0700) or, made by an older version with a
/// looser mode (0755), tightens it: what relaytrace keeps names the messages and
/// hosts the user investigated, theirs alone. A symbolic link there is refused.
///
/// # Errors
/// The folder cannot be made, is a link, or its mode cannot be set.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let meta = std::fs::symlink_metadata(dir)?;
    if meta.file_type().is_symlink() {
        return Err(link_refused(dir));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Tightens what an older version made in relaytrace's data, state and cache
/// folders: each folder 0700 and each file directly in it 0600 (the sent log, the
/// bounced addresses, the log, the relay tests). Links are left alone (and are
/// refused when opened). Best effort: what cannot be changed stays as it is.
pub fn tighten_existing() {
    use std::os::unix::fs::PermissionsExt;
    for kind in [Kind::Data, Kind::State, Kind::Cache] {
        let Some(d) = dir(kind).filter(|d| d.is_dir()) else {
            continue;
        };
        if private_dir(&d).is_err() {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
                continue;
            };
            let loose = meta.permissions().mode() & 0o077 != 0;
            if meta.is_file() && loose {
                let _ = std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(0o600));
            } else if meta.is_dir() && loose {
                let _ = private_dir(&e.path());
            }
        }
    }
}

/// The error for a symbolic link where relaytrace keeps a file of its own.
fn link_refused(path: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        format!(
            "{} is a symbolic link: refused (relaytrace writes only files of its own there)",
            path.display()
        ),
    )
}

/// Opens `path`, never through a symbolic link (`O_NOFOLLOW`), in its private
/// folder, and tightens a file an older version left 0644 to 0600.
///
/// # Errors
/// The folder or the file cannot be made or opened, or the file is a link.
pub fn open_private(path: &Path, options: &mut std::fs::OpenOptions) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dir(dir)?;
    }
    let f = options
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                link_refused(path)
            } else {
                e
            }
        })?;
    if f.metadata()?.permissions().mode() & 0o077 != 0 {
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(f)
}

/// Opens `path` for appending, made 0600 in a 0700 folder (see [`open_private`]).
///
/// # Errors
/// The folder or the file cannot be made or opened, or the file is a link.
pub fn open_private_append(path: &Path) -> std::io::Result<std::fs::File> {
    open_private(path, std::fs::OpenOptions::new().create(true).append(true))
}

/// Creates a new private file for writing: a leftover of the same name (a crashed
/// write, or a link planted there) is removed first, never written through.
///
/// # Errors
/// The folder or the file cannot be made.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    open_private(path, std::fs::OpenOptions::new().write(true).create_new(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 21: files an older version made 0644 in a 0755 folder are tightened
    /// when opened; a symbolic link planted where a file of ours goes is refused,
    /// and what it points at is untouched.
    #[test]
    fn private_files_are_tightened_and_never_followed() {
        use std::io::Write as _;
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("relaytrace");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let old = dir.join("sent.jsonl");
        std::fs::write(&old, b"{}\n").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        open_private_append(&old).unwrap().write_all(b"{}\n").unwrap();
        assert_eq!((mode(&dir), mode(&old)), (0o700, 0o600));
        assert_eq!(std::fs::read(&old).unwrap(), b"{}\n{}\n");

        let target = t.path().join("elsewhere");
        std::fs::write(&target, b"theirs").unwrap();
        let link = dir.join("relaytrace.log");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = open_private_append(&link).unwrap_err();
        assert!(e.to_string().contains("is a symbolic link: refused"), "{e}");
        // A leftover temporary file that is a link is replaced, not written through.
        let tmp = dir.join("x.tmp");
        std::os::unix::fs::symlink(&target, &tmp).unwrap();
        create_private(&tmp).unwrap().write_all(b"ours").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"theirs");
        assert_eq!(std::fs::read(&tmp).unwrap(), b"ours");
        assert_eq!(mode(&tmp), 0o600);
    }

    fn env<'a>(
        platform: Platform,
        vars: &'a dyn Fn(&str) -> Option<OsString>,
        exists: &'a dyn Fn(&Path) -> bool,
    ) -> Env<'a> {
        Env {
            platform,
            var: vars,
            home: Some(PathBuf::from("/home/jane")),
            exists,
        }
    }

    #[test]
    fn without_variables_every_platform_uses_the_xdg_fallbacks() {
        let none = |_: &str| None;
        let nothing = |_: &Path| false;
        for platform in [Platform::Linux, Platform::MacOs] {
            let e = env(platform, &none, &nothing);
            let got: Vec<PathBuf> = Kind::ALL.iter().map(|k| resolve(*k, &e).unwrap()).collect();
            assert_eq!(
                got,
                [
                    "/home/jane/.config/relaytrace",
                    "/home/jane/.cache/relaytrace",
                    "/home/jane/.local/share/relaytrace",
                    "/home/jane/.local/state/relaytrace",
                ]
                .map(PathBuf::from),
                "{platform:?}"
            );
        }
    }

    #[test]
    fn an_absolute_variable_wins_and_a_relative_one_is_ignored() {
        let vars = |n: &str| match n {
            "XDG_CONFIG_HOME" => Some("/etc/jane".into()),
            "XDG_DATA_HOME" => Some("relative/data".into()),
            _ => None,
        };
        let nothing = |_: &Path| false;
        for platform in [Platform::Linux, Platform::MacOs] {
            let e = env(platform, &vars, &nothing);
            assert_eq!(
                resolve(Kind::Config, &e).unwrap(),
                Path::new("/etc/jane/relaytrace")
            );
            assert_eq!(
                resolve(Kind::Data, &e).unwrap(),
                Path::new("/home/jane/.local/share/relaytrace")
            );
        }
    }

    #[test]
    fn macos_keeps_using_a_legacy_folder_until_the_xdg_one_exists() {
        let none = |_: &str| None;
        let legacy = |p: &Path| p.starts_with("/home/jane/Library");
        let mac = env(Platform::MacOs, &none, &legacy);
        assert_eq!(
            resolve(Kind::Data, &mac).unwrap(),
            Path::new("/home/jane/Library/Application Support/relaytrace")
        );
        assert_eq!(
            resolve(Kind::Cache, &mac).unwrap(),
            Path::new("/home/jane/Library/Caches/relaytrace")
        );
        // Linux has no such folders to honour.
        let linux = env(Platform::Linux, &none, &legacy);
        assert_eq!(
            resolve(Kind::Data, &linux).unwrap(),
            Path::new("/home/jane/.local/share/relaytrace")
        );
        // Both there: the XDG one wins.
        let both = |_: &Path| true;
        let mac = env(Platform::MacOs, &none, &both);
        assert_eq!(
            resolve(Kind::Config, &mac).unwrap(),
            Path::new("/home/jane/.config/relaytrace")
        );
    }

    #[test]
    fn no_home_and_no_variable_is_no_folder() {
        let none = |_: &str| None;
        let nothing = |_: &Path| false;
        let e = Env {
            platform: Platform::Linux,
            var: &none,
            home: None,
            exists: &nothing,
        };
        assert_eq!(resolve(Kind::Config, &e), None);
    }
}
