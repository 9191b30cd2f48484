// SPDX-License-Identifier: GPL-2.0

//! The pdirfs filesystem type: mount options and instances.

#![forbid(unsafe_code)]

use crate::options::{self, Options};
use crate::vfs::{
    fs_type::FileSystem,
    inode::RootInode,
    param::{FcLog, Param, ParamKind, ParamSpec, ParamTable, ParamValue},
    sb::SuperBlock,
};
use kernel::{prelude::*, str::CStr};

/// `statfs()` `f_type` of pdirfs: "PDIR".
pub(crate) const PDIRFS_MAGIC: u32 = 0x5044_4952;

/// The mount parameters, in table order.
const PARAMS: [ParamSpec; 5] = [
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
    ParamSpec {
        name: c"size",
        kind: ParamKind::String,
    },
    ParamSpec {
        name: c"nr_inodes",
        kind: ParamKind::String,
    },
];
const OPT_MODE: usize = 0;
const OPT_UID: usize = 1;
const OPT_GID: usize = 2;
const OPT_SIZE: usize = 3;
const OPT_NR_INODES: usize = 4;

static PARAM_TABLE: ParamTable<6> = ParamTable::new(&PARAMS);

/// The pdirfs filesystem type.
pub(crate) struct Pdirfs;

/// One mounted pdirfs instance.
pub(crate) struct Instance {
    opts: Options,
}

impl FileSystem for Pdirfs {
    const NAME: &'static CStr = c"pdirfs";
    const MAGIC: u32 = PDIRFS_MAGIC;
    const PARAMS: &'static [ParamSpec] = &PARAMS;
    const PARAM_TABLE: *const kernel::bindings::fs_parameter_spec = PARAM_TABLE.as_ptr();
    type Options = Options;
    type Data = Instance;

    fn init_options(sb: Option<&SuperBlock<Self>>) -> Result<Options> {
        Ok(sb.map_or_else(Options::default, |sb| sb.data().opts))
    }

    fn parse_param(opts: &mut Options, log: &FcLog<'_>, param: &Param<'_>) -> Result {
        match (param.index, &param.value) {
            (OPT_MODE, ParamValue::U32(mode)) => {
                if *mode > 0o7777 {
                    return Err(log.invalid(fmt!(
                        "{}={:o}: not a permission mode",
                        param.key,
                        mode
                    )));
                }
                opts.mode = *mode as u16;
            }
            (OPT_UID, ParamValue::Uid(uid)) => opts.uid = *uid,
            (OPT_GID, ParamValue::Gid(gid)) => opts.gid = *gid,
            (OPT_SIZE, ParamValue::String(s)) => {
                let n = options::parse_size(s.to_bytes(), crate::vfs::mm::total_ram_bytes())
                    .inspect_err(|_| {
                        log.error(fmt!(
                            "{}={}: expected bytes with k/m/g suffix or a percentage of RAM",
                            param.key,
                            s
                        ))
                    })?;
                opts.max_bytes = options::limit(n);
            }
            (OPT_NR_INODES, ParamValue::String(s)) => {
                let n = options::parse_count(s.to_bytes()).inspect_err(|_| {
                    log.error(fmt!(
                        "{}={}: expected a count with optional k/m/g suffix",
                        param.key,
                        s
                    ))
                })?;
                opts.max_inodes = options::limit(n);
            }
            _ => return Err(EINVAL),
        }
        Ok(())
    }

    fn fill_super(opts: &Options, _log: &FcLog<'_>) -> Result<Instance> {
        Ok(Instance { opts: *opts })
    }

    fn make_root(sb: &SuperBlock<Self>) -> Result<RootInode> {
        let o = &sb.data().opts;
        RootInode::new_simple_dir(sb, o.mode, o.uid, o.gid)
    }

    fn reconfigure(_sb: &SuperBlock<Self>, _opts: &Options, _log: &FcLog<'_>) -> Result {
        // Limits become adjustable with the real filesystem; until then a
        // remount keeps what the mount set.
        Ok(())
    }
}
