#!/usr/bin/env bash
# Prints timings on this machine.
#   qemu-harness/bench.sh [ROUNDS]          QEMU start, host page read, lifecycle events (HarnessBenchmark)
#   qemu-harness/bench.sh ramfile [ROUNDS]  guest RAM reads through the RAM file against pmemsave (RamFileBenchmark)
#   qemu-harness/bench.sh guest [--cold]    image build, boot to agent-ready, agent round trip (GuestBenchmark)
#   qemu-harness/bench.sh guest [--cold] --virtio-rtc QEMU_IMAGE KBUILD_IMAGE   the same with virtio_rtc.ko, VMClock + virtio-rtc
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./mvnw -q -B -DskipTests install -pl qemu-harness -am >/dev/null || { echo "bench: build failed; run ./mvnw -pl qemu-harness -am install" >&2; exit 10; }
./mvnw -q -B -pl qemu-harness dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null || { echo "bench: build failed; run ./mvnw -pl qemu-harness -am install" >&2; exit 10; }
./mvnw -q -B -pl qemu-harness test-compile >/dev/null || { echo "bench: build failed; run ./mvnw -pl qemu-harness -am install" >&2; exit 10; }
main=dev.vmclock.harness.bench.HarnessBenchmark
if [ "${1:-}" = guest ]; then main=dev.vmclock.harness.bench.GuestBenchmark; shift; fi
if [ "${1:-}" = ramfile ]; then main=dev.vmclock.harness.bench.RamFileBenchmark; shift; fi
exec java -cp "qemu-harness/target/test-classes:qemu-harness/target/classes:$(cat qemu-harness/target/bench.classpath)" \
  "$main" "$@"
