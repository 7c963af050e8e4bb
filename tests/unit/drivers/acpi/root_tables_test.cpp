#include "drivers/acpi/root_tables.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/acpi/acpi_builder.hpp"

namespace hv::acpi {
namespace {

using test::as_bytes;
using test::Builder;
using test::FakeMemory;
using test::make_table;

// Where QEMU/SeaBIOS puts its tables at the top of a 2 GiB guest.
constexpr std::uint64_t kRsdt = 0x7ffe2000;
constexpr std::uint64_t kXsdt = 0x7ffe2100;
constexpr std::uint64_t kFacp = 0x7ffe1000;
constexpr std::uint64_t kApic = 0x7ffe1200;
constexpr std::uint64_t kSsdt0 = 0x7ffe1400;
constexpr std::uint64_t kSsdt1 = 0x7ffe1600;

std::vector<std::byte> rsdt(std::initializer_list<std::uint32_t> entries) {
    Builder b;
    for (auto e : entries) b.u32(e);
    return make_table("RSDT", 1, b);
}

std::vector<std::byte> xsdt(std::initializer_list<std::uint64_t> entries) {
    Builder b;
    for (auto e : entries) b.u64(e);
    return make_table("XSDT", 1, b);
}

Rsdp rsdp(std::uint8_t revision, std::uint32_t rsdt_phys, std::uint64_t xsdt_phys) {
    return Rsdp{revision, {'B', 'O', 'C', 'H', 'S', ' '}, rsdt_phys, xsdt_phys, 36};
}

// FACP, APIC and two SSDTs, listed by both an RSDT and an XSDT.
FakeMemory machine() {
    FakeMemory mem;
    mem.place(kFacp, make_table("FACP", 3, Builder().zeros(208)));
    mem.place(kApic, make_table("APIC", 1, Builder().u32(0xfee00000).u32(1)));
    mem.place(kSsdt0, make_table("SSDT", 1, Builder().u8(0x10).u8(0x05)));
    mem.place(kSsdt1, make_table("SSDT", 1, Builder().u8(0x10).u8(0x09).u8(0x5c)));
    mem.place(kRsdt, rsdt({kFacp, kApic, kSsdt0, kSsdt1}));
    mem.place(kXsdt, xsdt({kFacp, kApic, kSsdt0, kSsdt1}));
    return mem;
}

TEST(RootTables, ListsEveryTableOfTheXsdt) {
    FakeMemory mem = machine();
    auto r = walk_root_tables(mem, rsdp(2, kRsdt, kXsdt));
    ASSERT_TRUE(r.ok()) << r.error().what;
    const RootTables& roots = r.value();
    EXPECT_EQ(roots.root_signature, Signature("XSDT"));
    EXPECT_EQ(roots.root_phys, kXsdt);
    ASSERT_EQ(roots.tables.size(), 4u);
    EXPECT_EQ(roots.tables[0].signature, Signature("FACP"));
    EXPECT_EQ(roots.tables[0].phys, kFacp);
    EXPECT_EQ(roots.tables[0].length, 244u);
    EXPECT_EQ(roots.tables[1].signature, Signature("APIC"));
    EXPECT_EQ(roots.tables[3].phys, kSsdt1);
    EXPECT_TRUE(roots.skipped.empty());
}

TEST(RootTables, UsesRsdtForRevisionZero) {
    FakeMemory mem = machine();
    auto r = walk_root_tables(mem, rsdp(0, kRsdt, 0));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().root_signature, Signature("RSDT"));
    EXPECT_EQ(r.value().tables.size(), 4u);
}

TEST(RootTables, UsesRsdtWhenXsdtAddressIsZero) {
    FakeMemory mem = machine();
    auto r = walk_root_tables(mem, rsdp(2, kRsdt, 0));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().root_signature, Signature("RSDT"));
}

TEST(RootTables, FallsBackToRsdtWhenXsdtChecksumFails) {
    FakeMemory mem = machine();
    auto bad = xsdt({kFacp});
    bad[36] = std::byte{0x01};
    mem.place(kXsdt, bad);
    auto r = walk_root_tables(mem, rsdp(2, kRsdt, kXsdt));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().root_signature, Signature("RSDT"));
    EXPECT_EQ(r.value().tables.size(), 4u);
    ASSERT_EQ(r.value().skipped.size(), 1u);
    EXPECT_EQ(r.value().skipped[0].signature, Signature("XSDT"));
    EXPECT_STREQ(r.value().skipped[0].reason, "XSDT checksum mismatch");
}

TEST(RootTables, FailsWhenRsdtPointsAtUnreadableMemory) {
    FakeMemory mem = machine();
    auto r = walk_root_tables(mem, rsdp(0, 0xdead0000, 0));
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "RSDT at unreadable memory");
}

TEST(RootTables, FailsWhenRootLengthRunsPastReadableMemory) {
    FakeMemory mem;
    auto root = rsdt({kFacp, kApic});
    root.resize(40);  // the length field still says 44
    mem.place(kRsdt, root);
    auto r = walk_root_tables(mem, rsdp(0, kRsdt, 0));
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "RSDT length past readable memory");
}

TEST(RootTables, FailsWhenRootHasTheWrongSignature) {
    FakeMemory mem;
    mem.place(kRsdt, make_table("XSDT", 1, Builder().u32(kFacp)));
    auto r = walk_root_tables(mem, rsdp(0, kRsdt, 0));
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "RSDT signature is not RSDT");
}

