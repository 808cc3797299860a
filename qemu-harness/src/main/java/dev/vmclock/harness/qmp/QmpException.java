package dev.vmclock.harness.qmp;

/** Anything that went wrong talking QMP. Subclasses say what. */
public class QmpException extends RuntimeException {
    public QmpException(String message) {
        super(message);
    }

    public QmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
