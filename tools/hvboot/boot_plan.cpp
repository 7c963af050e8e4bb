#include "boot_plan.hpp"

#include <algorithm>
#include <array>

namespace hvboot {

ImageKind image_kind(std::span<const std::byte> head, std::string_view path) {
    constexpr std::array<std::byte, 4> kElfMagic{std::byte{0x7f}, std::byte{'E'}, std::byte{'L'},
                                                 std::byte{'F'}};
    constexpr std::array<std::byte, 5> kIsoMagic{std::byte{'C'}, std::byte{'D'}, std::byte{'0'},
                                                 std::byte{'0'}, std::byte{'1'}};
    constexpr std::size_t kIsoMagicOffset = 0x8001;  // ECMA-119 8.4: first volume descriptor
    if (head.size() >= kElfMagic.size() &&
        std::equal(kElfMagic.begin(), kElfMagic.end(), head.begin())) {
        return ImageKind::kElf;
    }
    if (head.size() >= kIsoMagicOffset + kIsoMagic.size()) {
        return std::equal(kIsoMagic.begin(), kIsoMagic.end(), head.begin() + kIsoMagicOffset)
                   ? ImageKind::kIso
                   : ImageKind::kUnknown;
    }
    return path.ends_with(".iso") ? ImageKind::kIso : ImageKind::kUnknown;
}

BootPlan make_boot_plan(const Options& o, ImageKind kind) {
    BootPlan plan;
    // SeaBIOS-less paths (OVMF, the Bochs BIOS) have no multiboot loader: GRUB must do it.
    const bool needs_grub =
        o.emulator == Emulator::kBochs || o.firmware == Firmware::kUefi || o.force_iso;
    const bool changes_grub_cfg = o.cmdline.has_value() || !o.modules.empty();
    switch (kind) {
        case ImageKind::kElf:
            plan.medium = needs_grub ? BootMedium::kIsoFromElf : BootMedium::kKernel;
            break;
        case ImageKind::kIso:
            plan.medium = changes_grub_cfg ? BootMedium::kIsoFromIsoElf : BootMedium::kGivenIso;
            break;
        case ImageKind::kUnknown:
            plan.error = o.image + " is neither an ELF file nor an ISO 9660 image";
            break;
    }
    return plan;
}

}  // namespace hvboot
