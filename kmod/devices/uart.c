// SPDX-License-Identifier: GPL-2.0
/*
 * COM1: a 16550A at 0x3f8 on IRQ 4, wired to the VM's console buffer.
 *
 * Transmission is instantaneous: a byte written to THR goes to the console
 * at once and the transmitter is empty again (LSR THRE|TEMT) before the
 * next instruction.  What Linux's 8250 driver checks is modelled exactly:
 * IER readback (only the low nibble sticks), the loopback modem-status
 * test, the FIFO bits of IIR, and the THRE interrupt that re-arms whenever
 * ETBEI is set with the transmitter empty and is cleared by reading IIR.
 *
 * The interrupt output is the OR of the enabled conditions (IIR bit 0
 * clear), driven onto an ISA edge line: the IOAPIC sees a rising edge each
 * time it goes from idle to pending, as with the real chip.  OUT2 does not
 * gate it (QEMU does not either).
 *
 * Accessed by vCPU threads and, for input, by the VM fd's write(): one
 * spinlock, not raw, as no hardirq takes it; it is held while driving the
 * interrupt line, whose raw locks nest inside it.
 * Not modelled: baud timing, line errors, break, the receiver
 * timeout interrupt (RDA is raised for any received byte instead).
 */
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/serial_reg.h>
#include "../khyp.h"
#include "../platform.h"

#define UART_RX_FIFO	16
#define UART_IIR_FIFO_BITS	0xc0	/* IIR 7:6 with the FIFOs enabled */

struct khyp_uart {
	struct khyp_vm *vm;
	struct khyp_io_dev pio;
	spinlock_t lock;

	u8 ier, lcr, mcr, scr, dll, dlm;
	u8 lsr_errors;		/* OE, from loopback overruns */
	u8 msr_delta;		/* MSR bits 3:0 since the last MSR read */
	bool fifo;		/* FCR bit 0 */
	bool thr_ipending;	/* THRE interrupt pending (cleared by IIR) */
	bool irq_level;		/* what the line is driven to */

	u8 rx[UART_RX_FIFO];
	unsigned int rx_head, rx_count;
};

/* Modem status lines: looped back from MCR, else a cable that is up. */
static u8 uart_msr_lines(const struct khyp_uart *u)
{
	u8 v = 0;

	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	if (u->mcr & UART_MCR_RTS)
		v |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		v |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		v |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		v |= UART_MSR_DCD;
	return v;
}

static u8 uart_lsr(const struct khyp_uart *u)
{
	u8 lsr = UART_LSR_THRE | UART_LSR_TEMT | u->lsr_errors;

	if (u->rx_count)
		lsr |= UART_LSR_DR;
	return lsr;
}

static u8 uart_iir(const struct khyp_uart *u)
{
	u8 iir = u->fifo ? UART_IIR_FIFO_BITS : 0;

	if ((u->ier & UART_IER_RLSI) && u->lsr_errors)
		return iir | UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count)
		return iir | UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thr_ipending)
		return iir | UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && u->msr_delta)
		return iir | UART_IIR_MSI;
	return iir | UART_IIR_NO_INT;
}

/* Called with the lock held so that line changes reach the IOAPIC in order. */
static void uart_update_irq(struct khyp_uart *u)
{
	bool level = !(uart_iir(u) & UART_IIR_NO_INT);

	lockdep_assert_held(&u->lock);
	if (level == u->irq_level)
		return;
	u->irq_level = level;
	khyp_irq_line(u->vm, KHYP_GSI_UART, level);
}

static void uart_rx_push(struct khyp_uart *u, u8 c)
{
	if (u->rx_count == UART_RX_FIFO) {
		u->lsr_errors |= UART_LSR_OE;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_RX_FIFO] = c;
	u->rx_count++;
}

/* Pull console input into the receive FIFO (not while looped back). */
static void uart_refill(struct khyp_uart *u)
{
	u8 c;

	if (u->mcr & UART_MCR_LOOP)
		return;
	while (u->rx_count < UART_RX_FIFO &&
	       !khyp_console_get_input(u->vm, &c))
		uart_rx_push(u, c);
}

static u8 uart_rx_pop(struct khyp_uart *u)
{
	u8 c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_RX_FIFO;
	u->rx_count--;
	uart_refill(u);
	return c;
}

static void uart_set_mcr(struct khyp_uart *u, u8 mcr)
{
	u8 before = uart_msr_lines(u), after, changed;

	u->mcr = mcr & 0x1f;
	after = uart_msr_lines(u);
	changed = before ^ after;
	if (changed & UART_MSR_CTS)
		u->msr_delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		u->msr_delta |= UART_MSR_DDSR;
	if ((before & UART_MSR_RI) && !(after & UART_MSR_RI))
		u->msr_delta |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		u->msr_delta |= UART_MSR_DDCD;
	/* Leaving loopback: whatever the host typed meanwhile arrives. */
	uart_refill(u);
}

