// SPDX-License-Identifier: GPL-2.0

//! The pdirfs filesystem type: mount options, instances, limits.

#![forbid(unsafe_code)]

use crate::node::{Inode, Node};
use crate::options::{self, DiropOptions, Options};
use crate::vfs::{
    dirop::Completion,
    fs_type::{FileSystem, StatFs, SuperSetup},
    inode::{FileKind, InodeSpec, NewInode},
    param::{EnumTable, FcLog, Param, ParamKind, ParamSpec, ParamTable, ParamValue, Params},
    sb::SuperBlock,
};
use kernel::{
    bindings,
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    str::CStr,
    sync::{
        aref::ARef,
        atomic::{Atomic, Full, Relaxed},
    },
};

/// The inode flags pdirfs stores (`chattr`), as tmpfs: immutable,
/// append-only and no-atime, which the VFS enforces, and no-dump, which
/// backup tools read.
const FILE_FLAGS: u32 = bindings::FS_IMMUTABLE_FL
    | bindings::FS_APPEND_FL
    | bindings::FS_NODUMP_FL
    | bindings::FS_NOATIME_FL;

/// The flags a new inode takes from its directory.
const INHERITED_FLAGS: u32 = bindings::FS_NODUMP_FL | bindings::FS_NOATIME_FL;

/// `statfs()` `f_type` of pdirfs: "PDIR".
pub(crate) const PDIRFS_MAGIC: u32 = 0x5044_4952;

/// `dirops=`: shared-locked `_async` methods, or today's exclusive lock.
static DIROPS: EnumTable<3> = EnumTable::new(&[(c"shared", 1), (c"exclusive", 0)]);
/// `completion=`: before the method returns, or from a work item.
static COMPLETION: EnumTable<3> = EnumTable::new(&[(c"sync", 0), (c"async", 1)]);
/// `readdir_prime=`.
static ON_OFF: EnumTable<5> = EnumTable::new(&[(c"on", 1), (c"off", 0), (c"1", 1), (c"0", 0)]);

/// The mount parameters; `parse_param` tells them apart by name.
const PARAMS: [ParamSpec; 9] = [
    ParamSpec {
        name: c"mode",
        kind: ParamKind::U32Oct,
    },
    ParamSpec {
        name: c"uid",
        kind: ParamKind::Uid,
    },
    ParamSpec {
        name: c"gid",
        kind: ParamKind::Gid,
    },
    // Sizes and counts take suffixes, sizes also percentages of RAM, as on
    // tmpfs.
    ParamSpec {
        name: c"size",
        kind: ParamKind::Size { percent: true },
    },
    ParamSpec {
        name: c"nr_inodes",
        kind: ParamKind::Size { percent: false },
    },
    ParamSpec {
        name: c"dirops",
        kind: ParamKind::Enum(DIROPS.values()),
    },
    ParamSpec {
        name: c"completion",
        kind: ParamKind::Enum(COMPLETION.values()),
    },
    ParamSpec {
        name: c"latency_us",
        kind: ParamKind::U32,
    },
    ParamSpec {
        name: c"readdir_prime",
        kind: ParamKind::Enum(ON_OFF.values()),
    },
];

static PARAM_TABLE: ParamTable<10> = ParamTable::new(&PARAMS);

const PAGE_SIZE: u64 = kernel::page::PAGE_SIZE as u64;

/// The pdirfs filesystem type.
pub(crate) struct Pdirfs;

/// A limited count (pages, or bytes of inode space) of one instance.
///
/// Reserve, don't check then charge: [`Budget::take`] is one atomic step
/// that either takes all it asks for within the maximum or takes nothing,
/// so concurrent writers, faulters and fallocators stop at the limit
/// together instead of each checking that there was room and then all
/// overshooting it.  A remount that lowers the maximum ([`Budget::set_max`])
/// and a concurrent `take` cannot both succeed past the new maximum: each
/// makes its change with a fully ordered atomic and then reads the other's
/// variable, so at least one of them sees the other and backs out.
struct Budget {
    used: Atomic<u64>,
    /// `u64::MAX`: unlimited.
    max: Atomic<u64>,
}

