#include "vmm/guest_loader.hpp"

#include "vmm/loader/kernel_format.hpp"
#include "vmm/loader/multiboot_guest.hpp"

namespace hv::vmm {

loader::LoadResult<InitialState> load_kernel(loader::GuestRam& ram, Bytes kernel, Bytes initrd,
                                             StrView initrd_name, StrView cmdline) {
    const loader::KernelFormat format = TRY(loader::detect_kernel_format(kernel));
    switch (format) {
        case loader::KernelFormat::kMultibootElf32:
        case loader::KernelFormat::kMultibootElf64: {
            loader::MultibootLoadRequest req{kernel, kNone, cmdline};
            if (!initrd.empty()) req.module = loader::BootModule{initrd, initrd_name};
            const loader::MultibootLoad load = TRY(loader::load_multiboot(ram, req));
            // Multiboot 0.6.96 sec 3.2: EAX = magic, EBX = information structure.
            constexpr std::uint32_t kMultibootBootloaderMagic = 0x2BAD'B002;
            return flat_protected_mode(load.entry, kMultibootBootloaderMagic, load.info_gpa);
        }
        case loader::KernelFormat::kLinuxBzImage:
            return loader::make_load_error(Errc::kUnsupported,
                                           "Linux bzImage guests are not supported by this build");
        case loader::KernelFormat::kUnknown:
            break;
    }
    return loader::make_load_error(Errc::kInvalid, "unrecognised kernel image");
}

}  // namespace hv::vmm
