package dev.vmclock.harness.virtio.rtc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A request chain where the test chooses every byte and every buffer: the device-readable segments (in
 * chain order, then the device-writable ones, as virtio requires), the byte writable buffers are filled
 * with beforehand (so untouched bytes show), and the message type to decode the answer as.
 */
public record RawRequest(List<Segment> segments, int fill, Optional<MsgType> decodeAs) {

    /** What writable buffers hold before the device answers: bytes the device left alone still read 0xAA. */
    public static final int DEFAULT_FILL = 0xaa;

    public RawRequest {
        segments = List.copyOf(segments);
    }

    /** The request structure in one readable buffer, and one writable buffer of exactly the response's size. */
    public static RawRequest of(RtcRequest request) {
        return new RawRequest(List.of(Segment.readable(request.encode()),
                Segment.writable(request.type().responseSize())), DEFAULT_FILL, Optional.of(request.type()));
    }

    /** Arbitrary request bytes in one readable buffer and {@code responseLength} writable bytes. */
    public static RawRequest bytes(byte[] request, int responseLength, MsgType decodeAs) {
        return new RawRequest(List.of(Segment.readable(request), Segment.writable(responseLength)), DEFAULT_FILL,
                Optional.ofNullable(decodeAs));
    }

    public static RawRequest of(List<Segment> segments, MsgType decodeAs) {
        return new RawRequest(segments, DEFAULT_FILL, Optional.ofNullable(decodeAs));
    }

    /** The same request with the writable part replaced by one buffer of {@code length} bytes. */
    public RawRequest withResponseLength(int length) {
        List<Segment> s = new ArrayList<>(readable());
        s.add(Segment.writable(length));
        return new RawRequest(s, fill, decodeAs);
    }

    /** The same request bytes, split into readable buffers ending at these offsets (ascending). */
    public RawRequest splitRequestAt(int... offsets) {
        return new RawRequest(concat(split(requestBytes(), offsets), writableSegments()), fill, decodeAs);
    }

    /** The same writable room, split into buffers ending at these offsets (ascending). */
    public RawRequest splitResponseAt(int... offsets) {
        int total = writableSegments().stream().mapToInt(Segment::length).sum();
        List<Segment> w = new ArrayList<>();
        int from = 0;
        for (int o : offsets) {
            w.add(Segment.writable(o - from));
            from = o;
        }
        w.add(Segment.writable(total - from));
        return new RawRequest(concat(readable(), w), fill, decodeAs);
    }

    public RawRequest withFill(int value) {
        return new RawRequest(segments, value, decodeAs);
    }

    /** All readable bytes, concatenated in chain order. */
    public byte[] requestBytes() {
        byte[] all = new byte[0];
        for (Segment s : readable()) {
            byte[] b = ((Segment.Readable) s).bytes();
            int n = all.length;
            all = Arrays.copyOf(all, n + b.length);
            System.arraycopy(b, 0, all, n, b.length);
        }
        return all;
    }

    public List<Segment> readable() {
        return segments.stream().filter(s -> !s.writable()).toList();
    }

    public List<Segment> writableSegments() {
        return segments.stream().filter(Segment::writable).toList();
    }

    public int writableLength() {
        return writableSegments().stream().mapToInt(Segment::length).sum();
    }

    private static List<Segment> split(byte[] bytes, int... offsets) {
        List<Segment> out = new ArrayList<>();
        int from = 0;
        for (int o : offsets) {
            out.add(Segment.readable(Arrays.copyOfRange(bytes, from, o)));
            from = o;
        }
        out.add(Segment.readable(Arrays.copyOfRange(bytes, from, bytes.length)));
        return out;
    }

    private static List<Segment> concat(List<Segment> a, List<Segment> b) {
        List<Segment> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
