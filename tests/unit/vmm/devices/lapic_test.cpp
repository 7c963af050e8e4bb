#include "vmm/devices/lapic.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hv::vmm {
namespace {

struct RecordingBus final : ApicBus {
    std::vector<ApicMessage> sent;
    std::vector<std::uint32_t> sources;
    std::vector<std::uint8_t> eois;
    void deliver(const ApicMessage& m, std::uint32_t source) override {
        sent.push_back(m);
        sources.push_back(source);
    }
    void level_eoi(std::uint8_t vector) override { eois.push_back(vector); }
};

constexpr std::uint64_t kTscHz = 2'000'000'000;
// Register offsets (SDM vol. 3A table 12-1) and their x2APIC MSRs (table 12-6).
constexpr std::uint64_t kEoi = 0xB0, kSvr = 0xF0, kIcrLow = 0x300, kIcrHigh = 0x310,
                        kLvtTimer = 0x320;
constexpr std::uint32_t kMsrIcr = 0x830, kMsrEoi = 0x80B, kMsrId = 0x802, kMsrLdr = 0x80D,
                        kMsrDfr = 0x80E, kMsrSelfIpi = 0x83F, kMsrLvtTimer = 0x832;

struct LapicTest : ::testing::Test {
    RecordingBus bus;
    Lapic lapic;
    void SetUp() override {
        lapic.reset(3, kTscHz, &bus);
        lapic.mmio_write(kSvr, 4, 0x1FF);  // software-enable, spurious vector 0xFF
    }
    void enable_x2apic() {
        std::uint64_t base = 0;
        ASSERT_TRUE(lapic.msr_read(kApicBaseMsr, base, 0));
        ASSERT_TRUE(lapic.msr_write(kApicBaseMsr, base | (1u << 10), 0));
        ASSERT_TRUE(lapic.x2apic());
    }
};

TEST_F(LapicTest, ApicBaseSaysEnabledAtTheFixedAddressAndNotBsp) {
    std::uint64_t base = 0;
    ASSERT_TRUE(lapic.msr_read(kApicBaseMsr, base, 0));
    EXPECT_EQ(base, 0xFEE00800u);  // enable bit 11; BSP bit 8 clear for vCPU 3
    EXPECT_FALSE(lapic.msr_write(kApicBaseMsr, 0xFED00800u, 0));  // cannot move
}

TEST_F(LapicTest, IcrWriteSendsAnIpiOnTheBus) {
    lapic.mmio_write(kIcrHigh, 4, 0x0100'0000);  // destination APIC ID 1
    lapic.mmio_write(kIcrLow, 4, 0x0000'4041);   // fixed, vector 0x41, assert
    ASSERT_EQ(bus.sent.size(), 1u);
    EXPECT_EQ(bus.sent[0].vector, 0x41);
    EXPECT_EQ(bus.sent[0].mode, DeliveryMode::kFixed);
    EXPECT_EQ(bus.sent[0].destination, 1u);
    EXPECT_FALSE(bus.sent[0].logical);
    EXPECT_EQ(bus.sources[0], 3u);
    // The delivery-status bit never reads busy.
    EXPECT_EQ(lapic.mmio_read(kIcrLow, 4) & (1u << 12), 0u);
}

TEST_F(LapicTest, InitAndStartupIpisCarryTheirModes) {
    lapic.mmio_write(kIcrHigh, 4, 0x0200'0000);
    lapic.mmio_write(kIcrLow, 4, 0x0000'C500);  // INIT, level, assert
    lapic.mmio_write(kIcrLow, 4, 0x0000'0699);  // start-up, vector 0x99
    ASSERT_EQ(bus.sent.size(), 2u);
    EXPECT_EQ(bus.sent[0].mode, DeliveryMode::kInit);
    EXPECT_TRUE(bus.sent[0].level_triggered);
    EXPECT_EQ(bus.sent[1].mode, DeliveryMode::kStartup);
    EXPECT_EQ(bus.sent[1].vector, 0x99);
}

TEST_F(LapicTest, LevelVectorsBroadcastTheirEoi) {
    lapic.post(0x51, true);
    lapic.post(0x40, false);
    ASSERT_EQ(lapic.pending_vector(), 0x51);
    lapic.acknowledge(0x51);
    lapic.mmio_write(kEoi, 4, 0);
    ASSERT_EQ(bus.eois.size(), 1u);
    EXPECT_EQ(bus.eois[0], 0x51);
    ASSERT_EQ(lapic.pending_vector(), 0x40);
    lapic.acknowledge(0x40);
    lapic.mmio_write(kEoi, 4, 0);
    EXPECT_EQ(bus.eois.size(), 1u);  // edge: no broadcast
}

TEST_F(LapicTest, X2apicMsrsReachTheSameRegisters) {
    std::uint64_t v = 0;
    EXPECT_FALSE(lapic.msr_read(kMsrId, v, 0));  // #GP before x2APIC mode
    enable_x2apic();
    ASSERT_TRUE(lapic.msr_read(kMsrId, v, 0));
    EXPECT_EQ(v, 3u);  // the full 32-bit ID, not shifted
    ASSERT_TRUE(lapic.msr_read(kMsrLdr, v, 0));
    EXPECT_EQ(v, 1u << 3);                         // cluster 0, bit 3 (SDM vol. 3A 12.12.10.2)
    EXPECT_FALSE(lapic.msr_read(kMsrDfr, v, 0));   // no DFR in x2APIC mode
    EXPECT_FALSE(lapic.msr_write(kMsrEoi, 1, 0));  // non-zero EOI is #GP
    EXPECT_FALSE(lapic.msr_write(kMsrLdr, 5, 0));  // LDR is read-only
    EXPECT_FALSE(lapic.msr_write(kMsrLvtTimer, 1ull << 40, 0));  // reserved high half
    // One 64-bit ICR write with the destination in 63:32.
    ASSERT_TRUE(lapic.msr_write(kMsrIcr, (7ull << 32) | 0x4042, 0));
    ASSERT_EQ(bus.sent.size(), 1u);
    EXPECT_EQ(bus.sent[0].destination, 7u);
    EXPECT_EQ(bus.sent[0].vector, 0x42);
    // Self IPI.
    ASSERT_TRUE(lapic.msr_write(kMsrSelfIpi, 0x66, 0));
    EXPECT_EQ(lapic.pending_vector(), 0x66);
    // Leaving x2APIC for xAPIC directly is refused.
    EXPECT_FALSE(lapic.msr_write(kApicBaseMsr, 0xFEE00800u, 0));
}

TEST_F(LapicTest, LogicalDestinationsMatchFlatAndClusterModels) {
    lapic.mmio_write(0xD0, 4, 0x0800'0000);  // LDR: logical ID 0x08
    EXPECT_TRUE(lapic.logical_match(0x08));
    EXPECT_TRUE(lapic.logical_match(0x0F));
    EXPECT_FALSE(lapic.logical_match(0x07));
    lapic.mmio_write(0xE0, 4, 0x0FFF'FFFF);  // DFR: cluster model
    lapic.mmio_write(0xD0, 4, 0x2100'0000);  // cluster 2, member bit 0
    EXPECT_TRUE(lapic.logical_match(0x21));
    EXPECT_FALSE(lapic.logical_match(0x11));
}

TEST_F(LapicTest, TscDeadlineFiresAtTheGuestsDeadline) {
    // LVT timer in TSC-deadline mode (bits 18:17 = 10b), vector 0xEC.
    lapic.mmio_write(kLvtTimer, 4, (2u << 17) | 0xEC);
    const std::uint64_t offset = 1000;  // guest TSC = host TSC + 1000
    ASSERT_TRUE(lapic.msr_write(kTscDeadlineMsr, 51'000, offset));
    EXPECT_EQ(lapic.timer_deadline(), 50'000u);  // host TSC
    std::uint64_t v = 0;
    ASSERT_TRUE(lapic.msr_read(kTscDeadlineMsr, v, offset));
    EXPECT_EQ(v, 51'000u);
    lapic.tick(49'999);
    EXPECT_EQ(lapic.pending_vector(), -1);
    lapic.tick(50'000);
    EXPECT_EQ(lapic.pending_vector(), 0xEC);
    EXPECT_EQ(lapic.timer_deadline(), 0u);  // one-shot: disarmed, MSR reads 0
    ASSERT_TRUE(lapic.msr_read(kTscDeadlineMsr, v, offset));
    EXPECT_EQ(v, 0u);
}

TEST_F(LapicTest, TscDeadlineWritesAreIgnoredInOtherModes) {
    lapic.mmio_write(kLvtTimer, 4, 0xEC);  // one-shot mode
    ASSERT_TRUE(lapic.msr_write(kTscDeadlineMsr, 51'000, 0));
    EXPECT_EQ(lapic.timer_deadline(), 0u);
}

TEST_F(LapicTest, MaskedTimerDoesNotInterrupt) {
    lapic.mmio_write(kLvtTimer, 4, (2u << 17) | (1u << 16) | 0xEC);
    ASSERT_TRUE(lapic.msr_write(kTscDeadlineMsr, 10, 0));
    lapic.tick(10);
    EXPECT_EQ(lapic.pending_vector(), -1);
}

}  // namespace
}  // namespace hv::vmm
