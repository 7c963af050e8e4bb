#include "drivers/pci/capabilities.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/pci/fake_config_space.hpp"

namespace hv::pci {
namespace {

using testing::FakeConfigSpace;
using testing::FakeFunction;

constexpr Bdf kDev(0, 0, 4, 0);

TEST(Capabilities, FindsEduMsiAsSixtyFourBitSingleVector) {
    FakeConfigSpace cs;
    testing::add_edu(cs, kDev);
    const Capabilities caps = read_capabilities(cs, kDev);
    ASSERT_TRUE(caps.msi.present());
    EXPECT_EQ(caps.msi.offset, 0x40);
    EXPECT_TRUE(caps.msi.is_64bit);
    EXPECT_FALSE(caps.msi.per_vector_masking);
    EXPECT_EQ(caps.msi.max_vectors(), 1u);
    EXPECT_FALSE(caps.msix.present());
    EXPECT_FALSE(caps.pcie.present());
    EXPECT_EQ(caps.legacy_count, 1);
    EXPECT_FALSE(caps.malformed());
}

TEST(Capabilities, DecodesMsiMultipleMessageAndMasking) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    fn.set16(fn.add_cap(CapId::kMsi, 0x50) + 2, (1u << 8) | (5u << 1));
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_FALSE(caps.msi.is_64bit);
    EXPECT_TRUE(caps.msi.per_vector_masking);
    EXPECT_EQ(caps.msi.multiple_message_capable, 5);
    EXPECT_EQ(caps.msi.max_vectors(), 32u);
}

TEST(Capabilities, DecodesNvmeMsixTableAndPba) {
    FakeConfigSpace cs;
    testing::add_nvme(cs, kDev);
    const Capabilities caps = read_capabilities(cs, kDev);
    ASSERT_TRUE(caps.msix.present());
    EXPECT_EQ(caps.msix.offset, 0x70);
    EXPECT_EQ(caps.msix.table_size, 65);
    EXPECT_EQ(caps.msix.table_bir, 0);
    EXPECT_EQ(caps.msix.table_offset, 0x2000u);
    EXPECT_EQ(caps.msix.pba_bir, 0);
    EXPECT_EQ(caps.msix.pba_offset, 0x3000u);
}

TEST(Capabilities, SeparatesMsixBirFromOffset) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    const std::uint16_t at = fn.add_cap(CapId::kMsiX, 0xa0);
    fn.set16(at + 2, 0x7ff | 0xc000);  // enable and function mask do not leak into the size
    fn.set32(at + 4, 0x00010003);
    fn.set32(at + 8, 0x00020004);
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_EQ(caps.msix.table_size, 2048);
    EXPECT_EQ(caps.msix.table_bir, 3);
    EXPECT_EQ(caps.msix.table_offset, 0x10000u);
    EXPECT_EQ(caps.msix.pba_bir, 4);
    EXPECT_EQ(caps.msix.pba_offset, 0x20000u);
}

TEST(Capabilities, FindsNvmeAsPcieEndpointWithFlr) {
    FakeConfigSpace cs;
    testing::add_nvme(cs, kDev);
    const Capabilities caps = read_capabilities(cs, kDev);
    ASSERT_TRUE(caps.pcie.present());
    EXPECT_EQ(caps.pcie.offset, 0x80);
    EXPECT_EQ(caps.pcie.version, 2);
    EXPECT_EQ(caps.pcie.port_type, PciePortType::kEndpoint);
    EXPECT_TRUE(caps.pcie.flr);
    EXPECT_TRUE(caps.pm.present());
    EXPECT_EQ(caps.pm.offset, 0x60);
}

TEST(Capabilities, ReadsNvmeSriovFields) {
    FakeConfigSpace cs;
    testing::add_nvme(cs, kDev);
    const Capabilities caps = read_capabilities(cs, kDev);
    ASSERT_TRUE(caps.sriov.present());
    EXPECT_EQ(caps.sriov.offset, 0x148);
    EXPECT_EQ(caps.sriov.total_vfs, 8);
    EXPECT_EQ(caps.sriov.initial_vfs, 8);
    EXPECT_EQ(caps.sriov.first_vf_offset, 1);
    EXPECT_EQ(caps.sriov.vf_stride, 1);
    EXPECT_EQ(caps.sriov.vf_device_id, 0x0010);
    EXPECT_TRUE(caps.ari.present());
    EXPECT_EQ(caps.ari.offset, 0x188);
    EXPECT_EQ(caps.extended_count, 3);
}

