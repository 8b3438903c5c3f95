//! Damaged queue files: the queue starts, skips what is broken (counted), delivers the rest.

use super::*;

/// Writes `n` one-span records into a fresh queue in `dir` and closes it.
fn fill(dir: &Path, n: usize) {
    let registry = Registry::new();
    let q = open(dir, &registry, FsyncPolicy::Never);
    for i in 0..n {
        q.push(&named(&format!("s{i}"))).unwrap();
    }
}

#[test]
fn a_cut_at_every_byte_of_the_last_record_loses_only_that_record() {
    let dir = scratch("cut");
    fill(&dir, 3);
    let seg = segments(&dir).pop().unwrap();
    let whole = std::fs::read(&seg).unwrap();
    let last = super::super::segment::scan(&whole)
        .unwrap()
        .into_iter()
        .rev()
        .find_map(|s| match s {
            super::super::segment::Stretch::Frame { offset, .. } => Some(offset as usize),
            _ => None,
        })
        .unwrap();
    for cut in last..whole.len() {
        std::fs::write(&seg, &whole[..cut]).unwrap();
        let registry = Registry::new();
        let q = open(&dir, &registry, FsyncPolicy::Never);
        assert_eq!(names(&take_all(&q)), ["s0", "s1"], "cut at {cut}");
        assert_eq!(skipped(&registry), u64::from(cut > last), "cut at {cut}");
        drop(q);
        // Opening started no new segment (nothing was written), so the next cut sees one file.
        assert_eq!(segments(&dir), std::slice::from_ref(&seg));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn flipped_bits_are_skipped_and_counted_never_fatal() {
    let dir = scratch("flip");
    fill(&dir, 5);
    let seg = segments(&dir).pop().unwrap();
    let whole = std::fs::read(&seg).unwrap();
    // Every byte after the segment header, one bit each (a spread of positions and bits).
    for byte in 8..whole.len() {
        let mut data = whole.clone();
        data[byte] ^= 1 << (byte % 8);
        std::fs::write(&seg, &data).unwrap();
        let registry = Registry::new();
        let q = open(&dir, &registry, FsyncPolicy::Never);
        let got = names(&take_all(&q));
        assert_eq!(got.len(), 4, "byte {byte}: {got:?}");
        assert_eq!(skipped(&registry), 1, "byte {byte}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_that_is_no_segment_is_reported_and_removed() {
    let dir = scratch("garbage");
    fill(&dir, 2);
    let bogus = super::super::segment::path(&dir, 0);
    std::fs::write(&bogus, b"this is not a ciotel queue segment").unwrap();
    let registry = Registry::new();
    let q = open(&dir, &registry, FsyncPolicy::Never);
    assert_eq!(names(&take_all(&q)), ["s0", "s1"]);
    assert_eq!(skipped(&registry), 1);
    assert!(!bogus.exists());
    let _ = std::fs::remove_dir_all(&dir);
}
