#include "vmm/devices/region_table.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace hv::vmm {
namespace {

// The table stores only pointers; any type does as the device.
struct Dev {
    int id = 0;
};

using Table = RegionTable<Dev>;

TEST(RegionTable, FindReturnsTheDeviceAndTheOffsetFromTheBase) {
    Table t;
    Dev a{1}, b{2};
    auto ra = t.add(0x1000, 0x100, a);
    auto rb = t.add(0x8000, 0x10, b);
    ASSERT_TRUE(ra.ok());
    ASSERT_TRUE(rb.ok());
    EXPECT_NE(ra.value(), rb.value());

    auto hit = t.find(0x1000);
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->device, &a);
    EXPECT_EQ(hit->offset, 0u);

    hit = t.find(0x10FF);  // last byte
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->device, &a);
    EXPECT_EQ(hit->offset, 0xFFu);

    hit = t.find(0x800C);
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->device, &b);
    EXPECT_EQ(hit->offset, 0xCu);
}

TEST(RegionTable, FindMissesOutsideEveryRegion) {
    Table t;
    Dev a;
    ASSERT_TRUE(t.add(0x1000, 0x100, a).ok());
    EXPECT_FALSE(t.find(0xFFF).has_value());
    EXPECT_FALSE(t.find(0x1100).has_value());  // one past the end
    EXPECT_FALSE(t.find(0).has_value());
    EXPECT_FALSE(t.find(~std::uint64_t{0}).has_value());
}

TEST(RegionTable, EmptyTableFindsNothing) {
    Table t;
    EXPECT_FALSE(t.find(0).has_value());
    EXPECT_FALSE(t.find(0x1000).has_value());
}

TEST(RegionTable, AdjacentRegionsAreAllowed) {
    Table t;
    Dev a{1}, b{2}, c{3};
    ASSERT_TRUE(t.add(0x2000, 0x1000, a).ok());
    ASSERT_TRUE(t.add(0x3000, 0x1000, b).ok());  // right after a
    ASSERT_TRUE(t.add(0x1000, 0x1000, c).ok());  // right before a
    EXPECT_EQ(t.find(0x2FFF)->device, &a);
    EXPECT_EQ(t.find(0x3000)->device, &b);
    EXPECT_EQ(t.find(0x3000)->offset, 0u);
    EXPECT_EQ(t.find(0x1FFF)->device, &c);
    EXPECT_EQ(t.find(0x1FFF)->offset, 0xFFFu);
}

TEST(RegionTable, OverlappingRegionsAreRefused) {
    Table t;
    Dev a{1}, b{2};
    ASSERT_TRUE(t.add(0x2000, 0x1000, a).ok());
    const std::array<std::pair<std::uint64_t, std::uint64_t>, 6> overlapping = {{
        {0x2000, 0x1000},  // the same range
        {0x1800, 0x1000},  // over the start
        {0x2800, 0x1000},  // over the end
        {0x2400, 0x10},    // inside
        {0x1000, 0x3000},  // around
        {0x2FFF, 1},       // the last byte
    }};
    for (auto [base, size] : overlapping) {
        auto r = t.add(base, size, b);
        ASSERT_FALSE(r.ok()) << std::hex << base << "+" << size;
        EXPECT_EQ(r.error().code, Errc::kInvalid);
    }
    // Nothing changed: b is nowhere, a is whole.
    EXPECT_FALSE(t.find(0x1FFF).has_value());
    EXPECT_FALSE(t.find(0x3000).has_value());
    EXPECT_EQ(t.find(0x2000)->device, &a);
    EXPECT_EQ(t.find(0x2FFF)->device, &a);
}

