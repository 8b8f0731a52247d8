/* wl-ids: what an intrusion-detection module must notice (examples/c-ids), and what it must not.
 * vmscope-guest: 64-bit only
 *
 * Reads /etc/shadow (made first if the guest has none), writes a new file under /etc and removes
 * it, reads /etc/fstab (not sensitive), writes under /tmp (not watched), and writes then reads
 * /tmp/ids-secret/key (sensitive only when the module is told so). Prints what it did as
 * `ids: key=value` lines for the end-to-end test (crates/vmscope-cli/tests/modules_e2e.rs).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_file(const char *path, int flags, const char *text) {
    int fd = open(path, flags, 0600);
    ssize_t n;
    if (fd < 0) {
        printf("ids: FAILED open %s: %s\n", path, strerror(errno));
        return -1;
    }
    n = write(fd, text, strlen(text));
    close(fd);
    return (int)n;
}

static int read_file(const char *path) {
    char buf[256];
    int fd = open(path, O_RDONLY);
    ssize_t n;
    if (fd < 0) {
        printf("ids: FAILED open %s: %s\n", path, strerror(errno));
        return -1;
    }
    n = read(fd, buf, sizeof buf);
    close(fd);
    return (int)n;
}

int main(void) {
    int made = 0;
    printf("ids: pid=%d\n", (int)getpid());
    if (access("/etc/shadow", F_OK) != 0) {
        /* A stock busybox initramfs has no shadow file: make one (itself a write under /etc). */
        if (write_file("/etc/shadow", O_WRONLY | O_CREAT | O_EXCL, "root:*:19000:0:99999:7:::\n") < 0)
            return 1;
        made = 1;
    }
    printf("ids: shadow_made=%d\n", made);
    printf("ids: shadow_read=%d\n", read_file("/etc/shadow"));
    printf("ids: fstab_read=%d\n", read_file("/etc/fstab") > 0);
    printf("ids: conf_written=%d\n",
           write_file("/etc/vmscope-ids.conf", O_WRONLY | O_CREAT | O_TRUNC, "ids=written\n"));
    printf("ids: conf_unlinked=%d\n", unlink("/etc/vmscope-ids.conf") == 0);
    printf("ids: tmp_written=%d\n", write_file("/tmp/ids-plain.txt", O_WRONLY | O_CREAT | O_TRUNC,
                                                 "nothing to see\n"));
    mkdir("/tmp/ids-secret", 0700);
    printf("ids: key_written=%d\n",
           write_file("/tmp/ids-secret/key", O_WRONLY | O_CREAT | O_TRUNC, "secret key 1234\n"));
    printf("ids: key_read=%d\n", read_file("/tmp/ids-secret/key"));
    printf("ids: done\n");
    return 0;
}
