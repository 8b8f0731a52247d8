/* compute N: CPU-bound loop with almost no system calls (default N = 10000000). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 10000000;
    uint64_t x = 0x9e3779b97f4a7c15ull, acc = 0;
    for (long i = 0; i < count; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += x;
    }
    printf("compute: %ld iterations, checksum %016llx\n", count, (unsigned long long)acc);
    return 0;
}
