#include "drivers/acpi/dmar.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/acpi/acpi_builder.hpp"

namespace hv::acpi {
namespace {

using test::as_bytes;
using test::Builder;
using test::make_table;

// VT-d 4.1 sec 8.3.1 device scope: type, length, flags, reserved, enumeration ID, start bus, path.
Builder scope(std::uint8_t type, std::uint8_t enumeration_id, std::uint8_t bus,
              std::initializer_list<std::pair<std::uint8_t, std::uint8_t>> path) {
    Builder b;
    b.u8(type).u8(static_cast<std::uint8_t>(6 + 2 * path.size())).u8(0).u8(0);
    b.u8(enumeration_id).u8(bus);
    for (auto [dev, fn] : path) b.u8(dev).u8(fn);
    return b;
}

// Sec 8.3 DRHD.
Builder drhd(std::uint8_t flags, std::uint8_t size, std::uint16_t segment, std::uint64_t base,
             const Builder& scopes = Builder()) {
    Builder b;
    b.u16(0).u16(16 + scopes.size()).u8(flags).u8(size).u16(segment).u64(base).append(scopes);
    return b;
}

// Sec 8.4 RMRR.
Builder rmrr(std::uint16_t segment, std::uint64_t base, std::uint64_t limit,
             const Builder& scopes) {
    Builder b;
    b.u16(1).u16(24 + scopes.size()).u16(0).u16(segment).u64(base).u64(limit).append(scopes);
    return b;
}

// Sec 8.1: HAW, flags, 10 reserved bytes, then the structures.
std::vector<std::byte> dmar(std::uint8_t haw, std::uint8_t flags, const Builder& structures) {
    Builder b;
    b.u8(haw).u8(flags).zeros(10).append(structures);
    return make_table("DMAR", 1, b);
}

// QEMU q35 -device intel-iommu,intremap=on: a 39-bit unit at 0xfed90000 covering all of segment
// 0, with the I/O APIC (ID 0) on the pseudo bus 0xff, device 0 function 0.
std::vector<std::byte> qemu_q35_dmar() {
    return dmar(38, kDmarIntrRemap,
                drhd(kDrhdIncludePciAll, 0, 0, 0xfed90000, scope(3, 0, 0xff, {{0, 0}})));
}

Dmar parse_ok(const std::vector<std::byte>& raw) {
    auto r = parse_dmar(as_bytes(raw));
    EXPECT_TRUE(r.ok()) << r.error().what;
    return r.ok() ? r.value() : Dmar{};
}

TEST(Dmar, ReadsQemuAddressWidthAndFlags) {
    Dmar d = parse_ok(qemu_q35_dmar());
    EXPECT_EQ(d.address_width_bits(), 39u);
    EXPECT_TRUE(d.intr_remap());
    EXPECT_FALSE(d.x2apic_opt_out());
    EXPECT_FALSE(d.dma_ctrl_platform_opt_in());
}

TEST(Dmar, ReadsQemuIncludeAllUnit) {
    Dmar d = parse_ok(qemu_q35_dmar());
    ASSERT_EQ(d.drhds.size(), 1u);
    const Drhd& u = d.drhds[0];
    EXPECT_TRUE(u.include_pci_all());
    EXPECT_EQ(u.segment, 0);
    EXPECT_EQ(u.register_base, 0xfed90000u);
    EXPECT_EQ(u.register_set_bytes(), 4096u);
}

TEST(Dmar, ReadsQemuIoApicScope) {
    Dmar d = parse_ok(qemu_q35_dmar());
    ASSERT_EQ(d.drhds[0].scopes.size(), 1u);
    const DeviceScope& s = d.drhds[0].scopes[0];
    EXPECT_EQ(s.type, DeviceScopeType::kIoApic);
    EXPECT_EQ(s.enumeration_id, 0);
    EXPECT_EQ(s.start_bus, 0xff);
    ASSERT_EQ(s.path_length, 1);
    EXPECT_EQ(s.path[0].device, 0);
    EXPECT_EQ(s.path[0].function, 0);
}

TEST(Dmar, DecodesAllTableFlags) {
    Dmar d = parse_ok(
        dmar(45, kDmarIntrRemap | kDmarX2apicOptOut | kDmarDmaCtrlPlatformOptIn, Builder()));
    EXPECT_TRUE(d.x2apic_opt_out());
    EXPECT_TRUE(d.dma_ctrl_platform_opt_in());
    EXPECT_EQ(d.address_width_bits(), 46u);
}

TEST(Dmar, RegisterSetSizeComesFromTheSizeField) {
    Dmar d = parse_ok(dmar(38, 0, drhd(0, 1, 0, 0xfed91000)));
    EXPECT_EQ(d.drhds[0].register_set_bytes(), 8192u);
}

TEST(Dmar, ReadsRmrrWithEndpointScope) {
    // The classic USB controller RMRR: 00:14.0 keeps DMA into a firmware buffer.
    Builder s;
    s.append(drhd(kDrhdIncludePciAll, 0, 0, 0xfed90000));
    s.append(rmrr(0, 0x7b800000, 0x7b9fffff, scope(1, 0, 0, {{0x14, 0}})));
    Dmar d = parse_ok(dmar(38, 1, s));
    ASSERT_EQ(d.rmrrs.size(), 1u);
    EXPECT_EQ(d.rmrrs[0].base, 0x7b800000u);
    EXPECT_EQ(d.rmrrs[0].limit, 0x7b9fffffu);
    ASSERT_EQ(d.rmrrs[0].scopes.size(), 1u);
    EXPECT_EQ(d.rmrrs[0].scopes[0].type, DeviceScopeType::kPciEndpoint);
    EXPECT_EQ(d.rmrrs[0].scopes[0].path[0].device, 0x14);
}

TEST(Dmar, ReadsMultiLevelPath) {
    // A GPU behind a root port: bus 0, port 00:01.0, then device 0 function 0 below it.
    Dmar d = parse_ok(dmar(38, 0, drhd(0, 0, 0, 0xfed90000, scope(1, 0, 0, {{1, 0}, {0, 0}}))));
    const DeviceScope& s = d.drhds[0].scopes[0];
    ASSERT_EQ(s.path_length, 2);
    EXPECT_EQ(s.path[0].device, 1);
    EXPECT_EQ(s.path[1].device, 0);
}

TEST(Dmar, ReadsSeveralUnitsAndScopeTypes) {
    Builder scopes;
    scopes.append(scope(2, 0, 0, {{0x1c, 0}})).append(scope(4, 0, 0, {{0x1f, 0}}));
    scopes.append(scope(5, 1, 0, {{0x15, 0}}));
    Builder s;
    s.append(drhd(0, 0, 0, 0xfed90000, scopes));
    s.append(drhd(kDrhdIncludePciAll, 0, 0, 0xfed91000, scope(3, 2, 0xf0, {{0x1f, 0}})));
    Dmar d = parse_ok(dmar(38, 1, s));
    ASSERT_EQ(d.drhds.size(), 2u);
    ASSERT_EQ(d.drhds[0].scopes.size(), 3u);
    EXPECT_EQ(d.drhds[0].scopes[0].type, DeviceScopeType::kPciSubHierarchy);
    EXPECT_EQ(d.drhds[0].scopes[1].type, DeviceScopeType::kMsiCapableHpet);
    EXPECT_EQ(d.drhds[0].scopes[2].type, DeviceScopeType::kAcpiNamespaceDevice);
    EXPECT_EQ(d.drhds[0].scopes[2].enumeration_id, 1);
    EXPECT_TRUE(d.drhds[1].include_pci_all());
}

TEST(Dmar, RecordsOtherStructuresByType) {
    Builder s;
    s.append(drhd(kDrhdIncludePciAll, 0, 0, 0xfed90000));
    std::size_t atsr_offset = 48 + s.size();
    s.u16(2).u16(8).u8(1).u8(0).u16(0);              // ATSR, ALL_PORTS
    s.u16(3).u16(20).u32(0).u64(0xfed90000).u32(0);  // RHSA
    s.u16(5).u16(8).u8(1).u8(0).u16(0);              // SATC
    Dmar d = parse_ok(dmar(38, 1, s));
    ASSERT_EQ(d.others.size(), 3u);
    EXPECT_EQ(d.others[0].type, static_cast<std::uint16_t>(RemappingType::kAtsr));
    EXPECT_EQ(d.others[0].offset, atsr_offset);
    EXPECT_EQ(d.others[0].length, 8);
    EXPECT_EQ(d.others[1].type, static_cast<std::uint16_t>(RemappingType::kRhsa));
    EXPECT_EQ(d.others[2].type, static_cast<std::uint16_t>(RemappingType::kSatc));
}

TEST(Dmar, RejectsZeroLengthStructure) {
    Builder s;
    s.u16(0).u16(0).zeros(12);
    EXPECT_STREQ(parse_dmar(as_bytes(dmar(38, 0, s))).error().what,
                 "DMAR structure length below 4");
}

TEST(Dmar, RejectsStructureRunningPastTheEnd) {
    Builder s = drhd(0, 0, 0, 0xfed90000);
    s.patch(2, 24, 2);
    EXPECT_STREQ(parse_dmar(as_bytes(dmar(38, 0, s))).error().what,
                 "DMAR structure length past table end");
}

TEST(Dmar, RejectsShortDrhd) {
    Builder s;
    s.u16(0).u16(8).u8(1).u8(0).u16(0);
    EXPECT_STREQ(parse_dmar(as_bytes(dmar(38, 0, s))).error().what, "DMAR DRHD too short");
}

TEST(Dmar, RejectsScopeShorterThanItsHeader) {
    Builder bad;
    bad.u8(1).u8(0).zeros(6);
    EXPECT_STREQ(parse_dmar(as_bytes(dmar(38, 0, drhd(0, 0, 0, 0xfed90000, bad)))).error().what,
                 "DMAR device scope length below 6");
}

TEST(Dmar, RejectsScopeRunningPastItsStructure) {
    Builder bad = scope(1, 0, 0, {{2, 0}});
    bad.patch(1, 10, 1);
    EXPECT_STREQ(parse_dmar(as_bytes(dmar(38, 0, drhd(0, 0, 0, 0xfed90000, bad)))).error().what,
                 "DMAR device scope length past structure end");
}

TEST(Dmar, RejectsOddPathLength) {
    Builder bad;
    bad.u8(1).u8(7).u8(0).u8(0).u8(0).u8(0).u8(2);
    EXPECT_STREQ(parse_dmar(as_bytes(dmar(38, 0, drhd(0, 0, 0, 0xfed90000, bad)))).error().what,
                 "DMAR device scope path has an odd length");
}

TEST(Dmar, RejectsPathLongerThanSupported) {
    Builder bad =
        scope(1, 0, 0, {{1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}});
    auto r = parse_dmar(as_bytes(dmar(38, 0, drhd(0, 0, 0, 0xfed90000, bad))));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
}

TEST(Dmar, RejectsRmrrLimitBelowBase) {
    EXPECT_STREQ(
        parse_dmar(as_bytes(dmar(38, 0, rmrr(0, 0x7b800000, 0x7b7fffff, Builder())))).error().what,
        "DMAR RMRR limit below base");
}

TEST(Dmar, RejectsMoreScopesThanSupported) {
    Builder scopes;
    for (std::size_t i = 0; i <= kMaxDeviceScopes; ++i) {
        scopes.append(scope(1, 0, 0, {{static_cast<std::uint8_t>(i), 0}}));
    }
    auto r = parse_dmar(as_bytes(dmar(38, 0, drhd(0, 0, 0, 0xfed90000, scopes))));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
}

TEST(Dmar, RejectsMoreUnitsThanSupported) {
    Builder s;
    for (std::size_t i = 0; i <= kMaxDrhds; ++i) s.append(drhd(0, 0, 0, 0xfed90000 + i * 0x1000));
    auto r = parse_dmar(as_bytes(dmar(38, 0, s)));
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "DMAR lists more DRHD units than supported");
}

TEST(Dmar, RejectsBadChecksum) {
    auto raw = qemu_q35_dmar();
    raw[56] ^= std::byte{0x01};
    EXPECT_STREQ(parse_dmar(as_bytes(raw)).error().what, "DMAR checksum mismatch");
}

TEST(Dmar, RejectsTableWithoutFixedFields) {
    EXPECT_STREQ(parse_dmar(as_bytes(make_table("DMAR", 1, Builder().u8(38).u8(0)))).error().what,
                 "DMAR shorter than its fixed fields");
}

}  // namespace
}  // namespace hv::acpi
