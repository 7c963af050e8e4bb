// The page-table engine (arch/x86/paging/page_table.hpp) building IOMMU tables: VT-d second-level
// and AMD-Vi I/O page tables, checked word by word against entries worked out from the specs.
#include <gtest/gtest.h>

#include <cstdint>

#include "arch/x86/iommu/amdvi/page_table_format.hpp"
#include "arch/x86/iommu/vtd/page_table_format.hpp"
#include "arch/x86/iommu/vtd/regs.hpp"
#include "arch/x86/paging/page_table.hpp"
#include "tests/unit/arch/x86/paging/fake_table_memory.hpp"

namespace hv::iommu {
namespace {

using paging::Attributes;
using paging::MaxPage;
using paging::PageTable;
using paging::testing::FakeTableMemory;

constexpr Attributes kRw{.read = true, .write = true};
constexpr std::uint64_t k4K = kPageSize;
constexpr std::uint64_t k2M = kLargePageSize;
constexpr std::uint64_t k1G = kHugePageSize;

// FakeTableMemory hands out tables at kTableBase + n * 4 KiB in allocation order: the root,
// then depth-first as map() walks.
constexpr std::uint64_t table_at(unsigned n) { return FakeTableMemory::kTableBase + n * k4K; }

// 2 GiB + 4 MiB + 12 KiB at I/O virtual address 1 GiB, identity-mapped: two 1 GiB pages (or
// 1024 2 MiB pages), two 2 MiB pages, and three 4 KiB pages for the unaligned tail.
constexpr std::uint64_t kBase = k1G;
constexpr std::uint64_t kSize = 2 * k1G + 2 * k2M + 3 * k4K;

TEST(IommuPageTable, VtdBuildsGigabyteMappingWithFourTables) {
    FakeTableMemory mem;
    PageTable<vtd::SlFormat4, FakeTableMemory> pt(mem, MaxPage::k1G);
    ASSERT_TRUE(pt.init().ok());
    ASSERT_TRUE(pt.map(kBase, HostPhys(kBase), kSize, kRw).ok());
    EXPECT_EQ(pt.table_pages(), 4u);  // SL-PML4, SL-PDPT, SL-PD, SL-PT
    const auto* pml4 = mem.table(HostPhys(table_at(0)));
    const auto* pdpt = mem.table(HostPhys(table_at(1)));
    const auto* pd = mem.table(HostPhys(table_at(2)));
    const auto* ptab = mem.table(HostPhys(table_at(3)));
    // Table entries: address | W | R. 1 GiB / 2 MiB leaves: address | PS | W | R.
    EXPECT_EQ(pml4[0], 0x80'0000'1003u);
    EXPECT_EQ(pml4[1], 0u);
    EXPECT_EQ(pdpt[0], 0u);
    EXPECT_EQ(pdpt[1], 0x4000'0083u);
    EXPECT_EQ(pdpt[2], 0x8000'0083u);
    EXPECT_EQ(pdpt[3], 0x80'0000'2003u);
    EXPECT_EQ(pd[0], 0xC000'0083u);
    EXPECT_EQ(pd[1], 0xC020'0083u);
    EXPECT_EQ(pd[2], 0x80'0000'3003u);
    EXPECT_EQ(ptab[0], 0xC040'0003u);
    EXPECT_EQ(ptab[2], 0xC040'2003u);
    EXPECT_EQ(ptab[3], 0u);
    EXPECT_EQ(pt.lookup(kBase + 0x1234)->page_size, k1G);
    EXPECT_EQ(pt.lookup(kBase + 0x1234)->pa.raw(), kBase + 0x1234);
}

TEST(IommuPageTable, AmdViBuildsGigabyteMappingWithFourTables) {
    FakeTableMemory mem;
    PageTable<amdvi::IoPageTableFormat, FakeTableMemory> pt(mem, MaxPage::k1G);
    ASSERT_TRUE(pt.init().ok());
    ASSERT_TRUE(pt.map(kBase, HostPhys(kBase), kSize, kRw).ok());
    EXPECT_EQ(pt.table_pages(), 4u);
    const auto* l4 = mem.table(HostPhys(table_at(0)));
    const auto* l3 = mem.table(HostPhys(table_at(1)));
    const auto* l2 = mem.table(HostPhys(table_at(2)));
    const auto* l1 = mem.table(HostPhys(table_at(3)));
    // PDEs: IW | IR | address | Next Level (11:9) | PR. PTEs: IW | IR | FC | address | PR.
    EXPECT_EQ(l4[0], 0x6000'0080'0000'1601ull);  // Next Level 3
    EXPECT_EQ(l3[1], 0x7000'0000'4000'0001ull);  // 1 GiB: Next Level 0 at level 3
    EXPECT_EQ(l3[2], 0x7000'0000'8000'0001ull);
    EXPECT_EQ(l3[3], 0x6000'0080'0000'2401ull);  // Next Level 2
    EXPECT_EQ(l2[0], 0x7000'0000'C000'0001ull);  // 2 MiB: Next Level 0 at level 2
    EXPECT_EQ(l2[1], 0x7000'0000'C020'0001ull);
    EXPECT_EQ(l2[2], 0x6000'0080'0000'3201ull);  // Next Level 1
    EXPECT_EQ(l1[0], 0x7000'0000'C040'0001ull);
    EXPECT_EQ(l1[2], 0x7000'0000'C040'2001ull);
    EXPECT_EQ(l1[3], 0u);
    EXPECT_EQ(pt.lookup(kBase + kSize - 1)->page_size, k4K);
}

TEST(IommuPageTable, VtdWithoutGigabyteSllpsFallsBackToTwoMegabytePages) {
    // CAP.SLLPS = 0001b: 2 MiB leaves only.
    const vtd::Capability cap(1ull << 34);
    FakeTableMemory mem;
    PageTable<vtd::SlFormat4, FakeTableMemory> pt(mem, cap.max_page());
    ASSERT_TRUE(pt.init().ok());
    ASSERT_TRUE(pt.map(kBase, HostPhys(kBase), kSize, kRw).ok());
    // SL-PML4, SL-PDPT, one SL-PD per GiB (3), one SL-PT for the tail.
    EXPECT_EQ(pt.table_pages(), 6u);
    const auto* pdpt = mem.table(HostPhys(table_at(1)));
    EXPECT_EQ(pdpt[1], 0x80'0000'2003u);
    EXPECT_EQ(pdpt[2], 0x80'0000'3003u);
    EXPECT_EQ(pdpt[3], 0x80'0000'4003u);
    const auto* first_pd = mem.table(HostPhys(table_at(2)));
    EXPECT_EQ(first_pd[0], 0x4000'0083u);
    EXPECT_EQ(first_pd[511], 0x7FE0'0083u);
    EXPECT_EQ(pt.lookup(kBase)->page_size, k2M);
}

TEST(IommuPageTable, AmdViWithoutGigabytePagesUsesTwoMegabyteLeaves) {
    FakeTableMemory mem;
    PageTable<amdvi::IoPageTableFormat, FakeTableMemory> pt(mem, false);
    ASSERT_TRUE(pt.init().ok());
    ASSERT_TRUE(pt.map(kBase, HostPhys(kBase), kSize, kRw).ok());
    EXPECT_EQ(pt.table_pages(), 6u);
    const auto* l3 = mem.table(HostPhys(table_at(1)));
    EXPECT_EQ(l3[1], 0x6000'0080'0000'2401ull);
    EXPECT_EQ(mem.table(HostPhys(table_at(2)))[511], 0x7000'0000'7FE0'0001ull);
}

TEST(IommuPageTable, VtdWithoutSllpsUsesOnlyFourKilobytePages) {
    const vtd::Capability cap(0);
    FakeTableMemory mem;
    PageTable<vtd::SlFormat4, FakeTableMemory> pt(mem, cap.max_page());
    ASSERT_TRUE(pt.init().ok());
    ASSERT_TRUE(pt.map(k2M, HostPhys(k2M), 2 * k2M, kRw).ok());
    EXPECT_EQ(pt.table_pages(), 5u);  // SL-PML4, SL-PDPT, SL-PD, two SL-PTs
    EXPECT_EQ(pt.lookup(k2M)->page_size, k4K);
    EXPECT_EQ(mem.table(HostPhys(table_at(2)))[1], 0x80'0000'3003u);
}

TEST(IommuPageTable, VtdThreeLevelTableTopsOutAt39Bits) {
    FakeTableMemory mem;
    PageTable<vtd::SlFormat3, FakeTableMemory> pt(mem, MaxPage::k1G);
    ASSERT_TRUE(pt.init().ok());
    ASSERT_TRUE(pt.map(0, HostPhys(0), k1G, kRw).ok());
    EXPECT_EQ(pt.table_pages(), 1u);  // the SL-PDPT root holds the 1 GiB leaf
    EXPECT_EQ(mem.table(HostPhys(table_at(0)))[0], 0x83u);
    EXPECT_FALSE(pt.map(1ull << 39, HostPhys(0), k4K, kRw).ok());
    EXPECT_TRUE(pt.map((1ull << 39) - k4K, HostPhys(0x5000), k4K, kRw).ok());
}

TEST(IommuPageTable, VtdSnoopFormatMarksEveryLeaf) {
    FakeTableMemory mem;
    PageTable<vtd::SlFormat4Snoop, FakeTableMemory> pt(mem, MaxPage::k1G);
    ASSERT_TRUE(pt.init().ok());
    ASSERT_TRUE(pt.map(kBase, HostPhys(kBase), kSize, kRw).ok());
    EXPECT_EQ(mem.table(HostPhys(table_at(0)))[0], 0x80'0000'1003u);  // tables: no SNP
    EXPECT_EQ(mem.table(HostPhys(table_at(1)))[1], 0x4000'0883u);
    EXPECT_EQ(mem.table(HostPhys(table_at(3)))[0], 0xC040'0803u);
}

TEST(IommuPageTable, AmdViSplitKeepsNextLevelEncoding) {
    FakeTableMemory mem;
    PageTable<amdvi::IoPageTableFormat, FakeTableMemory> pt(mem, MaxPage::k1G);
    ASSERT_TRUE(pt.init().ok());
    ASSERT_TRUE(pt.map(kBase, HostPhys(kBase), k1G, kRw).ok());
    ASSERT_EQ(pt.table_pages(), 2u);
    // Unmapping one 2 MiB piece turns the 1 GiB leaf into a level-2 table of 2 MiB leaves.
    ASSERT_TRUE(pt.unmap(kBase + k2M, k2M).ok());
    EXPECT_EQ(pt.table_pages(), 3u);
    const auto* l3 = mem.table(HostPhys(table_at(1)));
    EXPECT_EQ(l3[1], 0x6000'0080'0000'2401ull);
    const auto* l2 = mem.table(HostPhys(table_at(2)));
    EXPECT_EQ(l2[0], 0x7000'0000'4000'0001ull);
    EXPECT_EQ(l2[1], 0u);
    EXPECT_EQ(l2[2], 0x7000'0000'4040'0001ull);
    EXPECT_FALSE(pt.lookup(kBase + k2M).has_value());
}

TEST(IommuPageTable, AmdViProtectMakesLeavesReadOnly) {
    FakeTableMemory mem;
    PageTable<amdvi::IoPageTableFormat, FakeTableMemory> pt(mem, MaxPage::k1G);
    ASSERT_TRUE(pt.init().ok());
    ASSERT_TRUE(pt.map(0x10000, HostPhys(0x20000), 2 * k4K, kRw).ok());
    ASSERT_TRUE(pt.protect(0x10000, k4K, {.read = true}).ok());
    const auto* l1 = mem.table(HostPhys(table_at(3)));
    EXPECT_EQ(l1[0x10], 0x3000'0000'0002'0001ull);  // IW gone, FC kept
    EXPECT_EQ(l1[0x11], 0x7000'0000'0002'1001ull);
}

TEST(IommuPageTable, UnmapEverythingLeavesOnlyTheRoot) {
    FakeTableMemory mem;
    PageTable<amdvi::IoPageTableFormat, FakeTableMemory> amd(mem, MaxPage::k1G);
    ASSERT_TRUE(amd.init().ok());
    ASSERT_TRUE(amd.map(kBase, HostPhys(kBase), kSize, kRw).ok());
    ASSERT_TRUE(amd.unmap(kBase, kSize).ok());
    EXPECT_EQ(amd.table_pages(), 1u);

    FakeTableMemory mem2;
    PageTable<vtd::SlFormat4, FakeTableMemory> vtd(mem2, MaxPage::k1G);
    ASSERT_TRUE(vtd.init().ok());
    ASSERT_TRUE(vtd.map(kBase, HostPhys(kBase), kSize, kRw).ok());
    ASSERT_TRUE(vtd.unmap(kBase, kSize).ok());
    EXPECT_EQ(vtd.table_pages(), 1u);
}

TEST(IommuPageTable, IdenticalRemapIsAcceptedAndConflictRefused) {
    FakeTableMemory mem;
    PageTable<vtd::SlFormat4, FakeTableMemory> pt(mem, MaxPage::k1G);
    ASSERT_TRUE(pt.init().ok());
    ASSERT_TRUE(pt.map(kBase, HostPhys(kBase), k1G, kRw).ok());
    EXPECT_TRUE(pt.map(kBase + k2M, HostPhys(kBase + k2M), k2M, kRw).ok());
    EXPECT_FALSE(pt.map(kBase, HostPhys(0), k4K, kRw).ok());
    EXPECT_FALSE(pt.map(kBase, HostPhys(kBase), k4K, {.read = true}).ok());
}

}  // namespace
}  // namespace hv::iommu
