#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""boot_test.py - khyp-run boot tests, run inside the test host.

   selftests/testhost/run --mem 3072 --timeout 1200 selftests/boot/run.sh

Boots Debian's cloud kernel with the test guest's initramfs
(selftests/guest/mkinitramfs.sh) on khyp-run and checks, in TAP:

  * -smp 1, 2 and 4 (maxcpus=8, -m 512): the guest reaches init and
    reports cpus=N possible=8, then "poweroff -f" ends khyp-run with 0;
  * Debian's generic kernel (linux-image-amd64) with -smp 2 the same way;
  * "reboot -f" without -no-reboot resets the VM: the guest boots a
    second time (KHYP-GUEST-UP twice), and then "poweroff -f" works;
  * a guest that triple-faults (a crafted 64-bit bzImage: lidt of an
    empty IDT, then ud2): khyp-run says "shut down (triple fault)" on
    stderr; with -no-reboot it exits 0, without it the VM is reset and
    faults again (as QEMU does) until SIGTERM, which ends it with 0;
  * bad input (missing or non-bzImage kernel, bad -m and -smp, unknown
    option, missing argument): a message naming the problem on stderr,
    exit status 1;
  * after every case nothing is left behind: /sys/class/misc/khyp/stats
    reads vms 0 / vcpus 0 / pages 0 and no khyp/ kthread exists.

The -smp 4 boot's console lines that mention warn/error/fail/bug are
printed as TAP comments ("# dmesg: ...").

