//! The `file` exporter's output file: whole lines appended and flushed, size-based rotation to
//! numbered backups (`traces.jsonl.1` newest, `.2` older, …).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// When to rotate and how many old files to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rotation {
    /// Rotate before a line would take the file past this size.
    pub max_bytes: u64,
    /// Backups kept, newest first; 0 keeps them all.
    pub max_backups: usize,
}

/// An open output file and its size.
#[derive(Debug)]
pub(crate) struct Output {
    path: PathBuf,
    file: File,
    size: u64,
    rotation: Option<Rotation>,
}

impl Output {
    /// Creates the parent directories and opens `path`, keeping what it holds when `append`.
    pub(crate) fn open(
        path: &Path,
        append: bool,
        rotation: Option<Rotation>,
    ) -> io::Result<Output> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)?;
        }
        let file = open_file(path, append)?;
        let size = file.metadata()?.len();
        Ok(Output {
            path: path.to_path_buf(),
            file,
            size,
            rotation,
        })
    }

    /// Appends one whole line (rotating first if it would not fit). On failure the file is cut
    /// back to its previous size so a retry does not leave half a line behind.
    pub(crate) fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        let len = line.len() as u64;
        let full = self
            .rotation
            .filter(|r| self.size > 0 && self.size + len > r.max_bytes);
        if let Some(rotation) = full {
            self.rotate(rotation)?;
        }
        if let Err(e) = self.file.write_all(line).and_then(|()| self.file.flush()) {
            let _ = self.file.set_len(self.size);
            return Err(e);
        }
        self.size += len;
        Ok(())
    }

    /// Pushes what was written to the disk (at shutdown).
    pub(crate) fn sync(&mut self) -> io::Result<()> {
        self.file.flush()?;
        self.file.sync_all()
    }

    /// Renames the file to `<path>.1` after shifting older backups up by one (dropping those
    /// past `max_backups`), then starts an empty file.
    fn rotate(&mut self, rotation: Rotation) -> io::Result<()> {
        self.file.sync_all()?;
        let mut highest = 0;
        while backup(&self.path, highest + 1).exists() {
            highest += 1;
        }
        for n in (1..=highest).rev() {
            if rotation.max_backups != 0 && n >= rotation.max_backups {
                fs::remove_file(backup(&self.path, n))?;
            } else {
                fs::rename(backup(&self.path, n), backup(&self.path, n + 1))?;
            }
        }
        fs::rename(&self.path, backup(&self.path, 1))?;
        self.file = open_file(&self.path, false)?;
        self.size = 0;
        Ok(())
    }
}

fn open_file(path: &Path, append: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true).truncate(true);
    }
    options.open(path)
}

/// `<path>.<n>`: the n-th newest backup.
pub(crate) fn backup(path: &Path, n: usize) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh directory under the system temp dir, removed on drop.
    pub(crate) struct TempDir(pub PathBuf);

    impl TempDir {
        pub(crate) fn new(name: &str) -> TempDir {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir =
                std::env::temp_dir().join(format!("ciotel-{name}-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn read(path: &Path) -> String {
        fs::read_to_string(path).unwrap()
    }

    #[test]
    fn lines_are_appended_and_readable_at_once() {
        let dir = TempDir::new("output");
        let path = dir.0.join("a/b/out.jsonl");
        let mut output = Output::open(&path, true, None).unwrap();
        output.write_line(b"one\n").unwrap();
        assert_eq!(read(&path), "one\n");
        drop(output);
        let mut output = Output::open(&path, true, None).unwrap();
        output.write_line(b"two\n").unwrap();
        assert_eq!(read(&path), "one\ntwo\n");
        let mut output = Output::open(&path, false, None).unwrap();
        assert_eq!(read(&path), "");
        output.write_line(b"three\n").unwrap();
        output.sync().unwrap();
        assert_eq!(read(&path), "three\n");
    }

    #[test]
    fn rotation_keeps_max_backups_newest_first() {
        let dir = TempDir::new("rotate");
        let path = dir.0.join("out.jsonl");
        let rotation = Rotation {
            max_bytes: 10,
            max_backups: 2,
        };
        let mut output = Output::open(&path, true, Some(rotation)).unwrap();
        for line in ["l1 45678\n", "l2 45678\n", "l3 45678\n", "l4 45678\n"] {
            output.write_line(line.as_bytes()).unwrap();
        }
        assert_eq!(read(&path), "l4 45678\n");
        assert_eq!(read(&backup(&path, 1)), "l3 45678\n");
        assert_eq!(read(&backup(&path, 2)), "l2 45678\n");
        assert!(!backup(&path, 3).exists());
    }

    #[test]
    fn lines_that_fit_share_a_file_and_an_oversized_line_gets_its_own() {
        let dir = TempDir::new("rotate-fit");
        let path = dir.0.join("out.jsonl");
        let rotation = Rotation {
            max_bytes: 10,
            max_backups: 0,
        };
        let mut output = Output::open(&path, true, Some(rotation)).unwrap();
        for line in ["ab\n", "cd\n", "efg\n", "a line longer than ten\n", "x\n"] {
            output.write_line(line.as_bytes()).unwrap();
        }
        assert_eq!(read(&path), "x\n");
        assert_eq!(read(&backup(&path, 1)), "a line longer than ten\n");
        assert_eq!(read(&backup(&path, 2)), "ab\ncd\nefg\n");
        assert!(!backup(&path, 3).exists());
    }

    #[test]
    fn zero_max_backups_keeps_every_backup() {
        let dir = TempDir::new("rotate-all");
        let path = dir.0.join("out");
        let rotation = Rotation {
            max_bytes: 1,
            max_backups: 0,
        };
        let mut output = Output::open(&path, true, Some(rotation)).unwrap();
        for i in 0..5 {
            output.write_line(format!("{i}\n").as_bytes()).unwrap();
        }
        assert_eq!(read(&path), "4\n");
        for n in 1..=4 {
            assert_eq!(read(&backup(&path, n)), format!("{}\n", 4 - n));
        }
    }

    #[test]
    fn the_size_of_an_existing_file_counts() {
        let dir = TempDir::new("rotate-existing");
        let path = dir.0.join("out");
        fs::write(&path, "old line\n").unwrap();
        let rotation = Rotation {
            max_bytes: 12,
            max_backups: 1,
        };
        let mut output = Output::open(&path, true, Some(rotation)).unwrap();
        output.write_line(b"new line\n").unwrap();
        assert_eq!(read(&backup(&path, 1)), "old line\n");
        assert_eq!(read(&path), "new line\n");
    }
}
