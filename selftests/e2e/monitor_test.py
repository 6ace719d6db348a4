#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""monitor_test.py - khyp-run's HMP monitor on a terminal, as a person
types at it, with a Linux guest.

Runs inside the test host (khyp.ko loaded).  Starts khyp-run with the
seed's command line (-nodefaults -monitor stdio, QMP on a socket; the
test initramfs as the guest) on a pseudo-terminal that is its
controlling terminal, and types: help, info status, info
hotpluggable-cpus, mistakes (unknown command, unknown device, bad
property, missing driver), device_add in HMP's comma syntax, info cpus,
device_del, quit.  Checks QEMU's banner, prompt and texts, and that
what HMP prints agrees with QMP's answers on the same VM.  The monitor
has stdio, so the guest console goes to a FIFO (-serial file:), where
the test waits for the guest to be up before it plugs, and for it to
online the CPU; QMP shows the guest's _OST and DEVICE_DELETED.  Then
-serial mon:stdio, the terminal shared by the guest's console and the
monitor: the guest's shell, C-a c to the monitor and back, a line
dropped across a switch, bad escapes, C-a h, C-a x.  Every wait is a
select() with a deadline.  Prints TAP.
"""
import fcntl
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import termios
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'lib'))
from qmp import Qmp  # noqa: E402
from tap import Tap  # noqa: E402
from vmm_proc import (KHYP_RUN, ONLINE_RE, UP_RE,  # noqa: E402
                      ConsoleFifo, build_initramfs, cloud_kernel)
from vmm_proc import PROMPT as GUEST_PROMPT  # noqa: E402

GUEST_TIMEOUT = float(os.environ.get('E2E_BOOT_TIMEOUT', '180'))
PROMPT = '(qemu) '
TYPE = 'IvyBridge-IBRS-x86_64-cpu'
MUX_TESTS = 10
TESTS = 20 + MUX_TESTS


class Terminal:
    """@argv on a new pseudo-terminal, its controlling terminal; the guest
    console on @console, a ConsoleFifo, read meanwhile, or on the
    terminal if None."""

    def __init__(self, argv, console):
        self.master, slave = os.openpty()
        self.out = ''
        self.pos = 0
        self.console = console

        def ctty():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.p = subprocess.Popen(argv, stdin=slave, stdout=slave,
                                  stderr=slave, preexec_fn=ctty)
        os.close(slave)

    def pump(self, timeout):
        fds = [self.master] + ([self.console] if self.console and
                               self.console.fileno() >= 0 else [])
        r, _, _ = select.select(fds, [], [], max(0, timeout))
        if self.console and self.console in r:
            self.console.pump()
        if self.master not in r:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:     # EIO: every slave fd is closed
            return False
        # The terminal's ONLCR makes HMP's CRLF CR CR LF: lines are lines.
        self.out += data.decode(errors='replace').replace('\r', '')
        return bool(data)

    def expect_console(self, pattern, timeout):
        """Wait for a regex on the guest console (anywhere in it)."""
        end = time.monotonic() + timeout
        while not re.search(pattern, self.console.text):
            left = end - time.monotonic()
            if left <= 0 or not self.pump(min(left, 0.5)):
                return None
        return re.search(pattern, self.console.text)

    def expect(self, text, timeout=30):
        """Wait for @text after the last match: what came before it."""
        end = time.monotonic() + timeout
        while True:
            i = self.out.find(text, self.pos)
            if i >= 0:
                before = self.out[self.pos:i]
                self.pos = i + len(text)
                return before
            left = end - time.monotonic()
            if left <= 0 or not self.pump(min(left, 0.5)):
                return None

    def type(self, line, timeout=30):
        """Type @line and Enter; what the monitor printed before its next
        prompt (the echoed line left out), or None."""
        os.write(self.master, line.encode() + b'\r')
        if self.expect(line + '\n', timeout) is None:
            return None
        return self.expect(PROMPT, timeout)

    def wait(self, timeout):
        end = time.monotonic() + timeout
        while self.p.poll() is None and time.monotonic() < end:
            self.pump(0.2)
        return self.p.poll()

    def kill(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            if self.wait(10) is None:
                self.p.kill()
                self.p.wait()
        os.close(self.master)
        if self.console:
            self.console.close()


def hotpluggable(slots):
    """What info hotpluggable-cpus prints for query-hotpluggable-cpus."""
    text = 'Hotpluggable CPUs:\n'
    for s in slots:
        text += '  type: "%s"\n  vcpus_count: "%d"\n' % (s['type'],
                                                         s['vcpus-count'])
        if 'qom-path' in s:
            text += '  qom_path: "%s"\n' % s['qom-path']
        text += '  CPUInstance Properties:\n'
        for k in ('socket-id', 'die-id', 'core-id', 'thread-id'):
            if k in s['props']:
                text += '    %s: "%d"\n' % (k, s['props'][k])
    return text


def cpus(fast):
    """What info cpus prints for query-cpus-fast."""
    return ''.join('%s CPU #%d: thread_id=%d\n' %
                   ('*' if i == 0 else ' ', c['cpu-index'], c['thread-id'])
                   for i, c in enumerate(fast))


def mux_session(tap, kernel, initrd):
    """-serial mon:stdio: MUX_TESTS tests."""
    t = Terminal([KHYP_RUN, '-display', 'none', '-m', '256', '-nodefaults',
                  '-serial', 'mon:stdio', '-kernel', kernel,
                  '-initrd', initrd], None)
    help_text = ('\nC-a h    print this help\n'
                 'C-a x    exit emulator\n'
                 'C-a s    save disk data back to file (if -snapshot)\n'
                 'C-a t    toggle console timestamps\n'
                 'C-a b    send break (magic sysrq)\n'
                 'C-a c    switch between console and monitor\n'
                 'C-a C-a  sends C-a\n')
    try:
        before = t.expect(GUEST_PROMPT, GUEST_TIMEOUT)
        tap.ok(before is not None and re.search(UP_RE, before) and
               'monitor' not in before,
               'mon:stdio: the guest console on the terminal, no monitor '
               'banner before C-a c', t.out[-2000:])
        os.write(t.master, b'\x01c')
        # after what the guest's shell wrote last (its cursor query)
        banner = t.expect(PROMPT)
        tap.ok(banner is not None and re.search(
            r"(^|\n|\x1b\[6n)QEMU \d+\.\d+\.\d+ monitor - type 'help' "
            r"for more information\n\Z", banner),
            'C-a c: the banner, then the prompt', t.out[-2000:])
        out = t.type('info status')
        tap.ok(out == 'VM status: running\n', 'info status in the monitor',
               out)
        out = t.type('info cpus')
        tap.ok(out is not None and re.fullmatch(
            r'\* CPU #0: thread_id=\d+\n', out), 'info cpus', out)
        os.write(t.master, b'\x01c')
        tap.ok(t.expect('\n', 10) == '', 'C-a c back: the monitor ends '
               'its line', t.out[-500:])
        os.write(t.master, b'echo mux-$((6*7))\r')
        tap.ok(t.expect('mux-42\n', 30) is not None and
               t.expect(GUEST_PROMPT, 30) is not None,
               "the guest's shell has the keyboard again", t.out[-2000:])
        # typed in the monitor, then away and back: the line is dropped
        os.write(t.master, b'\x01cinfo sta\x01c\x01c')
        t.expect(PROMPT, 10)
        t.expect(PROMPT, 10)
        out = t.type('tus')
        tap.ok(out == "unknown command: 'tus'\n",
               'back in the monitor: the prompt again, the line typed '
               'before dropped', t.out[-1000:])
        # an unknown escape and a literal C-a: nothing in the line
        os.write(t.master, b'\x01z\x01\x01')
        out = t.type('info status')
        tap.ok(out == 'VM status: running\n', 'C-a z, C-a C-a: ignored by '
               'the monitor', t.out[-1000:])
        os.write(t.master, b'\x01h')
        out = t.expect('C-a C-a  sends C-a\n', 10)
        tap.ok(out is not None and out + 'C-a C-a  sends C-a\n' ==
               help_text, "C-a h: QEMU's help", t.out[-1000:])
        os.write(t.master, b'\x01x')
        rc = t.wait(30)
        tap.ok(rc == 0 and t.expect('QEMU: Terminated\n', 1) is not None,
               'C-a x: QEMU: Terminated, khyp-run exits 0',
               '%r\n%s' % (rc, t.out[-1000:]))
    except Exception as e:  # noqa: BLE001 - one failure, then the tail
        tap.ok(False, 'mon:stdio session: %r' % e, t.out[-3000:])
    finally:
        t.kill()


def main():
    tap = Tap(TESTS)
    kernel = cloud_kernel()
    if not kernel:
        for _ in range(TESTS):
            tap.skip('monitor', 'no /boot/vmlinuz-*-cloud-amd64')
        return 0
    work = tempfile.mkdtemp(prefix='khyp-monitor.', dir='/tmp')
    initrd = build_initramfs(os.path.join(work, 'initrd.gz'))
    qmp_path = os.path.join(work, 'qmp-sock')
    console = ConsoleFifo(os.path.join(work, 'console'))
    # The seed's command line, a kernel to boot, and its console.
    t = Terminal([KHYP_RUN, '-display', 'none', '-no-user-config',
                  '-m', '256', '-nodefaults', '-monitor', 'stdio',
                  '-machine', 'pc,accel=kvm,usb=off', '-smp', '1,maxcpus=2',
                  '-cpu', 'IvyBridge-IBRS',
                  '-qmp', 'unix:%s,server=on,wait=off' % qmp_path,
                  '-kernel', kernel, '-initrd', initrd,
                  '-serial', console.arg], console)
    q = None
    try:
        banner = t.expect(PROMPT)
        tap.ok(banner is not None and re.fullmatch(
            r"QEMU \d+\.\d+\.\d+ monitor - type 'help' for more "
            r"information\n", banner), 'the banner, then the prompt',
            t.out)
        q = Qmp(qmp_path, timeout=10)
        v = q.greeting['QMP']['version']['qemu']
        tap.ok(banner is not None and ('QEMU %d.%d.%d monitor' %
                                       (v['major'], v['minor'], v['micro']))
               in banner, "the banner's version is QMP's", banner)

        out = t.type('help')
        tap.ok(out is not None and
               'device_add driver[,prop=value][,...] -- add device, like '
               '-device on the command line\n' in out and
               'info [subcommand] -- show various information about the '
               'system state\n' in out, 'help lists the commands', out)
        out = t.type('info status')
        tap.ok(out == 'VM status: running\n', 'info status', out)

        slots = q.ret('query-hotpluggable-cpus')
        out = t.type('info hotpluggable-cpus')
        want = ('Hotpluggable CPUs:\n'
                '  type: "%s"\n  vcpus_count: "1"\n'
                '  CPUInstance Properties:\n'
                '    socket-id: "0"\n    core-id: "1"\n    thread-id: "0"\n'
                '  type: "%s"\n  vcpus_count: "1"\n'
                '  qom_path: "/machine/unattached/device[0]"\n'
                '  CPUInstance Properties:\n'
                '    socket-id: "0"\n    core-id: "0"\n    thread-id: "0"\n'
                % (TYPE, TYPE))
        tap.ok(out == want, 'info hotpluggable-cpus: the free slot, then '
               'the boot CPU', '%r\nwant %r' % (out, want))
        tap.ok(out == hotpluggable(slots),
               'info hotpluggable-cpus says what query-hotpluggable-cpus '
               'does', slots)
        fast = q.ret('query-cpus-fast')
        out = t.type('info cpus')
        tap.ok(out == cpus(fast) and len(fast) == 1,
               'info cpus: * CPU #0 with its thread id', '%r %r' % (out, fast))

        mistakes = [
            ('foo', "unknown command: 'foo'\n"),
            ('device_del nope', "Error: Device 'nope' not found\n"),
            ('device_add', "Error: Parameter 'driver' is missing\n"),
            ('device_add %s,id=x,bogus=1' % TYPE,
             "Error: Property '%s.bogus' not found\n" % TYPE),
        ]
        for line, want in mistakes:
            out = t.type(line)
            tap.ok(out == want, 'mistake %r: %r' % (line, want.strip()), out)

        tap.ok(t.expect_console(UP_RE, GUEST_TIMEOUT) is not None,
               'the guest is up (its console in the FIFO)', t.console.text[-2000:])
        out = t.type('device_add %s,id=cpu-2,socket-id=0,core-id=1,'
                     'thread-id=0' % TYPE)
        tap.ok(out == '', 'device_add DRIVER,id=cpu-2,socket-id=0,'
               'core-id=1,thread-id=0 prints nothing', out)
        tap.ok(t.expect_console(ONLINE_RE, 60) is not None,
               'the guest onlines the new CPU', t.console.text[-2000:])
        try:
            ost = q.event('ACPI_DEVICE_OST', lambda e: e['data']['info'].get(
                'device') == 'cpu-2', GUEST_TIMEOUT)
            info = ost['data']['info']
            tap.ok(info['source'] == 1 and info['status'] == 0,
                   "the guest's _OST: insert, success", ost)
        except TimeoutError as e:
            tap.ok(False, "the guest's _OST for cpu-2", e)
        fast = q.ret('query-cpus-fast')
        out = t.type('info cpus')
        tap.ok(out == cpus(fast) and len(fast) == 2 and
               out.startswith('* CPU #0: ') and '\n  CPU #1: ' in out,
               'info cpus shows the new CPU as QMP does', '%r %r' %
               (out, fast))
        out = t.type('info hotpluggable-cpus')
        tap.ok(out is not None and
               '  qom_path: "/machine/peripheral/cpu-2"\n' in out,
               'info hotpluggable-cpus: cpu-2 in the slot', out)

        out = t.type('device_del cpu-2')
        tap.ok(out == '', 'device_del cpu-2 prints nothing', out)
        try:
            q.event('DEVICE_DELETED', lambda e: e['data'].get('device') ==
                    'cpu-2', GUEST_TIMEOUT)
            deleted = True
        except TimeoutError:
            deleted = False
        out = t.type('info cpus')
        tap.ok(deleted and out == cpus(q.ret('query-cpus-fast')) and
               out.count('CPU #') == 1,
               'the guest ejects cpu-2; info cpus shows one CPU again',
               '%s\n--- console ---\n%s' % (out, t.console.text[-2000:]))

        os.write(t.master, b'quit\r')
        rc = t.wait(30)
        tap.ok(rc == 0, 'quit ends khyp-run with status 0', '%r\n%s' %
               (rc, t.out[-2000:]))
    except Exception as e:  # noqa: BLE001 - one failure, then the tail
        tap.ok(False, 'monitor session: %r' % e, t.out[-3000:] +
               '\n--- console ---\n' + t.console.text[-3000:])
    finally:
        if q:
            q.close()
        t.kill()
    mux_session(tap, kernel, initrd)
    subprocess.call(['rm', '-rf', work])
    tap.done()
    return 1 if tap.failed or tap.n != TESTS else 0


if __name__ == '__main__':
    sys.exit(main())
