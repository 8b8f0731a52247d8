//! Events and waiting: poll and epoll events, the flags of the descriptors that wait for something
//! (`eventfd`, `timerfd`, `signalfd`, `inotify`, `fanotify`), in strace's order.

use super::Xlat;

/// `POLL*` event bits, in strace's order.
pub const POLL: Xlat = &[
    (0x1, "POLLIN"),
    (0x2, "POLLPRI"),
    (0x4, "POLLOUT"),
    (0x8, "POLLERR"),
    (0x10, "POLLHUP"),
    (0x20, "POLLNVAL"),
    (0x40, "POLLRDNORM"),
    (0x80, "POLLRDBAND"),
    (0x100, "POLLWRNORM"),
    (0x200, "POLLWRBAND"),
    (0x400, "POLLMSG"),
    (0x1000, "POLLREMOVE"),
    (0x2000, "POLLRDHUP"),
];

/// `EPOLL_CLOEXEC` of `epoll_create1`.
pub const EPOLL_FLAGS: Xlat = &[(0o2000000, "EPOLL_CLOEXEC")];

/// `EPOLL*` event bits.
pub const EPOLL_EVENTS: Xlat = &[
    (0x1, "EPOLLIN"),
    (0x2, "EPOLLPRI"),
    (0x4, "EPOLLOUT"),
    (0x8, "EPOLLERR"),
    (0x10, "EPOLLHUP"),
    (0x20, "EPOLLNVAL"),
    (0x40, "EPOLLRDNORM"),
    (0x80, "EPOLLRDBAND"),
    (0x100, "EPOLLWRNORM"),
    (0x200, "EPOLLWRBAND"),
    (0x400, "EPOLLMSG"),
    (0x2000, "EPOLLRDHUP"),
    (0x1000_0000, "EPOLLEXCLUSIVE"),
    (0x2000_0000, "EPOLLWAKEUP"),
    (0x4000_0000, "EPOLLONESHOT"),
    (0x8000_0000, "EPOLLET"),
];

/// `EPOLL_CTL_DEL`.
pub const EPOLL_CTL_DEL: u64 = 2;

/// `EPOLL_CTL_*` operations.
pub const EPOLL_CTLS: Xlat = &[
    (1, "EPOLL_CTL_ADD"),
    (EPOLL_CTL_DEL, "EPOLL_CTL_DEL"),
    (3, "EPOLL_CTL_MOD"),
];

/// `EFD_*` flags of `eventfd2`.
pub const EFD_FLAGS: Xlat = &[
    (1, "EFD_SEMAPHORE"),
    (0o2000000, "EFD_CLOEXEC"),
    (0o4000, "EFD_NONBLOCK"),
];

/// `TFD_*` flags of `timerfd_create` and `timerfd_settime`.
pub const TFD_FLAGS: Xlat = &[
    (1, "TFD_TIMER_ABSTIME"),
    (2, "TFD_TIMER_CANCEL_ON_SET"),
    (0o2000000, "TFD_CLOEXEC"),
    (0o4000, "TFD_NONBLOCK"),
];

/// `SFD_*` flags of `signalfd4`.
pub const SFD_FLAGS: Xlat = &[(0o2000000, "SFD_CLOEXEC"), (0o4000, "SFD_NONBLOCK")];

/// `IN_*` event bits of `inotify_add_watch`.
pub const INOTIFY_MASK: Xlat = &[
    (0x1, "IN_ACCESS"),
    (0x2, "IN_MODIFY"),
    (0x4, "IN_ATTRIB"),
    (0x8, "IN_CLOSE_WRITE"),
    (0x10, "IN_CLOSE_NOWRITE"),
    (0x20, "IN_OPEN"),
    (0x40, "IN_MOVED_FROM"),
    (0x80, "IN_MOVED_TO"),
    (0x100, "IN_CREATE"),
    (0x200, "IN_DELETE"),
    (0x400, "IN_DELETE_SELF"),
    (0x800, "IN_MOVE_SELF"),
    (0x2000, "IN_UNMOUNT"),
    (0x4000, "IN_Q_OVERFLOW"),
    (0x8000, "IN_IGNORED"),
    (0x0100_0000, "IN_ONLYDIR"),
    (0x0200_0000, "IN_DONT_FOLLOW"),
    (0x0400_0000, "IN_EXCL_UNLINK"),
    (0x1000_0000, "IN_MASK_CREATE"),
    (0x2000_0000, "IN_MASK_ADD"),
    (0x4000_0000, "IN_ISDIR"),
    (0x8000_0000, "IN_ONESHOT"),
];

