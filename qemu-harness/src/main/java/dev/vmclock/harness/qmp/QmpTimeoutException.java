package dev.vmclock.harness.qmp;

import java.time.Duration;

/** No reply (or no awaited event) within the allowed time. */
public class QmpTimeoutException extends QmpException {
    public QmpTimeoutException(String what, Duration timeout) {
        super(what + " timed out after " + timeout.toMillis() + " ms");
    }
}
