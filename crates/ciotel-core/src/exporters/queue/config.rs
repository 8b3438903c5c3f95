//! `sending_queue:` keys, in the Collector's names where it has them, with their defaults and
//! checks.

use crate::component_id::ComponentId;
use crate::config::values::duration;
use serde::Deserialize;
use std::time::Duration;

/// Memory bound of an in-memory queue when `max_size_mib` is not set.
pub const DEFAULT_MEMORY_MIB: u64 = 256;
/// Disk bound of a persistent queue when `max_size_mib` is not set.
pub const DEFAULT_DISK_MIB: u64 = 1024;

/// Config of the sending queue, with the Collector's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// When false, nothing waits beyond the batches being sent right now.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Tasks sending in parallel.
    #[serde(default = "consumers")]
    pub num_consumers: usize,
    /// Batches the queue may hold (waiting, being sent, or waiting to be retried).
    #[serde(default = "size")]
    pub queue_size: usize,
    /// Bytes the queue may hold, in MiB, measured as the OTLP protobuf size of its batches
    /// (in memory) or the size of its files (on disk). Defaults: 256 in memory, 1024 on disk.
    #[serde(default)]
    pub max_size_mib: Option<u64>,
    /// A `file_storage` extension: the queue lives on disk and survives restarts and crashes.
    #[serde(default)]
    pub storage: Option<ComponentId>,
    /// Exporter-side batching: what is queued is gathered into larger requests when sent.
    #[serde(default)]
    pub batch: Option<QueueBatchConfig>,
}

/// `sending_queue.batch:`, the Collector's exporterhelper batching, counted in items.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueBatchConfig {
    /// Send once this many items are gathered.
    #[serde(default = "min_size")]
    pub min_size: usize,
    /// Never send more items than this in one request (0: no limit).
    #[serde(default)]
    pub max_size: usize,
    /// Send what is gathered this long after the first item was taken, even below `min_size`.
    #[serde(default = "flush_timeout", deserialize_with = "duration")]
    pub flush_timeout: Duration,
}

fn yes() -> bool {
    true
}
fn consumers() -> usize {
    10
}
fn size() -> usize {
    1000
}
fn min_size() -> usize {
    8192
}
fn flush_timeout() -> Duration {
    Duration::from_millis(200)
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            enabled: true,
            num_consumers: consumers(),
            queue_size: size(),
            max_size_mib: None,
            storage: None,
            batch: None,
        }
    }
}

impl Default for QueueBatchConfig {
    fn default() -> Self {
        QueueBatchConfig {
            min_size: min_size(),
            max_size: 0,
            flush_timeout: flush_timeout(),
        }
    }
}

impl QueueConfig {
    /// Checks the sizes.
    pub fn validate(&self) -> Result<(), String> {
        if self.num_consumers == 0 {
            return Err("sending_queue.num_consumers must be at least 1".into());
        }
        if self.enabled && self.queue_size == 0 {
            return Err("sending_queue.queue_size must be at least 1".into());
        }
        if self.max_size_mib == Some(0) {
            return Err("sending_queue.max_size_mib must be at least 1".into());
        }
        if !self.enabled && self.storage.is_some() {
            return Err("sending_queue.storage needs sending_queue.enabled: true".into());
        }
        if let Some(b) = &self.batch {
            if b.max_size != 0 && b.max_size < b.min_size {
                return Err(format!(
                    "sending_queue.batch.max_size ({}) must be 0 or at least min_size ({})",
                    b.max_size, b.min_size
                ));
            }
            if b.flush_timeout.is_zero() {
                return Err("sending_queue.batch.flush_timeout must be more than 0".into());
            }
        }
        Ok(())
    }

    /// Batches the queue may hold: `queue_size`, or 1 when the queue is disabled.
    pub fn capacity(&self) -> usize {
        if self.enabled { self.queue_size } else { 1 }
    }

    /// Bytes the queue may hold.
    pub fn max_bytes(&self) -> u64 {
        let default = if self.storage.is_some() {
            DEFAULT_DISK_MIB
        } else {
            DEFAULT_MEMORY_MIB
        };
        self.max_size_mib
            .unwrap_or(default)
            .saturating_mul(1024 * 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<QueueConfig, String> {
        let c: QueueConfig = yaml_serde::from_str(yaml).map_err(|e| e.to_string())?;
        c.validate().map(|()| c)
    }

    #[test]
    fn reads_storage_batch_and_byte_bound() {
        let c = parse(
            "storage: file_storage/q\nmax_size_mib: 64\nbatch:\n  min_size: 10\n  max_size: 20\n  flush_timeout: 1s\n",
        )
        .unwrap();
        assert_eq!(c.storage.unwrap().to_string(), "file_storage/q");
        assert_eq!(c.max_size_mib, Some(64));
        let b = c.batch.unwrap();
        assert_eq!((b.min_size, b.max_size), (10, 20));
        assert_eq!(b.flush_timeout, Duration::from_secs(1));
    }

    #[test]
    fn defaults_depend_on_where_the_queue_lives() {
        let memory = QueueConfig::default();
        assert_eq!(memory.max_bytes(), 256 * 1024 * 1024);
        let disk = parse("storage: file_storage\n").unwrap();
        assert_eq!(disk.max_bytes(), 1024 * 1024 * 1024);
        let batch: QueueBatchConfig = yaml_serde::from_str("{}").unwrap();
        assert_eq!(batch, QueueBatchConfig::default());
        assert_eq!(batch.min_size, 8192);
    }

    #[test]
    fn rejects_contradictions() {
        assert!(
            parse("batch:\n  min_size: 10\n  max_size: 5\n")
                .unwrap_err()
                .contains("max_size (5)")
        );
        assert!(
            parse("max_size_mib: 0\n")
                .unwrap_err()
                .contains("max_size_mib")
        );
        assert!(
            parse("enabled: false\nstorage: file_storage\n")
                .unwrap_err()
                .contains("enabled: true")
        );
        assert!(
            parse("sizer: bytes\n")
                .unwrap_err()
                .contains("unknown field")
        );
    }
}
