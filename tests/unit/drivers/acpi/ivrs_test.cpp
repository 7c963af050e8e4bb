#include "drivers/acpi/ivrs.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/acpi/acpi_builder.hpp"

namespace hv::acpi {
namespace {

using test::as_bytes;
using test::Builder;
using test::make_table;

// AMD IOMMU spec 3.x sec 5.2.2.2 device entries.
Builder& all(Builder& b, std::uint8_t data) { return b.u8(1).u16(0).u8(data); }
Builder& select(Builder& b, std::uint16_t devid, std::uint8_t data) {
    return b.u8(2).u16(devid).u8(data);
}
Builder& range(Builder& b, std::uint16_t first, std::uint16_t last, std::uint8_t data) {
    return b.u8(3).u16(first).u8(data).u8(4).u16(last).u8(0);
}
Builder& special(Builder& b, std::uint8_t handle, std::uint16_t devid, std::uint8_t variety,
                 std::uint8_t data) {
    return b.u8(72).u16(0).u8(data).u8(handle).u16(devid).u8(variety);
}

constexpr std::uint16_t kIommuDevid = 0x0008;  // 00:01.0
constexpr std::uint64_t kIommuBase = 0xfeb80000;
constexpr std::uint64_t kEfr = 0x0000'0246'577e'fa2aull;

// Sec 5.2.2.1: an IVHD block of `type` with the fields QEMU's amd-iommu writes.
Builder ivhd(std::uint8_t type, const Builder& entries, std::uint16_t devid = kIommuDevid,
             std::uint64_t base = kIommuBase, std::uint16_t segment = 0) {
    const bool efr = type != 0x10;
    Builder b;
    b.u8(type).u8(0xd1).u16((efr ? 40 : 24) + entries.size()).u16(devid).u16(0x40).u64(base);
    b.u16(segment).u16(0).u32(efr ? 0 : 0x30000000);
    if (efr) b.u64(kEfr).u64(0);
    return b.append(entries);
}

// Sec 5.2.3: an IVMD block.
Builder ivmd(std::uint8_t type, std::uint8_t flags, std::uint16_t devid, std::uint16_t aux,
             std::uint64_t start, std::uint64_t length) {
    Builder b;
    b.u8(type).u8(flags).u16(32).u16(devid).u16(aux).u16(0).zeros(6).u64(start).u64(length);
    return b;
}

// Sec 5.2.1: IVinfo (EFRSup, 40-bit PA, 48-bit VA), 8 reserved bytes, then blocks.
std::vector<std::byte> ivrs(const Builder& blocks, std::uint32_t ivinfo = 1 | 40 << 8 | 48 << 15) {
    Builder b;
    b.u32(ivinfo).zeros(8).append(blocks);
    return make_table("IVRS", 2, b);
}

// QEMU -device amd-iommu: the same IOMMU as type 10h and 11h, each with a select-all entry and the
// I/O APIC (ID 0) as special device 00:14.0.
Builder qemu_entries() {
    Builder e;
    all(e, 0);
    special(e, 0, 0x00a0, 1, 0xd7);
    return e;
}
std::vector<std::byte> qemu_ivrs() {
    Builder blocks;
    blocks.append(ivhd(0x10, qemu_entries())).append(ivhd(0x11, qemu_entries()));
    return ivrs(blocks);
}

Ivrs parse_ok(const std::vector<std::byte>& raw) {
    auto r = parse_ivrs(as_bytes(raw));
    EXPECT_TRUE(r.ok()) << r.error().what;
    return r.ok() ? r.value() : Ivrs{};
}

TEST(Ivrs, ReadsIvinfoFields) {
    Ivrs i = parse_ok(qemu_ivrs());
    EXPECT_TRUE(i.efr_supported());
    EXPECT_FALSE(i.dma_remap());
    EXPECT_EQ(i.physical_address_bits(), 40);
    EXPECT_EQ(i.virtual_address_bits(), 48);
}

TEST(Ivrs, ExposesBothQemuDescriptionsOfTheIommu) {
    Ivrs i = parse_ok(qemu_ivrs());
    ASSERT_EQ(i.ivhds.size(), 2u);
    EXPECT_EQ(i.ivhds[0].type, IvrsBlockType::kIvhdLegacy);
    EXPECT_EQ(i.ivhds[1].type, IvrsBlockType::kIvhdEfr);
    for (const Ivhd& h : i.ivhds) {
        EXPECT_EQ(h.device_id, kIommuDevid);
        EXPECT_EQ(h.base, kIommuBase);
        EXPECT_EQ(h.capability_offset, 0x40);
        EXPECT_EQ(h.segment, 0);
        EXPECT_EQ(h.flags, 0xd1);
    }
}

TEST(Ivrs, ReadsEfrImageOnlyFromType11h) {
    Ivrs i = parse_ok(qemu_ivrs());
    EXPECT_EQ(i.ivhds[0].efr, 0u);
    EXPECT_EQ(i.ivhds[0].feature_reporting, 0x30000000u);
    EXPECT_EQ(i.ivhds[1].efr, kEfr);
}

TEST(Ivrs, SelectAllCoversEveryDeviceId) {
    Ivrs i = parse_ok(qemu_ivrs());
    ASSERT_EQ(i.ivhds[0].entries.size(), 2u);
    const IvhdEntry& e = i.ivhds[0].entries[0];
    EXPECT_EQ(e.kind, IvhdEntryKind::kAll);
    EXPECT_EQ(e.first, 0);
    EXPECT_EQ(e.last, 0xffff);
}

TEST(Ivrs, DecodesSpecialIoApicEntry) {
    Ivrs i = parse_ok(qemu_ivrs());
    const IvhdEntry& e = i.ivhds[1].entries[1];
    EXPECT_EQ(e.kind, IvhdEntryKind::kSpecial);
    EXPECT_EQ(e.variety, SpecialVariety::kIoApic);
    EXPECT_EQ(e.handle, 0);
    EXPECT_EQ(e.first, 0x00a0);
    EXPECT_EQ(e.data, 0xd7);
}

TEST(Ivrs, MergesRangeStartAndEnd) {
    Builder e;
    range(e, 0x0100, 0x01ff, 0x00);
    Ivrs i = parse_ok(ivrs(ivhd(0x11, e)));
    ASSERT_EQ(i.ivhds[0].entries.size(), 1u);
    EXPECT_EQ(i.ivhds[0].entries[0].kind, IvhdEntryKind::kRange);
    EXPECT_EQ(i.ivhds[0].entries[0].first, 0x0100);
    EXPECT_EQ(i.ivhds[0].entries[0].last, 0x01ff);
}

TEST(Ivrs, DecodesAliasSelect) {
    Builder e;
    e.u8(66).u16(0x0300).u8(0).u8(0).u16(0x0010).u8(0);
    Ivrs i = parse_ok(ivrs(ivhd(0x10, e)));
    const IvhdEntry& x = i.ivhds[0].entries[0];
    EXPECT_EQ(x.kind, IvhdEntryKind::kAliasSelect);
    EXPECT_EQ(x.first, 0x0300);
    EXPECT_EQ(x.alias, 0x0010);
}

TEST(Ivrs, MergesAliasRangeKeepingTheAlias) {
    // A PCIe-to-PCI bridge at 00:1e.0 (0x00f0) issuing requests for bus 5.
    Builder e;
    e.u8(67).u16(0x0500).u8(0).u8(0).u16(0x00f0).u8(0).u8(4).u16(0x05ff).u8(0);
    Ivrs i = parse_ok(ivrs(ivhd(0x10, e)));
    ASSERT_EQ(i.ivhds[0].entries.size(), 1u);
    const IvhdEntry& x = i.ivhds[0].entries[0];
    EXPECT_EQ(x.kind, IvhdEntryKind::kAliasRange);
    EXPECT_EQ(x.first, 0x0500);
    EXPECT_EQ(x.last, 0x05ff);
    EXPECT_EQ(x.alias, 0x00f0);
}

TEST(Ivrs, DecodesExtendedSelectData) {
    Builder e;
    e.u8(70).u16(0x0400).u8(0).u32(0x80000000);  // ATS disabled
    Ivrs i = parse_ok(ivrs(ivhd(0x10, e)));
    EXPECT_EQ(i.ivhds[0].entries[0].kind, IvhdEntryKind::kExtendedSelect);
    EXPECT_EQ(i.ivhds[0].entries[0].extended, 0x80000000u);
}

TEST(Ivrs, MergesExtendedRange) {
    Builder e;
    e.u8(71).u16(0x0600).u8(0).u32(0x80000000).u8(4).u16(0x0607).u8(0);
    Ivrs i = parse_ok(ivrs(ivhd(0x10, e)));
    EXPECT_EQ(i.ivhds[0].entries[0].kind, IvhdEntryKind::kExtendedRange);
    EXPECT_EQ(i.ivhds[0].entries[0].last, 0x0607);
    EXPECT_EQ(i.ivhds[0].entries[0].extended, 0x80000000u);
}

TEST(Ivrs, SkipsPaddingAndReservedEntries) {
    Builder e;
    e.u8(0).zeros(3);   // pad
    e.u8(5).zeros(3);   // reserved 4-byte type
    e.u8(80).zeros(7);  // reserved 8-byte type
    select(e, 0x0010, 0);
    Ivrs i = parse_ok(ivrs(ivhd(0x10, e)));
    ASSERT_EQ(i.ivhds[0].entries.size(), 1u);
    EXPECT_EQ(i.ivhds[0].entries[0].kind, IvhdEntryKind::kSelect);
    EXPECT_EQ(i.ivhds[0].entries[0].first, 0x0010);
}

TEST(Ivrs, RecordsAcpiHidEntryAndSkipsItsUid) {
    // AMDI0020 (a UART) at device ID 0x00a5, with a 2-byte UID, then an ordinary entry.
    Builder e;
    e.u8(240).u16(0x00a5).u8(0x40).chars("AMDI0020").u64(0).u8(2).u8(2).chars("ID");
    select(e, 0x0018, 0);
    Ivrs i = parse_ok(ivrs(ivhd(0x40, e)));
    ASSERT_EQ(i.ivhds[0].entries.size(), 2u);
    EXPECT_EQ(i.ivhds[0].type, IvrsBlockType::kIvhdAcpiHid);
    EXPECT_EQ(i.ivhds[0].entries[0].kind, IvhdEntryKind::kAcpiHid);
    EXPECT_EQ(i.ivhds[0].entries[0].first, 0x00a5);
    EXPECT_EQ(i.ivhds[0].entries[1].first, 0x0018);
}

TEST(Ivrs, RecordsIvmdBlocks) {
    Builder blocks = ivhd(0x10, qemu_entries());
    blocks.append(ivmd(0x21, 0x07, 0x0010, 0, 0xbf000000, 0x100000));
    blocks.append(ivmd(0x22, 0x01, 0x0100, 0x01ff, 0xbe000000, 0x1000));
    Ivrs i = parse_ok(ivrs(blocks));
    ASSERT_EQ(i.ivmds.size(), 2u);
    EXPECT_EQ(i.ivmds[0].type, IvrsBlockType::kIvmdSelect);
    EXPECT_EQ(i.ivmds[0].flags, 0x07);
    EXPECT_EQ(i.ivmds[0].device_id, 0x0010);
    EXPECT_EQ(i.ivmds[0].start, 0xbf000000u);
    EXPECT_EQ(i.ivmds[0].length, 0x100000u);
    EXPECT_EQ(i.ivmds[1].auxiliary, 0x01ff);
}

TEST(Ivrs, CountsUnknownBlockTypes) {
    Builder blocks;
    blocks.u8(0x41).u8(0).u16(8).zeros(4);
    blocks.append(ivhd(0x10, qemu_entries()));
    Ivrs i = parse_ok(ivrs(blocks));
    EXPECT_EQ(i.unknown_blocks, 1u);
    EXPECT_EQ(i.ivhds.size(), 1u);
}

TEST(Ivrs, PrefersHighestTypeTheCallerSupports) {
    Ivrs i = parse_ok(qemu_ivrs());
    auto chosen = preferred_ivhds(i, 0x40);
    ASSERT_EQ(chosen.size(), 1u);
    EXPECT_EQ(chosen[0], 1u);
}

TEST(Ivrs, PrefersType10hForCallersThatSupportOnlyIt) {
    Ivrs i = parse_ok(qemu_ivrs());
    auto chosen = preferred_ivhds(i, 0x10);
    ASSERT_EQ(chosen.size(), 1u);
    EXPECT_EQ(chosen[0], 0u);
}

TEST(Ivrs, PrefersOneBlockPerIommu) {
    // Two IOMMUs (00:00.2 and 40:00.2), each as 10h then 40h.
    Builder blocks;
    blocks.append(ivhd(0x10, qemu_entries(), 0x0002, 0xfd200000));
    blocks.append(ivhd(0x10, qemu_entries(), 0x4002, 0xfd300000));
    blocks.append(ivhd(0x40, qemu_entries(), 0x0002, 0xfd200000));
    blocks.append(ivhd(0x40, qemu_entries(), 0x4002, 0xfd300000));
    Ivrs i = parse_ok(ivrs(blocks));
    auto chosen = preferred_ivhds(i, 0x40);
    ASSERT_EQ(chosen.size(), 2u);
    EXPECT_EQ(chosen[0], 2u);
    EXPECT_EQ(chosen[1], 3u);
}

TEST(Ivrs, TellsIommusInOtherSegmentsApart) {
    Builder blocks;
    blocks.append(ivhd(0x11, qemu_entries(), 0x0002, 0xfd200000, 0));
    blocks.append(ivhd(0x11, qemu_entries(), 0x0002, 0xfd300000, 1));
    EXPECT_EQ(preferred_ivhds(parse_ok(ivrs(blocks)), 0x40).size(), 2u);
}

TEST(Ivrs, RejectsZeroLengthBlock) {
    Builder blocks;
    blocks.u8(0x10).u8(0).u16(0).zeros(20);
    EXPECT_STREQ(parse_ivrs(as_bytes(ivrs(blocks))).error().what, "IVRS block length below 4");
}

TEST(Ivrs, RejectsBlockRunningPastTheTable) {
    Builder blocks = ivhd(0x10, qemu_entries());
    blocks.patch(2, blocks.size() + 4, 2);
    EXPECT_STREQ(parse_ivrs(as_bytes(ivrs(blocks))).error().what,
                 "IVRS block length past table end");
}

TEST(Ivrs, RejectsIvhd11hWithoutItsEfrFields) {
    Builder blocks;
    blocks.u8(0x11).u8(0).u16(24).u16(kIommuDevid).u16(0x40).u64(kIommuBase).u16(0).u16(0);
    blocks.u32(0);
    EXPECT_STREQ(parse_ivrs(as_bytes(ivrs(blocks))).error().what, "IVRS IVHD block too short");
}

TEST(Ivrs, RejectsEntryRunningPastTheBlock) {
    Builder e;
    e.u8(70).u16(0x0400).u8(0);  // an 8-byte entry cut to 4
    EXPECT_STREQ(parse_ivrs(as_bytes(ivrs(ivhd(0x10, e)))).error().what,
                 "IVRS IVHD device entry past block end");
}

TEST(Ivrs, RejectsAcpiHidEntryWhoseUidRunsPastTheBlock) {
    Builder e;
    e.u8(240).u16(0x00a5).u8(0).chars("AMDI0020").u64(0).u8(2).u8(9).chars("ID");
    EXPECT_STREQ(parse_ivrs(as_bytes(ivrs(ivhd(0x40, e)))).error().what,
                 "IVRS IVHD device entry past block end");
}

TEST(Ivrs, RejectsEntryTypeWithoutDefinedLength) {
    Builder e;
    e.u8(0x90).zeros(15);
    EXPECT_STREQ(parse_ivrs(as_bytes(ivrs(ivhd(0x10, e)))).error().what,
                 "IVRS IVHD device entry type has no defined length");
}

TEST(Ivrs, RejectsRangeEndWithoutStart) {
    Builder e;
    e.u8(4).u16(0x00ff).u8(0);
    EXPECT_STREQ(parse_ivrs(as_bytes(ivrs(ivhd(0x10, e)))).error().what,
                 "IVRS IVHD range end without a range start");
}

TEST(Ivrs, RejectsRangeLeftOpen) {
    Builder e;
    e.u8(3).u16(0x0100).u8(0);
    select(e, 0x0200, 0);
    EXPECT_STREQ(parse_ivrs(as_bytes(ivrs(ivhd(0x10, e)))).error().what,
                 "IVRS IVHD range start without an end");
}

TEST(Ivrs, RejectsRangeEndingBelowItsStart) {
    Builder e;
    range(e, 0x0200, 0x0100, 0);
    EXPECT_STREQ(parse_ivrs(as_bytes(ivrs(ivhd(0x10, e)))).error().what,
                 "IVRS IVHD range end below its start");
}

TEST(Ivrs, RejectsMoreEntriesThanSupported) {
    Builder e;
    for (std::uint16_t d = 0; d <= kMaxIvhdEntries; ++d) select(e, d, 0);
    auto r = parse_ivrs(as_bytes(ivrs(ivhd(0x10, e))));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
}

TEST(Ivrs, RejectsBadChecksum) {
    auto raw = qemu_ivrs();
    raw[60] ^= std::byte{0x20};
    EXPECT_STREQ(parse_ivrs(as_bytes(raw)).error().what, "IVRS checksum mismatch");
}

}  // namespace
}  // namespace hv::acpi
