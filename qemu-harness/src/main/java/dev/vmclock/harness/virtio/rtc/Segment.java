package dev.vmclock.harness.virtio.rtc;

import java.util.HexFormat;

/** One descriptor of a request chain as a test chooses it: bytes the device reads, or room it may write. */
public sealed interface Segment {

    int length();

    boolean writable();

    static Segment readable(byte[] bytes) {
        return new Readable(bytes);
    }

    static Segment writable(int length) {
        return new Writable(length);
    }

    record Readable(byte[] bytes) implements Segment {
        public Readable {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        public int length() {
            return bytes.length;
        }

        public boolean writable() {
            return false;
        }

        @Override
        public String toString() {
            return "R[" + HexFormat.ofDelimiter(" ").formatHex(bytes) + "]";
        }
    }

    record Writable(int length) implements Segment {
        public boolean writable() {
            return true;
        }

        @Override
        public String toString() {
            return "W[" + length + "]";
        }
    }
}