impl Budget {
    fn new(max: Option<u64>) -> Self {
        Self {
            used: Atomic::new(0),
            max: Atomic::new(max.unwrap_or(u64::MAX)),
        }
    }

    /// Takes `n` units, or fails with `ENOSPC` and takes nothing.
    fn take(&self, n: u64) -> Result {
        let mut cur = self.used.load(Relaxed);
        let new = loop {
            let new = cur
                .checked_add(n)
                .filter(|&v| v <= self.max.load(Relaxed))
                .ok_or(ENOSPC)?;
            match self.used.cmpxchg(cur, new, Full) {
                Ok(_) => break new,
                Err(actual) => cur = actual,
            }
        };
        // A remount may have lowered the maximum meanwhile (see above).
        if new > self.max.load(Relaxed) {
            self.give(n);
            return Err(ENOSPC);
        }
        Ok(())
    }

    fn give(&self, n: u64) {
        self.used.fetch_sub(n, Relaxed);
    }

    fn used(&self) -> u64 {
        self.used.load(Relaxed)
    }

    fn max(&self) -> Option<u64> {
        Some(self.max.load(Relaxed)).filter(|&m| m != u64::MAX)
    }

    /// Sets a new maximum, refusing one below what is in use.
    fn set_max(&self, max: Option<u64>) -> Result {
        let max = max.unwrap_or(u64::MAX);
        let old = self.max.xchg(max, Full);
        if self.used() > max {
            self.max.store(old, Relaxed);
            return Err(EBUSY);
        }
        Ok(())
    }
}

/// What one inode, or one more hard link to a file, counts against the
/// inode space, in bytes (tmpfs' `BOGO_INODE_SIZE`).  `nr_inodes=N` makes
/// `N` of these; extended attributes take their size out of the same space
/// ([`crate::xattr::space`]).  So a user who can write to the instance can
/// create at most `nr_inodes` inodes and links together, and cannot pin
/// more than that in attribute values either.
const BOGO_INODE_SIZE: u64 = 1024;

/// One mounted pdirfs instance.
pub(crate) struct Instance {
    opts: Pin<KBox<kernel::sync::SpinLock<Options>>>,
    /// Pages of file data and symbolic link targets (`size`).
    pages: Budget,
    /// Bytes of inodes, links and extended attributes (`nr_inodes`, times
    /// [`BOGO_INODE_SIZE`]), as tmpfs' `free_ispace`.
    ispace: Budget,
    /// Fixed at mount: read on every directory operation without a lock.
    dirop: DiropOptions,
}

impl Instance {
    /// The injected round trip of a directory-modifying operation
    /// (`latency_us=`), as to a file server: called at the start of each,
    /// holding what the VFS holds around the method (in shared mode the
    /// name's lock and the directory's `i_rwsem` shared, which serialise
    /// nothing else; in the baseline the exclusive `i_rwsem`, as any
    /// filesystem's method would).  With `completion=async` nothing sleeps
    /// here: the caller has its `-EINPROGRESS` at once, the VFS releases
    /// the directory's `i_rwsem`, and a timer starts the operation's work
    /// item when the reply would arrive ([`FileSystem::async_delay_us`]).
    pub(crate) fn round_trip(&self) {
        if self.dirop.completion != Completion::Async {
            crate::vfs::time::sleep_us_exact(self.dirop.latency_us);
        }
    }

    /// Whether readdir primes the dcache (`readdir_prime=`).
    pub(crate) fn readdir_prime(&self) -> bool {
        self.opts.lock().readdir_prime
    }

    /// Takes one inode, or one more link to an inode that has links, from
    /// the `nr_inodes` budget (`ENOSPC` when it is used up).
    pub(crate) fn take_inode(&self) -> Result {
        self.ispace.take(BOGO_INODE_SIZE)
    }

    /// Gives back what [`Self::take_inode`] took.
    pub(crate) fn give_inode(&self) {
        self.ispace.give(BOGO_INODE_SIZE)
    }

    /// Takes the space of an extended attribute.
    pub(crate) fn take_space(&self, bytes: u64) -> Result {
        self.ispace.take(bytes)
    }

