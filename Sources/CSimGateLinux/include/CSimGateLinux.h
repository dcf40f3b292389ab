#ifndef C_SIMGATE_LINUX_H
#define C_SIMGATE_LINUX_H

#include <stdint.h>

/// Asks the kernel to give the calling thread time slices of `nanoseconds` (Linux 6.12 and
/// later, whose EEVDF scheduler takes a custom slice from sched_setattr's sched_runtime for
/// ordinary threads). A thread with a shorter slice than the threads it shares a core with
/// gets an earlier deadline, so that when it wakes it runs first instead of waiting out the
/// running thread's slice. The thread's policy and nice value are kept.
///
/// Returns 0 when the kernel took the request, otherwise the errno (ENOSYS off Linux or where
/// the system call is missing; older kernels accept the value and ignore it).
int simgate_request_time_slice(uint64_t nanoseconds);

#endif
