// Reads and writes a large memory BAR of a PCI function on bus 0 (configuration mechanism #1).
// Under the hypervisor that BAR belongs to an assigned device and may sit far above 4 GiB, so
// this exercises the BAR mapping; the guest reaches it through PAE paging, uncached.
//
// Sizes the BAR the standard way (PCI spec 3.0 sec. 6.2.5.1) and prints
// `NOTE bar base=0x... size=0x...`, checks the size, enables memory decode, then writes a
// distinct dword at offsets 0, 4 KiB, 2 MiB, 1 GiB + 4 KiB and the last dword (those the BAR
// has), reads them all back, and finally writes and reads back a 64 KiB block at offset 0. The
// patterns start from the TSC, so data left by an earlier run cannot pass. Options:
//   vendor=0x1af4 device=0x1110   the function (default: ivshmem)
//   bar=2                         the BAR index (default 2)
//   expect_min_mib=N              size >= N MiB (default 1)
//   move_to=0xADDR                afterwards move the BAR there (decode off, BAR written, decode
//                                 on) and check that the block written before the move reads back
//                                 at the new address: the same device memory, mapped anew
#include "runtime.hpp"

const char rt::kGuestName[] = "bar_rw";

namespace {

constexpr uint64_t kDefaultVendor = 0x1AF4, kDefaultDevice = 0x1110;  // ivshmem
constexpr uint64_t kDefaultBar = 2;
constexpr uint64_t kDefaultMinMib = 1;
constexpr uint32_t kBlockBytes = 64 * 1024;

struct Probe {
    const char* name;
    uint64_t offset;
};

// Pointer to one dword of the BAR. A 4-byte aligned dword never crosses the 2 MiB window.
volatile uint32_t* dword_at(uint64_t phys) {
    return reinterpret_cast<volatile uint32_t*>(rt::map_physical(phys, /*uncached=*/true));
}

uint32_t pattern(uint32_t seed, uint32_t i) { return (seed ^ 0x5A3C96E1) + i * 0x9E3779B9; }

void check_dwords(uint64_t base, uint64_t size, uint32_t seed) {
    const Probe probes[] = {
        {"bar_rw.offset_0", 0},
        {"bar_rw.offset_4k", 4 * rt::kKiB},
        {"bar_rw.offset_2m", 2 * rt::kMiB},
        {"bar_rw.offset_1g_4k", rt::kGiB + 4 * rt::kKiB},
        {"bar_rw.last_dword", size - 4},
    };
    constexpr uint32_t kProbes = sizeof(probes) / sizeof(probes[0]);
    bool present[kProbes];
    // Every probe but the last must lie below the last dword, so that no two overlap.
    for (uint32_t i = 0; i < kProbes; ++i) {
        present[i] = i + 1 == kProbes || probes[i].offset + 4 <= size - 4;
        if (!present[i]) continue;
        volatile uint32_t* p = dword_at(base + probes[i].offset);
        if (p == nullptr) {
            rt::fail(probes[i].name, "0x%llx is beyond what the guest can map",
                     base + probes[i].offset);
            return;
        }
        *p = pattern(seed, i);
    }
    for (uint32_t i = 0; i < kProbes; ++i) {
        if (!present[i]) {
            rt::skip(probes[i].name, "BAR of 0x%llx bytes is too small", size);
            continue;
        }
        uint32_t value = *dword_at(base + probes[i].offset);
        rt::check(value == pattern(seed, i), probes[i].name, "0x%llx read 0x%x, wrote 0x%x",
                  base + probes[i].offset, value, pattern(seed, i));
    }
}

// The BAR is naturally aligned to its power-of-two size, so a block at offset 0 no longer than
// the BAR stays inside one 2 MiB window frame.
void check_block(uint64_t base, uint64_t size, uint32_t seed) {
    uint32_t bytes = size < kBlockBytes ? static_cast<uint32_t>(size) : kBlockBytes;
    auto* block = reinterpret_cast<volatile uint32_t*>(rt::map_physical(base, /*uncached=*/true));
    if (block == nullptr) {
        rt::fail("bar_rw.block", "0x%llx is beyond what the guest can map", base);
        return;
    }
    uint32_t words = bytes / 4;
    for (uint32_t i = 0; i < words; ++i) block[i] = pattern(~seed, i);
    uint32_t wrong = 0, first_wrong = 0;
    for (uint32_t i = 0; i < words; ++i) {
        if (block[i] != pattern(~seed, i)) {
            if (wrong == 0) first_wrong = i * 4;
            ++wrong;
        }
    }
    rt::check(wrong == 0, "bar_rw.block", "%u of %u dwords read back wrong, first at offset 0x%x",
              wrong, words, first_wrong);
}

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo*) {
    auto vendor = static_cast<uint16_t>(rt::cmdline_u64("vendor", kDefaultVendor));
    auto device = static_cast<uint16_t>(rt::cmdline_u64("device", kDefaultDevice));
    uint64_t index = rt::cmdline_u64("bar", kDefaultBar);
    uint64_t min_mib = rt::cmdline_u64("expect_min_mib", kDefaultMinMib);

    rt::PciFunction f;
    if (!rt::pci_find(0, vendor, device, &f)) {
        rt::fail("bar_rw.found", "no %x:%x on bus 0", vendor, device);
        return;
    }
    rt::PciBar bar;
    if (index >= rt::kPciBarCount || !rt::pci_read_bar(f, static_cast<uint32_t>(index), &bar) ||
        !bar.memory) {
        rt::fail("bar_rw.bar", "%x:%x.%x has no memory BAR %llu", f.bus, f.device, f.function,
                 index);
        return;
    }
    rt::pci_size_bar(f, static_cast<uint32_t>(index), &bar);
    rt::note("%x:%x at %x:%x.%x bar%llu: %s%s memory", vendor, device, f.bus, f.device, f.function,
             index, bar.is_64bit ? "64-bit" : "32-bit", bar.prefetchable ? " prefetchable" : "");
    rt::note("bar base=0x%llx size=0x%llx", bar.base, bar.size);
    rt::check(bar.size >= min_mib * rt::kMiB, "bar_rw.size", "0x%llx bytes, expected >= %llu MiB",
              bar.size, min_mib);
    if (bar.base == 0 || bar.size < 8) {
        rt::fail("bar_rw.bar", "BAR not assigned");
        return;
    }

    uint16_t command = rt::pci_read16(f, rt::kPciCommand);
    rt::pci_write16(f, rt::kPciCommand, command | rt::kPciCommandMemory);
    auto seed = static_cast<uint32_t>(rt::rdtsc());
    check_dwords(bar.base, bar.size, seed);
    check_block(bar.base, bar.size, seed);

    const uint64_t move_to = rt::cmdline_u64("move_to", 0);
    if (move_to == 0) return;
    const auto reg = static_cast<uint8_t>(rt::kPciBar0 + 4 * index);
    const uint32_t low_bits = rt::pci_read32(f, reg) & 0xF;  // type and prefetchable bits
    rt::pci_write16(f, rt::kPciCommand, command);            // decode off while it moves
    rt::pci_write32(f, reg, static_cast<uint32_t>(move_to) | low_bits);
    if (bar.is_64bit) rt::pci_write32(f, static_cast<uint8_t>(reg + 4), move_to >> 32);
    rt::pci_write16(f, rt::kPciCommand, command | rt::kPciCommandMemory);
    rt::PciBar moved;
    rt::pci_read_bar(f, static_cast<uint32_t>(index), &moved);
    rt::note("bar moved to 0x%llx", moved.base);
    rt::check(moved.base == move_to, "bar_rw.moved", "BAR reads 0x%llx, wrote 0x%llx", moved.base,
              move_to);
    auto* block = reinterpret_cast<volatile uint32_t*>(rt::map_physical(move_to, true));
    uint32_t wrong = 0;
    for (uint32_t i = 0; i < 1024; ++i) wrong += block[i] != pattern(~seed, i) ? 1 : 0;
    rt::check(wrong == 0, "bar_rw.same_memory_after_move",
              "%u of the first 1024 dwords differ from what was written before the move", wrong);
}
