#include "bochs_config.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hvboot {
namespace {

bool contains_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(BochsConfig, DescribesTheIntelTestMachine) {
    Options o;
    o.emulator = Emulator::kBochs;
    o.smp = 2;
    o.memory_mib = 512;
    const auto rc = bochsrc(o, {"/t/hv.iso", "/t/serial.txt", "/t/bochs.log"});
    EXPECT_TRUE(contains_line(rc, "megs: 512"));
    EXPECT_TRUE(contains_line(
        rc, "cpu: model=corei7_skylake_x, count=2, ips=50000000, reset_on_triple_fault=0"));
    EXPECT_TRUE(contains_line(rc, "ata0-master: type=cdrom, path=/t/hv.iso, status=inserted"));
    EXPECT_TRUE(contains_line(rc, "boot: cdrom"));
    EXPECT_TRUE(contains_line(rc, "com1: enabled=1, mode=file, dev=/t/serial.txt"));
    EXPECT_TRUE(contains_line(rc, "romimage: file=/usr/share/bochs/BIOS-bochs-latest"));
    EXPECT_TRUE(contains_line(rc, "log: /t/bochs.log"));
    EXPECT_TRUE(contains_line(rc, "panic: action=fatal"));
}

TEST(BochsConfig, DebuggerScriptStartsWithContinue) { EXPECT_EQ(bochs_rc().substr(0, 2), "c\n"); }

TEST(BochsConfig, CommandLineUsesQuickStartAndScript) {
    Options o;
    EXPECT_EQ(bochs_argv(o, "/t/rc", "/t/bochsrc"),
              (std::vector<std::string>{"bochs", "-q", "-f", "/t/bochsrc", "-rc", "/t/rc"}));
}

TEST(BochsConfig, AcpiPowerOffCountsAsExitZero) {
    EXPECT_EQ(bochs_exit_status(1, ">>PANIC<< ACPI control: soft power off"), 0);
    EXPECT_EQ(bochs_exit_status(1, ">>PANIC<< triple fault"), 1);
}

}  // namespace
}  // namespace hvboot
