package dev.vmclock.harness.guest;

import dev.vmclock.harness.page.VmclockPage;

/**
 * The page as a guest program sees it through {@code /dev/vmclock0}.
 *
 * @param retries                 seq_count retries (mmap: the agent's own seqlock loop; read(): 0, the driver retries)
 * @param writableMappingRefused  mmap only: whether a writable shared mapping was refused (null for read())
 * @param writableErrno           mmap only: the errno of that refusal
 */
public record GuestPageRead(VmclockPage page, int retries, Boolean writableMappingRefused, String writableErrno) {
}
