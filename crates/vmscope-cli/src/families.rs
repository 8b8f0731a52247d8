//! Call families for the fidelity report: every system call name of the x86_64 and i386 tables in
//! one table, so the report can say per family (files, descriptors, network, ...) how far vmscope is
//! from strace. A test checks that every name of vmscope's syscall tables is classified here.
//!
//! The families follow strace's classes loosely (`%file` takes a path name, `%desc` a descriptor)
//! but each call is in exactly one: `execve` is a process call, `inotify_add_watch` an event call.

use std::fmt;

/// A family of system calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// Calls that take a path name.
    File,
    /// Calls on a file descriptor (I/O, duplication, ioctl, pipes, splicing).
    Desc,
    /// Sockets.
    Network,
    /// Process and thread life, identity, scheduling, limits.
    Process,
    /// Signals.
    Signal,
    /// System V and POSIX message queues, semaphores, shared memory.
    Ipc,
    /// Memory mappings and policies.
    Memory,
    /// Clocks, sleeps, timers.
    Time,
    /// Readiness and event descriptors: poll, select, epoll, eventfd, timerfd, signalfd, inotify.
    Events,
    /// Everything else: keys, modules, system-wide settings, BPF, ...
    Other,
}

impl Family {
    /// Every family, in report order.
    pub const ALL: [Family; 10] = [
        Family::File,
        Family::Desc,
        Family::Network,
        Family::Process,
        Family::Signal,
        Family::Ipc,
        Family::Memory,
        Family::Time,
        Family::Events,
        Family::Other,
    ];

