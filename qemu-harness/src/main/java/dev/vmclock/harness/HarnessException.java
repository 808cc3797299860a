package dev.vmclock.harness;

/**
 * A failure of the test set-up rather than of the implementation under test. Each carries the
 * process exit code the CLI documents for it and a one-line message that names the fix.
 */
public class HarnessException extends RuntimeException {

    private final ExitCode exitCode;

    public HarnessException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public HarnessException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
