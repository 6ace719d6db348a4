/* SPDX-License-Identifier: GPL-2.0 */
/* hp_guest.S and hp_vm.c: the guest's flood switch, a byte in guest memory. */
#ifndef HP_GUEST_H
#define HP_GUEST_H

#define HP_GUEST_FLOOD	0x800

#endif /* HP_GUEST_H */
