#include "vmm/devices/lapic.hpp"

#include "arch/x86/cpu/msr.hpp"

namespace hv::vmm {
namespace {

// Register offsets (SDM vol. 3A table 12-1); the x2APIC MSR is 0x800 + offset / 16 (table 12-6).
enum : std::uint32_t {
    kId = 0x20,
    kVersion = 0x30,
    kTpr = 0x80,
    kApr = 0x90,
    kPpr = 0xA0,
    kEoi = 0xB0,
    kLdr = 0xD0,
    kDfr = 0xE0,
    kSvr = 0xF0,
    kIsr = 0x100,
    kTmr = 0x180,
    kIrr = 0x200,
    kEsr = 0x280,
    kLvtCmci = 0x2F0,
    kIcrLow = 0x300,
    kIcrHigh = 0x310,
    kLvtTimer = 0x320,
    kLvtThermal = 0x330,
    kLvtPerf = 0x340,
    kLvtLint0 = 0x350,
    kLvtLint1 = 0x360,
    kLvtError = 0x370,
    kTimerInitial = 0x380,
    kTimerCurrent = 0x390,
    kTimerDivide = 0x3E0,
    kSelfIpi = 0x3F0,  // x2APIC only
};
constexpr std::uint32_t kVersionValue = 0x0005'0014;  // version 14h, 6 LVT entries (max index 5)
constexpr std::uint32_t kLvtMasked = 1u << 16;
// LVT timer mode, bits 18:17 (SDM vol. 3A figure 12-8): 00 one-shot, 01 periodic, 10 TSC-deadline.
constexpr std::uint32_t kTimerModeMask = 3u << 17;
constexpr std::uint32_t kTimerPeriodic = 1u << 17;
constexpr std::uint32_t kTimerTscDeadline = 2u << 17;
constexpr std::uint32_t kSvrEnabled = 1u << 8;
// IA32_APIC_BASE (SDM vol. 3A figure 12-5, 12.12.1).
constexpr std::uint64_t kApicBaseBsp = 1ull << 8;
constexpr std::uint64_t kApicBaseExtd = 1ull << 10;
constexpr std::uint64_t kApicBaseEnable = 1ull << 11;
// ICR fields (SDM vol. 3A figure 12-12).
constexpr std::uint32_t kIcrLogical = 1u << 11;
constexpr std::uint32_t kIcrLevelAssert = 1u << 14;
constexpr std::uint32_t kIcrLevelTriggered = 1u << 15;
constexpr unsigned kIcrModeShift = 8;
constexpr unsigned kIcrShorthandShift = 18;

// Divide configuration bits 3,1,0 -> divisor (SDM vol. 3A figure 12-10).
std::uint32_t divisor(std::uint32_t dcr) {
    const std::uint32_t code = ((dcr >> 1) & 0x4) | (dcr & 0x3);
    return code == 7 ? 1 : 2u << code;
}

}  // namespace

void Lapic::reset(std::uint32_t index, std::uint64_t tsc_hz, ApicBus* bus) {
    x2apic_ = false;
    tpr_ = 0;
    svr_ = kSvrReset;
    ldr_ = 0;
    dfr_ = kDfrReset;
    esr_ = 0;
    icr_low_ = icr_high_ = 0;
    lvt_timer_ = lvt_lint0_ = lvt_lint1_ = lvt_error_ = kLvtReset;
    lvt_thermal_ = lvt_perf_ = lvt_cmci_ = kLvtReset;
    timer_initial_ = timer_divide_ = 0;
    timer_start_ = deadline_ = period_tsc_ = tsc_deadline_guest_ = 0;
    for (unsigned i = 0; i < 8; ++i) {
        irr_[i].store(0);
        isr_[i].store(0);
        tmr_[i].store(0);
    }
    irr_summary_.store(0);
    id_ = index;
    bus_ = bus;
    tsc_hz_ = tsc_hz ? tsc_hz : 1;
    apic_base_ = kLapicBase | kApicBaseEnable | (index == 0 ? kApicBaseBsp : 0);
}

bool Lapic::enabled() const { return (apic_base_ & kApicBaseEnable) && (svr_ & kSvrEnabled); }

int Lapic::highest(const std::atomic<std::uint32_t> (&bits)[8]) {
    for (int i = 7; i >= 0; --i) {
        const std::uint32_t w = bits[i].load(std::memory_order_acquire);
        if (w) return i * 32 + 31 - __builtin_clz(w);
    }
    return -1;
}

void Lapic::post(std::uint8_t vector, bool level) {
    const std::uint32_t bit = 1u << (vector % 32);
    if (level)
        tmr_[vector / 32].fetch_or(bit, std::memory_order_relaxed);
    else
        tmr_[vector / 32].fetch_and(~bit, std::memory_order_relaxed);
    irr_[vector / 32].fetch_or(bit, std::memory_order_release);
    irr_summary_.fetch_or(static_cast<std::uint8_t>(1u << (vector / 32)),
                          std::memory_order_release);
}

int Lapic::pending_vector() const {
    if (irr_summary_.load(std::memory_order_acquire) == 0 || (svr_ & kSvrEnabled) == 0) return -1;
    const int irr = highest(irr_);
    if (irr < 0) return -1;
    const int isr = highest(isr_);
    // Priority class = vector >> 4 (SDM vol. 3A 12.8.3.1).
    const int ppr_class = (isr >= 0 ? isr >> 4 : 0) > static_cast<int>(tpr_ >> 4)
                              ? (isr >= 0 ? isr >> 4 : 0)
                              : static_cast<int>(tpr_ >> 4);
    return (irr >> 4) > ppr_class ? irr : -1;
}

void Lapic::acknowledge(std::uint8_t vector) {
    const unsigned word = vector / 32;
    if ((irr_[word].fetch_and(~(1u << (vector % 32)), std::memory_order_acq_rel) &
         ~(1u << (vector % 32))) == 0) {
        irr_summary_.fetch_and(static_cast<std::uint8_t>(~(1u << word)), std::memory_order_acq_rel);
        // A post() that raced in after the clear above must stay visible.
        if (irr_[word].load(std::memory_order_acquire) != 0) {
            irr_summary_.fetch_or(static_cast<std::uint8_t>(1u << word), std::memory_order_release);
        }
    }
    isr_[vector / 32].fetch_or(1u << (vector % 32), std::memory_order_acq_rel);
}

void Lapic::eoi() {
    const int isr = highest(isr_);
    if (isr < 0) return;
    const std::uint32_t bit = 1u << (isr % 32);
    isr_[isr / 32].fetch_and(~bit);
    if ((tmr_[isr / 32].load(std::memory_order_relaxed) & bit) && bus_ != nullptr)
        bus_->level_eoi(static_cast<std::uint8_t>(isr));
}

bool Lapic::logical_match(std::uint32_t dest) const {
    if (x2apic_) {
        // x2APIC logical ID (SDM vol. 3A 12.12.10.2): cluster in 31:16, one bit of 15:0.
        const std::uint32_t ldr = ((id_ >> 4) << 16) | (1u << (id_ & 0xF));
        return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xFFFF) != 0;
    }
    const std::uint32_t logical_id = ldr_ >> 24;
    const std::uint32_t d = dest & 0xFF;
    if ((dfr_ >> 28) == 0xF) return (logical_id & d) != 0;  // flat model
    // Cluster model (SDM vol. 3A 12.6.2.4): cluster in bits 7:4, members in 3:0.
    return (logical_id >> 4) == (d >> 4) && (logical_id & d & 0xF) != 0;
}

