#include "arch/x86/paging/page_table.hpp"

#include <gtest/gtest.h>

#include "arch/x86/paging/ept_format.hpp"
#include "arch/x86/paging/hpt_format.hpp"
#include "tests/unit/arch/x86/paging/fake_table_memory.hpp"

namespace hv::paging {
namespace {

using testing::FakeTableMemory;

constexpr Attributes kRw{.read = true, .write = true};
constexpr Attributes kRo{.read = true};
constexpr Attributes kRx{.read = true, .execute = true};
constexpr std::uint64_t k4K = kPageSize;
constexpr std::uint64_t k2M = kLargePageSize;
constexpr std::uint64_t k1G = kHugePageSize;

// Every engine behaviour is checked with both formats.
template <typename Format>
class PageTableTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(pt.init().ok()); }
    std::uint64_t size_at(std::uint64_t va) {
        auto t = pt.lookup(va);
        return t ? t->page_size : 0;
    }
    std::uint64_t pa_at(std::uint64_t va) {
        auto t = pt.lookup(va);
        return t ? t->pa.raw() : ~std::uint64_t{0};
    }

    FakeTableMemory mem;
    PageTable<Format, FakeTableMemory> pt{mem, false};
};

using Formats = ::testing::Types<HptFormat, EptFormat>;
class FormatNames {
  public:
    template <typename T>
    static std::string GetName(int) {
        return std::is_same_v<T, HptFormat> ? "Hpt" : "Ept";
    }
};
TYPED_TEST_SUITE(PageTableTest, Formats, FormatNames);

TYPED_TEST(PageTableTest, InitAllocatesOnlyTheRoot) {
    EXPECT_EQ(this->pt.table_pages(), 1u);
    EXPECT_FALSE(this->pt.lookup(0).has_value());
}

TYPED_TEST(PageTableTest, MapsSingleFourKilobytePage) {
    ASSERT_TRUE(this->pt.map(0x7000, HostPhys(0x123000), k4K, kRw).ok());
    auto t = this->pt.lookup(0x7abc);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->pa.raw(), 0x123abcu);
    EXPECT_EQ(t->page_size, k4K);
    EXPECT_EQ(t->attrs, kRw);
    EXPECT_EQ(this->pt.table_pages(), 4u);
}

TYPED_TEST(PageTableTest, UsesTwoMegabytePagesWhenAligned) {
    ASSERT_TRUE(this->pt.map(0x40000000, HostPhys(0x80000000), 2 * k2M, kRw).ok());
    EXPECT_EQ(this->size_at(0x40000000), k2M);
    EXPECT_EQ(this->pa_at(0x40200000 + 5), 0x80200005u);
    EXPECT_EQ(this->pt.table_pages(), 3u);
}

TYPED_TEST(PageTableTest, UsesGigabytePagesOnlyWhenAllowed) {
    ASSERT_TRUE(this->pt.map(k1G, HostPhys(k1G), k1G, kRw).ok());
    EXPECT_EQ(this->size_at(k1G), k2M);

    FakeTableMemory mem;
    PageTable<TypeParam, FakeTableMemory> huge(mem, true);
    ASSERT_TRUE(huge.init().ok());
    ASSERT_TRUE(huge.map(k1G, HostPhys(k1G), k1G, kRw).ok());
    EXPECT_EQ(huge.lookup(k1G)->page_size, k1G);
    EXPECT_EQ(huge.table_pages(), 2u);
}

TYPED_TEST(PageTableTest, MixesPageSizesForUnalignedRange) {
    const std::uint64_t va = k2M - k4K;
    ASSERT_TRUE(this->pt.map(va, HostPhys(va), 2 * k2M + 2 * k4K, kRw).ok());
    EXPECT_EQ(this->size_at(va), k4K);
    EXPECT_EQ(this->size_at(k2M), k2M);
    EXPECT_EQ(this->size_at(2 * k2M), k2M);
    EXPECT_EQ(this->size_at(3 * k2M), k4K);
    EXPECT_FALSE(this->pt.lookup(3 * k2M + k4K).has_value());
}

TYPED_TEST(PageTableTest, FallsBackToSmallPagesWhenPhysicalIsMisaligned) {
    ASSERT_TRUE(this->pt.map(k2M, HostPhys(0x301000), k2M, kRw).ok());
    EXPECT_EQ(this->size_at(k2M), k4K);
    EXPECT_EQ(this->pa_at(k2M + k2M - 1), 0x301000u + k2M - 1);
}

