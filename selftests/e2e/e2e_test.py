#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""e2e_test.py - vCPU hotplug with a Linux guest on khyp-run, over QMP.

Runs inside the test host (khyp.ko loaded).  Boots the Debian cloud
kernel with the test initramfs (selftests/guest/mkinitramfs.sh: the guest
onlines every CPU that appears, printing "KHYP-GUEST-CPU-ONLINE N", and
prints "KHYP-GUEST-CPU-GONE N" when one goes away) and drives khyp-run's
QMP socket.  Prints TAP.  Groups:

  a. -smp 1,maxcpus=8: plug cpu-1..cpu-4 at core-ids 2,5,1,7, each onlined
     by the guest at the APIC ID of its slot; unplug them as 3,1,4,2, each
     with DEVICE_DELETED and the guest's GONE; query-cpus-fast and
     query-hotpluggable-cpus agree with the guest after every step; plug
     two again into freed slots.
  b. -smp 2,sockets=2,cores=2,threads=2,maxcpus=8: the 8 slots of
     query-hotpluggable-cpus with QEMU's props, last slot first; plug
     socket 1 core 1 thread 1; the guest onlines it; the guest's sysfs
     topology of that CPU, and CPUs 0 and 1 as SMT siblings.
  c. a guest that refuses the unplug (processor eject disabled through
     /sys/firmware/acpi/hotplug/processor/enabled): device_del returns
     {}, _OST reports the refusal, DEVICE_UNPLUG_GUEST_ERROR follows the
     module's deadline (khyp.unplug_timeout), the CPU stays present and
     online; once ejecting is allowed again a second device_del works.
  d. 100 plug/unplug cycles: vCPU count and khyp/ kthreads back to their
     baseline, and everything freed when the VM is gone.

Waits are on QMP events and console markers with deadlines; no fixed
sleeps; no assertions on wall-clock time.  E2E_GROUPS=abcd selects groups;
E2E_CYCLES overrides d's 100.  Then one more pass, of E2E_612_GROUPS
(default ab), with Debian's 6.12 kernel as the guest (scripts/kver 6.12;
its tests are named "6.12 guest: ..."; skipped when not installed).
"""
import os
import re
import subprocess
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'lib'))
from tap import Tap  # noqa: E402
from vmm_proc import (Guest, GuestError, ONLINE_RE, GONE_RE,  # noqa: E402
                      build_initramfs, cloud_kernel, khyp_stats, khyp_threads)

BOOT_TIMEOUT = float(os.environ.get('E2E_BOOT_TIMEOUT', '180'))
EVENT_TIMEOUT = 60          # guest reaction to one plug or unplug
PARAM = '/sys/module/khyp/parameters/unplug_timeout'
BOOT_PATH = '/machine/unattached/device[%d]'
PEER_PATH = '/machine/peripheral/%s'


class Topo:
    """QEMU's x86 slot order: index = ((socket*cores)+core)*threads+thread."""

    def __init__(self, sockets, cores, threads):
        self.sockets, self.cores, self.threads = sockets, cores, threads
        self.max = sockets * cores * threads

    def props(self, i):
        return {'socket-id': i // self.threads // self.cores,
                'core-id': i // self.threads % self.cores,
                'thread-id': i % self.threads}

    def index(self, socket, core, thread):
        return (socket * self.cores + core) * self.threads + thread

    def apic_id(self, i):
        bits = lambda n: (n - 1).bit_length()  # noqa: E731
        p = self.props(i)
        return (p['socket-id'] << (bits(self.cores) + bits(self.threads)) |
                p['core-id'] << bits(self.threads) | p['thread-id'])


