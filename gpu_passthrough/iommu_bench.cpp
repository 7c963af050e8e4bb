#include "gpu_passthrough/iommu_bench.hpp"

#include "arch/x86/cpu/msr.hpp"
#include "kernel/console.hpp"
#include "kernel/time.hpp"

namespace hv::passthrough {
namespace {

constexpr std::uint64_t kSpan = kGiB;

struct Leaves {
    const char* name;
    std::uint64_t hpa;  // alignment of the host side picks the largest possible leaf
};

// Host addresses far above any RAM the test machines have; mapping them writes only I/O page
// tables, and with nothing attached no device can use them.
constexpr Leaves kLeaves[] = {
    {"1g", 64 * kGiB},
    {"2m", 64 * kGiB + 2 * kMiB},
    {"4k", 64 * kGiB + kPageSize},
};

// GiB per second, in hundredths, from `tsc` cycles for kSpan bytes.
std::uint64_t centi_gib_per_s(std::uint64_t tsc) {
    if (tsc == 0) return 0;
    return static_cast<std::uint64_t>(static_cast<unsigned __int128>(time::tsc_hz()) * 100 *
                                      (kSpan / kGiB) / tsc);
}

void bench_one(Iommu& iommu, const Leaves& l) {
    auto domain = iommu.create_domain();
    if (!domain) return log("iommu bench ", iommu.name(), " FAIL ", domain.error().what);
    IommuDomain& d = *domain.value();
    const std::uint64_t empty = d.table_bytes();
    const std::uint64_t t0 = x86::rdtsc();
    auto mapped = d.map(0, HostPhys(l.hpa), kSpan, /*write=*/true);
    const std::uint64_t t1 = x86::rdtsc();
    const std::uint64_t tables = d.table_bytes() - empty;
    auto unmapped = d.unmap(0, kSpan);
    const std::uint64_t t2 = x86::rdtsc();
    iommu.destroy_domain(&d);
    if (!mapped)
        return log("iommu bench ", iommu.name(), " leaves=", l.name, " FAIL ", mapped.error().what);
    if (!unmapped)
        return log("iommu bench ", iommu.name(), " leaves=", l.name, " FAIL ",
                   unmapped.error().what);
    const std::uint64_t map_rate = centi_gib_per_s(t1 - t0);
    const std::uint64_t unmap_rate = centi_gib_per_s(t2 - t1);
    log("iommu bench ", iommu.name(), " leaves=", l.name, " map_tsc=", t1 - t0,
        " unmap_tsc=", t2 - t1, " map_gib_per_s=", map_rate / 100, '.', Dec{map_rate % 100, 2},
        " unmap_gib_per_s=", unmap_rate / 100, '.', Dec{unmap_rate % 100, 2},
        " table_bytes_per_gib=", tables);
}

}  // namespace

void run_iommu_bench(Iommu* iommu) {
    if (iommu == nullptr) return log("iommu bench FAIL no IOMMU enabled");
    for (const Leaves& l : kLeaves) bench_one(*iommu, l);
}

}  // namespace hv::passthrough
