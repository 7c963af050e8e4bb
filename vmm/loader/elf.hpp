#pragma once
// ELF executables as guest kernels: the header and the PT_LOAD segments, nothing else.
//
// Follows the System V gABI (ELF32 and ELF64 headers, program headers) and the x86 psABIs
// (EM_386 for ELF32, EM_X86_64 for ELF64, little-endian). Only executables (ET_EXEC) are
// accepted: a guest kernel is loaded at the physical addresses it names.
//
// Pure: the image is untrusted bytes; every offset and size is checked against the file and for
// overflow, so parse_elf() is total (fuzzed by tests/fuzz/loader_fuzz.cpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "kernel/lib/bytes.hpp"
#include "vmm/loader/load_error.hpp"

namespace hv::vmm::loader {

enum class ElfClass : std::uint8_t { kElf32, kElf64 };

// gABI e_machine values.
inline constexpr std::uint16_t kEmI386 = 3;
inline constexpr std::uint16_t kEmX86_64 = 62;

// gABI p_flags.
inline constexpr std::uint32_t kPfExecute = 1;
inline constexpr std::uint32_t kPfWrite = 2;
inline constexpr std::uint32_t kPfRead = 4;

// Kernels have a handful of PT_LOAD segments (text, data, bss, per-CPU data).
inline constexpr std::size_t kMaxElfLoadSegments = 16;

struct ElfSegment {
    std::uint64_t paddr;
    std::uint64_t vaddr;
    std::uint64_t offset;  // in the file
    std::uint64_t filesz;  // bytes copied from the file; filesz <= memsz
    std::uint64_t memsz;   // bytes occupied in memory, the tail beyond filesz zeroed
    std::uint32_t flags;   // kPf*
};

struct ElfImage {
    ElfClass elf_class = ElfClass::kElf32;
    std::uint16_t machine = 0;
    std::uint64_t entry = 0;  // e_entry, a virtual address
    // PT_LOAD segments with memsz > 0, in program-header order.
    std::array<ElfSegment, kMaxElfLoadSegments> segment_storage{};
    std::size_t segment_count = 0;

    [[nodiscard]] std::span<const ElfSegment> segments() const {
        return {segment_storage.data(), segment_count};
    }
};

// True if `file` starts with the ELF magic ("\x7f" "ELF").
[[nodiscard]] bool has_elf_magic(Bytes file);

// Parses an x86 ELF executable. Fails, saying what and where, on: a bad magic, class, byte order or
// version; a machine other than EM_386 (ELF32) or EM_X86_64 (ELF64); a type other than ET_EXEC; a
// program header entry size other than the class's; a program header table outside the file;
// extended program header numbering; no PT_LOAD segment or more than kMaxElfLoadSegments; a
// segment whose file range is outside the file, whose filesz exceeds its memsz, whose address
// range wraps (for ELF32: past 4 GiB), or whose physical range overlaps another segment's.
[[nodiscard]] LoadResult<ElfImage> parse_elf(Bytes file);

}  // namespace hv::vmm::loader
