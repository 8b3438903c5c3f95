//! Durations as a person reads them in a waterfall: `0s`, `850ms`, `4.2s`, `42s`, `3m18s`,
//! `1h02m`.

/// Formats `nanos` compactly; never more than 6 characters below 100 hours.
pub fn human(nanos: u64) -> String {
    const MS: u64 = 1_000_000;
    const S: u64 = 1_000 * MS;
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < S {
        return format!("{}ms", nanos.div_ceil(MS).min(999));
    }
    if nanos < 10 * S {
        let tenths = nanos / (S / 10);
        return format!("{}.{}s", tenths / 10, tenths % 10);
    }
    let secs = nanos / S;
    if secs < 60 {
        return format!("{secs}s");
    }
    if secs < 3600 {
        return format!("{}m{:02}s", secs / 60, secs % 60);
    }
    format!("{}h{:02}m", secs / 3600, secs % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn table() {
        let s = 1_000_000_000;
        assert_eq!(human(0), "0s");
        assert_eq!(human(1), "1ms");
        assert_eq!(human(850_000_000), "850ms");
        assert_eq!(human(4_250_000_000), "4.2s");
        assert_eq!(human(42 * s), "42s");
        assert_eq!(human(198 * s), "3m18s");
        assert_eq!(human(3720 * s), "1h02m");
    }
}
