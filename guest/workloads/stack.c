/* stack: a dynamically linked program (64-bit; the 32-bit one is static) that calls write three
 * functions deep (main -> outer -> middle -> inner -> write), for the stacks module's end-to-end test
 * against strace -k. Built with -g: the guest gets a stripped copy, and the debug file stays on the
 * host (the guest directory's debug/.build-id/xx/rest.debug, for --debug-dir).
 * vmscope-guest: dynamic debug */
#include <unistd.h>

volatile int sink;

__attribute__((noipa)) int inner(int n)
{
    int r = (int)write(1, "STACK-WRITE\n", 12); /* the call the test looks for */
    sink += n;
    return r;
}

__attribute__((noipa)) int middle(int n)
{
    int r = inner(n + 1);
    sink += r;
    return r;
}

__attribute__((noipa)) int outer(int n)
{
    int r = middle(n + 1);
    sink += r;
    return r;
}

int main(void)
{
    return outer(1) == 12 ? 0 : 1;
}
