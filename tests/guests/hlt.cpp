// HLT and the LAPIC timer. The ABI defines no guest timer yet, and HLT may only end on an
// interrupt (SDM vol. 2 "HLT"), so the guest arms a one-shot LAPIC timer (divide by 1, vector
// 0x40, initial count 100000) and halts with IF=1; the vector-0x40 handler sets a flag and writes
// EOI. PASS when the flag is set after HLT returns. A hypervisor that never wakes the vCPU hangs
// the guest after `NOTE halting`, which the test harness sees as a timeout.
// Also checks first that the timer's current count runs down. Runs under plain QEMU too.
#include "runtime.hpp"

const char rt::kGuestName[] = "hlt";

namespace {

constexpr uint8_t kTimerVector = 0x40;
constexpr uint8_t kSpuriousVector = 0xFF;
constexpr uint32_t kTimerCount = 100000;
constexpr uint32_t kMaxHalts = 100;  // wake-ups tolerated before the timer fires

volatile uint32_t g_timer_interrupts;

void on_timer(rt::InterruptFrame&) {
    g_timer_interrupts = g_timer_interrupts + 1;
    rt::lapic_write(rt::LapicReg::kEoi, 0);
}

// A spurious interrupt takes no EOI (SDM vol. 3 sec. 11.9).
void on_spurious(rt::InterruptFrame&) {}

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo*) {
    rt::set_interrupt_handler(kTimerVector, on_timer);
    rt::set_interrupt_handler(kSpuriousVector, on_spurious);
    rt::lapic_write(rt::LapicReg::kSpurious, rt::kLapicSoftwareEnable | kSpuriousVector);
    rt::lapic_write(rt::LapicReg::kTimerDivide, rt::kTimerDivideBy1);

    // Masked, so that running down does not interrupt.
    rt::lapic_write(rt::LapicReg::kLvtTimer, rt::kLvtMasked | kTimerVector);
    rt::lapic_write(rt::LapicReg::kTimerInitialCount, 0xFFFFFFFF);
    uint32_t first = rt::lapic_read(rt::LapicReg::kTimerCurrentCount);
    for (uint32_t i = 0; i < 100000; ++i) rt::pause();
    uint32_t second = rt::lapic_read(rt::LapicReg::kTimerCurrentCount);
    rt::lapic_write(rt::LapicReg::kTimerInitialCount, 0);  // stops the timer
    rt::check(first != 0 && second < first, "hlt.timer_counts_down", "current count 0x%x then 0x%x",
              first, second);

    rt::cli();
    rt::lapic_write(rt::LapicReg::kLvtTimer, kTimerVector);  // one-shot, unmasked
    rt::note("halting; the LAPIC timer (count %u) must wake the vCPU", kTimerCount);
    uint64_t start = rt::rdtsc();
    rt::lapic_write(rt::LapicReg::kTimerInitialCount, kTimerCount);
    uint32_t halts = 0;
    while (g_timer_interrupts == 0 && halts < kMaxHalts) {
        rt::sti_hlt();
        rt::cli();
        ++halts;
    }
    uint64_t cycles = rt::rdtsc() - start;
    rt::note("woke after %u halt(s), %llu TSC cycles", halts, cycles);
    rt::check(g_timer_interrupts == 1, "hlt.wakes_on_timer",
              "%u timer interrupts after %u halts, expected 1", g_timer_interrupts, halts);
    rt::lapic_write(rt::LapicReg::kLvtTimer, rt::kLvtMasked | kTimerVector);
}