void Lapic::send_ipi(std::uint32_t low, std::uint32_t dest) {
    if (bus_ == nullptr) return;
    ApicMessage m;
    m.vector = static_cast<std::uint8_t>(low & 0xFF);
    m.mode = static_cast<DeliveryMode>((low >> kIcrModeShift) & 7);
    m.logical = (low & kIcrLogical) != 0;
    m.level_triggered = (low & kIcrLevelTriggered) != 0;
    m.assert_level = (low & kIcrLevelAssert) != 0;
    m.shorthand = static_cast<Shorthand>((low >> kIcrShorthandShift) & 3);
    m.destination = dest;
    bus_->deliver(m, id_);
}

void Lapic::arm_timer(std::uint64_t tsc) {
    timer_start_ = tsc;
    if (timer_initial_ == 0) {
        deadline_ = 0;
        return;
    }
    const unsigned __int128 ticks =
        static_cast<unsigned __int128>(timer_initial_) * divisor(timer_divide_);
    period_tsc_ = static_cast<std::uint64_t>(ticks * tsc_hz_ / kTimerHz);
    if (period_tsc_ == 0) period_tsc_ = 1;
    deadline_ = tsc + period_tsc_;
}

void Lapic::write_lvt_timer(std::uint32_t v) {
    const std::uint32_t old_mode = lvt_timer_ & kTimerModeMask;
    lvt_timer_ = v & (0xFF | kLvtMasked | kTimerModeMask);
    if ((lvt_timer_ & kTimerModeMask) != old_mode) {
        // A mode change disarms the timer (SDM vol. 3A 12.5.4.1).
        deadline_ = 0;
        timer_initial_ = 0;
        tsc_deadline_guest_ = 0;
    }
}

