#include <stdio.h>

/* Whether what was written to the C library's standard output (Swift's `print`) failed to reach it: a full
   disk or a closed pipe, now or on an earlier flush. Swift cannot name `stdout` under strict concurrency. */
static inline int sweep_stdout_failed(void) {
    return fflush(stdout) != 0 || ferror(stdout) != 0;
}
