// Fuzz target for the guest kernel loaders: format detection, the ELF parser, the bzImage setup
// header parser, and both loaders writing into a small fake guest RAM. The loaders must never
// crash, never write outside RAM, and report only ranges that are RAM.
#include <cstddef>
#include <cstdint>

#include "tests/unit/vmm/loader/fake_guest_ram.hpp"
#include "vmm/loader/elf.hpp"
#include "vmm/loader/kernel_format.hpp"
#include "vmm/loader/linux_boot.hpp"
#include "vmm/loader/multiboot_guest.hpp"

namespace {

using namespace hv::vmm::loader;

void check_ranges(const GuestRam& ram, const LoadedRanges& ranges) {
    for (const LoadedRange& r : ranges.view()) {
        if (!is_guest_ram(ram, r.gpa, r.size)) __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // 8 MiB below 4 GiB plus 2 MiB above; reused across inputs (loaders never read RAM back).
    static FakeGuestRam ram(8 * hv::kMiB, 2 * hv::kMiB);
    const hv::Bytes image(reinterpret_cast<const std::byte*>(data), size);

    const KernelFormat format = classify_kernel(image);
    (void)detect_kernel_format(image);
    (void)parse_elf(image);
    (void)parse_bzimage_header(image);

    // The input's last bytes double as the module / initrd.
    const hv::Bytes blob = image.last(size < 4096 ? size : 4096);
    if (format == KernelFormat::kMultibootElf32 || format == KernelFormat::kMultibootElf64) {
        MultibootLoadRequest req;
        req.kernel = image;
        req.module = BootModule{blob, "fuzz-module"};
        req.cmdline = "console=com1";
        const auto r = load_multiboot(ram, req);
        if (r.ok()) {
            check_ranges(ram, r.value().ranges);
            if (!is_guest_ram(ram, r.value().entry, 1)) __builtin_trap();
        }
    } else {
        LinuxLoadRequest req;
        req.kernel = image;
        req.initrd = blob;
        req.cmdline = "console=ttyS0";
        const auto r = load_linux(ram, req);
        if (r.ok()) check_ranges(ram, r.value().ranges);
    }
    if (ram.crossed_chunk()) __builtin_trap();
    return 0;
}
