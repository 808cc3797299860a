package dev.vmclock.harness.adapter;

import java.time.Instant;

/** One line of the protocol as it crossed the adapter's stdin or stdout: the evidence of every event. */
public record ExchangeLine(Instant at, Direction direction, String text) {

    public enum Direction {
        TO_ADAPTER,
        FROM_ADAPTER
    }

    @Override
    public String toString() {
        return at + (direction == Direction.TO_ADAPTER ? " > " : " < ") + text;
    }
}
