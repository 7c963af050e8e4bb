#include "vmm/devices/ioapic.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hv::vmm {
namespace {

class RecordingBus final : public ApicBus {
  public:
    void deliver(const ApicMessage& m, std::uint32_t source) override {
        messages.push_back(m);
        sources.push_back(source);
    }
    std::vector<ApicMessage> messages;
    std::vector<std::uint32_t> sources;
};

constexpr std::uint64_t kSelect = 0x00;
constexpr std::uint64_t kWindow = 0x10;
constexpr std::uint64_t kEoiRegister = 0x40;

constexpr std::uint32_t kMasked = 1u << 16;
constexpr std::uint32_t kLevel = 1u << 15;
constexpr std::uint32_t kRemoteIrr = 1u << 14;
constexpr std::uint32_t kActiveLow = 1u << 13;
constexpr std::uint32_t kLogical = 1u << 11;

class IoapicTest : public ::testing::Test {
  protected:
    std::uint32_t read(std::uint8_t index) {
        ioapic.mmio_write(kSelect, 1, index);
        return static_cast<std::uint32_t>(ioapic.mmio_read(kWindow, 4));
    }
    void write(std::uint8_t index, std::uint32_t value) {
        ioapic.mmio_write(kSelect, 1, index);
        ioapic.mmio_write(kWindow, 4, value);
    }
    // Linux's order: high half (destination) first, then the low half.
    void program(unsigned pin, std::uint32_t low, std::uint8_t destination = 0) {
        write(static_cast<std::uint8_t>(0x11 + 2 * pin), std::uint32_t{destination} << 24);
        write(static_cast<std::uint8_t>(0x10 + 2 * pin), low);
    }
    std::uint32_t low(unsigned pin) { return read(static_cast<std::uint8_t>(0x10 + 2 * pin)); }

