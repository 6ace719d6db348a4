#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""fake_qmpd.py - stands in for khyp-qmpd in main_fake_test.sh.

Logs its arguments to $FAKE_QMPD_LOG, listens on --socket, and with
$FAKE_QMPD_QUIT=SECONDS sends SIGTERM to --pid after that long, as
khyp-qmpd does for QMP "quit".  Logs "terminated" when stopped.
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
    os.unlink(args['--socket'])
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(args['--socket'])
s.listen(1)
if os.environ.get('FAKE_QMPD_QUIT'):
    time.sleep(float(os.environ['FAKE_QMPD_QUIT']))
    os.kill(int(args['--pid']), signal.SIGTERM)
while True:
    time.sleep(1)