static void uart_write_thr(struct khyp_uart *u, u8 c)
{
	if (u->mcr & UART_MCR_LOOP)
		uart_rx_push(u, c);
	else
		khyp_console_put(u->vm, &c, 1);
	/* Sent at once: the holding register is empty again. */
	u->thr_ipending = true;
}

static u8 uart_read_reg(struct khyp_uart *u, unsigned int reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	u8 v;

	switch (reg) {
	case UART_RX:
		return dlab ? u->dll : uart_rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = uart_iir(u);
		/* Reading IIR is what acknowledges a THRE interrupt. */
		if ((v & UART_IIR_ID) == UART_IIR_THRI)
			u->thr_ipending = false;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = uart_lsr(u);
		u->lsr_errors = 0;
		return v;
	case UART_MSR:
		v = uart_msr_lines(u) | u->msr_delta;
		u->msr_delta = 0;
		return v;
	default:
		return u->scr;
	}
}

static void uart_write_reg(struct khyp_uart *u, unsigned int reg, u8 v)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	u8 changed;

	switch (reg) {
	case UART_TX:
		if (dlab)
			u->dll = v;
		else
			uart_write_thr(u, v);
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		changed = (u->ier ^ v) & 0x0f;
		u->ier = v & 0x0f;
		/* Enabling ETBEI with an empty THR interrupts at once. */
		if (changed & UART_IER_THRI)
			u->thr_ipending = u->ier & UART_IER_THRI;
		break;
	case UART_FCR:
		if ((v & UART_FCR_ENABLE_FIFO) != u->fifo) {
			/* Toggling the FIFOs empties them. */
			u->rx_count = 0;
			u->fifo = v & UART_FCR_ENABLE_FIFO;
		}
		if (v & UART_FCR_CLEAR_RCVR)
			u->rx_count = 0;
		uart_refill(u);
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		uart_set_mcr(u, v);
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:
		break;		/* LSR and MSR are read-only */
	}
}

static int uart_pio_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			 u64 offset, void *val, int len)
{
	struct khyp_uart *u = container_of(dev, struct khyp_uart, pio);
	unsigned long flags;
	u64 v = 0;
	int i;

	spin_lock_irqsave(&u->lock, flags);
	/* Wider accesses read consecutive registers, as the bus would. */
	for (i = 0; i < len && offset + i < 8; i++)
		v |= (u64)uart_read_reg(u, offset + i) << (i * 8);
	uart_update_irq(u);
	spin_unlock_irqrestore(&u->lock, flags);
	khyp_io_put(val, len, v);
	return 0;
}

static int uart_pio_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			  u64 offset, const void *val, int len)
{
	struct khyp_uart *u = container_of(dev, struct khyp_uart, pio);
	u64 v = khyp_io_get(val, len);
	unsigned long flags;
	int i;

	spin_lock_irqsave(&u->lock, flags);
	for (i = 0; i < len && offset + i < 8; i++)
		uart_write_reg(u, offset + i, v >> (i * 8));
	uart_update_irq(u);
	spin_unlock_irqrestore(&u->lock, flags);
	return 0;
}

static const struct khyp_io_range uart_ranges[] = {
	KHYP_IO_RANGE(struct khyp_uart, pio, KHYP_UART_PORT, 8, "uart",
		      uart_pio_read, uart_pio_write),
};

void khyp_uart_input_ready(struct khyp_vm *vm)
{
	struct khyp_uart *u = vm->platform ? vm->platform->uart : NULL;
	unsigned long flags;

	if (!u)
		return;
	spin_lock_irqsave(&u->lock, flags);
	uart_refill(u);
	uart_update_irq(u);
	spin_unlock_irqrestore(&u->lock, flags);
}

static void uart_debug_show(struct seq_file *m, void *state)
{
	struct khyp_uart *u = state;
	unsigned long flags;

	spin_lock_irqsave(&u->lock, flags);
	seq_printf(m, "uart: ier %#x iir %#x lsr %#x mcr %#x lcr %#x thr_ipending %d irq_level %d rx_count %u\n",
		   u->ier, uart_iir(u), uart_lsr(u), u->mcr, u->lcr,
		   u->thr_ipending, u->irq_level, u->rx_count);
	spin_unlock_irqrestore(&u->lock, flags);
}

static void uart_init(struct khyp_platform *p, void *state)
{
	struct khyp_uart *u = state;

	u->vm = p->vm;
	spin_lock_init(&u->lock);
	/* 8N1 at 115200, what firmware would have left behind. */
	u->lcr = UART_LCR_WLEN8;
	u->dll = 1;
	p->uart = u;
}

const struct khyp_platform_dev khyp_uart_dev = {
	KHYP_PLATFORM_DEV("uart", struct khyp_uart, KHYP_BUS_PIO, uart_ranges),
	.init = uart_init,
	.debug_show = uart_debug_show,
};
