#include "arch/x86/cpu/descriptors.hpp"

namespace hv::x86 {
namespace {

// Code/data descriptor bits (SDM vol. 3A figure 3-8, table 3-1).
constexpr std::uint64_t kDescPresent = 1ull << 47;
constexpr std::uint64_t kDescCodeData = 1ull << 44;  // S: code or data, not system
constexpr std::uint64_t kDescExecutable = 1ull << 43;
constexpr std::uint64_t kDescWritable = 1ull << 41;  // data: writable / code: readable
constexpr std::uint64_t kDescLong = 1ull << 53;      // L: 64-bit code
constexpr std::uint64_t kDescDefault32 =
    1ull << 54;  // D/B: ignored in 64-bit mode, set as for flat data
constexpr std::uint64_t kDescGranularity = 1ull << 55;
constexpr std::uint64_t kDescLimitMax = 0xFull << 48 | 0xFFFF;
constexpr std::uint64_t kTypeTssAvailable = 0x9;  // SDM vol. 3A table 3-2

constexpr std::uint64_t kCodeDescriptor = kDescPresent | kDescCodeData | kDescExecutable |
                                          kDescWritable | kDescLong | kDescGranularity |
                                          kDescLimitMax;
constexpr std::uint64_t kDataDescriptor = kDescPresent | kDescCodeData | kDescWritable |
                                          kDescDefault32 | kDescGranularity | kDescLimitMax;

// 64-bit interrupt gate (SDM vol. 3A figure 7-8).
struct IdtGate {
    std::uint16_t offset_low;
    std::uint16_t selector;
    std::uint8_t ist;
    std::uint8_t type_attr;
    std::uint16_t offset_mid;
    std::uint32_t offset_high;
    std::uint32_t reserved;
};
static_assert(sizeof(IdtGate) == 16);
constexpr std::uint8_t kInterruptGatePresent = 0x8E;  // P=1, DPL=0, type 1110b

struct [[gnu::packed]] DescriptorPointer {
    std::uint16_t limit;
    std::uint64_t base;
};

alignas(16) IdtGate g_idt[256];

// Vectors whose handlers get a known-good stack.
constexpr std::uint8_t kVectorNmi = 2;
constexpr std::uint8_t kVectorDoubleFault = 8;
constexpr std::uint8_t kVectorMachineCheck = 18;

}  // namespace
}  // namespace hv::x86

extern "C" const std::uint64_t isr_stub_table[256];

namespace hv::x86 {

void load_descriptors(CpuDescriptors& d) {
    d.gdt[0] = 0;
    d.gdt[1] = kCodeDescriptor;
    d.gdt[2] = kDataDescriptor;
    const auto tss = reinterpret_cast<std::uint64_t>(&d.tss);
    const std::uint64_t limit = sizeof(Tss64) - 1;
    // System descriptor, 16 bytes in long mode (SDM vol. 3A figure 8-4).
    d.gdt[3] = (limit & 0xFFFF) | ((tss & 0xFFFFFF) << 16) | (kTypeTssAvailable << 40) |
               kDescPresent | (((tss >> 24) & 0xFF) << 56);
    d.gdt[4] = tss >> 32;

    d.tss = Tss64{};
    d.tss.iomap_base = sizeof(Tss64);  // no I/O permission bitmap
    for (int i = 0; i < 3; ++i) {
        d.tss.ist[i] = reinterpret_cast<std::uint64_t>(d.ist_stacks[i] + kIstStackSize);
    }

    const DescriptorPointer gdtr{sizeof(d.gdt) - 1, reinterpret_cast<std::uint64_t>(d.gdt)};
    asm volatile(
        "lgdt %0\n"
        "pushq %1\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"
        "1:\n"
        "mov %2, %%ds\n"
        "mov %2, %%es\n"
        "mov %2, %%ss\n"
        "ltr %w3\n"
        :
        : "m"(gdtr), "i"(static_cast<std::uint64_t>(kKernelCode)),
          "r"(static_cast<std::uint64_t>(kKernelData)),
          "r"(static_cast<std::uint64_t>(kTssSelector))
        : "rax", "memory");
}

void init_idt() {
    for (int v = 0; v < 256; ++v) {
        const std::uint64_t handler = isr_stub_table[v];
        Ist ist = Ist::kNone;
        if (v == kVectorNmi) ist = Ist::kNmi;
        if (v == kVectorDoubleFault) ist = Ist::kDoubleFault;
        if (v == kVectorMachineCheck) ist = Ist::kMachineCheck;
        g_idt[v] = IdtGate{
            .offset_low = static_cast<std::uint16_t>(handler),
            .selector = kKernelCode,
            .ist = static_cast<std::uint8_t>(ist),
            .type_attr = kInterruptGatePresent,
            .offset_mid = static_cast<std::uint16_t>(handler >> 16),
            .offset_high = static_cast<std::uint32_t>(handler >> 32),
            .reserved = 0,
        };
    }
    load_idt();
}

void load_idt() {
    const DescriptorPointer idtr{sizeof(g_idt) - 1, reinterpret_cast<std::uint64_t>(g_idt)};
    asm volatile("lidt %0" ::"m"(idtr) : "memory");
}

}  // namespace hv::x86
