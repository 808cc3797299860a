package dev.vmclock.harness.adapter;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Run in a separate JVM by {@link AdapterProcessTest}: starts the adapter at {@code args[0]}, prints its pid, then
 * waits to be killed ({@code wait}) or, once its parent writes a line, exits without closing it ({@code exit}).
 */
public final class AdapterChildJvm {
    public static void main(String[] args) throws Exception {
        AdapterProcess a = AdapterProcess.start(Path.of(args[0]), List.of(), Optional.empty());
        System.out.println("ADAPTER_PID=" + a.pid());
        System.out.flush();
        if (args[1].equals("exit")) {
            System.in.read();
            System.exit(0);
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
