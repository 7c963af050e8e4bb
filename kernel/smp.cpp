#include "kernel/smp.hpp"

#include <atomic>

#include "arch/x86/cpu/control_regs.hpp"
#include "arch/x86/cpu/lapic.hpp"
#include "arch/x86/cpu/msr.hpp"
#include "kernel/console.hpp"
#include "kernel/cpu_work.hpp"
#include "kernel/direct_map.hpp"
#include "kernel/percpu.hpp"
#include "kernel/time.hpp"

extern "C" char __ap_trampoline_start[], __ap_trampoline_end[];
extern "C" char ap_trampoline_params[];
extern "C" char boot_pml4[];

namespace hv::smp {
namespace {

// Mirrors the parameter block at the end of boot/ap_trampoline.S.
struct ApTrampolineParams {
    std::uint64_t boot_cr3;
    std::uint64_t efer;
    std::uint64_t kernel_cr3;
    std::uint64_t stack_base;
    std::uint64_t stack_size;
    std::uint64_t entry;
    std::uint64_t next_slot;
};

constexpr std::uint64_t kInitWaitUs = 10'000;  // SDM vol. 3A 9.4.4.1: 10 ms after INIT
constexpr std::uint64_t kStartupWaitUs = 200;  // 200 us after each SIPI
constexpr std::uint64_t kArrivalTimeoutUs = 100'000;
constexpr std::uint64_t kEferLongModeEnable = 1ull << 8;
constexpr std::uint64_t kEferNoExecuteEnable = 1ull << 11;

// Slot i of the AP table: which APIC ID it belongs to. APs find their index by APIC ID.
std::uint32_t g_slot_apic_id[kMaxCpus];
std::uint32_t g_slot_count;
std::atomic<std::uint32_t> g_arrived{0};

}  // namespace

extern "C" [[noreturn]] void ap_main(std::uint64_t /*stack_slot*/, std::uint64_t kernel_cr3);

StartResult start_aps(std::span<const std::uint32_t> apic_ids, std::uint64_t trampoline_page,
                      std::uint64_t kernel_cr3) {
    const std::uint32_t self = x86::lapic::current_id();
    StartResult result{1, 0, 0};
    g_slot_count = 1;
    g_slot_apic_id[0] = self;
    for (std::uint32_t id : apic_ids) {
        if (id == self) continue;
        if (g_slot_count == kMaxCpus) {
            ++result.dropped;
            continue;
        }
        g_slot_apic_id[g_slot_count++] = id;
    }
    if (g_slot_count == 1) return result;

    const std::size_t blob = static_cast<std::size_t>(__ap_trampoline_end - __ap_trampoline_start);
    auto* page = static_cast<char*>(phys_to_virt(trampoline_page));
    __builtin_memcpy(page, __ap_trampoline_start, blob);
    auto* params = reinterpret_cast<ApTrampolineParams*>(
        page + (ap_trampoline_params - __ap_trampoline_start));
    *params = ApTrampolineParams{
        .boot_cr3 = kernel_virt_to_phys(boot_pml4),
        .efer = kEferLongModeEnable | (x86::rdmsr(x86::Msr::kEfer) & kEferNoExecuteEnable),
        .kernel_cr3 = kernel_cr3,
        // Slots are handed out from 1 (slot 0 would be the BSP's); the AP then finds its CPU
        // index by APIC ID.
        .stack_base = reinterpret_cast<std::uint64_t>(ap_stack_base()),
        .stack_size = kKernelStackSize,
        .entry = reinterpret_cast<std::uint64_t>(&ap_main),
        .next_slot = 1,
    };
    asm volatile("mfence" ::: "memory");

    const auto vector_page = static_cast<std::uint8_t>(trampoline_page >> 12);
    for (std::uint32_t i = 1; i < g_slot_count; ++i) x86::lapic::send_init(g_slot_apic_id[i]);
    for (std::uint32_t i = 1; i < g_slot_count; ++i)
        x86::lapic::send_init_deassert(g_slot_apic_id[i]);
    time::delay_us(kInitWaitUs);
    for (int round = 0; round < 2; ++round) {
        for (std::uint32_t i = 1; i < g_slot_count; ++i) {
            if (!cpu(i).online.load(std::memory_order_acquire))
                x86::lapic::send_startup(g_slot_apic_id[i], vector_page);
        }
        time::delay_us(kStartupWaitUs);
        if (g_arrived.load() == g_slot_count - 1) break;
    }
    const std::uint64_t deadline = time::now_ns() + kArrivalTimeoutUs * 1000;
    while (online_cpu_count() < g_slot_count && time::now_ns() < deadline) x86::cpu_relax();

    result.online = online_cpu_count();
    result.missing = g_slot_count - result.online;
    for (std::uint32_t i = 1; i < g_slot_count; ++i) {
        if (!cpu(i).online.load()) log("smp: cpu apic_id=", g_slot_apic_id[i], " did not start");
    }
    return result;
}

// First C++ code on an AP, on its stack slot in the kernel window.
extern "C" [[noreturn]] void ap_main(std::uint64_t /*stack_slot*/, std::uint64_t kernel_cr3) {
    x86::write_cr3(kernel_cr3);
    x86::lapic::init_this_cpu();
    const std::uint32_t apic_id = x86::lapic::current_id();
    g_arrived.fetch_add(1);
    std::uint32_t index = 0;
    for (std::uint32_t i = 1; i < g_slot_count; ++i) {
        if (g_slot_apic_id[i] == apic_id) index = i;
    }
    if (index == 0) x86::halt_forever();  // not a CPU we started: stay out of the way
    init_this_cpu(index, apic_id);
    idle_loop();
}

}  // namespace hv::smp
