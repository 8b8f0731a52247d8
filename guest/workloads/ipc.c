/* ipc: System V message queues (msgget, msgsnd, msgrcv with types and flags, msgctl IPC_STAT,
 * IPC_SET, IPC_INFO, MSG_STAT, IPC_RMID), semaphores (semget, semop, semtimedop, semctl GETVAL,
 * SETVAL, SETALL, GETALL, GETPID, GETNCNT, IPC_STAT, IPC_RMID), shared memory (shmget, shmat,
 * shmdt, shmctl IPC_STAT, IPC_SET, SHM_LOCK, IPC_RMID), and POSIX message queues (mq_open with
 * attributes, mq_timedsend, mq_timedreceive, mq_getsetattr, mq_notify, mq_unlink); with failures
 * ENOENT, EEXIST, EINVAL, EFAULT, EAGAIN, ENOMSG, EIDRM. Private keys and fixed names: deterministic.
 * (32-bit: glibc goes through the ipc multiplexer or the direct calls, as it does for users.)
 * Exit status: the number of steps that did not behave as expected. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "wl.h"

/* Raw *ctl calls for the EFAULT cases: 32-bit glibc converts the structures through its own copy
 * (and would fault itself). i386 wants IPC_64 in the command for the 64-bit layouts. */
#define IPC_64_FLAG (sizeof(long) == 4 ? 0x100 : 0)

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *__buf;
};

static void msgs(void)
{
    msgctl(msgget(0x5eed0001, 0), IPC_RMID, NULL); /* left over by an earlier run, if any */
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    ok("msgget IPC_PRIVATE", q >= 0);
    fails("msgget missing key (ENOENT)", msgget(0x5eed1234, 0600), ENOENT);
    int k = msgget(0x5eed0001, IPC_CREAT | IPC_EXCL | 0640);
    ok("msgget key IPC_CREAT|IPC_EXCL", k >= 0);
    fails("msgget IPC_EXCL again (EEXIST)", msgget(0x5eed0001, IPC_CREAT | IPC_EXCL | 0640), EEXIST);
    struct {
        long mtype;
        char mtext[64];
    } m = {1, "message one"}, r;
    ok("msgsnd type 1", msgsnd(q, &m, 12, 0) == 0);
    m.mtype = 2;
    strcpy(m.mtext, "message two");
    ok("msgsnd type 2 IPC_NOWAIT", msgsnd(q, &m, 12, IPC_NOWAIT) == 0);
    ok("msgrcv type 2", msgrcv(q, &r, sizeof r.mtext, 2, 0) == 12);
    fails("msgrcv short buffer (E2BIG)", msgrcv(q, &r, 4, 0, IPC_NOWAIT), E2BIG);
    ok("msgrcv MSG_NOERROR truncates", msgrcv(q, &r, 4, 0, MSG_NOERROR) == 4);
    fails("msgrcv empty (ENOMSG)", msgrcv(q, &r, sizeof r.mtext, 0, IPC_NOWAIT), ENOMSG);
    fails("msgsnd type 0 (EINVAL)", (m.mtype = 0, msgsnd(q, &m, 4, 0)), EINVAL);
    fails("msgsnd bad buffer (EFAULT)", msgsnd(q, BADPTR, 4, 0), EFAULT);
    struct msqid_ds ds;
    ok("msgctl IPC_STAT", msgctl(q, IPC_STAT, &ds) == 0);
    ds.msg_perm.mode = 0644;
    ok("msgctl IPC_SET", msgctl(q, IPC_SET, &ds) == 0);
    struct msginfo mi;
    ok("msgctl IPC_INFO", msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0);
    ok("msgctl MSG_INFO", msgctl(0, MSG_INFO, (struct msqid_ds *)&mi) >= 0);
    tried("msgctl MSG_STAT index 0", msgctl(0, MSG_STAT, &ds));
    fails("msgctl bad command (EINVAL)", msgctl(q, 12345, &ds), EINVAL);
    fails("msgctl IPC_STAT bad buffer (EFAULT)", syscall(SYS_msgctl, q, IPC_STAT | IPC_64_FLAG, BADPTR), EFAULT);
    ok("msgctl IPC_RMID", msgctl(q, IPC_RMID, NULL) == 0 && msgctl(k, IPC_RMID, NULL) == 0);
    fails("msgsnd removed queue (EINVAL)", (m.mtype = 1, msgsnd(q, &m, 4, 0)), EINVAL);
}