void Lapic::tick(std::uint64_t tsc) {
    if (deadline_ == 0 || tsc < deadline_) return;
    if ((lvt_timer_ & kLvtMasked) == 0) post(static_cast<std::uint8_t>(lvt_timer_ & 0xFF));
    if ((lvt_timer_ & kTimerModeMask) == kTimerPeriodic) {
        deadline_ += period_tsc_;
        if (deadline_ <= tsc) deadline_ = tsc + period_tsc_;  // catch up without a storm
    } else {
        deadline_ = 0;
        tsc_deadline_guest_ = 0;
    }
}

std::uint32_t Lapic::read_register(std::uint32_t reg) const {
    if (reg >= kIsr && reg < kIsr + 0x80) return isr_[(reg - kIsr) / 16].load();
    if (reg >= kIrr && reg < kIrr + 0x80) return irr_[(reg - kIrr) / 16].load();
    if (reg >= kTmr && reg < kTmr + 0x80) return tmr_[(reg - kTmr) / 16].load();
    switch (reg) {
        case kId:
            return x2apic_ ? id_ : id_ << 24;
        case kVersion:
            return kVersionValue;
        case kTpr:
            return tpr_;
        case kApr:
            return 0;
        case kPpr: {
            const int isr = highest(isr_);
            const std::uint32_t isrv = isr >= 0 ? static_cast<std::uint32_t>(isr) & 0xF0 : 0;
            return (tpr_ & 0xF0) >= isrv ? tpr_ : isrv;
        }
        case kLdr:
            return x2apic_ ? ((id_ >> 4) << 16) | (1u << (id_ & 0xF)) : ldr_;
        case kDfr:
            return dfr_;
        case kSvr:
            return svr_;
        case kEsr:
            return esr_;
        case kIcrLow:
            return icr_low_;
        case kIcrHigh:
            return icr_high_;
        case kLvtCmci:
            return lvt_cmci_;
        case kLvtTimer:
            return lvt_timer_;
        case kLvtThermal:
            return lvt_thermal_;
        case kLvtPerf:
            return lvt_perf_;
        case kLvtLint0:
            return lvt_lint0_;
        case kLvtLint1:
            return lvt_lint1_;
        case kLvtError:
            return lvt_error_;
        case kTimerInitial:
            return timer_initial_;
        case kTimerCurrent: {
            if (deadline_ == 0 || (lvt_timer_ & kTimerModeMask) == kTimerTscDeadline) return 0;
            const std::uint64_t now = x86::rdtsc();
            if (now >= deadline_) return 0;
            const unsigned __int128 left =
                static_cast<unsigned __int128>(deadline_ - now) * kTimerHz / tsc_hz_;
            return static_cast<std::uint32_t>(left / divisor(timer_divide_));
        }
        case kTimerDivide:
            return timer_divide_;
        default:
            return 0;
    }
}

bool Lapic::write_register(std::uint32_t reg, std::uint64_t value) {
    const auto v = static_cast<std::uint32_t>(value);
    switch (reg) {
        case kTpr:
            tpr_ = v & 0xFF;
            break;
        case kEoi:
            if (x2apic_ && v != 0) return false;  // SDM vol. 3A 12.12.1.2: non-zero EOI is #GP
            eoi();
            break;
        case kLdr:
            if (x2apic_) return false;  // read-only in x2APIC mode
            ldr_ = v & 0xFF00'0000;
            break;
        case kDfr:
            if (x2apic_) return false;  // not present in x2APIC mode
            dfr_ = v | 0x0FFF'FFFF;
            break;
        case kSvr:
            svr_ = v & 0x13FF;
            break;
        case kEsr:
            esr_ = 0;
            break;
        case kIcrLow:
            if (x2apic_) {
                // One 64-bit write: destination in 63:32 (SDM vol. 3A 12.12.9).
                icr_low_ = v & ~(1u << 12);
                icr_high_ = static_cast<std::uint32_t>(value >> 32);
                send_ipi(icr_low_, icr_high_);
            } else {
                icr_low_ = v & ~(1u << 12);  // delivery is immediate: never busy
                send_ipi(icr_low_, icr_high_ >> 24);
            }
            break;
        case kIcrHigh:
            if (x2apic_) return false;
            icr_high_ = v & 0xFF00'0000;
            break;
        case kLvtCmci:
            lvt_cmci_ = v;
            break;
        case kLvtTimer:
            write_lvt_timer(v);
            break;
        case kLvtThermal:
            lvt_thermal_ = v;
            break;
        case kLvtPerf:
            lvt_perf_ = v;
            break;
        case kLvtLint0:
            lvt_lint0_ = v;
            break;
        case kLvtLint1:
            lvt_lint1_ = v;
            break;
        case kLvtError:
            lvt_error_ = v;
            break;
        case kTimerInitial:
            // Ignored in TSC-deadline mode (SDM vol. 3A 12.5.4.1).
            if ((lvt_timer_ & kTimerModeMask) == kTimerTscDeadline) break;
            timer_initial_ = v;
            arm_timer(x86::rdtsc());
            break;
        case kTimerDivide:
            timer_divide_ = v & 0xB;
            break;
        case kSelfIpi:
            if (!x2apic_) return true;
            post(static_cast<std::uint8_t>(v & 0xFF));
            break;
        default:
            // Read-only or reserved: ignored in xAPIC mode, #GP through the x2APIC MSRs.
            return !x2apic_ || reg == kId || reg == kVersion;
    }
    return true;
}

