// SPDX-License-Identifier: GPL-2.0

//! The directory index: the store of a directory's entries.
//!
//! pdirfs keeps its namespace here, not in the dcache: the dcache is only a
//! cache in front of it, and dentries can be dropped at any time.  Each entry
//! gets a *position* (a cookie) when it is inserted, from a per-directory
//! counter that only grows, and readdir walks entries in position order.  So
//! an entry that exists for the whole of a readdir is emitted exactly once,
//! whatever else is inserted or removed meanwhile, and `telldir()` positions
//! stay valid across calls.
//!
//! Two red-black trees index the entries: by position (for readdir), and by
//! (name hash, position) (for lookup; names with the same hash are told apart
//! by comparing the names).  Everything an insertion allocates is reserved
//! beforehand ([`Reservation`]), and a removal hands the entry back, so the
//! caller's lock around the index is never held across an allocation or the
//! drop of an item (an `iput()`).

#![forbid(unsafe_code)]

use kernel::{
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
};

/// First position of an entry; 0 and 1 are "." and "..".
pub(crate) const FIRST_POS: u64 = 2;

/// One directory entry.
pub(crate) struct Entry<I> {
    name: KVec<u8>,
    hash: u64,
    /// What the entry refers to (an inode, in the filesystem).
    pub(crate) item: I,
}

impl<I> Entry<I> {
    /// The entry's name.
    pub(crate) fn name(&self) -> &[u8] {
        &self.name
    }
}

/// The memory one insertion needs, allocated before taking the lock.
pub(crate) struct Reservation<I> {
    pos_node: RBTreeNodeReservation<u64, Entry<I>>,
    name_node: RBTreeNodeReservation<(u64, u64), ()>,
    name: KVec<u8>,
}

impl<I> Reservation<I> {
    /// Reserves an insertion of `name`.
    pub(crate) fn new(name: &[u8]) -> Result<Self> {
        // Charged to the caller's memory cgroup: a user who makes entries
        // pays for them (the dentries are charged by the dcache).
        let mut v = KVec::with_capacity(name.len(), GFP_KERNEL_ACCOUNT)?;
        v.extend_from_slice(name, GFP_KERNEL_ACCOUNT)?;
        Ok(Self {
            pos_node: RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?,
            name_node: RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?,
            name: v,
        })
    }
}

/// The entries of one directory.
pub(crate) struct Index<I> {
    by_pos: RBTree<u64, Entry<I>>,
    by_name: RBTree<(u64, u64), ()>,
    next_pos: u64,
    len: usize,
    seed: u64,
    /// The directory that holds this one (none for the root), for file
    /// handles of directories (`get_parent`).
    parent: Option<I>,
}

