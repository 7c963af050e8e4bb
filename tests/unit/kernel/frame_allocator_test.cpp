#include "kernel/frame_allocator.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace hv {
namespace {

// The allocator is ~8 KiB; keep it off the test stack.
std::unique_ptr<FrameAllocator> make(
    std::initializer_list<std::pair<std::uint64_t, std::uint64_t>> ranges) {
    auto a = std::make_unique<FrameAllocator>();
    for (auto [base, end] : ranges) EXPECT_TRUE(a->add_range(HostPhys(base), end - base).ok());
    return a;
}

TEST(FrameAllocator, AddRangeShrinksToWholePages) {
    auto a = make({{0x100800, 0x103800}});
    ASSERT_EQ(a->extents().size(), 1u);
    EXPECT_EQ(a->extents()[0].base, 0x101000u);
    EXPECT_EQ(a->extents()[0].end, 0x103000u);
    EXPECT_EQ(a->free_bytes(), 0x2000u);
}

TEST(FrameAllocator, AddRangeMergesAdjacentRanges) {
    auto a = make({{0x100000, 0x200000}, {0x300000, 0x400000}, {0x200000, 0x300000}});
    ASSERT_EQ(a->extents().size(), 1u);
    EXPECT_EQ(a->extents()[0].end, 0x400000u);
}

TEST(FrameAllocator, AddRangeRejectsOverlap) {
    auto a = make({{0x100000, 0x200000}});
    auto r = a->add_range(HostPhys(0x1ff000), 0x2000);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "frame allocator: double free or overlap");
}

TEST(FrameAllocator, AddRangeRejectsWrap) {
    FrameAllocator a;
    EXPECT_FALSE(a.add_range(HostPhys(0xfffffffffffff000), 0x2000).ok());
}

TEST(FrameAllocator, AllocatesRequestedAlignment) {
    auto a = make({{0x101000, 0x10000000}});
    auto r = a->allocate(kLargePageSize, kLargePageSize);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.value().aligned(kLargePageSize));
    EXPECT_EQ(a->free_bytes(), 0x10000000u - 0x101000u - kLargePageSize);
}

TEST(FrameAllocator, RoundsSizeUpToPages) {
    auto a = make({{0x100000, 0x200000}});
    ASSERT_TRUE(a->allocate(100, 1).ok());
    EXPECT_EQ(a->free_bytes(), 0x100000u - kPageSize);
}

TEST(FrameAllocator, RejectsZeroSizeAndBadAlignment) {
    auto a = make({{0x100000, 0x200000}});
    EXPECT_FALSE(a->allocate(0, kPageSize).ok());
    EXPECT_FALSE(a->allocate(kPageSize, 3 * kPageSize).ok());
}

TEST(FrameAllocator, ReportsOutOfMemory) {
    auto a = make({{0x100000, 0x200000}});
    auto r = a->allocate(0x200000, kPageSize);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kNoMemory);
    EXPECT_EQ(a->free_bytes(), 0x100000u);
}

TEST(FrameAllocator, SmallAllocationAvoidsBreakingTwoMegabyteBlocks) {
    // [1 MiB, 2047.875 MiB): the 2 MiB blocks span [2 MiB, 2046 MiB); the tail is unaligned.
    auto a = make({{0x100000, 0x7ffe0000}});
    auto r = a->allocate(kPageSize, kPageSize);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().raw(), 0x7ffdf000u);
    EXPECT_EQ(a->largest_free_aligned(kLargePageSize), 0x7fe00000u - 0x200000u);
}

TEST(FrameAllocator, SmallAllocationUsesUnalignedHeadWhenTailIsAligned) {
    auto a = make({{0x101000, 0x400000}});
    auto r = a->allocate(kPageSize, kPageSize);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().raw(), 0x101000u);
}

TEST(FrameAllocator, SmallAllocationPrefersSmallestExtent) {
    auto a = make({{0x100000, 0x40000000}, {0x80000000, 0x80004000}});
    auto r = a->allocate(kPageSize, kPageSize);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().raw(), 0x80003000u);
}