TEST(Capabilities, FindsRootPortTypeAndAcs) {
    FakeConfigSpace cs;
    testing::add_root_port(cs, kDev, 1, 1);
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_EQ(caps.pcie.port_type, PciePortType::kRootPort);
    EXPECT_FALSE(caps.pcie.flr);
    ASSERT_TRUE(caps.acs.present());
    EXPECT_EQ(caps.acs.offset, 0x148);
    EXPECT_TRUE(caps.acs.source_validation());
    EXPECT_FALSE(caps.acs.translation_blocking());
    EXPECT_TRUE(caps.acs.p2p_request_redirect());
    EXPECT_TRUE(caps.acs.p2p_completion_redirect());
    EXPECT_TRUE(caps.acs.upstream_forwarding());
    EXPECT_FALSE(caps.acs.p2p_egress_control());
}

TEST(Capabilities, ReadsAriNextFunction) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    fn.set16(fn.add_cap(CapId::kPciExpress, 0x40) + 2, 0x0002);
    fn.set16(fn.add_ext_cap(ExtCapId::kAri, 0x100) + 4, 0x0500);
    EXPECT_EQ(read_capabilities(cs, kDev).ari.next_function, 5);
}

TEST(Capabilities, IgnoresListWhenStatusBitIsClear) {
    FakeConfigSpace cs;
    auto& fn = testing::add_edu(cs, kDev);
    fn.set16(offset(Reg16::kStatus), 0);
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_FALSE(caps.msi.present());
    EXPECT_EQ(caps.legacy_count, 0);
    EXPECT_FALSE(caps.malformed());
}

TEST(Capabilities, MasksLowBitsOfCapabilityPointers) {
    FakeConfigSpace cs;
    auto& fn = testing::add_edu(cs, kDev);
    fn.set8(offset(Reg8::kCapabilitiesPointer), 0x43);
    EXPECT_EQ(read_capabilities(cs, kDev).msi.offset, 0x40);
}

TEST(Capabilities, StopsAtLegacyListLoopKeepingWhatItFound) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    fn.add_cap(CapId::kPowerManagement, 0x40);
    fn.add_cap(CapId::kMsi, 0x50);
    fn.set8(0x51, 0x40);  // back to the first entry
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_TRUE(caps.pm.present());
    EXPECT_TRUE(caps.msi.present());
    EXPECT_EQ(caps.legacy_count, 2);
    EXPECT_TRUE(caps.legacy_malformed);
}

TEST(Capabilities, StopsAtSelfLoop) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    fn.add_cap(CapId::kVendorSpecific, 0xfc);
    fn.set8(0xfd, 0xfc);
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_EQ(caps.legacy_count, 1);
    EXPECT_TRUE(caps.legacy_malformed);
}

TEST(Capabilities, RejectsCapabilityPointerIntoTheHeader) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    fn.add_cap(CapId::kPowerManagement, 0x40);
    fn.set8(0x41, 0x10);  // points at BAR0
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_TRUE(caps.pm.present());
    EXPECT_EQ(caps.legacy_count, 1);
    EXPECT_TRUE(caps.legacy_malformed);
}

TEST(Capabilities, RejectsFirstPointerBelowSixtyFour) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    fn.set16(offset(Reg16::kStatus), status::kCapabilitiesList);
    fn.set8(offset(Reg8::kCapabilitiesPointer), 0x3c);
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_EQ(caps.legacy_count, 0);
    EXPECT_TRUE(caps.legacy_malformed);
}

TEST(Capabilities, RecordsOnlyTheFirstOfDuplicateCapabilities) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    fn.add_cap(CapId::kMsi, 0x40);
    fn.add_cap(CapId::kMsi, 0x50);
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_EQ(caps.msi.offset, 0x40);
    EXPECT_EQ(caps.legacy_count, 2);
}

TEST(Capabilities, WalksAllFortyEightLegacySlots) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    for (unsigned at = 0x40; at < 0x100; at += 4) {
        fn.add_cap(CapId::kVendorSpecific, static_cast<std::uint8_t>(at));
    }
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_EQ(caps.legacy_count, kMaxLegacyCaps);
    EXPECT_FALSE(caps.legacy_malformed);
}

