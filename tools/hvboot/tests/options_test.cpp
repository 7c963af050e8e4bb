#include "options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hvboot {
namespace {

ParseResult parse(std::vector<std::string> args) { return parse_options(args); }

TEST(Options, DefaultsMatchTheBootContract) {
    const auto r = parse({"--image", "hv.elf"});
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.options.emulator, Emulator::kQemu);
    EXPECT_EQ(r.options.machine, Machine::kQ35);
    EXPECT_EQ(r.options.smp, 1);
    EXPECT_EQ(r.options.memory_mib, 1024);
    EXPECT_EQ(r.options.timeout_s, 60);
    EXPECT_EQ(r.options.expect_exit, 0);
    EXPECT_EQ(r.options.firmware, Firmware::kBios);
}

TEST(Options, AlwaysRejectsPanicLines) {
    const auto r = parse({"--image", "hv.elf", "--reject", "oops"});
    ASSERT_EQ(r.options.reject.size(), 2u);
    EXPECT_EQ(r.options.reject[0], "hv: panic");
    EXPECT_EQ(r.options.reject[1], "oops");
}

TEST(Options, AcceptsInlineValues) {
    const auto r = parse({"--image=hv.elf", "--smp=4", "--memory=512"});
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.options.image, "hv.elf");
    EXPECT_EQ(r.options.smp, 4);
    EXPECT_EQ(r.options.memory_mib, 512);
}

TEST(Options, KeepsRepeatedFlagsInOrder) {
    const auto r = parse({"--image", "i", "--expect", "a", "--expect", "b", "--device", "edu",
                          "--qemu-arg", "-d", "--qemu-arg", "int"});
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.options.expect, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(r.options.devices, (std::vector<std::string>{"edu"}));
    EXPECT_EQ(r.options.qemu_args, (std::vector<std::string>{"-d", "int"}));
}

TEST(Options, RequiresAnImage) { EXPECT_EQ(parse({"--smp", "2"}).error, "--image is required"); }

TEST(Options, RejectsUnknownFlag) {
    EXPECT_NE(parse({"--image", "i", "--frobnicate"}).error.find("unknown option"),
              std::string::npos);
}

TEST(Options, RejectsMissingValue) {
    EXPECT_EQ(parse({"--image", "i", "--smp"}).error, "--smp needs a value");
}

TEST(Options, RejectsOutOfRangeNumbers) {
    EXPECT_NE(parse({"--image", "i", "--smp", "0"}).error, "");
    EXPECT_NE(parse({"--image", "i", "--smp", "4x"}).error, "");
    EXPECT_NE(parse({"--image", "i", "--timeout", "-1"}).error, "");
}

TEST(Options, RejectsBadRegexAtParseTime) {
    EXPECT_NE(parse({"--image", "i", "--expect", "("}).error.find("bad regex"), std::string::npos);
}

TEST(Options, IommuNeedsQ35) {
    EXPECT_NE(parse({"--image", "i", "--iommu", "intel", "--machine", "pc"}).error, "");
    EXPECT_EQ(parse({"--image", "i", "--iommu", "amd"}).error, "");
}

TEST(Options, BochsRefusesQemuOnlyFlags) {
    EXPECT_NE(parse({"--image", "i", "--emulator", "bochs", "--firmware", "uefi"}).error, "");
    EXPECT_NE(parse({"--image", "i", "--emulator", "bochs", "--device", "edu"}).error, "");
    EXPECT_NE(parse({"--image", "i", "--emulator", "bochs", "--machine", "pc"}).error, "");
    EXPECT_EQ(parse({"--image", "i", "--emulator", "bochs", "--smp", "2"}).error, "");
}

TEST(Options, HelpWinsOverErrors) { EXPECT_TRUE(parse({"--help"}).help); }

TEST(Options, ModuleSplitsPathFromArguments) {
    std::string error;
    const auto m = parse_module("  vms.toml  name=manifest extra ", error);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->path, "vms.toml");
    EXPECT_EQ(m->args, "name=manifest extra");
}

TEST(Options, ModuleRefusesCommas) {
    std::string error;
    EXPECT_FALSE(parse_module("a,b name=x", error).has_value());
    EXPECT_NE(error.find("commas"), std::string::npos);
}

}  // namespace
}  // namespace hvboot
