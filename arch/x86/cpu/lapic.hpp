#pragma once
// Local APIC in xAPIC (MMIO) or x2APIC (MSR) mode (Intel SDM vol. 3A ch. 12). The BSP picks the
// mode once (x2APIC when the CPU has it) and every CPU uses the same one.
#include <cstdint>

namespace hv::x86::lapic {

enum class Mode : std::uint8_t { kXapic, kX2apic };

// Register offsets in the xAPIC page; x2APIC MSR = 0x800 + offset / 16 (SDM vol. 3A table 12-1,
// 12-6).
enum class Reg : std::uint32_t {
    kId = 0x20,
    kVersion = 0x30,
    kTpr = 0x80,
    kEoi = 0xB0,
    kSpuriousVector = 0xF0,
    kErrorStatus = 0x280,
    kIcrLow = 0x300,
    kIcrHigh = 0x310,
    kLvtTimer = 0x320,
    kLvtLint0 = 0x350,
    kLvtLint1 = 0x360,
    kLvtError = 0x370,
    kTimerInitialCount = 0x380,
    kTimerCurrentCount = 0x390,
    kTimerDivide = 0x3E0,
};

// Masks both legacy 8259 PICs: the hypervisor takes interrupts only through the LAPIC.
void mask_legacy_pic();
// BSP: masks the legacy PICs, chooses the mode; `xapic_mmio` is the mapped xAPIC page.
void init_bsp(volatile void* xapic_mmio);
// Every CPU (BSP included): enable the APIC in the chosen mode, mask LVTs, set the spurious vector.
void init_this_cpu();

Mode mode();
std::uint32_t current_id();
void eoi();

void send_init(std::uint32_t apic_id);
void send_init_deassert(std::uint32_t apic_id);
void send_startup(std::uint32_t apic_id, std::uint8_t vector_page);
void send_fixed(std::uint32_t apic_id, std::uint8_t vector);
// NMI to every CPU but this one; used by panic. Safe before init (does nothing then).
void stop_other_cpus();

// Timer (SDM vol. 3A 12.5.4): one-shot count-down at the bus clock divided by 16.
void timer_start_oneshot(std::uint32_t count, std::uint8_t vector, bool masked);
std::uint32_t timer_current_count();
void timer_stop();

}  // namespace hv::x86::lapic
