#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""fake_qmpd.py - stands in for khyp-qmpd in main_fake_test.sh.

Logs its arguments to $FAKE_QMPD_LOG, listens on --socket, and with
$FAKE_QMPD_QUIT=SECONDS sends SIGTERM to --pid after that long, as
khyp-qmpd does for QMP "quit".  Logs "terminated" when stopped.  With
--monitor-fd, a monitor on that socket as khyp-qmpd's HMP client: a
banner and a prompt, then "did: LINE" and a prompt for each line.
"""
import os
import signal
import socket
import sys
import time

args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
log = os.environ['FAKE_QMPD_LOG']
with open(log, 'a') as f:
    f.write(' '.join(sys.argv[1:]) + '\n')


def stop(sig, frame):
    with open(log, 'a') as f:
        f.write('terminated\n')
    if '--socket' in args:
        os.unlink(args['--socket'])
    sys.exit(0)


def monitor(fd):
    mon = socket.socket(fileno=fd)
    mon.setblocking(True)
    mon.sendall(b'FAKE monitor banner\r\n(qemu) ')
    buf = b''
    while True:
        data = mon.recv(4096)
        if not data:
            return
        buf += data
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            with open(log, 'a') as f:
                f.write('line: %r\n' % line.decode())
            mon.sendall((b'did: %s\r\n' % line if line else b'') +
                        b'(qemu) ')


signal.signal(signal.SIGTERM, stop)
if '--socket' in args:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(args['--socket'])
    s.listen(1)
if os.environ.get('FAKE_QMPD_QUIT'):
    time.sleep(float(os.environ['FAKE_QMPD_QUIT']))
    os.kill(int(args['--pid']), signal.SIGTERM)
if '--monitor-fd' in args:
    monitor(int(args['--monitor-fd']))
while True:
    time.sleep(1)
