# SPDX-License-Identifier: GPL-2.0
"""guest.py - a Linux test guest on a QEMU-compatible VMM, for e2e tests.

Starts the VMM (khyp-run, or qemu-system-x86_64 for the bench's KVM
side) with the cloud kernel and the test initramfs
(selftests/guest/mkinitramfs.sh), the serial console on a pipe and QMP
on a UNIX socket.  The console can be searched for markers (with
deadlines) and driven: sh() runs a command in the guest's shell and
returns its output and status.
"""
import glob
import os
import re
import select
import subprocess
import sys
import time

from qmp_client import Qmp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'lib'))
from vmm_proc import khyp_stats, khyp_threads  # noqa: E402,F401 (re-exported)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
KHYP_RUN = os.path.join(REPO, 'userspace', 'bin', 'khyp-run')
MKINITRAMFS = os.path.join(REPO, 'selftests', 'guest', 'mkinitramfs.sh')

UP_RE = r'KHYP-GUEST-UP cpus=(\d+) possible=(\d+)'
ONLINE_RE = r'KHYP-GUEST-CPU-ONLINE (\d+)'
GONE_RE = r'KHYP-GUEST-CPU-GONE (\d+)'


def cloud_kernel():
    k = os.environ.get('KERNEL')
    if k:
        return k
    found = sorted(glob.glob('/boot/vmlinuz-*-cloud-amd64'))
    return found[-1] if found else None


def build_initramfs(out):
    subprocess.check_call([MKINITRAMFS, out])
    return out


class GuestError(Exception):
    pass


class Guest:
    """One VM.  vmm: the argv prefix (default khyp-run)."""

    def __init__(self, workdir, name, smp, kernel, initrd, mem=256,
                 append='console=ttyS0', vmm=None, extra=()):
        self.qmp_path = os.path.join(workdir, name + '.qmp')
        self.name = name
        vmm = list(vmm) if vmm else [KHYP_RUN, '-name', name]
        self.cmdline = vmm + [
            '-m', str(mem), '-smp', smp, '-kernel', kernel,
            '-initrd', initrd, '-append', append, '-display', 'none',
            '-nodefaults', '-serial', 'stdio',
            '-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path,
        ] + list(extra)
        self.text = ''
        self.nsh = 0
        self.qmp = None
        self.p = subprocess.Popen(self.cmdline, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)

    # ---- console ----

    def pump(self, timeout):
        """Read console output for up to @timeout s; False at EOF."""
        r, _, _ = select.select([self.p.stdout], [], [], max(0, timeout))
        if not r:
            return True
        data = os.read(self.p.stdout.fileno(), 65536)
        if not data:
            return False
        self.text += data.decode(errors='replace').replace('\r', '')
        return True

    def mark(self):
        """A console position: expect(.., since=mark()) sees what follows."""
        self.pump(0)
        return len(self.text)

    def expect(self, pattern, timeout, since=0, flags=0):
        """The first match of @pattern at or after @since, within @timeout s."""
        rx = re.compile(pattern, flags)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.text, since)
            if m:
                return m
            left = end - time.monotonic()
            if left <= 0:
                return None
            if not self.pump(min(left, 0.5)):
                # EOF: one last look, then give up.
                return rx.search(self.text, since)

    def send(self, text):
        self.p.stdin.write(text.encode())
        self.p.stdin.flush()

    def sh(self, cmd, timeout=30):
        """Run @cmd in the guest shell: (status, output) or raise."""
        self.nsh += 1
        tag = 'E2E%d' % self.nsh
        since = self.mark()
        # The quotes keep the echoed command line from matching.
        self.send('echo "@@%s""-B@@"; %s; echo "@@%s""-E@@ rc=$?"\n' %
                  (tag, cmd, tag))
        m = self.expect(r'@@%s-B@@\n(.*?)@@%s-E@@ rc=(\d+)' % (tag, tag),
                        timeout, since, re.S)
        if not m:
            raise GuestError('guest shell did not run %r within %d s' %
                             (cmd, timeout))
        return int(m.group(2)), m.group(1)

    def tail(self, n=40):
        return '\n'.join(self.text.splitlines()[-n:])

    # ---- life ----

    def boot(self, timeout=180):
        """Wait for the boot marker and connect QMP: (cpus, possible)."""
        m = self.expect(UP_RE, timeout)
        if not m:
            raise GuestError('no boot marker within %d s' % timeout)
        # The shell prompt: the console accepts input from here on.
        self.expect(r'khyp# ', 30, m.end())
        self.qmp = Qmp(self.qmp_path, timeout=10)
        return int(m.group(1)), int(m.group(2))

    def alive(self):
        return self.p.poll() is None

    def poweroff(self, timeout=60):
        """poweroff -f in the guest; the VMM's exit status (None: killed)."""
        if self.alive():
            try:
                self.send('poweroff -f\n')
            except OSError:
                pass
        end = time.monotonic() + timeout
        while self.alive() and time.monotonic() < end:
            self.pump(0.5)
        if self.alive():
            self.kill()
            return None
        return self.p.returncode

    def kill(self):
        if self.qmp:
            self.qmp.close()
            self.qmp = None
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
