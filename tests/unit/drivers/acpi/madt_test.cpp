#include "drivers/acpi/madt.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/acpi/acpi_builder.hpp"

namespace hv::acpi {
namespace {

using test::as_bytes;
using test::Builder;
using test::make_table;

// ACPI 6.5 sec 5.2.12 entries, one builder call each.
Builder& lapic(Builder& b, std::uint8_t uid, std::uint8_t apic_id, std::uint32_t flags) {
    return b.u8(0).u8(8).u8(uid).u8(apic_id).u32(flags);
}
Builder& ioapic(Builder& b, std::uint8_t id, std::uint32_t address, std::uint32_t gsi_base) {
    return b.u8(1).u8(12).u8(id).u8(0).u32(address).u32(gsi_base);
}
Builder& iso(Builder& b, std::uint8_t source, std::uint32_t gsi, std::uint16_t flags) {
    return b.u8(2).u8(10).u8(0).u8(source).u32(gsi).u16(flags);
}
Builder& lapic_nmi(Builder& b, std::uint8_t uid, std::uint16_t flags, std::uint8_t lint) {
    return b.u8(4).u8(6).u8(uid).u16(flags).u8(lint);
}
Builder& x2apic(Builder& b, std::uint32_t x2apic_id, std::uint32_t flags, std::uint32_t uid) {
    return b.u8(9).u8(16).u16(0).u32(x2apic_id).u32(flags).u32(uid);
}

// Header fields: local APIC address, flags (PCAT_COMPAT).
Builder madt_body(std::uint32_t flags = 1) {
    Builder b;
    b.u32(0xfee00000).u32(flags);
    return b;
}

// What QEMU q35 with -smp 4 emits: four enabled LAPICs, the I/O APIC at 0xfec00000, IRQ0 routed
// to GSI 2 and the PCI link IRQs 5, 9, 10, 11 level-triggered active-high (flags 0x000d), and
// LINT1 as NMI on all processors.
std::vector<std::byte> qemu_q35_madt() {
    Builder b = madt_body();
    for (std::uint8_t i = 0; i < 4; ++i) lapic(b, i, i, kLapicEnabled);
    ioapic(b, 0, 0xfec00000, 0);
    iso(b, 0, 2, 0x0000);
    iso(b, 5, 5, 0x000d);
    iso(b, 9, 9, 0x000d);
    iso(b, 10, 10, 0x000d);
    iso(b, 11, 11, 0x000d);
    lapic_nmi(b, 0xff, 0x0000, 1);
    return make_table("APIC", 1, b);
}

Madt parse_ok(const std::vector<std::byte>& raw) {
    auto r = parse_madt(as_bytes(raw));
    EXPECT_TRUE(r.ok()) << r.error().what;
    return r.ok() ? r.value() : Madt{};
}

TEST(Madt, ReadsLocalApicBaseAndPcatCompatFromQemuQ35) {
    Madt m = parse_ok(qemu_q35_madt());
    EXPECT_EQ(m.local_apic_base, 0xfee00000u);
    EXPECT_TRUE(m.pcat_compat());
}

TEST(Madt, ListsTheFourQemuProcessors) {
    Madt m = parse_ok(qemu_q35_madt());
    ASSERT_EQ(m.cpus.size(), 4u);
    for (std::uint32_t i = 0; i < 4; ++i) {
        EXPECT_EQ(m.cpus[i].apic_id, i);
        EXPECT_EQ(m.cpus[i].acpi_uid, i);
        EXPECT_TRUE(m.cpus[i].enabled());
        EXPECT_FALSE(m.cpus[i].x2apic);
    }
}

TEST(Madt, ReadsTheIoApic) {
    Madt m = parse_ok(qemu_q35_madt());
    ASSERT_EQ(m.io_apics.size(), 1u);
    EXPECT_EQ(m.io_apics[0].id, 0);
    EXPECT_EQ(m.io_apics[0].address, 0xfec00000u);
    EXPECT_EQ(m.io_apics[0].gsi_base, 0u);
}

TEST(Madt, RoutesIrq0ToGsi2WithBusDefaults) {
    Madt m = parse_ok(qemu_q35_madt());
    ASSERT_EQ(m.overrides.size(), 5u);
    EXPECT_EQ(m.overrides[0].bus, 0);
    EXPECT_EQ(m.overrides[0].source, 0);
    EXPECT_EQ(m.overrides[0].gsi, 2u);
    EXPECT_EQ(m.overrides[0].flags.polarity(), Polarity::kConforms);
    EXPECT_EQ(m.overrides[0].flags.trigger(), TriggerMode::kConforms);
}

TEST(Madt, DecodesPciLinkOverridesAsLevelActiveHigh) {
    Madt m = parse_ok(qemu_q35_madt());
    ASSERT_EQ(m.overrides.size(), 5u);
    const std::uint8_t sources[] = {5, 9, 10, 11};
    for (std::size_t i = 0; i < 4; ++i) {
        const InterruptOverride& o = m.overrides[i + 1];
        EXPECT_EQ(o.source, sources[i]);
        EXPECT_EQ(o.gsi, sources[i]);
        EXPECT_EQ(o.flags.polarity(), Polarity::kActiveHigh);
        EXPECT_EQ(o.flags.trigger(), TriggerMode::kLevel);
    }
}

TEST(Madt, DecodesActiveLowEdgeFlags) {
    EXPECT_EQ((MpsIntiFlags{0x0007}).polarity(), Polarity::kActiveLow);
    EXPECT_EQ((MpsIntiFlags{0x0007}).trigger(), TriggerMode::kEdge);
}

TEST(Madt, RecordsLocalApicNmiForAllProcessors) {
    Madt m = parse_ok(qemu_q35_madt());
    ASSERT_EQ(m.local_apic_nmis.size(), 1u);
    EXPECT_TRUE(m.local_apic_nmis[0].all_processors());
    EXPECT_EQ(m.local_apic_nmis[0].lint, 1);
    EXPECT_FALSE(m.local_apic_nmis[0].x2apic);
}

TEST(Madt, RecordsX2ApicNmi) {
    Builder b = madt_body();
    b.u8(10).u8(12).u16(0x0005).u32(0xffffffff).u8(1).zeros(3);
    Madt m = parse_ok(make_table("APIC", 4, b));
    ASSERT_EQ(m.local_apic_nmis.size(), 1u);
    EXPECT_TRUE(m.local_apic_nmis[0].x2apic);
    EXPECT_TRUE(m.local_apic_nmis[0].all_processors());
    EXPECT_EQ(m.local_apic_nmis[0].lint, 1);
    EXPECT_EQ(m.local_apic_nmis[0].flags.raw, 0x0005);
}

TEST(Madt, RecordsNmiSource) {
    Builder b = madt_body();
    b.u8(3).u8(8).u16(0x000f).u32(23);
    Madt m = parse_ok(make_table("APIC", 1, b));
    ASSERT_EQ(m.nmi_sources.size(), 1u);
    EXPECT_EQ(m.nmi_sources[0].gsi, 23u);
    EXPECT_EQ(m.nmi_sources[0].flags.trigger(), TriggerMode::kLevel);
}

TEST(Madt, AddressOverrideReplacesHeaderAddress) {
    Builder b = madt_body();
    b.u8(5).u8(12).u16(0).u64(0x1'fee0'0000);
    Madt m = parse_ok(make_table("APIC", 1, b));
    EXPECT_EQ(m.local_apic_base, 0x1'fee0'0000u);
}

TEST(Madt, ParsesX2ApicProcessors) {
    Builder b = madt_body();
    x2apic(b, 0x100, kLapicEnabled, 300);
    Madt m = parse_ok(make_table("APIC", 4, b));
    ASSERT_EQ(m.cpus.size(), 1u);
    EXPECT_TRUE(m.cpus[0].x2apic);
    EXPECT_EQ(m.cpus[0].apic_id, 0x100u);
    EXPECT_EQ(m.cpus[0].acpi_uid, 300u);
    EXPECT_TRUE(m.cpus[0].enabled());
}

TEST(Madt, SkipsDisabledProcessors) {
    Builder b = madt_body();
    lapic(b, 0, 0, kLapicEnabled);
    lapic(b, 1, 1, 0);
    lapic(b, 2, 2, kLapicEnabled);
    UsableCpus u = usable_cpus(parse_ok(make_table("APIC", 5, b)));
    ASSERT_EQ(u.apic_ids.size(), 2u);
    EXPECT_EQ(u.apic_ids[0], 0u);
    EXPECT_EQ(u.apic_ids[1], 2u);
}

TEST(Madt, CountsOnlineCapableProcessorsFromRevision5) {
    Builder b = madt_body();
    lapic(b, 0, 0, kLapicEnabled);
    lapic(b, 1, 1, kLapicOnlineCapable);
    EXPECT_EQ(usable_cpus(parse_ok(make_table("APIC", 5, b))).apic_ids.size(), 2u);
}

TEST(Madt, IgnoresOnlineCapableBitBeforeRevision5) {
    Builder b = madt_body();
    lapic(b, 0, 0, kLapicEnabled);
    lapic(b, 1, 1, kLapicOnlineCapable);
    EXPECT_EQ(usable_cpus(parse_ok(make_table("APIC", 4, b))).apic_ids.size(), 1u);
}

TEST(Madt, ListsAnApicIdGivenTwiceOnce) {
    Builder b = madt_body();
    lapic(b, 0, 0, kLapicEnabled);
    lapic(b, 1, 1, kLapicEnabled);
    x2apic(b, 1, kLapicEnabled, 1);
    UsableCpus u = usable_cpus(parse_ok(make_table("APIC", 4, b)));
    ASSERT_EQ(u.apic_ids.size(), 2u);
    EXPECT_EQ(u.apic_ids[1], 1u);
}

TEST(Madt, CountsProcessorsBeyondCapacity) {
    Builder b = madt_body();
    for (std::uint32_t i = 0; i < kMaxCpus + 3; ++i) x2apic(b, i, kLapicEnabled, i);
    Madt m = parse_ok(make_table("APIC", 4, b));
    EXPECT_EQ(m.cpus.size(), kMaxCpus);
    EXPECT_EQ(m.cpus_dropped, 3u);
}

TEST(Madt, CountsPerProcessorNmiEntriesBeyondCapacity) {
    Builder b = madt_body();
    for (std::uint32_t i = 0; i < kMaxLocalApicNmis + 2; ++i) {
        b.u8(10).u8(12).u16(0).u32(i).u8(1).zeros(3);
    }
    Madt m = parse_ok(make_table("APIC", 4, b));
    EXPECT_EQ(m.local_apic_nmis.size(), kMaxLocalApicNmis);
    EXPECT_EQ(m.local_apic_nmis_dropped, 2u);
}

TEST(Madt, RejectsMoreIoApicsThanSupported) {
    Builder b = madt_body();
    for (std::uint8_t i = 0; i <= kMaxIoApics; ++i) ioapic(b, i, 0xfec00000 + i * 0x1000u, i * 24u);
    auto r = parse_madt(as_bytes(make_table("APIC", 1, b)));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
}

TEST(Madt, SkipsUnknownEntryTypesByLength) {
    Builder b = madt_body();
    b.u8(0x7f).u8(6).zeros(4);  // OEM/reserved type
    lapic(b, 0, 0, kLapicEnabled);
    Madt m = parse_ok(make_table("APIC", 1, b));
    EXPECT_EQ(m.unknown_entries, 1u);
    EXPECT_EQ(m.cpus.size(), 1u);
}

TEST(Madt, AcceptsLongerEntriesFromNewerRevisions) {
    Builder b = madt_body();
    b.u8(1).u8(16).u8(2).u8(0).u32(0xfec01000).u32(24).u32(0);  // I/O APIC with 4 extra bytes
    Madt m = parse_ok(make_table("APIC", 1, b));
    ASSERT_EQ(m.io_apics.size(), 1u);
    EXPECT_EQ(m.io_apics[0].gsi_base, 24u);
}

TEST(Madt, RejectsBadChecksum) {
    auto raw = qemu_q35_madt();
    raw[50] ^= std::byte{0x01};
    EXPECT_STREQ(parse_madt(as_bytes(raw)).error().what, "MADT checksum mismatch");
}

TEST(Madt, RejectsOtherTables) {
    auto raw = make_table("FACP", 1, madt_body());
    EXPECT_STREQ(parse_madt(as_bytes(raw)).error().what, "MADT signature is not APIC");
}

TEST(Madt, RejectsTruncatedTable) {
    auto raw = qemu_q35_madt();
    raw.erase(raw.end() - 4, raw.end());
    EXPECT_STREQ(parse_madt(as_bytes(raw)).error().what, "MADT length past end of bytes");
}

TEST(Madt, RejectsTableWithoutFixedFields) {
    auto raw = make_table("APIC", 1, Builder().u32(0xfee00000));
    EXPECT_STREQ(parse_madt(as_bytes(raw)).error().what, "MADT shorter than its fixed fields");
}

TEST(Madt, RejectsZeroLengthEntry) {
    Builder b = madt_body();
    lapic(b, 0, 0, kLapicEnabled);
    b.u8(0).u8(0).zeros(6);
    EXPECT_STREQ(parse_madt(as_bytes(make_table("APIC", 1, b))).error().what,
                 "MADT entry length below 2");
}

TEST(Madt, RejectsEntryRunningPastTheEnd) {
    Builder b = madt_body();
    b.u8(1).u8(12).u8(0).u8(0).u32(0xfec00000);  // 8 of 12 bytes
    EXPECT_STREQ(parse_madt(as_bytes(make_table("APIC", 1, b))).error().what,
                 "MADT entry length past table end");
}

TEST(Madt, RejectsLoneTypeByteAtTheEnd) {
    Builder b = madt_body();
    b.u8(0);
    EXPECT_STREQ(parse_madt(as_bytes(make_table("APIC", 1, b))).error().what,
                 "MADT entry header past table end");
}

TEST(Madt, RejectsEntryShorterThanItsType) {
    Builder b = madt_body();
    b.u8(0).u8(4).u8(0).u8(0);  // a local APIC needs 8 bytes
    EXPECT_STREQ(parse_madt(as_bytes(make_table("APIC", 1, b))).error().what,
                 "MADT local APIC entry too short");
}

}  // namespace
}  // namespace hv::acpi
