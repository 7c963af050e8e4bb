#include "vmm/guest_loader.hpp"

#include "kernel/lib/format.hpp"

#include "arch/x86/paging/hpt_format.hpp"
#include "vmm/loader/guest_write.hpp"
#include "vmm/loader/kernel_format.hpp"
#include "vmm/loader/multiboot_guest.hpp"

namespace hv::vmm {
namespace {

// The guest's boot page tables are in the host paging format (SDM vol. 3A 5.5).
constexpr std::uint64_t kPtePresent = paging::HptEntry::kPresent;
constexpr std::uint64_t kPteWritable = paging::HptEntry::kWritable;
constexpr std::uint64_t kPteLargePage = paging::HptEntry::kPageSize;  // PDE: a 2 MiB page

constexpr std::uint64_t kPml4Gpa = loader::kBootScratchGpa;
constexpr std::uint64_t kPdptGpa = kPml4Gpa + kPageSize;
constexpr std::uint64_t kFirstPdGpa = kPdptGpa + kPageSize;
constexpr std::uint64_t kMaxPageDirectories = loader::kMaxRamTopBelow4g / kGiB;
constexpr std::uint64_t kGdtGpa = kFirstPdGpa + kMaxPageDirectories * kPageSize;
static_assert(kGdtGpa + kPageSize <= loader::kBootScratchGpa + loader::kBootScratchSize,
              "boot page tables and GDT must fit the boot scratch area");

// boot.rst: __BOOT_CS = 0x10, __BOOT_DS = 0x18 (GDT entries 2 and 3).
constexpr std::uint16_t kBootCs = 0x10;
constexpr std::uint16_t kBootDs = 0x18;
// Descriptors (SDM vol. 3A 3.4.5): base 0, limit 0xFFFFF pages; code: P, DPL0, S, type 0xB
// (execute/read, accessed), L=1; data: P, DPL0, S, type 3 (read/write, accessed), D/B=1, G=1.
constexpr std::uint64_t kGdtCode64 = 0x00AF'9B00'0000'FFFF;
constexpr std::uint64_t kGdtData = 0x00CF'9300'0000'FFFF;
constexpr std::uint16_t kGdtLimit = 4 * 8 - 1;

}  // namespace

loader::LoadResult<InitialState> linux_entry_state(loader::GuestRam& ram,
                                                   const loader::LinuxLoad& load) {
    const std::uint64_t top = ram.ram_top_below_4g();
    const std::uint64_t directories = (top + kGiB - 1) / kGiB;
    if (directories == 0 || directories > kMaxPageDirectories)
        return loader::make_load_error(Errc::kInvalid, "RAM below 4 GiB (", top,
                                       " bytes) cannot be identity-mapped for Linux");
    TRY(loader::zero_guest(ram, kPml4Gpa, kGdtGpa + kPageSize - kPml4Gpa));
    TRY(loader::store_guest(ram, kPml4Gpa, kPdptGpa | kPtePresent | kPteWritable));
    for (std::uint64_t d = 0; d < directories; ++d) {
        const std::uint64_t pd = kFirstPdGpa + d * kPageSize;
        TRY(loader::store_guest(ram, kPdptGpa + d * 8, pd | kPtePresent | kPteWritable));
        for (std::uint64_t e = 0; e < kPageSize / 8; ++e) {
            const std::uint64_t phys = d * kGiB + e * kLargePageSize;
            TRY(loader::store_guest(ram, pd + e * 8,
                                    phys | kPtePresent | kPteWritable | kPteLargePage));
        }
    }
    TRY(loader::store_guest(ram, kGdtGpa + kBootCs, kGdtCode64));
    TRY(loader::store_guest(ram, kGdtGpa + kBootDs, kGdtData));

    InitialState s{};
    s.regs.rip = load.entry64;
    s.regs.rflags = kRflagsFixed;
    s.regs[Gpr::kRsi] = load.boot_params_gpa;
    s.cr0 = kCr0Pe | kCr0Et | kCr0Ne | kCr0Pg;
    s.cr3 = kPml4Gpa;
    s.cr4 = kCr4Pae;
    s.efer = kEferLme | kEferLma;
    constexpr std::uint32_t kFlatLimit = 0xFFFF'FFFF;
    s.cs = Segment{kBootCs, kAttrCode64, kFlatLimit, 0};
    const Segment data{kBootDs, kAttrData32, kFlatLimit, 0};
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    // A busy 64-bit TSS and an unusable-but-valid LDTR satisfy the entry checks; Linux loads
    // its own before it needs them.
    constexpr std::uint32_t kTssLimit = 104 - 1;
    constexpr std::uint16_t kResetTableLimit = 0xFFFF;
    s.tr = Segment{0, kAttrTss32Busy, kTssLimit, 0};
    s.ldtr = Segment{0, kAttrLdt, kResetTableLimit, 0};
    s.gdtr_base = kGdtGpa;
    s.gdtr_limit = kGdtLimit;
    s.idtr_limit = 0;
    return s;
}

bool has_parameter(StrView cmdline, StrView name) {
    std::size_t i = 0;
    while (i < cmdline.size()) {
        while (i < cmdline.size() && cmdline.data()[i] == ' ') ++i;
        std::size_t end = i;
        while (end < cmdline.size() && cmdline.data()[end] != ' ') ++end;
        const StrView token(cmdline.data() + i, end - i);
        if (token.starts_with(name) &&
            (token.size() == name.size() || token.data()[name.size()] == '='))
            return true;
        i = end;
    }
    return false;
}

loader::LoadResult<LoadedKernel> load_kernel(loader::GuestRam& ram, const KernelImages& images) {
    const loader::KernelFormat format = TRY(loader::detect_kernel_format(images.kernel));
    switch (format) {
        case loader::KernelFormat::kMultibootElf32:
        case loader::KernelFormat::kMultibootElf64: {
            loader::MultibootLoadRequest req{images.kernel, kNone, images.cmdline};
            if (!images.initrd.empty())
                req.module = loader::BootModule{images.initrd, images.initrd_name};
            const loader::MultibootLoad load = TRY(loader::load_multiboot(ram, req));
            // Multiboot 0.6.96 sec 3.2: EAX = magic, EBX = information structure.
            constexpr std::uint32_t kMultibootBootloaderMagic = 0x2BAD'B002;
            return LoadedKernel{
                GuestKind::kMultiboot,
                flat_protected_mode(load.entry, kMultibootBootloaderMagic, load.info_gpa)};
        }
        case loader::KernelFormat::kLinuxBzImage: {
            BufferSink<kMaxLinuxCmdline> cmdline;
            format_to(cmdline, images.cmdline);
            if (images.tsc_khz != 0 && !has_parameter(images.cmdline, "tsc_early_khz")) {
                print(cmdline, images.cmdline.empty() ? "" : " ", "tsc_early_khz=", images.tsc_khz);
            }
            if (cmdline.size() + 1 >= kMaxLinuxCmdline)
                return loader::make_load_error(Errc::kInvalid, "command line longer than ",
                                               kMaxLinuxCmdline - 2, " bytes");
            const loader::LinuxLoadRequest req{images.kernel, images.initrd,
                                               StrView(cmdline.c_str(), cmdline.size()),
                                               images.acpi_rsdp_gpa};
            const loader::LinuxLoad load = TRY(loader::load_linux(ram, req));
            return LoadedKernel{GuestKind::kLinux, TRY(linux_entry_state(ram, load))};
        }
        case loader::KernelFormat::kUnknown:
            break;
    }
    return loader::make_load_error(Errc::kInvalid, "unrecognised kernel image");
}

}  // namespace hv::vmm
