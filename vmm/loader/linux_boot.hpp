#pragma once
// Loading a Linux bzImage for the 64-bit boot protocol (Documentation/arch/x86/boot.rst,
// "64-bit Boot Protocol"; struct boot_params per Documentation/arch/x86/zero-page.rst).
//
//   image:  [ boot sector + setup header | setup code ... ][ protected-mode kernel ........ ]
//            0                  0x1F1..                   (setup_sects + 1) * 512
//
// The protected-mode kernel is copied to its load address: pref_address if it fits (with init_size
// bytes of room below the top of RAM), else, if the kernel is relocatable, the lowest
// kernel_alignment-aligned address at or above 1 MiB that does. The initrd goes page-aligned as
// high as min(initrd_addr_max + 1, top of RAM below 4 GiB) allows, above the kernel's init_size
// range. boot_params ("zero page") is built at kLinuxBootParamsGpa, the command line at
// kLinuxCmdlineGpa (guest_layout.hpp).
//
// The caller enters the guest as the 64-bit protocol says: long mode, paging on with an identity
// map covering the LoadedRanges (simplest: all RAM below 4 GiB), a GDT with flat __BOOT_CS (0x10,
// execute/read) and __BOOT_DS (0x18, read/write), CS = 0x10, DS = ES = SS = 0x18, interrupts off,
// RIP = entry64, RSI = boot_params_gpa. The boot scratch area is free for that GDT and page tables.
//
// Pure: the image is untrusted; every field is checked before it is used.
#include <cstddef>
#include <cstdint>

#include "kernel/lib/bytes.hpp"
#include "kernel/lib/str.hpp"
#include "vmm/loader/guest_layout.hpp"
#include "vmm/loader/guest_ram.hpp"
#include "vmm/loader/load_error.hpp"