std::uint64_t Lapic::mmio_read(std::uint64_t offset, std::uint8_t) {
    return read_register(static_cast<std::uint32_t>(offset & 0xFF0));
}

void Lapic::mmio_write(std::uint64_t offset, std::uint8_t, std::uint64_t value) {
    static_cast<void>(write_register(static_cast<std::uint32_t>(offset & 0xFF0),
                                     static_cast<std::uint32_t>(value)));
}

bool Lapic::msr_read(std::uint32_t msr, std::uint64_t& value, std::uint64_t tsc_offset) {
    static_cast<void>(tsc_offset);
    if (msr == kApicBaseMsr) {
        value = apic_base_;
        return true;
    }
    if (msr == kTscDeadlineMsr) {
        value = (lvt_timer_ & kTimerModeMask) == kTimerTscDeadline ? tsc_deadline_guest_ : 0;
        return true;
    }
    if (!x2apic_ || msr < kX2apicMsrFirst || msr > kX2apicMsrLast) return false;
    const std::uint32_t reg = (msr - kX2apicMsrFirst) << 4;
    if (reg == kEoi || reg == kSelfIpi || reg == kDfr) return false;  // write-only / absent
    if (reg == kIcrLow) {
        value = (static_cast<std::uint64_t>(icr_high_) << 32) | icr_low_;
        return true;
    }
    if (reg == kIcrHigh) return false;
    value = read_register(reg);
    return true;
}

bool Lapic::msr_write(std::uint32_t msr, std::uint64_t value, std::uint64_t tsc_offset) {
    if (msr == kApicBaseMsr) {
        // The APIC stays where the platform put it; BSP is read-only. xAPIC -> x2APIC is allowed;
        // leaving x2APIC for xAPIC directly is not (SDM vol. 3A 12.12.5, figure 12-27).
        const std::uint64_t kWritable = kApicBaseEnable | kApicBaseExtd;
        if ((value & ~(kWritable | kApicBaseBsp | 0xFFFull)) != kLapicBase) return false;
        const bool want_x2 = (value & kApicBaseExtd) != 0;
        const bool want_en = (value & kApicBaseEnable) != 0;
        if (want_x2 && !want_en) return false;
        if (x2apic_ && !want_x2 && want_en) return false;
        x2apic_ = want_x2;
        apic_base_ = (apic_base_ & ~kWritable) | (value & kWritable);
        return true;
    }
    if (msr == kTscDeadlineMsr) {
        if ((lvt_timer_ & kTimerModeMask) != kTimerTscDeadline) return true;  // ignored
        tsc_deadline_guest_ = value;
        if (value == 0) {
            deadline_ = 0;
        } else {
            // Guest TSC = host TSC + offset; a deadline already past fires at once.
            const std::uint64_t host = value - tsc_offset;
            deadline_ = host == 0 ? 1 : host;
        }
        return true;
    }
    if (!x2apic_ || msr < kX2apicMsrFirst || msr > kX2apicMsrLast) return false;
    const std::uint32_t reg = (msr - kX2apicMsrFirst) << 4;
    if (reg != kIcrLow && (value >> 32) != 0) return false;  // reserved high half
    return write_register(reg, value);
}

}  // namespace hv::vmm
