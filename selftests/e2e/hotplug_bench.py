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

and the VMM's own share of each, from the host kernel's trace buffer
(trace_clock mono, the clock of time.monotonic()):

  plug-vmm        device_add written -> the SCI raised: khyp's
                  khyp_cpuhp "plug" event (traced as raise_sci() is
                  called), KVM's kvm_set_irq for GSI 9 at level 1 (QEMU
                  raises the SCI with KVM_IRQ_LINE)
  unplug-vmm      the guest's _EJ0 write (khyp_cpuhp "eject"; for QEMU
                  the kvm_pio write of the eject bit to the CPU hotplug
                  block's flags byte) -> the DEVICE_DELETED event's own
                  "timestamp", which each VMM takes as it emits it

The console is read while the QMP reply is still pending, so a marker is
timed when it arrives, not after the reply.  Between cycles it waits for
DEVICE_DELETED so the slot is free.  A guest that dies (the emulated
SVM's, about 1 boot in 15 under MTTCG) costs only its cycle: the guest
is booted again, up to MAX_DEATHS times.  Prints "NAME MEDIAN MIN MAX"
for each figure, first-plug-to-online (each boot's first cycle: the
guest also switches to SMP code then), "died N", and each sample as a
"# " line.
"""
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'lib'))
from vmm_proc import Guest, GuestError  # noqa: E402

TIMEOUT = 60
MAX_DEATHS = 4
# The CPU hotplug block's flags byte (base + 4) on QEMU's pc (PIIX4, base
# 0xaf00) and q35 (ICH9, 0x0cd8) machines, and its eject bit.
QEMU_CPUHP_FLAGS_PORTS = (0xaf04, 0x0cdc)
CPUHP_F_EJECT = 1 << 3


class Ftrace:
    """The events that mark the VMM's steps, in the host's trace buffer."""

    EVENTS = {
        'khyp': {'khyp/khyp_cpuhp': None},
        'kvm': {
            'kvm/kvm_set_irq': 'gsi == 9 && level == 1',
            'kvm/kvm_pio': 'rw == 1 && (%s)' % ' || '.join(
                'port == %#x' % p for p in QEMU_CPUHP_FLAGS_PORTS),
        },
    }

    def __init__(self, side):
        for d in ('/sys/kernel/tracing', '/sys/kernel/debug/tracing'):
            if os.path.exists(os.path.join(d, 'trace')):
                self.dir = d
                break
        else:
            raise GuestError('no tracefs')
        self.events = self.EVENTS[side]
        self.write('tracing_on', '0')
        self.write('trace_clock', 'mono')
        self.write('events/enable', '0')
        for ev, flt in self.events.items():
            self.write('events/%s/filter' % ev, flt or '0')
            self.write('events/%s/enable' % ev, '1')
        self.write('trace', '')
        self.write('tracing_on', '1')

    def write(self, name, text):
        with open(os.path.join(self.dir, name), 'w') as f:
            f.write(text + '\n')

    def take(self):
        """[(t, event, text)] since the last take(), oldest first."""
        with open(os.path.join(self.dir, 'trace')) as f:
            lines = f.read().splitlines()
        self.write('trace', '')
        out = []
        for line in lines:
            if line.startswith('#'):
                continue
            # "  comm-pid  [cpu] flags  TIME: event: text"
            head, sep, rest = line.partition(': ')
            if not sep:
                continue
            t = head.split()[-1]
            ev, _, text = rest.partition(': ')
            try:
                out.append((float(t), ev, text))
            except ValueError:
                continue
        return out

    def close(self):
        self.write('tracing_on', '0')
        for ev in self.events:
            self.write('events/%s/enable' % ev, '0')
            self.write('events/%s/filter' % ev, '0')
        self.write('trace_clock', 'local')
        self.write('trace', '')


def sci_raised(side, ev, text):
    if side == 'khyp':
        return ev == 'khyp_cpuhp' and ' plug ' in text + ' '
    return ev == 'kvm_set_irq'


def ejected(side, ev, text):
    if side == 'khyp':
        return ev == 'khyp_cpuhp' and ' eject ' in text + ' '
    # "pio_write at 0xaf04 size 1 count 1 val 0x8"
    f = text.split()
    return ev == 'kvm_pio' and 'val' in f and \
        int(f[f.index('val') + 1], 16) & CPUHP_F_EJECT != 0


def event_mono(e):
    """A QMP event's timestamp (wall clock) on the monotonic clock."""
    ts = e['timestamp']
    return ts['seconds'] + ts['microseconds'] / 1e6 - \
        (time.time() - time.monotonic())


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
    return t0, t1 - t0


def cycle(side, g, tr, slot, dev, fig):
    """One plug/unplug cycle of @slot, its samples appended to @fig."""
    tr.take()
    args = dict(driver=slot['type'], id=dev, **slot['props'])
    t_add, plug = timed(g, 'device_add', args, r'KHYP-GUEST-CPU-ONLINE 1\b')
    _, unplug = timed(g, 'device_del', {'id': dev},
                      r'KHYP-GUEST-CPU-GONE 1\b')
    e = g.qmp.event('DEVICE_DELETED',
                    lambda e: e['data'].get('device') == dev, TIMEOUT)
    t_deleted = event_mono(e)
    trace = tr.take()
    sci = [t for t, ev, text in trace
           if t >= t_add and sci_raised(side, ev, text)]
    eject = [t for t, ev, text in trace
             if t <= t_deleted and ejected(side, ev, text)]
    if not sci or not eject:
        raise GuestError('trace lacks the SCI or the eject: %r' % trace)
    fig['plug-to-online'].append(plug)
    fig['unplug-to-gone'].append(unplug)
    fig['plug-vmm'].append(sci[0] - t_add)
    fig['unplug-vmm'].append(t_deleted - eject[-1])
    print('# %s %s: plug-to-online %.3f s unplug-to-gone %.3f s '
          'plug-vmm %.6f s unplug-vmm %.6f s' %
          (side, dev, plug, unplug, fig['plug-vmm'][-1],
           fig['unplug-vmm'][-1]), flush=True)


def boot(side, kernel, initrd, work, n):
    if side == 'kvm':
        vmm = ['qemu-system-x86_64', '-accel', 'kvm', '-cpu', 'host']
    else:
        vmm = None
    g = Guest(work, 'bench%d' % n, '1,maxcpus=2', kernel, initrd, mem=512,
              vmm=vmm)
    t0 = time.monotonic()
    g.boot(300)
    print('# %s: boot %d up in %.1f s' % (side, n, time.monotonic() - t0),
          flush=True)
    free = [s for s in g.qmp.ret('query-hotpluggable-cpus')
            if 'qom-path' not in s]
    if len(free) != 1:
        g.kill()
        raise GuestError('expected one free slot: %r' % free)
    return g, free[0]


def main():
    side, kernel, initrd = sys.argv[1:4]
    cycles = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    work = tempfile.mkdtemp(prefix='hpbench.')
    tr = Ftrace(side)
    fig = dict((k, []) for k in ('plug-to-online', 'unplug-to-gone',
                                 'plug-vmm', 'unplug-vmm'))
    first = []
    died = boots = 0
    try:
        while len(fig['plug-to-online']) < cycles and died <= MAX_DEATHS:
            g = None
            try:
                boots += 1
                g, slot = boot(side, kernel, initrd, work, boots)
                for i in range(cycles - len(fig['plug-to-online'])):
                    cycle(side, g, tr, slot, 'bench-%d-%d' % (boots, i), fig)
                    if i == 0:
                        first.append(fig['plug-to-online'][-1])
            except (GuestError, TimeoutError, EOFError, OSError) as e:
                died += 1
                print('# %s: boot %d died: %s' % (side, boots, e),
                      flush=True)
                if g:
                    g.kill()
                continue
            if side == 'kvm':
                g.qmp.ret('quit')
                g.poweroff(30)
            else:
                g.poweroff(60)
            g.kill()
    finally:
        tr.close()
    print('died %d' % died)
    print('boots %d' % boots)
    if len(fig['plug-to-online']) < cycles:
        print('# %s: %d of %d cycles after %d deaths' %
              (side, len(fig['plug-to-online']), cycles, died),
              file=sys.stderr)
        return 1
    fig['first-plug-to-online'] = first
    for name, v in fig.items():
        print('%s %.6f %.6f %.6f' % (name, statistics.median(v), min(v),
                                     max(v)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