def check_queries(q, topo, present):
    """query-cpus-fast and query-hotpluggable-cpus against @present
    ({slot index: device id, or None for a boot CPU}).  '' if they agree,
    else what is wrong."""
    errs = []
    fast = q.ret('query-cpus-fast')
    got = {}
    for c in fast:
        got[c.get('cpu-index')] = c
        if c.get('target') != 'x86_64' or \
                not isinstance(c.get('thread-id'), int):
            errs.append('query-cpus-fast entry %r' % c)
    if sorted(got) != sorted(present):
        errs.append('query-cpus-fast indexes %s, expected %s' %
                    (sorted(got), sorted(present)))
    for i, dev in present.items():
        c = got.get(i)
        if not c:
            continue
        path = PEER_PATH % dev if dev else BOOT_PATH % i
        if c.get('qom-path') != path:
            errs.append('cpu-index %d: qom-path %r, expected %r' %
                        (i, c.get('qom-path'), path))
        if c.get('props') != topo.props(i):
            errs.append('cpu-index %d: props %r, expected %r' %
                        (i, c.get('props'), topo.props(i)))
    tids = [c.get('thread-id') for c in fast]
    if len(set(tids)) != len(tids):
        errs.append('query-cpus-fast thread-ids not distinct: %r' % tids)

    hp = q.ret('query-hotpluggable-cpus')
    if len(hp) != topo.max:
        errs.append('query-hotpluggable-cpus: %d slots, expected %d' %
                    (len(hp), topo.max))
    for k, s in enumerate(hp):
        i = topo.max - 1 - k            # QEMU lists the last slot first
        if s.get('props') != topo.props(i):
            errs.append('slot %d: props %r, expected %r' %
                        (k, s.get('props'), topo.props(i)))
        if s.get('vcpus-count') != 1 or \
                not str(s.get('type', '')).endswith('-x86_64-cpu'):
            errs.append('slot %d: %r' % (k, s))
        want = None
        if i in present:
            want = PEER_PATH % present[i] if present[i] else BOOT_PATH % i
        if s.get('qom-path') != want:
            errs.append('slot %d (index %d): qom-path %r, expected %r' %
                        (k, i, s.get('qom-path'), want))
    return '\n'.join(errs)


def guest_apic_ids(g):
    """{logical CPU: APIC ID} from the guest's /proc/cpuinfo."""
    rc, out = g.sh('grep -E "^(processor|apicid)" /proc/cpuinfo')
    cpus, cur = {}, None
    for line in out.splitlines():
        m = re.match(r'(processor|apicid)\s*:\s*(\d+)', line)
        if not m:
            continue
        if m.group(1) == 'processor':
            cur = int(m.group(2))
        elif cur is not None:
            cpus[cur] = int(m.group(2))
    return cpus


def guest_online(g):
    rc, out = g.sh('cat /sys/devices/system/cpu/online')
    m = re.search(r'^([0-9,-]+)$', out, re.M)
    cpus = set()
    if m:
        for r in m.group(1).split(','):
            a, _, b = r.partition('-')
            cpus.update(range(int(a), int(b or a) + 1))
    return cpus


def ev_dev(dev):
    return lambda e: e.get('data', {}).get('device') == dev


def ost_of(dev):
    return lambda e: e.get('data', {}).get('info', {}).get('device') == dev


def plug(tap, g, topo, present, dev, slot, what):
    """device_add @dev at @slot; the guest's logical CPU number or None."""
    since = g.mark()
    props = topo.props(slot)
    r = g.qmp.cmd('device_add', dict(driver=slot_type(g), id=dev, **props))
    if not tap.ok(r == {'return': {}, 'id': r.get('id')},
                  '%s: device_add %s %s returns {}' % (what, dev,
                                                        _fmt(props)), r):
        return None
    m = g.expect(ONLINE_RE, EVENT_TIMEOUT, since)
    if not tap.ok(m is not None, '%s: the guest onlines %s' % (what, dev),
                  g.tail()):
        return None
    n = int(m.group(1))
    present[slot] = dev
    try:
        ost = g.qmp.event('ACPI_DEVICE_OST', ost_of(dev), EVENT_TIMEOUT)
        info = ost['data']['info']
        tap.ok(info.get('source') == 1 and info.get('status') == 0 and
               info.get('slot') == str(slot) and
               info.get('slot-type') == 'CPU',
               '%s: ACPI_DEVICE_OST for %s: insert, success' % (what, dev),
               ost)
    except TimeoutError as e:
        tap.ok(False, '%s: ACPI_DEVICE_OST for %s' % (what, dev), e)
    return n


