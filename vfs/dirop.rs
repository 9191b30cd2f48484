// SPDX-License-Identifier: GPL-2.0

//! The `_async` directory operations (`struct dirop_ret`) and how an
//! instance runs its directory operations: locking (shared with per-name
//! exclusion, or the VFS's exclusive `i_rwsem`) and completion (before
//! returning, or `-EINPROGRESS` and later from a work item of the
//! filesystem type's [`DiropQueue`]).
//!
//! C reference: `struct dirop_ret` in `include/linux/fs.h`,
//! `Documentation/filesystems/shared-dir-locking.rst` (ours).

use core::{ffi::c_int, marker::PhantomData, pin::Pin, ptr::NonNull};
use kernel::{
    bindings,
    prelude::*,
    str::CStr,
    sync::LockClassKey,
    types::Opaque,
    workqueue::{Queue, Work, WorkItem},
};

/// When an `_async` directory operation completes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Completion {
    /// Before the method returns: it never returns `-EINPROGRESS`.
    #[default]
    Sync,
    /// From a work item: the method returns `-EINPROGRESS` and the work item
    /// does the operation, stores its result and calls `done_cb`.
    Async,
}

/// How the directory operations of one instance run: chosen by the
/// filesystem when the instance is set up (see
/// [`super::fs_type::SuperSetup`]), fixed for its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiropMode {
    /// Directory operations hold the parent's `i_rwsem` shared and call the
    /// `_async` methods (`SB_I_SHARED_DIROPS`); otherwise the directories
    /// have only the synchronous methods and the VFS locks them exclusively,
    /// as for every other filesystem (the A/B baseline).
    pub shared: bool,
    /// When `_async` methods complete (only with `shared`).
    pub completion: Completion,
}

impl Default for DiropMode {
    fn default() -> Self {
        Self {
            shared: true,
            completion: Completion::Sync,
        }
    }
}

/// The workqueue that completes the `-EINPROGRESS` operations of one
/// filesystem type (owned by its [`super::registration::Registration`], so that
/// unregistering, and so unloading, waits for its work items).
///
/// # Invariants
///
/// `wq` is a live workqueue that this owns.
pub struct DiropQueue {
    wq: NonNull<bindings::workqueue_struct>,
}

// SAFETY: A workqueue may be used and destroyed from any task.
unsafe impl Send for DiropQueue {}
// SAFETY: Queueing work is safe from any task concurrently.
unsafe impl Sync for DiropQueue {}

impl DiropQueue {
    /// Allocates the queue of filesystem type `name`.
    ///
    /// Per-CPU, not unbound: the work item of a caller that then sleeps
    /// waiting for it runs on the caller's CPU once the caller is off it,
    /// and its `done_cb` wakes the caller there: two context switches per
    /// operation and no inter-processor wake-up.  An unbound queue ran it
    /// on the other CPU, woken from idle, and woke the caller's CPU from
    /// idle to finish: four switches per operation (make bench, 1 thread,
    /// `completion=async`).  Items that sleep (in an allocation) are
    /// covered by the workqueue's concurrency management.
    pub fn new(name: &CStr) -> Result<Self> {
        // SAFETY: A plain C call; the format string takes one string, the
        // NUL-terminated `name`, which `alloc_workqueue` copies.
        let wq = unsafe {
            bindings::alloc_workqueue_noprof(
                c"%s_dirop".as_char_ptr(),
                bindings::wq_flags_WQ_PERCPU,
                0,
                name.as_char_ptr(),
            )
        };
        // INVARIANT: The queue just allocated, if any.
        Ok(Self {
            wq: NonNull::new(wq).ok_or(ENOMEM)?,
        })
    }
}

impl Drop for DiropQueue {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `wq` is our live queue; no new work
        // is queued once the filesystem is unregistered (the owner drops this
        // after unregistering), and `destroy_workqueue()` drains the rest.
        unsafe { bindings::destroy_workqueue(self.wq.as_ptr()) };
    }
}

/// The result of a directory operation, as the C method returns it and as
/// `struct dirop_ret` carries it.
pub trait DiropResult: Copy {
    /// What the method returns when it will complete later.
    fn in_progress() -> Self;
    /// What the method returns when it could not start.
    fn from_error(e: Error) -> Self;
    /// Stores `self` in `ret` as the operation's result.
    ///
    /// # Safety
    ///
    /// `ret` must be the live `dirop_ret` the operation was given.
    unsafe fn store(self, ret: *mut bindings::dirop_ret);
}

