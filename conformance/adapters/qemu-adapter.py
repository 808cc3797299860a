#!/usr/bin/env python3
"""Reference adapter for vmclock-conformance: QEMU behind protocol vmclock-conformance/adapter/v1.

Written against conformance/ADAPTER-PROTOCOL.md as a vendor would write one, with the standard library
only. Requests arrive as JSON lines on stdin, answers leave on stdout, the log goes to stderr.

    qemu-adapter.py [--qemu PATH] [--machine q35] [--accel tcg] [--keep]

Every QEMU it starts is killed by the kernel when the adapter dies (PR_SET_PDEATHSIG) and stays in the
adapter's process group, which the suite kills at the end.
"""

import argparse
import base64
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

PROTOCOL = "vmclock-conformance/adapter/v1"
ADAPTER_VERSION = "1"
AGENT_PORT = "dev.vmclock.agent.0"
SNAPSHOT_NODE = "vmstate0"
# Unlimited in effect: QEMU's default rate (128 MiB/s) makes a booted guest's migration twice as slow.
MIGRATION_BANDWIDTH = 64 << 30
DEVICE_NAMES = {"vmclock": "vmclock", "virtio-rtc": "virtio-rtc-pci"}
PR_SET_PDEATHSIG = 1


def log(msg):
    print("qemu-adapter: " + msg, file=sys.stderr, flush=True)


class Refused(Exception):
    """An operation that failed: answered ok:false with this message."""


class Transcript:
    """What the adapter asked of QEMU during the current request, and what QEMU answered."""

    def __init__(self):
        self.entries = []

    def to_vmm(self, text):
        self.entries.append({"direction": "to_vmm", "text": text})

    def from_vmm(self, text):
        self.entries.append({"direction": "from_vmm", "text": text})


TRANSCRIPT = Transcript()


