// SPDX-License-Identifier: GPL-2.0
/*
 * Hold a VM open until killed: `vm_holder khyp|kvm`.  Prints "ready" once
 * the VM exists (KVM enables SVM at VM creation), or the errno name and
 * exits 1.  Used by module_life.sh to test who owns AMD-V.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/khyp.h>

int main(int argc, char **argv)
{
	struct khyp_vm_config cfg = { .mem_size = 1 << 20, .max_vcpus = 1 };
	int dev, vm;

	if (argc != 2 || (strcmp(argv[1], "khyp") && strcmp(argv[1], "kvm"))) {
		fprintf(stderr, "usage: vm_holder khyp|kvm\n");
		return 2;
	}
	if (!strcmp(argv[1], "khyp")) {
		dev = open("/dev/khyp", O_RDWR);
		vm = dev < 0 ? -1 : ioctl(dev, KHYP_CREATE_VM, &cfg);
	} else {
		dev = open("/dev/kvm", O_RDWR);
		vm = dev < 0 ? -1 : ioctl(dev, KVM_CREATE_VM, 0);
	}
	if (vm < 0) {
		printf("%s\n", strerrorname_np(errno) ?: "error");
		fflush(stdout);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}
