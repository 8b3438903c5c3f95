//! `file_storage` extension: a directory where components keep what must survive a restart —
//! today the persistent sending queues (`sending_queue.storage: file_storage/name`). It owns the
//! directory and the naming: each component gets its own subdirectory, named from its kind and
//! id with every character other than letters, digits, `-` and `_` replaced by `_`
//! (`exporter otlp/backend` → `exporter_otlp_backend`), as the Collector's extension names its
//! files.

use crate::component_id::ComponentId;
use crate::config::values::duration;
use crate::exporters::queue::disk::{DiskOptions, FsyncPolicy};
use serde::Deserialize;
use serde::de::{self, Deserializer};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Config of one `file_storage` extension, in the Collector's keys.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileStorageConfig {
    /// The directory; it must exist unless `create_directory: true`.
    #[serde(default = "default_directory")]
    pub directory: PathBuf,
    /// How long to wait for another process's lock on a component's files.
    #[serde(default = "default_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
    /// When writes are synced to the device: `interval` (default), `always`, `never`; the
    /// Collector's `true` / `false` mean `always` / `never`.
    #[serde(default, deserialize_with = "fsync")]
    pub fsync: FsyncPolicy,
    /// Create `directory` (mode 0750) when it is missing.
    #[serde(default)]
    pub create_directory: bool,
}

impl Default for FileStorageConfig {
    fn default() -> Self {
        FileStorageConfig {
            directory: default_directory(),
            timeout: default_timeout(),
            fsync: FsyncPolicy::default(),
            create_directory: false,
        }
    }
}

fn default_directory() -> PathBuf {
    PathBuf::from("/var/lib/ciotel/file_storage")
}

fn default_timeout() -> Duration {
    Duration::from_secs(1)
}

fn fsync<'de, D: Deserializer<'de>>(d: D) -> Result<FsyncPolicy, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Flag(bool),
        Word(String),
    }
    match Text::deserialize(d)? {
        Text::Flag(true) => Ok(FsyncPolicy::Always),
        Text::Flag(false) => Ok(FsyncPolicy::Never),
        Text::Word(w) => match w.as_str() {
            "always" => Ok(FsyncPolicy::Always),
            "interval" => Ok(FsyncPolicy::Interval),
            "never" => Ok(FsyncPolicy::Never),
            other => Err(de::Error::custom(format!(
                "fsync `{other}` is not one of always, interval, never (or true, false)"
            ))),
        },
    }
}

/// The subdirectory of component `id` of `kind` (`exporter`, `receiver` …) in `directory`.
pub fn component_dir(directory: &Path, kind: &str, id: &ComponentId) -> PathBuf {
    let raw = match id.name() {
        Some(name) => format!("{kind}_{}_{name}", id.kind()),
        None => format!("{kind}_{}", id.kind()),
    };
    directory.join(sanitize(&raw))
}

/// `name` with every character other than ASCII letters, digits, `-` and `_` replaced by `_`.
pub fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl FileStorageConfig {
    /// Where and how exporter `id` keeps its sending queue; makes sure the directory is there.
    pub fn queue_options(&self, exporter: &ComponentId) -> Result<DiskOptions, String> {
        self.ensure_directory()?;
        Ok(DiskOptions {
            fsync: self.fsync,
            lock_timeout: self.timeout,
            ..DiskOptions::new(component_dir(&self.directory, "exporter", exporter))
        })
    }

    fn ensure_directory(&self) -> Result<(), String> {
        if self.directory.is_dir() {
            return Ok(());
        }
        if !self.create_directory {
            return Err(format!(
                "file_storage directory {} does not exist (create it, or set create_directory: true)",
                self.directory.display()
            ));
        }
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o750);
        builder.create(&self.directory).map_err(|e| {
            format!(
                "cannot create file_storage directory {}: {e}",
                self.directory.display()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<FileStorageConfig, String> {
        yaml_serde::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_the_collectors_keys() {
        let c =
            parse("directory: /tmp/q\ntimeout: 2s\nfsync: true\ncreate_directory: true\n").unwrap();
        assert_eq!(c.directory, PathBuf::from("/tmp/q"));
        assert_eq!(c.timeout, Duration::from_secs(2));
        assert_eq!(c.fsync, FsyncPolicy::Always);
        assert_eq!(parse("fsync: false").unwrap().fsync, FsyncPolicy::Never);
        assert_eq!(parse("fsync: always").unwrap().fsync, FsyncPolicy::Always);
        assert_eq!(parse("{}").unwrap(), FileStorageConfig::default());
        assert_eq!(FileStorageConfig::default().fsync, FsyncPolicy::Interval);
        assert!(
            parse("fsync: sometimes")
                .unwrap_err()
                .contains("always, interval, never")
        );
        assert!(
            parse("compaction: {}")
                .unwrap_err()
                .contains("unknown field")
        );
    }

    #[test]
    fn names_each_component_its_own_directory() {
        let id = ComponentId::parse("otlp/tempo.eu").unwrap();
        assert_eq!(
            component_dir(Path::new("/q"), "exporter", &id),
            PathBuf::from("/q/exporter_otlp_tempo_eu")
        );
        let plain = ComponentId::parse("otlphttp").unwrap();
        assert!(component_dir(Path::new("/q"), "exporter", &plain).ends_with("exporter_otlphttp"));
    }

    #[test]
    fn a_missing_directory_is_an_error_unless_created() {
        let base = std::env::temp_dir().join(format!("ciotel-fs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let mut c = FileStorageConfig {
            directory: base.join("deep"),
            ..Default::default()
        };
        let id = ComponentId::parse("otlp").unwrap();
        assert!(
            c.queue_options(&id)
                .unwrap_err()
                .contains("create_directory")
        );
        c.create_directory = true;
        let options = c.queue_options(&id).unwrap();
        assert!(base.join("deep").is_dir());
        assert!(options.directory.ends_with("deep/exporter_otlp"));
        let _ = std::fs::remove_dir_all(&base);
    }
}
