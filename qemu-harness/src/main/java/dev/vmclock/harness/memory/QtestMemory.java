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
 * This is how the suite plays the hypervisor's writer at run time (fault injection, reference clock data).
 */
public final class QtestMemory implements WritableMemory, AutoCloseable {

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
        String reply = command(String.format("read 0x%x 0x%x", address, length));
        return HexFormat.of().parseHex(reply.substring(reply.indexOf("0x") + 2));
    }

    @Override
    public synchronized void write(long address, byte[] bytes) {
        command(String.format("write 0x%x 0x%x 0x%s", address, bytes.length, HexFormat.of().formatHex(bytes)));
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
