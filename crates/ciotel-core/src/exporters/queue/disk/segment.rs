//! Segment files: their names, their header, the frame around each record, and the scan that
//! finds every intact frame in a file and reports the stretches that are not (corrupt, or cut
//! short by a crash in the middle of a write).

use std::path::{Path, PathBuf};

/// The first bytes of every segment file: a name and the framing version.
pub const HEADER: &[u8; 8] = b"CIOTELQ\x01";
/// The first bytes of every frame.
pub const MAGIC: &[u8; 4] = b"CQR1";
/// Magic, payload length, checksum.
pub const FRAME_HEADER: usize = 12;
/// No record is larger than this (a length beyond it is corruption, not data).
pub const MAX_PAYLOAD: usize = 512 * 1024 * 1024;

/// The file of segment `number` in `dir`: `00000000000000000042.seg`.
pub fn path(dir: &Path, number: u64) -> PathBuf {
    dir.join(format!("{number:020}.seg"))
}

/// The segment number of a file name, if it is a segment's.
pub fn number(file_name: &str) -> Option<u64> {
    let digits = file_name.strip_suffix(".seg")?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `payload` in its frame: magic, length (u32 LE), CRC-32 of length and payload (u32 LE).
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0; FRAME_HEADER];
    out.extend_from_slice(payload);
    seal(&mut out);
    out
}

/// Fills in the frame header of `buf`, whose first [`FRAME_HEADER`] bytes were left for it and
/// whose rest is the payload (so the payload is encoded in place, never copied).
pub fn seal(buf: &mut [u8]) {
    let len = ((buf.len() - FRAME_HEADER) as u32).to_le_bytes();
    let mut crc = crc32fast::Hasher::new();
    crc.update(&len);
    crc.update(&buf[FRAME_HEADER..]);
    buf[..4].copy_from_slice(MAGIC);
    buf[4..8].copy_from_slice(&len);
    buf[8..12].copy_from_slice(&crc.finalize().to_le_bytes());
}

/// The payload of `buf` when it is exactly one intact frame.
pub fn payload(buf: &[u8]) -> Option<&[u8]> {
    match frame_at(buf, 0) {
        Ok(len) if len == buf.len() => Some(&buf[FRAME_HEADER..]),
        _ => None,
    }
}

/// Why no intact frame starts at an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameError {
    /// The file ends inside the frame.
    Incomplete,
    /// Wrong magic, impossible length or wrong checksum.
    Corrupt,
}

/// The length of the intact frame at `data[at..]`.
fn frame_at(data: &[u8], at: usize) -> Result<usize, FrameError> {
    let rest = &data[at..];
    if rest.len() < FRAME_HEADER {
        let n = rest.len().min(MAGIC.len());
        return if rest[..n] == MAGIC[..n] {
            Err(FrameError::Incomplete)
        } else {
            Err(FrameError::Corrupt)
        };
    }
    if &rest[..4] != MAGIC {
        return Err(FrameError::Corrupt);
    }
    let len_bytes: [u8; 4] = rest[4..8].try_into().map_err(|_| FrameError::Corrupt)?;
    let crc_bytes: [u8; 4] = rest[8..12].try_into().map_err(|_| FrameError::Corrupt)?;
    let len = u32::from_le_bytes(len_bytes) as usize;
    if len > MAX_PAYLOAD {
        return Err(FrameError::Corrupt);
    }
    if rest.len() < FRAME_HEADER + len {
        return Err(FrameError::Incomplete);
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(&len_bytes);
    crc.update(&rest[FRAME_HEADER..FRAME_HEADER + len]);
    if crc.finalize() != u32::from_le_bytes(crc_bytes) {
        return Err(FrameError::Corrupt);
    }
    Ok(FRAME_HEADER + len)
}

/// The next offset after `from` where an intact frame starts.
fn next_intact(data: &[u8], from: usize) -> Option<usize> {
    (from..data.len().saturating_sub(FRAME_HEADER - 1))
        .filter(|&at| data[at..].starts_with(MAGIC))
        .find(|&at| frame_at(data, at).is_ok())
}

/// What a stretch of a segment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stretch<'a> {
    /// An intact frame at `offset` (from the start of the file), `len` bytes with its header.
    Frame {
        offset: u64,
        len: u64,
        payload: &'a [u8],
    },
    /// Bytes that are no intact frame, followed by intact ones.
    Corrupt { offset: u64, len: u64 },
    /// The end of the file, where a frame was being written when the process stopped.
    Truncated { offset: u64, len: u64 },
}

