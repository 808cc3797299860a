package dev.vmclock.harness.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.vmclock.harness.ChildJvms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against tiny fake adapters: each broken promise is one typed line, and nothing is left running. */
class AdapterProcessTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void aGoodAdapterAnswersAndLeavesNothingWhenClosed() throws Exception {
        Path fake = FakeAdapters.write(dir, "good.py", "");
        AdapterProcess a = AdapterProcess.start(fake, List.of(), Optional.of(dir.resolve("stderr.log")));
        long pgid = a.pid();
        assertThat(a.hello().capabilities()).containsExactly("HOST_MEMORY", "PAUSE_RESUME");
        assertThat(a.hello().implementation().vmm()).isEqualTo("fake");
        assertThat(a.hello().implementation().details()).containsEntry("k", "v");
        assertThat(AdapterProcess.groupMembers(pgid)).as("adapter and its child").hasSize(2);

        AdapterAnswer r = a.request("pause", Map.of("machine", "m1"), DEADLINE);
        assertThat(r.elapsed()).contains(Duration.ofNanos(1_500_000));
        assertThat(r.transcript()).containsExactly(new AdapterAnswer.VmmLine("to_vmm", "stop"));
        assertThat(a.exchange()).extracting(ExchangeLine::direction).containsExactly(ExchangeLine.Direction.TO_ADAPTER,
                ExchangeLine.Direction.FROM_ADAPTER, ExchangeLine.Direction.TO_ADAPTER, ExchangeLine.Direction.FROM_ADAPTER);
        assertThat(a.exchange().get(2).text()).contains("\"op\":\"pause\"", "\"deadline_ms\":10000", "\"machine\":\"m1\"");

