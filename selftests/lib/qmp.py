# SPDX-License-Identifier: GPL-2.0
"""qmp.py - the selftests' QMP client (standard library only).

Speaks QEMU's wire format (docs/interop/qmp-spec.rst): read the
greeting, negotiate with qmp_capabilities, send one JSON object per
command with an "id", match the reply by that id, queue the events that
arrive in between.  Works against khyp-qmpd and against QEMU itself.
send_raw() and reply() without an id let a test write malformed or
oddly framed input.  Every wait has a deadline; the only sleep is the
poll for a socket that does not exist yet.
"""
import json
import select
import socket
import time


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, path, timeout=10.0, negotiate=True):
        end = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > end:
                    raise
                # The server creates the socket asynchronously: poll it.
                time.sleep(0.02)
        self.buf = b''
        self.events = []
        self.seq = 0
        self.greeting = self.recv(timeout)
        if 'QMP' not in self.greeting:
            raise QmpError('no QMP greeting: %r' % self.greeting)
        if negotiate:
            r = self.cmd('qmp_capabilities')
            if r.get('return') != {}:
                raise QmpError('negotiation failed: %r' % r)

    def close(self):
        self.sock.close()

    def recv(self, timeout=10.0):
        """The next object from the server (each ends with CRLF)."""
        end = time.monotonic() + timeout
        while b'\n' not in self.buf:
            left = max(0.0, end - time.monotonic())
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                raise TimeoutError('no QMP message within %.1f s' % timeout)
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('QMP server closed the connection')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def send(self, name, args=None):
        """Send a command; return its id (read the reply with reply())."""
        self.seq += 1
        req = {'execute': name, 'id': 'test-%d' % self.seq}
        if args is not None:
            req['arguments'] = args
        self.send_raw(json.dumps(req).encode() + b'\r\n')
        return req['id']

    def send_raw(self, data):
        """Write bytes as they are (framing and parser tests)."""
        self.sock.sendall(data)

    def reply(self, rid=None, timeout=10.0):
        """The next reply, queueing events; with @rid it must carry it."""
        end = time.monotonic() + timeout
        while True:
            o = self.recv(max(0.0, end - time.monotonic()))
            if 'event' in o:
                self.events.append(o)
                continue
            if rid is not None and o.get('id') != rid:
                raise QmpError('reply for %r while waiting for %r: %r' %
                               (o.get('id'), rid, o))
            return o

    def cmd(self, name, args=None, timeout=10.0, **kw):
        """Run a command; the whole reply ({"return": ..} or {"error": ..})."""
        if kw:
            args = dict(args or {}, **kw)
        return self.reply(self.send(name, args), timeout)

    def ret(self, name, args=None, timeout=10.0, **kw):
        """Run a command that must succeed; its "return" value."""
        r = self.cmd(name, args, timeout, **kw)
        if 'return' not in r:
            raise QmpError('%s failed: %r' % (name, r))
        return r['return']

    def event(self, name, pred=None, timeout=10.0):
        """The first queued or future event @name (for which pred(e))."""
        end = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get('event') == name and (pred is None or pred(e)):
                    return self.events.pop(i)
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError('no %s event within %.1f s' %
                                   (name, timeout))
            try:
                o = self.recv(left)
            except TimeoutError:
                continue
            if 'event' in o:
                self.events.append(o)
            else:
                raise QmpError('unexpected reply %r' % o)

    def drain(self):
        """Read whatever the server sent already (events) without waiting."""
        while True:
            try:
                o = self.recv(0.0)
            except TimeoutError:
                return
            if 'event' in o:
                self.events.append(o)

    def has_event(self, name, pred=None):
        self.drain()
        return any(e.get('event') == name and (pred is None or pred(e))
                   for e in self.events)