TEST(FrameAllocator, TwoMegabyteAllocationAvoidsBreakingGigabyteBlock) {
    // [0, 3 GiB + 4 MiB): whole 1 GiB blocks at 0..3 GiB; the 4 MiB above them is the tail.
    auto a = make({{0x0, 0xc0400000}});
    auto r = a->allocate(kLargePageSize, kLargePageSize);
    ASSERT_TRUE(r.ok());
    EXPECT_GE(r.value().raw(), 0xc0000000u);
    EXPECT_EQ(a->largest_free_aligned(kHugePageSize), 3 * kGiB);
}

TEST(FrameAllocator, HandsOutGigabyteAlignedBlock) {
    auto a = make({{0x100000, 0x180000000}});
    auto r = a->allocate(kHugePageSize, kHugePageSize);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.value().aligned(kHugePageSize));
}

TEST(FrameAllocator, ManySmallAllocationsKeepGigabyteBlocksWhole) {
    auto a = make({{0x100000, 0x7ffe0000}, {0x100000000, 0x180000000}});
    // More pages than the unaligned head and tail of the low range hold.
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(a->allocate(kPageSize, kPageSize).ok());
    EXPECT_EQ(a->largest_free_aligned(kHugePageSize), 2 * kGiB);
}

TEST(FrameAllocator, FreeMergesWithBothNeighbours) {
    auto a = make({{0x100000, 0x200000}});
    auto r = a->allocate(kPageSize, kPageSize);
    auto s = a->allocate(kPageSize, kPageSize);
    ASSERT_TRUE(r.ok() && s.ok());
    ASSERT_TRUE(a->free(r.value(), kPageSize).ok());
    ASSERT_TRUE(a->free(s.value(), kPageSize).ok());
    ASSERT_EQ(a->extents().size(), 1u);
    EXPECT_EQ(a->free_bytes(), 0x100000u);
}

TEST(FrameAllocator, FreeInMiddleSplitsAndRejoins) {
    auto a = make({{0x100000, 0x200000}});
    // Take everything, then free two separated pages and the one between them.
    ASSERT_TRUE(a->allocate(0x100000, kPageSize).ok());
    ASSERT_TRUE(a->free(HostPhys(0x150000), kPageSize).ok());
    ASSERT_TRUE(a->free(HostPhys(0x152000), kPageSize).ok());
    EXPECT_EQ(a->extents().size(), 2u);
    ASSERT_TRUE(a->free(HostPhys(0x151000), kPageSize).ok());
    ASSERT_EQ(a->extents().size(), 1u);
    EXPECT_EQ(a->extents()[0].base, 0x150000u);
    EXPECT_EQ(a->extents()[0].end, 0x153000u);
}

TEST(FrameAllocator, DetectsDoubleFree) {
    auto a = make({{0x100000, 0x200000}});
    auto r = a->allocate(kPageSize, kPageSize);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(a->free(r.value(), kPageSize).ok());
    auto again = a->free(r.value(), kPageSize);
    ASSERT_FALSE(again.ok());
    EXPECT_STREQ(again.error().what, "frame allocator: double free or overlap");
}

TEST(FrameAllocator, DetectsFreeOverlappingFreeMemory) {
    auto a = make({{0x100000, 0x200000}});
    ASSERT_TRUE(a->allocate(0x10000, kPageSize).ok());  // the top 64 KiB
    EXPECT_FALSE(a->free(HostPhys(0x1f0000 - kPageSize), 2 * kPageSize).ok());
    EXPECT_EQ(a->free_bytes(), 0xf0000u);
}

TEST(FrameAllocator, RejectsUnalignedFree) {
    FrameAllocator a;
    EXPECT_FALSE(a.free(HostPhys(0x100800), kPageSize).ok());
}

TEST(FrameAllocator, AddRangeReportsFullExtentArray) {
    auto a = std::make_unique<FrameAllocator>();
    for (std::uint64_t i = 0; i < FrameAllocator::kCapacity; ++i)
        ASSERT_TRUE(a->add_range(HostPhys(i * 0x10000), 0x4000).ok());
    auto r = a->add_range(HostPhys(FrameAllocator::kCapacity * 0x10000), 0x4000);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
}

TEST(FrameAllocator, FullExtentArrayPrefersPlacementThatDoesNotSplit) {
    auto a = std::make_unique<FrameAllocator>();
    for (std::uint64_t i = 0; i < FrameAllocator::kCapacity; ++i)
        ASSERT_TRUE(a->add_range(HostPhys(i * 0x10000), 0x4000).ok());
    auto r = a->allocate(kPageSize, 0x2000);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().raw() % 0x10000, 0u);
}

