#pragma once
// Where the guest loaders put things in guest-physical memory, and the memory map they report.
//
//   0x0000_0000 +----------------------------+
//               | real-mode IVT/BDA (untouched)|
//   0x0000_1000 +----------------------------+
//               | boot scratch: reserved for |  the VM builder's boot GDT and identity page
//               | the VM builder (24 KiB)    |  tables; no loader writes here
//   0x0000_7000 +----------------------------+
//               | Linux boot_params (4 KiB)  |  "zero page", RSI at entry
//   0x0000_8000 +----------------------------+
//               | (free)                     |
//   0x0000_9000 +----------------------------+
//               | Multiboot info area (8 KiB)|  info struct, module list, memory map, strings;
//   0x0000_B000 +----------------------------+  EBX at entry
//               | (free)                     |
//   0x0002_0000 +----------------------------+
//               | Linux command line (64 KiB)|
//   0x0003_0000 +----------------------------+
//               | (free, usable)             |
//   0x0009_FC00 +----------------------------+
//               | reserved (EBDA, VGA, BIOS) |
//   0x0010_0000 +----------------------------+
//               | kernel: Multiboot segments |  at their ELF p_paddr; a bzImage at pref_address
//               | or the bzImage payload     |  (16 MiB for Debian) or the next aligned address
//               |  ... Multiboot module 0    |  page-aligned after the highest kernel segment
//               |  ... Linux initrd          |  page-aligned, as high as initrd_addr_max allows
//   top_below_4g+----------------------------+  (at most 3 GiB: docs/guest_abi.md)
//               | device registers, PCI      |
//   4 GiB       +----------------------------+
//               | RAM above 4 GiB, if any    |  reported usable, never loaded into
//               +----------------------------+
//
// A Multiboot guest and a Linux guest never share a VM, so their areas may coincide; each loader
// refuses an image that would overlap one of its own areas.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "boot/multiboot_info.hpp"
#include "kernel/lib/addr.hpp"
#include "vmm/loader/guest_ram.hpp"
#include "vmm/loader/load_error.hpp"

namespace hv::vmm::loader {

inline constexpr std::uint64_t k4GiB = 4 * kGiB;
// Conventional memory ends where a PC's extended BIOS data area starts (639 KiB).
inline constexpr std::uint64_t kLowRamEnd = 0x9FC00;
inline constexpr std::uint64_t kHighRamStart = kMiB;
// docs/guest_abi.md: RAM below 4 GiB ends at 3 GiB at the latest.
inline constexpr std::uint64_t kMaxRamTopBelow4g = 3 * kGiB;

inline constexpr std::uint64_t kBootScratchGpa = 0x1000;
inline constexpr std::uint64_t kBootScratchSize = 0x6000;

inline constexpr std::uint64_t kLinuxBootParamsGpa = 0x7000;
inline constexpr std::uint64_t kLinuxBootParamsSize = 0x1000;
inline constexpr std::uint64_t kLinuxCmdlineGpa = 0x20000;
inline constexpr std::uint64_t kLinuxCmdlineAreaSize = 0x10000;

inline constexpr std::uint64_t kMultibootAreaGpa = 0x9000;
inline constexpr std::uint64_t kMultibootAreaSize = 0x2000;

// [0, 0x9FC00) usable, [0x9FC00, 1 MiB) reserved, [1 MiB, top) usable, [4 GiB, 4 GiB + above)
// usable: the same list in the Multiboot memory map and the Linux e820 table.
inline constexpr std::size_t kMaxGuestMemoryRegions = 4;

struct GuestMemoryMap {
    std::array<boot::MemoryRegion, kMaxGuestMemoryRegions> storage{};
    std::size_t count = 0;

    [[nodiscard]] std::span<const boot::MemoryRegion> regions() const {
        return {storage.data(), count};
    }
};

// One piece of guest memory a loader wrote, for the VM builder's identity map and for logs.
struct LoadedRange {
    std::uint64_t gpa;
    std::uint64_t size;
    const char* what;  // a string literal: "kernel", "initrd", "boot_params", ...
};

// Enough for a Multiboot kernel's segments plus module and information area, or a Linux guest.
inline constexpr std::size_t kMaxLoadedRanges = 20;

struct LoadedRanges {
    std::array<LoadedRange, kMaxLoadedRanges> storage{};
    std::size_t count = 0;

    // Loaders add at most kMaxLoadedRanges ranges (checked by static_assert where they are built).
    constexpr void add(std::uint64_t gpa, std::uint64_t size, const char* what) {
        if (count < storage.size()) storage[count++] = {gpa, size, what};
    }
    [[nodiscard]] std::span<const LoadedRange> view() const { return {storage.data(), count}; }
};

// "kernel 0x100000-0x180000" (end exclusive).
void format_to(Sink& s, const LoadedRange& range);

// The memory map of `ram`. Fails if RAM below 4 GiB does not reach past 1 MiB or reaches past
// 3 GiB, or the RAM above 4 GiB would wrap the address space.
[[nodiscard]] LoadResult<GuestMemoryMap> guest_memory_map(const GuestRam& ram);

}  // namespace hv::vmm::loader
