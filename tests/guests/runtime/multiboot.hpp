// The Multiboot 0.6.96 information (sec 3.3) and the guest command line. Paging is off (or an
// identity map below 4 GiB), so the loader's physical pointers are usable as they are.
#pragma once

#include <stdint.h>

namespace rt {

constexpr uint32_t kMultibootMagic = 0x2BADB002;
constexpr uint32_t kMultibootInfoMem = 1 << 0;
constexpr uint32_t kMultibootInfoCmdline = 1 << 2;
constexpr uint32_t kMultibootInfoMods = 1 << 3;
constexpr uint32_t kMultibootInfoMmap = 1 << 6;
constexpr uint32_t kMemoryAvailable = 1;  // mmap entry type of usable RAM

struct MultibootInfo {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;  // KiB
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
};
static_assert(__builtin_offsetof(MultibootInfo, mmap_addr) == 48);  // Multiboot 0.6.96 sec 3.3

struct MultibootModule {
    uint32_t mod_start, mod_end;
    uint32_t string;
    uint32_t reserved;
};
static_assert(sizeof(MultibootModule) == 16);

struct MemoryRegion {
    uint64_t base, length;
    uint32_t type;
    uint64_t end() const { return base + length; }
};

constexpr uint64_t kKiB = 1024, kMiB = 1024 * kKiB, kGiB = 1024 * kMiB;

void multiboot_init(uint32_t mbi_address);
const MultibootInfo* multiboot_info();

// "" when the loader passed none.
const char* cmdline();

// The i-th memory-map entry; false past the end or without a map.
bool memory_region(uint32_t index, MemoryRegion* out);
// End of the highest usable region: the first byte past the guest's RAM.
uint64_t ram_top();

uint32_t module_count();
const MultibootModule* module(uint32_t index);

// A borrowed piece of the command line.
struct StringView {
    const char* data;
    uint32_t length;
    bool equals(const char* s) const;
    bool ends_with(const char* s) const;
};
uint32_t string_length(const char* s);

// The value of the first whitespace-separated `key=value` token, searched anywhere in the command
// line (QEMU puts the kernel path in front of it).
bool cmdline_value(const char* key, StringView* value);
// Decimal or 0x-prefixed hexadecimal.
bool parse_u64(StringView text, uint64_t* value);
uint64_t cmdline_u64(const char* key, uint64_t fallback);

}  // namespace rt