    /// The family's name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Family::File => "file",
            Family::Desc => "desc",
            Family::Network => "network",
            Family::Process => "process",
            Family::Signal => "signal",
            Family::Ipc => "ipc",
            Family::Memory => "memory",
            Family::Time => "time/clock",
            Family::Events => "events",
            Family::Other => "other",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The family of a call by its name (strace's or vmscope's); unknown names are [`Family::Other`].
pub fn family(name: &str) -> Family {
    classify(base_name(name)).unwrap_or(Family::Other)
}

/// The name without its ABI variant suffix: `clock_gettime64` → `clock_gettime`, `getuid32` →
/// `getuid`, `ppoll_time64` → `ppoll`.
fn base_name(name: &str) -> &str {
    if let Some(b) = name.strip_suffix("_time64") {
        return b;
    }
    for (long, short) in [
        ("clock_gettime64", "clock_gettime"),
        ("clock_settime64", "clock_settime"),
        ("clock_adjtime64", "clock_adjtime"),
        ("timer_gettime64", "timer_gettime"),
        ("timer_settime64", "timer_settime"),
        ("timerfd_gettime64", "timerfd_gettime"),
        ("timerfd_settime64", "timerfd_settime"),
    ] {
        if name == long {
            return short;
        }
    }
    if let Some(b) = name.strip_suffix("32")
        && (b.ends_with("uid")
            || b.ends_with("gid")
            || b.ends_with("groups")
            || b.ends_with("chown"))
    {
        return b;
    }
    name
}

/// The one table: a name's family, `None` for a name not classified.
fn classify(name: &str) -> Option<Family> {
    use Family::*;
    Some(match name {
        // Path names.
        "open" | "openat" | "openat2" | "creat" | "stat" | "lstat" | "stat64" | "lstat64"
        | "oldstat" | "oldlstat" | "newfstatat" | "fstatat64" | "statx" | "access"
        | "faccessat" | "faccessat2" | "unlink" | "unlinkat" | "mkdir" | "mkdirat" | "rmdir"
        | "rename" | "renameat" | "renameat2" | "chdir" | "chroot" | "readlink" | "readlinkat"
        | "truncate" | "truncate64" | "chmod" | "fchmodat" | "chown" | "lchown" | "fchownat"
        | "link" | "linkat" | "symlink" | "symlinkat" | "mknod" | "mknodat" | "utime"
        | "utimes" | "utimensat" | "futimesat" | "statfs" | "statfs64" | "mount" | "umount"
        | "umount2" | "pivot_root" | "swapon" | "swapoff" | "setxattr" | "lsetxattr"
        | "getxattr" | "lgetxattr" | "listxattr" | "llistxattr" | "removexattr"
        | "lremovexattr" | "name_to_handle_at" | "quotactl" | "acct" | "uselib" | "open_tree"
        | "move_mount" | "fspick" | "mount_setattr" | "fsopen" | "fsmount" | "fsconfig"
        | "ustat" | "sysfs" | "getcwd" => File,
        // Descriptors.
        "read"
        | "write"
        | "close"
        | "close_range"
        | "pread64"
        | "pwrite64"
        | "readv"
        | "writev"
        | "preadv"
        | "pwritev"
        | "preadv2"
        | "pwritev2"
        | "lseek"
        | "_llseek"
        | "dup"
        | "dup2"
        | "dup3"
        | "fcntl"
        | "fcntl64"
        | "flock"
        | "fsync"
        | "fdatasync"
        | "fstat"
        | "fstat64"
        | "oldfstat"
        | "fstatfs"
        | "fstatfs64"
        | "ftruncate"
        | "ftruncate64"
        | "fchmod"
        | "fchown"
        | "fchdir"
        | "getdents"
        | "getdents64"
        | "readdir"
        | "ioctl"
        | "pipe"
        | "pipe2"
        | "sendfile"
        | "sendfile64"
        | "splice"
        | "tee"
        | "vmsplice"
        | "copy_file_range"
        | "fallocate"
        | "fadvise64"
        | "fadvise64_64"
        | "readahead"
        | "sync_file_range"
        | "syncfs"
        | "sync"
        | "memfd_create"
        | "fsetxattr"
        | "fgetxattr"
        | "flistxattr"
        | "fremovexattr"
        | "open_by_handle_at"
        | "io_setup"
        | "io_destroy"
        | "io_submit"
        | "io_cancel"
        | "io_getevents"
        | "io_pgetevents"
        | "userfaultfd"
        | "quotactl_fd"
        | "landlock_create_ruleset"
        | "landlock_add_rule"
        | "landlock_restrict_self"
        | "pidfd_getfd"
        | "getpmsg"
        | "putpmsg" => Desc,
        // Sockets.
        "socket" | "socketpair" | "bind" | "listen" | "accept" | "accept4" | "connect"
        | "getsockname" | "getpeername" | "send" | "sendto" | "sendmsg" | "sendmmsg" | "recv"
        | "recvfrom" | "recvmsg" | "recvmmsg" | "shutdown" | "setsockopt" | "getsockopt"
        | "socketcall" => Network,
        // Processes and threads.
        "clone"
        | "clone3"
        | "fork"
        | "vfork"
        | "execve"
        | "execveat"
        | "exit"
        | "exit_group"
        | "wait4"
        | "waitid"
        | "waitpid"
        | "getpid"
        | "getppid"
        | "gettid"
        | "getuid"
        | "geteuid"
        | "getgid"
        | "getegid"
        | "setuid"
        | "setgid"
        | "setreuid"
        | "setregid"
        | "setresuid"
        | "setresgid"
        | "getresuid"
        | "getresgid"
        | "setfsuid"
        | "setfsgid"
        | "getgroups"
        | "setgroups"
        | "getpgid"
        | "setpgid"
        | "getpgrp"
        | "getsid"
        | "setsid"
        | "prctl"
        | "arch_prctl"
        | "personality"
        | "sched_setaffinity"
        | "sched_getaffinity"
        | "sched_setparam"
        | "sched_getparam"
        | "sched_setscheduler"
        | "sched_getscheduler"
        | "sched_get_priority_max"
        | "sched_get_priority_min"
        | "sched_rr_get_interval"
        | "sched_yield"
        | "sched_setattr"
        | "sched_getattr"
        | "getrlimit"
        | "setrlimit"
        | "ugetrlimit"
        | "prlimit64"
        | "getrusage"
        | "ulimit"
        | "getpriority"
        | "setpriority"
        | "nice"
        | "capget"
        | "capset"
        | "set_tid_address"
        | "set_robust_list"
        | "get_robust_list"
        | "rseq"
        | "unshare"
        | "setns"
        | "kcmp"
        | "pidfd_open"
        | "ptrace"
        | "process_vm_readv"
        | "process_vm_writev"
        | "seccomp"
        | "ioprio_get"
        | "ioprio_set"
        | "getcpu"
        | "umask"
        | "set_thread_area"
        | "get_thread_area"
        | "modify_ldt"
        | "vm86"
        | "vm86old"
        | "iopl"
        | "ioperm"
        | "process_mrelease"
        | "futex"
        | "futex_waitv" => Process,
        // Signals.
        "kill" | "tkill" | "tgkill" | "rt_sigaction" | "rt_sigprocmask" | "rt_sigreturn"
        | "rt_sigpending" | "rt_sigtimedwait" | "rt_sigqueueinfo" | "rt_tgsigqueueinfo"
        | "rt_sigsuspend" | "sigaction" | "sigprocmask" | "sigreturn" | "sigpending"
        | "sigsuspend" | "signal" | "sigaltstack" | "pause" | "restart_syscall" | "sgetmask"
        | "ssetmask" | "pidfd_send_signal" => Signal,
        // IPC.
        "msgget" | "msgsnd" | "msgrcv" | "msgctl" | "semget" | "semop" | "semtimedop"
        | "semctl" | "shmget" | "shmat" | "shmdt" | "shmctl" | "ipc" | "mq_open" | "mq_unlink"
        | "mq_timedsend" | "mq_timedreceive" | "mq_notify" | "mq_getsetattr" => Ipc,
        // Memory.
        "mmap"
        | "mmap2"
        | "munmap"
        | "mprotect"
        | "pkey_mprotect"
        | "pkey_alloc"
        | "pkey_free"
        | "brk"
        | "mremap"
        | "msync"
        | "mincore"
        | "madvise"
        | "process_madvise"
        | "mlock"
        | "mlock2"
        | "munlock"
        | "mlockall"
        | "munlockall"
        | "mbind"
        | "get_mempolicy"
        | "set_mempolicy"
        | "set_mempolicy_home_node"
        | "migrate_pages"
        | "move_pages"
        | "remap_file_pages"
        | "memfd_secret"
        | "membarrier" => Memory,
        // Time.
        "clock_gettime" | "clock_settime" | "clock_getres" | "clock_adjtime"
        | "clock_nanosleep" | "nanosleep" | "time" | "stime" | "gettimeofday" | "settimeofday"
        | "adjtimex" | "timer_create" | "timer_settime" | "timer_gettime" | "timer_getoverrun"
        | "timer_delete" | "getitimer" | "setitimer" | "alarm" | "times" | "ftime" => Time,
        // Events.
        "poll" | "ppoll" | "select" | "_newselect" | "pselect6" | "epoll_create"
        | "epoll_create1" | "epoll_ctl" | "epoll_wait" | "epoll_pwait" | "epoll_pwait2"
        | "epoll_ctl_old" | "epoll_wait_old" | "eventfd" | "eventfd2" | "timerfd_create"
        | "timerfd_settime" | "timerfd_gettime" | "signalfd" | "signalfd4" | "inotify_init"
        | "inotify_init1" | "inotify_add_watch" | "inotify_rm_watch" | "fanotify_init"
        | "fanotify_mark" | "io_uring_setup" | "io_uring_enter" | "io_uring_register" => Events,
        // The rest, named so that a new call is not classified by accident.
        "uname" | "olduname" | "oldolduname" | "sysinfo" | "syslog" | "sethostname"
        | "setdomainname" | "reboot" | "kexec_load" | "kexec_file_load" | "init_module"
        | "finit_module" | "delete_module" | "create_module" | "get_kernel_syms"
        | "query_module" | "add_key" | "request_key" | "keyctl" | "bpf" | "perf_event_open"
        | "getrandom" | "vhangup" | "idle" | "nfsservctl" | "lookup_dcookie" | "_sysctl"
        | "bdflush" | "afs_syscall" | "break" | "gtty" | "stty" | "lock" | "mpx" | "prof"
        | "profil" | "security" | "tuxcall" | "vserver" => Other,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_core::event::Abi;
    use vmscope_linux::syscalls::lookup;

    #[test]
    fn every_call_of_both_tables_is_classified() {
        let mut missing = Vec::new();
        for abi in [Abi::X86_64, Abi::I386] {
            for nr in 0..1024 {
                if let Some(d) = lookup(abi, nr)
                    && classify(base_name(d.name())).is_none()
                {
                    missing.push(d.name());
                }
            }
        }
        assert!(missing.is_empty(), "not classified: {missing:?}");
    }

    #[test]
    fn variants_share_their_base_family() {
        assert_eq!(family("clock_gettime64"), Family::Time);
        assert_eq!(family("ppoll_time64"), Family::Events);
        assert_eq!(family("getuid32"), Family::Process);
        assert_eq!(family("fchown32"), Family::Desc);
        assert_eq!(family("openat"), Family::File);
        assert_eq!(family("recvmmsg_time64"), Family::Network);
        assert_eq!(family("syscall_0x1bad"), Family::Other);
    }
}
