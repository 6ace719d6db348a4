#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""hotplug_bench.py khyp|kvm KERNEL INITRD [CYCLES]

The measuring half of selftests/bench/bench-hotplug.sh: boots the test
guest on khyp-run, or on qemu-system-x86_64 -accel kvm -cpu host, with
-m 512 -smp 1,maxcpus=2, then runs CYCLES (default 5) plug/unplug cycles
of CPU 1 and times, on the host's monotonic clock:

  plug-to-online  device_add written to the QMP socket ->
                  "KHYP-GUEST-CPU-ONLINE 1" read from the console
  unplug-to-gone  device_del written -> "KHYP-GUEST-CPU-GONE 1" read

Prints "plug-to-online <median s>", "unplug-to-gone <median s>" and
"first-plug-to-online <s>" (cycle 0 alone), and each sample as a "# "
line.  The console is read while the QMP reply is
still pending, so a marker is timed when it arrives, not after the
reply.  Between cycles it waits for DEVICE_DELETED so the slot is free.
"""
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'lib'))
from vmm_proc import Guest, GuestError  # noqa: E402

import time  # noqa: E402

TIMEOUT = 60


def timed(g, cmd, args, marker):
    since = g.mark()
    t0 = time.monotonic()
    rid = g.qmp.send(cmd, args)
    m = g.expect(marker, TIMEOUT, since)
    t1 = time.monotonic()
    r = g.qmp.reply(rid, TIMEOUT)
    if r.get('return') != {}:
        raise GuestError('%s: %r' % (cmd, r))
    if not m:
        raise GuestError('%s: no %r within %d s\n%s' % (cmd, marker, TIMEOUT,
                                                       g.tail()))
    return t1 - t0


def main():
    side, kernel, initrd = sys.argv[1:4]
    cycles = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    if side == 'kvm':
        vmm = ['qemu-system-x86_64', '-accel', 'kvm', '-cpu', 'host']
    else:
        vmm = None
    work = tempfile.mkdtemp(prefix='hpbench.')
    g = Guest(work, 'bench', '1,maxcpus=2', kernel, initrd, mem=512,
              vmm=vmm)
    plug, unplug = [], []
    try:
        g.boot(300)
        free = [s for s in g.qmp.ret('query-hotpluggable-cpus')
                if 'qom-path' not in s]
        if len(free) != 1:
            raise GuestError('expected one free slot: %r' % free)
        for i in range(cycles):
            dev = 'bench-%d' % i
            args = dict(driver=free[0]['type'], id=dev, **free[0]['props'])
            plug.append(timed(g, 'device_add', args,
                              r'KHYP-GUEST-CPU-ONLINE 1\b'))
            unplug.append(timed(g, 'device_del', {'id': dev},
                                r'KHYP-GUEST-CPU-GONE 1\b'))
            g.qmp.event('DEVICE_DELETED',
                        lambda e: e['data'].get('device') == dev, TIMEOUT)
            print('# %s cycle %d: plug-to-online %.3f s unplug-to-gone '
                  '%.3f s' % (side, i, plug[-1], unplug[-1]), flush=True)
    except (GuestError, TimeoutError, EOFError, OSError) as e:
        print('# %s: %s' % (side, e), file=sys.stderr)
        g.kill()
        return 1
    if side == 'kvm':
        g.qmp.ret('quit')
        g.poweroff(30)
    else:
        g.poweroff(60)
    g.kill()
    print('plug-to-online %.6f' % statistics.median(plug))
    print('unplug-to-gone %.6f' % statistics.median(unplug))
    # The boot's first plug also switches the guest to SMP code; it is
    # what the anchor script (one plug per boot) measures.
    print('first-plug-to-online %.6f' % plug[0])
    return 0


if __name__ == '__main__':
    sys.exit(main())
