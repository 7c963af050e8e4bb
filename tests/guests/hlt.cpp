// HLT and the LAPIC timer. The ABI defines no guest timer yet, and HLT may only end on an
// interrupt (SDM vol. 2 "HLT"), so the guest arms a one-shot LAPIC timer (divide by 1, vector
// 0x40, initial count 100000) and halts with IF=1; the vector-0x40 handler sets a flag and writes
// EOI. PASS when the flag is set after HLT returns. A hypervisor that never wakes the vCPU hangs
// the guest after `NOTE halting`, which the test harness sees as a timeout.
// Also checks first that the timer's current count runs down. Runs under plain QEMU too.
//
// Then hlt.sti_shadow: an interrupt already pending when "sti; hlt" runs must be taken after the
// HLT (waking it), never between the two: STI holds interrupts off for one more instruction (SDM
// vol. 2 "STI"), which is what makes "sti; hlt" safe against lost wake-ups. The guest lets a
// periodic timer interrupt become pending with IF=0, then executes "out; sti; hlt": the OUT is an
// exit, so the vCPU re-enters the guest exactly at the STI. The handler records where it
// interrupted; the HLT's own address means the interrupt came inside the shadow. The timer is
// periodic so that a guest that lost its wake-up that way still wakes and reports it.
#include "runtime.hpp"

const char rt::kGuestName[] = "hlt";

namespace {

constexpr uint8_t kTimerVector = 0x40;
constexpr uint8_t kShadowVector = 0x41;
constexpr uint32_t kShadowPeriod = 1000000;  // divide by 1: a wake-up every million bus ticks
constexpr uint32_t kMaxPolls = 1000000;      // IRR reads before giving up on the first tick
constexpr uint16_t kUnusedPort = 0x80;       // POST-code port: writes are ignored, but exit
constexpr uint8_t kSpuriousVector = 0xFF;
constexpr uint32_t kTimerCount = 100000;
constexpr uint32_t kMaxHalts = 100;  // wake-ups tolerated before the timer fires

volatile uint32_t g_timer_interrupts;
volatile uint32_t g_shadow_interrupts;
volatile uint32_t g_inside_shadow;  // interrupts whose return address was the HLT

}  // namespace

// The HLT of "out; sti; hlt" below; global so that the handler can compare return addresses.
extern "C" char hlt_in_sti_shadow[];

namespace {

void on_timer(rt::InterruptFrame&) {
    g_timer_interrupts = g_timer_interrupts + 1;
    rt::lapic_write(rt::LapicReg::kEoi, 0);
}

void on_shadow_timer(rt::InterruptFrame& frame) {
    g_shadow_interrupts = g_shadow_interrupts + 1;
    if (frame.eip == reinterpret_cast<uint32_t>(hlt_in_sti_shadow))
        g_inside_shadow = g_inside_shadow + 1;
    rt::lapic_write(rt::LapicReg::kEoi, 0);
}

// OUT (an exit under the hypervisor) immediately followed by STI; HLT, then CLI. Not inlined: the
// label may exist once only.
[[gnu::noinline]] void out_sti_hlt() {
    asm volatile(
        "outb %%al, %0\n\t"
        "sti\n\t"
        ".globl hlt_in_sti_shadow\n"
        "hlt_in_sti_shadow: hlt\n\t"
        "cli" ::"i"(kUnusedPort),
        "a"(0)
        : "memory");
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

    rt::set_interrupt_handler(kShadowVector, on_shadow_timer);
    rt::lapic_write(rt::LapicReg::kLvtTimer, rt::kLvtTimerPeriodic | kShadowVector);
    rt::lapic_write(rt::LapicReg::kTimerInitialCount, kShadowPeriod);
    uint32_t polls = 0;
    while (!rt::lapic_requested(kShadowVector) && polls < kMaxPolls) ++polls;
    const bool requested = polls < kMaxPolls;
    if (requested) out_sti_hlt();
    rt::lapic_write(rt::LapicReg::kTimerInitialCount, 0);
    rt::lapic_write(rt::LapicReg::kLvtTimer, rt::kLvtMasked | kShadowVector);
    rt::check(requested && g_shadow_interrupts >= 1 && g_inside_shadow == 0, "hlt.sti_shadow",
              "requested=%u interrupts=%u taken between sti and hlt=%u", requested ? 1u : 0u,
              g_shadow_interrupts, g_inside_shadow);
}
