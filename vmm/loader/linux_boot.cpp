#include "vmm/loader/linux_boot.hpp"

#include "kernel/lib/optional.hpp"
#include "vmm/loader/guest_write.hpp"
#include "vmm/loader/kernel_format.hpp"

namespace hv::vmm::loader {
namespace {

namespace bp = boot_params;

// boot.rst: the protocol version that introduced each field we read.
constexpr std::uint16_t kProto203 = 0x0203;  // initrd_addr_max
constexpr std::uint16_t kProto204 = 0x0204;  // syssize is 32 bits
constexpr std::uint16_t kProto205 = 0x0205;  // kernel_alignment, relocatable_kernel
constexpr std::uint16_t kProto206 = 0x0206;  // cmdline_size
constexpr std::uint16_t kProto210 = 0x020a;  // min_alignment, pref_address, init_size
constexpr std::uint16_t kProto212 = 0x020c;  // xloadflags

// boot.rst: defaults for kernels older than the field.
constexpr std::uint32_t kDefaultInitrdAddrMax = 0x37ffffff;
constexpr std::uint32_t kDefaultCmdlineSize = 255;

// Kernel, initrd, boot_params, command line.
static_assert(4 <= kMaxLoadedRanges);

struct Version {
    std::uint16_t raw;
};

void format_to(Sink& s, Version v) {
    print(s, Dec{static_cast<std::uint64_t>(v.raw >> 8)}, '.',
          Dec{static_cast<std::uint64_t>(v.raw & 0xff), 2});
}

// A field of the setup header, or 0 if the image's protocol or header length predates it.
template <typename T>
T field(Bytes image, const LinuxSetupHeader& hdr, std::size_t offset, std::uint16_t since) {
    if (hdr.version < since || offset + sizeof(T) > hdr.header_end) return 0;
    return load_le_unchecked<T>(image, offset);  // header_end <= image.size()
}

bool is_power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

LoadResult<void> check_bootable(const LinuxSetupHeader& hdr) {
    if (hdr.version < kMinLinuxProtocol) {
        return make_load_error(Errc::kUnsupported, "Linux boot protocol ", Version{hdr.version},
                               " is too old: 64-bit boot needs 2.12 or later");
    }
    if ((hdr.loadflags & kLoadedHigh) == 0) {
        return make_load_error(Errc::kUnsupported, "not a bzImage: loadflags ",
                               Hex0x{hdr.loadflags},
                               " lack LOADED_HIGH (a zImage loads below 1 MiB)");
    }
    if ((hdr.xloadflags & kXlfKernel64) == 0) {
        return make_load_error(Errc::kUnsupported, "kernel has no 64-bit entry point: xloadflags ",
                               Hex0x{hdr.xloadflags}, " lack XLF_KERNEL_64");
    }
    if (hdr.relocatable_kernel != 0 && !is_power_of_two(hdr.kernel_alignment)) {
        return make_load_error(Errc::kInvalid, "kernel_alignment ", Hex0x{hdr.kernel_alignment},
                               " is not a power of two");
    }
    return Ok{};
}

// The initrd's GPA: page-aligned, as high as initrd_addr_max and RAM allow, above `kernel_end`.
LoadResult<std::uint64_t> place_initrd(const LinuxSetupHeader& hdr, std::uint64_t size,
                                       std::uint64_t kernel_end, std::uint64_t top) {
    const std::uint64_t max =
        hdr.initrd_addr_max != 0 ? hdr.initrd_addr_max : kDefaultInitrdAddrMax;
    const std::uint64_t limit = max + 1 < top ? max + 1 : top;
    if (size > limit || align_down(limit - size, kPageSize) < kernel_end) {
        return make_load_error(Errc::kNoMemory, "initrd (", Hex0x{size},
                               " bytes) does not fit between the kernel end ", Hex0x{kernel_end},
                               " and ", Hex0x{limit}, " (initrd_addr_max ", Hex0x{max},
                               ", RAM top ", Hex0x{top}, ")");
    }
    return align_down(limit - size, kPageSize);
}

struct Placement {
    std::uint64_t kernel;
    std::uint64_t initrd;  // 0 without an initrd
};

// Where the protected-mode kernel (`need` bytes from its load address) and the initrd go. The
// kernel goes at pref_address, or, if it is relocatable and that leaves no room for it or the
// initrd, at the lowest kernel_alignment-aligned address from 1 MiB.
LoadResult<Placement> place(const LinuxSetupHeader& hdr, std::uint64_t need,
                            std::uint64_t initrd_size, std::uint64_t top) {
    auto fits = [&](std::uint64_t at) {
        return at >= kHighRamStart && at <= top && need <= top - at;
    };
    const std::uint64_t lowest = align_up(kHighRamStart, hdr.kernel_alignment);
    const std::uint64_t candidates[] = {hdr.pref_address, lowest};
    const std::size_t count = hdr.relocatable_kernel != 0 ? 2 : 1;
    Optional<LoadError> initrd_error;
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint64_t at = candidates[i];
        if (!fits(at)) continue;
        if (initrd_size == 0) return Placement{at, 0};
        LoadResult<std::uint64_t> initrd = place_initrd(hdr, initrd_size, at + need, top);
        if (initrd.ok()) return Placement{at, initrd.value()};
        initrd_error = initrd.error();
    }
    if (initrd_error) return *initrd_error;
    if (count == 1) {
        return make_load_error(Errc::kNoMemory, "non-relocatable kernel needs ", Hex0x{need},
                               " bytes at pref_address ", Hex0x{hdr.pref_address},
                               ", outside guest RAM below ", Hex0x{top});
    }
    return make_load_error(Errc::kNoMemory, "kernel (", Hex0x{need},
                           " bytes with init_size) does not fit in guest RAM below ", Hex0x{top},
                           " at pref_address ", Hex0x{hdr.pref_address}, " or at ", Hex0x{lowest});
}

LoadResult<void> write_e820(GuestRam& ram, const GuestMemoryMap& map) {
    static_assert(kMaxGuestMemoryRegions <= bp::kE820MaxEntries);
    std::uint64_t at = kLinuxBootParamsGpa + bp::kE820Table;
    for (const boot::MemoryRegion& r : map.regions()) {
        TRY(store_guest(ram, at + 0, r.base));
        TRY(store_guest(ram, at + 8, r.length));
        TRY(store_guest(ram, at + 16, static_cast<std::uint32_t>(r.type)));
        at += bp::kE820EntrySize;
    }
    return store_guest(ram, kLinuxBootParamsGpa + bp::kE820Entries,
                       static_cast<std::uint8_t>(map.count));
}

template <typename T>
LoadResult<void> set(GuestRam& ram, std::size_t offset, T value) {
    return store_guest(ram, kLinuxBootParamsGpa + offset, value);
}

}  // namespace

