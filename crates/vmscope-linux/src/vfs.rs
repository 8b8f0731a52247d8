//! What a descriptor or a current directory names, read from the kernel's own structures.
//!
//! `task_struct.files` → `files_struct.fdt` → `fdtable.fd[n]` → `struct file` → `f_path` (a mount and a
//! dentry) → the dentry's names up to the mount's root, continuing at the mount point in the parent
//! mount, up to the mount that is its own parent — what the kernel's `d_path` does, without locks.
//! Pipes, sockets and anonymous inodes are named as the kernel names them (`pipe:[ino]`,
//! `socket:[ino]`, `anon_inode:[eventfd]`) from their superblock's magic number.
//!
//! Guest memory is hostile: every pointer must be a kernel address, every walk is bounded (components,
//! mounts, name lengths, descriptor indexes) and cycle-checked, and a failed read gives `None`.
//! The structures can change under us (another vCPU closing a descriptor): a name read here is the
//! kernel's view at one instant, at best.

use std::collections::HashSet;

use vmscope_core::guest::GuestMemory;

use crate::btf::VfsLayout;
use crate::task::is_kernel_addr;

/// Most path components followed (a path of 4096 bytes has at most 2048).
pub const MAX_COMPONENTS: usize = 2048;
/// Most mounts crossed on the way to the root.
pub const MAX_MOUNTS: usize = 64;
/// Longest component name read (the kernel's `NAME_MAX`).
pub const NAME_MAX: u32 = 255;
/// Longest path built (the kernel's `PATH_MAX`).
pub const PATH_MAX: usize = 4096;
/// Highest descriptor table size trusted (the kernel's default `nr_open` is 1048576).
pub const MAX_FDS: u32 = 1 << 20;

// Superblock magic numbers, from /usr/include/linux/magic.h.
const PIPEFS_MAGIC: u64 = 0x5049_5045;
const SOCKFS_MAGIC: u64 = 0x534f_434b;
const ANON_INODE_FS_MAGIC: u64 = 0x0904_1934;

impl VfsLayout {
    /// Whether `addr` is a kernel address of this kernel (the upper half; above 3 GiB on i386).
    fn is_kernel(&self, addr: u64) -> bool {
        if self.pointer_size == 4 {
            (0xc000_0000..=0xffff_ffff).contains(&addr)
        } else {
            is_kernel_addr(addr)
        }
    }

    /// Reads an `unsigned long` (or a pointer) of this kernel's size.
    fn read_word<M: GuestMemory + ?Sized>(&self, mem: &mut M, addr: u64) -> Option<u64> {
        crate::kspace::read_word(mem, self.pointer_size, addr)
    }
}

/// A kernel pointer at `addr`, read at the kernel's word size; `None` unless it points into the
/// kernel and is aligned.
pub(crate) fn ptr<M: GuestMemory + ?Sized>(mem: &mut M, l: &VfsLayout, addr: u64) -> Option<u64> {
    let align = u64::from(l.pointer_size.max(1));
    l.read_word(mem, addr)
        .filter(|&p| l.is_kernel(p) && p.is_multiple_of(align))
}

fn at(base: u64, off: u64) -> Option<u64> {
    base.checked_add(off)
}

/// The `struct file *` of descriptor `fd` of `task`, `None` when closed or unreadable.
pub fn task_fd_file<M: GuestMemory + ?Sized>(
    mem: &mut M,
    l: &VfsLayout,
    task: u64,
    fd: i64,
) -> Option<u64> {
    let files = task_files(mem, l, task)?;
    files_fd_file(mem, l, files, fd)
}

/// The `struct files_struct *` of `task` (shared by threads and `CLONE_FILES` children).
pub fn task_files<M: GuestMemory + ?Sized>(mem: &mut M, l: &VfsLayout, task: u64) -> Option<u64> {
    if !l.is_kernel(task) {
        return None;
    }
    ptr(mem, l, at(task, l.task_files)?)
}

fn files_fd_file<M: GuestMemory + ?Sized>(
    mem: &mut M,
    l: &VfsLayout,
    files: u64,
    fd: i64,
) -> Option<u64> {
    let fd = u32::try_from(fd).ok()?;
    let fdt = ptr(mem, l, at(files, l.files_fdt)?)?;
    let max = mem.read_u32(at(fdt, l.fdt_max_fds)?)?;
    if fd >= max.min(MAX_FDS) {
        return None;
    }
    let array = ptr(mem, l, at(fdt, l.fdt_fd)?)?;
    ptr(
        mem,
        l,
        at(array, u64::from(fd) * u64::from(l.pointer_size))?,
    )
}