    /// Gives back the space of an extended attribute.
    pub(crate) fn give_space(&self, bytes: u64) {
        if bytes > 0 {
            self.ispace.give(bytes)
        }
    }
}

/// The inode space of `nr_inodes` inodes, in bytes.
fn ispace_of(max_inodes: Option<u64>) -> Option<u64> {
    max_inodes.map(|n| n.saturating_mul(BOGO_INODE_SIZE))
}

/// Allocates a new inode of `spec` in `dir`'s filesystem, charging the inode
/// budget (given back when the inode is evicted).  `setup` adjusts the inode
/// before it gets its data and becomes usable.
///
/// The budget is given back here on every failure, including a failure to
/// allocate the inode's data: an inode that never got its data is evicted
/// without `evicted()` being called, so nothing else would give it back
/// (fault injection found that leak, `tests/shadow_stress.c`).
pub(crate) fn new_inode(
    sb: &SuperBlock<Pdirfs>,
    dir: Option<&Inode>,
    ctx: Option<&crate::vfs::dir::OpCtx<'_>>,
    spec: InodeSpec<Pdirfs>,
    setup: impl FnOnce(&mut NewInode<Pdirfs>),
) -> Result<ARef<Inode>> {
    let kind = FileKind::from_mode(spec.mode).ok_or(EINVAL)?;
    // New inodes inherit "no dump" and "no atime" from their directory, as
    // on tmpfs (`SHMEM_FL_INHERITED`).
    let flags = dir.map_or(0, |d| d.data().flags.load(Relaxed) & INHERITED_FLAGS);
    sb.data().take_inode()?;
    let inode = NewInode::new(sb, dir, ctx, spec)
        .and_then(|mut inode| {
            // Born when its times were first set, as on tmpfs.
            let btime = inode.mtime();
            let node = Node::new(
                kind == FileKind::Dir,
                crate::vfs::mm::random_u64(),
                flags,
                btime,
            )?;
            setup(&mut inode);
            inode.init(node)
        })
        .inspect_err(|_| sb.data().give_inode())?;
    // Not visible to anyone yet.
    inode.apply_file_flags(flags);
    Ok(inode)
}

impl FileSystem for Pdirfs {
    const NAME: &'static CStr = c"pdirfs";
    const MAGIC: u32 = PDIRFS_MAGIC;
    const PARAMS: Params = PARAM_TABLE.params();
    type Options = Options;
    type Data = Instance;
    type InodeData = Node;
    const POSIX_ACL: bool = true;
    const ALLOW_IDMAP: bool = true;
    const FILE_HANDLES: bool = true;

    fn init_options(sb: Option<&SuperBlock<Self>>) -> Result<Options> {
        Ok(match sb {
            Some(sb) => *sb.data().opts.lock(),
            None => Options::tmpfs_defaults(crate::vfs::mm::total_ram_pages()),
        })
    }

    fn parse_param(opts: &mut Options, log: &FcLog<'_>, param: &Param<'_>) -> Result {
        match (param.key.to_bytes(), &param.value) {
            (b"mode", ParamValue::U32(mode)) => {
                if *mode > 0o7777 {
                    return Err(log.invalid(fmt!(
                        "{}={:o}: not a permission mode",
                        param.key,
                        mode
                    )));
                }
                opts.mode = *mode as u16;
            }
            (b"uid", ParamValue::Uid(uid)) => opts.uid = *uid,
            (b"gid", ParamValue::Gid(gid)) => opts.gid = *gid,
            (b"size", ParamValue::Size(size)) => {
                opts.max_bytes = options::limit(size.of(crate::vfs::mm::total_ram_bytes()));
            }
            (b"nr_inodes", ParamValue::Size(count)) => {
                opts.max_inodes = options::limit(count.of(0));
            }
            (b"dirops", ParamValue::Enum(v)) => opts.dirop.shared = *v == 1,
            (b"completion", ParamValue::Enum(v)) => {
                opts.dirop.completion = if *v == 1 {
                    Completion::Async
                } else {
                    Completion::Sync
                }
            }
            (b"latency_us", ParamValue::U32(us)) => {
                if *us > options::MAX_LATENCY_US {
                    return Err(log.invalid(fmt!(
                        "{}={}: at most {} microseconds",
                        param.key,
                        us,
                        options::MAX_LATENCY_US
                    )));
                }
                opts.dirop.latency_us = *us;
            }
            (b"readdir_prime", ParamValue::Enum(v)) => opts.readdir_prime = *v == 1,
            _ => return Err(EINVAL),
        }
        Ok(())
    }