LoadResult<LinuxSetupHeader> parse_bzimage_header(Bytes image) {
    if (!has_bzimage_signature(image)) {
        const bool boot_flag = load_le<std::uint16_t>(image, bp::kBootFlag).value_or(0) == 0xaa55;
        return make_load_error(Errc::kInvalid, "not a bzImage: ",
                               boot_flag ? "boot sector signature 0xAA55 but no 'HdrS' at 0x202"
                                         : "no boot sector signature 0xAA55 at 0x1FE",
                               " (", image.size(), " bytes)");
    }
    LinuxSetupHeader hdr;
    hdr.header_end = bp::kHeader + load_le<std::uint8_t>(image, bp::kJump + 1).value_or(0);
    if (hdr.header_end < bp::kVersion + 2) {
        return make_load_error(Errc::kInvalid, "setup header length byte at 0x201 ends the header ",
                               "at ", Hex0x{hdr.header_end}, ", before the version field");
    }
    if (hdr.header_end > bp::kHdrLimit) hdr.header_end = bp::kHdrLimit;
    if (hdr.header_end > image.size()) {
        return make_load_error(Errc::kInvalid, "setup header ends at ", Hex0x{hdr.header_end},
                               ", past the end of the image (", Hex0x{image.size()}, " bytes)");
    }
    hdr.version = load_le_unchecked<std::uint16_t>(image, bp::kVersion);
    hdr.setup_sects = load_le_unchecked<std::uint8_t>(image, bp::kSetupSects);
    hdr.loadflags = field<std::uint8_t>(image, hdr, bp::kLoadflags, 0);
    hdr.syssize = field<std::uint32_t>(image, hdr, bp::kSyssize, kProto204);
    hdr.initrd_addr_max = field<std::uint32_t>(image, hdr, bp::kInitrdAddrMax, kProto203);
    hdr.kernel_alignment = field<std::uint32_t>(image, hdr, bp::kKernelAlignment, kProto205);
    hdr.relocatable_kernel = field<std::uint8_t>(image, hdr, bp::kRelocatableKernel, kProto205);
    hdr.min_alignment = field<std::uint8_t>(image, hdr, bp::kMinAlignment, kProto210);
    hdr.xloadflags = field<std::uint16_t>(image, hdr, bp::kXloadflags, kProto212);
    hdr.cmdline_size = hdr.version >= kProto206
                           ? field<std::uint32_t>(image, hdr, bp::kCmdlineSize, kProto206)
                           : kDefaultCmdlineSize;
    hdr.pref_address = field<std::uint64_t>(image, hdr, bp::kPrefAddress, kProto210);
    hdr.init_size = field<std::uint32_t>(image, hdr, bp::kInitSize, kProto210);

    const std::size_t sects = hdr.setup_sects == 0 ? kDefaultSetupSects : hdr.setup_sects;
    hdr.setup_size = (sects + 1) * kSectorSize;
    if (hdr.setup_size >= image.size()) {
        return make_load_error(Errc::kInvalid, "setup_sects ", hdr.setup_sects,
                               " puts the protected-mode kernel at ", Hex0x{hdr.setup_size},
                               ", past the end of the image (", Hex0x{image.size()}, " bytes)");
    }
    hdr.kernel_size = image.size() - hdr.setup_size;
    return hdr;
}

