#include "gpu_passthrough/msi_message.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace hv::passthrough {
namespace {

// Little-endian bytes as a guest's config writes leave them in an MSI capability.
std::uint32_t le32(std::array<std::uint8_t, 4> b) {
    return b[0] | b[1] << 8 | b[2] << 16 | static_cast<std::uint32_t>(b[3]) << 24;
}

TEST(MsiMessage, DecodesFixedPhysicalEdgeMessage) {
    // Linux on APIC ID 1, vector 0x41: address 0xfee01000, data 0x0041.
    const auto m = decode_msi(le32({0x00, 0x10, 0xe0, 0xfe}), le32({0x41, 0x00, 0x00, 0x00}));
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m.value().vector, 0x41);
    EXPECT_EQ(m.value().destination, 1u);
    EXPECT_EQ(m.value().mode, vmm::DeliveryMode::kFixed);
    EXPECT_FALSE(m.value().logical);
    EXPECT_FALSE(m.value().level_triggered);
    EXPECT_TRUE(m.value().assert_level);
    EXPECT_EQ(m.value().shorthand, vmm::Shorthand::kNone);
}

TEST(MsiMessage, DecodesLogicalLowestPriorityLevelAssert) {
    const auto m = decode_msi(le32({0x0c, 0x30, 0xe0, 0xfe}), le32({0xa1, 0xc1, 0x00, 0x00}));
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m.value().vector, 0xa1);
    EXPECT_EQ(m.value().destination, 3u);
    EXPECT_EQ(m.value().mode, vmm::DeliveryMode::kLowestPriority);
    EXPECT_TRUE(m.value().logical);
    EXPECT_TRUE(m.value().level_triggered);
    EXPECT_TRUE(m.value().assert_level);
}

TEST(MsiMessage, LevelTriggeredWithLevelClearDeasserts) {
    const auto m = decode_msi(0xfee00000, 0x8030);
    ASSERT_TRUE(m.ok());
    EXPECT_TRUE(m.value().level_triggered);
    EXPECT_FALSE(m.value().assert_level);
}

TEST(MsiMessage, DecodesNmiAndTakesDestinationFromBits19To12) {
    const auto m = decode_msi(0xfeeff000, 0x0400);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m.value().mode, vmm::DeliveryMode::kNmi);
    EXPECT_EQ(m.value().destination, 0xffu);
}

TEST(MsiMessage, IgnoresReservedAddressAndDataBits) {
    const auto m = decode_msi(0xfee02ff3, 0xffff3822);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m.value().vector, 0x22);
    EXPECT_EQ(m.value().destination, 2u);
    EXPECT_EQ(m.value().mode, vmm::DeliveryMode::kFixed);
    EXPECT_FALSE(m.value().logical);
    EXPECT_FALSE(m.value().level_triggered);
}

TEST(MsiMessage, RejectsAddressesOutsideTheInterruptWindow) {
    EXPECT_FALSE(decode_msi(0xfedff000, 0x41).ok());
    EXPECT_FALSE(decode_msi(0xfef00000, 0x41).ok());
    EXPECT_FALSE(decode_msi(0x0, 0x41).ok());
    const auto high = decode_msi(0x1'fee0'0000, 0x41);  // a 64-bit MSI's upper dword set
    ASSERT_FALSE(high.ok());
    EXPECT_EQ(high.error().code, Errc::kInvalid);
}

TEST(MsiMessage, RejectsReservedDeliveryModes) {
    const auto m3 = decode_msi(0xfee00000, 0x0341);
    ASSERT_FALSE(m3.ok());
    EXPECT_STREQ(m3.error().what, "msi reserved delivery mode");
    EXPECT_FALSE(decode_msi(0xfee00000, 0x0641).ok());
    EXPECT_TRUE(decode_msi(0xfee00000, 0x0741).ok());  // ExtINT is defined
}

TEST(MsiMessage, EncodesFixedPhysicalAsLinuxDoes) {
    vmm::ApicMessage m;
    m.vector = 0x41;
    m.destination = 1;
    const auto e = encode_msi(m);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e.value().address, 0xfee01000u);
    EXPECT_EQ(e.value().data, 0x0041u);
}

TEST(MsiMessage, EncodeSetsRedirectionHintForLowestPriority) {
    vmm::ApicMessage m;
    m.vector = 0x50;
    m.mode = vmm::DeliveryMode::kLowestPriority;
    m.logical = true;
    m.destination = 0x0f;
    const auto e = encode_msi(m);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e.value().address, 0xfee0f00cu);
    EXPECT_EQ(e.value().data, 0x0150u);
}

TEST(MsiMessage, EncodeThenDecodeRoundTrips) {
    vmm::ApicMessage m;
    m.vector = 0xee;
    m.mode = vmm::DeliveryMode::kFixed;
    m.logical = true;
    m.level_triggered = true;
    m.assert_level = true;
    m.destination = 0x80;
    const auto e = encode_msi(m);
    ASSERT_TRUE(e.ok());
    const auto d = decode_msi(e.value());
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d.value().vector, m.vector);
    EXPECT_EQ(d.value().mode, m.mode);
    EXPECT_EQ(d.value().logical, m.logical);
    EXPECT_EQ(d.value().level_triggered, m.level_triggered);
    EXPECT_EQ(d.value().assert_level, m.assert_level);
    EXPECT_EQ(d.value().destination, m.destination);
}

TEST(MsiMessage, EncodeRejectsWhatMsiCannotCarry) {
    vmm::ApicMessage wide;
    wide.destination = 0x100;
    EXPECT_FALSE(encode_msi(wide).ok());
    vmm::ApicMessage self;
    self.shorthand = vmm::Shorthand::kSelf;
    EXPECT_FALSE(encode_msi(self).ok());
    vmm::ApicMessage sipi;
    sipi.mode = vmm::DeliveryMode::kStartup;
    EXPECT_FALSE(encode_msi(sipi).ok());
}

TEST(MsiMessage, CompatibilityMessageIsFixedEdgePhysical) {
    const auto m = compatibility_msi(0x41, 0x03);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m.value().address, 0xFEE0'3000u);
    EXPECT_EQ(m.value().data, 0x41u);  // delivery mode 000 (fixed), edge, no level bits
}

TEST(MsiMessage, CompatibilityMessagePutsTheApicIdInBits19To12) {
    const auto low = compatibility_msi(0xEC, 0);
    ASSERT_TRUE(low.ok());
    EXPECT_EQ(low.value().address, 0xFEE0'0000u);
    EXPECT_EQ(low.value().data, 0xECu);
    const auto high = compatibility_msi(0x20, 0xFF);
    ASSERT_TRUE(high.ok());
    EXPECT_EQ(high.value().address, 0xFEEF'F000u);
    EXPECT_EQ(high.value().data, 0x20u);
    // It decodes back to what was asked for.
    const auto d = decode_msi(high.value());
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d.value().vector, 0x20);
    EXPECT_EQ(d.value().destination, 0xFFu);
    EXPECT_EQ(d.value().mode, vmm::DeliveryMode::kFixed);
    EXPECT_FALSE(d.value().logical);
    EXPECT_FALSE(d.value().level_triggered);
}

TEST(MsiMessage, CompatibilityMessageRefusesApicIdsAbove0xFF) {
    for (std::uint32_t id : {0x100u, 0x1FFu, 0xFFFF'FFFFu}) {
        const auto m = compatibility_msi(0x30, id);
        ASSERT_FALSE(m.ok()) << id;
        EXPECT_EQ(m.error().code, Errc::kInvalid);
    }
}

}  // namespace
}  // namespace hv::passthrough
