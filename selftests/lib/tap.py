# SPDX-License-Identifier: GPL-2.0
"""tap.py - TAP output for the Python suites: one line per test, with
the tail of a diagnostic as comments under a failure.  The plan comes
first when the count is known (Tap(n)), else last (done())."""
import re
import subprocess
import sys


class Tap:
    def __init__(self, total=None):
        self.n = 0
        self.failed = 0
        self.total = total
        print('TAP version 13')
        if total is not None:
            print('1..%d' % total)
        sys.stdout.flush()

    def ok(self, cond, what, diag=None):
        """One result; returns @cond."""
        self.n += 1
        print('%sok %d - %s' % ('' if cond else 'not ', self.n, what))
        if not cond:
            self.failed += 1
            if diag:
                if isinstance(diag, bytes):
                    diag = diag.decode(errors='replace')
                for line in str(diag).splitlines()[-60:]:
                    print('#   ' + line)
        sys.stdout.flush()
        return cond

    def skip(self, what, why):
        self.n += 1
        print('ok %d - %s # SKIP %s' % (self.n, what, why))
        sys.stdout.flush()

    def diag(self, text):
        for line in str(text).splitlines():
            print('# ' + line)
        sys.stdout.flush()

    def harness(self, prefix, argv):
        """Run a kselftest harness binary; each of its results becomes one
        of ours (named @prefix + its name), and an exit status that its
        results do not explain is a failure of its own."""
        r = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        results = re.findall(r'^(not )?ok \d+ (.*)$', r.stdout, re.M)
        for failed, name in results:
            self.ok(not failed, prefix + name, r.stdout)
        if not results or (r.returncode and
                           not any(f for f, _ in results)):
            self.ok(False, '%s: exit %d' % (prefix, r.returncode), r.stdout)

    def done(self):
        if self.total is None:
            print('1..%d' % self.n)
        sys.stdout.flush()