static void sems(void)
{
    int s = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
    ok("semget 3 semaphores", s >= 0);
    fails("semget too many (EINVAL)", semget(IPC_PRIVATE, 100000, IPC_CREAT | 0600), EINVAL);
    union semun a;
    a.val = 2;
    ok("semctl SETVAL", semctl(s, 0, SETVAL, a) == 0);
    ok("semctl GETVAL", semctl(s, 0, GETVAL) == 2);
    unsigned short vals[3] = {5, 6, 7};
    a.array = vals;
    ok("semctl SETALL", semctl(s, 0, SETALL, a) == 0);
    unsigned short got[3];
    a.array = got;
    ok("semctl GETALL", semctl(s, 0, GETALL, a) == 0 && got[2] == 7);
    struct sembuf ops[2] = {{0, -1, SEM_UNDO}, {1, 2, 0}};
    ok("semop 2 operations", semop(s, ops, 2) == 0);
    struct sembuf wait0 = {2, -100, IPC_NOWAIT};
    fails("semop would block (EAGAIN)", semop(s, &wait0, 1), EAGAIN);
    struct timespec ts = {0, 1000000};
    wait0.sem_flg = 0;
    fails("semtimedop times out (EAGAIN)", semtimedop(s, &wait0, 1, &ts), EAGAIN);
    struct sembuf zero = {0, 0, IPC_NOWAIT};
    fails("semop wait for zero (EAGAIN)", semop(s, &zero, 1), EAGAIN);
    fails("semop bad semaphore (EFBIG)", (zero.sem_num = 9, semop(s, &zero, 1)), EFBIG);
    fails("semop bad array (EFAULT)", semop(s, BADPTR, 1), EFAULT);
    ok("semctl GETPID", semctl(s, 0, GETPID) == getpid());
    ok("semctl GETNCNT", semctl(s, 0, GETNCNT) == 0);
    ok("semctl GETZCNT", semctl(s, 0, GETZCNT) == 0);
    struct semid_ds ds;
    a.buf = &ds;
    ok("semctl IPC_STAT", semctl(s, 0, IPC_STAT, a) == 0);
    struct seminfo si;
    a.__buf = &si;
    ok("semctl IPC_INFO", semctl(0, 0, IPC_INFO, a) >= 0);
    a.val = -1;
    fails("semctl SETVAL negative (ERANGE)", semctl(s, 0, SETVAL, a), ERANGE);
    fails("semctl bad command (EINVAL)", semctl(s, 0, 12345), EINVAL);
    ok("semctl IPC_RMID", semctl(s, 0, IPC_RMID) == 0);
    fails("semop removed set (EINVAL)", semop(s, ops, 1), EINVAL);
}

static void shms(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    int id = shmget(IPC_PRIVATE, 2 * ps, IPC_CREAT | 0600);
    ok("shmget 2 pages", id >= 0);
    fails("shmget size 0 new (EINVAL)", shmget(0x5eed0002, 0, IPC_CREAT | 0600), EINVAL);
    char *p = shmat(id, NULL, 0);
    ok("shmat", p != (void *)-1);
    strcpy(p, "shared");
    char *q = shmat(id, NULL, SHM_RDONLY);
    ok("shmat SHM_RDONLY", q != (void *)-1 && strcmp(q, "shared") == 0);
    fails("shmat unaligned address (EINVAL)", (long)shmat(id, (void *)(p + 1), 0), EINVAL);
    struct shmid_ds ds;
    ok("shmctl IPC_STAT (2 attached)", shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 2);
    ds.shm_perm.mode = 0640;
    ok("shmctl IPC_SET", shmctl(id, IPC_SET, &ds) == 0);
    ok("shmctl SHM_LOCK", shmctl(id, SHM_LOCK, NULL) == 0);
    ok("shmctl SHM_UNLOCK", shmctl(id, SHM_UNLOCK, NULL) == 0);
    struct shminfo si;
    ok("shmctl IPC_INFO", shmctl(0, IPC_INFO, (struct shmid_ds *)&si) >= 0);
    struct shm_info sinfo;
    ok("shmctl SHM_INFO", shmctl(0, SHM_INFO, (struct shmid_ds *)&sinfo) >= 0);
    tried("shmctl IPC_STAT bad buffer (EFAULT)", syscall(SYS_shmctl, id, IPC_STAT | IPC_64_FLAG, BADPTR));
    ok("shmdt", shmdt(q) == 0 && shmdt(p) == 0);
    fails("shmdt not attached (EINVAL)", shmdt(p), EINVAL);
    ok("shmctl IPC_RMID", shmctl(id, IPC_RMID, NULL) == 0);
    fails("shmat removed (EINVAL)", (long)shmat(id, NULL, 0), EINVAL);
}