TYPED_TEST(PageTableTest, RefusesToOverwriteDifferentAddress) {
    ASSERT_TRUE(this->pt.map(0x5000, HostPhys(0x100000), k4K, kRw).ok());
    auto r = this->pt.map(0x4000, HostPhys(0x200000), 2 * k4K, kRw);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "page table: range already mapped");
    EXPECT_FALSE(this->pt.lookup(0x4000).has_value());  // nothing half-done
    EXPECT_EQ(this->pa_at(0x5000), 0x100000u);
}

TYPED_TEST(PageTableTest, RefusesToOverwriteDifferentAttributes) {
    ASSERT_TRUE(this->pt.map(0x5000, HostPhys(0x100000), k4K, kRw).ok());
    EXPECT_FALSE(this->pt.map(0x5000, HostPhys(0x100000), k4K, kRx).ok());
}

TYPED_TEST(PageTableTest, AllowsIdenticalRemap) {
    ASSERT_TRUE(this->pt.map(0x5000, HostPhys(0x100000), k4K, kRw).ok());
    EXPECT_TRUE(this->pt.map(0x4000, HostPhys(0xff000), 3 * k4K, kRw).ok());
    EXPECT_EQ(this->pa_at(0x6000), 0x101000u);
}

TYPED_TEST(PageTableTest, AllowsIdenticalRemapInsideLargePage) {
    ASSERT_TRUE(this->pt.map(k2M, HostPhys(4 * k2M), k2M, kRw).ok());
    EXPECT_TRUE(this->pt.map(k2M + 0x3000, HostPhys(4 * k2M + 0x3000), k4K, kRw).ok());
    EXPECT_FALSE(this->pt.map(k2M + 0x3000, HostPhys(4 * k2M), k4K, kRw).ok());
    EXPECT_EQ(this->size_at(k2M), k2M);
}

TYPED_TEST(PageTableTest, AllowsIdenticalRemapAsLargePageOverSmallPages) {
    ASSERT_TRUE(this->pt.map(k2M, HostPhys(0x301000), k4K, kRw).ok());
    ASSERT_TRUE(this->pt.map(k2M + k4K, HostPhys(0x302000), k2M - k4K, kRw).ok());
    EXPECT_TRUE(this->pt.map(k2M, HostPhys(0x301000), k2M, kRw).ok());
}

TYPED_TEST(PageTableTest, RejectsUnalignedArguments) {
    EXPECT_FALSE(this->pt.map(0x1001, HostPhys(0x1000), k4K, kRw).ok());
    EXPECT_FALSE(this->pt.map(0x1000, HostPhys(0x1001), k4K, kRw).ok());
    EXPECT_FALSE(this->pt.map(0x1000, HostPhys(0x1000), 100, kRw).ok());
    EXPECT_FALSE(this->pt.map(0x1000, HostPhys(0x1000), 0, kRw).ok());
}

TYPED_TEST(PageTableTest, RejectsRangeBeyondAddressSpace) {
    auto r = this->pt.map(0xfffffffff000, HostPhys(0x1000), 2 * k4K, kRw);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "page table: range outside address space");
    EXPECT_FALSE(this->pt.map(0xfffffffffffff000, HostPhys(0x1000), 2 * k4K, kRw).ok());
}

TYPED_TEST(PageTableTest, RejectsPhysicalAddressBeyondFiftyTwoBits) {
    EXPECT_FALSE(this->pt.map(0x1000, HostPhys(1ull << 52), k4K, kRw).ok());
}

TYPED_TEST(PageTableTest, UnmapRemovesRangeAndFreesTables) {
    ASSERT_TRUE(this->pt.map(0x1000, HostPhys(0x1000), 16 * k4K, kRw).ok());
    ASSERT_TRUE(this->pt.unmap(0x1000, 16 * k4K).ok());
    EXPECT_FALSE(this->pt.lookup(0x1000).has_value());
    EXPECT_EQ(this->pt.table_pages(), 1u);
    EXPECT_EQ(this->mem.live(), 1u);
}

TYPED_TEST(PageTableTest, UnmapKeepsTablesStillInUse) {
    ASSERT_TRUE(this->pt.map(0x1000, HostPhys(0x1000), 2 * k4K, kRw).ok());
    ASSERT_TRUE(this->pt.unmap(0x1000, k4K).ok());
    EXPECT_EQ(this->pa_at(0x2000), 0x2000u);
    EXPECT_EQ(this->pt.table_pages(), 4u);
}

TYPED_TEST(PageTableTest, UnmapOfUnmappedRangeIsHarmless) {
    EXPECT_TRUE(this->pt.unmap(k1G, k1G).ok());
    EXPECT_EQ(this->pt.table_pages(), 1u);
}