def remaining(deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        raise Refused("deadline reached")
    return left


def die_with_parent():
    # Runs in the child between fork and exec: the kernel kills QEMU when the adapter's (only) thread dies.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Qmp:
    """One QMP connection: commands with their returns, events kept in arrival order."""

    def __init__(self, path, proc, deadline, name):
        self.name = name
        self.events = []
        self.buf = b""
        self.next_id = 0
        while True:
            if proc.poll() is not None:
                raise Refused("QEMU exited with status %d during start-up" % proc.returncode)
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                remaining(deadline)
                time.sleep(0.005)
        self._line(deadline)  # the greeting
        self.execute("qmp_capabilities", deadline=deadline)

    def _line(self, deadline):
        while b"\n" not in self.buf:
            self.sock.settimeout(remaining(deadline))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise Refused("QMP of %s did not answer in time" % self.name)
            if not chunk:
                raise Refused("QMP of %s closed (QEMU exited?)" % self.name)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        text = line.decode("utf-8", "replace").strip()
        TRANSCRIPT.from_vmm(text)
        return json.loads(text)

    def execute(self, command, args=None, deadline=None):
        deadline = deadline or time.monotonic() + 60
        self.next_id += 1
        req = {"execute": command, "id": self.next_id}
        if args:
            req["arguments"] = args
        text = json.dumps(req)
        TRANSCRIPT.to_vmm(text)
        self.sock.sendall(text.encode() + b"\n")
        while True:
            msg = self._line(deadline)
            if "event" in msg:
                self.events.append(msg)
            elif msg.get("id") == self.next_id:
                if "error" in msg:
                    raise Refused("QMP %s: %s" % (command, msg["error"].get("desc", msg["error"])))
                return msg.get("return")

    def mark(self):
        return len(self.events)

    def await_event(self, name, pred, since, deadline):
        """The first event named name, matching pred, that arrived after mark since."""
        i = since
        while True:
            while i < len(self.events):
                e = self.events[i]
                i += 1
                if e["event"] == name and pred(e.get("data", {})):
                    return e
            msg = self._line(deadline)
            if "event" in msg:
                self.events.append(msg)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Vm:
    """One QEMU process in a directory of its own."""

    counter = 0

    def __init__(self, adapter, config, home, deadline, incoming=False, firmware_only=False):
        Vm.counter += 1
        self.dir = os.path.join(home, "vm%d" % Vm.counter)
        os.makedirs(self.dir)
        self.adapter = adapter
        self.qtest = None
        argv = self.argv(adapter, config, home, incoming, firmware_only)
        with open(os.path.join(self.dir, "argv"), "w") as f:
            f.write("\n".join(argv) + "\n")
        TRANSCRIPT.to_vmm("start: " + " ".join(argv))
        self.stderr_path = os.path.join(self.dir, "qemu.stderr")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=open(os.path.join(self.dir, "qemu.stdout"), "wb"),
                                     stderr=open(self.stderr_path, "wb"), preexec_fn=die_with_parent)
        try:
            self.qmp = Qmp(os.path.join(self.dir, "qmp.sock"), self.proc, deadline, "pid %d" % self.proc.pid)
        except Refused as e:
            self.kill()
            raise Refused("%s: %s" % (e, self.stderr_first_line()))

    def argv(self, adapter, config, home, incoming, firmware_only):
        d = self.dir
        a = [adapter.qemu, "-nodefaults", "-no-user-config", "-display", "none", "-name", "vmclock-conformance",
             "-machine", adapter.machine, "-accel", adapter.accel,
             "-m", str(config["memory_mib"]), "-smp", str(config["cpus"]),
             "-chardev", "socket,id=qmp,path=%s/qmp.sock,server=on,wait=off" % d, "-mon", "chardev=qmp,mode=control",
             "-serial", "file:%s/console.log" % d]
        for dev in config["devices"]:
            a += ["-device", DEVICE_NAMES[dev]]
        # The snapshot image is the machine's scratch file: no flushes (savevm's fsyncs cost 0.2-1.3 s each).
        disk = os.path.join(home, "vmstate.qcow2")
        a += ["-blockdev", "driver=file,filename=%s,node-name=%s-file,cache.no-flush=on" % (disk, SNAPSHOT_NODE),
              "-blockdev", "driver=qcow2,file=%s-file,node-name=%s,cache.no-flush=on" % (SNAPSHOT_NODE, SNAPSHOT_NODE)]
        if not firmware_only and config.get("kernel"):
            a += ["-kernel", config["kernel"]]
            if config.get("initrd"):
                a += ["-initrd", config["initrd"]]
            a += ["-append", config.get("cmdline", "")]
        if not firmware_only and config.get("agent"):
            a += ["-device", "virtio-serial-pci,id=vser0",
                  "-chardev", "socket,id=agent,path=%s/agent.sock,server=on,wait=off" % d,
                  "-device", "virtserialport,bus=vser0.0,chardev=agent,name=" + AGENT_PORT]
        if adapter.accel == "tcg":
            # A qtest socket next to TCG keeps the guest running and lets the host write memory as QEMU does.
            a += ["-qtest", "unix:%s/qtest.sock,server=on,wait=off" % d]
        if incoming:
            a += ["-incoming", "defer"]
        return a

    def agent_endpoint(self):
        return {"transport": "unix", "path": os.path.join(self.dir, "agent.sock")}

    def console_log(self):
        return os.path.join(self.dir, "console.log")

    def stderr_first_line(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                lines = [l.strip() for l in f if l.strip()]
            return lines[0] if lines else "QEMU wrote nothing on stderr"
        except OSError:
            return "no stderr"

    def run_state(self, deadline):
        return self.qmp.execute("query-status", deadline=deadline)["status"]

    def await_run_state(self, state, deadline):
        while True:
            now = self.run_state(deadline)
            if now == state:
                return
            if time.monotonic() > deadline:
                raise Refused("QEMU stayed in run state %s, expected %s" % (now, state))
            time.sleep(0.002)

    def qtest_command(self, line, deadline):
        if self.qtest is None:
            self.qtest = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.qtest.connect(os.path.join(self.dir, "qtest.sock"))
            self.qtest_buf = b""
        TRANSCRIPT.to_vmm("qtest: " + (line if len(line) < 200 else line[:200] + "..."))
        self.qtest.sendall(line.encode() + b"\n")
        while True:
            while b"\n" not in self.qtest_buf:
                self.qtest.settimeout(remaining(deadline))
                chunk = self.qtest.recv(65536)
                if not chunk:
                    raise Refused("qtest socket closed")
                self.qtest_buf += chunk
            reply, self.qtest_buf = self.qtest_buf.split(b"\n", 1)
            reply = reply.decode().strip()
            if reply.startswith("IRQ"):  # asynchronous interrupt notices, not answers
                continue
            TRANSCRIPT.from_vmm("qtest: " + reply)
            if not reply.startswith("OK"):
                raise Refused("qtest %s: %s" % (line.split()[0], reply))
            return reply

    def quit(self):
        """Asks QEMU to quit, kills it if it does not."""
        if self.proc.poll() is None:
            try:
                self.qmp.execute("quit", deadline=time.monotonic() + 2)
            except (Refused, OSError, ValueError):
                pass
        self.qmp.close()
        if self.qtest is not None:
            self.qtest.close()
        try:
            self.proc.wait(3)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Machine:
    """A machine the suite names by id: its configuration, its home (snapshot image) and its current QEMU."""

    def __init__(self, mid, config, home):
        self.id = mid
        self.config = config
        self.home = home
        self.vm = None


def enable_migration_events(qmp, deadline):
    qmp.execute("migrate-set-capabilities",
                {"capabilities": [{"capability": "events", "state": True}]}, deadline)


def migrate_out(qmp, uri, deadline):
    enable_migration_events(qmp, deadline)
    qmp.execute("migrate-set-parameters", {"max-bandwidth": MIGRATION_BANDWIDTH}, deadline)
    mark = qmp.mark()
    qmp.execute("migrate", {"uri": uri}, deadline)
    done = qmp.await_event("MIGRATION", lambda d: d.get("status") in ("completed", "failed", "cancelled"),
                           mark, deadline)
    if done["data"]["status"] != "completed":
        why = qmp.execute("query-migrate", deadline=deadline).get("error-desc", done["data"]["status"])
        raise Refused("migration to %s failed: %s" % (uri, why))


def migrate_in(vm, uri, deadline, mark=None):
    """Loads a stream into a QEMU started with -incoming defer; the machine runs afterwards."""
    qmp = vm.qmp
    enable_migration_events(qmp, deadline)
    mark = qmp.mark()
    qmp.execute("migrate-incoming", {"uri": uri}, deadline)
    return mark


def await_incoming(vm, mark, deadline):
    done = vm.qmp.await_event("MIGRATION", lambda d: d.get("status") in ("completed", "failed"), mark, deadline)
    if done["data"]["status"] == "failed":
        raise Refused("incoming migration failed: %s" % vm.stderr_first_line())
    if vm.run_state(deadline) != "running":
        vm.qmp.execute("cont", deadline=deadline)
    vm.await_run_state("running", deadline)


class Adapter:

    def __init__(self, opts):
        self.qemu = opts.qemu or shutil.which("qemu-system-x86_64")
        if not self.qemu:
            raise SystemExit("qemu-adapter: no qemu-system-x86_64 on PATH; give --qemu PATH")
        self.qemu = os.path.realpath(self.qemu)
        self.qemu_img = shutil.which("qemu-img", path=os.path.dirname(self.qemu)) or shutil.which("qemu-img")
        self.machine = opts.machine
        self.accel = opts.accel
        self.accel_reason = "asked for with --accel" if opts.accel_given else "the adapter's default: TCG runs anywhere"
        self.keep = opts.keep
        self.root = tempfile.mkdtemp(prefix="vmclock-qemu-adapter-")
        self.machines = {}
        self.states = {}
        self.counter = 0
        log("QEMU %s, machine %s, accel %s, files in %s" % (self.qemu, self.machine, self.accel, self.root))

    # ------------------------------------------------------------------ helpers

    def next_id(self, prefix):
        self.counter += 1
        return "%s%d" % (prefix, self.counter)

    def machine_of(self, req):
        mid = req.get("machine")
        if mid not in self.machines:
            raise Refused("no machine %r (known: %s)" % (mid, ", ".join(sorted(self.machines)) or "none"))
        return self.machines[mid]

    def new_machine(self, config, deadline, incoming=False, firmware_only=False):
        mid = self.next_id("m")
        home = os.path.join(self.root, mid)
        os.makedirs(home)
        cmd = [self.qemu_img, "create", "-q", "-f", "qcow2", os.path.join(home, "vmstate.qcow2"), "1G"]
        TRANSCRIPT.to_vmm("run: " + " ".join(cmd))
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=remaining(deadline))
        if r.returncode != 0:
            raise Refused("qemu-img create failed: " + r.stderr.strip())
        m = Machine(mid, config, home)
        m.vm = Vm(self, config, home, deadline, incoming=incoming, firmware_only=firmware_only)
        self.machines[mid] = m
        return m

    def probe(self):
        out = subprocess.run([self.qemu, "-version"], capture_output=True, text=True, timeout=30).stdout
        version = out.split("version", 1)[1].split()[0] if "version" in out else "unknown"
        helptext = subprocess.run([self.qemu, "-machine", "none", "-device", "help"], capture_output=True,
                                  text=True, timeout=30).stdout
        devices = [d for d, q in DEVICE_NAMES.items() if '"%s"' % q in helptext]
        return version, devices

    # ------------------------------------------------------------------ operations

    def op_hello(self, req, deadline):
        if req.get("protocol") != PROTOCOL:
            raise Refused("this adapter speaks %s only, not %s" % (PROTOCOL, req.get("protocol")))
        version, devices = self.probe()
        caps = ["HOST_MEMORY", "SNAPSHOT", "PAUSE_RESUME", "LIVE_MIGRATION", "FILE_RESTORE", "FRESH_MACHINE",
                "GUEST_AGENT"]
        if self.accel == "tcg":
            caps.append("HYPERVISOR_WRITER")
        return {"protocol": PROTOCOL, "capabilities": caps, "devices": devices,
                "implementation": {"vmm": "qemu", "version": version, "path": self.qemu, "where": "host",
                                   "machine": self.machine, "accelerator": self.accel,
                                   "accelerator_reason": self.accel_reason,
                                   "details": {"adapter": "qemu-adapter.py " + ADAPTER_VERSION,
                                               "python": sys.version.split()[0]}}}

    def op_boot(self, req, deadline):
        devices = req.get("devices", ["vmclock"])
        unknown = [d for d in devices if d not in DEVICE_NAMES]
        if unknown:
            raise Refused("unknown devices %s (this adapter gives %s)" % (unknown, sorted(DEVICE_NAMES)))
        agent = req.get("agent")
        if agent not in (None, "unix"):
            raise Refused("agent transport %r not offered: this adapter gives 'unix' (virtio-serial)" % agent)
        config = {"kernel": req["kernel"], "initrd": req.get("initrd"), "cmdline": req.get("cmdline", ""),
                  "memory_mib": int(req.get("memory_mib", 256)), "cpus": int(req.get("cpus", 2)),
                  "devices": devices, "agent": agent}
        m = self.new_machine(config, deadline)
        r = {"machine": m.id, "console": m.vm.console_log()}
        if agent:
            r["agent"] = m.vm.agent_endpoint()
        return r

    def op_pause(self, req, deadline):
        vm = self.machine_of(req).vm
        mark = vm.qmp.mark()
        vm.qmp.execute("stop", deadline=deadline)
        vm.qmp.await_event("STOP", lambda d: True, mark, deadline)
        return {}

    def op_resume(self, req, deadline):
        vm = self.machine_of(req).vm
        mark = vm.qmp.mark()
        vm.qmp.execute("cont", deadline=deadline)
        vm.qmp.await_event("RESUME", lambda d: True, mark, deadline)
        return {}

    def snapshot_job(self, req, deadline, command):
        vm = self.machine_of(req).vm
        tag = req["tag"]
        job = "%s-%s-%d" % (command, tag, time.monotonic_ns())
        mark = vm.qmp.mark()
        vm.qmp.execute(command, {"job-id": job, "tag": tag, "vmstate": SNAPSHOT_NODE, "devices": [SNAPSHOT_NODE]},
                       deadline)
        vm.qmp.await_event("JOB_STATUS_CHANGE", lambda d: d.get("id") == job and d.get("status") == "concluded",
                           mark, deadline)
        error = ""
        for j in vm.qmp.execute("query-jobs", deadline=deadline):
            if j.get("id") == job:
                error = j.get("error", "")
        vm.qmp.execute("job-dismiss", {"id": job}, deadline)
        if error:
            raise Refused("%s %s failed: %s" % (command, tag, error))
        return {}

    def op_snapshot_save(self, req, deadline):
        return self.snapshot_job(req, deadline, "snapshot-save")

    def op_snapshot_load(self, req, deadline):
        return self.snapshot_job(req, deadline, "snapshot-load")

    def op_migrate(self, req, deadline):
        m = self.machine_of(req)
        source = m.vm
        target = Vm(self, m.config, m.home, deadline, incoming=True)
        try:
            uri = "unix:" + os.path.join(target.dir, "migration.sock")
            mark = migrate_in(target, uri, deadline)
            migrate_out(source.qmp, uri, deadline)
            await_incoming(target, mark, deadline)
        except BaseException:
            target.kill()
            raise
        m.vm = target
        source.quit()
        return {"machine": m.id, "agent": target.agent_endpoint() if m.config.get("agent") else None,
                "console": target.console_log()}

    def op_state_save(self, req, deadline):
        m = self.machine_of(req)
        sid = self.next_id("s")
        path = os.path.join(self.root, sid + ".state")
        migrate_out(m.vm.qmp, "file:" + path, deadline)
        # MIGRATION "completed" can come while the source is still in finish-migrate.
        m.vm.await_run_state("postmigrate", deadline)
        self.states[sid] = (path, m.config)
        return {"state": sid}

    def op_state_restore(self, req, deadline):
        sid = req.get("state")
        if sid not in self.states:
            raise Refused("no state %r" % sid)
        path, config = self.states[sid]
        if req.get("in_place"):
            m = self.machine_of(req)
            old = m.vm
            old.quit()  # first: it holds the snapshot image's lock
            m.vm = Vm(self, m.config, m.home, deadline, incoming=True)
        else:
            m = self.new_machine(config, deadline, incoming=True)
        try:
            await_incoming(m.vm, migrate_in(m.vm, "file:" + path, deadline), deadline)
        except BaseException:
            if not req.get("in_place"):
                m.vm.kill()
                del self.machines[m.id]
            raise
        return {"machine": m.id, "agent": m.vm.agent_endpoint() if m.config.get("agent") else None,
                "console": m.vm.console_log()}

    def op_fresh_machine(self, req, deadline):
        m = self.new_machine(self.machine_of(req).config, deadline, firmware_only=True)
        return {"machine": m.id}

    def op_reset(self, req, deadline):
        vm = self.machine_of(req).vm
        mark = vm.qmp.mark()
        vm.qmp.execute("system_reset", deadline=deadline)
        vm.qmp.await_event("RESET", lambda d: True, mark, deadline)
        return {}

    def op_memory_read(self, req, deadline):
        vm = self.machine_of(req).vm
        address, length = int(req["address"]), int(req["length"])
        scratch = os.path.join(vm.dir, "pmemsave.bin")
        vm.qmp.execute("pmemsave", {"val": address, "size": length, "filename": scratch}, deadline)
        with open(scratch, "rb") as f:
            data = f.read()
        if len(data) != length:
            raise Refused("pmemsave wrote %d bytes, expected %d" % (len(data), length))
        return {"data": base64.b64encode(data).decode()}

    def op_memory_write(self, req, deadline):
        if self.accel != "tcg":
            raise Refused("memory_write needs the qtest socket, which QEMU gives next to TCG only")
        vm = self.machine_of(req).vm
        data = base64.b64decode(req["data"])
        if data:
            vm.qtest_command("write 0x%x 0x%x 0x%s" % (int(req["address"]), len(data), data.hex()), deadline)
        return {}

    def op_stop(self, req, deadline):
        m = self.machine_of(req)
        m.vm.quit()
        del self.machines[m.id]
        return {}

    def op_shutdown(self, req, deadline):
        self.close()
        return {}

    def close(self):
        for m in list(self.machines.values()):
            m.vm.quit()
        self.machines.clear()
        if self.keep:
            log("files kept in " + self.root)
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------------ the loop

    EVENTS = {"boot", "pause", "resume", "snapshot_save", "snapshot_load", "state_save", "state_restore",
              "fresh_machine", "reset", "migrate", "stop", "shutdown"}

    def handle(self, req):
        op = req.get("op")
        handler = getattr(self, "op_" + str(op), None)
        if handler is None:
            raise Refused("unknown op %r" % op)
        deadline = time.monotonic() + req.get("deadline_ms", 60000) / 1000.0
        TRANSCRIPT.entries = []
        t0 = time.monotonic()
        result = handler(req, deadline)
        if op in self.EVENTS:
            result["elapsed_ms"] = round((time.monotonic() - t0) * 1000, 3)
            result["transcript"] = TRANSCRIPT.entries
        return {k: v for k, v in result.items() if v is not None}


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    p = argparse.ArgumentParser(description="QEMU behind " + PROTOCOL)
    p.add_argument("--qemu", help="the QEMU binary (default: qemu-system-x86_64 on PATH)")
    p.add_argument("--machine", default="q35")
    p.add_argument("--accel", default=None, help="tcg (default) or kvm")
    p.add_argument("--keep", action="store_true", help="keep the run files (consoles, logs) at exit")
    opts = p.parse_args()
    opts.accel_given = opts.accel is not None
    opts.accel = opts.accel or "tcg"
    adapter = Adapter(opts)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            req = {}
            try:
                req = json.loads(line)
                answer = {"id": req["id"], "ok": True}
                answer.update(adapter.handle(req))
            except (Refused, OSError, KeyError, ValueError, TypeError, subprocess.SubprocessError) as e:
                msg = str(e) if isinstance(e, Refused) else "%s: %s" % (type(e).__name__, e)
                log("%s refused: %s" % (req.get("op") if isinstance(req, dict) else "?", msg))
                answer = {"id": req.get("id") if isinstance(req, dict) else None, "ok": False, "error": msg}
            reply(answer)
            if req.get("op") == "shutdown" and answer["ok"]:
                return 0
    finally:
        adapter.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
