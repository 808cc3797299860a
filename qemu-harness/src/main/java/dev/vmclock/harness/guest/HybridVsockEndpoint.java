package dev.vmclock.harness.guest;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The agent over "hybrid vsock": the host side of a guest's vsock device as a unix socket (Firecracker, Cloud
 * Hypervisor, rust-vmm's vhost-device-vsock behind QEMU's vhost-user-vsock). Each connection starts with
 * {@code CONNECT <port>\n}, answered {@code OK <n>\n} once the guest accepted it; the stream then carries the agent's
 * JSON lines. Everything but the connection (which process carries the guest, its console, stopping it) is the
 * hypervisor's, and delegated to {@code machine}.
 */
public final class HybridVsockEndpoint implements AgentEndpoint {

    /** The vsock port the guest agent listens on (vmclock-agent.c: VSOCK_PORT). */
    public static final int AGENT_PORT = 5151;
    /** How long the guest may take to accept: the back end holds the CONNECT until the guest answers or refuses. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    private static final Pattern OK = Pattern.compile("OK [0-9]{1,10}");
    /** Longer than any answer the protocol has: more without a newline is not this protocol. */
    private static final int MAX_ANSWER = 64;

    private final Path socket;
    private final int port;
    private final Duration timeout;
    private final AgentEndpoint machine;

    public HybridVsockEndpoint(Path socket, int port, Duration timeout, AgentEndpoint machine) {
        this.socket = socket;
        this.port = port;
        this.timeout = timeout;
        this.machine = machine;
    }

    public HybridVsockEndpoint(Path socket, AgentEndpoint machine) {
        this(socket, AGENT_PORT, HANDSHAKE_TIMEOUT, machine);
    }

    public Path socket() {
        return socket;
    }

    @Override
    public AgentClient connect() throws IOException {
        return open(socket, port, timeout);
    }

    /** A connection to {@code port} in the guest behind the hybrid vsock socket {@code socket}, handshake done. */
    public static AgentClient open(Path socket, int port, Duration timeout) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            String rest = handshake(ch, socket, port, timeout);
            return AgentClient.over(ch, rest);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Sends CONNECT and reads the answer line; returns what followed it. Any other answer is a one-line error. */
    private static String handshake(SocketChannel ch, Path socket, int port, Duration timeout) throws IOException {
        String what = "hybrid vsock " + socket + ": CONNECT " + port;
        ch.write(ByteBuffer.wrap(("CONNECT " + port + "\n").getBytes(StandardCharsets.US_ASCII)));
        ch.configureBlocking(false);
        StringBuilder got = new StringBuilder();
        ByteBuffer buf = ByteBuffer.allocate(MAX_ANSWER + 1);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Selector sel = Selector.open()) {
            ch.register(sel, SelectionKey.OP_READ);
            while (true) {
                int nl = got.indexOf("\n");
                if (nl >= 0) {
                    String line = got.substring(0, nl).strip();
                    if (!OK.matcher(line).matches()) {
                        throw new IOException(what + " answered '" + printable(line) + "', not 'OK <port>'");
                    }
                    return got.substring(nl + 1);
                }
                if (got.length() > MAX_ANSWER) {
                    throw new IOException(what + " answered '" + printable(got.substring(0, MAX_ANSWER))
                            + "...' (no line end), not 'OK <port>'");
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new IOException(what + ": no answer within " + timeout.toMillis() + " ms"
                            + (got.isEmpty() ? "" : " (got '" + printable(got.toString()) + "')"));
                }
                sel.select(left);
                sel.selectedKeys().clear();
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    throw new IOException(what + " refused: the connection closed " + (got.isEmpty()
                            ? "without an answer (nothing listens on that vsock port in the guest yet)"
                            : "after '" + printable(got.toString()) + "'"));
                }
                got.append(new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1));
            }
        }
    }

    /** Control characters shown escaped, so the error stays on one line. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.chars().forEach(c -> b.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c)));
        return b.toString();
    }

    @Override
    public long generation() {
        return machine.generation();
    }

    @Override
    public Optional<String> gone() {
        return machine.gone();
    }

    @Override
    public String consoleTail(int lines) {
        return machine.consoleTail(lines);
    }

    @Override
    public String keepEvidence() {
        return machine.keepEvidence();
    }

    @Override
    public void close() {
        machine.close();
    }
}
