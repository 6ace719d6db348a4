// SPDX-License-Identifier: GPL-2.0
/*
 * The MC146818 CMOS RTC at 0x70 (index; bit 7 is the NMI mask, ignored)
 * and 0x71 (data), with 114 bytes of NVRAM.
 *
 * The clock is the host's UTC wall clock plus an offset the guest changes
 * by writing the time registers; fields are computed on every read in the
 * format register B asks for (BCD or binary, 12 or 24 hours).  While
 * register B's SET bit is on, the time is frozen and the written fields
 * are edited in place; clearing SET commits them, as on the real chip.
 * Register A's UIP bit always reads 0: reads are atomic here, so there is
 * no update cycle to avoid.  Register D reports valid RAM and time.
 *
 * Not modelled: the periodic, alarm and update-ended interrupts (IRQ 8)
 * and their flags in register C, which always reads 0.  Linux's rtc-cmos
 * loads without them; hwclock and the RTC selftests that wait for update
 * interrupts would not work.
 */
#include <linux/bcd.h>
#include <linux/ktime.h>
#include <linux/time.h>
#include <linux/timekeeping.h>
#include "../khyp.h"
#include "../platform.h"

#define RTC_SECONDS		0x00
#define RTC_SECONDS_ALARM	0x01
#define RTC_MINUTES		0x02
#define RTC_MINUTES_ALARM	0x03
#define RTC_HOURS		0x04
#define RTC_HOURS_ALARM		0x05
#define RTC_DAY_OF_WEEK		0x06
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define RTC_CMOS_SIZE		128

#define RTC_B_SET		BIT(7)
#define RTC_B_DM_BINARY		BIT(2)
#define RTC_B_24H		BIT(1)
#define RTC_D_VRT		BIT(7)
#define RTC_HOUR_PM		BIT(7)

struct khyp_rtc {
	struct khyp_io_dev pio;
	/* Not raw: only port accesses take it, never a hardirq. */
	spinlock_t lock;
	u8 index;
	u8 cmos[RTC_CMOS_SIZE];	/* alarms, A, B, NVRAM; time is computed */
	time64_t offset;	/* guest time minus host time, seconds */
	time64_t frozen;	/* guest time while SET is on */
};

static time64_t rtc_now(const struct khyp_rtc *rtc)
{
	if (rtc->cmos[RTC_REG_B] & RTC_B_SET)
		return rtc->frozen;
	return ktime_get_real_seconds() + rtc->offset;
}

static void rtc_set_time(struct khyp_rtc *rtc, time64_t t)
{
	if (rtc->cmos[RTC_REG_B] & RTC_B_SET)
		rtc->frozen = t;
	else
		rtc->offset = t - ktime_get_real_seconds();
}

static u8 rtc_encode(const struct khyp_rtc *rtc, unsigned int v)
{
	return rtc->cmos[RTC_REG_B] & RTC_B_DM_BINARY ? v : bin2bcd(v);
}

static unsigned int rtc_decode(const struct khyp_rtc *rtc, u8 v)
{
	return rtc->cmos[RTC_REG_B] & RTC_B_DM_BINARY ? v : bcd2bin(v);
}

static u8 rtc_encode_hour(const struct khyp_rtc *rtc, unsigned int hour)
{
	bool pm = hour >= 12;

	if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
		return rtc_encode(rtc, hour);
	/* 12-hour mode: 1..12 with bit 7 for PM; midnight is 12 AM. */
	hour %= 12;
	return rtc_encode(rtc, hour ? hour : 12) | (pm ? RTC_HOUR_PM : 0);
}

static unsigned int rtc_decode_hour(const struct khyp_rtc *rtc, u8 v)
{
	unsigned int hour;

	if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
		return rtc_decode(rtc, v);
	hour = rtc_decode(rtc, v & ~RTC_HOUR_PM) % 12;
	return v & RTC_HOUR_PM ? hour + 12 : hour;
}

static u8 rtc_read_time(const struct khyp_rtc *rtc, u8 reg)
{
	unsigned int year;
	struct tm tm;

	time64_to_tm(rtc_now(rtc), 0, &tm);
	year = tm.tm_year + 1900;
	switch (reg) {
	case RTC_SECONDS:
		return rtc_encode(rtc, tm.tm_sec);
	case RTC_MINUTES:
		return rtc_encode(rtc, tm.tm_min);
	case RTC_HOURS:
		return rtc_encode_hour(rtc, tm.tm_hour);
	case RTC_DAY_OF_WEEK:
		return rtc_encode(rtc, tm.tm_wday + 1);	/* Sunday is 1 */
	case RTC_DAY_OF_MONTH:
		return rtc_encode(rtc, tm.tm_mday);
	case RTC_MONTH:
		return rtc_encode(rtc, tm.tm_mon + 1);
	case RTC_YEAR:
		return rtc_encode(rtc, year % 100);
	default:
		return rtc_encode(rtc, year / 100);	/* century */
	}
}

