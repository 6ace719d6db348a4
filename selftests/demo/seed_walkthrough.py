#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The seed's "Virtual CPU hotplug" walkthrough against khyp-run.

Runs inside the test host.  Starts khyp-run with the seed's command line
(qemu-system-x86_64 replaced by khyp-run, plus -kernel/-initrd since
there is no disk image), then plays the qmp-shell session of the seed
over the QMP socket and prints the transcript as qmp-shell -p -v would.
Waits on QMP events and guest console markers, never on fixed sleeps.
Exit status 0 when every step did what the seed says.  KHYP_DEMO_MEM
overrides the seed's "-m 2048".
"""
import json
import os
import select
import socket
import subprocess
import sys
import time

SOCK = '/tmp/qmp-sock'


class Qmp:
    def __init__(self, path, deadline=30):
        end = time.time() + deadline
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                if time.time() > end:
                    raise
                time.sleep(0.05)
        self.buf = b''
        self.events = []
        self.greeting = self.recv()

    def recv(self, timeout=30):
        dec = json.JSONDecoder()
        end = time.time() + timeout
        while True:
            text = self.buf.decode(errors='replace').lstrip()
            if text:
                try:
                    obj, n = dec.raw_decode(text)
                    self.buf = text[n:].encode()
                    return obj
                except ValueError:
                    pass
            left = end - time.time()
            if left <= 0:
                raise TimeoutError('no QMP message')
            r, _, _ = select.select([self.s], [], [], left)
            if r:
                data = self.s.recv(65536)
                if not data:
                    raise EOFError('QMP socket closed')
                self.buf += data

    def cmd(self, name, **args):
        msg = {'execute': name, 'arguments': args}
        print('(QEMU) %s %s' % (name, ' '.join(
            '%s=%s' % kv for kv in args.items())))
        print(json.dumps(msg, indent=4))
        self.s.sendall(json.dumps(msg).encode())
        while True:
            r = self.recv()
            if 'event' in r:
                self.events.append(r)
                continue
            print(json.dumps(r, indent=4))
            return r

    def wait_event(self, name, timeout=30):
        end = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e['event'] == name:
                    return self.events.pop(i)
            self.events.append(self.recv(max(0.1, end - time.time())))


class Console:
    """The guest's serial console: khyp-run's stdout."""

    def __init__(self, proc):
        self.p = proc
        self.text = ''

    def wait(self, marker, timeout=60):
        end = time.time() + timeout
        while marker not in self.text:
            left = end - time.time()
            if left <= 0:
                raise TimeoutError('guest never printed %r' % marker)
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                data = os.read(self.p.stdout.fileno(), 65536)
                if not data:
                    raise EOFError('khyp-run exited')
                self.text += data.decode(errors='replace')
        i = self.text.index(marker)
        self.text = self.text[i + len(marker):]


def main():
    kernel, initrd = sys.argv[1], sys.argv[2]
    cmd = ['khyp-run', '-display', 'none', '-no-user-config', '-m', os.environ.get('KHYP_DEMO_MEM', '2048'),
           '-nodefaults', '-monitor', 'stdio',
           '-machine', 'pc,accel=kvm,usb=off',
           '-smp', '1,maxcpus=2', '-cpu', 'IvyBridge-IBRS',
           '-qmp', 'unix:%s,server=on,wait=off' % SOCK,
           '-kernel', kernel, '-initrd', initrd, '-serial', 'stdio']
    print('$ ' + ' '.join(cmd))
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    con = Console(p)
    ok = True
    try:
        con.wait('KHYP-GUEST-UP')
        q = Qmp(SOCK)
        v = q.greeting['QMP']['version']['qemu']
        print('$ qmp-shell -p -v %s' % SOCK)
        print('Welcome to the QMP low-level shell!')
        print('Connected to QEMU %d.%d.%d' % (v['major'], v['minor'],
                                             v['micro']))
        q.s.sendall(b'{"execute": "qmp_capabilities"}')
        q.recv()

        slots = q.cmd('query-hotpluggable-cpus')['return']
        free = [s for s in slots if 'qom-path' not in s]
        ok &= len(slots) == 2 and len(free) == 1
        props = free[0]['props']
        q.cmd('device_add', id='cpu-2', driver=free[0]['type'], **props)
        con.wait('KHYP-GUEST-CPU-ONLINE 1')
        print('# guest: CPU 1 is online')
        cpus = q.cmd('query-cpus-fast')['return']
        ok &= len(cpus) == 2 and any(
            c.get('qom-path') == '/machine/peripheral/cpu-2' for c in cpus)

        r = q.cmd('device_del', id='cpu-2')
        ok &= r.get('return') == {}
        ev = q.wait_event('DEVICE_DELETED')
        print(json.dumps(ev, indent=4))
        con.wait('KHYP-GUEST-CPU-GONE 1')
        print('# guest: CPU 1 is gone')
        slots = q.cmd('query-hotpluggable-cpus')['return']
        ok &= len([s for s in slots if 'qom-path' not in s]) == 1
        q.cmd('quit')
    except (TimeoutError, EOFError, KeyError, OSError) as e:
        print('walkthrough failed: %s' % e)
        ok = False
    finally:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    print('walkthrough: %s' % ('every step worked' if ok else 'FAILED'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
