#include "CSimGateLinux.h"

#include <errno.h>

#if defined(__linux__)
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__linux__) && defined(SYS_sched_setattr) && defined(SYS_sched_getattr)
// The kernel's struct sched_attr (include/uapi/linux/sched/types.h), first version: glibc
// before 2.41 neither declares it nor wraps the two system calls.
struct simgate_sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
};

int simgate_request_time_slice(uint64_t nanoseconds) {
    struct simgate_sched_attr attr;
    memset(&attr, 0, sizeof attr);
    // Read first, so that setting the slice keeps the policy and nice value the thread has.
    if (syscall(SYS_sched_getattr, 0, &attr, (unsigned int)sizeof attr, 0) != 0) return errno;
    // Only ordinary (SCHED_OTHER, 0) and batch (SCHED_BATCH, 3) threads have a slice to
    // change; real-time and idle threads are left as they are.
    if (attr.sched_policy != 0 && attr.sched_policy != 3) return EINVAL;
    attr.size = sizeof attr;
    attr.sched_flags = 0;
    attr.sched_runtime = nanoseconds;
    if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0) return errno;
    return 0;
}
#else
int simgate_request_time_slice(uint64_t nanoseconds) {
    (void)nanoseconds;
    return ENOSYS;
}
#endif
