//! `file` exporter: one OTLP/JSON export request per line, as the Collector's file exporter
//! writes it (`{"resourceSpans":[…]}`), each line flushed at once so another process can read
//! the file while the daemon runs; optional rotation by size.

use super::file_output::{Output, Rotation};
use super::request::json_body;
use super::{BuildError, settings};
use ciotel_core::Batch;
use ciotel_core::config::ComponentInfo;
use ciotel_core::config::checked::{checked_map, checked_str};
use ciotel_core::exporters::queue::QueueConfig;
use ciotel_core::exporters::retry::RetryConfig;
use ciotel_core::exporters::{BoxFuture, ExportError, Exporter};
use serde::{Deserialize, Deserializer};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Config of the `file` exporter, with the Collector's keys.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileExporterConfig {
    /// The file to write; missing parent directories are created.
    #[serde(deserialize_with = "path")]
    pub path: PathBuf,
    /// Keep what the file already holds at start-up. Default **true**, unlike the Collector
    /// (which truncates unless `append: true`): a restart should not erase exported data.
    #[serde(default = "yes")]
    pub append: bool,
    /// Line format; only `json` (OTLP/JSON) is supported.
    #[serde(default)]
    pub format: FileFormat,
    /// Rotation by size; absent means the file grows without bound.
    #[serde(default, deserialize_with = "rotation")]
    pub rotation: Option<RotationConfig>,
    /// Retries with backoff after a failed write (e.g. a full disk).
    #[serde(default, deserialize_with = "settings::retry")]
    pub retry_on_failure: RetryConfig,
    /// The bounded queue in front of the exporter.
    #[serde(default, deserialize_with = "settings::queue")]
    pub sending_queue: QueueConfig,
}

fn yes() -> bool {
    true
}

impl Default for FileExporterConfig {
    /// Defaults of every key; `path` is empty and must be set before building.
    fn default() -> Self {
        FileExporterConfig {
            path: PathBuf::new(),
            append: true,
            format: FileFormat::default(),
            rotation: None,
            retry_on_failure: RetryConfig::default(),
            sending_queue: QueueConfig::default(),
        }
    }
}

/// The file exporter writes every signal.
impl ComponentInfo for FileExporterConfig {}

/// `format:` of the lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    /// One OTLP/JSON export request per line.
    #[default]
    Json,
}

/// `rotation:` with the Collector's keys and defaults (it uses lumberjack's).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationConfig {
    /// Rotate before the file would grow past this many MiB (default 100).
    #[serde(default = "max_megabytes")]
    pub max_megabytes: u64,
    /// Rotated files kept as `<path>.1` (newest) … `<path>.<n>`; 0 keeps all (default 100).
    #[serde(default = "max_backups")]
    pub max_backups: usize,
}

fn max_megabytes() -> u64 {
    100
}

fn max_backups() -> usize {
    100
}

impl Default for RotationConfig {
    fn default() -> Self {
        RotationConfig {
            max_megabytes: max_megabytes(),
            max_backups: max_backups(),
        }
    }
}

impl RotationConfig {
    /// Checks the size limit.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_megabytes == 0 {
            return Err("rotation.max_megabytes must be at least 1".into());
        }
        Ok(())
    }
}

fn path<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
    checked_str(d, "a file path", |text| {
        if text.trim().is_empty() {
            return Err("path must not be empty".into());
        }
        Ok(PathBuf::from(text))
    })
}

fn rotation<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RotationConfig>, D::Error> {
    checked_map(d, RotationConfig::validate).map(Some)
}

/// The `file` exporter. Writes run on tokio's blocking pool, one line at a time under a mutex,
/// so lines never interleave and the async workers never wait on the disk.
pub struct FileExporter {
    path: PathBuf,
    output: Arc<Mutex<Output>>,
}

impl FileExporter {
    /// Opens (and creates) the file now, so a bad path stops start-up with its name.
    pub fn new(id: &str, config: &FileExporterConfig) -> Result<Self, BuildError> {
        if config.path.as_os_str().is_empty() {
            return Err(BuildError::Missing {
                id: id.to_string(),
                key: "path",
            });
        }
        let rotation = config.rotation.as_ref().map(|r| Rotation {
            max_bytes: r.max_megabytes.saturating_mul(1024 * 1024),
            max_backups: r.max_backups,
        });
        let output = Output::open(&config.path, config.append, rotation).map_err(|source| {
            BuildError::OpenFile {
                id: id.to_string(),
                path: config.path.clone(),
                source,
            }
        })?;
        Ok(FileExporter {
            path: config.path.clone(),
            output: Arc::new(Mutex::new(output)),
        })
    }

