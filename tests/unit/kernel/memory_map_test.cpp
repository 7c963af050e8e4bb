#include "kernel/memory_map.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hv {
namespace {

using boot::MemoryRegion;
using boot::MemoryType;

constexpr MemoryType kUsable = MemoryType::kUsable;
constexpr MemoryType kReserved = MemoryType::kReserved;

std::vector<PhysRange> normalize(const std::vector<MemoryRegion>& fw,
                                 const std::vector<PhysRange>& reserved = {},
                                 MemoryLayout* layout_out = nullptr) {
    static MemoryLayout layout;
    auto r = normalize_memory_map(fw, reserved, layout);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
    if (layout_out) *layout_out = layout;
    return {layout.free().begin(), layout.free().end()};
}

// GRUB under SeaBIOS on QEMU with 6 GiB (see multiboot_info_test.cpp).
const std::vector<MemoryRegion> kSeaBios = {
    {0x0, 0x9fc00, kUsable},          {0x9fc00, 0x400, kReserved},
    {0xf0000, 0x10000, kReserved},    {0x100000, 0x7fee0000, kUsable},
    {0x7ffe0000, 0x20000, kReserved}, {0xfeffc000, 0x4000, kReserved},
    {0xfffc0000, 0x40000, kReserved}, {0x100000000, 0x80000000, kUsable},
};

TEST(MemoryMap, SeaBiosMapYieldsPageAlignedUsableRanges) {
    auto free = normalize(kSeaBios);
    ASSERT_EQ(free.size(), 3u);
    EXPECT_EQ(free[0], (PhysRange{0x0, 0x9f000}));  // 0x9fc00 rounded down
    EXPECT_EQ(free[1], (PhysRange{0x100000, 0x7ffe0000}));
    EXPECT_EQ(free[2], (PhysRange{0x100000000, 0x180000000}));
}

TEST(MemoryMap, ReportsTotals) {
    MemoryLayout layout;
    normalize(kSeaBios, {{0, 0x100000}}, &layout);
    EXPECT_EQ(layout.usable_bytes, 0x9f000u + (0x7ffe0000u - 0x100000u) + 0x80000000u);
    EXPECT_EQ(layout.free_bytes, layout.usable_bytes - 0x9f000u);
    EXPECT_EQ(layout.highest_usable, 0x180000000u);
    EXPECT_EQ(layout.highest_address, 0x180000000u);
}

TEST(MemoryMap, SortsUnsortedEntries) {
    auto free = normalize({{0x200000, 0x1000, kUsable}, {0x100000, 0x1000, kUsable}});
    ASSERT_EQ(free.size(), 2u);
    EXPECT_EQ(free[0].base, 0x100000u);
}

TEST(MemoryMap, ReservedWinsOverUsableInOverlap) {
    auto free = normalize({{0x100000, 0x400000, kUsable}, {0x200000, 0x1000, kReserved}});
    ASSERT_EQ(free.size(), 2u);
    EXPECT_EQ(free[0], (PhysRange{0x100000, 0x200000}));
    EXPECT_EQ(free[1], (PhysRange{0x201000, 0x500000}));
}

TEST(MemoryMap, ReservedWinsRegardlessOfOrder) {
    auto free = normalize({{0x200000, 0x1000, kReserved}, {0x100000, 0x400000, kUsable}});
    ASSERT_EQ(free.size(), 2u);
}

TEST(MemoryMap, AcpiAndBadMemoryAreNotUsable) {
    auto free = normalize({{0x100000, 0x300000, kUsable},
                           {0x100000, 0x100000, MemoryType::kAcpiReclaimable},
                           {0x300000, 0x100000, MemoryType::kBad}});
    ASSERT_EQ(free.size(), 1u);
    EXPECT_EQ(free[0], (PhysRange{0x200000, 0x300000}));
}

TEST(MemoryMap, MergesOverlappingAndAdjacentUsableEntries) {
    auto free = normalize({{0x100000, 0x200000, kUsable},
                           {0x200000, 0x200000, kUsable},
                           {0x400000, 0x100000, kUsable}});
    ASSERT_EQ(free.size(), 1u);
    EXPECT_EQ(free[0], (PhysRange{0x100000, 0x500000}));
}

TEST(MemoryMap, AlignsUsableRangesInward) {
    auto free = normalize({{0x100800, 0x2000, kUsable}});
    ASSERT_EQ(free.size(), 1u);
    EXPECT_EQ(free[0], (PhysRange{0x101000, 0x102000}));
}

TEST(MemoryMap, DropsRangesSmallerThanAPage) {
    EXPECT_TRUE(normalize({{0x100800, 0x1000, kUsable}}).empty());
}

TEST(MemoryMap, IgnoresZeroLengthEntries) {
    auto free = normalize({{0x100000, 0, kReserved}, {0x100000, 0x1000, kUsable}, {0, 0, kUsable}});
    ASSERT_EQ(free.size(), 1u);
    EXPECT_EQ(free[0], (PhysRange{0x100000, 0x101000}));
}

TEST(MemoryMap, ClipsWrappingEntryAtPhysicalLimit) {
    MemoryLayout layout;
    auto free = normalize(
        {{0xfffff00000000000, 0x200000000000, kUsable}, {0x100000, 0xffffffffffffffff, kUsable}},
        {}, &layout);
    ASSERT_EQ(free.size(), 1u);
    EXPECT_EQ(free[0], (PhysRange{0x100000, kPhysAddressLimit}));
    EXPECT_EQ(layout.highest_address, kPhysAddressLimit);
}

TEST(MemoryMap, SubtractsReservedRangesWidenedToPages) {
    auto free = normalize({{0x100000, 0x400000, kUsable}}, {{0x200800, 0x201800}});
    ASSERT_EQ(free.size(), 2u);
    EXPECT_EQ(free[0], (PhysRange{0x100000, 0x200000}));
    EXPECT_EQ(free[1], (PhysRange{0x202000, 0x500000}));
}

TEST(MemoryMap, SubtractsReservationSpanningSeveralRanges) {
    auto free = normalize(kSeaBios, {{0x0, 0x110000000}});
    ASSERT_EQ(free.size(), 1u);
    EXPECT_EQ(free[0], (PhysRange{0x110000000, 0x180000000}));
}

TEST(MemoryMap, SubtractsKernelModulesLowMemoryAndTrampoline) {
    auto free = normalize(kSeaBios, {{0x0, 0x100000},       // first MiB
                                     {0x8000, 0x9000},      // AP trampoline
                                     {0x100000, 0x180000},  // kernel image
                                     {0x200000, 0x201234},  // manifest module
                                     {0x10000, 0x10400}});  // boot info
    ASSERT_EQ(free.size(), 3u);
    EXPECT_EQ(free[0], (PhysRange{0x180000, 0x200000}));
    EXPECT_EQ(free[1], (PhysRange{0x202000, 0x7ffe0000}));
    EXPECT_EQ(free[2], (PhysRange{0x100000000, 0x180000000}));
}

TEST(MemoryMap, IgnoresEmptyReservations) {
    auto free = normalize({{0x100000, 0x1000, kUsable}}, {{0x100000, 0x100000}});
    EXPECT_EQ(free.size(), 1u);
}

TEST(MemoryMap, RejectsMoreEntriesThanCapacity) {
    std::vector<MemoryRegion> fw(kMaxFirmwareRegions + 1, MemoryRegion{0x100000, 0x1000, kUsable});
    MemoryLayout layout;
    auto r = normalize_memory_map(fw, {}, layout);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
    EXPECT_EQ(layout.count, 0u);
}

TEST(MemoryMap, RejectsTooManyReservations) {
    std::vector<PhysRange> reserved(kMaxReservedRanges + 1, PhysRange{0, 0x1000});
    MemoryLayout layout;
    EXPECT_FALSE(normalize_memory_map(kSeaBios, reserved, layout).ok());
}

TEST(MemoryMap, HandlesFullCapacityOfDisjointEntries) {
    std::vector<MemoryRegion> fw;
    for (std::uint64_t i = 0; i < kMaxFirmwareRegions; ++i)
        fw.push_back({(kMaxFirmwareRegions - i) * 0x10000, 0x1000, kUsable});
    std::vector<PhysRange> reserved;
    for (std::uint64_t i = 0; i < kMaxReservedRanges; ++i)  // each splits a range in two
        reserved.push_back({0x10000 * (i + 1) + 0x1000, 0x10000 * (i + 1) + 0x2000});
    for (auto& e : fw) e.length = 0x3000;
    MemoryLayout layout;
    ASSERT_TRUE(normalize_memory_map(fw, reserved, layout).ok());
    EXPECT_EQ(layout.count, kMaxFreeRanges);
    EXPECT_EQ(layout.free()[0], (PhysRange{0x10000, 0x11000}));
}

}  // namespace
}  // namespace hv
