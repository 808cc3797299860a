package dev.vmclock.harness.page;

/** The bytes cannot be a {@code vmclock_abi} page at all (too short to hold the structure). */
public class PageFormatException extends RuntimeException {
    public PageFormatException(String message) {
        super(message);
    }
}
