#include "vmm/loader/multiboot_guest.hpp"

#include <array>

#include "vmm/loader/elf.hpp"
#include "vmm/loader/guest_write.hpp"
#include "vmm/loader/kernel_format.hpp"

namespace hv::vmm::loader {
namespace {

// Multiboot 0.6.96 sec 3.3: the information structure (116 bytes through the framebuffer fields).
enum class InfoOffset : std::uint64_t {
    kFlags = 0,
    kMemLower = 4,
    kMemUpper = 8,
    kCmdline = 16,
    kModsCount = 20,
    kModsAddr = 24,
    kMmapLength = 44,
    kMmapAddr = 48,
};
constexpr std::uint64_t kInfoSize = 116;
static_assert(kMultibootInfoGpa + kInfoSize <= kMultibootModulesGpa);

// Sec 3.3, module entry: mod_start, mod_end, string, reserved.
constexpr std::uint64_t kModuleEntrySize = 16;
static_assert(kMultibootModulesGpa + kModuleEntrySize <= kMultibootMmapGpa);

// Sec 3.3, memory map entry: u32 size (of the rest), u64 base_addr, u64 length, u32 type.
constexpr std::uint64_t kMmapEntrySize = 24;
static_assert(kMultibootMmapGpa + kMaxGuestMemoryRegions * kMmapEntrySize <= kMultibootNameGpa);
static_assert(kMultibootNameGpa + kMaxMultibootNameLen + 1 <= kMultibootCmdlineGpa);
static_assert(kMultibootCmdlineGpa + kMaxMultibootCmdlineLen + 1 <=
              kMultibootAreaGpa + kMultibootAreaSize);

// Segments plus module plus the Multiboot area.
static_assert(kMaxElfLoadSegments + 2 <= kMaxLoadedRanges);

// Guest memory the kernel's segments must stay out of.
struct Area {
    std::uint64_t gpa;
    std::uint64_t size;
    const char* name;
};
constexpr std::array<Area, 3> kLoaderAreas = {{
    {kBootScratchGpa, kBootScratchSize, "the boot scratch area"},
    {kMultibootAreaGpa, kMultibootAreaSize, "the Multiboot information area"},
    {kLowRamEnd, kHighRamStart - kLowRamEnd, "the reserved area"},
}};

std::uint64_t info_field(InfoOffset field) {
    return kMultibootInfoGpa + static_cast<std::uint64_t>(field);
}

LoadResult<MultibootHeader> check_header(Bytes kernel) {
    const KernelFormat format = TRY(detect_kernel_format(kernel));
    if (format == KernelFormat::kLinuxBzImage) {
        return make_load_error(Errc::kInvalid, "image is a Linux bzImage, not a Multiboot ELF");
    }
    // detect_kernel_format() found the header.
    const MultibootHeader header = *find_multiboot_header(kernel);
    const std::uint32_t supported = kMultibootPageAlignModules | kMultibootWantMemoryInfo;
    const std::uint32_t missing = header.flags & kMultibootRequirementMask & ~supported;
    if (missing != 0) {
        return make_load_error(
            Errc::kUnsupported, "Multiboot header at ", Hex0x{header.offset}, " requires features ",
            Hex0x{missing}, (missing & kMultibootWantVideoMode) != 0 ? " (bit 2: video mode)" : "",
            " the hypervisor does not provide");
    }
    return header;
}

LoadResult<void> check_segment(const GuestRam& ram, std::size_t index, const ElfSegment& s) {
    if (s.paddr >= k4GiB || !is_guest_ram(ram, s.paddr, s.memsz)) {
        return make_load_error(Errc::kInvalid, "segment ", index, " at ", Hex0x{s.paddr}, " (size ",
                               Hex0x{s.memsz}, ") is outside guest RAM (",
                               Hex0x{ram.ram_top_below_4g()}, " bytes below 4 GiB)");
    }
    for (const Area& area : kLoaderAreas) {
        if (ranges_overlap(s.paddr, s.memsz, area.gpa, area.size)) {
            return make_load_error(Errc::kInvalid, "segment ", index, " at ", Hex0x{s.paddr},
                                   " (size ", Hex0x{s.memsz}, ") overlaps ", area.name, " ",
                                   Hex0x{area.gpa}, "-", Hex0x{area.gpa + area.size});
        }
    }
    return Ok{};
}

LoadResult<std::uint32_t> physical_entry(const ElfImage& elf) {
    for (const ElfSegment& s : elf.segments()) {
        if (elf.entry >= s.vaddr && elf.entry - s.vaddr < s.memsz) {
            // check_segment() put every segment below 4 GiB.
            return static_cast<std::uint32_t>(s.paddr + (elf.entry - s.vaddr));
        }
    }
    return make_load_error(Errc::kInvalid, "entry point ", Hex0x{elf.entry},
                           " is not inside any loadable segment");
}

LoadResult<void> write_string(GuestRam& ram, std::uint64_t gpa, StrView text) {
    TRY(copy_to_guest(ram, gpa,
                      Bytes(reinterpret_cast<const std::byte*>(text.data()), text.size())));
    return store_guest<std::uint8_t>(ram, gpa + text.size(), 0);
}

// Places the module page-aligned after the kernel and fills the module list. Returns its GPA.
LoadResult<std::uint64_t> load_module(GuestRam& ram, const BootModule& module,
                                      std::uint64_t kernel_end) {
    if (module.name.size() > kMaxMultibootNameLen) {
        return make_load_error(Errc::kInvalid, "module name (", module.name.size(),
                               " bytes) is longer than ", kMaxMultibootNameLen, " bytes");
    }
    std::uint64_t start = align_up(kernel_end, kPageSize);
    if (start < kHighRamStart) start = kHighRamStart;
    const std::uint64_t top = ram.ram_top_below_4g();
    const std::uint64_t size = module.data.size();
    if (start > top || size > top - start) {
        return make_load_error(Errc::kNoMemory, "module '", module.name, "' (", Hex0x{size},
                               " bytes) does not fit in guest RAM after the kernel (", Hex0x{start},
                               "-", Hex0x{start > top ? start : top}, " is free)");
    }
    TRY(copy_to_guest(ram, start, module.data));
    TRY(write_string(ram, kMultibootNameGpa, module.name));
    // start + size <= top <= 3 GiB: both fit the 32-bit fields.
    TRY(store_guest(ram, kMultibootModulesGpa + 0, static_cast<std::uint32_t>(start)));
    TRY(store_guest(ram, kMultibootModulesGpa + 4, static_cast<std::uint32_t>(start + size)));
    TRY(store_guest(ram, kMultibootModulesGpa + 8, static_cast<std::uint32_t>(kMultibootNameGpa)));
    return start;
}

LoadResult<void> write_memory_map(GuestRam& ram, const GuestMemoryMap& map) {
    std::uint64_t at = kMultibootMmapGpa;
    for (const boot::MemoryRegion& r : map.regions()) {
        TRY(store_guest(ram, at + 0, static_cast<std::uint32_t>(kMmapEntrySize - 4)));
        TRY(store_guest(ram, at + 4, r.base));
        TRY(store_guest(ram, at + 12, r.length));
        TRY(store_guest(ram, at + 20, static_cast<std::uint32_t>(r.type)));
        at += kMmapEntrySize;
    }
    TRY(store_guest(ram, info_field(InfoOffset::kMmapLength),
                    static_cast<std::uint32_t>(at - kMultibootMmapGpa)));
    return store_guest(ram, info_field(InfoOffset::kMmapAddr),
                       static_cast<std::uint32_t>(kMultibootMmapGpa));
}

}  // namespace

LoadResult<MultibootLoad> load_multiboot(GuestRam& ram, const MultibootLoadRequest& request) {
    TRY(check_header(request.kernel));
    const ElfImage elf = TRY(parse_elf(request.kernel));
    const GuestMemoryMap map = TRY(guest_memory_map(ram));
    if (request.cmdline.size() > kMaxMultibootCmdlineLen) {
        return make_load_error(Errc::kInvalid, "command line (", request.cmdline.size(),
                               " bytes) is longer than ", kMaxMultibootCmdlineLen, " bytes");
    }

    MultibootLoad load;
    std::uint64_t kernel_end = 0;
    for (std::size_t i = 0; i < elf.segment_count; ++i) {
        TRY(check_segment(ram, i, elf.segment_storage[i]));
    }
    load.entry = TRY(physical_entry(elf));
    for (const ElfSegment& s : elf.segments()) {
        TRY(copy_to_guest(ram, s.paddr, request.kernel.subspan(s.offset, s.filesz)));
        TRY(zero_guest(ram, s.paddr + s.filesz, s.memsz - s.filesz));
        load.ranges.add(s.paddr, s.memsz, "kernel");
        if (s.paddr + s.memsz > kernel_end) kernel_end = s.paddr + s.memsz;
    }

    TRY(zero_guest(ram, kMultibootAreaGpa, kMultibootAreaSize));
    std::uint32_t mods_count = 0;
    if (request.module) {
        const std::uint64_t start = TRY(load_module(ram, *request.module, kernel_end));
        load.ranges.add(start, request.module->data.size(), "module");
        mods_count = 1;
    }
    TRY(write_string(ram, kMultibootCmdlineGpa, request.cmdline));
    TRY(write_memory_map(ram, map));

    // guest_memory_map() checked 1 MiB < top <= 3 GiB, so mem_upper fits.
    const auto mem_upper =
        static_cast<std::uint32_t>((ram.ram_top_below_4g() - kHighRamStart) / 1024);
    TRY(store_guest(
        ram, info_field(InfoOffset::kFlags),
        kMultibootInfoMem | kMultibootInfoCmdline | kMultibootInfoMods | kMultibootInfoMmap));
    TRY(store_guest(ram, info_field(InfoOffset::kMemLower),
                    static_cast<std::uint32_t>(kLowRamEnd / 1024)));
    TRY(store_guest(ram, info_field(InfoOffset::kMemUpper), mem_upper));
    TRY(store_guest(ram, info_field(InfoOffset::kCmdline),
                    static_cast<std::uint32_t>(kMultibootCmdlineGpa)));
    TRY(store_guest(ram, info_field(InfoOffset::kModsCount), mods_count));
    TRY(store_guest(ram, info_field(InfoOffset::kModsAddr),
                    static_cast<std::uint32_t>(kMultibootModulesGpa)));
    load.ranges.add(kMultibootAreaGpa, kMultibootAreaSize, "multiboot-info");
    load.info_gpa = static_cast<std::uint32_t>(kMultibootInfoGpa);
    return load;
}

void format_to(Sink& s, const MultibootLoad& load) {
    print(s, "multiboot entry=", Hex0x{load.entry}, " ebx=", Hex0x{load.info_gpa});
    for (const LoadedRange& r : load.ranges.view()) print(s, ' ', r);
}

}  // namespace hv::vmm::loader
