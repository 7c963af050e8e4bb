#include "console.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hvboot {
namespace {

TEST(Console, StripsCarriageReturns) { EXPECT_EQ(clean_line("hv: ready\r"), "hv: ready"); }

TEST(Console, StripsGrubScreenSequences) {
    EXPECT_EQ(clean_line("\x1b[H\x1b[J\x1b[1;1H  Booting `hypervisor'"), "  Booting `hypervisor'");
    EXPECT_EQ(clean_line("\r\x1b[0mhv: x"), "hv: x");
}

TEST(Console, StripsPrivateModeAndOscSequences) {
    EXPECT_EQ(clean_line("\x1b[?25l\x1b[=3ha\x1b]0;title\x07"
                         "b\x1b"
                         "7c"),
              "abc");
}

TEST(Console, DropsControlCharactersButKeepsTabs) {
    EXPECT_EQ(clean_line(std::string("a\0b\tc\x7f", 6)), "ab\tc");
}

TEST(Console, TruncatedEscapeAtEndIsDropped) { EXPECT_EQ(clean_line("ok\x1b["), "ok"); }

TEST(Console, SplitterJoinsChunks) {
    LineSplitter s;
    std::vector<std::string> lines;
    s.feed("hv: re", lines);
    EXPECT_TRUE(lines.empty());
    s.feed("ady\r\nhv: pci", lines);
    s.feed(" x\n", lines);
    EXPECT_EQ(lines, (std::vector<std::string>{"hv: ready\r", "hv: pci x"}));
    EXPECT_FALSE(s.flush().has_value());
}

TEST(Console, SplitterFlushesUnterminatedTail) {
    LineSplitter s;
    std::vector<std::string> lines;
    s.feed("hv: all vms stopped", lines);
    EXPECT_TRUE(lines.empty());
    EXPECT_EQ(s.flush(), "hv: all vms stopped");
    EXPECT_FALSE(s.flush().has_value());
}

}  // namespace
}  // namespace hvboot