        a.close();
        assertThat(a.isAlive()).isFalse();
        assertThat(AdapterProcess.groupMembers(pgid)).isEmpty();
    }

    @Test
    void aRefusalIsTypedAndKeepsTheAdapter() throws Exception {
        Path fake = FakeAdapters.write(dir, "refuses.py", """
                if op == "pause":
                    send(dict(id=req["id"], ok=False, error="no such machine m9")); continue
                """);
        try (AdapterProcess a = AdapterProcess.start(fake, List.of(), Optional.empty())) {
            AdapterException e = catchThrowableOfType(() -> a.request("pause", Map.of(), DEADLINE), AdapterException.class);
            assertThat(e.kind()).isEqualTo(AdapterException.Kind.REFUSED);
            assertThat(e).hasMessage("adapter refuses.py: op 'pause' (id 2) refused: no such machine m9");
            assertThat(a.isAlive()).isTrue();
            assertThat(a.request("resume", Map.of(), DEADLINE).body().path("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void anAdapterExitingMidRequestGivesItsStatusAndStderr() throws Exception {
        Path fake = FakeAdapters.write(dir, "dies.py", """
                if op == "migrate":
                    print("qemu-adapter: destination QEMU crashed", file=sys.stderr, flush=True); sys.exit(3)
                """);
        AdapterProcess a = AdapterProcess.start(fake, List.of(), Optional.empty());
        AdapterException e = catchThrowableOfType(() -> a.request("migrate", Map.of(), DEADLINE), AdapterException.class);
        assertThat(e.kind()).isEqualTo(AdapterException.Kind.EXITED);
        assertThat(e).hasMessage("adapter dies.py: op 'migrate' (id 2): the adapter exited with status 3 before answering"
                + " (stderr: qemu-adapter: destination QEMU crashed)");
        assertThat(e.exchange()).hasSize(3); // hello, its answer, the migrate request
        assertNothingLeft(a.pid());
        assertThat(catchThrowableOfType(() -> a.request("pause", Map.of(), DEADLINE), AdapterException.class).kind())
                .isEqualTo(AdapterException.Kind.EXITED);
    }

    @Test
    void garbageKillsTheAdapter() throws Exception {
        Path fake = FakeAdapters.write(dir, "garbage.py", """
                if op == "pause":
                    print("Traceback (most recent call last):", flush=True); continue
                """);
        AdapterProcess a = AdapterProcess.start(fake, List.of(), Optional.empty());
        AdapterException e = catchThrowableOfType(() -> a.request("pause", Map.of(), DEADLINE), AdapterException.class);
        assertThat(e.kind()).isEqualTo(AdapterException.Kind.GARBAGE);
        assertThat(e).hasMessageContaining("answered garbage").hasMessageContaining("Traceback (most recent call last):");
        assertNothingLeft(a.pid());
    }

    @Test
    void aJsonAnswerWithoutOkIsGarbage() throws Exception {
        Path fake = FakeAdapters.write(dir, "nook.py", """
                if op == "pause":
                    send(dict(id=req["id"], result="paused")); continue
                """);
        AdapterProcess a = AdapterProcess.start(fake, List.of(), Optional.empty());
        assertThat(catchThrowableOfType(() -> a.request("pause", Map.of(), DEADLINE), AdapterException.class).kind())
                .isEqualTo(AdapterException.Kind.GARBAGE);
        assertNothingLeft(a.pid());
    }

    @Test
    void aWrongIdKillsTheAdapter() throws Exception {
        Path fake = FakeAdapters.write(dir, "wrongid.py", """
                if op == "pause":
                    send(dict(id=req["id"] + 1, ok=True)); continue
                """);
        AdapterProcess a = AdapterProcess.start(fake, List.of(), Optional.empty());
        AdapterException e = catchThrowableOfType(() -> a.request("pause", Map.of(), DEADLINE), AdapterException.class);
        assertThat(e.kind()).isEqualTo(AdapterException.Kind.WRONG_ID);
        assertThat(e).hasMessage("adapter wrongid.py: op 'pause' (id 2): answered id 3; adapter killed");
        assertNothingLeft(a.pid());
    }

    @Test
    void aMissedDeadlineKillsTheAdapterAfterTheGrace() throws Exception {
        Path fake = FakeAdapters.write(dir, "slow.py", """
                if op == "snapshot_save":
                    print("savevm is taking long", file=sys.stderr, flush=True); time.sleep(300)
                """);
        AdapterProcess a = AdapterProcess.start(fake, List.of(), Optional.empty());
        long t0 = System.nanoTime();
        AdapterException e = catchThrowableOfType(() -> a.request("snapshot_save", Map.of("tag", "t"),
                Duration.ofMillis(200)), AdapterException.class);
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(e.kind()).isEqualTo(AdapterException.Kind.DEADLINE);
        assertThat(e).hasMessage("adapter slow.py: op 'snapshot_save' (id 2): no answer within its deadline of 200 ms"
                + " (+2 s grace); adapter killed (stderr: savevm is taking long)");
        assertThat(waitedMs).isBetween(2200L, 6000L);
        assertNothingLeft(a.pid());
    }

    @Test
    void anotherProtocolVersionIsBadInputBeforeAnythingRuns() throws Exception {
        Path fake = FakeAdapters.write(dir, "v2.py", """
                if op == "hello":
                    ok(req, **dict(HELLO, protocol="vmclock-conformance/adapter/v2")); continue
                """);
        HarnessException e = catchThrowableOfType(() -> AdapterProcess.start(fake, List.of(), Optional.empty()),
                HarnessException.class);
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e).hasMessage("--vmm exec:" + fake + ": the adapter speaks protocol 'vmclock-conformance/adapter/v2',"
                + " the suite speaks vmclock-conformance/adapter/v1; use an adapter (or a release of the suite) for the"
                + " same version");
        assertNothingLeft(FakeAdapters.pidOf(fake));
    }

    @Test
    void aRefusedHelloIsBadInput() throws Exception {
        Path fake = FakeAdapters.write(dir, "refuseshello.py", """
                if op == "hello":
                    send(dict(id=req["id"], ok=False, error="I speak v3 only")); continue
                """);
        HarnessException e = catchThrowableOfType(() -> AdapterProcess.start(fake, List.of(), Optional.empty()),
                HarnessException.class);
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e).hasMessageContaining("refused hello").hasMessageContaining("I speak v3 only");
        assertNothingLeft(FakeAdapters.pidOf(fake));
    }

    @Test
    void anUnknownCapabilityIsBadInput() throws Exception {
        Path fake = FakeAdapters.write(dir, "cap.py", """
                if op == "hello":
                    ok(req, **dict(HELLO, capabilities=["HOST_MEMORY", "TIME_TRAVEL"])); continue
                """);
        HarnessException e = catchThrowableOfType(() -> AdapterProcess.start(fake, List.of(), Optional.empty()),
                HarnessException.class);
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e).hasMessageContaining("claims capability 'TIME_TRAVEL'");
        assertNothingLeft(FakeAdapters.pidOf(fake));
    }

    @Test
    void aPathThatIsNotExecutableIsBadInputNamingTheFix() throws Exception {
        Path plain = Files.writeString(dir.resolve("adapter.py"), "#!/usr/bin/env python3\n");
        HarnessException e = catchThrowableOfType(() -> AdapterProcess.start(plain, List.of(), Optional.empty()),
                HarnessException.class);
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e).hasMessage("--vmm exec:" + plain + ": not executable; chmod +x " + plain);

        HarnessException missing = catchThrowableOfType(() -> AdapterProcess.start(dir.resolve("nope"), List.of(),
                Optional.empty()), HarnessException.class);
        assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(missing).hasMessageContaining("no such file");
        HarnessException folder = catchThrowableOfType(() -> AdapterProcess.start(dir, List.of(), Optional.empty()),
                HarnessException.class);
        assertThat(folder).hasMessageContaining("not a regular file");
    }

    @Test
    void theAdapterGroupGoesWhenItsJvmExitsWithoutClosing() throws Exception {
        assertGroupDiesWithJvm("exit");
    }

    @Test
    void theAdapterGroupGoesWhenItsJvmIsKilledWithSigkill() throws Exception {
        assertGroupDiesWithJvm("wait");
    }

    private void assertGroupDiesWithJvm(String mode) throws Exception {
        // Tied: after kill -9 of the JVM only the kernel acts (pdeathsig: JVM -> adapter -> its child).
        Path fake = FakeAdapters.write(dir, "orphan.py", "", mode.equals("wait"));
        long pgid = ChildJvms.endAfterPid(AdapterChildJvm.class, "ADAPTER_PID", mode, group ->
                assertThat(AdapterProcess.groupMembers(group)).as("adapter and its child").hasSize(2), fake.toString(), mode);
        assertNothingLeft(pgid);
    }

    /** The group empties at once after a kill; after a JVM's death the kernel may take a moment. */
    private static void assertNothingLeft(long pgid) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!AdapterProcess.groupMembers(pgid).isEmpty() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(AdapterProcess.groupMembers(pgid)).as("processes left in group %d", pgid).isEmpty();
    }
}