def unplug(tap, g, present, dev, n, what):
    """device_del @dev, onlined as guest CPU @n: True when it is gone."""
    since = g.mark()
    r = g.qmp.cmd('device_del', {'id': dev})
    if not tap.ok('return' in r and r['return'] == {},
                  '%s: device_del %s returns {}' % (what, dev), r):
        return False
    try:
        ev = g.qmp.event('DEVICE_DELETED', ev_dev(dev), EVENT_TIMEOUT)
        ok = ev['data'].get('path') == PEER_PATH % dev
    except TimeoutError as e:
        ev, ok = e, False
    tap.ok(ok, '%s: DEVICE_DELETED %s' % (what, dev), ev)
    m = g.expect(r'KHYP-GUEST-CPU-GONE %d\b' % n, EVENT_TIMEOUT, since)
    tap.ok(m is not None, '%s: the guest reports CPU %d (%s) gone' %
           (what, n, dev), g.tail())
    if ok:
        for k, v in list(present.items()):
            if v == dev:
                del present[k]
    return ok and m is not None


def slot_type(g):
    if not hasattr(g, 'cpu_type'):
        g.cpu_type = g.qmp.ret('query-hotpluggable-cpus')[0]['type']
    return g.cpu_type


def _fmt(props):
    return ' '.join('%s=%s' % kv for kv in props.items())


def consistent(tap, g, topo, present, guest_cpus, what):
    """QMP queries and the guest agree (guest_cpus: {logical: slot})."""
    errs = check_queries(g.qmp, topo, present)
    online = guest_online(g)
    nboot = len([d for d in present.values() if d is None])
    want = set(range(nboot)) | set(guest_cpus)
    if online != want:
        errs += '\nguest online CPUs %s, expected %s' % (sorted(online),
                                                          sorted(want))
    apics = guest_apic_ids(g)
    for cpu, slot in guest_cpus.items():
        if apics.get(cpu) != topo.apic_id(slot):
            errs += '\nguest CPU %d: APIC ID %s, slot %d has %d' % (
                cpu, apics.get(cpu), slot, topo.apic_id(slot))
    tap.ok(not errs, '%s: query-cpus-fast, query-hotpluggable-cpus and the '
           'guest agree' % what, errs.strip())


# ---- a ----

def group_a(tap, env):
    topo = Topo(1, 8, 1)
    g = Guest(env['work'], 'e2e-a', '1,maxcpus=8', env['kernel'],
              env['initrd'])
    try:
        cpus, possible = g.boot(BOOT_TIMEOUT)
        tap.ok((cpus, possible) == (1, 8),
               'a: guest up with cpus=1 possible=8 (got %d/%d)' %
               (cpus, possible))
        present = {0: None}
        guest_cpus = {}         # logical CPU -> slot
        by_dev = {}             # device -> logical CPU
        consistent(tap, g, topo, present, guest_cpus, 'a: at boot')
        for dev, core in (('cpu-1', 2), ('cpu-2', 5), ('cpu-3', 1),
                          ('cpu-4', 7)):
            n = plug(tap, g, topo, present, dev, core, 'a')
            if n is None:
                return
            guest_cpus[n] = core
            by_dev[dev] = n
            consistent(tap, g, topo, present, guest_cpus,
                       'a: after plugging %s' % dev)
        for dev in ('cpu-3', 'cpu-1', 'cpu-4', 'cpu-2'):
            n = by_dev.pop(dev)
            if not unplug(tap, g, present, dev, n, 'a'):
                return
            del guest_cpus[n]
            consistent(tap, g, topo, present, guest_cpus,
                       'a: after unplugging %s' % dev)
        for dev, core in (('cpu-5', 5), ('cpu-6', 1)):
            n = plug(tap, g, topo, present, dev, core, 'a: again')
            if n is None:
                return
            guest_cpus[n] = core
            consistent(tap, g, topo, present, guest_cpus,
                       'a: after plugging %s into a freed slot' % dev)
        rc = g.poweroff()
        tap.ok(rc == 0, 'a: poweroff with two plugged CPUs, khyp-run '
               'exits 0 (got %s)' % rc, g.tail())
    finally:
        g.kill()


