// SPDX-License-Identifier: GPL-2.0

//! Mount parameters: tables for `fs_parse()` and the values it returns.
//!
//! C reference: `include/linux/fs_parser.h`, `include/linux/fs_context.h`.

use kernel::{
    bindings,
    prelude::*,
    str::{CStr, CString},
};

/// The type of a mount parameter, as `fs_parse()` validates it.
#[derive(Clone, Copy)]
pub enum ParamKind {
    /// A string, interpreted by the filesystem (`fsparam_string`).
    String,
    /// A decimal `u32` (`fsparam_u32` with base 10).
    U32,
    /// A `u32` in octal (`fsparam_u32oct`), e.g. a mode.
    U32Oct,
    /// A boolean in the kernel's spellings: `0`/`1`, `false`/`true`,
    /// `no`/`yes` (`fsparam_bool`).
    Bool,
    /// One of a set of names, each standing for a number (`fsparam_enum`).
    Enum(EnumValues),
    /// A user id, mapped through the mounter's user namespace.
    Uid,
    /// A group id, mapped through the mounter's user namespace.
    Gid,
    /// A size or count as tmpfs spells them (`size=`, `nr_inodes=`): a
    /// decimal number with an optional binary suffix `k`, `m`, `g`, `t`,
    /// `p` or `e` (either case), or, if `percent`, a percentage (`50%`)
    /// that the filesystem resolves.  The C parser has no such type: the
    /// layer takes the string (`fs_param_is_string`) and parses it, more
    /// strictly than `memparse()`: trailing garbage and overflow are
    /// errors, so that a typo cannot silently become another limit.
    Size {
        /// Whether `N%` is accepted.
        percent: bool,
    },
}

/// One parameter of a [`ParamTable`].
pub struct ParamSpec {
    /// The parameter's name, e.g. `c"size"`.
    pub name: &'static CStr,
    /// How `fs_parse()` validates its value.
    pub kind: ParamKind,
}

/// A table of mount parameters in the layout `fs_parse()` expects: an array of
/// `struct fs_parameter_spec` terminated by an all-zero entry.
///
/// Build it with [`ParamTable::new`] in a `static`, and give the
/// filesystem type its [`ParamTable::params`].
///
/// # Invariants
///
/// `specs[..N - 1]` describe `params` in order, with `opt` equal to their
/// index, `specs[N - 1]` is all zero, and every `name` points to a `'static`
/// C string.
pub struct ParamTable<const N: usize> {
    specs: [bindings::fs_parameter_spec; N],
    params: &'static [ParamSpec],
}

// SAFETY: The table is immutable after construction and only holds pointers
// to `'static` strings and C functions, which may be shared between threads.
unsafe impl<const N: usize> Sync for ParamTable<N> {}

impl<const N: usize> ParamTable<N> {
    /// Builds the table from `params`; `N` must be `params.len() + 1`.
    pub const fn new(params: &'static [ParamSpec]) -> Self {
        assert!(
            params.len() + 1 == N,
            "ParamTable<N> needs N == params.len() + 1"
        );
        assert!(N <= u8::MAX as usize, "too many mount parameters");
        // The all-zero entry is the terminator `fs_parse()` stops at.
        let mut specs = [bindings::fs_parameter_spec {
            name: core::ptr::null(),
            type_: None,
            opt: 0,
            flags: 0,
            data: core::ptr::null(),
        }; N];
        let mut i = 0;
        while i < params.len() {
            let p = &params[i];
            let (type_, data): (bindings::fs_param_type, *const core::ffi::c_void) = match p.kind {
                ParamKind::String => (Some(bindings::fs_param_is_string), core::ptr::null()),
                // `data` is the number base for fs_param_is_u32() (0, as
                // `fsparam_u32` has it, would also take hex and octal).
                ParamKind::U32 => (
                    Some(bindings::fs_param_is_u32),
                    core::ptr::without_provenance(10),
                ),
                ParamKind::U32Oct => (
                    Some(bindings::fs_param_is_u32),
                    core::ptr::without_provenance(8),
                ),
                ParamKind::Bool => (Some(bindings::fs_param_is_bool), core::ptr::null()),
                // `data` is the table of names for fs_param_is_enum().
                ParamKind::Enum(v) => (Some(bindings::fs_param_is_enum), v.table.as_ptr().cast()),
                ParamKind::Uid => (Some(bindings::fs_param_is_uid), core::ptr::null()),
                ParamKind::Gid => (Some(bindings::fs_param_is_gid), core::ptr::null()),
                ParamKind::Size { .. } => (Some(bindings::fs_param_is_string), core::ptr::null()),
            };
            // `as_char_ptr()` is not `const`; the cast is what it does.
            #[allow(clippy::disallowed_methods)]
            let name = p.name.as_ptr().cast();
            specs[i] = bindings::fs_parameter_spec {
                name,
                type_,
                opt: i as u8,
                flags: 0,
                data,
            };
            i += 1;
        }
        Self { specs, params }
    }

