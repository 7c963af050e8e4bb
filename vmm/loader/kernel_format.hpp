#pragma once
// Which kind of guest kernel a boot module holds, decided from its headers alone
// (docs/ARCHITECTURE.md: "A guest kernel's format is detected from its headers").
//
//   Linux bzImage   boot sector signature 0xAA55 at 0x1FE and "HdrS" at 0x202
//                   (Documentation/arch/x86/boot.rst, "The Real-Mode Kernel Header")
//   Multiboot ELF   an ELF file with a Multiboot header (magic 0x1BADB002, flags, checksum
//                   summing to zero) 4-byte aligned within its first 8 KiB (Multiboot 0.6.96
//                   sec 3.1)
//
// Detection looks only at signatures; the format's own parser (parse_elf, parse_bzimage_header)
// validates the rest. Pure and total.
#include <cstddef>
#include <cstdint>

#include "kernel/lib/bytes.hpp"
#include "kernel/lib/optional.hpp"
#include "vmm/loader/load_error.hpp"

namespace hv::vmm::loader {

enum class KernelFormat : std::uint8_t {
    kMultibootElf32,
    kMultibootElf64,
    kLinuxBzImage,
    kUnknown,
};

// "multiboot-elf32", "multiboot-elf64", "linux-bzimage", "unknown".
[[nodiscard]] const char* name(KernelFormat format);

// Multiboot 0.6.96 sec 3.1.1 / 3.1.2.
inline constexpr std::uint32_t kMultibootHeaderMagic = 0x1badb002;
inline constexpr std::size_t kMultibootSearchLimit = 8192;
inline constexpr std::size_t kMultibootHeaderMinSize = 12;  // magic, flags, checksum
// Flag bits 0-15 are requirements a loader must meet or refuse the image; 16-31 are optional.
inline constexpr std::uint32_t kMultibootPageAlignModules = 1u << 0;
inline constexpr std::uint32_t kMultibootWantMemoryInfo = 1u << 1;
inline constexpr std::uint32_t kMultibootWantVideoMode = 1u << 2;
inline constexpr std::uint32_t kMultibootRequirementMask = 0xffff;
inline constexpr std::uint32_t kMultibootAoutKludge = 1u << 16;

struct MultibootHeader {
    std::size_t offset;  // in the file
    std::uint32_t flags;
};

// The first valid Multiboot header (magic and checksum) in the first 8 KiB, if any.
[[nodiscard]] Optional<MultibootHeader> find_multiboot_header(Bytes image);

// True if the image carries the bzImage signatures (0xAA55 at 0x1FE, "HdrS" at 0x202).
[[nodiscard]] bool has_bzimage_signature(Bytes image);

// The format from the signatures; kUnknown if none matches.
[[nodiscard]] KernelFormat classify_kernel(Bytes image);

// As classify_kernel(), but an unrecognised image is an error that says what was found, e.g.
// "not a bzImage or Multiboot ELF: no 'HdrS' signature and no Multiboot header".
// Never returns kUnknown.
[[nodiscard]] LoadResult<KernelFormat> detect_kernel_format(Bytes image);

}  // namespace hv::vmm::loader