# ---- b ----

def group_b(tap, env):
    topo = Topo(2, 2, 2)
    g = Guest(env['work'], 'e2e-b', '2,sockets=2,cores=2,threads=2,maxcpus=8',
              env['kernel'], env['initrd'])
    try:
        cpus, possible = g.boot(BOOT_TIMEOUT)
        tap.ok((cpus, possible) == (2, 8),
               'b: guest up with cpus=2 possible=8 (got %d/%d)' %
               (cpus, possible))
        hp = g.qmp.ret('query-hotpluggable-cpus')
        want = [topo.props(i) for i in reversed(range(8))]
        got = [s.get('props') for s in hp]
        tap.ok(got == want, 'b: query-hotpluggable-cpus lists 8 slots with '
               "QEMU's socket/core/thread props, last first",
               'got:  %r\nwant: %r' % (got, want))
        paths = [s.get('qom-path') for s in hp]
        tap.ok(paths == [None] * 6 + [BOOT_PATH % 1, BOOT_PATH % 0],
               'b: only the two boot CPUs have a qom-path', paths)
        present = {0: None, 1: None}
        slot = topo.index(1, 1, 1)
        n = plug(tap, g, topo, present, 'cpu-s1c1t1', slot, 'b')
        if n is None:
            return
        consistent(tap, g, topo, present, {n: slot},
                   'b: after plugging socket 1 core 1 thread 1')
        rc, out = g.sh('cd /sys/devices/system/cpu/cpu%d/topology && '
                       'echo pkg=$(cat physical_package_id) '
                       'core=$(cat core_id) sib=$(cat thread_siblings_list)'
                       % n)
        m = re.search(r'pkg=(\d+) core=(\d+) sib=(\S+)', out)
        tap.diag('guest CPU %d topology: %s' % (n, m.group(0) if m else out))
        tap.ok(m is not None and m.group(1) == '1',
               'b: guest sysfs: CPU %d is in physical package 1' % n, out)
        # The boot CPUs are threads 0 and 1 of socket 0 core 0 (TOPOEXT).
        rc, out = g.sh('cat /sys/devices/system/cpu/cpu0/topology/'
                       'thread_siblings_list')
        tap.ok(rc == 0 and out.strip() == '0-1',
               'b: guest sysfs: CPUs 0 and 1 are SMT siblings (got %r)'
               % out.strip())
        rc = g.poweroff()
        tap.ok(rc == 0, 'b: poweroff, khyp-run exits 0 (got %s)' % rc,
               g.tail())
    finally:
        g.kill()


# ---- c ----