TYPED_TEST(PageTableTest, SplitsTwoMegabytePageOnPartialUnmap) {
    ASSERT_TRUE(this->pt.map(k2M, HostPhys(8 * k2M), k2M, kRw).ok());
    ASSERT_TRUE(this->pt.unmap(k2M + 0x10000, k4K).ok());
    EXPECT_FALSE(this->pt.lookup(k2M + 0x10000).has_value());
    EXPECT_EQ(this->size_at(k2M), k4K);
    EXPECT_EQ(this->pa_at(k2M + 0x11000), 8 * k2M + 0x11000);
    EXPECT_EQ(this->pa_at(k2M + k2M - 1), 8 * k2M + k2M - 1);
    EXPECT_EQ(this->pt.lookup(k2M)->attrs, kRw);
    EXPECT_EQ(this->pt.table_pages(), 4u);
}

TYPED_TEST(PageTableTest, SplitsGigabytePageTwiceOnPartialUnmap) {
    FakeTableMemory mem;
    PageTable<TypeParam, FakeTableMemory> pt(mem, true);
    ASSERT_TRUE(pt.init().ok());
    ASSERT_TRUE(pt.map(k1G, HostPhys(4 * k1G), k1G, kRx).ok());
    ASSERT_TRUE(pt.unmap(k1G + 3 * k2M + k4K, k4K).ok());
    EXPECT_EQ(pt.lookup(k1G)->page_size, k2M);
    EXPECT_EQ(pt.lookup(k1G + 3 * k2M)->page_size, k4K);
    EXPECT_FALSE(pt.lookup(k1G + 3 * k2M + k4K).has_value());
    EXPECT_EQ(pt.lookup(2 * k1G - 1)->pa.raw(), 5 * k1G - 1);
    EXPECT_EQ(pt.table_pages(), 4u);
}

TYPED_TEST(PageTableTest, UnmapOfWholeLargePageNeedsNoSplit) {
    ASSERT_TRUE(this->pt.map(k2M, HostPhys(k2M), 2 * k2M, kRw).ok());
    const int before = this->mem.allocations;
    ASSERT_TRUE(this->pt.unmap(k2M, k2M).ok());
    EXPECT_EQ(this->mem.allocations, before);
    EXPECT_EQ(this->size_at(2 * k2M), k2M);
}

TYPED_TEST(PageTableTest, LinksNewTablesOnlyAfterFillingThem) {
    ASSERT_TRUE(this->pt.map(0x7000, HostPhys(0x123000), k4K, kRw).ok());
    const auto& w = this->mem.writes;
    ASSERT_EQ(w.size(), 4u);  // PT entry, then PD, PDPT, PML4 links
    for (std::size_t i = 0; i < w.size(); ++i) {
        const std::uint64_t target = TypeParam::address(w[i].value, 1);
        if (!this->mem.is_table(target)) continue;
        for (std::size_t j = i + 1; j < w.size(); ++j) EXPECT_NE(w[j].table, target);
    }
    EXPECT_EQ(w.back().table, this->pt.root().raw());
}

TYPED_TEST(PageTableTest, SplitWritesAllEntriesBeforeLinking) {
    ASSERT_TRUE(this->pt.map(k2M, HostPhys(8 * k2M), k2M, kRw).ok());
    this->mem.writes.clear();
    ASSERT_TRUE(this->pt.unmap(k2M, k4K).ok());
    const auto& w = this->mem.writes;
    ASSERT_EQ(w.size(), 512u + 1u + 1u);  // fill, clear one, link
    EXPECT_EQ(w[512].value, 0u);
    EXPECT_TRUE(this->mem.is_table(TypeParam::address(w.back().value, 1)));
    for (std::size_t j = 0; j + 1 < w.size(); ++j) EXPECT_NE(w[j].table, w.back().table);
}

TYPED_TEST(PageTableTest, ProtectChangesAttributesInPlace) {
    ASSERT_TRUE(this->pt.map(0x1000, HostPhys(0x9000), 2 * k4K, kRw).ok());
    ASSERT_TRUE(this->pt.protect(0x1000, 2 * k4K, kRo).ok());
    EXPECT_EQ(this->pt.lookup(0x2000)->attrs, kRo);
    EXPECT_EQ(this->pa_at(0x2000), 0xa000u);
}

TYPED_TEST(PageTableTest, ProtectSplitsLargePage) {
    ASSERT_TRUE(this->pt.map(k2M, HostPhys(k2M), k2M, kRw).ok());
    ASSERT_TRUE(this->pt.protect(k2M + k4K, k4K, kRo).ok());
    EXPECT_EQ(this->pt.lookup(k2M + k4K)->attrs, kRo);
    EXPECT_EQ(this->pt.lookup(k2M)->attrs, kRw);
    EXPECT_EQ(this->size_at(k2M), k4K);
}

