// Large-page backing of guest RAM (docs/guest_abi.md: 1 GiB host pages where alignment allows,
// else 2 MiB, never 4 KiB). Asks memory_info for every 2 MiB of usable RAM below 4 GiB and counts
// the distinct backing pages. Options:
//   expect_1g=1   at least one 1 GiB backing must be reported
// memory_info takes its address in EBX, so a 32-bit guest cannot ask about RAM above 4 GiB; that
// part is reported but not probed. Skipped without AIHypervisor.
#include "runtime.hpp"

const char rt::kGuestName[] = "large_pages";

namespace {

constexpr uint64_t kProbeStride = 2 * rt::kMiB;
constexpr uint64_t k4GiB = 4 * rt::kGiB;

struct Counts {
    uint32_t probes, giant, large, small, other, not_ram;
    uint64_t last_giant_frame;  // index + 1 of the last 1 GiB frame counted, 0 for none
    uint64_t first_bad;
    bool bad_seen;
};

void probe(uint64_t addr, Counts& c) {
    rt::HypercallResult r = rt::hypercall(rt::Hypercall::kMemoryInfo, static_cast<uint32_t>(addr));
    ++c.probes;
    bool bad = false;
    if (r.status != rt::kStatusOk || r.rcx != 1) {
        ++c.not_ram;
        bad = true;
    } else if (r.rbx == rt::kGiB) {
        uint64_t frame = (addr >> 30) + 1;
        if (frame != c.last_giant_frame) ++c.giant;
        c.last_giant_frame = frame;
    } else if (r.rbx == 2 * rt::kMiB) {
        ++c.large;
    } else if (r.rbx == 4096) {
        ++c.small;
        bad = true;
    } else {
        ++c.other;
        bad = true;
    }
    if (bad && !c.bad_seen) {
        c.bad_seen = true;
        c.first_bad = addr;
        rt::note("memory_info(0x%llx): status %d page size 0x%x ram %u", addr, r.status, r.rbx,
                 r.rcx);
    }
}

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo*) {
    if (!rt::under_aihypervisor()) {
        rt::skip("large_pages", "not under AIHypervisor (no signature at CPUID 0x40000000)");
        return;
    }
    Counts c{};
    uint64_t unprobed = 0;
    rt::MemoryRegion r;
    for (uint32_t i = 0; rt::memory_region(i, &r); ++i) {
        if (r.type != rt::kMemoryAvailable || r.length == 0) continue;
        uint64_t end = r.end() < k4GiB ? r.end() : k4GiB;
        if (r.end() > end) unprobed += r.end() - (r.base > end ? r.base : end);
        for (uint64_t addr = r.base & ~(kProbeStride - 1); addr < end; addr += kProbeStride) {
            // Probe inside the region: its first byte, else the start of each 2 MiB frame.
            probe(addr < r.base ? r.base : addr, c);
        }
    }
    rt::print("large_pages: backings 1g=%u 2m=%u 4k=%u other=%u not_ram=%u probes=%u\n", c.giant,
              c.large, c.small, c.other, c.not_ram, c.probes);
    if (unprobed > 0) {
        rt::note("0x%llx bytes of RAM above 4 GiB not probed (32-bit hypercall arguments)",
                 unprobed);
    }
    rt::check(c.probes > 0 && !c.bad_seen, "large_pages.no_4k",
              "%u probes: 4k=%u other=%u not_ram=%u, first at 0x%llx", c.probes, c.small, c.other,
              c.not_ram, c.first_bad);
    if (rt::cmdline_u64("expect_1g", 0) == 1) {
        rt::check(c.giant > 0, "large_pages.1g_present", "no 1 GiB backing among %u probes",
                  c.probes);
    }
}