def group_c(tap, env):
    topo = Topo(1, 2, 1)
    with open(PARAM) as f:
        timeout = int(f.read())
    if timeout == 0:
        tap.skip('c: unplug refused by the guest',
                 'khyp.unplug_timeout is 0 (no deadline)')
        return
    g = Guest(env['work'], 'e2e-c', '1,maxcpus=2', env['kernel'],
              env['initrd'])
    knob = '/sys/firmware/acpi/hotplug/processor/enabled'
    try:
        g.boot(BOOT_TIMEOUT)
        present = {0: None}
        n = plug(tap, g, topo, present, 'cpu-1', 1, 'c')
        if n is None:
            return
        rc, out = g.sh('echo 0 > %s && cat %s' % (knob, knob))
        if not tap.ok(rc == 0 and re.search(r'^0$', out, re.M),
                      'c: the guest disables processor eject (%s)' % knob,
                      out):
            return
        since = g.mark()
        r = g.qmp.cmd('device_del', {'id': 'cpu-1'})
        tap.ok(r.get('return') == {}, 'c: device_del cpu-1 returns {}', r)
        try:
            ost = g.qmp.event('ACPI_DEVICE_OST', ost_of('cpu-1'),
                              EVENT_TIMEOUT)
            info = ost['data']['info']
            ok = info.get('source') == 3 and info.get('status') not in (0,
                                                                       0x84)
        except TimeoutError as e:
            ost, ok = e, False
        tap.ok(ok, 'c: the guest refuses: ACPI_DEVICE_OST eject request '
               'with a failure status (%s)' %
               (ost['data']['info'].get('status') if ok else '?'), ost)
        try:
            err = g.qmp.event('DEVICE_UNPLUG_GUEST_ERROR', ev_dev('cpu-1'),
                              timeout + EVENT_TIMEOUT)
            ok = err['data'].get('path') == PEER_PATH % 'cpu-1'
        except TimeoutError as e:
            err, ok = e, False
        tap.ok(ok, 'c: DEVICE_UNPLUG_GUEST_ERROR for cpu-1 after the '
               'module deadline (unplug_timeout=%d)' % timeout, err)
        tap.ok(not g.qmp.has_event('DEVICE_DELETED') and
               g.expect(GONE_RE, 0, since) is None,
               'c: no DEVICE_DELETED, the guest kept CPU %d' % n, g.tail())
        errs = check_queries(g.qmp, topo, present)
        tap.ok(not errs, 'c: cpu-1 still in query-cpus-fast and '
               'query-hotpluggable-cpus', errs)
        rc, out = g.sh('cat /sys/devices/system/cpu/cpu%d/online; '
                       'taskset -c %d grep -c ^processor /proc/cpuinfo'
                       % (n, n))
        tap.ok(rc == 0 and re.search(r'^1$', out, re.M) and
               re.search(r'^2$', out, re.M),
               'c: guest CPU %d is still online and runs a task' % n, out)
        # Ejecting allowed again: the same device_del now completes.
        g.sh('echo 1 > %s' % knob)
        unplug(tap, g, present, 'cpu-1', n, 'c: retry')
        rc = g.poweroff()
        tap.ok(rc == 0, 'c: poweroff, khyp-run exits 0 (got %s)' % rc,
               g.tail())
    finally:
        g.kill()


# ---- d ----

def group_d(tap, env):
    cycles = int(os.environ.get('E2E_CYCLES', '100'))
    topo = Topo(1, 2, 1)
    before = khyp_stats()
    g = Guest(env['work'], 'e2e-d', '1,maxcpus=2', env['kernel'],
              env['initrd'])
    try:
        g.boot(BOOT_TIMEOUT)
        base = khyp_stats()
        base_threads = khyp_threads()
        tap.diag('baseline: %r, threads %r' % (base, base_threads))
        present = {0: None}
        done = 0
        failure = ''
        for i in range(cycles):
            dev = 'cyc-%d' % i
            since = g.mark()
            r = g.qmp.cmd('device_add', dict(driver=slot_type(g), id=dev,
                                             **topo.props(1)))
            if r.get('return') != {}:
                failure = 'cycle %d: device_add: %r' % (i, r)
                break
            m = g.expect(ONLINE_RE, EVENT_TIMEOUT, since)
            if not m:
                failure = 'cycle %d: not onlined\n%s' % (i, g.tail())
                break
            n = int(m.group(1))
            grown = khyp_stats()['vcpus'] - base['vcpus']
            since = g.mark()
            r = g.qmp.cmd('device_del', {'id': dev})
            if r.get('return') != {}:
                failure = 'cycle %d: device_del: %r' % (i, r)
                break
            try:
                g.qmp.event('DEVICE_DELETED', ev_dev(dev), EVENT_TIMEOUT)
            except TimeoutError:
                failure = 'cycle %d: no DEVICE_DELETED' % i
                break
            if not g.expect(r'KHYP-GUEST-CPU-GONE %d\b' % n, EVENT_TIMEOUT,
                            since):
                failure = 'cycle %d: CPU %d not gone\n%s' % (i, n,
                                                             g.tail())
                break
            if grown != 1:
                failure = 'cycle %d: %d vCPUs added, expected 1' % (i, grown)
                break
            done += 1
        tap.ok(done == cycles, 'd: %d/%d plug/unplug cycles' %
               (done, cycles), failure)
        g.qmp.drain()
        errs = check_queries(g.qmp, topo, present)
        tap.ok(not errs, 'd: after the cycles only the boot CPU is listed',
               errs)
        now, threads = khyp_stats(), khyp_threads()
        tap.ok(now['vcpus'] == base['vcpus'] and now['vms'] == base['vms'],
               'd: khyp stats back to baseline (vcpus %d, baseline %d)' %
               (now['vcpus'], base['vcpus']), '%r vs %r' % (now, base))
        tap.ok(threads == base_threads,
               'd: no stray khyp/ threads (%s)' % ' '.join(threads),
               '%r vs %r' % (threads, base_threads))
        rc = g.poweroff()
        tap.ok(rc == 0, 'd: poweroff, khyp-run exits 0 (got %s)' % rc,
               g.tail())
    finally:
        g.kill()
    after = khyp_stats()
    tap.ok(after == before and not khyp_threads(),
           'd: with the VM gone: vms, vcpus, pages as before it (%r), no '
           'khyp/ threads' % after, '%r vs %r, threads %r' %
           (after, before, khyp_threads()))