TYPED_TEST(PageTableTest, ProtectRefusesUnmappedRangeWithoutChanges) {
    ASSERT_TRUE(this->pt.map(0x1000, HostPhys(0x1000), k4K, kRw).ok());
    auto r = this->pt.protect(0x1000, 2 * k4K, kRo);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kNotFound);
    EXPECT_EQ(this->pt.lookup(0x1000)->attrs, kRw);
}

TYPED_TEST(PageTableTest, DestroyFreesEveryTable) {
    ASSERT_TRUE(this->pt.map(0x1000, HostPhys(0x1000), 3 * k2M, kRw).ok());
    ASSERT_TRUE(this->pt.map(0x7f0000000000, HostPhys(0x1000), k4K, kRw).ok());
    this->pt.destroy();
    EXPECT_EQ(this->mem.live(), 0u);
    EXPECT_EQ(this->pt.table_pages(), 0u);
    EXPECT_FALSE(this->pt.lookup(0x1000).has_value());
}

TYPED_TEST(PageTableTest, OutOfMemoryLeaksNoTable) {
    this->mem.fail_after = 2;  // root + one more: the second new table fails
    auto r = this->pt.map(0x1000, HostPhys(0x1000), k4K, kRw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kNoMemory);
    EXPECT_EQ(this->mem.live(), 1u);
    EXPECT_EQ(this->pt.table_pages(), 1u);
    EXPECT_FALSE(this->pt.lookup(0x1000).has_value());
}

TYPED_TEST(PageTableTest, SplitOutOfMemoryKeepsLargePage) {
    ASSERT_TRUE(this->pt.map(k2M, HostPhys(k2M), k2M, kRw).ok());
    this->mem.fail_after = this->mem.allocations;
    EXPECT_FALSE(this->pt.unmap(k2M, k4K).ok());
    EXPECT_EQ(this->size_at(k2M), k2M);
}

TYPED_TEST(PageTableTest, RefusesAttributesWithNoAccess) {
    auto r = this->pt.map(0x1000, HostPhys(0x1000), k4K, Attributes{.read = false});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kUnsupported);
}

TEST(PageTable, HostTablesMapHigherHalfCanonicalAddresses) {
    FakeTableMemory mem;
    PageTable<HptFormat, FakeTableMemory> pt(mem, false);
    ASSERT_TRUE(pt.init().ok());
    ASSERT_TRUE(pt.map(0xffffffff80000000, HostPhys(0x100000), k2M, kRx).ok());
    EXPECT_EQ(pt.lookup(0xffffffff80001234)->pa.raw(), 0x101234u);
    EXPECT_FALSE(pt.lookup(0x0000ffff80001234).has_value());
}

TEST(PageTable, HostTablesRejectNonCanonicalAddresses) {
    FakeTableMemory mem;
    PageTable<HptFormat, FakeTableMemory> pt(mem, false);
    ASSERT_TRUE(pt.init().ok());
    EXPECT_FALSE(pt.map(0x0000800000000000, HostPhys(0x1000), k4K, kRw).ok());
    EXPECT_FALSE(pt.map(0x00007ffffffff000, HostPhys(0x1000), 2 * k4K, kRw).ok());
}

TEST(PageTable, EptRejectsAddressesAboveFortyEightBits) {
    FakeTableMemory mem;
    PageTable<EptFormat, FakeTableMemory> pt(mem, false);
    ASSERT_TRUE(pt.init().ok());
    EXPECT_FALSE(pt.map(0xffffffff80000000, HostPhys(0x1000), k4K, kRw).ok());
    EXPECT_TRUE(pt.map(0x0000fffffffff000, HostPhys(0x1000), k4K, kRw).ok());
}

TEST(PageTable, EptAcceptsExecuteOnly) {
    FakeTableMemory mem;
    PageTable<EptFormat, FakeTableMemory> pt(mem, false);
    ASSERT_TRUE(pt.init().ok());
    const Attributes x{.read = false, .execute = true};
    ASSERT_TRUE(pt.map(0x1000, HostPhys(0x1000), k4K, x).ok());
    EXPECT_EQ(pt.lookup(0x1000)->attrs, x);
}

TEST(PageTable, DestructorFreesTables) {
    FakeTableMemory mem;
    {
        PageTable<HptFormat, FakeTableMemory> pt(mem, false);
        ASSERT_TRUE(pt.init().ok());
        ASSERT_TRUE(pt.map(0x1000, HostPhys(0x1000), k4K, kRw).ok());
    }
    EXPECT_EQ(mem.live(), 0u);
}

}  // namespace
}  // namespace hv::paging