    /// Runs `work` on the output file off the async workers.
    async fn with_output<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Output) -> std::io::Result<T> + Send + 'static,
    ) -> Result<T, String> {
        let output = self.output.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut output = output.lock().unwrap_or_else(|p| p.into_inner());
            work(&mut output)
        })
        .await;
        match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl Exporter for FileExporter {
    fn export<'a>(&'a self, batch: &'a Batch) -> BoxFuture<'a, Result<(), ExportError>> {
        Box::pin(async move {
            if batch.resource_count() == 0 {
                return Ok(());
            }
            let mut line = json_body(batch);
            line.push(b'\n');
            self.with_output(move |output| output.write_line(&line))
                .await
                .map_err(|e| {
                    ExportError::Retryable(format!(
                        "cannot write to `{}`: {e}",
                        self.path.display()
                    ))
                })
        })
    }

    fn shutdown(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if let Err(e) = self.with_output(Output::sync).await {
                tracing::error!(path = %self.path.display(), "cannot sync the output file: {e}");
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::file_output::backup;
    use crate::exporters::file_output::tests::TempDir;
    use crate::exporters::request::tests::{logs, metrics, traces};
    use crate::json;
    use std::collections::BTreeMap;

    fn config(path: PathBuf) -> FileExporterConfig {
        FileExporterConfig {
            path,
            ..Default::default()
        }
    }

    fn lines(path: &std::path::Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[tokio::test]
    async fn writes_one_otlp_json_request_per_line() {
        let dir = TempDir::new("file-exporter");
        let path = dir.0.join("data/traces.jsonl");
        let exporter = FileExporter::new("file", &config(path.clone())).unwrap();
        for batch in [traces(2), metrics(3), logs(1)] {
            exporter.export(&batch).await.unwrap();
        }
        exporter.export(&Batch::Traces(vec![])).await.unwrap();
        // Read while the exporter is still open: every line is already flushed.
        let lines = lines(&path);
        assert_eq!(lines.len(), 3);
        assert!(
            lines[0].starts_with(
                r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name""#
            ),
            "{}",
            lines[0]
        );
        assert!(
            lines[0].contains(r#""traceId":"07070707070707070707070707070707""#),
            "{}",
            lines[0]
        );
        assert_eq!(
            Batch::Traces(
                json::decode_traces(lines[0].as_bytes())
                    .unwrap()
                    .resource_spans
            ),
            traces(2)
        );
        assert!(lines[1].starts_with(r#"{"resourceMetrics":["#));
        assert_eq!(
            Batch::Metrics(
                json::decode_metrics(lines[1].as_bytes())
                    .unwrap()
                    .resource_metrics
            ),
            metrics(3)
        );
        assert!(lines[2].starts_with(r#"{"resourceLogs":["#));
        assert_eq!(
            Batch::Logs(
                json::decode_logs(lines[2].as_bytes())
                    .unwrap()
                    .resource_logs
            ),
            logs(1)
        );
        exporter.shutdown().await;
    }

    #[tokio::test]
    async fn appends_across_restarts_unless_told_otherwise() {
        let dir = TempDir::new("file-append");
        let path = dir.0.join("out.jsonl");
        FileExporter::new("file", &config(path.clone()))
            .unwrap()
            .export(&traces(1))
            .await
            .unwrap();
        FileExporter::new("file", &config(path.clone()))
            .unwrap()
            .export(&traces(1))
            .await
            .unwrap();
        assert_eq!(lines(&path).len(), 2);
        let truncate = FileExporterConfig {
            append: false,
            ..config(path.clone())
        };
        FileExporter::new("file", &truncate)
            .unwrap()
            .export(&traces(1))
            .await
            .unwrap();
        assert_eq!(lines(&path).len(), 1);
    }

    #[tokio::test]
    async fn rotates_by_size() {
        let dir = TempDir::new("file-rotate");
        let path = dir.0.join("out.jsonl");
        let rotating = FileExporterConfig {
            rotation: Some(RotationConfig {
                max_megabytes: 1,
                max_backups: 2,
            }),
            ..config(path.clone())
        };
        let exporter = FileExporter::new("file", &rotating).unwrap();
        let Batch::Traces(mut groups) = traces(1) else {
            unreachable!()
        };
        for i in 0..8 {
            // ~300 KiB per line: three lines fit in 1 MiB, the fourth rotates.
            groups[0].scope_spans[0].spans[0].name = format!("{i}{}", "x".repeat(300 * 1024));
            exporter
                .export(&Batch::Traces(groups.clone()))
                .await
                .unwrap();
        }
        exporter.shutdown().await;
        let first_char = |p: &std::path::Path| -> Vec<char> {
            lines(p)
                .iter()
                .map(|l| {
                    let batch = json::decode_traces(l.as_bytes()).unwrap();
                    batch.resource_spans[0].scope_spans[0].spans[0]
                        .name
                        .chars()
                        .next()
                        .unwrap()
                })
                .collect()
        };
        assert_eq!(first_char(&path), ['6', '7']);
        assert_eq!(first_char(&backup(&path, 1)), ['3', '4', '5']);
        assert_eq!(first_char(&backup(&path, 2)), ['0', '1', '2']);
        for p in [path.clone(), backup(&path, 1), backup(&path, 2)] {
            assert!(std::fs::metadata(&p).unwrap().len() <= 1024 * 1024);
        }
        assert!(!backup(&path, 3).exists());
    }

    #[test]
    fn building_fails_with_the_path_when_it_cannot_be_opened() {
        let dir = TempDir::new("file-bad");
        let blocker = dir.0.join("not-a-dir");
        std::fs::write(&blocker, "").unwrap();
        let e = FileExporter::new("file/x", &config(blocker.join("out.jsonl")))
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("exporter file/x: cannot open `") && e.contains("not-a-dir"),
            "{e}"
        );
        let e = FileExporter::new("file", &FileExporterConfig::default())
            .err()
            .unwrap()
            .to_string();
        assert_eq!(e, "exporter file: `path` must be set");
    }

    /// Parses `yaml` nested under `file:` as in a config file (its first line is line 2).
    fn parse(yaml: &str) -> Result<FileExporterConfig, String> {
        let nested = format!(
            "file:\n{}",
            yaml.lines().map(|l| format!("  {l}\n")).collect::<String>()
        );
        let mut map: BTreeMap<String, FileExporterConfig> =
            yaml_serde::from_str(&nested).map_err(|e| e.to_string())?;
        map.remove("file").ok_or_else(|| "no file".to_string())
    }

    #[test]
    fn config_has_the_collectors_keys() {
        let config = parse("path: ./ciotel-data/traces.jsonl").unwrap();
        assert_eq!(
            config,
            FileExporterConfig {
                path: "./ciotel-data/traces.jsonl".into(),
                ..Default::default()
            }
        );
        assert!(config.append);
        assert_eq!(
            parse("path: a\nrotation:\n").unwrap().rotation,
            Some(RotationConfig::default())
        );
        let config = parse("path: a\nformat: json\nappend: false\nrotation:\n  max_megabytes: 5\n  max_backups: 3\n").unwrap();
        assert_eq!(
            config.rotation,
            Some(RotationConfig {
                max_megabytes: 5,
                max_backups: 3
            })
        );
        assert!(!config.append);
    }

    #[test]
    fn config_errors_name_the_key_and_line() {
        let cases = [
            ("format: json\n", "missing field `path`", 2),
            ("path: \"\"\n", "file.path: path must not be empty", 2),
            (
                "path: a\nformat: proto\n",
                "unknown variant `proto`, expected `json`",
                3,
            ),
            (
                "path: a\nrotation:\n  max_megabytes: 0\n",
                "rotation.max_megabytes must be at least 1",
                4,
            ),
            (
                "path: a\nrotation:\n  max_days: 3\n",
                "unknown field `max_days`",
                4,
            ),
            (
                "path: a\nflush_interval: 1s\n",
                "unknown field `flush_interval`",
                3,
            ),
        ];
        for (yaml, message, line) in cases {
            let e = parse(yaml).unwrap_err();
            assert!(e.contains(message), "{yaml:?}: {e}");
            assert!(e.contains(&format!("line {line}")), "{yaml:?}: {e}");
        }
    }
}
