#include "arch/x86/cpu/lapic.hpp"

#include "arch/x86/cpu/apic_delivery_mode.hpp"
#include "arch/x86/cpu/control_regs.hpp"
#include "arch/x86/cpu/cpuid.hpp"
#include "arch/x86/cpu/interrupts.hpp"
#include "arch/x86/cpu/io.hpp"
#include "arch/x86/cpu/msr.hpp"

namespace hv::x86::lapic {
namespace {

constexpr std::uint64_t kApicBaseEnable = 1ull << 11;  // IA32_APIC_BASE.EN (SDM vol. 3A 12.4.4)
constexpr std::uint64_t kApicBaseX2apic = 1ull << 10;  // IA32_APIC_BASE.EXTD (SDM vol. 3A 12.12.1)
constexpr std::uint32_t kSvrEnable = 1u << 8;          // software enable (SDM vol. 3A 12.9)
constexpr std::uint32_t kLvtMasked = 1u << 16;
constexpr std::uint32_t kTimerDivideBy16 = 0x3;  // divide configuration (SDM figure 12-10)

// ICR fields (SDM vol. 3A 12.6.1, figure 12-12): delivery mode in bits 10:8.
constexpr std::uint32_t icr_mode(DeliveryMode m) { return static_cast<std::uint32_t>(m) << 8; }
constexpr std::uint32_t kIcrFixed = icr_mode(DeliveryMode::kFixed);
constexpr std::uint32_t kIcrNmi = icr_mode(DeliveryMode::kNmi);
constexpr std::uint32_t kIcrInit = icr_mode(DeliveryMode::kInit);
constexpr std::uint32_t kIcrStartup = icr_mode(DeliveryMode::kStartup);
constexpr std::uint32_t kIcrDelivering = 1u << 12;
constexpr std::uint32_t kIcrLevelAssert = 1u << 14;
constexpr std::uint32_t kIcrTriggerLevel = 1u << 15;
constexpr std::uint32_t kIcrAllExcludingSelf = 3u << 18;
constexpr std::uint32_t kXapicDestShift = 24;  // ICR high: destination in bits 31:24
constexpr int kIcrPollLimit = 1'000'000;

Mode g_mode = Mode::kXapic;
volatile std::uint8_t* g_mmio = nullptr;
bool g_ready = false;

std::uint32_t read(Reg r) {
    const auto off = static_cast<std::uint32_t>(r);
    if (g_mode == Mode::kX2apic) return static_cast<std::uint32_t>(rdmsr(0x800 + off / 16));
    return *reinterpret_cast<volatile std::uint32_t*>(g_mmio + off);
}

void write(Reg r, std::uint32_t v) {
    const auto off = static_cast<std::uint32_t>(r);
    if (g_mode == Mode::kX2apic) {
        wrmsr(0x800 + off / 16, v);
    } else {
        *reinterpret_cast<volatile std::uint32_t*>(g_mmio + off) = v;
    }
}

void send_icr(std::uint32_t dest, std::uint32_t low) {
    if (g_mode == Mode::kX2apic) {
        // A WRMSR to the x2APIC ICR is not serializing: the IPI could reach the target before
        // this CPU's earlier stores (e.g. an interrupt posted to a vCPU's virtual LAPIC) are
        // visible there, and a target that then finds nothing goes back to sleep. MFENCE;LFENCE
        // first orders them (SDM vol. 3A 12.12.3).
        asm volatile("mfence; lfence" ::: "memory");
        // One 64-bit write; destination is the full x2APIC ID (SDM vol. 3A 12.12.9).
        wrmsr(0x800 + static_cast<std::uint32_t>(Reg::kIcrLow) / 16,
              (static_cast<std::uint64_t>(dest) << 32) | low);
        return;
    }
    write(Reg::kIcrHigh, dest << kXapicDestShift);
    write(Reg::kIcrLow, low);
    for (int i = 0; i < kIcrPollLimit && (read(Reg::kIcrLow) & kIcrDelivering); ++i) cpu_relax();
}

}  // namespace

void mask_legacy_pic() {
    // OCW1 = all ones masks every input of both 8259As (8259A data sheet, "Operation Command
    // Words"). Firmware may leave IRQ 0 unmasked at vector 8, and some platforms (Bochs) deliver
    // the PIC's INTR to the BSP past a masked LINT0: the first STI; HLT would take it as a #DF.
    constexpr std::uint16_t kPic1Data = 0x21;
    constexpr std::uint16_t kPic2Data = 0xA1;
    outb(kPic1Data, 0xFF);
    outb(kPic2Data, 0xFF);
}

void init_bsp(volatile void* xapic_mmio) {
    mask_legacy_pic();
    g_mmio = static_cast<volatile std::uint8_t*>(xapic_mmio);
    g_mode = (cpuid(1).ecx & cpuid_bits::kLeaf1EcxX2apic) ? Mode::kX2apic : Mode::kXapic;
}

void init_this_cpu() {
    std::uint64_t base = rdmsr(Msr::kApicBase) | kApicBaseEnable;
    wrmsr(Msr::kApicBase, base);
    if (g_mode == Mode::kX2apic) wrmsr(Msr::kApicBase, base | kApicBaseX2apic);
    write(Reg::kTpr, 0);
    write(Reg::kLvtTimer, kLvtMasked);
    write(Reg::kLvtLint0, kLvtMasked);
    write(Reg::kLvtLint1, kLvtMasked);
    write(Reg::kLvtError, kLvtMasked);
    write(Reg::kSpuriousVector, kSvrEnable | static_cast<std::uint8_t>(Vector::kSpurious));
    g_ready = true;
}

Mode mode() { return g_mode; }

std::uint32_t current_id() {
    if (!g_ready) return cpuid(1).ebx >> 24;  // initial APIC ID (SDM vol. 2A CPUID leaf 1 EBX)
    const std::uint32_t id = read(Reg::kId);
    return g_mode == Mode::kX2apic ? id : id >> 24;
}

void eoi() {
    if (g_ready) write(Reg::kEoi, 0);
}

void send_init(std::uint32_t apic_id) {
    send_icr(apic_id, kIcrInit | kIcrLevelAssert | kIcrTriggerLevel);
}
void send_init_deassert(std::uint32_t apic_id) {
    // Required on older xAPICs, ignored by x2APIC and modern CPUs (SDM vol. 3A 12.6.1).
    if (g_mode == Mode::kXapic) send_icr(apic_id, kIcrInit | kIcrTriggerLevel);
}
void send_startup(std::uint32_t apic_id, std::uint8_t vector_page) {
    send_icr(apic_id, kIcrStartup | vector_page);
}
void send_fixed(std::uint32_t apic_id, std::uint8_t vector) {
    send_icr(apic_id, kIcrFixed | vector);
}

void stop_other_cpus() {
    if (!g_ready) return;
    send_icr(0, kIcrNmi | kIcrLevelAssert | kIcrAllExcludingSelf);
}

void timer_start_oneshot(std::uint32_t count, std::uint8_t vector, bool masked) {
    write(Reg::kTimerDivide, kTimerDivideBy16);
    write(Reg::kLvtTimer, vector | (masked ? kLvtMasked : 0));
    write(Reg::kTimerInitialCount, count);
}

std::uint32_t timer_current_count() { return read(Reg::kTimerCurrentCount); }

void timer_stop() {
    write(Reg::kTimerInitialCount, 0);
    write(Reg::kLvtTimer, kLvtMasked);
}

}  // namespace hv::x86::lapic
