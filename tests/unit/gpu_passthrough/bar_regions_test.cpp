#include "gpu_passthrough/bar_regions.hpp"

#include <gtest/gtest.h>

namespace hv::passthrough {
namespace {

testing::AssertionResult is(const BarRegion& r, std::uint64_t offset, std::uint64_t size,
                            bool trapped) {
    if (r.offset == offset && r.size == size && r.trapped == trapped)
        return testing::AssertionSuccess();
    return testing::AssertionFailure() << "offset 0x" << std::hex << r.offset << " size 0x"
                                       << r.size << " trapped " << r.trapped;
}

TEST(BarRegions, NoTrapsMapsWholeBar) {
    const BarRegions r = split_bar(1 << 20, {});
    ASSERT_EQ(r.count, 1u);
    EXPECT_TRUE(is(r.region[0], 0, 1 << 20, false));
}

TEST(BarRegions, SmallBarIsTrappedAsOnePage) {
    // ivshmem's 256-byte register BAR: the rest of its host page may be another function's.
    const BarRegions r = split_bar(256, {});
    ASSERT_EQ(r.count, 1u);
    EXPECT_TRUE(is(r.region[0], 0, 0x1000, true));
}

TEST(BarRegions, QemuNvmeTableAndPbaInOneBar) {
    // QEMU nvme (7.2): BAR0 16 KiB, MSI-X table at 0x2000 (65 entries: 0x410 bytes), PBA at
    // 0x3000: registers and doorbells stay direct, the table and PBA pages trap.
    const ByteRange traps[] = {{0x2000, 65 * 16}, {0x3000, 16}};
    const BarRegions r = split_bar(0x4000, traps);
    ASSERT_EQ(r.count, 2u);
    EXPECT_TRUE(is(r.region[0], 0, 0x2000, false));
    EXPECT_TRUE(is(r.region[1], 0x2000, 0x2000, true));
}

TEST(BarRegions, TrapsInTheMiddleSplitThreeWays) {
    const ByteRange traps[] = {{0x8000, 0x10}, {0x1000, 0x800}};  // unsorted on purpose
    const BarRegions r = split_bar(0x10000, traps);
    ASSERT_EQ(r.count, 5u);
    EXPECT_TRUE(is(r.region[0], 0, 0x1000, false));
    EXPECT_TRUE(is(r.region[1], 0x1000, 0x1000, true));
    EXPECT_TRUE(is(r.region[2], 0x2000, 0x6000, false));
    EXPECT_TRUE(is(r.region[3], 0x8000, 0x1000, true));
    EXPECT_TRUE(is(r.region[4], 0x9000, 0x7000, false));
}

TEST(BarRegions, UnalignedTrapCoversEveryPageItTouches) {
    const ByteRange traps[] = {{0xFF8, 0x10}};  // straddles pages 0 and 1
    const BarRegions r = split_bar(0x4000, traps);
    ASSERT_EQ(r.count, 2u);
    EXPECT_TRUE(is(r.region[0], 0, 0x2000, true));
    EXPECT_TRUE(is(r.region[1], 0x2000, 0x2000, false));
}

TEST(BarRegions, OverlappingTrapsMerge) {
    const ByteRange traps[] = {{0x1000, 0x1800}, {0x2000, 0x100}};
    const BarRegions r = split_bar(0x4000, traps);
    ASSERT_EQ(r.count, 3u);
    EXPECT_TRUE(is(r.region[1], 0x1000, 0x2000, true));
    EXPECT_TRUE(is(r.region[2], 0x3000, 0x1000, false));
}

TEST(BarRegions, TrapPastTheBarIsIgnoredAndOneAtTheEndIsClipped) {
    const ByteRange traps[] = {{0x5000, 0x10}, {0x3F00, 0x400}};
    const BarRegions r = split_bar(0x4000, traps);
    ASSERT_EQ(r.count, 2u);
    EXPECT_TRUE(is(r.region[0], 0, 0x3000, false));
    EXPECT_TRUE(is(r.region[1], 0x3000, 0x1000, true));
}

}  // namespace
}  // namespace hv::passthrough