    /// The parameters of a filesystem type ([`super::fs_type::FileSystem::PARAMS`]).
    pub const fn params(&'static self) -> Params {
        // INVARIANT: `specs` is a valid table of `params` (ours).
        Params {
            table: &self.specs,
            specs: self.params,
        }
    }
}

/// The mount parameters of a filesystem type: a C table for `fs_parse()`
/// and, for each entry, its [`ParamSpec`].  Made only by
/// [`ParamTable::params`] (or [`Params::NONE`]), so the two agree.
///
/// # Invariants
///
/// `table` is terminated by an all-zero entry and describes `specs`, entry
/// `i` with `opt == i`.
#[derive(Clone, Copy)]
pub struct Params {
    table: &'static [bindings::fs_parameter_spec],
    specs: &'static [ParamSpec],
}

/// An empty table: only the terminator.
static NO_PARAMS: ParamTable<1> = ParamTable::new(&[]);

impl Params {
    /// No mount parameters.
    pub const NONE: Params = NO_PARAMS.params();

    /// The C table, as `file_system_type::parameters` and `fs_parse()` take it.
    pub(super) fn table(&self) -> *const bindings::fs_parameter_spec {
        self.table.as_ptr()
    }

    /// The parameter `fs_parse()` returned index `opt` for.
    pub(super) fn spec(&self, opt: usize) -> Option<&'static ParamSpec> {
        self.specs.get(opt)
    }
}

/// A parameter value that `fs_parse()` validated.
pub enum ParamValue<'a> {
    /// For [`ParamKind::String`].
    String(&'a CStr),
    /// For [`ParamKind::U32`] and [`ParamKind::U32Oct`].
    U32(u32),
    /// For [`ParamKind::Bool`].
    Bool(bool),
    /// For [`ParamKind::Enum`]: the number the name stands for.
    Enum(u32),
    /// For [`ParamKind::Uid`]: the id in the initial user namespace.
    Uid(u32),
    /// For [`ParamKind::Gid`]: the id in the initial user namespace.
    Gid(u32),
    /// For [`ParamKind::Size`].
    Size(Size),
}

/// A value of a [`ParamKind::Size`] parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// A number, its suffix applied.
    Value(u64),
    /// `N%`, `N` at most 100 (only where the parameter allows it).
    Percent(u32),
}

impl Size {
    /// The value, a percentage taken of `whole` (rounded down, without
    /// overflow).
    pub fn of(self, whole: u64) -> u64 {
        match self {
            Size::Value(v) => v,
            // whole * n / 100 without overflow: with whole = 100q + r, that
            // is q*n + r*n/100 (and r*n < 10000).
            Size::Percent(n) => whole / 100 * u64::from(n) + whole % 100 * u64::from(n) / 100,
        }
    }
}

/// Parses the value of a [`ParamKind::Size`] parameter (see there).
pub fn parse_size(s: &[u8], percent: bool) -> Result<Size> {
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return Err(EINVAL);
    }
    let mut n: u64 = 0;
    for &c in &s[..digits] {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(c - b'0')))
            .ok_or(EINVAL)?;
    }
    let shift = match &s[digits..] {
        [] => 0,
        [b'k' | b'K'] => 10,
        [b'm' | b'M'] => 20,
        [b'g' | b'G'] => 30,
        [b't' | b'T'] => 40,
        [b'p' | b'P'] => 50,
        [b'e' | b'E'] => 60,
        [b'%'] if percent && n <= 100 => return Ok(Size::Percent(n as u32)),
        _ => return Err(EINVAL),
    };
    if shift > 0 && n > (u64::MAX >> shift) {
        return Err(EINVAL);
    }
    Ok(Size::Value(n << shift))
}