    fn fill_super(opts: &Options, setup: &mut SuperSetup, log: &FcLog<'_>) -> Result<Instance> {
        if !opts.dirop.shared && opts.dirop.completion == Completion::Async {
            return Err(log.invalid(fmt!(
                "completion=async needs dirops=shared (exclusive directories have no _async methods)"
            )));
        }
        setup.dirops = opts.dirop.mode();
        Ok(Instance {
            dirop: opts.dirop,
            opts: KBox::pin_init(kernel::new_spinlock!(*opts, "pdirfs_opts"), GFP_KERNEL)?,
            pages: Budget::new(opts.max_pages()),
            ispace: Budget::new(ispace_of(opts.max_inodes)),
        })
    }

    fn make_root(sb: &SuperBlock<Self>) -> Result<ARef<Inode>> {
        let o = *sb.data().opts.lock();
        let spec = InodeSpec::new(kernel::bindings::S_IFDIR as u16 | o.mode, 0)?;
        new_inode(sb, None, None, spec, |inode| {
            inode.set_owner(o.mode, o.uid, o.gid)
        })
    }

    fn reconfigure(sb: &SuperBlock<Self>, opts: &Options, log: &FcLog<'_>) -> Result {
        let data = sb.data();
        if opts.dirop != data.dirop {
            return Err(log.invalid(fmt!(
                "dirops, completion and latency_us cannot change on remount"
            )));
        }
        let old_pages = data.pages.max();
        // Like tmpfs, a limit below what is in use is an invalid option.
        data.pages.set_max(opts.max_pages()).map_err(|_| {
            log.invalid(fmt!(
                "size: cannot shrink below the {} KiB in use",
                data.pages.used() * PAGE_SIZE / 1024
            ))
        })?;
        if data.ispace.set_max(ispace_of(opts.max_inodes)).is_err() {
            // Leave the instance as it was.
            let _ = data.pages.set_max(old_pages);
            return Err(log.invalid(fmt!(
                "nr_inodes: cannot shrink below the {} inodes in use",
                data.ispace.used().div_ceil(BOGO_INODE_SIZE)
            )));
        }
        *data.opts.lock() = *opts;
        Ok(())
    }

    fn async_delay_us(sb: &SuperBlock<Self>) -> u32 {
        sb.data().dirop.latency_us
    }

    fn teardown(sb: &SuperBlock<Self>) {
        if let Some(root) = sb.root() {
            crate::dir::release_tree(root);
        }
    }

    fn statfs(sb: &SuperBlock<Self>) -> StatFs {
        let d = sb.data();
        let ram = crate::vfs::mm::total_ram_pages();
        // Unlimited instances report RAM as their size, so that df shows
        // them (as it does not show filesystems with zero blocks).
        let blocks = d.pages.max().unwrap_or(ram);
        let used_inodes = d.ispace.used().div_ceil(BOGO_INODE_SIZE);
        let files = d.ispace.max().map_or(ram / 2, |m| m / BOGO_INODE_SIZE);
        StatFs {
            blocks,
            bfree: blocks.saturating_sub(d.pages.used()),
            files,
            ffree: files.saturating_sub(used_inodes),
        }
    }

    fn show_options(sb: &SuperBlock<Self>, m: &SeqFile) {
        let o = *sb.data().opts.lock();
        if o.mode != options::DEFAULT_MODE {
            seq_print!(m, ",mode={:03o}", o.mode);
        }
        if o.uid != 0 {
            seq_print!(m, ",uid={}", o.uid);
        }
        if o.gid != 0 {
            seq_print!(m, ",gid={}", o.gid);
        }
        match o.max_bytes {
            Some(b) => seq_print!(m, ",size={}k", b / 1024),
            None => seq_print!(m, ",size=0"),
        }
        match o.max_inodes {
            Some(n) => seq_print!(m, ",nr_inodes={}", n),
            None => seq_print!(m, ",nr_inodes=0"),
        }
        let d = sb.data().dirop;
        seq_print!(
            m,
            ",dirops={},completion={}",
            if d.shared { "shared" } else { "exclusive" },
            match d.completion {
                Completion::Sync => "sync",
                Completion::Async => "async",
            }
        );
        if d.latency_us != 0 {
            seq_print!(m, ",latency_us={}", d.latency_us);
        }
        if !o.readdir_prime {
            seq_print!(m, ",readdir_prime=off");
        }
    }