TEST(RegionTable, EmptyAndWrappingRangesAreRefused) {
    Table t;
    Dev a;
    auto empty = t.add(0x1000, 0, a);
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().code, Errc::kInvalid);

    auto wraps = t.add(0xFFFF'FFFF'FFFF'F000, 0x2000, a);
    ASSERT_FALSE(wraps.ok());
    EXPECT_EQ(wraps.error().code, Errc::kInvalid);
    EXPECT_FALSE(t.find(0xFFFF'FFFF'FFFF'F000).has_value());
    EXPECT_FALSE(t.find(0).has_value());

    // Ending one byte short of 2^64 does not wrap.
    ASSERT_TRUE(t.add(0xFFFF'FFFF'FFFF'F000, 0xFFF, a).ok());
    EXPECT_EQ(t.find(0xFFFF'FFFF'FFFF'FFFE)->offset, 0xFFEu);
}

TEST(RegionTable, MoveRelocatesTheRegion) {
    Table t;
    Dev a;
    auto id = t.add(0x1000, 0x100, a);
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(t.move(id.value(), 0x5000).ok());
    EXPECT_FALSE(t.find(0x1000).has_value());
    auto hit = t.find(0x5080);
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->device, &a);
    EXPECT_EQ(hit->offset, 0x80u);
    EXPECT_FALSE(t.find(0x5100).has_value());  // the size came along
}

TEST(RegionTable, MoveOntoAnotherRegionIsRefusedAndChangesNothing) {
    Table t;
    Dev a{1}, b{2};
    auto ia = t.add(0x1000, 0x1000, a);
    auto ib = t.add(0x4000, 0x1000, b);
    ASSERT_TRUE(ia.ok());
    ASSERT_TRUE(ib.ok());
    auto r = t.move(ia.value(), 0x3800);  // its tail would cover b's head
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalid);
    EXPECT_EQ(t.find(0x1000)->device, &a);
    EXPECT_FALSE(t.find(0x3800).has_value());
    EXPECT_EQ(t.find(0x4000)->device, &b);
    // Adjacent to b is fine.
    EXPECT_TRUE(t.move(ia.value(), 0x3000).ok());
    EXPECT_EQ(t.find(0x3FFF)->device, &a);
    EXPECT_EQ(t.find(0x4000)->device, &b);
}

TEST(RegionTable, MoveOverlappingItsOwnOldPlaceIsAllowed) {
    Table t;
    Dev a;
    auto id = t.add(0x1000, 0x1000, a);
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(t.move(id.value(), 0x1000).ok());  // onto itself
    EXPECT_EQ(t.find(0x1000)->device, &a);
    ASSERT_TRUE(t.move(id.value(), 0x1800).ok());  // half over its old range
    EXPECT_FALSE(t.find(0x17FF).has_value());
    EXPECT_EQ(t.find(0x1800)->offset, 0u);
    EXPECT_EQ(t.find(0x27FF)->offset, 0xFFFu);
    EXPECT_FALSE(t.find(0x2800).has_value());
}

TEST(RegionTable, MoveRefusesWrapAndUnknownIds) {
    Table t;
    Dev a;
    auto id = t.add(0x1000, 0x2000, a);
    ASSERT_TRUE(id.ok());
    auto wraps = t.move(id.value(), 0xFFFF'FFFF'FFFF'F000);
    ASSERT_FALSE(wraps.ok());
    EXPECT_EQ(wraps.error().code, Errc::kInvalid);
    EXPECT_EQ(t.find(0x1000)->device, &a);  // still where it was

    auto out_of_range = t.move(Table::kSlots, 0x9000);
    ASSERT_FALSE(out_of_range.ok());
    EXPECT_EQ(out_of_range.error().code, Errc::kInvalid);

    const std::uint32_t free_slot = id.value() == 0 ? 1 : 0;
    auto unused = t.move(free_slot, 0x9000);
    ASSERT_FALSE(unused.ok());
    EXPECT_EQ(unused.error().code, Errc::kInvalid);
    EXPECT_FALSE(t.find(0x9000).has_value());
}

TEST(RegionTable, RemoveFreesTheRangeAndTheSlot) {
    Table t;
    Dev a{1}, b{2};
    auto id = t.add(0x1000, 0x1000, a);
    ASSERT_TRUE(id.ok());
    t.remove(id.value());
    EXPECT_FALSE(t.find(0x1000).has_value());
    EXPECT_FALSE(t.move(id.value(), 0x8000).ok());  // the id is gone
    // The range can be claimed again, by another device.
    ASSERT_TRUE(t.add(0x1000, 0x1000, b).ok());
    EXPECT_EQ(t.find(0x1800)->device, &b);
    t.remove(Table::kSlots);  // out of range: ignored
    EXPECT_EQ(t.find(0x1800)->device, &b);
}

TEST(RegionTable, ReportsTooManyWhenEverySlotIsTaken) {
    Table t;
    std::array<Dev, Table::kSlots + 1> devs{};
    std::array<std::uint32_t, Table::kSlots> ids{};
    for (std::uint32_t i = 0; i < Table::kSlots; ++i) {
        auto r = t.add(0x10000 + i * 0x100, 0x100, devs[i]);
        ASSERT_TRUE(r.ok()) << i;
        ids[i] = r.value();
    }
    auto full = t.add(0x90000, 0x100, devs[Table::kSlots]);
    ASSERT_FALSE(full.ok());
    EXPECT_EQ(full.error().code, Errc::kTooMany);
    EXPECT_FALSE(t.find(0x90000).has_value());
    // Every region is still reachable at its own place.
    for (std::uint32_t i = 0; i < Table::kSlots; ++i)
        EXPECT_EQ(t.find(0x10000 + i * 0x100 + 0x7F)->device, &devs[i]) << i;

    // Freeing one slot makes room again, and the new region gets that slot's id.
    t.remove(ids[5]);
    auto again = t.add(0x90000, 0x100, devs[Table::kSlots]);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.value(), ids[5]);
    EXPECT_EQ(t.find(0x90010)->device, &devs[Table::kSlots]);
    EXPECT_EQ(t.find(0x90010)->offset, 0x10u);
}

}  // namespace
}  // namespace hv::vmm