/// What `struct file` `file` names: an absolute path, `pipe:[ino]`, `socket:[ino]`, `anon_inode:NAME`.
pub fn file_name<M: GuestMemory + ?Sized>(mem: &mut M, l: &VfsLayout, file: u64) -> Option<String> {
    let p = at(file, l.file_path)?;
    let mnt = ptr(mem, l, at(p, l.path_mnt)?)?;
    let dentry = ptr(mem, l, at(p, l.path_dentry)?)?;
    if let Some(sb) = ptr(mem, l, at(dentry, l.dentry_sb)?) {
        let magic = l.read_word(mem, at(sb, l.sb_magic)?);
        let mut ino = || -> Option<u64> {
            let inode = ptr(mem, l, at(file, l.file_inode)?)?;
            l.read_word(mem, at(inode, l.inode_ino)?)
        };
        match magic {
            Some(PIPEFS_MAGIC) => return Some(format!("pipe:[{}]", ino()?)),
            Some(SOCKFS_MAGIC) => return Some(format!("socket:[{}]", ino()?)),
            Some(ANON_INODE_FS_MAGIC) => {
                let name = dentry_name(mem, l, dentry)?;
                return Some(format!("anon_inode:{name}"));
            }
            _ => {}
        }
    }
    path_name(mem, l, mnt, dentry)
}

/// Whether `struct file` `file` is a socket (its dentry is on sockfs).
pub fn file_is_socket<M: GuestMemory + ?Sized>(mem: &mut M, l: &VfsLayout, file: u64) -> bool {
    (|| {
        let p = at(file, l.file_path)?;
        let dentry = ptr(mem, l, at(p, l.path_dentry)?)?;
        let sb = ptr(mem, l, at(dentry, l.dentry_sb)?)?;
        l.read_word(mem, at(sb, l.sb_magic)?)
    })() == Some(SOCKFS_MAGIC)
}