/* Replace one field of the guest's time; garbage is clamped, not trusted. */
static void rtc_write_time(struct khyp_rtc *rtc, u8 reg, u8 v)
{
	unsigned int sec, min, hour, mday, mon, year;
	struct tm tm;

	time64_to_tm(rtc_now(rtc), 0, &tm);
	sec = tm.tm_sec;
	min = tm.tm_min;
	hour = tm.tm_hour;
	mday = tm.tm_mday;
	mon = tm.tm_mon + 1;
	year = tm.tm_year + 1900;
	switch (reg) {
	case RTC_SECONDS:
		sec = min_t(unsigned int, rtc_decode(rtc, v), 59);
		break;
	case RTC_MINUTES:
		min = min_t(unsigned int, rtc_decode(rtc, v), 59);
		break;
	case RTC_HOURS:
		hour = min_t(unsigned int, rtc_decode_hour(rtc, v), 23);
		break;
	case RTC_DAY_OF_MONTH:
		mday = clamp_t(unsigned int, rtc_decode(rtc, v), 1, 31);
		break;
	case RTC_MONTH:
		mon = clamp_t(unsigned int, rtc_decode(rtc, v), 1, 12);
		break;
	case RTC_YEAR:
		year = year / 100 * 100 + rtc_decode(rtc, v) % 100;
		break;
	case KHYP_RTC_CENTURY_REG:
		year = rtc_decode(rtc, v) % 100 * 100 + year % 100;
		break;
	default:
		return;		/* day of week follows from the date */
	}
	rtc_set_time(rtc, mktime64(year, mon, mday, hour, min, sec));
}

/* The registers that hold the running clock rather than plain CMOS bytes. */
static bool rtc_is_time_reg(u8 reg)
{
	switch (reg) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH:
	case RTC_MONTH:
	case RTC_YEAR:
	case KHYP_RTC_CENTURY_REG:
		return true;
	default:
		return false;
	}
}

static u8 rtc_read(struct khyp_rtc *rtc)
{
	u8 reg = rtc->index;

	if (rtc_is_time_reg(reg))
		return rtc_read_time(rtc, reg);
	switch (reg) {
	case RTC_REG_A:
		return rtc->cmos[RTC_REG_A] & 0x7f;	/* UIP clear */
	case RTC_REG_C:
		return 0;	/* no interrupt flags: they are not modelled */
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return rtc->cmos[reg];
	}
}

static void rtc_write(struct khyp_rtc *rtc, u8 v)
{
	u8 reg = rtc->index;

	if (rtc_is_time_reg(reg)) {
		rtc_write_time(rtc, reg, v);
		return;
	}
	switch (reg) {
	case RTC_REG_A:
		rtc->cmos[RTC_REG_A] = v & 0x7f;
		break;
	case RTC_REG_B:
		/* SET freezes the clock; clearing it resumes from the edit. */
		if ((v & RTC_B_SET) && !(rtc->cmos[RTC_REG_B] & RTC_B_SET))
			rtc->frozen = rtc_now(rtc);
		if (!(v & RTC_B_SET) && (rtc->cmos[RTC_REG_B] & RTC_B_SET))
			rtc->offset = rtc->frozen - ktime_get_real_seconds();
		rtc->cmos[RTC_REG_B] = v;
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;		/* read-only */
	default:
		rtc->cmos[reg] = v;	/* alarms and NVRAM */
		break;
	}
}

static int rtc_pio_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			u64 offset, void *val, int len)
{
	struct khyp_rtc *rtc = container_of(dev, struct khyp_rtc, pio);
	unsigned long flags;
	u8 v = 0xff;		/* the index port is write-only */

	if (offset == 1) {
		spin_lock_irqsave(&rtc->lock, flags);
		v = rtc_read(rtc);
		spin_unlock_irqrestore(&rtc->lock, flags);
	}
	khyp_io_put(val, len, v);
	return 0;
}

static int rtc_pio_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			 u64 offset, const void *val, int len)
{
	struct khyp_rtc *rtc = container_of(dev, struct khyp_rtc, pio);
	u8 v = khyp_io_get(val, len);
	unsigned long flags;

	spin_lock_irqsave(&rtc->lock, flags);
	if (offset == 0)
		rtc->index = v & 0x7f;	/* bit 7 masks NMIs: nothing to do */
	else
		rtc_write(rtc, v);
	spin_unlock_irqrestore(&rtc->lock, flags);
	return 0;
}

static const struct khyp_io_range rtc_ranges[] = {
	KHYP_IO_RANGE(struct khyp_rtc, pio, KHYP_RTC_PORT, 2, "rtc",
		      rtc_pio_read, rtc_pio_write),
};

static void rtc_init(struct khyp_platform *p, void *state)
{
	struct khyp_rtc *rtc = state;

	spin_lock_init(&rtc->lock);
	/* 32.768 kHz time base, 1024 Hz rate; 24-hour BCD, like a PC BIOS. */
	rtc->cmos[RTC_REG_A] = 0x26;
	rtc->cmos[RTC_REG_B] = RTC_B_24H;
}

const struct khyp_platform_dev khyp_rtc_dev = {
	KHYP_PLATFORM_DEV("rtc", struct khyp_rtc, KHYP_BUS_PIO, rtc_ranges),
	.init = rtc_init,
};
