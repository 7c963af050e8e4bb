#include "kernel/percpu.hpp"

#include "arch/x86/cpu/msr.hpp"
#include "arch/x86/paging/hpt_format.hpp"

namespace hv {
namespace {

PerCpu g_cpus[kMaxCpus];
alignas(4096) std::uint8_t g_ap_stacks[kMaxCpus][kKernelStackSize];
std::atomic<std::uint32_t> g_online{0};

}  // namespace

PerCpu& cpu(std::uint32_t index) { return g_cpus[index]; }

PerCpu& this_cpu() {
    PerCpu* p;
    asm volatile("mov %%gs:0, %0" : "=r"(p));
    return *p;
}

std::uint32_t online_cpu_count() { return g_online.load(std::memory_order_acquire); }

std::uint8_t* ap_stack_base() { return &g_ap_stacks[0][0]; }

void init_this_cpu(std::uint32_t index, std::uint32_t apic_id) {
    PerCpu& c = g_cpus[index];
    c.self = &c;
    c.index = index;
    c.apic_id = apic_id;
    x86::wrmsr(x86::Msr::kGsBase, reinterpret_cast<std::uint64_t>(&c));
    // The page-table formats encode cache types as indices into this PAT (write-combining = 4).
    x86::wrmsr(x86::Msr::kPat, paging::kHostPat);
    x86::load_descriptors(c.descriptors);
    x86::load_idt();
    c.online.store(true, std::memory_order_release);
    g_online.fetch_add(1, std::memory_order_acq_rel);
}

}  // namespace hv