TEST(FrameAllocator, AllocationThatMustSplitFullArrayFailsWithoutChangingState) {
    auto a = std::make_unique<FrameAllocator>();
    for (std::uint64_t i = 0; i < FrameAllocator::kCapacity; ++i)
        ASSERT_TRUE(a->add_range(HostPhys(i * 0x10000 + 0x1000), 0x3000).ok());
    const std::uint64_t before = a->free_bytes();
    auto r = a->allocate(kPageSize, 0x2000);  // only fits at +0x2000, between two free pages
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
    EXPECT_EQ(a->free_bytes(), before);
    EXPECT_EQ(a->extents().size(), FrameAllocator::kCapacity);
}

TEST(FrameAllocator, LargestFreeAlignedRoundsToAlignment) {
    auto a = make({{0x101000, 0x700000}});
    EXPECT_EQ(a->largest_free_aligned(kLargePageSize), 0x400000u);
    EXPECT_EQ(a->largest_free_aligned(kPageSize), 0x5ff000u);
    EXPECT_EQ(a->largest_free_aligned(kHugePageSize), 0u);
}

// take(): a caller-chosen range, carved out of the extent that holds it.

TEST(FrameAllocator, TakeFromTheMiddleSplitsTheExtent) {
    auto a = make({{0x100000, 0x200000}});
    ASSERT_TRUE(a->take(HostPhys(0x150000), 0x10000).ok());
    ASSERT_EQ(a->extents().size(), 2u);
    EXPECT_EQ(a->extents()[0].base, 0x100000u);
    EXPECT_EQ(a->extents()[0].end, 0x150000u);
    EXPECT_EQ(a->extents()[1].base, 0x160000u);
    EXPECT_EQ(a->extents()[1].end, 0x200000u);
    EXPECT_EQ(a->free_bytes(), 0x100000u - 0x10000u);
}

TEST(FrameAllocator, TakeAtTheStartOfAnExtentMovesItsBase) {
    auto a = make({{0x100000, 0x200000}});
    ASSERT_TRUE(a->take(HostPhys(0x100000), 0x3000).ok());
    ASSERT_EQ(a->extents().size(), 1u);
    EXPECT_EQ(a->extents()[0].base, 0x103000u);
    EXPECT_EQ(a->extents()[0].end, 0x200000u);
}

TEST(FrameAllocator, TakeAtTheEndOfAnExtentMovesItsEnd) {
    auto a = make({{0x100000, 0x200000}});
    ASSERT_TRUE(a->take(HostPhys(0x1FE000), 0x2000).ok());
    ASSERT_EQ(a->extents().size(), 1u);
    EXPECT_EQ(a->extents()[0].base, 0x100000u);
    EXPECT_EQ(a->extents()[0].end, 0x1FE000u);
}

TEST(FrameAllocator, TakeOfAWholeExtentRemovesIt) {
    auto a = make({{0x100000, 0x200000}, {0x300000, 0x400000}, {0x500000, 0x600000}});
    ASSERT_TRUE(a->take(HostPhys(0x300000), 0x100000).ok());
    ASSERT_EQ(a->extents().size(), 2u);
    EXPECT_EQ(a->extents()[0].base, 0x100000u);
    EXPECT_EQ(a->extents()[1].base, 0x500000u);
    EXPECT_EQ(a->free_bytes(), 0x200000u);
}

TEST(FrameAllocator, TakeRoundsSizeUpToPages) {
    auto a = make({{0x100000, 0x200000}});
    ASSERT_TRUE(a->take(HostPhys(0x150000), 1).ok());
    EXPECT_EQ(a->free_bytes(), 0x100000u - kPageSize);
    ASSERT_EQ(a->extents().size(), 2u);
    EXPECT_EQ(a->extents()[1].base, 0x151000u);
}

