// How a run boots: straight from the ELF with QEMU -kernel, from the given ISO, or from an ISO
// built for this run. Pure: the caller reads the image's first bytes.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "options.hpp"

namespace hvboot {

enum class ImageKind { kElf, kIso, kUnknown };

// ELF by its magic; ISO 9660 by "CD001" at byte 0x8001 (or, given fewer bytes, a .iso name).
[[nodiscard]] ImageKind image_kind(std::span<const std::byte> head, std::string_view path);

// Bytes image_kind() wants to see.
inline constexpr std::size_t kImageHeadBytes = 0x8006;

enum class BootMedium {
    kKernel,         // qemu -kernel ELF
    kGivenIso,       // the --image ISO, unchanged
    kIsoFromElf,     // grub-mkrescue around the --image ELF
    kIsoFromIsoElf,  // grub-mkrescue around /boot/hypervisor.elf taken from the --image ISO
};

struct BootPlan {
    BootMedium medium = BootMedium::kKernel;
    std::string error;  // empty when the plan is usable
};

[[nodiscard]] BootPlan make_boot_plan(const Options& options, ImageKind kind);

[[nodiscard]] constexpr bool builds_iso(BootMedium m) {
    return m == BootMedium::kIsoFromElf || m == BootMedium::kIsoFromIsoElf;
}

}  // namespace hvboot
