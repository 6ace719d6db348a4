/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every backend hook, once.  Include with KHYP_ARCH_OP(func) defined;
 * func names a member of struct khyp_arch_ops (arch_ops.h), which holds
 * its type.  Each hook is a static call khyp_arch_<func>, pointed at the
 * backend's function when the backend registers (main.c).
 */
KHYP_ARCH_OP(probe)
KHYP_ARCH_OP(setup)
KHYP_ARCH_OP(teardown)
KHYP_ARCH_OP(cpu_enable)
KHYP_ARCH_OP(cpu_disable)
KHYP_ARCH_OP(vm_init)
KHYP_ARCH_OP(vm_destroy)
KHYP_ARCH_OP(map_chunk)
KHYP_ARCH_OP(vcpu_create)
KHYP_ARCH_OP(vcpu_free)
KHYP_ARCH_OP(vcpu_reset)
KHYP_ARCH_OP(vcpu_sipi)
KHYP_ARCH_OP(vcpu_run)
KHYP_ARCH_OP(vcpu_load)
KHYP_ARCH_OP(vcpu_put)
KHYP_ARCH_OP(set_cr)
KHYP_ARCH_OP(cr0_write_native)
KHYP_ARCH_OP(get_sregs)
KHYP_ARCH_OP(set_sregs)
KHYP_ARCH_OP(inject_exception)
KHYP_ARCH_OP(inject_nmi)
KHYP_ARCH_OP(nmi_allowed)
KHYP_ARCH_OP(offer_irq)
KHYP_ARCH_OP(irq_taken)
KHYP_ARCH_OP(set_tpr)
KHYP_ARCH_OP(cr8_written)
KHYP_ARCH_OP(event_pending)
KHYP_ARCH_OP(set_tsc_offset)
KHYP_ARCH_OP(get_msr)
KHYP_ARCH_OP(set_msr)
KHYP_ARCH_OP(debug_show)

#undef KHYP_ARCH_OP