Environment: VMM (default khyp-run), KERNEL (default the newest
/boot/vmlinuz-*-cloud-amd64), BOOT_TIMEOUT (seconds per boot, default
240), INITRD (skip building one).  Console markers and process
exits are waited for with deadlines; nothing sleeps to synchronise.
"""
import os
import re
import shlex
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'lib'))
from tap import Tap  # noqa: E402
from vmm_proc import (PROMPT, STATS, UP_RE, VmmProcess as Vmm,  # noqa: E402
                      build_initramfs, cloud_kernel, khyp_stats, khyp_threads)


# ---- nothing left behind ----

def clean_state(timeout=10):
    """Wait (with a deadline) until khyp has nothing; return a problem
    description, or None when clean."""
    end = time.monotonic() + timeout
    while True:
        st = khyp_stats()
        th = khyp_threads()
        if st is not None and not any(st.values()) and not th:
            return None
        if time.monotonic() >= end:
            if st is None:
                return 'cannot read %s' % STATS
            return 'left behind: %s threads=%s' % (
                ' '.join('%s %d' % kv for kv in sorted(st.items())),
                ','.join(th) or 'none')
        time.sleep(0.1)     # polling a state with a deadline, not a sync


# ---- the triple-fault guest ----

# 64-bit entry (boot protocol: long mode, identity map, IF=0): print a
# marker on COM1, load an IDT with limit 0, ud2.  #UD cannot be delivered
# (#GP), neither can #GP (#DF), nor #DF: shutdown.
TRIPLE_CODE = bytes.fromhex(
    'fc'                        # cld
    '488d3522000000'            # lea msg(%rip), %rsi
    '66baf803'                  # mov $0x3f8, %dx
    'ac'                        # 1: lodsb
    '84c0'                      # test %al, %al
    '7403'                      # jz 2f
    'ee'                        # out %al, (%dx)
    'ebf8'                      # jmp 1b
    '0f011d05000000'            # 2: lidt idtr(%rip)
    '0f0b'                      # ud2
    'f4ebfd'                    # 3: hlt; jmp 3b
    '00000000000000000000'      # idtr: .word 0; .quad 0
) + b'KHYP-TRIPLE-FAULT-GUEST\n\0'


def triple_fault_bzimage(path):
    """A minimal bzImage (boot protocol 2.15, XLF_KERNEL_64)."""
    setup_sects = 4
    setup = bytearray((setup_sects + 1) * 512)
    payload = bytearray(4096)
    payload[0x200:0x200 + len(TRIPLE_CODE)] = TRIPLE_CODE

    def put(off, fmt, val):
        struct.pack_into('<' + fmt, setup, off, val)
    put(0x1f1, 'B', setup_sects)
    put(0x1f4, 'I', len(payload) // 16)     # syssize
    put(0x1fe, 'H', 0xaa55)                 # boot_flag
    put(0x200, 'B', 0xeb)                   # jump over the header
    put(0x201, 'B', 0x6a)                   # header ends at 0x26c
    setup[0x202:0x206] = b'HdrS'
    put(0x206, 'H', 0x020f)                 # version 2.15
    put(0x211, 'B', 0x01)                   # loadflags: LOADED_HIGH
    put(0x214, 'I', 0x100000)               # code32_start
    put(0x22c, 'I', 0x7fffffff)             # initrd_addr_max
    put(0x230, 'I', 0x200000)               # kernel_alignment
    put(0x234, 'B', 0)                      # not relocatable
    put(0x236, 'H', 0x0001)                 # xloadflags: XLF_KERNEL_64
    put(0x238, 'I', 2047)                   # cmdline_size
    put(0x258, 'Q', 0x1000000)              # pref_address
    put(0x260, 'I', 0x10000)                # init_size
    with open(path, 'wb') as f:
        f.write(bytes(setup) + bytes(payload))


# ---- tests ----

class Suite:
    def __init__(self, tap, vmm, kernel, initrd, tmp, timeout):
        self.tap = tap
        self.vmm = vmm
        self.kernel = kernel
        self.initrd = initrd
        self.tmp = tmp
        self.timeout = timeout

    def start(self, args):
        return Vmm(self.vmm + args)

    def linux(self, smp, append='console=ttyS0', extra=(), mem='512',
              kernel=None):
        return self.start(['-m', mem, '-smp', smp,
                           '-kernel', kernel or self.kernel,
                           '-initrd', self.initrd, '-append', append,
                           '-serial', 'stdio', '-display', 'none',
                           '-nodefaults'] + list(extra))

    def leftovers(self, what):
        problem = clean_state()
        self.tap.ok(problem is None, '%s: nothing left behind%s' %
                        (what, ' (%s)' % problem if problem else ''))

    def smp(self, n, kernel=None):
        what = '-smp %d' % n
        if kernel:
            what = '%s, %s' % (os.path.basename(kernel), what)
        name = '%s,maxcpus=8: init reports cpus=%d possible=8' % (what, n)
        g = self.linux('%d,maxcpus=8' % n, extra=['-no-reboot'],
                       kernel=kernel)
        try:
            m = g.expect(UP_RE, self.timeout)
            ok = m is not None and int(m.group(1)) == n and \
                int(m.group(2)) == 8
            got = ' (got cpus=%s possible=%s)' % (
                m.group(1).decode(), m.group(2).decode()) if m else ''
            self.tap.ok(ok, name + got, g.log())
            ok = ok and g.expect(PROMPT, 60) is not None
            if ok and n == 4 and not kernel:
                self.dmesg_report(g)
            if ok:
                g.send('poweroff -f\n')
            rc = g.wait(60) if ok else None
            self.tap.ok(rc == 0, '%s: poweroff -f ends khyp-run '
                            'with 0 (got %s)' % (what, rc), g.log())
        finally:
            g.kill()
        self.leftovers(what)

    def dmesg_report(self, g):
        """The guest's whole dmesg (debug level too), filtered."""
        g.send("dmesg | grep -iE 'warn|error|fail|bug'; "
               "echo KHYP-DMESG-$((40 + 2))\n")
        start = g.pos
        m = g.expect(r'\nKHYP-DMESG-42', 60)
        if not m:
            self.tap.diag('dmesg of the -smp 4 boot: no answer')
            return
        text = g.out[start:m.start()].decode(errors='replace')
        lines = [ln for ln in text.replace('\r', '').splitlines()
                 if ln.startswith('[')]
        self.tap.diag('dmesg of the -smp 4 boot: %d lines match '
                         'warn|error|fail|bug' % len(lines))
        for ln in lines:
            self.tap.diag('dmesg: ' + ln)
        g.expect(PROMPT, 10)

    def reboot(self):
        g = self.linux('2,maxcpus=8')
        try:
            ok = g.expect(UP_RE, self.timeout) is not None and \
                g.expect(PROMPT, 60) is not None
            if ok:
                g.send('reboot -f\n')
                m = g.expect(UP_RE, self.timeout)
                ok = m is not None and m.group(1) == b'2'
            self.tap.ok(ok, 'reboot -f without -no-reboot: the guest '
                            'boots again (KHYP-GUEST-UP twice)', g.log())
            rc = None
            if ok and g.expect(PROMPT, 60) is not None:
                g.send('poweroff -f\n')
                rc = g.wait(60)
            self.tap.ok(rc == 0, 'after the reboot, poweroff -f ends '
                            'khyp-run with 0 (got %s)' % rc, g.log())
        finally:
            g.kill()
        self.leftovers('reboot')

    def triple_fault(self):
        image = os.path.join(self.tmp, 'triple-fault.bzImage')
        triple_fault_bzimage(image)
        msg = r'shut down \(triple fault\)'
        base = ['-m', '64', '-smp', '1', '-kernel', image, '-serial',
                'stdio', '-display', 'none']

        g = self.start(base + ['-no-reboot'])
        try:
            rc = g.wait(self.timeout)
            reached = b'KHYP-TRIPLE-FAULT-GUEST' in g.out
            said = re.search(msg.encode(), g.err) is not None
            self.tap.ok(reached and said and rc == 0,
                            'triple fault with -no-reboot: reported on '
                            'stderr, exit 0 (guest ran: %s, reported: %s, '
                            'status %s)' % (reached, said, rc), g.log())
        finally:
            g.kill()
        self.leftovers('triple fault, -no-reboot')

        g = self.start(base)
        try:
            ok = g.expect_err(msg, 3, self.timeout)
            runs = g.out.count(b'KHYP-TRIPLE-FAULT-GUEST')
            self.tap.ok(ok and runs >= 3 and g.p.poll() is None,
                            'triple fault without -no-reboot: the VM is '
                            'reset and runs again (%d runs, %d reports)' %
                            (runs, g.err.count(b'triple fault')), g.log())
            if g.p.poll() is None:
                g.p.send_signal(signal.SIGTERM)
            rc = g.wait(30)
            self.tap.ok(rc == 0, 'triple fault loop: SIGTERM ends '
                            'khyp-run with 0 (got %s)' % rc, g.log())
        finally:
            g.kill()
        self.leftovers('triple fault, reset loop')

    BAD = [
        # (name, args, regex the message must match)
        ('missing kernel file', ['-kernel', '/nonexistent/bzImage'],
         r"could not load kernel '/nonexistent/bzImage': No such file"),
        ('non-bzImage kernel', ['-kernel', '/bin/true'],
         r'/bin/true: not a bzImage'),
        ('-m 1 (too small)', ['-m', '1', '@K'],
         r'(too small|guest memory|-m)'),
        ('-m 64G (more than khyp allows)', ['-m', '64G', '@K'],
         r'-m: .*more than'),
        ('-m 16G (more than the host has)', ['-m', '16G', '@K'],
         r'(KHYP_CREATE_VM|memory).*(Cannot allocate|too|memory)'),
        ('-smp 4,maxcpus=2', ['-smp', '4,maxcpus=2', '@K'],
         r'-smp: maxcpus'),
        ('-smp abc', ['-smp', 'abc', '@K'], r'-smp: .*abc'),
        ('-smp 2,sockets=x', ['-smp', '2,sockets=x', '@K'],
         r'-smp: .*sockets'),
        ('unknown option -foo', ['@K', '-foo'], r"unknown option '-foo'"),
        ('-m without its argument', ['@K', '-m'],
         r"'-m' requires an argument"),
    ]

    def bad_input(self):
        for name, args, want in self.BAD:
            argv = []
            for a in args:
                if a == '@K':
                    argv += ['-kernel', self.kernel, '-initrd', self.initrd,
                             '-append', 'console=ttyS0 khyp.test=poweroff',
                             '-display', 'none', '-nodefaults',
                             '-serial', 'stdio']
                else:
                    argv.append(a)
            # "-m" must stay last for the missing-argument case.
            g = self.start(argv)
            try:
                rc = g.wait(60)
            finally:
                g.kill()
            err = g.err.decode(errors='replace').strip()
            problem = clean_state()
            ok = rc == 1 and re.search(want, err) is not None and \
                problem is None
            self.tap.ok(ok, 'bad input, %s: exit 1 with "%s"' %
                            (name, err.splitlines()[-1] if err else
                             '(no message)') +
                            ('' if rc == 1 else ' (got status %s)' % rc) +
                            (', %s' % problem if problem else
                             ', nothing left behind'), g.log())