    fn charge_pages(inode: &Inode, n: u64) -> Result {
        inode.super_block().data().pages.take(n)
    }

    fn uncharge_pages(inode: &Inode, n: u64) {
        inode.super_block().data().pages.give(n)
    }

    fn xattr_get(inode: &Inode, name: &[u8], buf: Option<&mut [u8]>) -> Result<usize> {
        inode.data().xattrs.get(name, buf)
    }

    fn xattr_set(inode: &Inode, name: &[u8], value: Option<&[u8]>, flags: u32) -> Result {
        // The new value's space is taken first: reserve, then store.
        let data = inode.super_block().data();
        let space = value.map_or(0, |v| crate::xattr::space(name.len(), v.len()));
        data.take_space(space)?;
        match inode.data().xattrs.set(name, value, flags) {
            Ok(freed) => {
                data.give_space(freed);
                Ok(())
            }
            Err(e) => {
                data.give_space(space);
                Err(e)
            }
        }
    }

    fn xattr_list(inode: &Inode, trusted: bool, buf: Option<&mut [u8]>) -> Result<usize> {
        inode.data().xattrs.list(trusted, buf)
    }

    const FILE_FLAGS: u32 = FILE_FLAGS;

    fn file_flags(inode: &Inode) -> u32 {
        inode.data().flags.load(Relaxed)
    }

    fn set_file_flags(inode: &Inode, flags: u32) {
        inode.data().flags.store(flags, Relaxed)
    }

    fn charge_acl(sb: &SuperBlock<Self>, bytes: u64) -> Result {
        sb.data().take_space(bytes)
    }

    fn uncharge_acl(sb: &SuperBlock<Self>, bytes: u64) {
        sb.data().give_space(bytes)
    }

    fn birth_time(inode: &Inode) -> Option<(i64, u32)> {
        Some(inode.data().btime)
    }

    fn parent_dir(dir: &Inode) -> Option<ARef<Inode>> {
        dir.data().index().ok()?.lock().parent().cloned()
    }

    fn evicted(inode: &Inode) {
        // The page cache is gone (and given back) by now.
        let data = inode.super_block().data();
        data.give_space(inode.data().xattrs.space());
        data.give_inode();
    }
}

#[kunit_tests(pdirfs_limits)]
mod tests {
    use super::*;

    #[test]
    fn budget_takes_until_full() {
        let b = Budget::new(Some(3));
        assert_eq!(b.take(2), Ok(()));
        assert_eq!(b.take(2), Err(ENOSPC));
        // A failed take takes nothing.
        assert_eq!(b.used(), 2);
        assert_eq!(b.take(1), Ok(()));
        assert_eq!(b.take(1), Err(ENOSPC));
        b.give(3);
        assert_eq!(b.used(), 0);
    }

    #[test]
    fn unlimited_budget() {
        let b = Budget::new(None);
        assert_eq!(b.max(), None);
        assert_eq!(b.take(u64::MAX - 1), Ok(()));
        assert_eq!(b.take(2), Err(ENOSPC));
    }

    #[test]
    fn cannot_shrink_below_usage() {
        let b = Budget::new(Some(10));
        assert_eq!(b.take(6), Ok(()));
        assert_eq!(b.set_max(Some(5)), Err(EBUSY));
        assert_eq!(b.max(), Some(10));
        assert_eq!(b.set_max(Some(6)), Ok(()));
        assert_eq!(b.take(1), Err(ENOSPC));
        assert_eq!(b.set_max(None), Ok(()));
        assert_eq!(b.take(1), Ok(()));
    }
}
