#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The seed's "Virtual CPU hotplug" walkthrough against khyp-run.

Runs inside the test host.  Starts khyp-run with the seed's command line
(qemu-system-x86_64 replaced by khyp-run, plus -kernel/-initrd since
there is no disk image), then plays the qmp-shell session of the seed
over the QMP socket and prints the transcript as qmp-shell -p -v would.
The HMP monitor is on khyp-run's stdin/stdout, as -monitor stdio says:
its banner, and "info cpus" typed at it after each step.  -nodefaults
leaves no serial console, so the demo adds -serial file: on a FIFO to
see the guest: it plugs once the guest is up, as the seed's user does.
Waits on QMP events, guest console markers and monitor prompts, never
on fixed sleeps.  Exit status 0 when every step did what the seed says.
KHYP_DEMO_MEM overrides the seed's "-m 2048".
"""
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'lib'))
from qmp import Qmp, QmpError  # noqa: E402
from vmm_proc import ConsoleFifo, VmmProcess  # noqa: E402

SOCK = '/tmp/qmp-sock'


def shell(q, name, **args):
    """Run a command, printing it and its reply as qmp-shell -v does."""
    print('(QEMU) %s %s' % (name, ' '.join(
        '%s=%s' % kv for kv in args.items())))
    print(json.dumps({'execute': name, 'arguments': args}, indent=4))
    r = q.cmd(name, args, 30)
    print(json.dumps({k: v for k, v in r.items() if k != 'id'}, indent=4))
    return r


PROMPT = r'\(qemu\) '


def monitor(vmm, line):
    """Type @line at the HMP monitor; print it and what it answered."""
    vmm.send(line + '\n')
    m = vmm.expect(r'(.*?)' + PROMPT, 30, flags=re.S)
    if not m:
        raise TimeoutError('the monitor did not answer %r' % line)
    out = m.group(1).decode().replace('\r', '')
    print('(qemu) %s\n%s' % (line, out), end='')
    return out


def wait(console, marker, timeout=120):
    """Wait for @marker on the guest's console."""
    if not console.expect(re.escape(marker), timeout):
        raise TimeoutError('guest never printed %r' % marker)


def main():
    kernel, initrd = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix='khyp-demo.')
    console = ConsoleFifo(os.path.join(tmp, 'console'))
    cmd = ['khyp-run', '-display', 'none', '-no-user-config', '-m', os.environ.get('KHYP_DEMO_MEM', '2048'),
           '-nodefaults', '-monitor', 'stdio',
           '-machine', 'pc,accel=kvm,usb=off',
           '-smp', '1,maxcpus=2', '-cpu', 'IvyBridge-IBRS',
           '-qmp', 'unix:%s,server=on,wait=off' % SOCK,
           '-kernel', kernel, '-initrd', initrd]
    print('$ ' + ' '.join(cmd) + ' \\')
    print('    -serial %s    # the demo watches the guest' % console.arg)
    cmd += ['-serial', console.arg]
    vmm = VmmProcess(cmd)
    ok = True
    try:
        m = vmm.expect(r"(QEMU \S+ monitor - type 'help' for more "
                       r"information)\r\n" + PROMPT, 30)
        if not m:
            raise TimeoutError('no monitor banner')
        print(m.group(1).decode())
        wait(console, 'KHYP-GUEST-UP')
        q = Qmp(SOCK, timeout=30)
        v = q.greeting['QMP']['version']['qemu']
        print('$ qmp-shell -p -v %s' % SOCK)
        print('Welcome to the QMP low-level shell!')
        print('Connected to QEMU %d.%d.%d' % (v['major'], v['minor'],
                                             v['micro']))

        slots = shell(q, 'query-hotpluggable-cpus')['return']
        free = [s for s in slots if 'qom-path' not in s]
        ok &= len(slots) == 2 and len(free) == 1
        props = free[0]['props']
        shell(q, 'device_add', id='cpu-2', driver=free[0]['type'], **props)
        wait(console, 'KHYP-GUEST-CPU-ONLINE 1')
        print('# guest: CPU 1 is online')
        cpus = shell(q, 'query-cpus-fast')['return']
        ok &= len(cpus) == 2 and any(
            c.get('qom-path') == '/machine/peripheral/cpu-2' for c in cpus)
        ok &= monitor(vmm, 'info cpus').count('CPU #') == 2

        r = shell(q, 'device_del', id='cpu-2')
        ok &= r.get('return') == {}
        ev = q.event('DEVICE_DELETED', timeout=30)
        print(json.dumps(ev, indent=4))
        wait(console, 'KHYP-GUEST-CPU-GONE 1')
        print('# guest: CPU 1 is gone')
        slots = shell(q, 'query-hotpluggable-cpus')['return']
        ok &= len([s for s in slots if 'qom-path' not in s]) == 1
        ok &= monitor(vmm, 'info cpus').count('CPU #') == 1
        shell(q, 'quit')
    except (TimeoutError, EOFError, KeyError, OSError, QmpError) as e:
        print('walkthrough failed: %s' % e)
        ok = False
    finally:
        if vmm.wait(20) is None:
            vmm.kill()
        console.close()
        shutil.rmtree(tmp)
    print('walkthrough: %s' % ('every step worked' if ok else 'FAILED'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
