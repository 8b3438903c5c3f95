//! The in-flight body budget: bytes held by request bodies still being read (not yet
//! authenticated, verified or decoded) are bounded for the whole process, whatever the number
//! of listeners and connections. [`read_limited`](super::read_limited) reserves a body's
//! declared `Content-Length` up front (or each chunk as it arrives) and releases it when it
//! returns; a body that does not fit is refused at once (503 + Retry-After, retryable) instead
//! of growing memory. `service.max_in_flight_body_size` sets the budget.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The default budget: 256 MiB.
pub const DEFAULT_BUDGET: usize = 256 * 1024 * 1024;

static LIMIT: AtomicUsize = AtomicUsize::new(DEFAULT_BUDGET);
static IN_USE: AtomicUsize = AtomicUsize::new(0);

/// Sets the process's budget (bytes). Called once at start from the config.
pub fn set_limit(bytes: usize) {
    LIMIT.store(bytes, Ordering::Relaxed);
}

/// The budget in force.
pub fn limit() -> usize {
    LIMIT.load(Ordering::Relaxed)
}

/// Bytes reserved by bodies being read now.
pub fn in_use() -> usize {
    IN_USE.load(Ordering::Relaxed)
}

/// Bytes of one body held against the budget; released on drop.
#[derive(Debug, Default)]
pub struct Reservation(usize);

impl Reservation {
    /// Grows the reservation to at least `total` bytes; false (and unchanged) when the budget
    /// has no room for it.
    pub fn grow_to(&mut self, total: usize) -> bool {
        if total <= self.0 {
            return true;
        }
        let more = total - self.0;
        let limit = limit();
        let fits = IN_USE
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(more).filter(|&n| n <= limit)
            })
            .is_ok();
        if fits {
            self.0 = total;
        }
        fits
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        IN_USE.fetch_sub(self.0, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_share_one_budget_and_give_back_on_drop() {
        // The only test touching the global budget, so it can set it.
        set_limit(100);
        let mut a = Reservation::default();
        assert!(a.grow_to(60));
        let mut b = Reservation::default();
        assert!(!b.grow_to(50), "60 + 50 > 100");
        assert!(b.grow_to(40));
        assert_eq!(in_use(), 100);
        drop(a);
        assert!(b.grow_to(90));
        drop(b);
        assert_eq!(in_use(), 0);
        set_limit(DEFAULT_BUDGET);
    }
}
