#include "kernel/lib/result.hpp"

#include <gtest/gtest.h>

#include "kernel/lib/bytes.hpp"
#include "kernel/lib/format.hpp"
#include "kernel/lib/str.hpp"

namespace hv {
namespace {

Result<int> half(int v) {
    if (v % 2 != 0) return make_error(Errc::kInvalid, "odd");
    return v / 2;
}

Result<int> quarter(int v) {
    int h = TRY(half(v));
    return TRY(half(h));
}

TEST(Result, TryPropagatesTheFirstError) {
    auto r = quarter(6);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalid);
    EXPECT_STREQ(r.error().what, "odd");
}

TEST(Result, TryYieldsTheValueOnSuccess) {
    auto r = quarter(8);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 2);
}

TEST(Bytes, LoadLeRefusesReadsPastTheEnd) {
    const std::byte raw[4] = {std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}};
    EXPECT_EQ(*load_le<std::uint32_t>(Bytes(raw), 0), 0x04030201u);
    EXPECT_FALSE(load_le<std::uint32_t>(Bytes(raw), 1).has_value());
    EXPECT_FALSE(load_le<std::uint8_t>(Bytes(raw), 4).has_value());
}

TEST(Format, PrintsHexDecimalAndStrings) {
    BufferSink<64> out;
    print(out, "pci ", Hex{0x11e8, 4}, " n=", 42, " neg=", -7, " ", StrView("ab"), ' ', Dec{5, 3});
    EXPECT_STREQ(out.c_str(), "pci 11e8 n=42 neg=-7 ab 005");
}

TEST(Format, BufferSinkTruncatesWithoutOverflow) {
    BufferSink<4> out;
    print(out, "abcdef");
    EXPECT_STREQ(out.c_str(), "abc");
}

}  // namespace
}  // namespace hv