TEST(Capabilities, StopsAtExtendedListPointingBackwards) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    fn.set16(fn.add_cap(CapId::kPciExpress, 0x40) + 2, 0x0002);
    fn.add_ext_cap(ExtCapId::kAer, 0x100);
    fn.add_ext_cap(ExtCapId::kAcs, 0x140);
    fn.set32(0x140, static_cast<std::uint32_t>(ExtCapId::kAcs) | 0x1u << 16 | 0x100u << 20);
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_TRUE(caps.acs.present());
    EXPECT_EQ(caps.extended_count, 2);
    EXPECT_TRUE(caps.extended_malformed);
}

TEST(Capabilities, StopsAtExtendedSelfLoop) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    fn.set16(fn.add_cap(CapId::kPciExpress, 0x40) + 2, 0x0002);
    fn.set32(0x100, static_cast<std::uint32_t>(ExtCapId::kAer) | 0x1u << 16 | 0x100u << 20);
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_EQ(caps.extended_count, 1);
    EXPECT_TRUE(caps.extended_malformed);
}

TEST(Capabilities, RejectsExtendedPointerBelowOneHundredHex) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    fn.set16(fn.add_cap(CapId::kPciExpress, 0x40) + 2, 0x0002);
    fn.set32(0x100, static_cast<std::uint32_t>(ExtCapId::kAer) | 0x1u << 16 | 0x040u << 20);
    EXPECT_TRUE(read_capabilities(cs, kDev).extended_malformed);
}

TEST(Capabilities, EndsExtendedListAtAllOnesOrZeroHeader) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x8086, 0x1234, 0x020000);
    fn.set16(fn.add_cap(CapId::kPciExpress, 0x40) + 2, 0x0002);
    fn.set32(0x100, 0xffffffffu);
    Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_EQ(caps.extended_count, 0);
    EXPECT_FALSE(caps.malformed());
    fn.set32(0x100, 0);
    caps = read_capabilities(cs, kDev);
    EXPECT_EQ(caps.extended_count, 0);
    EXPECT_FALSE(caps.malformed());
}

TEST(Capabilities, SkipsExtendedListWithoutExtendedAccess) {
    FakeConfigSpace cs(/*extended=*/false);
    testing::add_nvme(cs, kDev);
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_TRUE(caps.msix.present());
    EXPECT_FALSE(caps.sriov.present());
    EXPECT_EQ(caps.extended_count, 0);
}

TEST(Capabilities, SkipsExtendedListOfConventionalFunction) {
    FakeConfigSpace cs;
    auto& fn = testing::add_edu(cs, kDev);
    // A conventional function behind a bridge may alias 0x100 onto 0x000; a walk would read
    // the vendor/device dword as a capability header.
    fn.set32(0x100, fn.get32(0));
    const Capabilities caps = read_capabilities(cs, kDev);
    EXPECT_EQ(caps.extended_count, 0);
    EXPECT_FALSE(caps.malformed());
}

TEST(Capabilities, NamesPortTypes) {
    EXPECT_STREQ(name(PciePortType::kEndpoint), "endpoint");
    EXPECT_STREQ(name(PciePortType::kLegacyEndpoint), "legacy-endpoint");
    EXPECT_STREQ(name(PciePortType::kRootPort), "root-port");
    EXPECT_STREQ(name(PciePortType::kUpstreamSwitchPort), "upstream-port");
    EXPECT_STREQ(name(PciePortType::kDownstreamSwitchPort), "downstream-port");
    EXPECT_STREQ(name(PciePortType::kPcieToPciBridge), "pcie-to-pci-bridge");
    EXPECT_STREQ(name(PciePortType::kPciToPcieBridge), "pci-to-pcie-bridge");
    EXPECT_STREQ(name(PciePortType::kRcIntegratedEndpoint), "rc-endpoint");
    EXPECT_STREQ(name(PciePortType::kRcEventCollector), "rc-event-collector");
    EXPECT_STREQ(name(static_cast<PciePortType>(0xb)), "unknown");
}

TEST(Capabilities, NeverWritesConfigSpace) {
    FakeConfigSpace cs;
    testing::add_nvme(cs, kDev);
    (void)read_capabilities(cs, kDev);
    EXPECT_TRUE(cs.writes().empty());
}

}  // namespace
}  // namespace hv::pci
