#pragma once
// A guest's local APIC (Intel SDM vol. 3A ch. 12), one per vCPU: xAPIC MMIO at 0xFEE00000 and the
// x2APIC MSR interface (SDM vol. 3A 12.12). It keeps IRR/ISR/TMR, priorities and EOI, the timer in
// one-shot, periodic and TSC-deadline modes, and sends IPIs from its ICR onto the VM's ApicBus.
// Time is the host TSC; the timer's input clock is kTimerHz.
// Threading: registers are touched by its own vCPU's CPU; other CPUs and devices only post().
#include <atomic>
#include <cstdint>

#include "arch/x86/cpu/msr.hpp"
#include "vmm/devices/apic_message.hpp"
#include "vmm/devices/device.hpp"
#include "vmm/platform/guest_platform.hpp"

namespace hv::vmm {

inline constexpr std::uint64_t kLapicBase = platform::kLapicBase;
inline constexpr std::uint64_t kLapicSize = 0x1000;

// x2APIC MSR range and the TSC-deadline MSR (SDM vol. 3A 12.12.1.2, 12.5.4.1).
inline constexpr std::uint32_t kX2apicMsrFirst = 0x800;
inline constexpr std::uint32_t kX2apicMsrLast = 0x8FF;
inline constexpr std::uint32_t kTscDeadlineMsr = 0x6E0;
inline constexpr std::uint32_t kApicBaseMsr = static_cast<std::uint32_t>(x86::Msr::kApicBase);

class Lapic final : public MmioDevice {
  public:
    static constexpr std::uint64_t kTimerHz = 1'000'000'000;  // 1 GHz "bus clock"

    // `index` is the vCPU's; its APIC ID is the same number.
    void reset(std::uint32_t index, std::uint64_t tsc_hz, ApicBus* bus);
    std::uint64_t mmio_read(std::uint64_t offset, std::uint8_t size) override;
    void mmio_write(std::uint64_t offset, std::uint8_t size, std::uint64_t value) override;
    // IA32_APIC_BASE, the x2APIC registers and IA32_TSC_DEADLINE. False: #GP. `tsc_offset` turns
    // host TSC into the guest's (guest = host + offset).
    [[nodiscard]] bool msr_read(std::uint32_t msr, std::uint64_t& value, std::uint64_t tsc_offset);
    [[nodiscard]] bool msr_write(std::uint32_t msr, std::uint64_t value, std::uint64_t tsc_offset);

    // Raises `vector` in IRR (from another CPU or a device); level-triggered ones also set TMR
    // so that their EOI is broadcast.
    void post(std::uint8_t vector, bool level = false);
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
    // Does a logical destination `dest` select this APIC (SDM vol. 3A 12.6.2.2)?
    [[nodiscard]] bool logical_match(std::uint32_t dest) const;
    [[nodiscard]] bool x2apic() const { return x2apic_; }
    // Software-enabled (SVR bit 8) and globally enabled (IA32_APIC_BASE bit 11).
    [[nodiscard]] bool enabled() const;

  private:
    std::uint32_t read_register(std::uint32_t reg) const;
    // False: the write is invalid (x2APIC #GP cases).
    bool write_register(std::uint32_t reg, std::uint64_t value);
    void send_ipi(std::uint32_t low, std::uint32_t dest);
    void eoi();
    void arm_timer(std::uint64_t tsc);
    void write_lvt_timer(std::uint32_t v);
    static int highest(const std::atomic<std::uint32_t> (&bits)[8]);

    ApicBus* bus_ = nullptr;
    std::uint32_t id_ = 0;
    std::uint64_t tsc_hz_ = 1;
    std::uint64_t apic_base_ = 0;
    bool x2apic_ = false;
    // Power-up values (SDM vol. 3A 12.4.7.1): SVR 0FFh, DFR all ones (flat model), LVT entries
    // masked; reset() restores them.
    static constexpr std::uint32_t kSvrReset = 0xFF;
    static constexpr std::uint32_t kDfrReset = 0xFFFF'FFFF;
    static constexpr std::uint32_t kLvtReset = 1u << 16;  // mask bit
    std::uint32_t tpr_ = 0, svr_ = kSvrReset, ldr_ = 0, dfr_ = kDfrReset, esr_ = 0;
    std::uint32_t icr_low_ = 0, icr_high_ = 0;
    std::uint32_t lvt_timer_ = kLvtReset, lvt_lint0_ = kLvtReset, lvt_lint1_ = kLvtReset,
                  lvt_error_ = kLvtReset;
    std::uint32_t lvt_thermal_ = kLvtReset, lvt_perf_ = kLvtReset, lvt_cmci_ = kLvtReset;
    std::uint32_t timer_initial_ = 0, timer_divide_ = 0;
    std::uint64_t timer_start_ = 0, deadline_ = 0, period_tsc_ = 0;
    std::uint64_t tsc_deadline_guest_ = 0;  // IA32_TSC_DEADLINE as the guest wrote it
    std::atomic<std::uint32_t> irr_[8] = {};
    // Bit i set: irr_[i] may be nonzero. Lets the exit path skip the IRR scan when nothing is
    // pending, which is almost always.
    std::atomic<std::uint8_t> irr_summary_{0};
    std::atomic<std::uint32_t> isr_[8] = {};
    std::atomic<std::uint32_t> tmr_[8] = {};
};

}  // namespace hv::vmm
