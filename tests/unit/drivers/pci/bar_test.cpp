#include "drivers/pci/bar.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/pci/fake_config_space.hpp"

namespace hv::pci {
namespace {

using testing::FakeConfigSpace;
using testing::FakeFunction;

constexpr Bdf kDev(0, 0, 4, 0);
constexpr std::uint64_t kSixteenGiB = std::uint64_t{16} << 30;

FakeFunction& endpoint(FakeConfigSpace& cs) { return cs.add(kDev, 0x1234, 0x5678, 0x020000); }

TEST(Bar, DecodesTypeBits) {
    EXPECT_EQ(decode_bar_type(0xc001).kind, BarKind::kIo);
    EXPECT_EQ(decode_bar_type(0xfea00000).kind, BarKind::kMem32);
    EXPECT_EQ(decode_bar_type(0x0000000c).kind, BarKind::kMem64);
    EXPECT_TRUE(decode_bar_type(0x0000000c).prefetchable);
    EXPECT_EQ(decode_bar_type(0x00000002).kind, BarKind::kMem32);
    EXPECT_EQ(decode_bar_type(0x00000006).kind, BarKind::kAbsent);
}

TEST(Bar, SizesThirtyTwoBitMemoryBar) {
    FakeConfigSpace cs;
    endpoint(cs).mem32_bar(0, 0xfea00000, 1u << 20);
    auto bars = probe_bars(cs, kDev, header_type::kEndpoint);
    ASSERT_TRUE(bars.ok());
    const Bar& bar = bars.value().bar[0];
    EXPECT_EQ(bar.kind, BarKind::kMem32);
    EXPECT_FALSE(bar.prefetchable);
    EXPECT_EQ(bar.base, 0xfea00000u);
    EXPECT_EQ(bar.size, 1u << 20);
}

TEST(Bar, SizesSixtyFourBitPrefetchableBar) {
    FakeConfigSpace cs;
    endpoint(cs).mem64_bar(2, 0x800000000, 256u << 20, true);
    auto bars = probe_bars(cs, kDev, header_type::kEndpoint);
    ASSERT_TRUE(bars.ok());
    const Bar& bar = bars.value().bar[2];
    EXPECT_EQ(bar.kind, BarKind::kMem64);
    EXPECT_TRUE(bar.prefetchable);
    EXPECT_EQ(bar.base, 0x800000000u);
    EXPECT_EQ(bar.size, 256u << 20);
    EXPECT_FALSE(bars.value().bar[3].present());
}

TEST(Bar, SizesSixtyFourBitBarLargerThanFourGigabytes) {
    FakeConfigSpace cs;
    endpoint(cs).mem64_bar(0, 0x4000000000, kSixteenGiB, true);
    auto bars = probe_bars(cs, kDev, header_type::kEndpoint);
    ASSERT_TRUE(bars.ok());
    EXPECT_EQ(bars.value().bar[0].size, kSixteenGiB);
    EXPECT_EQ(bars.value().bar[0].base, 0x4000000000u);
}

TEST(Bar, SizesIoBar) {
    FakeConfigSpace cs;
    endpoint(cs).io_bar(4, 0xc000, 0x20);
    auto bars = probe_bars(cs, kDev, header_type::kEndpoint);
    ASSERT_TRUE(bars.ok());
    const Bar& bar = bars.value().bar[4];
    EXPECT_EQ(bar.kind, BarKind::kIo);
    EXPECT_EQ(bar.base, 0xc000u);
    EXPECT_EQ(bar.size, 0x20u);
}

TEST(Bar, SizesIoBarWithSixteenBitDecode) {
    FakeConfigSpace cs;
    endpoint(cs).io_bar(1, 0x0700, 0x40, true);
    auto bars = probe_bars(cs, kDev, header_type::kEndpoint);
    ASSERT_TRUE(bars.ok());
    EXPECT_EQ(bars.value().bar[1].size, 0x40u);
}

TEST(Bar, TreatsBarReadingBackZeroAsAbsent) {
    FakeConfigSpace cs;
    endpoint(cs);
    auto bars = probe_bars(cs, kDev, header_type::kEndpoint);
    ASSERT_TRUE(bars.ok());
    for (const Bar& bar : bars.value().bar) EXPECT_FALSE(bar.present());
    EXPECT_FALSE(bars.value().rom.present());
}

TEST(Bar, RestoresOriginalBaseAfterSizing) {
    FakeConfigSpace cs;
    auto& fn = endpoint(cs);
    fn.mem32_bar(0, 0xfea00000, 1u << 20);
    fn.mem64_bar(2, 0x800000000, 256u << 20, true);
    fn.io_bar(4, 0xc000, 0x20);
    fn.rom(offset(Reg32::kType0ExpansionRom), 0xfeb80000, 256u << 10);
    ASSERT_TRUE(probe_bars(cs, kDev, header_type::kEndpoint).ok());
    EXPECT_EQ(fn.get32(0x10), 0xfea00000u);
    EXPECT_EQ(fn.get32(0x18), 0x0000000cu);
    EXPECT_EQ(fn.get32(0x1c), 0x8u);
    EXPECT_EQ(fn.get32(0x20), 0xc001u);
    EXPECT_EQ(fn.get32(0x30), 0xfeb80000u);
}

TEST(Bar, DisablesDecodeWhileSizingAndRestoresCommand) {
    FakeConfigSpace cs;
    auto& fn = endpoint(cs);
    fn.mem32_bar(0, 0xfea00000, 1u << 20);
    fn.io_bar(1, 0xc000, 0x20);
    const std::uint16_t cmd = command::kIoSpace | command::kMemorySpace | command::kBusMaster;
    fn.set16(offset(Reg16::kCommand), cmd);
    ASSERT_TRUE(probe_bars(cs, kDev, header_type::kEndpoint).ok());
    EXPECT_FALSE(cs.probed_while_decoding());
    EXPECT_EQ(fn.get16(offset(Reg16::kCommand)), cmd);
}

TEST(Bar, LeavesCommandUntouchedWhenDecodeIsAlreadyOff) {
    FakeConfigSpace cs;
    endpoint(cs).mem32_bar(0, 0xfea00000, 1u << 20);
    ASSERT_TRUE(probe_bars(cs, kDev, header_type::kEndpoint).ok());
    for (const auto& w : cs.writes()) EXPECT_NE(w.offset, offset(Reg32::kCommandStatus));
}

TEST(Bar, SizingKeepsPendingStatusErrors) {
    FakeConfigSpace cs;
    auto& fn = endpoint(cs);
    fn.mem32_bar(0, 0xfea00000, 1u << 20);
    fn.set16(offset(Reg16::kCommand), command::kMemorySpace);
    fn.set16(offset(Reg16::kStatus), status::kDetectedParityError);
    ASSERT_TRUE(probe_bars(cs, kDev, header_type::kEndpoint).ok());
    EXPECT_EQ(fn.get16(offset(Reg16::kStatus)), status::kDetectedParityError);
}

TEST(Bar, BridgeHasTwoBarSlots) {
    FakeConfigSpace cs;
    auto& fn = cs.add_bridge(kDev, 0x1b36, 0x000c, 1, 1);
    fn.mem32_bar(1, 0xfe800000, 4u << 10);
    // 0x18 is the bus-number register on a bridge, not BAR2; it must not be sized.
    auto bars = probe_bars(cs, kDev, header_type::kBridge);
    ASSERT_TRUE(bars.ok());
    EXPECT_EQ(bars.value().slot_count, kType1BarCount);
    EXPECT_EQ(bars.value().bar[1].size, 4u << 10);
    EXPECT_EQ(fn.get8(offset(Reg8::kSecondaryBus)), 1);
    for (const auto& w : cs.writes()) EXPECT_NE(w.offset, offset(Reg32::kBusNumbers));
}

TEST(Bar, SixtyFourBitBarInLastSlotIsAbsent) {
    FakeConfigSpace cs;
    auto& fn = endpoint(cs);
    fn.set32(0x24, bar_bits::kMemType64);
    fn.set_writable(0x24, 0xfffff000u);
    auto bars = probe_bars(cs, kDev, header_type::kEndpoint);
    ASSERT_TRUE(bars.ok());
    EXPECT_FALSE(bars.value().bar[5].present());
    for (const auto& w : cs.writes()) EXPECT_NE(w.offset, 0x24);
}

TEST(Bar, SizesExpansionRom) {
    FakeConfigSpace cs;
    endpoint(cs).rom(offset(Reg32::kType0ExpansionRom), 0xfeb80000, 256u << 10);
    auto bars = probe_bars(cs, kDev, header_type::kEndpoint);
    ASSERT_TRUE(bars.ok());
    EXPECT_TRUE(bars.value().rom.present());
    EXPECT_EQ(bars.value().rom.base, 0xfeb80000u);
    EXPECT_EQ(bars.value().rom.size, 256u << 10);
}

TEST(Bar, SizesBridgeExpansionRomAtItsOwnOffset) {
    FakeConfigSpace cs;
    cs.add_bridge(kDev, 0x1b36, 0x000c, 1, 1)
        .rom(offset(Reg32::kType1ExpansionRom), 0xfe000000, 64u << 10);
    auto bars = probe_bars(cs, kDev, header_type::kBridge);
    ASSERT_TRUE(bars.ok());
    EXPECT_EQ(bars.value().rom.size, 64u << 10);
}

TEST(Bar, RefusesCardBusHeader) {
    FakeConfigSpace cs;
    cs.add(kDev, 0x104c, 0xac56, 0x060700, header_type::kCardBus);
    auto bars = probe_bars(cs, kDev, header_type::kCardBus);
    ASSERT_FALSE(bars.ok());
    EXPECT_EQ(bars.error().code, Errc::kUnsupported);
    EXPECT_TRUE(cs.writes().empty());
}

TEST(Bar, NamesKinds) {
    EXPECT_STREQ(name(BarKind::kIo), "io");
    EXPECT_STREQ(name(BarKind::kMem32), "mem32");
    EXPECT_STREQ(name(BarKind::kMem64), "mem64");
    EXPECT_STREQ(name(BarKind::kAbsent), "absent");
}

}  // namespace
}  // namespace hv::pci
