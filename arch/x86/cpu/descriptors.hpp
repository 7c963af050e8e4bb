#pragma once
// Segment descriptors, the TSS and the IDT for 64-bit mode (Intel SDM vol. 3A sec 3.4.5, 8.7,
// 7.14). Each CPU owns a CpuDescriptors block (GDT + TSS); the IDT is shared.
#include <cstddef>
#include <cstdint>

namespace hv::x86 {

// Selector values of the hypervisor's GDT.
inline constexpr std::uint16_t kKernelCode = 0x08;
inline constexpr std::uint16_t kKernelData = 0x10;
inline constexpr std::uint16_t kTssSelector = 0x18;

// Interrupt stack table slots (SDM vol. 3A 7.14.5): faults that can arrive on a broken stack
// run on stacks of their own.
enum class Ist : std::uint8_t { kNone = 0, kDoubleFault = 1, kNmi = 2, kMachineCheck = 3 };
inline constexpr std::size_t kIstStackSize = 8192;

// 64-bit TSS (SDM vol. 3A figure 8-11).
struct [[gnu::packed]] Tss64 {
    std::uint32_t reserved0;
    std::uint64_t rsp[3];
    std::uint64_t reserved1;
    std::uint64_t ist[7];
    std::uint64_t reserved2;
    std::uint16_t reserved3;
    std::uint16_t iomap_base;
};
static_assert(sizeof(Tss64) == 104);
static_assert(offsetof(Tss64, ist) == 0x24);

struct CpuDescriptors {
    alignas(16) std::uint64_t gdt[5];  // null, code, data, TSS (two slots)
    Tss64 tss;
    alignas(16) std::uint8_t ist_stacks[3][kIstStackSize];
};

// Fills and loads this CPU's GDT and TSS, reloads the segment registers.
void load_descriptors(CpuDescriptors& d);

// Builds the shared IDT (once, on the BSP) and loads it on the calling CPU.
void init_idt();
void load_idt();

}  // namespace hv::x86
