#pragma once
// The boot information a Multiboot loader (GRUB) hands the kernel, reduced to what the hypervisor
// needs: command lines, the firmware memory map, boot modules (the VM manifest and guest images),
// the ACPI RSDP and whether firmware was EFI.
//
// Two inputs, one output:
//   - Multiboot2 (spec 1.0, sec 3.6): one self-contained block of 8-byte aligned tags, parsed from
//     Bytes; views in the result point into that block.
//   - Multiboot1 (spec 0.6.96, sec 3.3): a struct of physical pointers, followed through a
//     PhysReader; views point into the reader's memory.
// Either way the caller must keep the block mapped and must not hand its frames to an allocator
// while the BootInfo is in use: `info_base`/`info_size` give the range to reserve.
//
// Pure: no globals, no allocation. The loader is trusted to be honest but not to be bug-free, so
// every length is checked against the block.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "kernel/lib/bytes.hpp"
#include "kernel/lib/phys_reader.hpp"
#include "kernel/lib/result.hpp"
#include "kernel/lib/str.hpp"

namespace hv::boot {

// Value in EAX at kernel entry (Multiboot2 spec 3.3, Multiboot 0.6.96 sec 3.2).
inline constexpr std::uint32_t kMultiboot2Magic = 0x36d76289;
inline constexpr std::uint32_t kMultiboot1Magic = 0x2badb002;

// The e820 / ACPI address range types (ACPI 6.5, table 15.312), which Multiboot1 and the
// Multiboot2 memory map tag (spec 3.6.8) share. EFI types are translated into these.
enum class MemoryType : std::uint32_t {
    kUsable = 1,
    kReserved = 2,
    kAcpiReclaimable = 3,
    kAcpiNvs = 4,
    kBad = 5,
};

struct MemoryRegion {
    std::uint64_t base;
    std::uint64_t length;
    MemoryType type;
};

struct Module {
    std::uint64_t start;  // physical, inclusive
    std::uint64_t end;    // physical, exclusive (Multiboot2 spec 3.6.6)
    StrView cmdline;      // e.g. "/boot/vms.toml name=manifest"
};

enum class RsdpSource : std::uint8_t {
    kNone,     // not given by the loader: the kernel scans the BIOS areas (ACPI 6.5, 5.2.5.1)
    kAcpiOld,  // Multiboot2 tag 14, an ACPI 1.0 RSDP (20 bytes)
    kAcpiNew,  // Multiboot2 tag 15, an ACPI 2.0+ XSDP (36 bytes)
};

inline constexpr std::size_t kMaxMemoryRegions = 128;
inline constexpr std::size_t kMaxModules = 16;
// ACPI 6.5, 5.2.5.3: the extended RSDP is 36 bytes.
inline constexpr std::size_t kRsdpMaxSize = 36;

// About 3.6 KiB: parse into caller-provided storage (a static in the kernel) rather than
// returning it by value through Result, which would put several copies on the boot stack.
struct BootInfo {
    StrView cmdline;
    StrView loader_name;

    std::array<MemoryRegion, kMaxMemoryRegions> memory{};
    std::size_t memory_count = 0;

    std::array<Module, kMaxModules> modules_storage{};
    std::size_t module_count = 0;

    std::array<std::byte, kRsdpMaxSize> rsdp{};
    std::size_t rsdp_size = 0;
    RsdpSource rsdp_source = RsdpSource::kNone;

    bool efi = false;                       // an EFI system table tag was present
    std::uint64_t efi_system_table = 0;     // physical, 0 when absent
    bool efi_boot_services_active = false;  // Multiboot2 tag 18

    // Physical extent of the information block (for Multiboot1: of the struct and everything
    // it points to except module contents), to be reserved from the frame allocator.
    std::uint64_t info_base = 0;
    std::uint64_t info_size = 0;

    [[nodiscard]] std::span<const MemoryRegion> memory_map() const {
        return {memory.data(), memory_count};
    }
    [[nodiscard]] std::span<const Module> modules() const {
        return {modules_storage.data(), module_count};
    }
    [[nodiscard]] Bytes rsdp_bytes() const { return {rsdp.data(), rsdp_size}; }
    // The first module whose command line carries `name=<name>`, or nullptr.
    [[nodiscard]] const Module* find_module(StrView name) const;
};

// Parses a Multiboot2 information block. `magic` is the EAX value at entry; `info` is the whole
// block as mapped (at least total_size bytes); `info_phys` its physical address. `out` is reset
// first. Fails on a wrong magic, a bad total_size, a tag overrunning the block, a missing end
// tag, too many regions/modules, or no memory map with a usable region.
[[nodiscard]] Result<void> parse_multiboot2(std::uint32_t magic, Bytes info,
                                            std::uint64_t info_phys, BootInfo& out);

// Parses a Multiboot1 information struct at `info_phys`, following its pointers through `mem`.
[[nodiscard]] Result<void> parse_multiboot1(std::uint32_t magic, std::uint64_t info_phys,
                                            const PhysReader& mem, BootInfo& out);

// Dispatches on `magic` to one of the two above, reading a Multiboot2 block through `mem`.
[[nodiscard]] Result<void> parse_boot_info(std::uint32_t magic, std::uint64_t info_phys,
                                           const PhysReader& mem, BootInfo& out);

}  // namespace hv::boot
