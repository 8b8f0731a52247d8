/* vmscope-guest: x86 only: calls legacy x86 system calls (alarm, pause, open...) by number */
/* procfam: the process family of calls, for the decoders' fidelity (docs/fidelity.md): futex (every
 * operation, private and shared, timeouts relative and absolute), clone (fork-like, with parent_tid,
 * bad flags) and clone3 (pidfd, exit signal, bad sizes), prctl (names, dumpable, pdeathsig, no new
 * privs, capability bounding set, seccomp mode, timer slack, THP, VMA names, bad options),
 * arch_prctl, set_tid_address, robust lists, the scheduler (policies, params, attrs, affinity,
 * rr interval, yield), resource limits (getrlimit, setrlimit, prlimit64, old and new), getrusage and
 * wait4 with rusage, sysinfo, capget/capset, personality, priorities, ioprio, kcmp, pidfd_open and
 * pidfd_getfd, getcpu, thread areas and the LDT, membarrier, seccomp queries, umask, getcwd, uname,
 * reboot and syslog queries, sethostname, mount/umount2/pivot_root/chroot, quotactl, SysV IPC
 * (messages, semaphores, shared memory) and POSIX message queues, ids (setuid family, groups,
 * 16-bit ids on i386), keys (add_key, keyctl, request_key), ptrace failures, process_vm_readv and
 * writev, swapon/acct failures, unshare/setns, AIO (io_setup, io_submit, io_getevents, io_cancel),
 * execve and execveat failures.
 * Every call either succeeds or fails in a known way; the program exits 0 whatever happens (the
 * comparison with strace is what is measured). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/aio_abi.h>
#include <linux/sched.h>
#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <grp.h>
#include <sys/fsuid.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/quota.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BAD ((void *)(uintptr_t)0xdead0000UL)
#define SC(...) syscall(__VA_ARGS__)

static void say(const char *what, long r)
{
    printf("procfam: %-28s %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

/* A kernel timespec of the call's own layout: old 32-bit for i386's futex, 64-bit otherwise. */
struct ts32 {
    int32_t sec, nsec;
};