void format_to(Sink& s, const LinuxSetupHeader& hdr) {
    print(s, "protocol ", Version{hdr.version}, " setup_sects ", hdr.setup_sects, " setup_size ",
          Hex0x{hdr.setup_size}, " kernel_size ", Hex0x{hdr.kernel_size}, " syssize ",
          Hex0x{hdr.syssize}, " loadflags ", Hex0x{hdr.loadflags}, " xloadflags ",
          Hex0x{hdr.xloadflags}, " relocatable ", hdr.relocatable_kernel, " kernel_alignment ",
          Hex0x{hdr.kernel_alignment}, " min_alignment ", hdr.min_alignment, " pref_address ",
          Hex0x{hdr.pref_address}, " init_size ", Hex0x{hdr.init_size}, " initrd_addr_max ",
          Hex0x{hdr.initrd_addr_max}, " cmdline_size ", hdr.cmdline_size);
}

LoadResult<LinuxLoad> load_linux(GuestRam& ram, const LinuxLoadRequest& request) {
    const LinuxSetupHeader hdr = TRY(parse_bzimage_header(request.kernel));
    TRY(check_bootable(hdr));
    const GuestMemoryMap map = TRY(guest_memory_map(ram));
    if (request.cmdline.size() > hdr.cmdline_size) {
        return make_load_error(Errc::kInvalid, "command line (", request.cmdline.size(),
                               " bytes) is longer than the kernel's cmdline_size (",
                               hdr.cmdline_size, ")");
    }
    if (request.cmdline.size() >= kLinuxCmdlineAreaSize) {
        return make_load_error(Errc::kInvalid, "command line (", request.cmdline.size(),
                               " bytes) is longer than the ", kLinuxCmdlineAreaSize - 1,
                               " bytes the command-line area holds");
    }

    const std::uint64_t top = ram.ram_top_below_4g();
    const std::uint64_t need =
        align_up(hdr.init_size > hdr.kernel_size ? hdr.init_size : hdr.kernel_size, kPageSize);
    LinuxLoad load;
    load.protocol = hdr.version;
    const Placement placement = TRY(place(hdr, need, request.initrd.size(), top));
    load.kernel_gpa = placement.kernel;
    load.kernel_reserved = need;
    load.initrd_gpa = placement.initrd;
    load.initrd_size = request.initrd.size();
    load.entry64 = load.kernel_gpa + kLinux64EntryOffset;
    load.boot_params_gpa = kLinuxBootParamsGpa;
    load.cmdline_gpa = kLinuxCmdlineGpa;
    load.cmdline_size = request.cmdline.size();

    TRY(copy_to_guest(ram, load.kernel_gpa, request.kernel.subspan(hdr.setup_size)));
    TRY(copy_to_guest(ram, load.initrd_gpa, request.initrd));
    TRY(copy_to_guest(
        ram, kLinuxCmdlineGpa,
        Bytes(reinterpret_cast<const std::byte*>(request.cmdline.data()), request.cmdline.size())));
    TRY(store_guest<std::uint8_t>(ram, kLinuxCmdlineGpa + request.cmdline.size(), 0));

    // boot.rst "Details of Header Fields": start from zero, copy the image's header, then fill in
    // what the loader owns. Everything below 4 GiB, so the ext_* high halves are 0.
    TRY(zero_guest(ram, kLinuxBootParamsGpa, kLinuxBootParamsSize));
    TRY(copy_to_guest(ram, kLinuxBootParamsGpa + bp::kHdr,
                      request.kernel.subspan(bp::kHdr, hdr.header_end - bp::kHdr)));
    TRY(set(ram, bp::kVidMode, kVidModeNormal));
    TRY(set(ram, bp::kTypeOfLoader, kTypeOfLoaderUndefined));
    TRY(set(ram, bp::kLoadflags,
            static_cast<std::uint8_t>((hdr.loadflags | kLoadedHigh) & ~kCanUseHeap)));
    TRY(set(ram, bp::kCode32Start, static_cast<std::uint32_t>(load.kernel_gpa)));
    TRY(set(ram, bp::kRamdiskImage, static_cast<std::uint32_t>(load.initrd_gpa)));
    TRY(set(ram, bp::kRamdiskSize, static_cast<std::uint32_t>(load.initrd_size)));
    TRY(set(ram, bp::kExtRamdiskImage, static_cast<std::uint32_t>(load.initrd_gpa >> 32)));
    TRY(set(ram, bp::kExtRamdiskSize, static_cast<std::uint32_t>(load.initrd_size >> 32)));
    TRY(set(ram, bp::kCmdLinePtr, static_cast<std::uint32_t>(kLinuxCmdlineGpa)));
    TRY(set(ram, bp::kExtCmdLinePtr, std::uint32_t{0}));
    TRY(set(ram, bp::kHardwareSubarch, std::uint32_t{0}));  // X86_SUBARCH_PC
    TRY(set(ram, bp::kSetupData, std::uint64_t{0}));        // no setup_data list
    TRY(set(ram, bp::kAcpiRsdpAddr, request.acpi_rsdp_gpa));
    TRY(write_e820(ram, map));

    load.ranges.add(load.kernel_gpa, need, "kernel");
    if (load.initrd_size != 0) load.ranges.add(load.initrd_gpa, load.initrd_size, "initrd");
    load.ranges.add(kLinuxBootParamsGpa, kLinuxBootParamsSize, "boot_params");
    load.ranges.add(kLinuxCmdlineGpa, load.cmdline_size + 1, "cmdline");
    return load;
}

void format_to(Sink& s, const LinuxLoad& load) {
    print(s, "linux protocol ", Version{load.protocol}, " entry64=", Hex0x{load.entry64},
          " rsi=", Hex0x{load.boot_params_gpa});
    for (const LoadedRange& r : load.ranges.view()) print(s, ' ', r);
}

}  // namespace hv::vmm::loader
