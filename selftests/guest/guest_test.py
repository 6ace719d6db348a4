#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""guest_test.py - the test guest (mkinitramfs.sh) end to end, on a VMM.

Boots the cloud kernel with the initramfs on a QEMU-compatible VMM and
checks, in TAP:
  1. the boot marker "KHYP-GUEST-UP cpus=1 possible=2";
  2. the console works both ways ("echo hello-$((6*7))" -> "hello-42");
  3. khyp.test=sleep1 brackets a 1 s sleep (guest and host clocks agree);
  4. QMP device_add of a CPU -> "KHYP-GUEST-CPU-ONLINE 1";
  5. QMP device_del -> "KHYP-GUEST-CPU-GONE 1";
  6. "poweroff -f" ends the VMM with status 0;
  7. the guest logged no ACPI error or kernel bug on the way;
  8. khyp.test=reboot with -no-reboot ends the VMM with status 0.

The VMM defaults to QEMU with TCG (a reference that runs anywhere);
VMM="path/to/khyp-run" runs the same command lines on khyp (-accel
options are dropped; khyp-run accepts the rest).  SLEEP_SLACK (default
0.3 s) is how far the guest's and the host's measure of the 1 s sleep
may differ (the console's latency is in the host's); the sleep may take
longer on a busy host, never less.  Steps that need QMP
are skipped when the VMM does not create the QMP socket.
"""
import os
import re
import shlex
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'lib'))
from qmp import QmpError  # noqa: E402
from tap import Tap  # noqa: E402
from vmm_proc import Guest, build_initramfs, cloud_kernel  # noqa: E402


def qmp_connect(g):
    """QMP of a VMM that may not offer it: True when connected."""
    try:
        g.connect(5)
        return True
    except (OSError, EOFError, TimeoutError, QmpError):
        return False


def main():
    kernel = cloud_kernel()
    vmm_env = os.environ.get('VMM')
    if vmm_env:
        vmm = shlex.split(vmm_env)
    else:
        vmm = ['qemu-system-x86_64', '-accel', 'tcg', '-machine', 'pc']
    tap = Tap(9)
    if not kernel:
        for what in range(9):
            tap.skip('guest step %d' % (what + 1), 'no cloud kernel')
        return 0
    tmp = tempfile.mkdtemp()
    initrd = build_initramfs(os.path.join(tmp, 'guest.cpio.gz'))
    timeout = float(os.environ.get('BOOT_TIMEOUT', '60'))

    g = Guest(tmp, 'guest', '1,maxcpus=2', kernel, initrd,
              append='console=ttyS0 khyp.test=sleep1', vmm=vmm)
    try:
        m = g.expect(r'KHYP-GUEST-UP cpus=(\d+) possible=(\d+)', timeout)
        tap.ok(m is not None and m.group(1) == b'1' and
                   m.group(2) == b'2',
                   'boot marker: cpus=1 possible=2', g.out)

        # Up to the line's end: the console may hand over "uptime=3." first.
        m1 = g.expect(r'KHYP-GUEST-SLEEP-BEGIN uptime=([0-9.]+)\r?\n', 10)
        t1 = time.monotonic()
        m2 = g.expect(r'KHYP-GUEST-SLEEP-END uptime=([0-9.]+)\r?\n', 10)
        t2 = time.monotonic()
        ok = m1 is not None and m2 is not None
        if ok:
            # The clocks must agree and the sleep must not end early; how
            # much longer it took is the host's load, not a result.
            guest = float(m2.group(1)) - float(m1.group(1))
            host = t2 - t1
            slack = float(os.environ.get('SLEEP_SLACK', '0.3'))
            ok = guest >= 0.95 and host >= 0.9 and abs(guest - host) <= slack
        tap.ok(ok, 'khyp.test=sleep1: 1 s in the guest is 1 s on the host'
                   + (' (guest %.2f s, host %.2f s)' % (guest, host)
                      if m1 and m2 else ''), g.out)

        g.expect(r'khyp# ', 10)
        g.send('echo hello-$((6*7))\n')
        tap.ok(g.expect(r'\nhello-42', 10) is not None,
                   'console both ways: hello-42', g.out)

        if qmp_connect(g):
            r = g.qmp.cmd('query-hotpluggable-cpus')
            free = [c for c in r.get('return', []) if 'qom-path' not in c]
            ok = len(free) == 1
            if ok:
                args = dict(free[0]['props'])
                r = g.qmp.cmd('device_add', id='cpu-2',
                              driver=free[0]['type'], **args)
                ok = 'return' in r
            ok = ok and g.expect(r'KHYP-GUEST-CPU-ONLINE 1', 30) is not None
            tap.ok(ok, 'device_add: the guest onlines CPU 1', g.out)
            r = g.qmp.cmd('device_del', id='cpu-2')
            ok = 'return' in r and \
                g.expect(r'KHYP-GUEST-CPU-GONE 1', 30) is not None
            tap.ok(ok, 'device_del: CPU 1 is gone from the guest', g.out)
        else:
            tap.skip('device_add: the guest onlines CPU 1', 'no QMP socket')
            tap.skip('device_del: CPU 1 is gone', 'no QMP socket')

        g.send('poweroff -f\n')
        rc = g.wait(30)
        tap.ok(rc == 0, 'poweroff -f: the VMM exits 0 (got %s)' % rc,
                   g.out)
        # The SRSO line reports the (emulated) host CPU's missing microcode,
        # not a kernel WARN: it says "WARNING: See ..." on every Zen 1.
        bad = [line for line in g.out.decode(errors='replace').splitlines()
               if re.search(r'ACPI (BIOS )?(Error|Warning)|BUG:|Oops|'
                            r'\] WARNING:|Call Trace', line)]
        tap.ok(not bad, 'no ACPI errors or kernel warnings in the guest',
                   '\n'.join(bad))
    finally:
        g.kill()

    g = Guest(tmp, 'guest', '1', kernel, initrd,
              append='console=ttyS0 khyp.test=reboot', vmm=vmm,
              extra=['-no-reboot'])
    try:
        ok = g.expect(r'KHYP-GUEST-REBOOT', timeout) is not None
        rc = g.wait(30)
        tap.ok(ok and rc == 0,
                   'khyp.test=reboot with -no-reboot: the VMM exits 0 (got %s)'
                   % rc, g.out)
    finally:
        g.kill()

    # Interrupt delivery under load: the console is interrupt-driven both
    # ways (RDA for the typed command, THRE for the output), with two
    # vCPUs.  An interrupt delivered twice, or lost, stalls it for good
    # (Documentation/testing.rst: before V_IRQ delivery, 3 runs of this
    # stalled at rounds 0, 11 and 26).
    g = Guest(tmp, 'guest', '2', kernel, initrd, vmm=vmm)
    try:
        rounds = int(os.environ.get('CONSOLE_ROUNDS', '60'))
        done = 0
        prompt = g.expect(r'khyp# ', timeout) is not None
        if prompt:
            for i in range(rounds):
                g.send('i=0; while [ $i -lt 40 ]; do echo r%d-$i-%s; '
                       'i=$((i+1)); done; echo "R%d""-END"\n'
                       % (i, 'x' * 40, i))
                if not g.expect(r'r%d-39-x{40}\r?\nR%d-END' % (i, i), 15):
                    break
                done += 1
        tap.ok(done == rounds,
                   'console under load, -smp 2: %d of %d rounds of 40 lines '
                   'came through' % (done, rounds),
                   '%s; the VMM %s\n%s' %
                   ('prompt seen' if prompt else
                    'no prompt within %.0f s' % timeout,
                    'still runs' if g.alive() else
                    'exited %s' % g.p.returncode, g.tail(30)))
    finally:
        g.kill()
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
