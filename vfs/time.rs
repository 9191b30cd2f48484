// SPDX-License-Identifier: GPL-2.0

//! Sleeping for a set time.
//!
//! C reference: `include/linux/delay.h`.

use kernel::{bindings, ffi::c_ulong};

/// Sleeps for `us` microseconds, uninterruptibly, and no longer than the
/// timer needs: an hrtimer without slack.  `kernel::time::delay::fsleep()`
/// allows 25% more (`usleep_range(us, us * 5 / 4)`), and an otherwise idle
/// machine then wakes at the upper end, which a model of a round trip of
/// `us` must not do.
///
/// Must be called where sleeping is allowed (process context, no spinlock
/// held); the kernel warns otherwise, as for every sleeping function.
pub fn sleep_us_exact(us: u32) {
    if us > 0 {
        // Lossless: `c_ulong` is at least 32 bits.
        let us = us as c_ulong;
        // SAFETY: Only sleeps; `might_sleep()` in the callee catches a
        // caller in atomic context.
        unsafe { bindings::usleep_range_state(us, us, bindings::TASK_UNINTERRUPTIBLE) };
    }
}
