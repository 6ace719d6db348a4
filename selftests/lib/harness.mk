# SPDX-License-Identifier: GPL-2.0
# The kselftest harness (kselftest_harness.h, kselftest.h), extracted from
# Debian's linux-source tarball at build time, never copied into git.  A
# makefile sets KHYP_TOP to the tree's top, includes this and adds
# -I$(KSFT) and a dependency on $(HARNESS).
KSFT     := $(KHYP_TOP)/build/ksft
KSRC_TAR ?= $(firstword $(wildcard /usr/src/linux-source-*.tar.xz))
HARNESS  := $(KSFT)/kselftest_harness.h $(KSFT)/kselftest.h

$(HARNESS) &:
	@test -n "$(KSRC_TAR)" || \
		{ echo "need /usr/src/linux-source-*.tar.xz: run 'make deps'"; exit 1; }
	mkdir -p $(KSFT)
	tar -xJf $(KSRC_TAR) -C $(KSFT) --strip-components=4 --wildcards \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h'
	touch $(HARNESS)
