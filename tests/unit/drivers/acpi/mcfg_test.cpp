#include "drivers/acpi/mcfg.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/acpi/acpi_builder.hpp"

namespace hv::acpi {
namespace {

using test::as_bytes;
using test::Builder;
using test::make_table;

// PCI Firmware 3.2 table 4-4 allocation structure.
Builder& window(Builder& b, std::uint64_t base, std::uint16_t segment, std::uint8_t start,
                std::uint8_t end) {
    return b.u64(base).u16(segment).u8(start).u8(end).u32(0);
}

// QEMU q35: one window for segment 0, buses 0-255, at 0xb0000000.
std::vector<std::byte> qemu_q35_mcfg() {
    Builder b;
    b.zeros(8);
    window(b, 0xb0000000, 0, 0, 255);
    return make_table("MCFG", 1, b);
}

TEST(Mcfg, ReadsTheQemuQ35Window) {
    auto r = parse_mcfg(as_bytes(qemu_q35_mcfg()));
    ASSERT_TRUE(r.ok()) << r.error().what;
    ASSERT_EQ(r.value().windows.size(), 1u);
    const EcamWindow& w = r.value().windows[0];
    EXPECT_EQ(w.base, 0xb0000000u);
    EXPECT_EQ(w.segment, 0);
    EXPECT_EQ(w.start_bus, 0);
    EXPECT_EQ(w.end_bus, 255);
}

TEST(Mcfg, ReadsOneWindowPerSegment) {
    Builder b;
    b.zeros(8);
    window(b, 0xe0000000, 0, 0, 0x7f);
    window(b, 0x3f'f000'0000, 1, 0x80, 0xff);
    auto r = parse_mcfg(as_bytes(make_table("MCFG", 1, b)));
    ASSERT_TRUE(r.ok()) << r.error().what;
    ASSERT_EQ(r.value().windows.size(), 2u);
    EXPECT_EQ(r.value().windows[1].base, 0x3f'f000'0000u);
    EXPECT_EQ(r.value().windows[1].segment, 1);
    EXPECT_EQ(r.value().windows[1].start_bus, 0x80);
}

TEST(Mcfg, AcceptsATableWithNoWindows) {
    auto r = parse_mcfg(as_bytes(make_table("MCFG", 1, Builder().zeros(8))));
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.value().windows.empty());
}

TEST(Mcfg, RejectsAPartialTrailingEntry) {
    Builder b;
    b.zeros(8);
    window(b, 0xb0000000, 0, 0, 255);
    b.u64(0xc0000000);
    EXPECT_STREQ(parse_mcfg(as_bytes(make_table("MCFG", 1, b))).error().what,
                 "MCFG entry length past table end");
}

TEST(Mcfg, RejectsEndBusBelowStartBus) {
    Builder b;
    b.zeros(8);
    window(b, 0xb0000000, 0, 10, 9);
    EXPECT_STREQ(parse_mcfg(as_bytes(make_table("MCFG", 1, b))).error().what,
                 "MCFG entry end bus below start bus");
}

TEST(Mcfg, RejectsMoreWindowsThanSupported) {
    Builder b;
    b.zeros(8);
    for (std::uint16_t s = 0; s <= kMaxEcamWindows; ++s) window(b, 0xb0000000, s, 0, 255);
    auto r = parse_mcfg(as_bytes(make_table("MCFG", 1, b)));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
}

TEST(Mcfg, RejectsBadChecksum) {
    auto raw = qemu_q35_mcfg();
    raw[47] ^= std::byte{0x10};
    EXPECT_STREQ(parse_mcfg(as_bytes(raw)).error().what, "MCFG checksum mismatch");
}

TEST(Mcfg, RejectsTableWithoutReservedBytes) {
    EXPECT_STREQ(parse_mcfg(as_bytes(make_table("MCFG", 1, Builder().zeros(4)))).error().what,
                 "MCFG shorter than its fixed fields");
}

}  // namespace
}  // namespace hv::acpi