impl<I> Index<I> {
    /// An empty index; `seed` keys the name hash (so that names colliding in
    /// one directory cannot be precomputed).
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            by_pos: RBTree::new(),
            by_name: RBTree::new(),
            next_pos: FIRST_POS,
            len: 0,
            seed,
            parent: None,
        }
    }

    /// The directory that holds this one.
    pub(crate) fn parent(&self) -> Option<&I> {
        self.parent.as_ref()
    }

    /// Records the directory that now holds this one; returns the former,
    /// for the caller to drop after unlocking.
    pub(crate) fn set_parent(&mut self, parent: I) -> Option<I> {
        self.parent.replace(parent)
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the directory is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The position the next inserted entry will get: every entry there
    /// now is below it.
    pub(crate) fn next_pos(&self) -> u64 {
        self.next_pos
    }

    /// FNV-1a over the seed and the name: cheap, and good enough to spread
    /// names over the tree; collisions only cost a name comparison.
    fn hash(&self, name: &[u8]) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ self.seed;
        for &b in name {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }

    /// The position of `name`, if present.
    fn find_pos(&self, name: &[u8], hash: u64) -> Option<u64> {
        let mut key = (hash, 0);
        while let Some(cursor) = self.by_name.cursor_lower_bound(&key) {
            let &(h, pos) = cursor.current().0;
            if h != hash {
                return None;
            }
            if self.by_pos.get(&pos).is_some_and(|e| e.name == name) {
                return Some(pos);
            }
            key = (hash, pos + 1);
        }
        None
    }

    /// Looks up `name`.
    pub(crate) fn get(&self, name: &[u8]) -> Option<&Entry<I>> {
        let pos = self.find_pos(name, self.hash(name))?;
        self.by_pos.get(&pos)
    }

    /// Looks up `name` for changing its item.
    pub(crate) fn get_mut(&mut self, name: &[u8]) -> Option<&mut Entry<I>> {
        let pos = self.find_pos(name, self.hash(name))?;
        self.by_pos.get_mut(&pos)
    }

    /// Whether `name` is present.
    pub(crate) fn contains(&self, name: &[u8]) -> bool {
        self.find_pos(name, self.hash(name)).is_some()
    }

    /// Inserts the name reserved in `res` with `item`, at a new position
    /// after all existing ones, which it returns.  The caller has checked
    /// that the name is absent ([`Self::contains`]) under the same lock.
    pub(crate) fn insert(&mut self, res: Reservation<I>, item: I) -> u64 {
        let pos = self.next_pos;
        self.next_pos += 1;
        let hash = self.hash(&res.name);
        let entry = Entry {
            name: res.name,
            hash,
            item,
        };
        self.by_name
            .insert(res.name_node.into_node((hash, pos), ()));
        self.by_pos.insert(res.pos_node.into_node(pos, entry));
        self.len += 1;
        pos
    }

    /// Replaces the item of `name`, handing the old one back (drop it after
    /// unlocking); if `name` is absent, `item` itself comes back as the
    /// error, so that it is not dropped under the caller's lock either.
    pub(crate) fn replace_item(&mut self, name: &[u8], item: I) -> Result<I, I> {
        match self.get_mut(name) {
            Some(e) => Ok(core::mem::replace(&mut e.item, item)),
            None => Err(item),
        }
    }

    /// Removes `name`, handing the entry back (drop it after unlocking).
    pub(crate) fn remove(&mut self, name: &[u8]) -> Option<Entry<I>> {
        let pos = self.find_pos(name, self.hash(name))?;
        let entry = self.by_pos.remove(&pos)?;
        self.by_name.remove(&(entry.hash, pos));
        self.len -= 1;
        Some(entry)
    }

    /// The first entry at position `pos` or after, with its position.
    pub(crate) fn next_from(&self, pos: u64) -> Option<(u64, &Entry<I>)> {
        let p = *self.by_pos.cursor_lower_bound(&pos)?.current().0;
        self.by_pos.get(&p).map(|e| (p, e))
    }

    /// Takes all entries out, leaving the index empty (for unmount).
    pub(crate) fn take_all(&mut self) -> RBTree<u64, Entry<I>> {
        self.by_name = RBTree::new();
        self.len = 0;
        core::mem::take(&mut self.by_pos)
    }
}

#[kunit_tests(pdirfs_index)]
mod tests {
    use super::*;

    fn add(ix: &mut Index<u32>, name: &[u8], item: u32) -> Result<u64> {
        assert!(!ix.contains(name));
        Ok(ix.insert(Reservation::new(name)?, item))
    }

