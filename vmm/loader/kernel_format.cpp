#include "vmm/loader/kernel_format.hpp"

#include "vmm/loader/elf.hpp"

namespace hv::vmm::loader {
namespace {

// Documentation/arch/x86/boot.rst, "The Real-Mode Kernel Header".
constexpr std::size_t kBootFlagOffset = 0x1fe;
constexpr std::uint16_t kBootFlag = 0xaa55;
constexpr std::size_t kHeaderMagicOffset = 0x202;

// gABI e_ident[EI_CLASS].
constexpr std::size_t kEiClass = 4;
constexpr std::uint8_t kElfClass32 = 1;
constexpr std::uint8_t kElfClass64 = 2;

bool has_boot_flag(Bytes image) {
    return load_le<std::uint16_t>(image, kBootFlagOffset).value_or(0) == kBootFlag;
}

}  // namespace

const char* name(KernelFormat format) {
    switch (format) {
        case KernelFormat::kMultibootElf32:
            return "multiboot-elf32";
        case KernelFormat::kMultibootElf64:
            return "multiboot-elf64";
        case KernelFormat::kLinuxBzImage:
            return "linux-bzimage";
        case KernelFormat::kUnknown:
            break;
    }
    return "unknown";
}

Optional<MultibootHeader> find_multiboot_header(Bytes image) {
    const std::size_t limit =
        image.size() < kMultibootSearchLimit ? image.size() : kMultibootSearchLimit;
    for (std::size_t at = 0; at + kMultibootHeaderMinSize <= limit; at += 4) {
        const auto magic = load_le_unchecked<std::uint32_t>(image, at);
        if (magic != kMultibootHeaderMagic) continue;
        const auto flags = load_le_unchecked<std::uint32_t>(image, at + 4);
        const auto checksum = load_le_unchecked<std::uint32_t>(image, at + 8);
        if (static_cast<std::uint32_t>(magic + flags + checksum) == 0) {
            return MultibootHeader{at, flags};
        }
    }
    return kNone;
}

bool has_bzimage_signature(Bytes image) {
    return has_boot_flag(image) && bytes_equal(image, kHeaderMagicOffset, "HdrS", 4);
}

KernelFormat classify_kernel(Bytes image) {
    if (has_bzimage_signature(image)) return KernelFormat::kLinuxBzImage;
    if (!has_elf_magic(image) || !find_multiboot_header(image)) return KernelFormat::kUnknown;
    switch (load_le<std::uint8_t>(image, kEiClass).value_or(0)) {
        case kElfClass32:
            return KernelFormat::kMultibootElf32;
        case kElfClass64:
            return KernelFormat::kMultibootElf64;
        default:
            return KernelFormat::kUnknown;
    }
}

LoadResult<KernelFormat> detect_kernel_format(Bytes image) {
    const KernelFormat format = classify_kernel(image);
    if (format != KernelFormat::kUnknown) return format;

    const char* linux_part = has_boot_flag(image)
                                 ? "boot sector signature 0xAA55 but no 'HdrS' setup header"
                                 : "no 'HdrS' signature";
    const bool elf = has_elf_magic(image);
    const Optional<MultibootHeader> mb = find_multiboot_header(image);
    if (elf && mb) {
        return make_load_error(Errc::kInvalid, "not a bzImage or Multiboot ELF: ", linux_part,
                               ", and a Multiboot header in an ELF file of unknown class ",
                               load_le<std::uint8_t>(image, kEiClass).value_or(0));
    }
    if (elf) {
        return make_load_error(Errc::kUnsupported, "not a bzImage or Multiboot ELF: ", linux_part,
                               ", and an ELF file without a Multiboot header in its first 8 KiB");
    }
    if (mb) {
        return make_load_error(Errc::kUnsupported, "not a bzImage or Multiboot ELF: ", linux_part,
                               ", and a Multiboot header at ", Hex0x{mb->offset},
                               " in a file that is not ELF (a.out kludge images are unsupported)");
    }
    return make_load_error(Errc::kUnsupported, "not a bzImage or Multiboot ELF: ", linux_part,
                           " and no Multiboot header (", image.size(), " bytes)");
}

}  // namespace hv::vmm::loader
