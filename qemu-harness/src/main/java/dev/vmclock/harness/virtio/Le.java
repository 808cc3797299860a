package dev.vmclock.harness.virtio;

/** Little-endian field access in byte arrays: every virtio structure is little-endian. */
public final class Le {

    private Le() {
    }

    public static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    public static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    public static long u32(byte[] b, int off) {
        return (u16(b, off) | (long) u16(b, off + 2) << 16) & 0xffffffffL;
    }

    public static long u64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }

    public static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    public static void putInt(byte[] b, int off, long v) {
        putShort(b, off, (int) v);
        putShort(b, off + 2, (int) (v >>> 16));
    }

    public static void putLong(byte[] b, int off, long v) {
        putInt(b, off, v);
        putInt(b, off + 4, v >>> 32);
    }
}
