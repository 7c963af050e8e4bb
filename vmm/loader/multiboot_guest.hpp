#pragma once
// Loading a Multiboot (0.6.96) ELF kernel into a VM, as docs/guest_abi.md "Multiboot (v1) guests"
// promises: segments at their ELF physical addresses, then the Multiboot information built in the
// Multiboot area of guest_layout.hpp:
//
//   0x9000  multiboot_info (sec 3.3), flags MEM | CMDLINE | MODS | MMAP (bits 0, 2, 3, 6)
//   0x9100  module list: one entry (mod_start, mod_end, string, 0) if a module is given
//   0x9200  memory map: guest_memory_map() as 24-byte entries (size = 20, base, length, type)
//   0x9400  module string (the module's name), NUL-terminated, at most kMaxMultibootNameLen
//   0xA000  command line, NUL-terminated, at most kMaxMultibootCmdlineLen
//
// The module is copied page-aligned right after the highest kernel segment (and not below 1 MiB).
// The caller enters the guest as sec 3.2 says: 32-bit protected mode, paging off, flat segments,
// EIP = entry, EAX = boot::kMultiboot1Magic, EBX = info_gpa.
//
// The Multiboot header's a.out kludge (flag 16) is ignored: ELF program headers are authoritative.
// Requirement flags other than page-aligned modules (bit 0) and memory information (bit 1) make
// the image unsupported (sec 3.1.2: a loader must refuse requirements it cannot meet).
#include <cstdint>

#include "kernel/lib/bytes.hpp"
#include "kernel/lib/optional.hpp"
#include "kernel/lib/str.hpp"
#include "vmm/loader/guest_layout.hpp"
#include "vmm/loader/guest_ram.hpp"
#include "vmm/loader/load_error.hpp"

namespace hv::vmm::loader {

inline constexpr std::uint64_t kMultibootInfoGpa = kMultibootAreaGpa;
inline constexpr std::uint64_t kMultibootModulesGpa = kMultibootAreaGpa + 0x100;
inline constexpr std::uint64_t kMultibootMmapGpa = kMultibootAreaGpa + 0x200;
inline constexpr std::uint64_t kMultibootNameGpa = kMultibootAreaGpa + 0x400;
inline constexpr std::uint64_t kMultibootCmdlineGpa = kMultibootAreaGpa + 0x1000;
inline constexpr std::size_t kMaxMultibootNameLen = 0x400 - 1;
inline constexpr std::size_t kMaxMultibootCmdlineLen = 0x1000 - 1;

// Multiboot 0.6.96 sec 3.3, `flags`.
inline constexpr std::uint32_t kMultibootInfoMem = 1u << 0;
inline constexpr std::uint32_t kMultibootInfoCmdline = 1u << 2;
inline constexpr std::uint32_t kMultibootInfoMods = 1u << 3;
inline constexpr std::uint32_t kMultibootInfoMmap = 1u << 6;

struct BootModule {
    Bytes data;
    StrView name;  // becomes the module's string
};

struct MultibootLoadRequest {
    Bytes kernel;                 // the whole ELF file
    Optional<BootModule> module;  // becomes module 0
    StrView cmdline;
};

struct MultibootLoad {
    std::uint32_t entry = 0;     // EIP: e_entry translated to a physical address
    std::uint32_t info_gpa = 0;  // EBX
    LoadedRanges ranges;         // kernel segments, module, Multiboot area
};

// Loads the kernel (and module) into `ram` and builds the Multiboot information. Fails, naming the
// segment, address and size, if the image is not a Multiboot ELF, demands unsupported features,
// has a segment outside RAM below 4 GiB or overlapping the reserved area [0x9FC00, 1 MiB), the
// boot scratch area or the Multiboot area, has its entry point outside every segment, or if the
// module, its name or the command line does not fit. On failure guest RAM may be partly written.
[[nodiscard]] LoadResult<MultibootLoad> load_multiboot(GuestRam& ram,
                                                       const MultibootLoadRequest& request);

// "multiboot entry=0x100000 ebx=0x9000 kernel 0x100000-0x104000 ..."
void format_to(Sink& s, const MultibootLoad& load);

}  // namespace hv::vmm::loader
