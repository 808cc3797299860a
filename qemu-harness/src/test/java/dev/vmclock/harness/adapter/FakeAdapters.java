package dev.vmclock.harness.adapter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Tiny adapters in Python for the client's tests. Each writes its pid beside itself (so a test can look for its
 * group after a failed start) and starts a child in its group, so that "nothing left running" covers what an adapter
 * starts. By default the child is <em>not</em> tied to the adapter: only the client's killing of the whole group ends
 * it. Tied (PR_SET_PDEATHSIG, as the protocol asks of adapters) for the one case where nothing in the JVM runs any
 * more: its {@code kill -9}.
 */
final class FakeAdapters {

    private static final String PRELUDE = """
            #!/usr/bin/env python3
            import ctypes, json, os, signal, subprocess, sys, time
            open(sys.argv[0] + ".pid", "w").write(str(os.getpid()))
            TIED = %s
            child = subprocess.Popen(["sleep", "300"],
                preexec_fn=(lambda: ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)) if TIED else None)
            def send(obj):
                sys.stdout.write(json.dumps(obj) + "\\n"); sys.stdout.flush()
            def ok(req, **kw):
                send(dict(id=req["id"], ok=True, **kw))
            HELLO = dict(protocol="vmclock-conformance/adapter/v1", capabilities=["HOST_MEMORY", "PAUSE_RESUME"],
                         devices=["vmclock"], implementation=dict(vmm="fake", version="1", path="/fake", where="host",
                         machine="q35", accelerator="tcg", accelerator_reason="fake", details=dict(k="v")))
            for line in sys.stdin:
                req = json.loads(line)
                op = req["op"]
            """;

    /** The default for ops a body does not handle: hello, shutdown (exits) and an empty success for the rest. */
    private static final String DEFAULTS = """
                if op == "hello":
                    ok(req, **HELLO)
                elif op == "shutdown":
                    ok(req); sys.exit(0)
                else:
                    ok(req, elapsed_ms=1.5, transcript=[dict(direction="to_vmm", text="stop")])
            """;

    private FakeAdapters() {
    }

    /** An adapter whose loop runs {@code body} (8-space indented Python, may {@code continue}) before the defaults. */
    static Path write(Path dir, String name, String body) throws IOException {
        return write(dir, name, body, false);
    }

    /** As {@link #write(Path, String, String)}, the child dying with the adapter when {@code tiedChild}. */
    static Path write(Path dir, String name, String body, boolean tiedChild) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, PRELUDE.formatted(tiedChild ? "True" : "False") + body.stripTrailing().indent(4) + DEFAULTS);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    static long pidOf(Path adapter) throws IOException {
        return Long.parseLong(Files.readString(Path.of(adapter + ".pid")).strip());
    }
}