/// A dentry's own name (one component).
pub fn dentry_name<M: GuestMemory + ?Sized>(
    mem: &mut M,
    l: &VfsLayout,
    dentry: u64,
) -> Option<String> {
    let q = at(dentry, l.dentry_name)?;
    let len = mem.read_u32(at(q, l.qstr_len)?)?;
    if len > NAME_MAX {
        return None;
    }
    let name = ptr_any(mem, l, at(q, l.qstr_name)?)?;
    if !crate::kspace::fits(l.pointer_size, name, u64::from(len)) {
        return None;
    }
    let mut buf = vec![0u8; len as usize];
    if !mem.read(name, &mut buf) {
        return None;
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// A kernel pointer that may be unaligned (strings).
fn ptr_any<M: GuestMemory + ?Sized>(mem: &mut M, l: &VfsLayout, addr: u64) -> Option<u64> {
    l.read_word(mem, addr).filter(|&p| l.is_kernel(p))
}

/// The absolute path of (`vfsmount *` `mnt`, `dentry`), like the kernel's `d_path` from the global root.
pub fn path_name<M: GuestMemory + ?Sized>(
    mem: &mut M,
    l: &VfsLayout,
    mnt: u64,
    dentry: u64,
) -> Option<String> {
    let mut mount = mnt.checked_sub(l.mount_mnt)?;
    let mut vfsmnt = mnt;
    let mut dentry = dentry;
    let mut parts: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    let mut mounts = 0;
    let mut len = 0usize;
    for _ in 0..MAX_COMPONENTS + MAX_MOUNTS {
        if !seen.insert((vfsmnt, dentry)) {
            return None; // a cycle: junk or a structure changing under us
        }
        let root = ptr(mem, l, at(vfsmnt, l.vfsmount_root)?)?;
        let parent = ptr(mem, l, at(dentry, l.dentry_parent)?)?;
        if dentry == root || dentry == parent {
            // The root of this mount: continue at its mount point in the parent mount.
            let up = ptr(mem, l, at(mount, l.mount_parent)?)?;
            if up == mount {
                let mut out = String::with_capacity(len + 1);
                for p in parts.iter().rev() {
                    out.push('/');
                    out.push_str(p);
                }
                if out.is_empty() {
                    out.push('/');
                }
                return Some(out);
            }
            mounts += 1;
            if mounts > MAX_MOUNTS {
                return None;
            }
            dentry = ptr(mem, l, at(mount, l.mount_mountpoint)?)?;
            mount = up;
            vfsmnt = at(up, l.mount_mnt)?;
            continue;
        }
        let name = dentry_name(mem, l, dentry)?;
        len += name.len() + 1;
        if len > PATH_MAX || parts.len() >= MAX_COMPONENTS {
            return None;
        }
        parts.push(name);
        dentry = parent;
    }
    None
}

/// What descriptor `fd` of `task` names, from the kernel's structures.
pub fn task_fd_name<M: GuestMemory + ?Sized>(
    mem: &mut M,
    l: &VfsLayout,
    task: u64,
    fd: i64,
) -> Option<String> {
    let file = task_fd_file(mem, l, task, fd)?;
    file_name(mem, l, file)
}

/// The current directory of `task` (`task->fs->pwd`).
pub fn task_cwd<M: GuestMemory + ?Sized>(mem: &mut M, l: &VfsLayout, task: u64) -> Option<String> {
    if !l.is_kernel(task) {
        return None;
    }
    let fs = ptr(mem, l, at(task, l.task_fs)?)?;
    let pwd = at(fs, l.fs_pwd)?;
    let mnt = ptr(mem, l, at(pwd, l.path_mnt)?)?;
    let dentry = ptr(mem, l, at(pwd, l.path_dentry)?)?;
    path_name(mem, l, mnt, dentry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_core::guest::TestGuest;

    pub(crate) use crate::testing::small_vfs_layout as layout;

    const K: u64 = 0xffff_8880_0000_0000;

    /// A 32-bit kernel's structure near the top of the 4 GiB: its fields past the end are not read
    /// (they would be in no memory of the kernel's), those below are.
    #[test]
    fn i386_words_past_4_gib_are_not_read() {
        let l = crate::testing::small_vfs_layout_i386();
        let task = 0xffff_fc00u64;
        let files = 0xc800_0000u32;
        let mut g = TestGuest::new();
        g.write_u32(task + l.task_files, files);
        assert!(task + l.task_files > 0xffff_ffff);
        assert_eq!(task_files(&mut g, &l, task), None);
        let low = 0xffff_f000u64;
        g.write_u32(low + l.task_files, files);
        assert_eq!(task_files(&mut g, &l, low), Some(u64::from(files)));
    }

    /// A synthetic kernel: a root mount with /tmp/dir/f.txt, a tmpfs mounted on /tmp with "dir/f.txt",
    /// a pipe, and one task whose fd 3 is f.txt, fd 4 the pipe, cwd /tmp/dir.
    struct World {
        g: TestGuest,
        l: VfsLayout,
        next: u64,
    }

    impl World {
        fn new() -> Self {
            Self {
                g: TestGuest::new(),
                l: layout(),
                next: K + 0x10_0000,
            }
        }
        fn alloc(&mut self) -> u64 {
            self.next += 0x1000;
            self.next
        }
        fn sb(&mut self, magic: u64) -> u64 {
            let sb = self.alloc();
            self.g.write_u64(sb + self.l.sb_magic, magic);
            sb
        }
        fn dentry(&mut self, parent: Option<u64>, name: &str, sb: u64) -> u64 {
            let d = self.alloc();
            let s = self.alloc();
            self.g.write(s, name.as_bytes());
            let l = self.l.clone();
            self.g
                .write_u64(d + l.dentry_parent, parent.unwrap_or(d))
                .write_u32(d + l.dentry_name + l.qstr_len, name.len() as u32)
                .write_u64(d + l.dentry_name + l.qstr_name, s)
                .write_u64(d + l.dentry_sb, sb);
            d
        }
        /// A `struct mount`; returns the address of its embedded vfsmount.
        fn mount(&mut self, parent: Option<(u64, u64)>, root: u64) -> u64 {
            let m = self.alloc();
            let l = self.l.clone();
            let (pm, mp) = parent.unwrap_or((m, root));
            self.g
                .write_u64(m + l.mount_parent, pm)
                .write_u64(m + l.mount_mountpoint, mp)
                .write_u64(m + l.mount_mnt + l.vfsmount_root, root);
            m + l.mount_mnt
        }
        fn file(&mut self, mnt: u64, dentry: u64, ino: u64) -> u64 {
            let f = self.alloc();
            let inode = self.alloc();
            let l = self.l.clone();
            self.g
                .write_u64(f + l.file_path + l.path_mnt, mnt)
                .write_u64(f + l.file_path + l.path_dentry, dentry)
                .write_u64(f + l.file_inode, inode)
                .write_u64(inode + l.inode_ino, ino);
            f
        }
    }

    fn world() -> (World, u64) {
        let mut w = World::new();
        let ext4 = w.sb(0xef53);
        let tmpfs = w.sb(0x0102_1994);
        let pipefs = w.sb(PIPEFS_MAGIC);
        let root = w.dentry(None, "/", ext4);
        let tmp = w.dentry(Some(root), "tmp", ext4);
        let root_mnt = w.mount(None, root);
        let troot = w.dentry(None, "/", tmpfs);
        let dir = w.dentry(Some(troot), "dir", tmpfs);
        let f = w.dentry(Some(dir), "f.txt", tmpfs);
        let tmp_mnt = w.mount(Some((root_mnt - w.l.mount_mnt, tmp)), troot);
        let file = w.file(tmp_mnt, f, 12);
        let pd = w.dentry(None, "", pipefs);
        let pipe = w.file(root_mnt, pd, 4242);
        // The task: files -> fdt -> fd[] ; fs -> pwd.
        let task = w.alloc();
        let files = w.alloc();
        let fdt = w.alloc();
        let arr = w.alloc();
        let fs = w.alloc();
        let l = w.l.clone();
        w.g.write_u64(task + l.task_files, files)
            .write_u64(task + l.task_fs, fs)
            .write_u64(files + l.files_fdt, fdt)
            .write_u32(fdt + l.fdt_max_fds, 64)
            .write_u64(fdt + l.fdt_fd, arr)
            .write_u64(arr + 3 * 8, file)
            .write_u64(arr + 4 * 8, pipe)
            .write_u64(fs + l.fs_pwd + l.path_mnt, tmp_mnt)
            .write_u64(fs + l.fs_pwd + l.path_dentry, dir);
        (w, task)
    }

    #[test]
    fn names_cross_mounts_and_pseudo_filesystems() {
        let (mut w, task) = world();
        let l = w.l.clone();
        assert_eq!(
            task_fd_name(&mut w.g, &l, task, 3).as_deref(),
            Some("/tmp/dir/f.txt")
        );
        assert_eq!(
            task_fd_name(&mut w.g, &l, task, 4).as_deref(),
            Some("pipe:[4242]")
        );
        assert_eq!(task_cwd(&mut w.g, &l, task).as_deref(), Some("/tmp/dir"));
        // Closed, out of range, negative descriptors.
        assert_eq!(task_fd_name(&mut w.g, &l, task, 5), None);
        assert_eq!(task_fd_name(&mut w.g, &l, task, 64), None);
        assert_eq!(task_fd_name(&mut w.g, &l, task, -1), None);
        assert_eq!(task_fd_name(&mut w.g, &l, 0x1234, 3), None);
    }

    #[test]
    fn dentry_cycles_and_junk_end_the_walk() {
        let (mut w, task) = world();
        let l = w.l.clone();
        let file = task_fd_file(&mut w.g, &l, task, 3).unwrap();
        let dentry = w.g.read_u64(file + l.file_path + l.path_dentry).unwrap();
        let parent = w.g.read_u64(dentry + l.dentry_parent).unwrap();
        // dir's parent is f.txt again: a cycle that never reaches a root.
        w.g.write_u64(parent + l.dentry_parent, dentry);
        assert_eq!(task_fd_name(&mut w.g, &l, task, 3), None);
        // A name longer than NAME_MAX is refused.
        w.g.write_u32(dentry + l.dentry_name + l.qstr_len, 100_000);
        assert_eq!(dentry_name(&mut w.g, &l, dentry), None);
        // A user-space pointer where a kernel one belongs.
        w.g.write_u64(task + l.task_files, 0x7fff_0000);
        assert_eq!(task_fd_name(&mut w.g, &l, task, 3), None);
    }
}
