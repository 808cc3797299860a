package dev.vmclock.harness.memory;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Guest-physical memory through QEMU's qtest protocol ({@code -qtest unix:...}) while a real guest
 * runs under TCG: {@code read ADDR LEN} and {@code write ADDR LEN 0xHEX}, each answered by one line.
 * This is how the suite plays the hypervisor's writer at run time (fault injection, reference clock data),
 * and, on a machine whose vCPUs never run ({@code -S}), how its virtio driver reaches a device: port I/O
 * ({@code inb}..{@code outl}) and sized MMIO ({@code readb}..{@code writeq}), each dispatched by QEMU like a CPU
 * access, so device registers answer.
 */
public final class QtestMemory implements IoBus, AutoCloseable {

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private QtestMemory(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.US_ASCII));
        this.out = Channels.newOutputStream(channel);
    }

    public static QtestMemory connect(Path socket) {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new QtestMemory(ch);
        } catch (IOException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "cannot connect to the qtest socket " + socket + ": "
                    + e.getMessage() + " (was the machine started with qtest?)", e);
        }
    }

    @Override
    public synchronized byte[] read(long address, int length) {
        if (length == 0) {
            return new byte[0];
        }
        String reply = command(String.format("read 0x%x 0x%x", address, length));
        return HexFormat.of().parseHex(reply.substring(reply.indexOf("0x") + 2));
    }

    @Override
    public synchronized void write(long address, byte[] bytes) {
        command(String.format("write 0x%x 0x%x 0x%s", address, bytes.length, HexFormat.of().formatHex(bytes)));
    }

    @Override
    public synchronized int inb(int port) {
        return (int) value(command(String.format("inb 0x%x", port)));
    }

    @Override
    public synchronized int inw(int port) {
        return (int) value(command(String.format("inw 0x%x", port)));
    }

    @Override
    public synchronized int inl(int port) {
        return (int) value(command(String.format("inl 0x%x", port)));
    }

    @Override
    public synchronized void outb(int port, int value) {
        command(String.format("outb 0x%x 0x%x", port, value & 0xff));
    }

    @Override
    public synchronized void outw(int port, int value) {
        command(String.format("outw 0x%x 0x%x", port, value & 0xffff));
    }

    @Override
    public synchronized void outl(int port, int value) {
        command(String.format("outl 0x%x 0x%x", port, Integer.toUnsignedLong(value)));
    }

    @Override
    public synchronized int readb(long address) {
        return (int) value(command(String.format("readb 0x%x", address)));
    }

    @Override
    public synchronized int readw(long address) {
        return (int) value(command(String.format("readw 0x%x", address)));
    }

    @Override
    public synchronized long readl(long address) {
        return value(command(String.format("readl 0x%x", address)));
    }

    @Override
    public synchronized long readq(long address) {
        return value(command(String.format("readq 0x%x", address)));
    }

    @Override
    public synchronized void writeb(long address, int value) {
        command(String.format("writeb 0x%x 0x%x", address, value & 0xff));
    }

    @Override
    public synchronized void writew(long address, int value) {
        command(String.format("writew 0x%x 0x%x", address, value & 0xffff));
    }

    @Override
    public synchronized void writel(long address, long value) {
        command(String.format("writel 0x%x 0x%x", address, value & 0xffffffffL));
    }

    @Override
    public synchronized void writeq(long address, long value) {
        command(String.format("writeq 0x%x 0x%x", address, value));
    }

    /**
     * Advances QEMU's virtual clock by {@code nanos} (only under the qtest accelerator; QEMU 10.0.2 as
     * Debian builds it has none and answers FAIL, which is thrown).
     */
    public synchronized long clockStep(long nanos) {
        // The answer is the new virtual clock in decimal: "OK 1000".
        return Long.parseLong(command("clock_step " + nanos).substring(2).strip());
    }

    private static long value(String reply) {
        return Long.parseUnsignedLong(reply.substring(reply.indexOf("0x") + 2).strip(), 16);
    }

    private String command(String line) {
        try {
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply;
            // Asynchronous lines (IRQ interception) start with "IRQ"; the answer starts with OK, ERR or FAIL.
            do {
                reply = in.readLine();
                if (reply == null) {
                    throw new IOException("qtest socket closed");
                }
            } while (reply.startsWith("IRQ"));
            if (!reply.startsWith("OK")) {
                throw new HarnessException(ExitCode.HARNESS_ERROR, "qtest '" + line + "' answered: " + reply);
            }
            return reply;
        } catch (IOException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "qtest '" + line + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }
}
