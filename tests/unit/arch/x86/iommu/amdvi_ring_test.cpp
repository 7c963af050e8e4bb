#include "arch/x86/iommu/amdvi/ring.hpp"

#include <gtest/gtest.h>

#include "arch/x86/iommu/amdvi/regs.hpp"

namespace hv::amdvi {
namespace {

TEST(AmdViRing, OnePageHoldsTwoHundredFiftySixEntries) {
    const Ring r(8);
    EXPECT_EQ(r.entries(), 256u);
    EXPECT_EQ(r.bytes(), 4096u);
    EXPECT_EQ(Ring(15).bytes(), 512u * 1024);
}

TEST(AmdViRing, NextWrapsToZero) {
    const Ring r(8);
    EXPECT_EQ(r.next(0), 1u);
    EXPECT_EQ(r.next(254), 255u);
    EXPECT_EQ(r.next(255), 0u);
}

TEST(AmdViRing, EqualHeadAndTailIsEmpty) {
    const Ring r(8);
    EXPECT_EQ(r.used(7, 7), 0u);
    EXPECT_EQ(r.free(7, 7), 255u);
    EXPECT_FALSE(r.full(7, 7));
}

TEST(AmdViRing, CountsAcrossTheWrap) {
    const Ring r(8);
    EXPECT_EQ(r.used(250, 4), 10u);
    EXPECT_EQ(r.free(250, 4), 245u);
}

TEST(AmdViRing, FullOneEntryShortOfTheHead) {
    const Ring r(8);
    EXPECT_TRUE(r.full(0, 255));
    EXPECT_TRUE(r.full(10, 9));
    EXPECT_FALSE(r.full(10, 8));
    EXPECT_EQ(r.free(10, 9), 0u);
}

TEST(AmdViRing, IndicesRoundTripThroughTheTailRegister) {
    const Ring r(8);
    for (unsigned i = 0; i < r.entries(); ++i) EXPECT_EQ(ring_index(ring_offset(i)), i);
    EXPECT_EQ(ring_offset(r.next(255)), 0u);
}

}  // namespace
}  // namespace hv::amdvi
