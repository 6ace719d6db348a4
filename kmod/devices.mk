# SPDX-License-Identifier: GPL-2.0
# The emulated PC of platform VMs; included by the module's Kbuild.
khyp-y += platform.o lapic.o ioapic.o pic.o pit.o rtc.o uart.o acpi_pm.o \
	  pci_cfg.o