TEST(RootTables, FailsWhenRsdpNamesNoRoot) {
    FakeMemory mem;
    EXPECT_FALSE(walk_root_tables(mem, rsdp(2, 0, 0)).ok());
}

TEST(RootTables, SkipsTableWithBadChecksumAndSaysWhy) {
    FakeMemory mem = machine();
    auto apic = make_table("APIC", 1, Builder().u32(0xfee00000).u32(1));
    apic[40] = std::byte{0};
    mem.place(kApic, apic);
    auto r = walk_root_tables(mem, rsdp(2, kRsdt, kXsdt));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().tables.size(), 3u);
    ASSERT_EQ(r.value().skipped.size(), 1u);
    EXPECT_EQ(r.value().skipped[0].signature, Signature("APIC"));
    EXPECT_EQ(r.value().skipped[0].phys, kApic);
    EXPECT_STREQ(r.value().skipped[0].reason, "checksum mismatch");
}

TEST(RootTables, SkipsEntryAtUnreadableMemory) {
    FakeMemory mem = machine();
    mem.place(kRsdt, rsdt({kFacp, 0xfee00000, kApic}));
    auto r = walk_root_tables(mem, rsdp(0, kRsdt, 0));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().tables.size(), 2u);
    ASSERT_EQ(r.value().skipped.size(), 1u);
    EXPECT_EQ(r.value().skipped[0].signature, Signature("????"));
    EXPECT_EQ(r.value().skipped[0].phys, 0xfee00000u);
    EXPECT_STREQ(r.value().skipped[0].reason, "header at unreadable memory");
}

TEST(RootTables, SkipsTableWhoseLengthRunsPastReadableMemory) {
    FakeMemory mem = machine();
    auto ssdt = make_table("SSDT", 1, Builder().zeros(16));
    ssdt.resize(40);
    mem.place(kSsdt0, ssdt);
    auto r = walk_root_tables(mem, rsdp(0, kRsdt, 0));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.value().skipped.size(), 1u);
    EXPECT_STREQ(r.value().skipped[0].reason, "table length past readable memory");
}

TEST(RootTables, SkipsNullEntries) {
    FakeMemory mem = machine();
    mem.place(kXsdt, xsdt({kFacp, 0, kApic}));
    auto r = walk_root_tables(mem, rsdp(2, kRsdt, kXsdt));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().tables.size(), 2u);
    ASSERT_EQ(r.value().skipped.size(), 1u);
    EXPECT_STREQ(r.value().skipped[0].reason, "null entry in root table");
}

TEST(RootTables, IgnoresTrailingBytesShortOfAnEntry) {
    FakeMemory mem = machine();
    mem.place(kRsdt, make_table("RSDT", 1, Builder().u32(kFacp).u16(0x1234)));
    auto r = walk_root_tables(mem, rsdp(0, kRsdt, 0));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().tables.size(), 1u);
    EXPECT_TRUE(r.value().skipped.empty());
}

TEST(RootTables, FindReturnsTheWholeValidatedTable) {
    FakeMemory mem = machine();
    auto roots = walk_root_tables(mem, rsdp(2, kRsdt, kXsdt));
    ASSERT_TRUE(roots.ok());
    auto t = find_table(mem, roots.value(), "APIC");
    ASSERT_TRUE(t.ok()) << t.error().what;
    EXPECT_EQ(t.value().size(), 44u);
    EXPECT_TRUE(bytes_equal(t.value(), 0, "APIC", 4));
}

TEST(RootTables, FindSelectsTheRequestedInstance) {
    FakeMemory mem = machine();
    auto roots = walk_root_tables(mem, rsdp(2, kRsdt, kXsdt));
    ASSERT_TRUE(roots.ok());
    auto second = find_table(mem, roots.value(), "SSDT", 1);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second.value().size(), 39u);
    auto third = find_table(mem, roots.value(), "SSDT", 2);
    ASSERT_FALSE(third.ok());
    EXPECT_EQ(third.error().code, Errc::kNotFound);
}

TEST(RootTables, FindRevalidatesTheTable) {
    FakeMemory mem = machine();
    auto roots = walk_root_tables(mem, rsdp(2, kRsdt, kXsdt));
    ASSERT_TRUE(roots.ok());
    auto apic = make_table("APIC", 1, Builder().u32(0xfee00000).u32(1));
    apic[40] = std::byte{0};
    mem.place(kApic, apic);
    auto t = find_table(mem, roots.value(), "APIC");
    ASSERT_FALSE(t.ok());
    EXPECT_STREQ(t.error().what, "ACPI table checksum mismatch");
}

TEST(RootTables, ReadTableReadsATableNotListedInTheRoot) {
    FakeMemory mem = machine();
    mem.place(0x7ffe0040, make_table("DSDT", 1, Builder().u8(0x5b).u8(0x80)));
    auto t = read_table(mem, 0x7ffe0040);
    ASSERT_TRUE(t.ok()) << t.error().what;
    EXPECT_EQ(t.value().size(), 38u);
}

TEST(RootTables, ReadTableRejectsUnreadableAddress) {
    FakeMemory mem = machine();
    auto t = read_table(mem, 0x1000);
    ASSERT_FALSE(t.ok());
    EXPECT_STREQ(t.error().what, "ACPI table at unreadable memory");
}

}  // namespace
}  // namespace hv::acpi
