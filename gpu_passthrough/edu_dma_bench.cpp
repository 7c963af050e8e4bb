#include "gpu_passthrough/edu_dma_bench.hpp"

#include "arch/x86/cpu/control_regs.hpp"
#include "arch/x86/cpu/msr.hpp"
#include "gpu_passthrough/edu_device.hpp"
#include "gpu_passthrough/fault_report.hpp"
#include "kernel/console.hpp"
#include "kernel/direct_map.hpp"
#include "kernel/kernel_memory.hpp"
#include "kernel/mmio.hpp"
#include "kernel/time.hpp"

namespace hv::passthrough {
namespace {

// As the guest's edu_dma(): wait for an idle device, program and start the DMA, then poll the
// run bit with PAUSE in between (no 100 us sleeps, unlike Edu::dma, so both sides poll alike).
bool timed_dma(Edu& edu, std::uint64_t src, std::uint64_t dst, bool to_ram) {
    std::uint64_t deadline = time::now_ns() + kEduDmaTimeoutNs;
    while (edu.dma_running()) {
        if (time::now_ns() > deadline) return false;
        x86::cpu_relax();
    }
    edu.start_dma(src, dst, kEduTransferBytes, to_ram);
    deadline = time::now_ns() + kEduDmaTimeoutNs;
    while (edu.dma_running()) {
        if (time::now_ns() > deadline) return false;
        x86::cpu_relax();
    }
    return true;
}

// xorshift32 from a TSC seed: a pattern left in edu's buffer by an earlier DMA (the self-test's)
// cannot pass the compare.
void fill_pattern(std::uint8_t* bytes, std::uint64_t n) {
    auto x = static_cast<std::uint32_t>(x86::rdtsc()) | 1;
    for (std::uint64_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes[i] = static_cast<std::uint8_t>(x);
    }
}

struct Measurement {
    std::uint32_t round_trips = 0;  // completed
    std::uint64_t cycles = 0;
    const char* failure = nullptr;
};

// The timed loop, with edu attached to its domain; the data is checked afterwards.
void timed_loop(Iommu& iommu, pci::Bdf bdf, Edu& edu, const std::uint8_t* bytes, std::uint32_t n,
                Measurement& m) {
    DeviceFaultRecorder faults(bdf);
    iommu.poll_faults(faults);  // anything stale
    faults.reset();
    const std::uint64_t t0 = x86::rdtsc();
    for (; m.round_trips < n; ++m.round_trips) {
        if (!timed_dma(edu, kEduTestIova, kEduBuffer, /*to_ram=*/false) ||
            !timed_dma(edu, kEduBuffer, kEduTestIova + kPageSize, /*to_ram=*/true))
            break;
    }
    m.cycles = x86::rdtsc() - t0;
    iommu.poll_faults(faults);
    asm volatile("" : : : "memory");  // edu wrote page 1 behind the compiler's back
    if (m.round_trips != n)
        m.failure = "edu DMA hung";
    else if (faults.count != 0)
        m.failure = "DMA through the domain faulted";
    else if (__builtin_memcmp(bytes, bytes + kPageSize, kEduTransferBytes) != 0)
        m.failure = "data mismatch after the round trips";
}

// Pages, domain, attach, the loop, detach, teardown.
Measurement measure(Iommu& iommu, pci::Bdf bdf, Edu& edu, std::uint32_t n) {
    Measurement m;
    auto pages = memory::allocate(2 * kPageSize, kPageSize);
    if (!pages) {
        m.failure = "no memory for the DMA pages";
        return m;
    }
    const HostPhys phys = pages.value();
    auto* bytes = static_cast<std::uint8_t*>(phys_to_virt(phys));
    fill_pattern(bytes, kEduTransferBytes);
    __builtin_memset(bytes + kPageSize, 0, kPageSize);

    auto domain = iommu.create_domain();
    if (!domain) {
        m.failure = domain.error().what;
    } else {
        IommuDomain& d = *domain.value();
        if (auto r = d.map(kEduTestIova, phys, 2 * kPageSize, /*write=*/true); !r) {
            m.failure = r.error().what;
        } else if (auto a = iommu.attach(bdf, d); !a) {
            m.failure = a.error().what;
        } else {
            timed_loop(iommu, bdf, edu, bytes, n, m);
            // Blocked again before the pages go back to the allocator, should a DMA still be
            // pending in edu.
            iommu.detach(bdf);
        }
        if (auto r = d.unmap(kEduTestIova, 2 * kPageSize); !r && m.failure == nullptr)
            m.failure = r.error().what;
        iommu.destroy_domain(&d);
    }
    memory::free(phys, 2 * kPageSize);
    return m;
}

}  // namespace

void run_edu_dma_bench(Iommu* iommu, std::uint32_t round_trips) {
    if (iommu == nullptr) return log("edu dma bench FAIL no IOMMU enabled");
    const pci::PciFunction* fn = find_edu();
    if (fn == nullptr) return log("edu dma bench FAIL no edu device (1234:11e8)");
    const pci::Bar& bar = fn->bars.bar[0];
    if (bar.kind != pci::BarKind::kMem32 && bar.kind != pci::BarKind::kMem64)
        return log("edu dma bench device=", fn->bdf, " FAIL BAR0 is not memory");
    auto regs = mmio_map(HostPhys(bar.base), kEduBar0Bytes);
    if (!regs) return log("edu dma bench device=", fn->bdf, " FAIL ", regs.error().what);
    pci::ConfigSpace& cs = pci::host_config();
    const std::uint16_t command = cs.read(fn->bdf, pci::Reg16::kCommand);
    cs.write(fn->bdf, pci::Reg16::kCommand,
             command | pci::command::kMemorySpace | pci::command::kBusMaster);

    Edu edu(regs.value());
    Measurement m;
    if (!edu.alive())
        m.failure = "edu registers do not answer";
    else
        m = measure(*iommu, fn->bdf, edu, round_trips);
    cs.write(fn->bdf, pci::Reg16::kCommand, command);

    if (m.failure != nullptr)
        log("edu dma bench device=", fn->bdf, " FAIL ", m.failure);
    else
        log("edu dma bench device=", fn->bdf,
            " bytes=", std::uint64_t{m.round_trips} * 2 * kEduTransferBytes, " cycles=", m.cycles);
}

}  // namespace hv::passthrough
