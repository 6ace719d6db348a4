# SPDX-License-Identifier: GPL-2.0
#
#   make          build kmod/khyp.ko (and build/6.12/kmod/khyp.ko for the
#                 6.12 kernel), the userspace tools and the selftests
#   make demo     the seed's vCPU hotplug walkthrough, in the test host
#   make check    the tests: unit tests here, selftests in the test host
#   make check-debug  the module suites in a KASAN/lockdep/UBSAN/kmemleak
#                 test host kernel (built once, cached: scripts/debug-kernel)
#   make bench    khyp against KVM, measured in one test-host run
#   make fuzz     the fuzzers for longer than make check runs them, with
#                 FUZZ_SECONDS each (default 300) from seed FUZZ_SEED
#                 (default: the time); make fuzz-deps installs clang
#   make deps     install what the above need (Debian 12, apt-get, idempotent)
#   make genl     regenerate the netlink header and tables from the YNL spec
#   make install  the module (for KVER), tools, udev rule and man pages;
#                 make uninstall removes them again (README.md, Install)
#   make dkms-src the module's sources in /usr/src/khyp-VERSION, for dkms
#   make check-dkms  dkms build against every installed Debian kernel
#
# KVER/KDIR select the kernel to build against; by default the newest
# Debian 6.1 generic kernel installed (scripts/kver; the test host boots the
# matching /boot/vmlinuz).
KVER ?= $(shell $(CURDIR)/scripts/kver)
KDIR ?= /lib/modules/$(KVER)/build
# make install: PREFIX for the tools and man pages, DESTDIR to stage, and
# KHYP_GROUP to give a group read/write access to /dev/khyp.
PREFIX ?= /usr/local
KHYP_GROUP ?=
KHYP_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(CURDIR)/dkms.conf)

# The module for 6.12 as well, when its headers are installed (make check
# tests both kernels), built from a copy of the module's sources in
# build/6.12: kbuild builds one M= directory for one kernel at a time.
KVER612 ?= $(shell $(CURDIR)/scripts/kver 6.12)

all: module module-6.12 userspace selftests

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# $(call module-copy,DIR): the module's sources, copied to DIR to build there.
module-copy = mkdir -p $(1) && rsync -a --delete --exclude='*.o' --exclude='*.ko' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' --exclude='modules.order' \
	--exclude='Module.symvers' --include=/Kbuild --include='/kmod/***' \
	--include=/selftests/ --include='/selftests/kmod/***' \
	--include='/uapi/***' --exclude='*' ./ $(1)/

module-6.12:
ifeq ($(KVER612),)
	@echo "no 6.12 kernel installed (make deps): not building build/6.12/kmod/khyp.ko"
else
	$(call module-copy,build/6.12)
	$(MAKE) -C /lib/modules/$(KVER612)/build M=$(CURDIR)/build/6.12 modules
endif

# The module for the debug test host's kernel (scripts/debug-kernel builds
# it, or finds it cached), in build/debug.
module-debug:
	$(call module-copy,build/debug)
	kdir=$$(scripts/debug-kernel) && $(MAKE) -C "$$kdir" M=$(CURDIR)/build/debug modules

userspace:
	$(MAKE) -C userspace/run
	$(MAKE) -C userspace/qmpd
	$(MAKE) -C userspace/ctl

selftests: userspace
	$(MAKE) -C selftests
	$(MAKE) -C selftests/unit

module-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

deps:
	scripts/install-deps

install: module userspace
	DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' KVER='$(KVER)' KHYP_GROUP='$(KHYP_GROUP)' \
		scripts/install

uninstall:
	DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' scripts/install --uninstall

# What dkms builds from: the module's sources and this Makefile, no objects.
dkms-src:
	rm -rf '$(DESTDIR)/usr/src/khyp-$(KHYP_VERSION)'
	mkdir -p '$(DESTDIR)/usr/src/khyp-$(KHYP_VERSION)'
	find Makefile Kbuild dkms.conf scripts/kver uapi kmod -type f \
		\( -name '*.[chS]' ! -name '*.mod.c' -o -name Kbuild -o -name '*.mk' \
		-o -path scripts/kver -o -name Makefile -o -name dkms.conf \) \
		-exec cp --parents -t '$(DESTDIR)/usr/src/khyp-$(KHYP_VERSION)' {} +

check-dkms:
	selftests/dkms_test.sh

check: deps
	$(MAKE) all
	scripts/check

check-debug: deps
	$(MAKE) userspace selftests module-debug
	scripts/check --debug

demo: deps
	$(MAKE) all
	scripts/demo

bench: deps
	$(MAKE) all
	scripts/bench

fuzz-deps:
	scripts/install-deps --fuzz

fuzz: fuzz-deps
	$(MAKE) all
	$(MAKE) -C selftests/fuzz
	scripts/fuzz

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

checkpatch:
	scripts/checkpatch

genl:
	scripts/genl-gen.py

clean:
	$(MAKE) module-clean
	$(MAKE) -C selftests clean
	$(MAKE) -C userspace/run clean
	$(MAKE) -C userspace/qmpd clean
	$(MAKE) -C userspace/ctl clean
	$(MAKE) -C selftests/unit clean
	rm -rf build

.PHONY: all module module-6.12 module-debug userspace selftests module-clean deps install uninstall \
	dkms-src check-dkms check check-debug demo bench fuzz fuzz-deps sparse checkpatch genl clean
