#include "gpu_passthrough/fault_rate_limit.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace hv::passthrough {
namespace {

constexpr std::uint64_t kSecond = 1'000'000'000;
const pci::Bdf kEdu(0, 0, 3, 0);
const pci::Bdf kNvme(0, 1, 0, 0);

TEST(FaultRateLimit, PrintsTheFirstTenFaultsOfADevicePerWindow) {
    FaultRateLimiter limiter;
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.on_fault(kEdu, 100 + i).print) << i;
    EXPECT_FALSE(limiter.on_fault(kEdu, 200).print);
}

TEST(FaultRateLimit, ReportsTheSuppressedCountWhenTheDeviceResumes) {
    FaultRateLimiter limiter;
    for (int i = 0; i < 15; ++i) (void)limiter.on_fault(kEdu, 0);
    const auto d = limiter.on_fault(kEdu, kSecond);
    EXPECT_TRUE(d.print);
    EXPECT_EQ(d.suppressed, 5u);
    EXPECT_EQ(d.summary_bdf, kEdu);
    EXPECT_EQ(limiter.on_fault(kEdu, kSecond + 1).suppressed, 0u);
}

TEST(FaultRateLimit, LimitsEachDeviceSeparately) {
    FaultRateLimiter limiter(2, kSecond);
    (void)limiter.on_fault(kEdu, 0);
    (void)limiter.on_fault(kEdu, 0);
    EXPECT_FALSE(limiter.on_fault(kEdu, 0).print);
    EXPECT_TRUE(limiter.on_fault(kNvme, 0).print);
}

TEST(FaultRateLimit, WindowRestartsAfterOneSecondNotBefore) {
    FaultRateLimiter limiter(1, kSecond);
    EXPECT_TRUE(limiter.on_fault(kEdu, 5).print);
    EXPECT_FALSE(limiter.on_fault(kEdu, 5 + kSecond - 1).print);
    EXPECT_TRUE(limiter.on_fault(kEdu, 5 + kSecond).print);
}

TEST(FaultRateLimit, FlushExpiredSummarisesABurstThatStopped) {
    FaultRateLimiter limiter(1, kSecond);
    for (int i = 0; i < 4; ++i) (void)limiter.on_fault(kEdu, 0);
    std::vector<std::pair<std::uint32_t, std::uint64_t>> seen;
    const auto emit = [&](pci::Bdf bdf, std::uint64_t n) {
        seen.emplace_back(bdf.routing_id(), n);
    };
    limiter.flush_expired(kSecond - 1, emit);
    EXPECT_TRUE(seen.empty());
    limiter.flush_expired(kSecond, emit);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].first, kEdu.routing_id());
    EXPECT_EQ(seen[0].second, 3u);
    limiter.flush_expired(2 * kSecond, emit);
    EXPECT_EQ(seen.size(), 1u);
    EXPECT_EQ(limiter.on_fault(kEdu, 2 * kSecond).suppressed, 0u);
}

TEST(FaultRateLimit, EvictingADeviceHandsOverItsSuppressedCount) {
    FaultRateLimiter limiter(1, kSecond);
    (void)limiter.on_fault(kEdu, 0);
    (void)limiter.on_fault(kEdu, 0);  // suppressed
    for (std::size_t i = 1; i < FaultRateLimiter::kDevices; ++i)
        (void)limiter.on_fault(pci::Bdf(0, 2, static_cast<std::uint8_t>(i), 0), 10 + i);
    // The table is full; a new device takes the oldest slot, edu's.
    const auto d = limiter.on_fault(pci::Bdf(0, 3, 0, 0), 100);
    EXPECT_TRUE(d.print);
    EXPECT_EQ(d.suppressed, 1u);
    EXPECT_EQ(d.summary_bdf, kEdu);
}

}  // namespace
}  // namespace hv::passthrough
