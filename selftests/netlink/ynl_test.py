#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ynl_test.py - the khyp family through the kernel's own YNL client.

Runs in the test host (khyp.ko loaded):

  selftests/testhost/run selftests/netlink/ynl_test.py

Every request and every decoded reply and event goes through YNL's
cli.py (tools/net/ynl from linux-source-6.12, extracted into build/ynl
by `make -C selftests`), driven by nothing but
Documentation/netlink/specs/khyp.yaml: if the spec's names, numbers,
types or nesting were wrong, YNL would send what the module refuses or
decode what it sends into the wrong keys.  hp_vm holds a live platform
VM whose guest answers hotplug the way the DSDT's AML does.  Prints TAP;
waits are polls with deadlines.
"""
import json
import os
import subprocess
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "selftests", "lib"))
from tap import Tap  # noqa: E402
from vmm_proc import comm  # noqa: E402

YNL = os.path.join(REPO, "build", "ynl")
CLI = os.path.join(YNL, "tools", "net", "ynl", "cli.py")
SPEC = os.path.join(REPO, "Documentation", "netlink", "specs", "khyp.yaml")
# YNL looks for the schema beside the spec's directory; ours is not there.
SCHEMA = os.path.join(YNL, "Documentation", "netlink", "genetlink-c.yaml")
HP_VM = os.path.join(REPO, "selftests", "bin", "hp_vm")
MODEL = "IvyBridge-IBRS"
TYPE = MODEL + "-x86_64-cpu"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
# How long the event listener collects: YNL's cli.py reads notifications
# once, after --sleep; the whole add/delete sequence must fit in it.
LISTEN = int(os.environ.get("KHYP_YNL_LISTEN", "60"))


def cli_argv(*args):
    return [sys.executable, CLI, "--spec", SPEC, "--schema", SCHEMA,
            "--output-json"] + list(args)


def ynl(*args, prefix=()):
    """Run cli.py; (exit code, decoded JSON output or None, all output)."""
    r = subprocess.run(list(prefix) + cli_argv(*args), capture_output=True,
                       text=True, timeout=120)
    try:
        out = json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        out = None
    return r.returncode, out, r.stdout + r.stderr


def do(op, attrs, **kw):
    return ynl("--do", op, "--json", json.dumps(attrs), **kw)


def wait_until(pred, timeout, step=0.05):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > end:
            return v
        time.sleep(step)


def netlink_groups(pid):
    """Whether a NETLINK_GENERIC socket of @pid has joined a group.

    /proc/net/netlink shows only the first 32 groups of a socket, so this
    assumes khyp's group id is below 33 (ids are handed out from 2 up).
    """
    try:
        inodes = {os.readlink("/proc/%d/fd/%s" % (pid, fd))
                  for fd in os.listdir("/proc/%d/fd" % pid)}
    except OSError:
        return False
    with open("/proc/net/netlink") as f:
        next(f)
        for line in f:
            w = line.split()
            if w[1] == "16" and int(w[3], 16) and \
                    "socket:[%s]" % w[-1] in inodes:
                return True
    return False


def main():
    tap = Tap(12)
    for f in (CLI, SCHEMA, HP_VM):
        if not os.path.exists(f):
            tap.ok(False, "%s exists (make -C selftests)" % f)
            return 1

    vm = subprocess.Popen([HP_VM, "--name", "ynl", "--max", "4",
                           "--sockets", "2", "--cores", "2", "--threads",
                           "1", "--model", MODEL], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True)
    line = vm.stdout.readline().split()
    if line[:1] != ["READY"]:
        tap.ok(False, "hp_vm holds a VM", line)
        return 1
    vm_id = int(line[1])
    listener = None
    try:
        rc, out, log = ynl("--dump", "vm-get")
        mine = [v for v in out or [] if v.get("vm-name") == "ynl"]
        tap.ok(rc == 0 and mine == [{
            "vm-id": vm_id, "vm-name": "ynl", "max-cpus": 4, "nr-cpus": 1,
            "sockets": 2, "dies": 1, "cores": 2, "threads": 1,
            "cpu-model": MODEL}], "--dump vm-get lists the VM", log)

        rc, out, log = do("vm-get", {"vm-name": "ynl"})
        tap.ok(rc == 0 and out and out.get("vm-id") == vm_id,
                   "--do vm-get by vm-name", log)

        rc, out, log = do("cpu-slots-get", {"vm-id": vm_id})
        slots = (out or {}).get("slot", [])
        tap.ok(rc == 0 and [
            (s.get("cpu-index"), s.get("socket-id"), s.get("core-id"),
             s.get("thread-id"), s.get("apic-id"), "present" in s,
             "boot" in s) for s in slots] == [
            (0, 0, 0, 0, 0, True, True), (1, 0, 1, 0, 1, False, False),
            (2, 1, 0, 0, 2, False, False), (3, 1, 1, 0, 3, False, False)],
            "--do cpu-slots-get: four slots, the boot CPU present", log)

        rc, out, log = do("cpu-add", {"vm-id": vm_id, "device-id": "cpu-2",
                                      "socket-id": 0, "core-id": 1,
                                      "thread-id": 0}, prefix=NOBODY)
        tap.ok(rc != 0 and "Operation not permitted" in log,
                   "cpu-add without CAP_NET_ADMIN: EPERM (admin-perm)", log)
        # Reads are admin too: slots carry host thread ids, and QEMU shows
        # a VM only to whoever may open its QMP socket.
        refused = []
        for args in (("--dump", "vm-get"),
                     ("--do", "vm-get", "--json",
                      json.dumps({"vm-id": vm_id})),
                     ("--do", "cpu-slots-get", "--json",
                      json.dumps({"vm-id": vm_id})),
                     ("--do", "cpus-get", "--json",
                      json.dumps({"vm-id": vm_id}))):
            rc, out, log = ynl(*args, prefix=NOBODY)
            if rc == 0 or "Operation not permitted" not in log:
                refused.append((args[:2], log))
        tap.ok(not refused, "vm-get (do, dump), cpu-slots-get, cpus-get "
               "without CAP_NET_ADMIN: EPERM (admin-perm)", refused)
        rc, out, log = ynl("--subscribe", "events", "--sleep", "1",
                           prefix=NOBODY)
        tap.ok(rc != 0 and "PermissionError" in log,
                   "joining events without CAP_NET_ADMIN refused", log)

        listener = subprocess.Popen(
            cli_argv("--subscribe", "events", "--sleep", str(LISTEN)),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        tap.ok(wait_until(lambda: netlink_groups(listener.pid), 60),
                   "--subscribe events: the listener joined the group")

        rc, out, log = do("cpu-add", {"vm-id": vm_id, "device-id": "cpu-2",
                                      "driver": TYPE, "socket-id": 0,
                                      "core-id": 1, "thread-id": 0})
        tap.ok(rc == 0, "--do cpu-add cpu-2", log)

        rc, out, log = do("cpus-get", {"vm-id": vm_id})
        cpus = {s.get("cpu-index"): s for s in (out or {}).get("slot", [])}
        tid = cpus.get(1, {}).get("host-tid", 0)
        tap.ok(rc == 0 and sorted(cpus) == [0, 1] and
                   cpus[1].get("device-id") == "cpu-2" and
                   comm(tid) == "khyp/%d/1" % vm_id,
                   "--do cpus-get: cpu-2 present in slot 1, its kthread "
                   "runs", log)

        rc, out, log = do("cpu-del", {"vm-id": vm_id, "device-id": "cpu-9"})
        tap.ok(rc != 0 and "No such device" in log and
                   "Device 'cpu-9' not found" in log,
                   "--do cpu-del of an unknown id: ENODEV, QEMU's words", log)

        rc, out, log = do("cpu-del", {"vm-id": vm_id, "device-id": "cpu-2"})
        tap.ok(rc == 0 and wait_until(lambda: comm(tid) is None, 30),
                   "--do cpu-del cpu-2: the guest ejects it", log)

        out, _ = listener.communicate(timeout=LISTEN + 60)
        try:
            events = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            events = []
        base = {"vm-id": vm_id, "vm-name": "ynl", "device-id": "cpu-2",
                "cpu-index": 1}
        ost = dict(base, **{"ost-slot": 1, "ost-source": 1,
                            "ost-status": 0})
        deleted = dict(base, **{"device-path": "/machine/peripheral/cpu-2"})
        got = [(e.get("name"), e.get("msg")) for e in events]
        tap.ok(("event-ost", ost) in got and
                   ("event-device-deleted", deleted) in got and
                   got.index(("event-ost", ost)) <
                   got.index(("event-device-deleted", deleted)),
                   "events: the insert's _OST, then device-deleted", out)
    finally:
        if listener and listener.poll() is None:
            listener.kill()
        vm.stdin.close()
        vm.wait(timeout=30)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
