#include "iso_builder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hvboot {
namespace {

TEST(IsoBuilder, GrubCfgBootsOverSerialWithoutDelay) {
    const std::vector<Module> mods{{"cfg/vms.toml", "name=manifest"}};
    EXPECT_EQ(grub_cfg("console=com1 on_all_stopped=poweroff", mods),
              "set timeout=0\n"
              "set default=0\n"
              "serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1\n"
              "terminal_input serial console\n"
              "terminal_output serial console\n"
              "menuentry \"hypervisor\" {\n"
              "    multiboot2 /boot/hypervisor.elf console=com1 on_all_stopped=poweroff\n"
              "    module2 /boot/modules/vms.toml name=manifest\n"
              "    boot\n"
              "}\n");
}

TEST(IsoBuilder, GrubCfgWithEmptyCmdlineHasNoTrailingWords) {
    EXPECT_NE(grub_cfg("", {}).find("    multiboot2 /boot/hypervisor.elf\n"), std::string::npos);
}

TEST(IsoBuilder, ModuleFilesAreUniqueWithinTheIso) {
    const std::vector<Module> mods{{"a/x.bin", ""}, {"b/x.bin", ""}, {"y.bin", ""}};
    EXPECT_EQ(iso_module_files(mods), (std::vector<std::string>{"0-x.bin", "1-x.bin", "y.bin"}));
}

TEST(IsoBuilder, GrubQuoteProtectsScriptCharacters) {
    EXPECT_EQ(grub_quote("name=manifest"), "name=manifest");
    EXPECT_EQ(grub_quote("a$b"), "'a$b'");
    EXPECT_EQ(grub_quote("it's"), R"('it'\''s')");
}

TEST(IsoBuilder, ExtractsTheKernelFromAnExistingIso) {
    EXPECT_EQ(xorriso_extract_argv("in.iso", "/t/hypervisor.elf"),
              (std::vector<std::string>{"xorriso", "-osirrox", "on", "-indev", "in.iso", "-extract",
                                        "/boot/hypervisor.elf", "/t/hypervisor.elf"}));
}

}  // namespace
}  // namespace hvboot