TEST(FrameAllocator, TakeRefusesARangeNotWhollyFreeAndChangesNothing) {
    auto a = make({{0x100000, 0x200000}, {0x300000, 0x400000}});
    ASSERT_TRUE(a->take(HostPhys(0x180000), 0x1000).ok());  // a hole at 0x180000
    const std::uint64_t before = a->free_bytes();
    const std::vector<FrameAllocator::Extent> extents(a->extents().begin(), a->extents().end());
    struct Case {
        std::uint64_t base, size;
    };
    for (const Case c : {
             Case{0x1FF000, 0x102000},  // spans two extents and the gap between
             Case{0x1FF000, 0x2000},    // runs past the end of an extent
             Case{0x0FF000, 0x2000},    // starts below an extent
             Case{0x17F000, 0x2000},    // covers the page already taken
             Case{0x180000, 0x1000},    // the page already taken
             Case{0x200000, 0x1000},    // in the gap
             Case{0x100000, 0x300000},  // more than an extent
         }) {
        auto r = a->take(HostPhys(c.base), c.size);
        ASSERT_FALSE(r.ok()) << std::hex << c.base << "+" << c.size;
        EXPECT_EQ(r.error().code, Errc::kNoMemory) << std::hex << c.base << "+" << c.size;
    }
    EXPECT_EQ(a->free_bytes(), before);
    ASSERT_EQ(a->extents().size(), extents.size());
    for (std::size_t i = 0; i < extents.size(); ++i) {
        EXPECT_EQ(a->extents()[i].base, extents[i].base);
        EXPECT_EQ(a->extents()[i].end, extents[i].end);
    }
}

TEST(FrameAllocator, TakeRefusesUnalignedBaseAndZeroSize) {
    auto a = make({{0x100000, 0x200000}});
    auto unaligned = a->take(HostPhys(0x150800), 0x1000);
    ASSERT_FALSE(unaligned.ok());
    EXPECT_EQ(unaligned.error().code, Errc::kInvalid);
    auto empty = a->take(HostPhys(0x150000), 0);
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().code, Errc::kInvalid);
    EXPECT_EQ(a->free_bytes(), 0x100000u);
    EXPECT_EQ(a->extents().size(), 1u);
}

TEST(FrameAllocator, TakeThatMustSplitAFullArrayReportsTooMany) {
    auto a = std::make_unique<FrameAllocator>();
    for (std::uint64_t i = 0; i < FrameAllocator::kCapacity; ++i)
        ASSERT_TRUE(a->add_range(HostPhys(i * 0x10000), 0x3000).ok());
    const std::uint64_t before = a->free_bytes();
    auto r = a->take(HostPhys(0x1000), 0x1000);  // the middle page of [0, 0x3000)
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
    EXPECT_EQ(a->free_bytes(), before);
    // At an edge nothing splits, so a full array is no obstacle.
    EXPECT_TRUE(a->take(HostPhys(0x0000), 0x1000).ok());
    EXPECT_EQ(a->free_bytes(), before - kPageSize);
}

// A size that would round up past 2^64 is refused, not rounded to zero (which would "take"
// nothing and split the extent).
TEST(FrameAllocator, TakeRefusesASizeThatWrapsWhenRounded) {
    auto a = make({{0x100000, 0x200000}});
    auto r = a->take(HostPhys(0x150000), ~std::uint64_t{0});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalid);
    ASSERT_EQ(a->extents().size(), 1u);
    EXPECT_EQ(a->free_bytes(), 0x100000u);
}

TEST(FrameAllocator, FreeOfATakenRangeRestoresTheExtent) {
    auto a = make({{0x100000, 0x200000}});
    ASSERT_TRUE(a->take(HostPhys(0x150000), 0x10000).ok());
    ASSERT_TRUE(a->free(HostPhys(0x150000), 0x10000).ok());
    EXPECT_EQ(a->free_bytes(), 0x100000u);
    ASSERT_EQ(a->extents().size(), 1u);
    EXPECT_EQ(a->extents()[0].base, 0x100000u);
    EXPECT_EQ(a->extents()[0].end, 0x200000u);
    // A taken range is not handed out again by allocate() until freed.
    ASSERT_TRUE(a->take(HostPhys(0x100000), 0xFF000).ok());
    EXPECT_EQ(a->free_bytes(), kPageSize);
    auto last = a->allocate(kPageSize, kPageSize);
    ASSERT_TRUE(last.ok());
    EXPECT_EQ(last.value().raw(), 0x1FF000u);
    EXPECT_FALSE(a->allocate(kPageSize, kPageSize).ok());
}

}  // namespace
}  // namespace hv