/// Every stretch of segment `file` (its whole contents), in order; `None` when the file does
/// not start with the segment header (`Some(vec![])` when it ends inside it: created, never
/// written).
pub fn scan(file: &[u8]) -> Option<Vec<Stretch<'_>>> {
    if file.len() < HEADER.len() {
        return (file == &HEADER[..file.len()]).then(Vec::new);
    }
    if &file[..HEADER.len()] != HEADER {
        return None;
    }
    let base = HEADER.len();
    let data = &file[base..];
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        match frame_at(data, at) {
            Ok(len) => {
                out.push(Stretch::Frame {
                    offset: (base + at) as u64,
                    len: len as u64,
                    payload: &data[at + FRAME_HEADER..at + len],
                });
                at += len;
            }
            Err(error) => {
                let offset = (base + at) as u64;
                match next_intact(data, at + 1) {
                    Some(next) => {
                        out.push(Stretch::Corrupt {
                            offset,
                            len: (next - at) as u64,
                        });
                        at = next;
                    }
                    None => {
                        let len = (data.len() - at) as u64;
                        out.push(match error {
                            FrameError::Incomplete => Stretch::Truncated { offset, len },
                            FrameError::Corrupt => Stretch::Corrupt { offset, len },
                        });
                        break;
                    }
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(payloads: &[&[u8]]) -> Vec<u8> {
        let mut out = HEADER.to_vec();
        for p in payloads {
            out.extend(frame(p));
        }
        out
    }

    fn payloads<'a>(stretches: &[Stretch<'a>]) -> Vec<&'a [u8]> {
        stretches
            .iter()
            .filter_map(|s| match s {
                Stretch::Frame { payload, .. } => Some(*payload),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn names_round_trip() {
        let p = path(Path::new("/q"), 42);
        assert!(p.ends_with("00000000000000000042.seg"));
        assert_eq!(number("00000000000000000042.seg"), Some(42));
        assert_eq!(number("42.seg"), None);
        assert_eq!(number("ledger"), None);
    }

    #[test]
    fn intact_files_give_every_frame() {
        let data = file(&[b"one", b"", b"three"]);
        let s = scan(&data).unwrap();
        assert_eq!(payloads(&s), vec![&b"one"[..], b"", b"three"]);
        assert_eq!(scan(&HEADER[..3]), Some(vec![]));
        assert_eq!(scan(b"not a segment"), None);
    }

    #[test]
    fn a_cut_at_every_byte_of_the_last_frame_keeps_the_others() {
        let whole = file(&[b"first", b"second", b"the last record"]);
        let last = frame(b"the last record").len();
        let start = whole.len() - last;
        for cut in start..whole.len() {
            let s = scan(&whole[..cut]).unwrap();
            assert_eq!(payloads(&s), vec![&b"first"[..], b"second"], "cut at {cut}");
            if cut > start {
                assert_eq!(
                    s.last(),
                    Some(&Stretch::Truncated {
                        offset: start as u64,
                        len: (cut - start) as u64
                    }),
                    "cut at {cut}"
                );
            }
        }
    }

    #[test]
    fn a_flipped_bit_anywhere_costs_only_its_frame() {
        let records: [&[u8]; 3] = [b"first", b"second", b"third"];
        let whole = file(&records);
        let second_start = HEADER.len() + frame(b"first").len();
        let second_end = second_start + frame(b"second").len();
        for byte in second_start..second_end {
            for bit in 0..8 {
                let mut data = whole.clone();
                data[byte] ^= 1 << bit;
                let s = scan(&data).unwrap();
                assert_eq!(
                    payloads(&s),
                    vec![&b"first"[..], b"third"],
                    "bit {bit} of byte {byte}"
                );
                assert!(
                    s.iter().any(|x| matches!(x, Stretch::Corrupt { .. })),
                    "bit {bit} of byte {byte}"
                );
            }
        }
        // A flip in the last frame: the others survive, the rest of the file is skipped.
        let mut data = whole.clone();
        let n = data.len();
        data[n - 1] ^= 0x10;
        assert_eq!(
            payloads(&scan(&data).unwrap()),
            vec![&b"first"[..], b"second"]
        );
    }
}
