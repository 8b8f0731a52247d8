/* threads: one thread blocks in read() on an empty pipe while three worker threads each do
 * 50 rounds of getpid/open/read/close. Main then writes to the pipe to release the reader and
 * joins everyone. Only main prints, so the console output is deterministic. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 3
#define ROUNDS 50

static int pipefd[2];
static long reader_got;
static long worker_bytes[WORKERS];

static void *reader(void *arg)
{
    char buf[16];
    (void)arg;
    reader_got = read(pipefd[0], buf, sizeof buf);
    return NULL;
}

static void *worker(void *arg)
{
    long id = (long)arg;
    char buf[64];
    for (int i = 0; i < ROUNDS; i++) {
        getpid();
        int fd = open("/etc/fstab", O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0)
            worker_bytes[id] += n;
        close(fd);
    }
    return NULL;
}

int main(void)
{
    pthread_t r, w[WORKERS];
    struct timespec pause = {0, 50 * 1000 * 1000};

    if (pipe(pipefd) != 0) {
        perror("threads: pipe");
        return 1;
    }
    pthread_create(&r, NULL, reader, NULL);
    nanosleep(&pause, NULL); /* let the reader block in read() first */
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&w[i], NULL, worker, (void *)i);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(w[i], NULL);
    for (int i = 0; i < WORKERS; i++)
        printf("threads: worker %d read %ld bytes in %d rounds\n", i, worker_bytes[i], ROUNDS);
    nanosleep(&pause, NULL);
    ssize_t wr = write(pipefd[1], "wake", 4);
    pthread_join(r, NULL);
    printf("threads: main wrote %zd bytes, blocked reader got %ld bytes\n", wr, reader_got);
    close(pipefd[0]);
    close(pipefd[1]);
    return reader_got == 4 ? 0 : 1;
}
