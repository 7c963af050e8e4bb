#include "qemu_command.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace hvboot {
namespace {

using Argv = std::vector<std::string>;

// True when `words` appear consecutively in argv.
bool has(const Argv& argv, const Argv& words) {
    return std::search(argv.begin(), argv.end(), words.begin(), words.end()) != argv.end();
}

Options elf() {
    Options o;
    o.image = "build/hypervisor.elf";
    return o;
}

TEST(QemuCommand, ElfBootHasTheFixedPrefix) {
    const auto argv = qemu_argv(elf(), BootMedium::kKernel, {});
    const Argv prefix{"qemu-system-x86_64",
                      "-accel",
                      "tcg",
                      "-cpu",
                      "max",
                      "-machine",
                      "q35",
                      "-smp",
                      "1",
                      "-m",
                      "1024",
                      "-display",
                      "none",
                      "-vga",
                      "none",
                      "-serial",
                      "stdio",
                      "-monitor",
                      "none",
                      "-no-reboot",
                      "-kernel",
                      "build/hypervisor.elf"};
    EXPECT_EQ(argv, prefix);
}

TEST(QemuCommand, PassesCmdlineAndModules) {
    auto o = elf();
    o.cmdline = "on_all_stopped=poweroff";
    o.modules = {{"vms.toml", "name=manifest"}, {"bzImage", "name=linux"}};
    const auto argv = qemu_argv(o, BootMedium::kKernel, {});
    EXPECT_TRUE(has(argv, {"-append", "on_all_stopped=poweroff"}));
    EXPECT_TRUE(has(argv, {"-initrd", "vms.toml name=manifest,bzImage name=linux"}));
}

TEST(QemuCommand, InitrdKeepsModuleWithoutArguments) {
    const std::vector<Module> mods{{"a.bin", ""}, {"b.bin", "name=b"}};
    EXPECT_EQ(qemu_initrd(mods), "a.bin,b.bin name=b");
}

TEST(QemuCommand, IntelIommuSplitsIrqchipAndComesBeforeDevices) {
    auto o = elf();
    o.iommu = Iommu::kIntel;
    o.devices = {"edu"};
    const auto argv = qemu_argv(o, BootMedium::kKernel, {});
    EXPECT_TRUE(has(argv, {"-machine", "q35,kernel-irqchip=split"}));
    EXPECT_TRUE(
        has(argv, {"-device", "intel-iommu,intremap=on,caching-mode=on", "-device", "edu"}));
}

TEST(QemuCommand, AmdIommu) {
    auto o = elf();
    o.iommu = Iommu::kAmd;
    const auto argv = qemu_argv(o, BootMedium::kKernel, {});
    EXPECT_TRUE(has(argv, {"-machine", "q35", "-smp"}));
    EXPECT_TRUE(has(argv, {"-device", "amd-iommu"}));
}

TEST(QemuCommand, UefiUsesReadOnlyCodeAndPrivateVars) {
    auto o = elf();
    o.firmware = Firmware::kUefi;
    const auto argv =
        qemu_argv(o, BootMedium::kIsoFromElf, {"/tmp/x/hvboot.iso", "/tmp/x/VARS.fd"});
    EXPECT_TRUE(has(
        argv,
        {"-drive", "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
         "-drive", "if=pflash,format=raw,unit=1,file=/tmp/x/VARS.fd"}));
    EXPECT_TRUE(has(argv, {"-cdrom", "/tmp/x/hvboot.iso"}));
    EXPECT_FALSE(has(argv, {"-kernel"}));
}

TEST(QemuCommand, IcountAndRawArgumentsGoVerbatim) {
    auto o = elf();
    o.icount = true;
    o.qemu_args = {"-d", "int,cpu_reset"};
    const auto argv = qemu_argv(o, BootMedium::kKernel, {});
    EXPECT_TRUE(has(argv, {"-icount", "shift=0"}));
    EXPECT_EQ(argv[argv.size() - 2], "-d");
    EXPECT_EQ(argv.back(), "int,cpu_reset");
}

TEST(QemuCommand, ShellJoinQuotesOnlyWhatNeedsIt) {
    const Argv argv{"qemu", "-initrd", "a name=b", "it's", ""};
    EXPECT_EQ(shell_join(argv), R"(qemu -initrd 'a name=b' 'it'\''s' '')");
}

}  // namespace
}  // namespace hvboot