static void mqs(void)
{
    struct mq_attr attr = {.mq_flags = 0, .mq_maxmsg = 4, .mq_msgsize = 64};
    mq_unlink("/vmscope-ipc");
    mqd_t q = mq_open("/vmscope-ipc", O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &attr);
    ok("mq_open O_CREAT|O_EXCL with attributes", q >= 0);
    fails("mq_open O_EXCL again (EEXIST)",
          mq_open("/vmscope-ipc", O_CREAT | O_EXCL | O_RDWR, 0600, &attr), EEXIST);
    fails("mq_open missing (ENOENT)", mq_open("/vmscope-none", O_RDONLY), ENOENT);
    attr.mq_maxmsg = 0;
    fails("mq_open bad attributes (EINVAL)", mq_open("/vmscope-bad", O_CREAT | O_RDWR, 0600, &attr),
          EINVAL);
    ok("mq_send priority 3", mq_send(q, "low", 3, 3) == 0);
    ok("mq_send priority 9", mq_send(q, "high priority", 13, 9) == 0);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 5;
    ok("mq_timedsend", mq_timedsend(q, "timed", 5, 1, &ts) == 0);
    char buf[64];
    unsigned prio;
    ok("mq_receive highest first", mq_receive(q, buf, sizeof buf, &prio) == 13 && prio == 9);
    ok("mq_timedreceive", mq_timedreceive(q, buf, sizeof buf, &prio, &ts) == 3);
    fails("mq_receive short buffer (EMSGSIZE)", mq_receive(q, buf, 8, &prio), EMSGSIZE);
    struct mq_attr cur, nw = {.mq_flags = O_NONBLOCK};
    ok("mq_getattr", mq_getattr(q, &cur) == 0 && cur.mq_curmsgs == 1);
    ok("mq_setattr O_NONBLOCK", mq_setattr(q, &nw, &cur) == 0);
    mq_receive(q, buf, sizeof buf, NULL);
    fails("mq_receive empty nonblocking (EAGAIN)", mq_receive(q, buf, sizeof buf, NULL), EAGAIN);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGUSR1;
    ok("mq_notify SIGEV_SIGNAL", mq_notify(q, &sev) == 0);
    ok("mq_notify remove", mq_notify(q, NULL) == 0);
    sev.sigev_notify = 1234;
    fails("mq_notify bad notify (EINVAL)", mq_notify(q, &sev), EINVAL);
    fails("mq_timedsend bad timeout (EINVAL)",
          (mq_setattr(q, &(struct mq_attr){0}, NULL), ts.tv_nsec = -5,
           mq_send(q, "1", 1, 0), mq_send(q, "2", 1, 0), mq_send(q, "3", 1, 0),
           mq_send(q, "4", 1, 0), mq_timedsend(q, "5", 1, 0, &ts)), EINVAL);
    fails("mq_send bad descriptor (EBADF)", mq_send(999, "x", 1, 0), EBADF);
    fails("mq_getsetattr bad pointer (EFAULT)", syscall(SYS_mq_getsetattr, q, NULL, BADPTR), EFAULT);
    mq_close(q);
    ok("mq_unlink", mq_unlink("/vmscope-ipc") == 0);
    fails("mq_unlink again (ENOENT)", mq_unlink("/vmscope-ipc"), ENOENT);
}

int main(void)
{
    wl_name = "ipc";
    msgs();
    sems();
    shms();
    mqs();
    return wl_exit();
}
