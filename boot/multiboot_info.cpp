#include "boot/multiboot_info.hpp"

#include "kernel/cmdline.hpp"

namespace hv::boot {
namespace {

// Multiboot2 spec 3.6.1: the block starts with u32 total_size, u32 reserved; each tag with
// u32 type, u32 size (header included, padding not); tags start 8-byte aligned.
constexpr std::size_t kMb2FixedSize = 8;
constexpr std::size_t kMb2TagHeader = 8;
constexpr std::size_t kMb2TagAlign = 8;

// Multiboot2 spec 3.6.2 .. 3.6.20.
enum class Mb2Tag : std::uint32_t {
    kEnd = 0,
    kCmdline = 1,
    kLoaderName = 2,
    kModule = 3,
    kMemoryMap = 6,
    kEfi32SystemTable = 11,
    kEfi64SystemTable = 12,
    kAcpiOld = 14,
    kAcpiNew = 15,
    kEfiMemoryMap = 17,
    kEfiBootServices = 18,
};

// Multiboot2 spec 3.6.8: u32 entry_size, u32 entry_version, then entries of
// u64 base_addr, u64 length, u32 type, u32 reserved.
constexpr std::size_t kMb2MmapEntriesOffset = 16;
constexpr std::size_t kMb2MmapEntryMin = 24;
// Multiboot2 spec 3.6.6: u32 mod_start, u32 mod_end, string.
constexpr std::size_t kMb2ModuleString = 16;
// UEFI 2.10, sec 7.2.3 (EFI_MEMORY_DESCRIPTOR): u32 Type, pad, u64 PhysicalStart,
// u64 VirtualStart, u64 NumberOfPages, u64 Attribute. Descriptor size may be larger.
constexpr std::size_t kEfiDescriptorMin = 40;
constexpr std::uint64_t kEfiPageSize = 4096;

// UEFI 2.10, table 7-5 (EFI_MEMORY_TYPE).
enum class EfiMemoryType : std::uint32_t {
    kLoaderCode = 1,
    kLoaderData = 2,
    kBootServicesCode = 3,
    kBootServicesData = 4,
    kConventional = 7,
    kUnusable = 8,
    kAcpiReclaim = 9,
    kAcpiNvs = 10,
    kPersistent = 14,
};

// Multiboot 0.6.96 sec 3.3: offsets in the boot information structure, and the flag bit that
// makes each group valid.
enum class Mb1Offset : std::size_t {
    kFlags = 0,
    kCmdline = 16,
    kModsCount = 20,
    kModsAddr = 24,
    kMmapLength = 44,
    kMmapAddr = 48,
    kLoaderName = 64,
};
constexpr std::size_t kMb1InfoSize = 68;  // through boot_loader_name
constexpr std::uint32_t kMb1FlagCmdline = 1u << 2;
constexpr std::uint32_t kMb1FlagMods = 1u << 3;
constexpr std::uint32_t kMb1FlagMmap = 1u << 6;
constexpr std::uint32_t kMb1FlagLoaderName = 1u << 9;
// Module entry: u32 mod_start, u32 mod_end, u32 string, u32 reserved.
constexpr std::size_t kMb1ModuleSize = 16;
// Memory map entry: u32 size (not counting itself), u64 base_addr, u64 length, u32 type.
constexpr std::size_t kMb1MmapEntryMin = 20;

// Bounded C string: the tag (or read window) may lack the NUL, in which case its end ends it.
StrView c_string(Bytes bytes) {
    std::size_t n = 0;
    while (n < bytes.size() && bytes[n] != std::byte{0}) ++n;
    return StrView(reinterpret_cast<const char*>(bytes.data()), n);
}

// Multiboot2 spec 3.6.8 and Multiboot 0.6.96 sec 3.3 use the e820 numbering; anything else
// is reserved per both specs.
constexpr MemoryType e820_type(std::uint32_t raw) {
    switch (raw) {
        case 1:
            return MemoryType::kUsable;
        case 3:
            return MemoryType::kAcpiReclaimable;
        case 4:
            return MemoryType::kAcpiNvs;
        case 5:
            return MemoryType::kBad;
        default:
            return MemoryType::kReserved;
    }
}

// Loader and boot-services memory belongs to nobody once boot services have exited; while
// they are active (tag 18) the firmware still owns boot-services memory.
constexpr MemoryType efi_type(std::uint32_t raw, bool boot_services_active) {
    switch (static_cast<EfiMemoryType>(raw)) {
        case EfiMemoryType::kLoaderCode:
        case EfiMemoryType::kLoaderData:
        case EfiMemoryType::kConventional:
            return MemoryType::kUsable;
        case EfiMemoryType::kBootServicesCode:
        case EfiMemoryType::kBootServicesData:
            return boot_services_active ? MemoryType::kReserved : MemoryType::kUsable;
        case EfiMemoryType::kUnusable:
            return MemoryType::kBad;
        case EfiMemoryType::kAcpiReclaim:
            return MemoryType::kAcpiReclaimable;
        case EfiMemoryType::kAcpiNvs:
            return MemoryType::kAcpiNvs;
        case EfiMemoryType::kPersistent:
        default:
            return MemoryType::kReserved;
    }
}

// Appends a region, merging it into the previous one when they touch and share a type (EFI maps
// list one descriptor per allocation and would otherwise overflow the table).
Result<void> add_region(BootInfo& out, std::uint64_t base, std::uint64_t length, MemoryType type) {
    if (length == 0) return {};
    if (out.memory_count > 0) {
        MemoryRegion& last = out.memory[out.memory_count - 1];
        if (last.type == type && last.base + last.length == base) {
            last.length += length;
            return {};
        }
    }
    if (out.memory_count == kMaxMemoryRegions)
        return make_error(Errc::kTooMany, "boot: too many memory map entries");
    out.memory[out.memory_count++] = MemoryRegion{base, length, type};
    return {};
}

Result<void> add_module(BootInfo& out, std::uint64_t start, std::uint64_t end, StrView cmdline) {
    if (end < start) return make_error(Errc::kInvalid, "boot: module ends before it starts");
    if (out.module_count == kMaxModules)
        return make_error(Errc::kTooMany, "boot: too many modules");
    out.modules_storage[out.module_count++] = Module{start, end, cmdline};
    return {};
}

Result<void> require_usable_memory(const BootInfo& out) {
    for (const MemoryRegion& r : out.memory_map())
        if (r.type == MemoryType::kUsable) return {};
    return make_error(Errc::kNotFound, "no usable memory map");
}

void copy_rsdp(BootInfo& out, Bytes payload, RsdpSource source) {
    const std::size_t n = payload.size() < kRsdpMaxSize ? payload.size() : kRsdpMaxSize;
    __builtin_memcpy(out.rsdp.data(), payload.data(), n);
    out.rsdp_size = n;
    out.rsdp_source = source;
}

Result<void> parse_mb2_mmap(BootInfo& out, Bytes tag) {
    const auto entry_size = load_le<std::uint32_t>(tag, 8);
    if (!entry_size || *entry_size < kMb2MmapEntryMin)
        return make_error(Errc::kInvalid, "multiboot2: bad memory map entry size");
    for (std::size_t off = kMb2MmapEntriesOffset; tag.size() - off >= *entry_size;
         off += *entry_size) {
        TRY(add_region(out, load_le_unchecked<std::uint64_t>(tag, off),
                       load_le_unchecked<std::uint64_t>(tag, off + 8),
                       e820_type(load_le_unchecked<std::uint32_t>(tag, off + 16))));
    }
    return {};
}

Result<void> parse_efi_mmap(BootInfo& out, Bytes tag, bool boot_services_active) {
    const auto desc_size = load_le<std::uint32_t>(tag, 8);
    if (!desc_size || *desc_size < kEfiDescriptorMin)
        return make_error(Errc::kInvalid, "multiboot2: bad EFI descriptor size");
    for (std::size_t off = kMb2MmapEntriesOffset; tag.size() - off >= *desc_size;
         off += *desc_size) {
        const std::uint64_t pages = load_le_unchecked<std::uint64_t>(tag, off + 24);
        if (pages > ~std::uint64_t{0} / kEfiPageSize)
            return make_error(Errc::kInvalid, "multiboot2: EFI descriptor too large");
        TRY(add_region(out, load_le_unchecked<std::uint64_t>(tag, off + 8), pages * kEfiPageSize,
                       efi_type(load_le_unchecked<std::uint32_t>(tag, off), boot_services_active)));
    }
    return {};
}

// Reads a NUL-terminated string at `phys` through `mem`, byte by byte so that no read crosses
// into memory the reader refuses, then as one span for the view.
constexpr std::size_t kMb1MaxString = 4096;
Result<StrView> read_c_string(const PhysReader& mem, std::uint64_t phys) {
    std::size_t n = 0;
    for (;; ++n) {
        if (n == kMb1MaxString) return make_error(Errc::kInvalid, "multiboot1: string too long");
        const Bytes b = mem.read(phys + n, 1);
        if (b.empty()) return make_error(Errc::kInvalid, "multiboot1: string not readable");
        if (b[0] == std::byte{0}) break;
    }
    const Bytes all = mem.read(phys, n + 1);
    if (all.size() != n + 1) return make_error(Errc::kInvalid, "multiboot1: string not readable");
    return StrView(reinterpret_cast<const char*>(all.data()), n);
}

// Grows [lo, hi) to cover [base, base + len).
struct Extent {
    std::uint64_t lo = ~std::uint64_t{0};
    std::uint64_t hi = 0;
    void cover(std::uint64_t base, std::uint64_t len) {
        if (base < lo) lo = base;
        if (base + len > hi) hi = base + len;
    }
};

}  // namespace

const Module* BootInfo::find_module(StrView name) const {
    for (const Module& m : modules())
        if (module_name(m.cmdline) == name) return &m;
    return nullptr;
}

Result<void> parse_multiboot2(std::uint32_t magic, Bytes info, std::uint64_t info_phys,
                              BootInfo& out) {
    out = BootInfo{};
    if (magic != kMultiboot2Magic) return make_error(Errc::kInvalid, "multiboot2: bad magic");
    const auto total = load_le<std::uint32_t>(info, 0);
    if (!total || *total < kMb2FixedSize + kMb2TagHeader)
        return make_error(Errc::kInvalid, "multiboot2: total_size too small");
    if (*total > info.size()) return make_error(Errc::kInvalid, "multiboot2: total_size too large");
    info = info.first(*total);
    out.info_base = info_phys;
    out.info_size = *total;

    // Two passes: tag 18 changes how the EFI map reads, and it may follow tag 17.
    Bytes mmap_tag, efi_mmap_tag, acpi_old, acpi_new;
    bool ended = false;
    std::size_t off = kMb2FixedSize;
    while (!ended) {
        if (info.size() - off < kMb2TagHeader)
            return make_error(Errc::kInvalid, "multiboot2: missing end tag");
        const std::uint32_t type = load_le_unchecked<std::uint32_t>(info, off);
        const std::uint32_t size = load_le_unchecked<std::uint32_t>(info, off + 4);
        if (size < kMb2TagHeader || size > info.size() - off)
            return make_error(Errc::kInvalid, "multiboot2: tag overruns info");
        const Bytes tag = info.subspan(off, size);
        const Bytes payload = tag.subspan(kMb2TagHeader);
        switch (static_cast<Mb2Tag>(type)) {
            case Mb2Tag::kEnd:
                ended = true;
                break;
            case Mb2Tag::kCmdline:
                out.cmdline = c_string(payload);
                break;
            case Mb2Tag::kLoaderName:
                out.loader_name = c_string(payload);
                break;
            case Mb2Tag::kModule: {
                if (size < kMb2ModuleString)
                    return make_error(Errc::kInvalid, "multiboot2: module tag too short");
                TRY(add_module(out, load_le_unchecked<std::uint32_t>(tag, 8),
                               load_le_unchecked<std::uint32_t>(tag, 12),
                               c_string(tag.subspan(kMb2ModuleString))));
                break;
            }
            case Mb2Tag::kMemoryMap:
                mmap_tag = tag;
                break;
            case Mb2Tag::kEfiMemoryMap:
                efi_mmap_tag = tag;
                break;
            case Mb2Tag::kEfiBootServices:
                out.efi_boot_services_active = true;
                break;
            case Mb2Tag::kAcpiOld:
                acpi_old = payload;
                break;
            case Mb2Tag::kAcpiNew:
                acpi_new = payload;
                break;
            case Mb2Tag::kEfi32SystemTable: {
                out.efi = true;
                out.efi_system_table = load_le<std::uint32_t>(tag, 8).value_or(0);
                break;
            }
            case Mb2Tag::kEfi64SystemTable: {
                out.efi = true;
                out.efi_system_table = load_le<std::uint64_t>(tag, 8).value_or(0);
                break;
            }
            default:
                break;  // framebuffer, SMBIOS, APM, ...: not ours to use
        }
        // The next tag starts at the next 8-byte boundary; padding may run to total_size.
        const std::size_t next = off + ((size + kMb2TagAlign - 1) & ~(kMb2TagAlign - 1));
        off = next < info.size() ? next : info.size();
    }

    // GRUB's tag 6 is present under BIOS and EFI alike (built from the EFI map there, already in
    // e820 terms), so it wins; the raw EFI map is the fallback.
    if (!mmap_tag.empty()) {
        TRY(parse_mb2_mmap(out, mmap_tag));
    } else if (!efi_mmap_tag.empty()) {
        TRY(parse_efi_mmap(out, efi_mmap_tag, out.efi_boot_services_active));
    }
    TRY(require_usable_memory(out));

    // The 2.0 structure carries the XSDT address, which is what the ACPI parser prefers.
    if (!acpi_new.empty())
        copy_rsdp(out, acpi_new, RsdpSource::kAcpiNew);
    else if (!acpi_old.empty())
        copy_rsdp(out, acpi_old, RsdpSource::kAcpiOld);
    return {};
}

Result<void> parse_multiboot1(std::uint32_t magic, std::uint64_t info_phys, const PhysReader& mem,
                              BootInfo& out) {
    out = BootInfo{};
    if (magic != kMultiboot1Magic) return make_error(Errc::kInvalid, "multiboot1: bad magic");
    const Bytes info = mem.read(info_phys, kMb1InfoSize);
    if (info.size() != kMb1InfoSize)
        return make_error(Errc::kInvalid, "multiboot1: info not readable");
    const auto field = [&](Mb1Offset o) {
        return load_le_unchecked<std::uint32_t>(info, static_cast<std::size_t>(o));
    };
    const std::uint32_t flags = field(Mb1Offset::kFlags);
    Extent extent;
    extent.cover(info_phys, kMb1InfoSize);

    if (flags & kMb1FlagCmdline) {
        out.cmdline = TRY(read_c_string(mem, field(Mb1Offset::kCmdline)));
        extent.cover(field(Mb1Offset::kCmdline), out.cmdline.size() + 1);
    }
    if (flags & kMb1FlagLoaderName) {
        out.loader_name = TRY(read_c_string(mem, field(Mb1Offset::kLoaderName)));
        extent.cover(field(Mb1Offset::kLoaderName), out.loader_name.size() + 1);
    }
    if (flags & kMb1FlagMods) {
        const std::uint32_t count = field(Mb1Offset::kModsCount);
        const std::uint32_t addr = field(Mb1Offset::kModsAddr);
        if (count > kMaxModules) return make_error(Errc::kTooMany, "boot: too many modules");
        const Bytes mods = mem.read(addr, std::uint64_t{count} * kMb1ModuleSize);
        if (mods.size() != std::size_t{count} * kMb1ModuleSize)
            return make_error(Errc::kInvalid, "multiboot1: modules not readable");
        extent.cover(addr, mods.size());
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t o = i * kMb1ModuleSize;
            const std::uint32_t string = load_le_unchecked<std::uint32_t>(mods, o + 8);
            StrView cmdline;
            if (string != 0) {
                cmdline = TRY(read_c_string(mem, string));
                extent.cover(string, cmdline.size() + 1);
            }
            TRY(add_module(out, load_le_unchecked<std::uint32_t>(mods, o),
                           load_le_unchecked<std::uint32_t>(mods, o + 4), cmdline));
        }
    }
    if (!(flags & kMb1FlagMmap)) return make_error(Errc::kNotFound, "no usable memory map");

