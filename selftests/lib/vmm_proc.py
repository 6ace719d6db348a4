# SPDX-License-Identifier: GPL-2.0
"""vmm_proc.py - a VMM process whose console the Linux-guest tests drive,
the test guest on it, and what khyp.ko shows of its VMs (shared by the
boot, guest, e2e and hotplug suites and the benches).

VmmProcess starts a VMM (khyp-run or qemu-system-x86_64) with the serial
console on stdout, keeps stdout and stderr apart (or merged), and
searches the console for regular expressions with deadlines: expect()
continues after the previous match, or from a mark().  Guest adds the
test guest's command line (selftests/guest/mkinitramfs.sh), QMP and a
shell.  Nothing here sleeps to wait; every wait is a select() with a
deadline.
"""
import glob
import os
import re
import select
import subprocess
import time

from qmp import Qmp

STATS = '/sys/class/misc/khyp/stats'
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
KHYP_RUN = os.path.join(REPO, 'userspace', 'bin', 'khyp-run')
MKINITRAMFS = os.path.join(REPO, 'selftests', 'guest', 'mkinitramfs.sh')

# The test guest's console markers and shell prompt.
UP_RE = r'KHYP-GUEST-UP cpus=(\d+) possible=(\d+)'
ONLINE_RE = r'KHYP-GUEST-CPU-ONLINE (\d+)'
GONE_RE = r'KHYP-GUEST-CPU-GONE (\d+)'
PROMPT = r'khyp# '


def cloud_kernel():
    """$KERNEL, else the newest /boot/vmlinuz-*-cloud-amd64, else None."""
    return os.environ.get('KERNEL') or \
        (sorted(glob.glob('/boot/vmlinuz-*-cloud-amd64')) or [None])[-1]


def build_initramfs(out):
    subprocess.check_call([MKINITRAMFS, out])
    return out


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

    def mark(self):
        """A console position: expect(.., since=mark()) sees what follows."""
        self.pump(0)
        return len(self.out)

    def expect(self, pattern, timeout, since=None, flags=0):
        """Wait for a regex on the console after the last match (or at or
        after @since)."""
        rx = re.compile(pattern.encode(), flags)
        start = self.pos if since is None else since
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.out, start)
            if m:
                self.pos = m.end()
                return m
            left = end - time.monotonic()
            if left <= 0:
                return None
            if not self.pump(min(left, 0.5)) and self.p.poll() is not None:
                m = rx.search(self.out, start)
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

    def alive(self):
        return self.p.poll() is None

    def log(self):
        return (self.out.decode(errors='replace') +
                '\n--- stderr ---\n' + self.err.decode(errors='replace'))

    def tail(self, n=40):
        """The last @n console lines."""
        text = self.out.decode(errors='replace').replace('\r', '')
        return '\n'.join(text.splitlines()[-n:])


class ConsoleFifo:
    """The guest console through a FIFO, for -serial file:PATH when the
    VMM's stdio is the monitor's.  Open it before the VMM starts (which
    then opens it without blocking), and keep reading it (pump() when
    select() says so), or the VMM blocks on a full FIFO."""

    def __init__(self, path):
        os.mkfifo(path)
        self.arg = 'file:' + path
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.text = ''

    def fileno(self):
        return self.fd

    def pump(self):
        data = os.read(self.fd, 65536)
        self.text += data.decode(errors='replace')
        if not data:        # the VMM is gone
            self.close()

    def expect(self, pattern, timeout, others=()):
        """Wait for a regex anywhere on the console; @others: objects
        with fileno() and pump() to keep reading meanwhile."""
        end = time.monotonic() + timeout
        while not re.search(pattern, self.text):
            left = end - time.monotonic()
            fds = [f for f in (self,) + tuple(others) if f.fileno() >= 0]
            if left <= 0 or not fds:
                return None
            r, _, _ = select.select(fds, [], [], min(left, 0.5))
            for f in r:
                f.pump()
        return re.search(pattern, self.text)

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class GuestError(Exception):
    pass


class Guest(VmmProcess):
    """The test guest on a VMM (@vmm: the argv prefix, by default
    khyp-run -name @name), console and stderr merged, QMP on a UNIX
    socket in @workdir."""

    def __init__(self, workdir, name, smp, kernel, initrd, mem=256,
                 append='console=ttyS0', vmm=None, extra=()):
        self.name = name
        self.qmp_path = os.path.join(workdir, name + '.qmp')
        self.qmp = None
        self.nsh = 0
        vmm = list(vmm) if vmm else [KHYP_RUN, '-name', name]
        super().__init__(vmm + [
            '-m', str(mem), '-smp', smp, '-kernel', kernel,
            '-initrd', initrd, '-append', append, '-display', 'none',
            '-nodefaults', '-serial', 'stdio',
            '-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path,
        ] + list(extra), merge_stderr=True)

    def connect(self, timeout=10.0):
        """Connect and negotiate QMP (the socket may not exist yet)."""
        self.qmp = Qmp(self.qmp_path, timeout=timeout)
        return self.qmp

    def boot(self, timeout=180):
        """Wait for the boot marker and the prompt, connect QMP:
        (cpus, possible)."""
        m = self.expect(UP_RE, timeout)
        if not m:
            raise GuestError('no boot marker within %d s' % timeout)
        # The shell prompt: the console accepts input from here on.
        self.expect(PROMPT, 30)
        self.connect()
        return int(m.group(1)), int(m.group(2))

    def sh(self, cmd, timeout=30):
        """Run @cmd in the guest shell: (status, output) or raise."""
        self.nsh += 1
        tag = 'SH%d' % self.nsh
        since = self.mark()
        # The quotes keep the echoed command line from matching.
        self.send('echo "@@%s""-B@@"; %s; echo "@@%s""-E@@ rc=$?"\n' %
                  (tag, cmd, tag))
        m = self.expect(r'@@%s-B@@\r?\n(.*?)@@%s-E@@ rc=(\d+)' % (tag, tag),
                        timeout, since, re.S)
        if not m:
            raise GuestError('guest shell did not run %r within %d s' %
                             (cmd, timeout))
        out = m.group(1).decode(errors='replace').replace('\r', '')
        return int(m.group(2)), out

    def poweroff(self, timeout=60):
        """poweroff -f in the guest; the VMM's exit status (None: killed)."""
        self.send('poweroff -f\n')
        rc = self.wait(timeout)
        if rc is None:
            self.kill()
        return rc

    def kill(self):
        if self.qmp:
            self.qmp.close()
            self.qmp = None
        super().kill()


def khyp_stats():
    """/sys/class/misc/khyp/stats as a dict; None without khyp.ko."""
    try:
        with open(STATS) as f:
            return dict((k, int(v)) for k, v in
                        (line.split() for line in f if line.strip()))
    except OSError:
        return None


def comm(tid):
    """Thread @tid's name, or None once it is gone."""
    try:
        with open('/proc/%d/comm' % tid) as f:
            return f.read().strip()
    except OSError:
        return None


def khyp_threads(vm_id=None):
    """The khyp vCPU kthreads now running (of VM @vm_id, or all), as
    "khyp/VM/VCPU(PID)"."""
    prefix = 'khyp/' if vm_id is None else 'khyp/%d/' % vm_id
    names = []
    for d in glob.glob('/proc/[0-9]*'):
        try:
            with open(d + '/comm') as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm.startswith(prefix):
            names.append('%s(%s)' % (comm, os.path.basename(d)))
    return sorted(names)