def main():
    kernel = cloud_kernel()
    vmm = shlex.split(os.environ.get('VMM', 'khyp-run'))
    timeout = float(os.environ.get('BOOT_TIMEOUT', '240'))
    only = sys.argv[1:]
    # Debian's generic kernel too (linux-image-amd64, the test host's own).
    kver = subprocess.run([os.path.join(os.path.dirname(__file__), '..', '..',
                                        'scripts', 'kver')],
                          stdout=subprocess.PIPE, text=True).stdout.strip()
    generic = '/boot/vmlinuz-' + kver if kver else None
    groups = [('smp', 9), ('generic', 3), ('reboot', 3), ('triple', 5),
              ('bad', len(Suite.BAD))]
    groups = [(g, n) for g, n in groups if not only or g in only]
    tap = Tap(sum(n for _, n in groups))
    if not kernel or khyp_stats() is None:
        why = 'no cloud kernel' if not kernel else 'khyp.ko not loaded'
        for i in range(tap.total):
            tap.skip('boot test %d' % (i + 1), why)
        return 0
    tmp = tempfile.mkdtemp(prefix='khyp-boot.')
    initrd = os.environ.get('INITRD')
    if not initrd:
        initrd = build_initramfs(os.path.join(tmp, 'guest.cpio.gz'))
    s = Suite(tap, vmm, kernel, initrd, tmp, timeout)
    for g, _ in groups:
        if g == 'smp':
            for n in (1, 2, 4):
                s.smp(n)
        elif g == 'generic':
            if generic:
                s.smp(2, kernel=generic)
            else:
                for i in range(3):
                    tap.skip('generic kernel %d' % (i + 1),
                             'no /boot/vmlinuz-*-amd64')
        elif g == 'reboot':
            s.reboot()
        elif g == 'triple':
            s.triple_fault()
        elif g == 'bad':
            s.bad_input()
    subprocess.call(['rm', '-rf', '--', tmp])
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