impl DiropResult for c_int {
    fn in_progress() -> Self {
        EINPROGRESS.to_errno()
    }
    fn from_error(e: Error) -> Self {
        e.to_errno()
    }
    unsafe fn store(self, ret: *mut bindings::dirop_ret) {
        // SAFETY: Per the function's requirements.
        unsafe { (*ret).__bindgen_anon_1.err = self };
    }
}

impl DiropResult for *mut bindings::dentry {
    fn in_progress() -> Self {
        EINPROGRESS.to_ptr()
    }
    fn from_error(e: Error) -> Self {
        e.to_ptr()
    }
    unsafe fn store(self, ret: *mut bindings::dirop_ret) {
        // SAFETY: Per the function's requirements.
        unsafe { (*ret).__bindgen_anon_1.dentry = self };
    }
}

/// An operation handed to the completion work item, with what it needs.
///
/// # Invariants
///
/// Made only by [`run_async`]: `op` and `ret` may be used from another task
/// until `done_cb` is called (`struct dirop_ret`), `cred` and `memcg` are
/// references this owns (`memcg` may be null), `wq` is the live queue the
/// work item goes to, and `timer`, when started, is owned by the job until
/// its callback has queued it.
#[pin_data]
struct AsyncDirop<F, R> {
    #[pin]
    work: Work<AsyncDirop<F, R>>,
    /// Started when the operation is to begin after a delay
    /// ([`super::fs_type::FileSystem::async_delay_us`]): its callback
    /// queues the work item, so no thread waits out the delay.
    #[pin]
    timer: Opaque<bindings::hrtimer>,
    wq: *mut bindings::workqueue_struct,
    op: Option<F>,
    ret: *mut bindings::dirop_ret,
    cred: *const bindings::cred,
    /// The caller's memory cgroup: what the work item allocates is charged
    /// to it, as it would be had the caller done the operation itself.
    memcg: *mut bindings::mem_cgroup,
    _r: PhantomData<fn() -> R>,
}

// SAFETY: By the type invariant, what `op` captures (the VFS's dentries,
// inodes, idmap) and `ret` stay valid, and are not used by the VFS, until
// `done_cb`, because the VFS waits for it holding its references and locks
// (`struct dirop_ret`); `cred` and `memcg` are references we own.  So the
// whole may move to the work item's task.
unsafe impl<F, R> Send for AsyncDirop<F, R> {}

kernel::impl_has_work! {
    impl{F, R} HasWork<Self> for AsyncDirop<F, R> { self.work }
}

/// The lock class and name of every completion work item of this crate.
///
/// Not `new_work!()` inside the generic [`run_async`]: its name would be a
/// constant copied into each instance, and lockdep warns when one key is
/// seen with two names.  (`Queue::try_spawn` has that problem as soon as
/// two modules use it: its key is one static of the `kernel` crate, its
/// name a constant of each module.)
fn work_class() -> (&'static CStr, Pin<&'static LockClassKey>) {
    static NAME: &CStr = c"vfs::dirop::AsyncDirop::work";
    (NAME, kernel::static_lock_class!())
}

impl<F: FnOnce() -> R + 'static, R: DiropResult + 'static> AsyncDirop<F, R> {
    /// The timer's callback (hard interrupt context): hands the job to its
    /// work item.
    ///
    /// # Safety
    ///
    /// Only called by the hrtimer core, for the `timer` of a job that
    /// [`run_async`] leaked from its box and started.
    unsafe extern "C" fn timer_fired(timer: *mut bindings::hrtimer) -> bindings::hrtimer_restart {
        // SAFETY: `timer` is the `timer` field of a live job (`Opaque<T>`
        // has the layout of `T`), which `run_async` leaked from a pinned
        // box: taking the box back makes the work item its owner.  Nothing
        // touches the timer after this returns `HRTIMER_NORESTART`.
        unsafe {
            let job = kernel::container_of!(timer.cast::<Opaque<bindings::hrtimer>>(), Self, timer);
            let job = Pin::new_unchecked(KBox::from_raw(job));
            Queue::from_raw(job.wq).enqueue(job);
        }
        bindings::hrtimer_restart::HRTIMER_NORESTART
    }
}

impl<F: FnOnce() -> R, R: DiropResult> WorkItem for AsyncDirop<F, R> {
    type Pointer = Pin<KBox<Self>>;

