#include "paging.hpp"

#include "cpu.hpp"

namespace rt {
namespace {

constexpr uint64_t kPresent = 1 << 0, kWritable = 1 << 1, kWriteThrough = 1 << 3,
                   kCacheDisable = 1 << 4, kLargePage = 1 << 7;  // SDM vol. 3 table 4-9
constexpr uint32_t kLargePageSize = 2 << 20;
constexpr uint32_t kEntriesPerTable = 512;
constexpr uint32_t kCr0Paging = 1u << 31, kCr4Pae = 1 << 5;
constexpr uint64_t kDeviceHole = uint64_t{3} << 30;

alignas(4096) uint64_t g_pdpt[4];
alignas(4096) uint64_t g_directories[4][kEntriesPerTable];
bool g_enabled;

uint64_t& window_entry() {
    return g_directories[kPagingWindow >> 30][(kPagingWindow >> 21) % kEntriesPerTable];
}

bool in_device_hole(uint64_t phys) { return phys >= kDeviceHole && phys < (uint64_t{4} << 30); }

uint64_t large_page_entry(uint64_t phys, bool uncached = false) {
    uint64_t flags = kPresent | kWritable | kLargePage;
    if (uncached || in_device_hole(phys)) flags |= kCacheDisable | kWriteThrough;
    return phys | flags;
}

uint32_t max_phys_bits() {
    if (cpuid(0x80000000).eax >= 0x80000008) return cpuid(0x80000008).eax & 0xFF;
    return 36;
}

}  // namespace

void paging_enable() {
    if (g_enabled) return;
    for (uint32_t d = 0; d < 4; ++d) {
        for (uint32_t i = 0; i < kEntriesPerTable; ++i) {
            g_directories[d][i] =
                large_page_entry((uint64_t{d} << 30) + uint64_t{i} * kLargePageSize);
        }
        g_pdpt[d] = reinterpret_cast<uint32_t>(&g_directories[d][0]) | kPresent;
    }
    write_cr4(read_cr4() | kCr4Pae);
    write_cr3(reinterpret_cast<uint32_t>(g_pdpt));
    write_cr0(read_cr0() | kCr0Paging);
    g_enabled = true;
}

bool paging_enabled() { return g_enabled; }

volatile uint8_t* map_physical(uint64_t phys, bool uncached) {
    bool in_window = phys >= kPagingWindow && phys < uint64_t{kPagingWindow} + kLargePageSize;
    if (phys < (uint64_t{4} << 30) && !uncached) {
        return reinterpret_cast<volatile uint8_t*>(static_cast<uint32_t>(phys));
    }
    if (uncached && in_device_hole(phys) && !in_window) {
        paging_enable();
        return reinterpret_cast<volatile uint8_t*>(static_cast<uint32_t>(phys));
    }
    if ((phys >> max_phys_bits()) != 0) return nullptr;
    paging_enable();
    uint64_t frame = phys & ~uint64_t{kLargePageSize - 1};
    window_entry() = large_page_entry(frame, uncached);
    invlpg(kPagingWindow);
    return reinterpret_cast<volatile uint8_t*>(kPagingWindow + static_cast<uint32_t>(phys - frame));
}

}  // namespace rt
