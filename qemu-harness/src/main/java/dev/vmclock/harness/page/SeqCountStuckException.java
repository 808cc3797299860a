package dev.vmclock.harness.page;

/**
 * seq_count stayed odd (or kept changing) for longer than a guest could reasonably spin. This is an
 * observation about the implementation under test, not a harness failure: the last page is kept.
 */
public class SeqCountStuckException extends RuntimeException {
    private final VmclockPage lastPage;
    private final int attempts;

    public SeqCountStuckException(VmclockPage lastPage, int attempts, long millis) {
        super("seq_count never settled on an even, unchanged value in " + attempts + " reads over " + millis
                + " ms (last seq_count " + lastPage.seqCount() + ")");
        this.lastPage = lastPage;
        this.attempts = attempts;
    }

    public VmclockPage lastPage() {
        return lastPage;
    }

    public int attempts() {
        return attempts;
    }
}