/// `IN_*` flags of `inotify_init1`.
pub const INOTIFY_INIT_FLAGS: Xlat = &[(0o4000, "IN_NONBLOCK"), (0o2000000, "IN_CLOEXEC")];

/// The notification-class bits of `fanotify_init`'s flags.
pub const FAN_CLASS_BITS: u64 = 0xc;

/// `FAN_CLASS_*` of `fanotify_init` (exact values of the class bits).
pub const FAN_CLASSES: Xlat = &[
    (0x0, "FAN_CLASS_NOTIF"),
    (0x4, "FAN_CLASS_CONTENT"),
    (0x8, "FAN_CLASS_PRE_CONTENT"),
];

/// The other `FAN_*` flags of `fanotify_init`.
pub const FAN_INIT_FLAGS: Xlat = &[
    (0x1, "FAN_CLOEXEC"),
    (0x2, "FAN_NONBLOCK"),
    (0x10, "FAN_UNLIMITED_QUEUE"),
    (0x20, "FAN_UNLIMITED_MARKS"),
    (0x40, "FAN_ENABLE_AUDIT"),
    (0x80, "FAN_REPORT_PIDFD"),
    (0x100, "FAN_REPORT_TID"),
    (0x200, "FAN_REPORT_FID"),
    (0x400, "FAN_REPORT_DIR_FID"),
    (0x800, "FAN_REPORT_NAME"),
    (0x1000, "FAN_REPORT_TARGET_FID"),
];

/// `FAN_MARK_*` flags of `fanotify_mark`.
pub const FAN_MARK_FLAGS: Xlat = &[
    (0x1, "FAN_MARK_ADD"),
    (0x2, "FAN_MARK_REMOVE"),
    (0x4, "FAN_MARK_DONT_FOLLOW"),
    (0x8, "FAN_MARK_ONLYDIR"),
    (0x10, "FAN_MARK_MOUNT"),
    (0x20, "FAN_MARK_IGNORED_MASK"),
    (0x40, "FAN_MARK_IGNORED_SURV_MODIFY"),
    (0x80, "FAN_MARK_FLUSH"),
    (0x100, "FAN_MARK_FILESYSTEM"),
    (0x200, "FAN_MARK_EVICTABLE"),
    (0x400, "FAN_MARK_IGNORE"),
];

/// `FAN_*` event bits of `fanotify_mark`'s mask.
pub const FAN_EVENTS: Xlat = &[
    (0x1, "FAN_ACCESS"),
    (0x2, "FAN_MODIFY"),
    (0x4, "FAN_ATTRIB"),
    (0x8, "FAN_CLOSE_WRITE"),
    (0x10, "FAN_CLOSE_NOWRITE"),
    (0x20, "FAN_OPEN"),
    (0x40, "FAN_MOVED_FROM"),
    (0x80, "FAN_MOVED_TO"),
    (0x100, "FAN_CREATE"),
    (0x200, "FAN_DELETE"),
    (0x400, "FAN_DELETE_SELF"),
    (0x800, "FAN_MOVE_SELF"),
    (0x1000, "FAN_OPEN_EXEC"),
    (0x4000, "FAN_Q_OVERFLOW"),
    (0x8000, "FAN_FS_ERROR"),
    (0x1_0000, "FAN_OPEN_PERM"),
    (0x2_0000, "FAN_ACCESS_PERM"),
    (0x4_0000, "FAN_OPEN_EXEC_PERM"),
    (0x8_0000, "FAN_DIR_MODIFY"),
    (0x4000_0000, "FAN_ONDIR"),
    (0x0800_0000, "FAN_EVENT_ON_CHILD"),
    (0x1000_0000, "FAN_RENAME"),
];

/// `FAN_NOFD`: `fanotify_mark`'s directory descriptor when there is none.
pub const FAN_NOFD: i32 = -1;