static void futexes(void)
{
    static uint32_t f = 0xf0000001u, g = 7;
    struct timespec rel = {0, 1000};
    struct timespec abs0 = {1, 2};
#if defined(__i386__)
    struct ts32 rel32 = {0, 1000}, abs32 = {1, 2};
    void *relp = &rel32, *absp = &abs32;
    (void)rel;
    (void)abs0;
#else
    void *relp = &rel, *absp = &abs0;
#endif
    say("futex WAKE", SC(SYS_futex, &f, FUTEX_WAKE, 1, NULL, NULL, 0));
    say("futex WAKE_PRIVATE", SC(SYS_futex, &f, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0));
    say("futex WAIT mismatch", SC(SYS_futex, &f, FUTEX_WAIT, 0xf0000000u, NULL, NULL, 0));
    say("futex WAIT timeout", SC(SYS_futex, &f, FUTEX_WAIT_PRIVATE, 0xf0000001u, relp, NULL, 0));
    say("futex WAIT bad timeout", SC(SYS_futex, &f, FUTEX_WAIT, 0xf0000001u, BAD, NULL, 0));
    say("futex WAIT_BITSET abs", SC(SYS_futex, &f, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME,
                                    0xf0000001u, absp, NULL, FUTEX_BITSET_MATCH_ANY));
    say("futex WAIT_BITSET priv", SC(SYS_futex, &f, FUTEX_WAIT_BITSET_PRIVATE, 0xf0000001u, absp,
                                     NULL, 0x1234));
    say("futex WAKE_BITSET", SC(SYS_futex, &f, FUTEX_WAKE_BITSET, 2, NULL, NULL, 0xff));
    say("futex REQUEUE", SC(SYS_futex, &f, FUTEX_REQUEUE_PRIVATE, 1, 5, &g, 0));
    say("futex CMP_REQUEUE", SC(SYS_futex, &f, FUTEX_CMP_REQUEUE, 1, 5, &g, 0x12));
    say("futex CMP_REQUEUE ok", SC(SYS_futex, &f, FUTEX_CMP_REQUEUE_PRIVATE, 1, 5, &g, 0xf0000001u));
    say("futex WAKE_OP", SC(SYS_futex, &f, FUTEX_WAKE_OP_PRIVATE, 1, 1, &g,
                            FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0)));
    say("futex WAKE_OP shift", SC(SYS_futex, &f, FUTEX_WAKE_OP, 1, 0, &g,
                                  FUTEX_OP((FUTEX_OP_OPARG_SHIFT | FUTEX_OP_OR), 3, FUTEX_OP_CMP_NE, 9)));
    static uint32_t pi = 0;
    say("futex LOCK_PI", SC(SYS_futex, &pi, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0));
    say("futex UNLOCK_PI", SC(SYS_futex, &pi, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0));
    say("futex TRYLOCK_PI", SC(SYS_futex, &pi, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0));
    say("futex UNLOCK_PI 2", SC(SYS_futex, &pi, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    say("futex LOCK_PI2", SC(SYS_futex, &pi, 13 /* FUTEX_LOCK_PI2 */, 0, relp, NULL, 0));
    say("futex UNLOCK_PI 3", SC(SYS_futex, &pi, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    say("futex WAIT_REQUEUE_PI", SC(SYS_futex, &f, FUTEX_WAIT_REQUEUE_PI, 1, relp, &g, 0));
    say("futex CMP_REQUEUE_PI", SC(SYS_futex, &f, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 2, &g, 3));
    say("futex FD", SC(SYS_futex, &f, 2 /* FUTEX_FD */, 1, NULL, NULL, 0));
    say("futex bad op", SC(SYS_futex, &f, 0x7f, 1, 2, &g, 3));
    say("futex bad flags", SC(SYS_futex, &f, 0x200 | FUTEX_WAKE, 1, 2, &g, 3));
    say("futex NULL", SC(SYS_futex, NULL, FUTEX_WAIT, 1, relp, NULL, 0));
#if defined(__i386__) && defined(SYS_futex_time64)
    say("futex_time64 WAIT", SC(SYS_futex_time64, &f, FUTEX_WAIT, 1, &rel, NULL, 0));
#endif
}

static void children(void)
{
    int status;
    pid_t p = fork();
    if (p == 0)
        _exit(3);
    struct rusage ru;
    say("wait4 rusage", wait4(p, &status, 0, &ru));
    say("wait4 none", wait4(-1, &status, WNOHANG, NULL));
    /* clone as fork, with the parent's tid written. */
    pid_t ptid = 0;
    long c = SC(SYS_clone, CLONE_PARENT_SETTID | SIGCHLD, 0, &ptid, 0, 0);
    if (c == 0)
        _exit(0);
    say("clone parent_settid", c);
    waitpid(c, &status, 0);
    c = SC(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (c == 0)
        _exit(1);
    waitpid(c, &status, __WALL);
    say("clone bad flags", SC(SYS_clone, CLONE_SIGHAND | CLONE_NEWNS | CLONE_VM * 0, 0, 0, 0, 0));
    say("clone bad flags 2", SC(SYS_clone, CLONE_THREAD | CLONE_SETTLS | CLONE_CHILD_CLEARTID, 0,
                                0, 0, 0));
    /* clone3 */
    struct clone_args ca;
    int pidfd = -1;
    memset(&ca, 0, sizeof ca);
    ca.flags = CLONE_PIDFD;
    ca.pidfd = (uintptr_t)&pidfd;
    ca.exit_signal = SIGCHLD;
    c = SC(SYS_clone3, &ca, sizeof ca);
    if (c == 0)
        _exit(0);
    say("clone3 pidfd", c);
    if (c > 0) {
        waitpid(c, &status, 0);
        close(pidfd);
    }
    say("clone3 small", SC(SYS_clone3, &ca, 8));
    say("clone3 NULL", SC(SYS_clone3, NULL, sizeof ca));
    memset(&ca, 0, sizeof ca);
    ca.flags = CLONE_VM | CLONE_FS | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID;
    ca.child_tid = 0x1000;
    ca.parent_tid = 0x2000;
    ca.stack = 0x7000;
    ca.stack_size = 0x1000;
    ca.tls = 0x3000;
    ca.exit_signal = 0xff;
    say("clone3 bad", SC(SYS_clone3, &ca, sizeof ca));
    pid_t set[2] = {1, 2};
    ca.set_tid = (uintptr_t)set;
    ca.set_tid_size = 2;
    ca.cgroup = 5;
    ca.flags = CLONE_INTO_CGROUP | CLONE_NEWPID;
    say("clone3 set_tid", SC(SYS_clone3, &ca, sizeof ca));
}

static void prctls(void)
{
    char name[32];
    int v = 0;
    say("prctl SET_NAME", prctl(PR_SET_NAME, "procfam-name"));
    say("prctl GET_NAME", prctl(PR_GET_NAME, name));
    say("prctl GET_DUMPABLE", prctl(PR_GET_DUMPABLE));
    say("prctl SET_DUMPABLE", prctl(PR_SET_DUMPABLE, 1));
    say("prctl SET_PDEATHSIG", prctl(PR_SET_PDEATHSIG, SIGTERM));
    say("prctl GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &v));
    say("prctl SET_PDEATHSIG 0", prctl(PR_SET_PDEATHSIG, 0));
    say("prctl SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1));
    say("prctl GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &v));
    say("prctl SET_TIMERSLACK", prctl(PR_SET_TIMERSLACK, 50000));
    say("prctl GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK));
    say("prctl SET_KEEPCAPS", prctl(PR_SET_KEEPCAPS, 0));
    say("prctl GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS));
    say("prctl CAPBSET_READ", prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN));
    say("prctl CAPBSET_READ bad", prctl(PR_CAPBSET_READ, 200));
    say("prctl CAP_AMBIENT", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0));
    say("prctl GET_SECUREBITS", prctl(PR_GET_SECUREBITS));
    say("prctl GET_SECCOMP", prctl(PR_GET_SECCOMP));
    say("prctl GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
    say("prctl GET_TIMING", prctl(PR_GET_TIMING));
    say("prctl GET_ENDIAN", prctl(PR_GET_ENDIAN, &v));
    say("prctl GET_FPEMU", prctl(PR_GET_FPEMU, &v));
    say("prctl GET_TSC", prctl(PR_GET_TSC, &v));
    say("prctl MCE_KILL_GET", prctl(PR_MCE_KILL_GET, 0, 0, 0, 0));
    say("prctl GET_SPECULATION", prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS, 0, 0, 0));
    say("prctl GET_IO_FLUSHER", prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0));
    say("prctl GET_TAGGED_ADDR", prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    say("prctl SET_MM bad", prctl(PR_SET_MM, PR_SET_MM_START_CODE, 0x1000, 0, 0));
    say("prctl SET_PTRACER", prctl(PR_SET_PTRACER, 0, 0, 0, 0));
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("prctl SET_VMA anon name",
        prctl(0x53564d41 /* PR_SET_VMA */, 0 /* PR_SET_VMA_ANON_NAME */, p, 8192, "procfam vma"));
    munmap(p, 8192);
    say("prctl bad option", prctl(0x7fff0001, 1, 2, 3, 4));
    say("prctl SET_NAME NULL", prctl(PR_SET_NAME, NULL));
    say("prctl SET_NO_NEW_PRIVS", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    say("prctl GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
#ifdef __x86_64__
    unsigned long fs = 0;
    say("arch_prctl GET_FS", SC(SYS_arch_prctl, 0x1003, &fs));
    say("arch_prctl GET_CPUID", SC(SYS_arch_prctl, 0x1011, 0));
    say("arch_prctl bad", SC(SYS_arch_prctl, 0x9999, 0));
#else
    say("arch_prctl GET_CPUID", SC(384, 0x1011, 0));
#endif
}

static void robust_and_tids(void)
{
    void *head;
    size_t len;
    int tid;
    say("set_tid_address", SC(SYS_set_tid_address, &tid));
    say("get_robust_list", SC(SYS_get_robust_list, 0, &head, &len));
    say("set_robust_list bad", SC(SYS_set_robust_list, head, len + 1));
    say("get_robust_list bad", SC(SYS_get_robust_list, 999999, &head, &len));
    unsigned cpu, node;
    say("getcpu", SC(SYS_getcpu, &cpu, &node, NULL));
    say("getcpu NULL", SC(SYS_getcpu, NULL, NULL, NULL));
    say("rseq bad", SC(SYS_rseq, BAD, 32, 0, 0x53053053));
}

static void scheduling(void)
{
    cpu_set_t set;
    struct sched_param sp = {0};
    CPU_ZERO(&set);
    say("sched_getaffinity", SC(SYS_sched_getaffinity, 0, sizeof set, &set));
    say("sched_setaffinity", SC(SYS_sched_setaffinity, 0, sizeof set, &set));
    say("sched_getaffinity small", SC(SYS_sched_getaffinity, 0, 1, &set));
    say("sched_getparam", sched_getparam(0, &sp));
    say("sched_setparam", sched_setparam(0, &sp));
    say("sched_getscheduler", sched_getscheduler(0));
    say("sched_setscheduler", sched_setscheduler(0, SCHED_BATCH, &sp));
    say("sched_setscheduler back", sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp));
    say("sched_setscheduler bad", SC(SYS_sched_setscheduler, 0, 77, &sp));
    say("sched_get_priority_max", sched_get_priority_max(SCHED_FIFO));
    say("sched_get_priority_min", sched_get_priority_min(SCHED_RR));
    say("sched_yield", sched_yield());
    struct timespec ts;
    say("sched_rr_get_interval", sched_rr_get_interval(0, &ts));
    struct sched_attr {
        uint32_t size, policy;
        uint64_t flags;
        int32_t nice;
        uint32_t prio;
        uint64_t runtime, deadline, period;
        uint32_t umin, umax;
    } a;
    memset(&a, 0, sizeof a);
    say("sched_getattr", SC(SYS_sched_getattr, 0, &a, sizeof a, 0));
    say("sched_setattr", SC(SYS_sched_setattr, 0, &a, 0));
    say("sched_getattr bad", SC(SYS_sched_getattr, 0, BAD, sizeof a, 0));
}

static void resources(void)
{
    struct rlimit rl;
    say("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &rl));
    say("setrlimit NOFILE", setrlimit(RLIMIT_NOFILE, &rl));
    say("getrlimit STACK", getrlimit(RLIMIT_STACK, &rl));
    rl.rlim_cur = 1024;
    say("setrlimit CORE 1024", setrlimit(RLIMIT_CORE, &rl));
    rl.rlim_cur = 1023;
    say("setrlimit CORE 1023", setrlimit(RLIMIT_CORE, &rl));
    rl.rlim_cur = 2048;
    say("setrlimit CORE 2048", setrlimit(RLIMIT_CORE, &rl));
    say("getrlimit CORE", getrlimit(RLIMIT_CORE, &rl));
    say("getrlimit bad", SC(SYS_getrlimit, 99, &rl));
#ifdef __i386__
    unsigned long old[2];
    say("ugetrlimit", SC(SYS_ugetrlimit, RLIMIT_AS, old));
    say("getrlimit old", SC(SYS_getrlimit, RLIMIT_AS, old));
#endif
    struct rlimit64 {
        uint64_t cur, max;
    } r64 = {1024, 4096}, o64;
    say("prlimit64 get", SC(SYS_prlimit64, 0, RLIMIT_NPROC, NULL, &o64));
    say("prlimit64 set", SC(SYS_prlimit64, getpid(), RLIMIT_MEMLOCK, &r64, &o64));
    say("prlimit64 bad", SC(SYS_prlimit64, 0, RLIMIT_MEMLOCK, BAD, NULL));
    struct rusage ru;
    say("getrusage SELF", getrusage(RUSAGE_SELF, &ru));
    say("getrusage CHILDREN", getrusage(RUSAGE_CHILDREN, &ru));
    say("getrusage THREAD", getrusage(RUSAGE_THREAD, &ru));
    say("getrusage bad", SC(SYS_getrusage, 7, &ru));
    struct sysinfo si;
    say("sysinfo", sysinfo(&si));
    say("sysinfo bad", SC(SYS_sysinfo, BAD));
    say("getpriority", getpriority(PRIO_PROCESS, 0));
    say("setpriority", setpriority(PRIO_PGRP, 0, 0));
    say("getpriority USER", SC(SYS_getpriority, PRIO_USER, 0));
    say("ioprio_get", SC(SYS_ioprio_get, 1, 0));
    say("ioprio_set", SC(SYS_ioprio_set, 1, 0, (2 << 13) | 4));
    say("ioprio_set idle", SC(SYS_ioprio_set, 2, 0, (3 << 13)));
    say("ioprio_get 2", SC(SYS_ioprio_get, 1, 0));
}

static void identity(void)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    say("capget", SC(SYS_capget, &h, d));
    say("capset", SC(SYS_capset, &h, d));
    h.version = 0x12345678;
    say("capget bad version", SC(SYS_capget, &h, d));
    h.version = _LINUX_CAPABILITY_VERSION_1;
    say("capget v1", SC(SYS_capget, &h, NULL));
    say("personality query", SC(SYS_personality, 0xffffffff));
    say("personality set", SC(SYS_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */));
    say("personality back", SC(SYS_personality, 0));
    pid_t me = getpid();
    say("kcmp FILE", SC(SYS_kcmp, me, me, 0 /* KCMP_FILE */, 1, 2));
    say("kcmp VM", SC(SYS_kcmp, me, me, 1 /* KCMP_VM */, 0, 0));
    say("kcmp bad", SC(SYS_kcmp, me, me, 99, 0, 0));
    int pfd = SC(SYS_pidfd_open, me, 0);
    say("pidfd_open", pfd);
    say("pidfd_getfd", SC(SYS_pidfd_getfd, pfd, 1, 0));
    say("pidfd_open bad", SC(SYS_pidfd_open, me, 1));
    close(pfd);
    say("umask", umask(022));
    char buf[256];
    say("getcwd", SC(SYS_getcwd, buf, sizeof buf));
    say("getcwd small", SC(SYS_getcwd, buf, 1));
    struct utsname u;
    say("uname", uname(&u));
    say("sethostname", sethostname(u.nodename, strlen(u.nodename)));
    say("membarrier QUERY", SC(SYS_membarrier, 0, 0, 0));
    say("membarrier bad", SC(SYS_membarrier, 0x40000, 0, 0));
    uint32_t act = 0x7fff0000; /* SECCOMP_RET_ALLOW */
    say("seccomp GET_ACTION_AVAIL", SC(SYS_seccomp, 2, 0, &act));
    say("seccomp bad", SC(SYS_seccomp, 77, 0, NULL));
    say("reboot bad magic", SC(SYS_reboot, 0xfee1dead, 0x1234, 0x4321fedc, NULL));
    say("syslog SIZE_BUFFER", SC(SYS_syslog, 10, NULL, 0));
    char lb[64];
    say("syslog READ_ALL", SC(SYS_syslog, 3, lb, sizeof lb));
}

static void areas(void)
{
    struct {
        unsigned int entry_number, base_addr, limit;
        unsigned int flags;
    } ud;
    memset(&ud, 0, sizeof ud);
    ud.entry_number = -1;
    ud.limit = 0xfffff;
    ud.flags = 1 | (1 << 4) | (1 << 6); /* seg_32bit, limit_in_pages, useable */
    say("set_thread_area", SC(SYS_set_thread_area, &ud));
    say("get_thread_area", SC(SYS_get_thread_area, &ud));
    ud.entry_number = 9999;
    say("get_thread_area bad", SC(SYS_get_thread_area, &ud));
    char ldt[16];
    say("modify_ldt read", SC(SYS_modify_ldt, 0, ldt, sizeof ldt));
    say("modify_ldt bad", SC(SYS_modify_ldt, 7, ldt, sizeof ldt));
}

static void mounts(void)
{
    mkdir("/tmp/procfam.mnt", 0755);
    say("mount tmpfs", mount("none", "/tmp/procfam.mnt", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=700"));
    say("mount remount", mount(NULL, "/tmp/procfam.mnt", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID, NULL));
    say("mount bind", mount("/tmp/procfam.mnt", "/tmp/procfam.mnt", NULL, MS_BIND | MS_REC, NULL));
    say("mount private", mount(NULL, "/tmp/procfam.mnt", NULL, MS_PRIVATE, NULL));
    say("umount2", umount2("/tmp/procfam.mnt", MNT_DETACH));
    say("umount2 again", umount2("/tmp/procfam.mnt", 0));
    say("umount2 missing", umount2("/tmp/procfam.none", UMOUNT_NOFOLLOW));
    say("pivot_root", SC(SYS_pivot_root, "/tmp", "/tmp/procfam.none"));
    say("chroot missing", chroot("/tmp/procfam.none"));
    say("chroot", chroot("/"));
    say("quotactl", SC(SYS_quotactl, QCMD(Q_GETQUOTA, USRQUOTA), "/dev/null", 0, BAD));
    rmdir("/tmp/procfam.mnt");
}

static void sysv_ipc(void)
{
    struct {
        long mtype;
        char mtext[16];
    } m = {1, "hello queue"};
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    say("msgget", q);
    say("msgsnd", msgsnd(q, &m, 12, 0));
    say("msgsnd nowait", msgsnd(q, &m, 5, IPC_NOWAIT));
    say("msgrcv", msgrcv(q, &m, sizeof m.mtext, 0, 0));
    say("msgrcv except", msgrcv(q, &m, sizeof m.mtext, 2, IPC_NOWAIT | MSG_EXCEPT | MSG_NOERROR));
    say("msgrcv empty", msgrcv(q, &m, sizeof m.mtext, 0, IPC_NOWAIT));
    struct msqid_ds mq;
    say("msgctl STAT", msgctl(q, IPC_STAT, &mq));
    say("msgctl SET", msgctl(q, IPC_SET, &mq));
    say("msgctl RMID", msgctl(q, IPC_RMID, NULL));
    say("msgget excl", msgget(0x1234, IPC_CREAT | IPC_EXCL | 0644));
    say("msgctl RMID key", msgctl(msgget(0x1234, 0), IPC_RMID, NULL));
    say("msgget missing", msgget(0x4321, 0));

    int s = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    say("semget", s);
    union semun {
        int val;
        struct semid_ds *buf;
        unsigned short *array;
    } arg;
    arg.val = 2;
    say("semctl SETVAL", semctl(s, 0, SETVAL, arg));
    say("semctl GETVAL", semctl(s, 0, GETVAL));
    struct sembuf ops[2] = {{0, -1, SEM_UNDO}, {1, 1, IPC_NOWAIT}};
    say("semop", semop(s, ops, 2));
    struct timespec t = {0, 1000};
    struct sembuf block = {1, -5, 0};
    say("semtimedop", semtimedop(s, &block, 1, &t));
    unsigned short vals[2];
    arg.array = vals;
    say("semctl GETALL", semctl(s, 0, GETALL, arg));
    struct semid_ds sd;
    arg.buf = &sd;
    say("semctl IPC_STAT", semctl(s, 0, IPC_STAT, arg));
    say("semctl GETNCNT", semctl(s, 1, GETNCNT));
    say("semctl RMID", semctl(s, 0, IPC_RMID));
    say("semop bad", semop(s, ops, 1));

    int shm = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0640);
    say("shmget", shm);
    void *a = shmat(shm, NULL, SHM_RDONLY);
    say("shmat", a == (void *)-1 ? -1 : 0);
    say("shmdt", shmdt(a));
    struct shmid_ds ds;
    say("shmctl STAT", shmctl(shm, IPC_STAT, &ds));
    say("shmctl LOCK", shmctl(shm, SHM_LOCK, NULL));
    say("shmctl RMID", shmctl(shm, IPC_RMID, NULL));
    say("shmget huge", shmget(IPC_PRIVATE, 4096, IPC_CREAT | SHM_HUGETLB | 0600));
    say("shmdt bad", shmdt(BAD));

    struct mq_attr at = {0, 4, 32, 0};
    mqd_t mqd = mq_open("/procfam", O_RDWR | O_CREAT | O_EXCL, 0600, &at);
    say("mq_open", mqd);
    say("mq_timedsend", mq_timedsend(mqd, "message", 7, 3, &t));
    say("mq_send", mq_send(mqd, "x", 1, 0));
    char buf[64];
    unsigned prio;
    say("mq_timedreceive", mq_timedreceive(mqd, buf, sizeof buf, &prio, &t));
    say("mq_receive", mq_receive(mqd, buf, sizeof buf, &prio));
    say("mq_receive empty", mq_timedreceive(mqd, buf, sizeof buf, &prio, &t));
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    say("mq_notify", mq_notify(mqd, &ev));
    say("mq_notify off", mq_notify(mqd, NULL));
    struct mq_attr na = {O_NONBLOCK, 0, 0, 0}, oa;
    say("mq_getsetattr", mq_setattr(mqd, &na, &oa));
    say("mq_getattr", mq_getattr(mqd, &oa));
    close(mqd);
    say("mq_unlink", mq_unlink("/procfam"));
    say("mq_unlink missing", mq_unlink("/procfam"));
    say("mq_open missing", mq_open("/procfam-none", O_RDONLY));
}

static void execs(void)
{
    char *argv[] = {"procfam-none", "arg", NULL};
    char *envp[] = {"A=1", NULL};
    say("execve missing", execve("/bin/procfam-none", argv, envp));
    say("execve bad argv", SC(SYS_execve, "/bin/busybox", BAD, envp));
    say("execveat bad fd", SC(SYS_execveat, 999, "x", argv, envp, AT_SYMLINK_NOFOLLOW));
    say("execveat empty path", SC(SYS_execveat, 999, "", argv, envp, AT_EMPTY_PATH));
}

static void ids(void)
{
    gid_t groups[8];
    int n = getgroups(8, groups);
    say("getgroups", n);
    say("setgroups", setgroups(n > 0 ? n : 0, groups));
    uid_t r, e, su;
    say("getresuid", getresuid(&r, &e, &su));
    gid_t gr, ge, gs;
    say("getresgid", getresgid(&gr, &ge, &gs));
    say("setresuid", setresuid(-1, -1, -1));
    say("setreuid", setreuid(-1, 0));
    say("setuid", setuid(0));
    say("setgid", setgid(0));
    say("setfsuid", setfsuid(0));
    say("setfsgid", setfsgid(-1));
#ifdef __i386__
    say("setuid16", SC(23, 0xffff));
    say("chown16", SC(182, "/tmp", 0xffff, 0));
    unsigned short g16[4];
    say("getgroups16", SC(80, 4, g16));
#endif
}

static void keys_and_tracing(void)
{
    long k = SC(SYS_add_key, "user", "procfam:key", "secret payload", 14, -2 /* KEY_SPEC_PROCESS */);
    say("add_key", k);
    char buf[64];
    say("keyctl READ", SC(SYS_keyctl, 11, k, buf, sizeof buf));
    say("keyctl DESCRIBE", SC(SYS_keyctl, 6, k, buf, sizeof buf));
    say("keyctl SETPERM", SC(SYS_keyctl, 5, k, 0x3f3f0000));
    say("keyctl SET_TIMEOUT", SC(SYS_keyctl, 15, k, 100));
    say("keyctl UPDATE", SC(SYS_keyctl, 2, k, "new", 3));
    say("keyctl SEARCH", SC(SYS_keyctl, 10, -2, "user", "procfam:key", 0));
    say("keyctl REVOKE", SC(SYS_keyctl, 3, k));
    say("keyctl GET_KEYRING_ID", SC(SYS_keyctl, 0, -3, 0));
    say("keyctl bad", SC(SYS_keyctl, 9999, 1, 2, 3, 4));
    say("add_key bad type", SC(SYS_add_key, "nosuchtype", "d", "p", 1, -2));
    say("request_key missing", SC(SYS_request_key, "user", "procfam:none", NULL, 0));
    say("ptrace PEEKDATA bad", SC(SYS_ptrace, PTRACE_PEEKDATA, 99999, 0x1000, buf));
    say("ptrace ATTACH self", SC(SYS_ptrace, PTRACE_ATTACH, getpid(), 0, 0));
    say("ptrace CONT", SC(SYS_ptrace, PTRACE_CONT, 99999, 0, SIGCONT));
    say("ptrace SEIZE", SC(SYS_ptrace, PTRACE_SEIZE, 99999, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC));
    char src[16] = "remote data", dst[16];
    struct iovec l = {dst, sizeof dst}, rv = {src, sizeof src};
    say("process_vm_readv", SC(SYS_process_vm_readv, getpid(), &l, 1, &rv, 1, 0));
    say("process_vm_writev", SC(SYS_process_vm_writev, getpid(), &rv, 1, &l, 1, 0));
    say("process_vm_readv bad", SC(SYS_process_vm_readv, getpid(), &l, 1, BAD, 1, 0));
    say("swapon missing", SC(SYS_swapon, "/tmp/procfam.noswap", 0x8000 | 5));
    say("swapoff missing", SC(SYS_swapoff, "/tmp/procfam.noswap"));
    say("acct missing", SC(SYS_acct, "/tmp/procfam.none/acct"));
    say("unshare bad", SC(SYS_unshare, 0x1));
    say("unshare uts", SC(SYS_unshare, CLONE_NEWUTS));
    say("setns bad", SC(SYS_setns, 999, CLONE_NEWNET));
}

static void aio(void)
{
    aio_context_t ctx = 0;
    say("io_setup", SC(SYS_io_setup, 4, &ctx));
    int fd = open("/proc/self/stat", O_RDONLY);
    char buf[64];
    struct iocb cb;
    memset(&cb, 0, sizeof cb);
    cb.aio_data = 0x1234;
    cb.aio_lio_opcode = IOCB_CMD_PREAD;
    cb.aio_fildes = fd;
    cb.aio_buf = (uintptr_t)buf;
    cb.aio_nbytes = sizeof buf;
    struct iocb *list[1] = {&cb};
    say("io_submit", SC(SYS_io_submit, ctx, 1, list));
    struct io_event ev[2];
    struct timespec ts = {1, 0};
#ifdef __i386__
    struct ts32 ts32 = {1, 0};
    say("io_getevents", SC(SYS_io_getevents, ctx, 1, 2, ev, &ts32));
    (void)ts;
#else
    say("io_getevents", SC(SYS_io_getevents, ctx, 1, 2, ev, &ts));
#endif
    say("io_submit bad", SC(SYS_io_submit, ctx, 1, BAD));
    say("io_cancel", SC(SYS_io_cancel, ctx, &cb, ev));
    say("io_destroy", SC(SYS_io_destroy, ctx));
    close(fd);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    futexes();
    children();
    prctls();
    robust_and_tids();
    scheduling();
    resources();
    identity();
    areas();
    mounts();
    sysv_ipc();
    ids();
    keys_and_tracing();
    aio();
    execs();
    fflush(stdout);
    return 0;
}
