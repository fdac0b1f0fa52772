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

/// Opens `path` for appending, made 0600 in a 0700 folder if new: what relaytrace
/// keeps names the messages and hosts the user investigated, theirs alone.
///
/// # Errors
/// The folder or the file cannot be made or opened.
pub fn open_private_append(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

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