namespace hv::vmm::loader {

// Byte offsets in struct boot_params (zero-page.rst) and in the setup header (boot.rst, "The
// Real-Mode Kernel Header"). The header sits at 0x1F1 in both the image and boot_params, so one
// offset serves for reading the image and for writing the zero page.
namespace boot_params {
inline constexpr std::size_t kAcpiRsdpAddr = 0x070;         // u64
inline constexpr std::size_t kExtRamdiskImage = 0x0c0;      // u32, high half of ramdisk_image
inline constexpr std::size_t kExtRamdiskSize = 0x0c4;       // u32
inline constexpr std::size_t kExtCmdLinePtr = 0x0c8;        // u32
inline constexpr std::size_t kE820Entries = 0x1e8;          // u8
inline constexpr std::size_t kSentinel = 0x1ef;             // u8, must stay 0
inline constexpr std::size_t kHdr = 0x1f1;                  // struct setup_header
inline constexpr std::size_t kSetupSects = 0x1f1;           // u8
inline constexpr std::size_t kRootFlags = 0x1f2;            // u16
inline constexpr std::size_t kSyssize = 0x1f4;              // u32
inline constexpr std::size_t kRamSize = 0x1f8;              // u16
inline constexpr std::size_t kVidMode = 0x1fa;              // u16
inline constexpr std::size_t kRootDev = 0x1fc;              // u16
inline constexpr std::size_t kBootFlag = 0x1fe;             // u16, 0xAA55
inline constexpr std::size_t kJump = 0x200;                 // u16; byte 0x201 = header length - 2
inline constexpr std::size_t kHeader = 0x202;               // "HdrS"
inline constexpr std::size_t kVersion = 0x206;              // u16
inline constexpr std::size_t kRealmodeSwtch = 0x208;        // u32
inline constexpr std::size_t kStartSysSeg = 0x20c;          // u16
inline constexpr std::size_t kKernelVersion = 0x20e;        // u16
inline constexpr std::size_t kTypeOfLoader = 0x210;         // u8
inline constexpr std::size_t kLoadflags = 0x211;            // u8
inline constexpr std::size_t kSetupMoveSize = 0x212;        // u16
inline constexpr std::size_t kCode32Start = 0x214;          // u32
inline constexpr std::size_t kRamdiskImage = 0x218;         // u32
inline constexpr std::size_t kRamdiskSize = 0x21c;          // u32
inline constexpr std::size_t kBootsectKludge = 0x220;       // u32
inline constexpr std::size_t kHeapEndPtr = 0x224;           // u16
inline constexpr std::size_t kExtLoaderVer = 0x226;         // u8
inline constexpr std::size_t kExtLoaderType = 0x227;        // u8
inline constexpr std::size_t kCmdLinePtr = 0x228;           // u32
inline constexpr std::size_t kInitrdAddrMax = 0x22c;        // u32
inline constexpr std::size_t kKernelAlignment = 0x230;      // u32
inline constexpr std::size_t kRelocatableKernel = 0x234;    // u8
inline constexpr std::size_t kMinAlignment = 0x235;         // u8
inline constexpr std::size_t kXloadflags = 0x236;           // u16
inline constexpr std::size_t kCmdlineSize = 0x238;          // u32
inline constexpr std::size_t kHardwareSubarch = 0x23c;      // u32
inline constexpr std::size_t kHardwareSubarchData = 0x240;  // u64
inline constexpr std::size_t kPayloadOffset = 0x248;        // u32
inline constexpr std::size_t kPayloadLength = 0x24c;        // u32
inline constexpr std::size_t kSetupData = 0x250;            // u64
inline constexpr std::size_t kPrefAddress = 0x258;          // u64
inline constexpr std::size_t kInitSize = 0x260;             // u32
inline constexpr std::size_t kHandoverOffset = 0x264;       // u32
inline constexpr std::size_t kKernelInfoOffset = 0x268;     // u32
inline constexpr std::size_t kHdrLimit = 0x290;   // edd_mbr_sig_buffer: the header ends before
inline constexpr std::size_t kE820Table = 0x2d0;  // struct boot_e820_entry[128]
inline constexpr std::size_t kEddBuf = 0xd00;
inline constexpr std::size_t kSize = 0x1000;

// struct boot_e820_entry: u64 addr, u64 size, u32 type, packed.
inline constexpr std::size_t kE820EntrySize = 20;
inline constexpr std::size_t kE820MaxEntries = 128;  // E820_MAX_ENTRIES_ZEROPAGE

// Each field follows the previous one (boot.rst lists offset and size side by side).
static_assert(kRootFlags == kSetupSects + 1 && kSyssize == kRootFlags + 2 &&
              kRamSize == kSyssize + 4 && kVidMode == kRamSize + 2 && kRootDev == kVidMode + 2 &&
              kBootFlag == kRootDev + 2 && kJump == kBootFlag + 2 && kHeader == kJump + 2 &&
              kVersion == kHeader + 4 && kRealmodeSwtch == kVersion + 2 &&
              kStartSysSeg == kRealmodeSwtch + 4 && kKernelVersion == kStartSysSeg + 2 &&
              kTypeOfLoader == kKernelVersion + 2 && kLoadflags == kTypeOfLoader + 1 &&
              kSetupMoveSize == kLoadflags + 1 && kCode32Start == kSetupMoveSize + 2 &&
              kRamdiskImage == kCode32Start + 4 && kRamdiskSize == kRamdiskImage + 4 &&
              kBootsectKludge == kRamdiskSize + 4 && kHeapEndPtr == kBootsectKludge + 4 &&
              kExtLoaderVer == kHeapEndPtr + 2 && kExtLoaderType == kExtLoaderVer + 1 &&
              kCmdLinePtr == kExtLoaderType + 1 && kInitrdAddrMax == kCmdLinePtr + 4 &&
              kKernelAlignment == kInitrdAddrMax + 4 &&
              kRelocatableKernel == kKernelAlignment + 4 &&
              kMinAlignment == kRelocatableKernel + 1 && kXloadflags == kMinAlignment + 1 &&
              kCmdlineSize == kXloadflags + 2 && kHardwareSubarch == kCmdlineSize + 4 &&
              kHardwareSubarchData == kHardwareSubarch + 4 &&
              kPayloadOffset == kHardwareSubarchData + 8 && kPayloadLength == kPayloadOffset + 4 &&
              kSetupData == kPayloadLength + 4 && kPrefAddress == kSetupData + 8 &&
              kInitSize == kPrefAddress + 8 && kHandoverOffset == kInitSize + 4 &&
              kKernelInfoOffset == kHandoverOffset + 4 && kKernelInfoOffset + 4 <= kHdrLimit);
static_assert(kE820Table + kE820MaxEntries * kE820EntrySize <= kEddBuf);
static_assert(kE820Entries < kSentinel && kSentinel < kHdr);
}  // namespace boot_params

// boot.rst: protocol versions, loadflags, xloadflags.
inline constexpr std::uint16_t kMinLinuxProtocol = 0x020c;  // 2.12: xloadflags
inline constexpr std::uint8_t kLoadedHigh = 1u << 0;
inline constexpr std::uint8_t kCanUseHeap = 1u << 7;
inline constexpr std::uint16_t kXlfKernel64 = 1u << 0;
inline constexpr std::uint16_t kXlfCanBeLoadedAbove4g = 1u << 1;
inline constexpr std::uint8_t kTypeOfLoaderUndefined = 0xff;
inline constexpr std::uint16_t kVidModeNormal = 0xffff;
inline constexpr std::uint64_t kLinux64EntryOffset = 0x200;
inline constexpr std::size_t kSectorSize = 512;
inline constexpr std::uint8_t kDefaultSetupSects = 4;  // setup_sects == 0 means 4

// The setup-header fields a loader uses. Fields newer than the image's protocol version read 0.
struct LinuxSetupHeader {
    std::uint8_t setup_sects = 0;  // as in the image
    std::uint16_t version = 0;     // 0x020f = 2.15
    std::uint8_t loadflags = 0;
    std::uint32_t syssize = 0;  // 16-byte paragraphs
    std::uint32_t initrd_addr_max = 0;
    std::uint32_t kernel_alignment = 0;
    std::uint8_t relocatable_kernel = 0;
    std::uint8_t min_alignment = 0;  // log2
    std::uint16_t xloadflags = 0;
    std::uint32_t cmdline_size = 0;  // without the terminating NUL
    std::uint64_t pref_address = 0;
    std::uint32_t init_size = 0;
    std::size_t header_end = 0;   // 0x202 + byte at 0x201, capped at boot_params::kHdrLimit
    std::size_t setup_size = 0;   // (setup_sects, 0 counting as 4, + 1) * 512
    std::size_t kernel_size = 0;  // image size - setup_size: the protected-mode kernel
};

// Reads the setup header. Fails if the image is too short, lacks the 0xAA55/"HdrS" signatures, has
// a header length byte pointing before the version field or past the image, or claims more setup
// sectors than the image holds. Does not judge whether the kernel can be booted (see load_linux).
[[nodiscard]] LoadResult<LinuxSetupHeader> parse_bzimage_header(Bytes image);

// "protocol 2.15 setup_sects 39 loadflags 0x1 xloadflags 0x7f ..." (all fields above).
void format_to(Sink& s, const LinuxSetupHeader& hdr);

struct LinuxLoadRequest {
    Bytes kernel;  // the whole bzImage
    Bytes initrd;  // empty: no initrd
    StrView cmdline;
    std::uint64_t acpi_rsdp_gpa = 0;  // boot_params.acpi_rsdp_addr; 0: the guest scans for it
};

struct LinuxLoad {
    std::uint64_t entry64 = 0;          // RIP: kernel_gpa + 0x200
    std::uint64_t boot_params_gpa = 0;  // RSI
    std::uint64_t kernel_gpa = 0;
    std::uint64_t kernel_reserved = 0;  // bytes from kernel_gpa the kernel may use: >= init_size
    std::uint64_t initrd_gpa = 0;       // 0 if none
    std::uint64_t initrd_size = 0;
    std::uint64_t cmdline_gpa = 0;
    std::size_t cmdline_size = 0;  // without the NUL
    std::uint16_t protocol = 0;
    LoadedRanges ranges;  // kernel (kernel_reserved bytes), initrd, boot_params, cmdline
};

// Loads a bzImage and builds boot_params. Fails with a reason naming the values involved if: the
// image is not a bzImage (signatures, LOADED_HIGH), its protocol is older than 2.12, it has no
// 64-bit entry (XLF_KERNEL_64), kernel_alignment is not a power of two, the kernel with init_size
// room fits neither at pref_address nor (if relocatable) anywhere else in RAM below 4 GiB, the
// initrd does not fit between the kernel and min(initrd_addr_max + 1, RAM top), or the command line
// is longer than cmdline_size or the command-line area. On failure guest RAM may be partly written.
[[nodiscard]] LoadResult<LinuxLoad> load_linux(GuestRam& ram, const LinuxLoadRequest& request);

// "linux protocol 2.15 entry64=0x1000200 rsi=0x7000 kernel 0x1000000-0x4378000 ..."
void format_to(Sink& s, const LinuxLoad& load);

}  // namespace hv::vmm::loader
