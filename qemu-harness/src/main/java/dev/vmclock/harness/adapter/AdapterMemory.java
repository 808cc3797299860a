package dev.vmclock.harness.adapter;

import dev.vmclock.harness.memory.WritableMemory;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Guest-physical memory of one machine through its adapter: {@code memory_read} (capability HOST_MEMORY) and
 * {@code memory_write} (HYPERVISOR_WRITER). The machine id is asked for at each access, since a sibling or a
 * restored machine may be the one read next.
 */
public final class AdapterMemory implements WritableMemory {

    public static final Duration DEADLINE = Duration.ofSeconds(10);

    private final AdapterProcess adapter;
    private final Supplier<String> machine;

    public AdapterMemory(AdapterProcess adapter, Supplier<String> machine) {
        this.adapter = adapter;
        this.machine = machine;
    }

    @Override
    public byte[] read(long address, int length) {
        String data = adapter.request("memory_read", Map.of("machine", machine.get(), "address", address,
                "length", length), DEADLINE).text("data");
        byte[] bytes = Base64.getDecoder().decode(data);
        if (bytes.length != length) {
            throw new AdapterException(AdapterException.Kind.GARBAGE, "adapter " + adapter.path().getFileName()
                    + ": memory_read of " + length + " bytes at 0x" + Long.toHexString(address) + " answered "
                    + bytes.length, adapter.exchange(), adapter.stderrTail());
        }
        return bytes;
    }

    @Override
    public void write(long address, byte[] bytes) {
        adapter.request("memory_write", Map.of("machine", machine.get(), "address", address,
                "data", Base64.getEncoder().encodeToString(bytes)), DEADLINE);
    }
}