/// The names of a [`ParamKind::Enum`] parameter and the numbers they stand
/// for, in the layout `fs_param_is_enum()` reads: an array of `struct
/// constant_table` terminated by an all-zero entry.  Build it with
/// [`EnumTable::new`] in a `static`, and use its [`EnumTable::values`].
///
/// # Invariants
///
/// `table[N - 1]` is all zero and every `name` of the others points to a
/// `'static` C string.
pub struct EnumTable<const N: usize> {
    table: [bindings::constant_table; N],
}

// SAFETY: The table is immutable and holds only pointers to `'static`
// strings, which may be shared between threads.
unsafe impl<const N: usize> Sync for EnumTable<N> {}

impl<const N: usize> EnumTable<N> {
    /// Builds the table; `N` must be `values.len() + 1`.
    pub const fn new(values: &[(&'static CStr, u32)]) -> Self {
        assert!(
            values.len() + 1 == N,
            "EnumTable<N> needs N == values.len() + 1"
        );
        let mut table = [bindings::constant_table {
            name: core::ptr::null(),
            value: 0,
        }; N];
        let mut i = 0;
        while i < values.len() {
            assert!(values[i].1 <= i32::MAX as u32, "enum values are C ints");
            // `as_char_ptr()` is not `const`; the cast is what it does.
            #[allow(clippy::disallowed_methods)]
            let name = values[i].0.as_ptr().cast();
            table[i] = bindings::constant_table {
                name,
                value: values[i].1 as i32,
            };
            i += 1;
        }
        Self { table }
    }

    /// The table, for [`ParamKind::Enum`].
    pub const fn values(&'static self) -> EnumValues {
        EnumValues { table: &self.table }
    }
}

/// A terminated table of enum names made by [`EnumTable::values`].
#[derive(Clone, Copy)]
pub struct EnumValues {
    table: &'static [bindings::constant_table],
}

/// A parsed parameter: its index in the filesystem's table and its value.
pub struct Param<'a> {
    /// Index of the parameter in the table it was declared in.
    pub index: usize,
    /// The parameter's name as the user gave it.
    pub key: &'a CStr,
    /// The validated value.
    pub value: ParamValue<'a>,
}

/// The error log of a filesystem context: messages appear in the kernel log
/// and are readable by `fsconfig()` callers from the context's fd.
///
/// # Invariants
///
/// `fc` points to a valid `struct fs_context` for the lifetime `'a`.
pub struct FcLog<'a> {
    fc: *mut bindings::fs_context,
    _p: core::marker::PhantomData<&'a ()>,
}

impl FcLog<'_> {
    /// # Safety
    ///
    /// `fc` must be valid for the returned lifetime.
    pub unsafe fn from_raw<'a>(fc: *mut bindings::fs_context) -> FcLog<'a> {
        FcLog {
            fc,
            _p: core::marker::PhantomData,
        }
    }

    /// Logs an error with the filesystem's name as prefix (`errorf()`), and
    /// returns `EINVAL` so callers can write `return Err(log.invalid(...))`.
    pub fn invalid(&self, msg: core::fmt::Arguments<'_>) -> Error {
        self.log(b'e', msg);
        EINVAL
    }

    /// Logs an error (`errorf()`).
    pub fn error(&self, msg: core::fmt::Arguments<'_>) {
        self.log(b'e', msg);
    }

    fn log(&self, level: u8, msg: core::fmt::Arguments<'_>) {
        let Ok(s) = CString::try_from_fmt(msg) else {
            return;
        };
        // SAFETY: By the type invariant `fc` is valid; `logfc()` copies the
        // formatted message, and "%s" consumes exactly the one C string
        // argument passed.  As `invalfc()` does, the prefix is the one the
        // VFS set up for this context (the filesystem's name).
        unsafe {
            bindings::logfc(
                (*self.fc).log.log,
                (*self.fc).log.prefix,
                level,
                c"%s".as_char_ptr(),
                s.as_char_ptr(),
            )
        };
    }
}
