package dev.vmclock.harness.adapter;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.util.List;

/**
 * An adapter that broke the protocol or refused an operation: one line saying which, with the exchange and the
 * adapter's stderr tail kept for the evidence. Every kind but {@link Kind#REFUSED} leaves the adapter killed, since
 * nothing it says afterwards can be trusted.
 */
public final class AdapterException extends HarnessException {

    public enum Kind {
        /** The adapter answered {@code ok: false}: it is still running. */
        REFUSED,
        /** The adapter's stdout closed (it exited) while a request was open. */
        EXITED,
        /** A line that is not a JSON object with a boolean {@code ok}. */
        GARBAGE,
        /** An answer carrying another request's id. */
        WRONG_ID,
        /** No answer within the request's deadline plus the grace. */
        DEADLINE
    }

    private final Kind kind;
    private final transient List<ExchangeLine> exchange;
    private final String stderrTail;

    AdapterException(Kind kind, String message, List<ExchangeLine> exchange, String stderrTail) {
        super(ExitCode.HARNESS_ERROR, oneLine(message));
        this.kind = kind;
        this.exchange = List.copyOf(exchange);
        this.stderrTail = stderrTail;
    }

    static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " / ").strip();
    }

    public Kind kind() {
        return kind;
    }

    /** Every line to and from the adapter up to the failure, oldest first. */
    public List<ExchangeLine> exchange() {
        return exchange;
    }

    /** The last lines the adapter wrote on stderr. */
    public String stderrTail() {
        return stderrTail;
    }
}
