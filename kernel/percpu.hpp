#pragma once
// Per-CPU data. Each CPU's GS base points at its PerCpu block (self pointer at offset 0), so
// this_cpu() is one load. Blocks are static: there is one for every CPU slot the hypervisor
// supports, indexed by boot order (0 = BSP).
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "arch/x86/cpu/descriptors.hpp"

namespace hv {

inline constexpr std::uint32_t kMaxCpus = 64;
inline constexpr std::size_t kKernelStackSize = 16 * 1024;

using WorkFn = void (*)(void*);

struct PerCpu {
    PerCpu* self;  // must stay first: read through %gs:0
    std::uint32_t index;
    std::uint32_t apic_id;
    std::atomic<bool> online;
    // Work handed to this CPU while it idles (cpu_work.hpp): set by another CPU, taken here.
    std::atomic<WorkFn> work;
    void* work_arg;
    x86::CpuDescriptors descriptors;
};
static_assert(__builtin_offsetof(PerCpu, self) == 0);

PerCpu& cpu(std::uint32_t index);
PerCpu& this_cpu();
std::uint32_t online_cpu_count();

// Sets GS base, loads this CPU's GDT/TSS and the shared IDT, marks it online.
void init_this_cpu(std::uint32_t index, std::uint32_t apic_id);

// Kernel stacks for application processors, one per slot (the BSP runs on bsp_stack).
std::uint8_t* ap_stack_base();

}  // namespace hv
