/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khyp's tracepoints (events/khyp in tracefs), for finding where a
 * guest's time goes: every exit, every interrupt the guest took, and the
 * CPU hotplug steps.  Not an ABI: fields may change with the module.
 */
#ifndef _KHYP_TRACE_STEPS
#define _KHYP_TRACE_STEPS
/* The CPU hotplug steps the khyp_cpuhp event reports. */
enum khyp_trace_cpuhp_step {
	KHYP_TRACE_CPUHP_PLUG,		/* vCPU created, insert event raised */
	KHYP_TRACE_CPUHP_UNPLUG,	/* remove event raised */
	KHYP_TRACE_CPUHP_OST,		/* the guest's _OST: event, status */
	KHYP_TRACE_CPUHP_EJECT,		/* the guest's _EJ0 */
	KHYP_TRACE_CPUHP_DELETED,	/* vCPU freed, slot free */
	KHYP_TRACE_CPUHP_UNPLUG_ERROR,	/* no eject before the deadline */
};
#endif

#undef TRACE_SYSTEM
#define TRACE_SYSTEM khyp

#if !defined(_KHYP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KHYP_TRACE_H

#include <linux/tracepoint.h>
#include "khyp.h"

/* So that user-space parsers of the print formats know the values. */
#define KHYP_AEXIT_TRACE_ENUM(kind, name, stat) \
	KHYP_EXPAND(TRACE_DEFINE_ENUM(KHYP_AEXIT_##kind);)
KHYP_EXIT_KINDS(KHYP_AEXIT_TRACE_ENUM, KHYP_AEXIT_TRACE_ENUM)
TRACE_DEFINE_ENUM(KHYP_TRACE_CPUHP_PLUG);
TRACE_DEFINE_ENUM(KHYP_TRACE_CPUHP_UNPLUG);
TRACE_DEFINE_ENUM(KHYP_TRACE_CPUHP_OST);
TRACE_DEFINE_ENUM(KHYP_TRACE_CPUHP_EJECT);
TRACE_DEFINE_ENUM(KHYP_TRACE_CPUHP_DELETED);
TRACE_DEFINE_ENUM(KHYP_TRACE_CPUHP_UNPLUG_ERROR);

#define KHYP_AEXIT_SYMBOL(kind, name, stat)	{ KHYP_AEXIT_##kind, name },
#define KHYP_AEXIT_SYMBOL_LAST(kind, name, stat) { KHYP_AEXIT_##kind, name }

/*
 * One #VMEXIT.  detail: the port of an I/O exit, the index of an MSR
 * exit, the guest-physical address of a nested page fault; else 0.
 * write: an OUT or WRMSR.
 */
TRACE_EVENT(khyp_exit,
	TP_PROTO(const struct khyp_vcpu *vcpu, const struct khyp_arch_exit *e),
	TP_ARGS(vcpu, e),

	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u32, kind)
		__field(bool, write)
		__field(u64, code)
		__field(u64, rip)
		__field(u64, detail)
	),

	TP_fast_assign(
		__entry->vm = vcpu->vm->id;
		__entry->vcpu = vcpu->id;
		__entry->kind = e->kind;
		__entry->code = e->code;
		__entry->rip = vcpu->rip;
		switch (e->kind) {
		case KHYP_AEXIT_IO:
			__entry->detail = e->io.port;
			__entry->write = !e->io.in;
			break;
		case KHYP_AEXIT_MSR:
			__entry->detail = e->msr.index;
			__entry->write = e->msr.write;
			break;
		case KHYP_AEXIT_NPF:
			__entry->detail = e->npf.gpa;
			__entry->write = e->npf.error & 2;
			break;
		default:
			__entry->detail = 0;
			__entry->write = false;
			break;
		}
	),

	TP_printk("vm %u vcpu %u %s%s detail 0x%llx rip 0x%llx code 0x%llx",
		  __entry->vm, __entry->vcpu,
		  __print_symbolic(__entry->kind,
				   KHYP_EXIT_KINDS(KHYP_AEXIT_SYMBOL,
						   KHYP_AEXIT_SYMBOL_LAST)),
		  __entry->write ? " write" : "", __entry->detail,
		  __entry->rip, __entry->code)
);

/* The guest took an external interrupt khyp offered. */
TRACE_EVENT(khyp_irq_taken,
	TP_PROTO(const struct khyp_vcpu *vcpu, int vector),
	TP_ARGS(vcpu, vector),

	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(int, vector)
	),

	TP_fast_assign(
		__entry->vm = vcpu->vm->id;
		__entry->vcpu = vcpu->id;
		__entry->vector = vector;
	),

	TP_printk("vm %u vcpu %u vector %d", __entry->vm, __entry->vcpu,
		  __entry->vector)
);


TRACE_EVENT(khyp_cpuhp,
	TP_PROTO(u32 vm, u32 slot, enum khyp_trace_cpuhp_step step, u32 a,
		 u32 b),
	TP_ARGS(vm, slot, step, a, b),

	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, slot)
		__field(u32, step)
		__field(u32, a)
		__field(u32, b)
	),

	TP_fast_assign(
		__entry->vm = vm;
		__entry->slot = slot;
		__entry->step = step;
		__entry->a = a;
		__entry->b = b;
	),

	TP_printk("vm %u slot %u %s %u %u", __entry->vm, __entry->slot,
		  __print_symbolic(__entry->step,
				   { KHYP_TRACE_CPUHP_PLUG, "plug" },
				   { KHYP_TRACE_CPUHP_UNPLUG, "unplug" },
				   { KHYP_TRACE_CPUHP_OST, "ost" },
				   { KHYP_TRACE_CPUHP_EJECT, "eject" },
				   { KHYP_TRACE_CPUHP_DELETED, "deleted" },
				   { KHYP_TRACE_CPUHP_UNPLUG_ERROR,
				     "unplug_error" }),
		  __entry->a, __entry->b)
);

#endif /* _KHYP_TRACE_H */

/* Out of tree: define_trace.h must find this file next to the module. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
