#include "vmm/devices/lapic.hpp"

#include "arch/x86/cpu/msr.hpp"

namespace hv::vmm {
namespace {

// Register offsets (SDM vol. 3A table 12-1).
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
};
constexpr std::uint32_t kVersionValue = 0x0005'0014;  // version 14h, 6 LVT entries (max index 5)
constexpr std::uint32_t kLvtMasked = 1u << 16;
constexpr std::uint32_t kTimerPeriodic = 1u << 17;  // LVT timer mode bits 18:17 = 01b
constexpr std::uint32_t kSvrEnabled = 1u << 8;

// Divide configuration bits 3,1,0 -> divisor (SDM vol. 3A figure 12-10).
std::uint32_t divisor(std::uint32_t dcr) {
    const std::uint32_t code = ((dcr >> 1) & 0x4) | (dcr & 0x3);
    return code == 7 ? 1 : 2u << code;
}

}  // namespace

void Lapic::reset(std::uint32_t apic_id, std::uint64_t tsc_hz) {
    id_ = apic_id;
    tsc_hz_ = tsc_hz ? tsc_hz : 1;
}

int Lapic::highest(const std::atomic<std::uint32_t> (&bits)[8]) {
    for (int i = 7; i >= 0; --i) {
        const std::uint32_t w = bits[i].load(std::memory_order_acquire);
        if (w) return i * 32 + 31 - __builtin_clz(w);
    }
    return -1;
}

void Lapic::post(std::uint8_t vector) {
    irr_[vector / 32].fetch_or(1u << (vector % 32), std::memory_order_release);
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

void Lapic::tick(std::uint64_t tsc) {
    if (deadline_ == 0 || tsc < deadline_) return;
    if ((lvt_timer_ & kLvtMasked) == 0) post(static_cast<std::uint8_t>(lvt_timer_ & 0xFF));
    if (lvt_timer_ & kTimerPeriodic) {
        deadline_ += period_tsc_;
        if (deadline_ <= tsc) deadline_ = tsc + period_tsc_;  // catch up without a storm
    } else {
        deadline_ = 0;
    }
}

std::uint64_t Lapic::mmio_read(std::uint64_t offset, std::uint8_t) {
    const auto reg = static_cast<std::uint32_t>(offset & 0xFF0);
    if (reg >= kIsr && reg < kIsr + 0x80) return isr_[(reg - kIsr) / 16].load();
    if (reg >= kIrr && reg < kIrr + 0x80) return irr_[(reg - kIrr) / 16].load();
    if (reg >= kTmr && reg < kTmr + 0x80) return 0;
    switch (reg) {
        case kId:
            return id_ << 24;
        case kVersion:
            return kVersionValue;
        case kTpr:
            return tpr_;
        case kApr:
            return 0;
        case kPpr:
            return tpr_;
        case kLdr:
            return ldr_;
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
            if (deadline_ == 0) return 0;
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

void Lapic::mmio_write(std::uint64_t offset, std::uint8_t, std::uint64_t value) {
    const auto v = static_cast<std::uint32_t>(value);
    switch (static_cast<std::uint32_t>(offset & 0xFF0)) {
        case kTpr:
            tpr_ = v & 0xFF;
            break;
        case kEoi: {
            const int isr = highest(isr_);
            if (isr >= 0) isr_[isr / 32].fetch_and(~(1u << (isr % 32)));
            break;
        }
        case kLdr:
            ldr_ = v & 0xFF00'0000;
            break;
        case kDfr:
            dfr_ = v | 0x0FFF'FFFF;
            break;
        case kSvr:
            svr_ = v & 0x13FF;
            break;
        case kEsr:
            esr_ = 0;
            break;
        case kIcrLow:
            icr_low_ = v & ~(1u << 12);
            break;  // delivery is immediate: never busy
        case kIcrHigh:
            icr_high_ = v & 0xFF00'0000;
            break;
        case kLvtTimer:
            lvt_timer_ = v & 0x700FF;
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
            timer_initial_ = v;
            arm_timer(x86::rdtsc());
            break;
        case kTimerDivide:
            timer_divide_ = v & 0xB;
            break;
        default:
            break;  // read-only or reserved registers ignore writes
    }
}

}  // namespace hv::vmm