    /// Runs in the work item: does the operation with the caller's
    /// credentials and memory cgroup, completes it.
    fn run(mut this: Pin<KBox<Self>>) {
        let (ret, cred, memcg) = (this.ret, this.cred, this.memcg);
        // `op` is not structurally pinned; taking it moves no pinned data.
        let Some(op) = this.as_mut().project().op.take() else {
            return;
        };
        // SAFETY: `cred` is a live reference (type invariant); the override
        // is reverted below, in the same task.
        let old = unsafe { bindings::override_creds(cred) };
        // SAFETY: `memcg` is null or a live reference (type invariant); the
        // old active memcg is restored below, in the same task.
        let old_memcg = unsafe { bindings::set_active_memcg(memcg) };
        // SAFETY: Plain lockdep annotation: the VFS waits for what follows.
        unsafe { bindings::dirop_completion_begin() };
        let res = op();
        // SAFETY: `ret` is live until `done_cb` returns (type invariant);
        // `done_cb` is set by the VFS.  After the call the waiter may have
        // returned and `ret` must not be touched again.
        unsafe {
            res.store(ret);
            if let Some(done) = (*ret).done_cb {
                done(ret);
            }
        }
        // SAFETY: Pairs with the begin above and the override above; `cred`
        // and `memcg` are ours to put.
        unsafe {
            bindings::dirop_completion_end();
            bindings::set_active_memcg(old_memcg);
            bindings::mem_cgroup_put(memcg);
            bindings::revert_creds(old);
            bindings::put_cred(cred);
        }
    }
}

/// Runs directory operation `op` as its `_async` method: directly in
/// [`Completion::Sync`] mode; in [`Completion::Async`] mode from a work item
/// of `queue`, returning `R::in_progress()` now.  The work item is queued at
/// once, or by a timer after `delay_us` microseconds.
///
/// # Safety
///
/// Must be called from an `_async` inode operation, with the `dirop_ret` it
/// was given as `ret`; `op` may use the raw arguments of that operation,
/// which stay valid until `done_cb` (see `struct dirop_ret`).
pub(super) unsafe fn run_async<F, R>(
    completion: Completion,
    queue: &DiropQueue,
    delay_us: u32,
    ret: *mut bindings::dirop_ret,
    op: F,
) -> R
where
    F: FnOnce() -> R + 'static,
    R: DiropResult + 'static,
{
    if completion == Completion::Sync {
        return op();
    }
    // SAFETY: Takes a reference to the current task's credentials, put by
    // the work item or below.
    let cred = unsafe { bindings::get_current_cred() };
    // SAFETY: Takes a reference to the current task's memory cgroup (null
    // without memory cgroups), put by the work item or below.
    let memcg = unsafe { bindings::mem_cgroup_from_current() };
    let (name, key) = work_class();
    // INVARIANT: The caller guarantees `op` and `ret` stay valid until
    // `done_cb`; the references were taken above.
    let job = KBox::pin_init(
        pin_init!(AsyncDirop {
            work <- Work::new(name, key),
            timer: Opaque::uninit(),
            wq: queue.wq.as_ptr(),
            op: Some(op),
            ret,
            cred,
            memcg,
            _r: PhantomData,
        }),
        GFP_KERNEL_ACCOUNT,
    );
    match job {
        Ok(job) if delay_us > 0 => {
            // SAFETY: Into the timer's hands: the box is leaked, the timer
            // set up in it (pinned, never moved) and started; its callback
            // takes the box back and queues the work item.  A pending
            // timer means an operation in flight, which pins the mount and
            // so the module (the callback's code) and the queue.
            unsafe {
                let job = KBox::into_raw(Pin::into_inner_unchecked(job));
                let timer = Opaque::cast_into(&raw const (*job).timer);
                bindings::hrtimer_setup(
                    timer,
                    Some(AsyncDirop::<F, R>::timer_fired),
                    bindings::CLOCK_MONOTONIC as bindings::clockid_t,
                    bindings::hrtimer_mode_HRTIMER_MODE_REL,
                );
                bindings::hrtimer_start_range_ns(
                    timer,
                    i64::from(delay_us) * 1000,
                    0,
                    bindings::hrtimer_mode_HRTIMER_MODE_REL,
                );
            }
            R::in_progress()
        }
        Ok(job) => {
            // SAFETY: `queue.wq` is live while `queue` is (its invariant),
            // and the filesystem type's superblocks, whose operation this
            // is, keep the queue's owner alive.
            let wq = unsafe { Queue::from_raw(queue.wq.as_ptr()) };
            wq.enqueue(job);
            R::in_progress()
        }
        Err(_) => {
            // SAFETY: The references taken above, unused.
            unsafe {
                bindings::put_cred(cred);
                bindings::mem_cgroup_put(memcg);
            }
            R::from_error(ENOMEM)
        }
    }
}