    const std::uint32_t mmap_len = field(Mb1Offset::kMmapLength);
    const std::uint32_t mmap_addr = field(Mb1Offset::kMmapAddr);
    const Bytes mmap = mem.read(mmap_addr, mmap_len);
    if (mmap.size() != mmap_len) return make_error(Errc::kInvalid, "multiboot1: mmap not readable");
    extent.cover(mmap_addr, mmap_len);
    // Each entry's `size` field sits before base_addr and does not count itself.
    for (std::size_t off = 0; off < mmap.size();) {
        const auto size = load_le<std::uint32_t>(mmap, off);
        if (!size || *size < kMb1MmapEntryMin || *size > mmap.size() - off - 4)
            return make_error(Errc::kInvalid, "multiboot1: mmap entry overruns");
        TRY(add_region(out, load_le_unchecked<std::uint64_t>(mmap, off + 4),
                       load_le_unchecked<std::uint64_t>(mmap, off + 12),
                       e820_type(load_le_unchecked<std::uint32_t>(mmap, off + 20))));
        off += 4 + std::size_t{*size};
    }
    TRY(require_usable_memory(out));

    out.info_base = extent.lo;
    out.info_size = extent.hi - extent.lo;
    return {};
}

Result<void> parse_boot_info(std::uint32_t magic, std::uint64_t info_phys, const PhysReader& mem,
                             BootInfo& out) {
    if (magic == kMultiboot1Magic) return parse_multiboot1(magic, info_phys, mem, out);
    if (magic != kMultiboot2Magic) {
        out = BootInfo{};
        return make_error(Errc::kInvalid, "boot: not loaded by a multiboot loader");
    }
    const auto total = load_le<std::uint32_t>(mem.read(info_phys, 4), 0);
    if (!total) return make_error(Errc::kInvalid, "multiboot2: info not readable");
    const Bytes info = mem.read(info_phys, *total);
    if (info.size() != *total) return make_error(Errc::kInvalid, "multiboot2: info not readable");
    return parse_multiboot2(magic, info, info_phys, out);
}

}  // namespace hv::boot
