#include "boot_plan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hvboot {
namespace {

std::vector<std::byte> bytes(std::string_view s, std::size_t at = 0, std::size_t size = 0) {
    std::vector<std::byte> out(std::max(size, at + s.size()));
    for (std::size_t i = 0; i < s.size(); ++i) out[at + i] = static_cast<std::byte>(s[i]);
    return out;
}

TEST(BootPlan, RecognisesElfByMagic) {
    EXPECT_EQ(image_kind(bytes("\x7f"
                               "ELF\x01"),
                         "x.iso"),
              ImageKind::kElf);
}

TEST(BootPlan, RecognisesIsoByVolumeDescriptor) {
    EXPECT_EQ(image_kind(bytes("CD001", 0x8001), "image.bin"), ImageKind::kIso);
    EXPECT_EQ(image_kind(bytes("XXXXX", 0x8001), "image.iso"), ImageKind::kUnknown);
}

TEST(BootPlan, FallsBackToIsoSuffixForShortFiles) {
    EXPECT_EQ(image_kind(bytes("abc"), "a.iso"), ImageKind::kIso);
    EXPECT_EQ(image_kind(bytes("abc"), "a.bin"), ImageKind::kUnknown);
}

TEST(BootPlan, ElfUnderSeaBiosBootsDirectly) {
    Options o;
    EXPECT_EQ(make_boot_plan(o, ImageKind::kElf).medium, BootMedium::kKernel);
}

TEST(BootPlan, ElfUnderUefiBochsOrIsoFlagGetsAnIso) {
    Options uefi;
    uefi.firmware = Firmware::kUefi;
    EXPECT_EQ(make_boot_plan(uefi, ImageKind::kElf).medium, BootMedium::kIsoFromElf);
    Options bochs;
    bochs.emulator = Emulator::kBochs;
    EXPECT_EQ(make_boot_plan(bochs, ImageKind::kElf).medium, BootMedium::kIsoFromElf);
    Options iso;
    iso.force_iso = true;
    EXPECT_EQ(make_boot_plan(iso, ImageKind::kElf).medium, BootMedium::kIsoFromElf);
}

TEST(BootPlan, IsoBootsUnchangedWithoutCmdlineOrModules) {
    Options o;
    o.firmware = Firmware::kUefi;
    EXPECT_EQ(make_boot_plan(o, ImageKind::kIso).medium, BootMedium::kGivenIso);
}

TEST(BootPlan, IsoIsRebuiltForCmdlineOrModules) {
    Options o;
    o.cmdline = "on_all_stopped=poweroff";
    EXPECT_EQ(make_boot_plan(o, ImageKind::kIso).medium, BootMedium::kIsoFromIsoElf);
    Options m;
    m.modules.push_back({"vms.toml", "name=manifest"});
    EXPECT_EQ(make_boot_plan(m, ImageKind::kIso).medium, BootMedium::kIsoFromIsoElf);
}

TEST(BootPlan, UnknownImageIsAnError) {
    Options o;
    o.image = "blob";
    EXPECT_NE(make_boot_plan(o, ImageKind::kUnknown).error, "");
}

}  // namespace
}  // namespace hvboot
