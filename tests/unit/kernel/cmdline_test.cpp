#include "kernel/cmdline.hpp"

#include <gtest/gtest.h>

namespace hv {
namespace {

TEST(Cmdline, FindsValueAfterImagePath) {
    auto v = cmdline_value("/boot/hypervisor.elf console=com1 loglevel=3", "console");
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, StrView("com1"));
}

TEST(Cmdline, MissingKeyIsNone) {
    EXPECT_FALSE(cmdline_value("/boot/hypervisor.elf console=com1", "loglevel").has_value());
}

TEST(Cmdline, KeyMustMatchWholly) {
    EXPECT_FALSE(cmdline_value("consoles=com2", "console").has_value());
    EXPECT_FALSE(cmdline_value("console=com2", "cons").has_value());
}

TEST(Cmdline, BareTokenIsNotAValue) {
    EXPECT_FALSE(cmdline_value("/boot/hv.elf console", "console").has_value());
}

TEST(Cmdline, EmptyValueIsPresent) {
    auto v = cmdline_value("a=1 console= b=2", "console");
    ASSERT_TRUE(v.has_value());
    EXPECT_TRUE(v->empty());
}

TEST(Cmdline, FirstOccurrenceWins) { EXPECT_EQ(*cmdline_value("x=1 x=2", "x"), StrView("1")); }

TEST(Cmdline, ValueMayContainEquals) {
    EXPECT_EQ(*cmdline_value("opt=a=b", "opt"), StrView("a=b"));
}

TEST(Cmdline, RepeatedAndLeadingSpacesAreSkipped) {
    EXPECT_EQ(*cmdline_value("   a=1    b=2  ", "b"), StrView("2"));
}

TEST(Cmdline, StopsAtEmbeddedNul) {
    const char raw[] = "a=1\0b=2";
    EXPECT_FALSE(cmdline_value(StrView(raw, sizeof(raw) - 1), "b").has_value());
}

TEST(Cmdline, EmptyLineHasNothing) {
    EXPECT_FALSE(cmdline_value("", "a").has_value());
    EXPECT_FALSE(cmdline_flag("", "a"));
}

TEST(Cmdline, BareFlagIsSet) {
    EXPECT_TRUE(cmdline_flag("/boot/hv.elf nosmp debug", "debug"));
    EXPECT_FALSE(cmdline_flag("/boot/hv.elf nosmp debug", "smp"));
}

TEST(Cmdline, FlagWithFalseValueIsClear) {
    EXPECT_FALSE(cmdline_flag("debug=0", "debug"));
    EXPECT_FALSE(cmdline_flag("debug=off", "debug"));
    EXPECT_TRUE(cmdline_flag("debug=1", "debug"));
}

TEST(Cmdline, ModuleNameComesFromNameToken) {
    EXPECT_EQ(module_name("/boot/vms.toml name=manifest"), StrView("manifest"));
}

TEST(Cmdline, ModuleWithoutNameHasEmptyName) { EXPECT_TRUE(module_name("/boot/vms.toml").empty()); }

TEST(Cmdline, NumbersAreDecimalOrHex) {
    EXPECT_EQ(parse_cmdline_number("0").value_or(99), 0u);
    EXPECT_EQ(parse_cmdline_number("10000").value_or(0), 10000u);
    EXPECT_EQ(parse_cmdline_number("0xF000000").value_or(0), 0xF000000u);
    EXPECT_EQ(parse_cmdline_number("0Xff").value_or(0), 0xFFu);
    EXPECT_EQ(parse_cmdline_number("18446744073709551615").value_or(0), ~std::uint64_t{0});
    EXPECT_EQ(parse_cmdline_number("0xffffffffffffffff").value_or(0), ~std::uint64_t{0});
}

TEST(Cmdline, MalformedNumbersAreNone) {
    EXPECT_FALSE(parse_cmdline_number(""));
    EXPECT_FALSE(parse_cmdline_number("0x"));
    EXPECT_FALSE(parse_cmdline_number("-1"));
    EXPECT_FALSE(parse_cmdline_number("12ab"));
    EXPECT_FALSE(parse_cmdline_number("0xfg"));
    EXPECT_FALSE(parse_cmdline_number("ff"));
    EXPECT_FALSE(parse_cmdline_number("18446744073709551616"));  // 2^64
    EXPECT_FALSE(parse_cmdline_number("0x10000000000000000"));
}

}  // namespace
}  // namespace hv
