#include "arch/x86/iommu/amdvi/coverage.hpp"

#include <gtest/gtest.h>

namespace hv::amdvi {
namespace {

using acpi::Ivhd;
using acpi::IvhdEntry;
using acpi::IvhdEntryKind;

IvhdEntry entry(IvhdEntryKind kind, std::uint16_t first, std::uint16_t last,
                std::uint16_t alias = 0) {
    IvhdEntry e{};
    e.kind = kind;
    e.first = first;
    e.last = last;
    e.alias = alias;
    return e;
}

// As QEMU describes its amd-iommu at 00:03.0 on segment 0.
Ivhd unit(std::uint16_t segment = 0) {
    Ivhd h{};
    h.type = acpi::IvrsBlockType::kIvhdEfr;
    h.device_id = 0x0018;
    h.segment = segment;
    return h;
}

TEST(AmdViCoverage, AllEntryCoversEveryFunctionOfTheSegment) {
    Ivhd h = unit();
    ASSERT_TRUE(h.entries.push(entry(IvhdEntryKind::kAll, 0, 0xffff)));
    EXPECT_TRUE(covers(h, pci::Bdf(0, 0, 4, 0)));
    EXPECT_TRUE(covers(h, pci::Bdf(0, 0xff, 31, 7)));
    EXPECT_EQ(*requester_id(h, pci::Bdf(0, 1, 0, 0)), 0x0100u);
}

TEST(AmdViCoverage, OtherSegmentIsNotCovered) {
    Ivhd h = unit(0);
    ASSERT_TRUE(h.entries.push(entry(IvhdEntryKind::kAll, 0, 0xffff)));
    EXPECT_FALSE(covers(h, pci::Bdf(1, 0, 4, 0)));
}

TEST(AmdViCoverage, TheIommuItselfIsNeverCovered) {
    Ivhd h = unit();
    ASSERT_TRUE(h.entries.push(entry(IvhdEntryKind::kAll, 0, 0xffff)));
    EXPECT_FALSE(covers(h, pci::Bdf(0, 0, 3, 0)));
    EXPECT_TRUE(covers(h, pci::Bdf(0, 0, 3, 1)));
}

TEST(AmdViCoverage, SelectAndRangeCoverOnlyTheirIds) {
    Ivhd h = unit();
    ASSERT_TRUE(h.entries.push(entry(IvhdEntryKind::kSelect, 0x0020, 0x0020)));
    ASSERT_TRUE(h.entries.push(entry(IvhdEntryKind::kRange, 0x0100, 0x01ff)));
    EXPECT_TRUE(covers(h, pci::Bdf(0, 0, 4, 0)));
    EXPECT_FALSE(covers(h, pci::Bdf(0, 0, 4, 1)));
    EXPECT_TRUE(covers(h, pci::Bdf(0, 1, 0, 0)));
    EXPECT_TRUE(covers(h, pci::Bdf(0, 1, 31, 7)));
    EXPECT_FALSE(covers(h, pci::Bdf(0, 2, 0, 0)));
}

TEST(AmdViCoverage, AliasedDevicesUseTheAliasEntry) {
    Ivhd h = unit();
    // A PCIe-to-PCI bridge at 00:1e.0 owning bus 5's requests.
    ASSERT_TRUE(h.entries.push(entry(IvhdEntryKind::kAliasRange, 0x0500, 0x05ff, 0x00f0)));
    EXPECT_EQ(*requester_id(h, pci::Bdf(0, 5, 2, 0)), 0x00f0u);
}

TEST(AmdViCoverage, LaterEntryWins) {
    Ivhd h = unit();
    ASSERT_TRUE(h.entries.push(entry(IvhdEntryKind::kAll, 0, 0xffff)));
    ASSERT_TRUE(h.entries.push(entry(IvhdEntryKind::kAliasSelect, 0x0500, 0x0500, 0x00f0)));
    EXPECT_EQ(*requester_id(h, pci::Bdf(0, 5, 0, 0)), 0x00f0u);
    EXPECT_EQ(*requester_id(h, pci::Bdf(0, 5, 0, 1)), 0x0501u);
}

TEST(AmdViCoverage, NoEntriesCoverNothing) { EXPECT_FALSE(covers(unit(), pci::Bdf(0, 0, 4, 0))); }

}  // namespace
}  // namespace hv::amdvi
