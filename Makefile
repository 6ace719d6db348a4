# SPDX-License-Identifier: GPL-2.0
#
#   make          build kmod/khyp.ko, the userspace tools and the selftests
#   make demo     the seed's vCPU hotplug walkthrough, in the test host
#   make check    the tests: unit tests here, selftests in the test host
#   make bench    khyp against KVM, measured in one test-host run
#   make deps     install what the above need (Debian 12, apt-get, idempotent)
#
# KVER/KDIR select the kernel to build against; by default the newest
# Debian 6.1 generic kernel installed (scripts/kver; the test host boots the
# matching /boot/vmlinuz).
KVER ?= $(shell $(CURDIR)/scripts/kver)
KDIR ?= /lib/modules/$(KVER)/build

all: module userspace selftests

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace/run
	$(MAKE) -C userspace/qmpd
	$(MAKE) -C userspace/ctl

selftests: userspace
	$(MAKE) -C selftests
	$(MAKE) -C selftests/unit
	$(MAKE) -C selftests/hotplug

deps:
	scripts/install-deps

check: deps
	$(MAKE) all
	scripts/check

demo: deps
	$(MAKE) all
	scripts/demo

bench: deps
	$(MAKE) all
	scripts/bench

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

checkpatch:
	scripts/checkpatch

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C selftests clean
	$(MAKE) -C userspace/run clean
	$(MAKE) -C userspace/qmpd clean
	$(MAKE) -C userspace/ctl clean
	$(MAKE) -C selftests/unit clean
	$(MAKE) -C selftests/hotplug clean
	rm -rf build

.PHONY: all module userspace selftests deps check demo bench sparse checkpatch clean