    #[test]
    fn insert_lookup_remove() -> Result {
        let mut ix = Index::new(42);
        assert!(ix.is_empty());
        add(&mut ix, b"a", 1)?;
        add(&mut ix, b"bb", 2)?;
        add(&mut ix, b"", 3)?;
        assert_eq!(ix.len(), 3);
        assert_eq!(ix.get(b"a").map(|e| e.item), Some(1));
        assert_eq!(ix.get(b"bb").map(|e| e.item), Some(2));
        assert_eq!(ix.get(b"b").map(|e| e.item), None);
        assert_eq!(ix.get(b"bbb").map(|e| e.item), None);
        assert_eq!(ix.remove(b"a").map(|e| e.item), Some(1));
        assert_eq!(ix.remove(b"a").map(|e| e.item), None);
        assert!(ix.get(b"a").is_none());
        assert_eq!(ix.len(), 2);
        assert_eq!(ix.replace_item(b"bb", 20), Ok(2));
        assert_eq!(ix.replace_item(b"zz", 9), Err(9));
        assert_eq!(ix.get(b"bb").map(|e| e.item), Some(20));
        Ok(())
    }

    #[test]
    fn many_names_and_collisions() -> Result {
        // Seed 0 and a constant hash would be the worst case; names with a
        // common prefix exercise the compare-by-name path anyway.
        let mut ix = Index::new(0);
        let mut name = [0u8; 8];
        for i in 0..500u32 {
            name[..4].copy_from_slice(&i.to_le_bytes());
            add(&mut ix, &name, i)?;
        }
        for i in 0..500u32 {
            name[..4].copy_from_slice(&i.to_le_bytes());
            assert_eq!(ix.get(&name).map(|e| e.item), Some(i));
        }
        for i in (0..500u32).step_by(2) {
            name[..4].copy_from_slice(&i.to_le_bytes());
            assert!(ix.remove(&name).is_some());
        }
        assert_eq!(ix.len(), 250);
        for i in 0..500u32 {
            name[..4].copy_from_slice(&i.to_le_bytes());
            assert_eq!(ix.contains(&name), i % 2 == 1);
        }
        Ok(())
    }

    #[test]
    fn positions_only_grow() -> Result {
        let mut ix = Index::new(7);
        let a = add(&mut ix, b"a", 1)?;
        let b = add(&mut ix, b"b", 2)?;
        assert_eq!(a, FIRST_POS);
        assert!(b > a);
        ix.remove(b"b");
        // A re-created name gets a new, larger position: a reader that
        // already passed "b" will see the new "b" (it is a new entry), one
        // that has not yet will see it once.
        let b2 = add(&mut ix, b"b", 3)?;
        assert!(b2 > b);
        Ok(())
    }

    /// Walks the index as readdir does, mutating it between steps: entries
    /// present throughout are seen exactly once, in position order.
    #[test]
    fn cursor_stable_under_mutation() -> Result {
        let mut ix = Index::new(3);
        for i in 0..10u32 {
            add(&mut ix, &[b'k', b'0' + i as u8], i)?;
        }
        let mut seen = [0u32; 10];
        let mut pos = FIRST_POS;
        let mut step = 0u32;
        while let Some((p, e)) = ix.next_from(pos) {
            assert!(p >= pos);
            let item = e.item;
            if item < 10 {
                seen[item as usize] += 1;
            }
            pos = p + 1;
            step += 1;
            // Churn: remove an entry already passed and one not yet reached
            // (k9: it must then not be seen), add new ones.
            if step == 3 {
                ix.remove(b"k0");
                ix.remove(b"k9");
            }
            add(&mut ix, &[b'n', step as u8], 100 + step)?;
            if step > 40 {
                break;
            }
        }
        for (i, &n) in seen.iter().enumerate() {
            let expect = if i == 9 { 0 } else { 1 };
            assert_eq!(n, expect);
        }
        Ok(())
    }

    #[test]
    fn take_all_empties() -> Result {
        let mut ix = Index::new(1);
        add(&mut ix, b"x", 1)?;
        add(&mut ix, b"y", 2)?;
        let all = ix.take_all();
        assert_eq!(all.iter().count(), 2);
        assert!(ix.is_empty());
        assert!(ix.get(b"x").is_none());
        add(&mut ix, b"x", 3)?;
        assert_eq!(ix.get(b"x").map(|e| e.item), Some(3));
        Ok(())
    }
}
