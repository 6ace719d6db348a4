# SPDX-License-Identifier: GPL-2.0
"""vmm_proc.py - a VMM process whose console the Linux-guest tests drive,
and what khyp.ko shows of its VMs (shared by the boot, guest and e2e
suites).

VmmProcess starts a VMM (khyp-run or qemu-system-x86_64) with the serial
console on stdout, keeps stdout and stderr apart (or merged), and
searches the console for regular expressions with deadlines: each
expect() continues after the previous match.  Nothing here sleeps to
wait; every wait is a select() with a deadline.
"""
import glob
import os
import re
import select
import subprocess
import time

STATS = '/sys/class/misc/khyp/stats'


class VmmProcess:
    """A VMM process: console (stdout) and stderr, kept apart unless
    @merge_stderr."""

    def __init__(self, argv, merge_stderr=False):
        self.argv = argv
        self.out = b''
        self.err = b''
        self.pos = 0
        self.p = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE)
        self.open = {self.p.stdout.fileno(): 'out'}
        if not merge_stderr:
            self.open[self.p.stderr.fileno()] = 'err'

    def pump(self, timeout):
        """Read what is there (waiting up to timeout); False at EOF."""
        if not self.open:
            return False
        r, _, _ = select.select(list(self.open), [], [], max(0, timeout))
        for fd in r:
            data = os.read(fd, 65536)
            if not data:
                del self.open[fd]
            elif self.open[fd] == 'out':
                self.out += data
            else:
                self.err += data
        return bool(self.open)

    def expect(self, pattern, timeout):
        """Wait for a regex on the console after the last match."""
        rx = re.compile(pattern.encode())
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.out, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = end - time.monotonic()
            if left <= 0:
                return None
            if not self.pump(min(left, 0.5)) and self.p.poll() is not None:
                m = rx.search(self.out, self.pos)
                if m:
                    self.pos = m.end()
                return m

    def expect_err(self, pattern, count, timeout):
        """Wait until a regex occurs count times on stderr."""
        rx = re.compile(pattern.encode())
        end = time.monotonic() + timeout
        while len(rx.findall(self.err)) < count:
            left = end - time.monotonic()
            if left <= 0:
                return False
            if not self.pump(min(left, 0.5)) and self.p.poll() is not None:
                return len(rx.findall(self.err)) >= count
        return True

    def send(self, text):
        try:
            self.p.stdin.write(text.encode())
            self.p.stdin.flush()
        except BrokenPipeError:
            pass

    def wait(self, timeout):
        """Exit status, or None if still running at the deadline."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.pump(min(0.5, max(0, end - time.monotonic()))):
                break
        left = max(0.0, end - time.monotonic())
        try:
            return self.p.wait(left)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        """SIGTERM first (a wrapper script gets to stop its VMM), then
        SIGKILL after 10 s."""
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        while self.pump(0):
            pass

    def log(self):
        return (self.out.decode(errors='replace') +
                '\n--- stderr ---\n' + self.err.decode(errors='replace'))


def khyp_stats():
    """/sys/class/misc/khyp/stats as a dict; None without khyp.ko."""
    try:
        with open(STATS) as f:
            return dict((k, int(v)) for k, v in
                        (line.split() for line in f if line.strip()))
    except OSError:
        return None


def khyp_threads():
    """The khyp vCPU kthreads now running, as "khyp/VM/VCPU(PID)"."""
    names = []
    for d in glob.glob('/proc/[0-9]*'):
        try:
            with open(d + '/comm') as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm.startswith('khyp/'):
            names.append('%s(%s)' % (comm, os.path.basename(d)))
    return sorted(names)