class Prefixed:
    """@tap with every test name prefixed: one pass's results."""

    def __init__(self, tap, prefix):
        self.tap, self.prefix = tap, prefix

    def ok(self, cond, what, diag=None):
        return self.tap.ok(cond, self.prefix + what, diag)

    def skip(self, what, why):
        self.tap.skip(self.prefix + what, why)

    def diag(self, text):
        self.tap.diag(text)


def run_groups(tap, env, groups):
    for name, fn in (('a', group_a), ('b', group_b), ('c', group_c),
                     ('d', group_d)):
        if name not in groups:
            continue
        try:
            fn(tap, env)
        except (GuestError, TimeoutError, EOFError, OSError, KeyError,
                ValueError) as e:
            tap.ok(False, '%s: aborted: %s' % (name, e),
                   traceback.format_exc())


def kernel_612():
    """/boot/vmlinuz of Debian's newest 6.12 generic kernel, or None."""
    kver = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                        '..', 'scripts', 'kver')
    r = subprocess.run([kver, '6.12'], stdout=subprocess.PIPE, text=True)
    return '/boot/vmlinuz-' + r.stdout.strip() if r.returncode == 0 else None


def main():
    tap = Tap()
    kernel = cloud_kernel()
    groups = os.environ.get('E2E_GROUPS', 'abcd')
    if not kernel:
        tap.skip('e2e', 'no /boot/vmlinuz-*-cloud-amd64')
        tap.done()
        return 0
    work = os.environ.get('E2E_WORKDIR') or tempfile.mkdtemp(prefix='e2e.')
    initrd = os.environ.get('E2E_INITRD') or \
        build_initramfs(os.path.join(work, 'guest.cpio.gz'))
    run_groups(tap, {'kernel': kernel, 'initrd': initrd, 'work': work},
               groups)
    # The test initramfs needs no modules: what the guest uses (8250
    # console, ACPI CPU hotplug) is built into Debian's generic kernel.
    k612 = kernel_612()
    pass612 = Prefixed(tap, '6.12 guest: ')
    if k612:
        tap.diag('6.12 guest pass: %s' % k612)
        run_groups(pass612, {'kernel': k612, 'initrd': initrd, 'work': work},
                   os.environ.get('E2E_612_GROUPS', 'ab'))
    else:
        pass612.skip('e2e', 'no Debian 6.12 kernel installed (make deps)')
    tap.done()
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
