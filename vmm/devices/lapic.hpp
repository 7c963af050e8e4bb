#pragma once
// A guest's local APIC (Intel SDM vol. 3A ch. 12), one per vCPU, in xAPIC MMIO form at
// 0xFEE00000. It keeps IRR/ISR, priorities and EOI, and the timer in one-shot and periodic
// modes. Time is the host TSC; the timer's input clock is kTimerHz (advertised in CPUID 15h).
// Threading: touched by its own vCPU's CPU; other CPUs post interrupts through post().
#include <atomic>
#include <cstdint>

#include "vmm/devices/device.hpp"

namespace hv::vmm {

inline constexpr std::uint64_t kLapicBase = 0xFEE0'0000;
inline constexpr std::uint64_t kLapicSize = 0x1000;

class Lapic final : public MmioDevice {
  public:
    static constexpr std::uint64_t kTimerHz = 1'000'000'000;  // 1 GHz "bus clock"

    void reset(std::uint32_t apic_id, std::uint64_t tsc_hz);
    std::uint64_t mmio_read(std::uint64_t offset, std::uint8_t size) override;
    void mmio_write(std::uint64_t offset, std::uint8_t size, std::uint64_t value) override;

    // Raises `vector` in IRR (from another CPU or a device).
    void post(std::uint8_t vector);
    // Advances the timer to `tsc`; fires it if due.
    void tick(std::uint64_t tsc);
    // The highest pending vector that outranks the in-service one and the TPR, or -1.
    int pending_vector() const;
    // The CPU takes `vector`: IRR -> ISR.
    void acknowledge(std::uint8_t vector);
    // Nothing pending and no timer armed: the common case on the exit path, checked inline.
    [[nodiscard]] bool quiet() const {
        return deadline_ == 0 && irr_summary_.load(std::memory_order_relaxed) == 0;
    }
    // TSC at which the timer fires next, 0 if not armed.
    std::uint64_t timer_deadline() const { return deadline_; }
    std::uint32_t id() const { return id_; }

  private:
    void arm_timer(std::uint64_t tsc);
    static int highest(const std::atomic<std::uint32_t> (&bits)[8]);

    std::uint32_t id_ = 0;
    std::uint64_t tsc_hz_ = 1;
    std::uint32_t tpr_ = 0, svr_ = 0xFF, ldr_ = 0, dfr_ = 0xFFFF'FFFF, esr_ = 0;
    std::uint32_t icr_low_ = 0, icr_high_ = 0;
    std::uint32_t lvt_timer_ = 0x10000, lvt_lint0_ = 0x10000, lvt_lint1_ = 0x10000,
                  lvt_error_ = 0x10000;
    std::uint32_t lvt_thermal_ = 0x10000, lvt_perf_ = 0x10000;
    std::uint32_t timer_initial_ = 0, timer_divide_ = 0;
    std::uint64_t timer_start_ = 0, deadline_ = 0, period_tsc_ = 0;
    std::atomic<std::uint32_t> irr_[8] = {};
    // Bit i set: irr_[i] may be nonzero. Lets the exit path skip the IRR scan when nothing is
    // pending, which is almost always.
    std::atomic<std::uint8_t> irr_summary_{0};
    std::atomic<std::uint32_t> isr_[8] = {};
};

}  // namespace hv::vmm