    RecordingBus bus;
    Ioapic ioapic{bus, 2};
};

TEST_F(IoapicTest, VersionRegisterReportsVersion20hAnd24Entries) {
    EXPECT_EQ(read(0x01), 0x0017'0020u);
    write(0x01, 0);
    EXPECT_EQ(read(0x01), 0x0017'0020u);
}

TEST_F(IoapicTest, IdRoundTripsAndArbitrationFollowsIt) {
    EXPECT_EQ(read(0x00), 0x0200'0000u);
    EXPECT_EQ(read(0x02), 0x0200'0000u);
    write(0x00, 0xFFFF'FFFF);
    EXPECT_EQ(read(0x00), 0x0F00'0000u);  // 4-bit ID in bits 27:24
    EXPECT_EQ(read(0x02), 0x0F00'0000u);
    write(0x02, 0x0500'0000);  // read-only
    EXPECT_EQ(read(0x02), 0x0F00'0000u);
}

TEST_F(IoapicTest, SelectRegisterReadsBack) {
    ioapic.mmio_write(kSelect, 4, 0x23);
    EXPECT_EQ(ioapic.mmio_read(kSelect, 4), 0x23u);
}

TEST_F(IoapicTest, EntriesStartMasked) {
    for (unsigned pin = 0; pin < Ioapic::kPins; ++pin) {
        EXPECT_EQ(low(pin), kMasked) << pin;
        EXPECT_EQ(read(static_cast<std::uint8_t>(0x11 + 2 * pin)), 0u) << pin;
    }
}

TEST_F(IoapicTest, EntryRoundTripDropsReadOnlyAndReservedBits) {
    write(0x10 + 2 * 5, 0xFFFF'FFFF);
    EXPECT_EQ(low(5), 0x0001'AFFFu);  // no delivery status (12), remote IRR (14), bits 31:17
    write(0x11 + 2 * 5, 0xFFFF'FFFF);
    EXPECT_EQ(read(0x11 + 2 * 5), 0xFF00'0000u);  // destination only; 55:32 reserved
}

TEST_F(IoapicTest, RegistersPastTheTableReadZero) {
    EXPECT_EQ(read(0x40), 0u);
    write(0x40, 0xFFFF'FFFF);
    EXPECT_EQ(read(0x40), 0u);
    EXPECT_EQ(ioapic.mmio_read(0x20, 4), 0u);
}

TEST_F(IoapicTest, EdgePinDeliversOnRisingEdgeOnly) {
    program(4, 0x31);
    ioapic.set_irq(4, true);
    ASSERT_EQ(bus.messages.size(), 1u);
    EXPECT_EQ(bus.messages[0].vector, 0x31);
    EXPECT_FALSE(bus.messages[0].level_triggered);
    EXPECT_EQ(bus.sources[0], kSourceDevice);
    ioapic.set_irq(4, true);  // still high: no edge
    ioapic.set_irq(4, false);
    EXPECT_EQ(bus.messages.size(), 1u);
    ioapic.set_irq(4, true);
    EXPECT_EQ(bus.messages.size(), 2u);
    EXPECT_EQ(low(4) & kRemoteIrr, 0u);
}

TEST_F(IoapicTest, EdgeWhileMaskedIsLost) {
    program(4, kMasked | 0x31);
    ioapic.set_irq(4, true);
    ioapic.set_irq(4, false);
    program(4, 0x31);
    EXPECT_TRUE(bus.messages.empty());
    ioapic.set_irq(4, true);
    EXPECT_EQ(bus.messages.size(), 1u);
}

TEST_F(IoapicTest, ActiveLowEdgePinDeliversOnFallingLine) {
    ioapic.set_irq(7, true);  // idle level of an active-low line
    program(7, kActiveLow | 0x40);
    EXPECT_TRUE(bus.messages.empty());
    ioapic.set_irq(7, false);
    EXPECT_EQ(bus.messages.size(), 1u);
    ioapic.set_irq(7, true);
    EXPECT_EQ(bus.messages.size(), 1u);
}

TEST_F(IoapicTest, LevelPinSetsRemoteIrrAndWaitsForEoi) {
    program(9, kLevel | 0x39);
    ioapic.set_irq(9, true);
    ASSERT_EQ(bus.messages.size(), 1u);
    EXPECT_TRUE(bus.messages[0].level_triggered);
    EXPECT_NE(low(9) & kRemoteIrr, 0u);
    ioapic.set_irq(9, false);
    ioapic.set_irq(9, true);  // Remote IRR holds it back
    EXPECT_EQ(bus.messages.size(), 1u);
}

TEST_F(IoapicTest, EoiRedeliversWhileLineStaysAsserted) {
    program(9, kLevel | 0x39);
    ioapic.set_irq(9, true);
    ioapic.eoi(0x39);
    EXPECT_EQ(bus.messages.size(), 2u);
    EXPECT_NE(low(9) & kRemoteIrr, 0u);
    ioapic.set_irq(9, false);
    ioapic.eoi(0x39);
    EXPECT_EQ(bus.messages.size(), 2u);
    EXPECT_EQ(low(9) & kRemoteIrr, 0u);
}

TEST_F(IoapicTest, EoiForAnotherVectorLeavesRemoteIrr) {
    program(9, kLevel | 0x39);
    ioapic.set_irq(9, true);
    ioapic.eoi(0x3A);
    EXPECT_EQ(bus.messages.size(), 1u);
    EXPECT_NE(low(9) & kRemoteIrr, 0u);
}

TEST_F(IoapicTest, EoiRegisterClearsRemoteIrr) {
    program(9, kLevel | 0x39);
    ioapic.set_irq(9, true);
    ioapic.set_irq(9, false);
    ioapic.mmio_write(kEoiRegister, 4, 0xFFFF'FF39);  // bits 31:8 ignored
    EXPECT_EQ(low(9) & kRemoteIrr, 0u);
    EXPECT_EQ(bus.messages.size(), 1u);
}

TEST_F(IoapicTest, UnmaskingAnAssertedLevelPinDelivers) {
    program(10, kMasked | kLevel | 0x3A);
    ioapic.set_irq(10, true);
    EXPECT_TRUE(bus.messages.empty());
    EXPECT_EQ(low(10) & kRemoteIrr, 0u);
    program(10, kLevel | 0x3A);
    ASSERT_EQ(bus.messages.size(), 1u);
    EXPECT_NE(low(10) & kRemoteIrr, 0u);
}

TEST_F(IoapicTest, WritingAnEntryKeepsRemoteIrr) {
    program(10, kLevel | 0x3A);
    ioapic.set_irq(10, true);
    program(10, kMasked | kLevel | 0x3A);
    EXPECT_NE(low(10) & kRemoteIrr, 0u);
}

TEST_F(IoapicTest, SwitchingToEdgeClearsRemoteIrr) {
    program(10, kLevel | 0x3A);
    ioapic.set_irq(10, true);
    program(10, kMasked | 0x3A);
    EXPECT_EQ(low(10) & kRemoteIrr, 0u);
}

TEST_F(IoapicTest, MessageCarriesDestinationAndModes) {
    program(3, kLogical | (1u << 8) | 0x41, 0x0C);  // lowest priority, logical
    ioapic.set_irq(3, true);
    ASSERT_EQ(bus.messages.size(), 1u);
    const ApicMessage& m = bus.messages[0];
    EXPECT_EQ(m.vector, 0x41);
    EXPECT_EQ(m.mode, DeliveryMode::kLowestPriority);
    EXPECT_TRUE(m.logical);
    EXPECT_EQ(m.destination, 0x0Cu);
    EXPECT_TRUE(m.assert_level);
    EXPECT_EQ(m.shorthand, Shorthand::kNone);
}

TEST_F(IoapicTest, PhysicalFixedMessage) {
    program(1, 0x21, 0x03);
    ioapic.set_irq(1, true);
    ASSERT_EQ(bus.messages.size(), 1u);
    EXPECT_EQ(bus.messages[0].mode, DeliveryMode::kFixed);
    EXPECT_FALSE(bus.messages[0].logical);
    EXPECT_EQ(bus.messages[0].destination, 0x03u);
}

TEST_F(IoapicTest, ReservedDeliveryModeSendsNothing) {
    program(6, kLevel | (3u << 8) | 0x50);
    ioapic.set_irq(6, true);
    EXPECT_TRUE(bus.messages.empty());
    EXPECT_EQ(low(6) & kRemoteIrr, 0u);
}

TEST_F(IoapicTest, PinsPastTheLastAreIgnored) {
    ioapic.set_irq(Ioapic::kPins, true);
    ioapic.set_irq(100, true);
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(IoapicTest, ResetMasksEntriesAndRestoresId) {
    program(2, 0x30);
    write(0x00, 0x0700'0000);
    ioapic.reset();
    EXPECT_EQ(low(2), kMasked);
    EXPECT_EQ(read(0x00), 0x0200'0000u);
}

TEST_F(IoapicTest, ResetUsesTheIdSetLater) {
    ioapic.set_initial_id(0x15);  // 4 bits kept
    EXPECT_EQ(read(0x00), 0x0200'0000u);
    ioapic.reset();
    EXPECT_EQ(read(0x00), 0x0500'0000u);
}

}  // namespace
}  // namespace hv::vmm
