# SPDX-License-Identifier: GPL-2.0
"""tap.py - TAP output for the Python suites: a plan, then one line per
test, with the tail of a log as comments under a failure."""
import sys


class Tap:
    def __init__(self, total):
        self.n = 0
        self.failed = 0
        self.total = total
        print('TAP version 13')
        print('1..%d' % total)
        sys.stdout.flush()

    def result(self, ok, what, log=None):
        self.n += 1
        print('%sok %d - %s' % ('' if ok else 'not ', self.n, what))
        if not ok:
            self.failed += 1
            if log:
                if isinstance(log, bytes):
                    log = log.decode(errors='replace')
                for line in log.splitlines()[-40:]:
                    print('#   ' + line)
        sys.stdout.flush()
        return ok

    def skip(self, what, why):
        self.n += 1
        print('ok %d - %s # SKIP %s' % (self.n, what, why))
        sys.stdout.flush()

    def comment(self, text):
        for line in text.splitlines():
            print('# ' + line)
        sys.stdout.flush()
