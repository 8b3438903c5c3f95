//! The ledger: where reading resumes after a restart — the lowest record id not yet
//! acknowledged by the backend. Everything below it may be deleted; everything from it on is
//! sent again after a crash (so a late ledger costs duplicates, never loss).
//!
//! Two fixed 32-byte slots, written in turn, each with its own checksum: a write torn by a power
//! cut spoils at most the slot being written, and the other still holds the previous position.
//! The slot layout is fixed; do not add fields to it (a new layout needs a new magic).

use std::fs::File;
use std::io;
use std::path::Path;

const MAGIC: &[u8; 4] = b"CQL1";
const SLOT: usize = 32;

/// The open ledger file of one queue.
pub struct Ledger {
    file: File,
    sequence: u64,
    first_unacked: u64,
}

impl Ledger {
    /// Opens (or creates) the ledger at `path`; the position it holds (0 for a new one).
    pub fn open(path: &Path) -> io::Result<Ledger> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        let mut bytes = [0u8; 2 * SLOT];
        let n = super::fs::read_up_to(&file, &mut bytes, 0)?;
        let best = [0, 1]
            .iter()
            .filter_map(|&i| {
                let end = (i + 1) * SLOT;
                (n >= end).then(|| decode(&bytes[i * SLOT..end])).flatten()
            })
            .max_by_key(|(sequence, _)| *sequence);
        let (sequence, first_unacked) = best.unwrap_or((0, 0));
        Ok(Ledger {
            file,
            sequence,
            first_unacked,
        })
    }

    /// The lowest record id not yet acknowledged.
    pub fn first_unacked(&self) -> u64 {
        self.first_unacked
    }

    /// Records that every id below `first_unacked` was acknowledged (written, not synced).
    pub fn write(&mut self, first_unacked: u64) -> io::Result<()> {
        if first_unacked == self.first_unacked && self.sequence > 0 {
            return Ok(());
        }
        let sequence = self.sequence + 1;
        let slot = encode(sequence, first_unacked);
        super::fs::write_all_at(&self.file, &slot, (sequence % 2) * SLOT as u64)?;
        self.sequence = sequence;
        self.first_unacked = first_unacked;
        Ok(())
    }

    /// Makes the last write durable.
    pub fn sync(&self) -> io::Result<()> {
        self.file.sync_data()
    }
}

fn encode(sequence: u64, first_unacked: u64) -> [u8; SLOT] {
    let mut slot = [0u8; SLOT];
    slot[..4].copy_from_slice(MAGIC);
    slot[4..12].copy_from_slice(&sequence.to_le_bytes());
    slot[12..20].copy_from_slice(&first_unacked.to_le_bytes());
    let crc = crc32fast::hash(&slot[..28]);
    slot[28..].copy_from_slice(&crc.to_le_bytes());
    slot
}

fn decode(slot: &[u8]) -> Option<(u64, u64)> {
    if &slot[..4] != MAGIC {
        return None;
    }
    let crc = u32::from_le_bytes(slot[28..32].try_into().ok()?);
    if crc32fast::hash(&slot[..28]) != crc {
        return None;
    }
    let sequence = u64::from_le_bytes(slot[4..12].try_into().ok()?);
    let first_unacked = u64::from_le_bytes(slot[12..20].try_into().ok()?);
    Some((sequence, first_unacked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_position_and_survives_a_torn_slot() {
        let dir = super::super::tests::scratch("ledger");
        let path = dir.join("ledger");
        let cleanup = dir.clone();
        let mut ledger = Ledger::open(&path).unwrap();
        assert_eq!(ledger.first_unacked(), 0);
        ledger.write(5).unwrap();
        ledger.write(9).unwrap();
        drop(ledger);
        assert_eq!(Ledger::open(&path).unwrap().first_unacked(), 9);
        // Tear the slot written last (sequence 2 → slot 0): the other one still says 5.
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[13] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        let mut ledger = Ledger::open(&path).unwrap();
        assert_eq!(ledger.first_unacked(), 5);
        ledger.write(11).unwrap();
        assert_eq!(Ledger::open(&path).unwrap().first_unacked(), 11);
        std::fs::write(&path, b"garbage").unwrap();
        assert_eq!(Ledger::open(&path).unwrap().first_unacked(), 0);
        let _ = std::fs::remove_dir_all(&cleanup);
    }
}
