#include "drivers/pci/enumerate.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/pci/fake_config_space.hpp"

namespace hv::pci {
namespace {

using testing::FakeConfigSpace;

// QEMU q35 with: edu at 00:04.0, nvme at 00:05.0, a root port at 00:02.0 (secondary bus 1)
// with edu behind it at 01:00.0, ICH9 at 00:1f.{0,2,3}.
void build_q35(FakeConfigSpace& cs) {
    testing::add_q35_host_bridge(cs, Bdf(0, 0, 0, 0));
    testing::add_root_port(cs, Bdf(0, 0, 2, 0), 1, 1);
    testing::add_edu(cs, Bdf(0, 1, 0, 0), 0xfe600000);
    testing::add_edu(cs, Bdf(0, 0, 4, 0));
    testing::add_nvme(cs, Bdf(0, 0, 5, 0));
    testing::add_ich9(cs);
}

std::vector<Bdf> bdfs(const FunctionList& list) {
    std::vector<Bdf> out;
    for (const PciFunction& fn : list) out.push_back(fn.bdf);
    return out;
}

TEST(Enumerate, FindsQemuQ35TopologyDepthFirst) {
    FakeConfigSpace cs;
    build_q35(cs);
    FunctionList list;
    auto r = enumerate(cs, 0, 0, 0xff, list);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 8u);
    const std::vector<Bdf> expected = {Bdf(0, 0, 0, 0),    Bdf(0, 0, 2, 0),   Bdf(0, 1, 0, 0),
                                       Bdf(0, 0, 4, 0),    Bdf(0, 0, 5, 0),   Bdf(0, 0, 0x1f, 0),
                                       Bdf(0, 0, 0x1f, 2), Bdf(0, 0, 0x1f, 3)};
    EXPECT_EQ(bdfs(list), expected);
    EXPECT_EQ(list.dropped(), 0u);
}

TEST(Enumerate, RecordsIdentityClassAndRevision) {
    FakeConfigSpace cs;
    build_q35(cs);
    FunctionList list;
    ASSERT_TRUE(enumerate(cs, 0, 0, 0xff, list).ok());
    const PciFunction* nvme = list.find(Bdf(0, 0, 5, 0));
    ASSERT_NE(nvme, nullptr);
    EXPECT_EQ(nvme->vendor_id, 0x1b36);
    EXPECT_EQ(nvme->device_id, 0x0010);
    EXPECT_EQ(nvme->class_code, 0x010802u);
    EXPECT_EQ(nvme->base_class(), 0x01);
    EXPECT_EQ(nvme->subclass(), 0x08);
    EXPECT_EQ(nvme->prog_if(), 0x02);
    EXPECT_EQ(nvme->revision, 0x02);
    EXPECT_FALSE(nvme->is_bridge());
}

TEST(Enumerate, SizesBarsAndReadsCapabilitiesOfEachFunction) {
    FakeConfigSpace cs;
    build_q35(cs);
    FunctionList list;
    ASSERT_TRUE(enumerate(cs, 0, 0, 0xff, list).ok());
    const PciFunction* edu = list.find(Bdf(0, 0, 4, 0));
    ASSERT_NE(edu, nullptr);
    EXPECT_EQ(edu->bars.bar[0].kind, BarKind::kMem32);
    EXPECT_EQ(edu->bars.bar[0].size, 1u << 20);
    EXPECT_TRUE(edu->caps.msi.present());
    const PciFunction* nvme = list.find(Bdf(0, 0, 5, 0));
    ASSERT_NE(nvme, nullptr);
    EXPECT_EQ(nvme->bars.bar[0].kind, BarKind::kMem64);
    EXPECT_EQ(nvme->bars.bar[0].size, 16u << 10);
    EXPECT_EQ(nvme->caps.sriov.total_vfs, 8);
}

TEST(Enumerate, RecordsBridgeBusNumbersAndParentOfFunctionsBehindIt) {
    FakeConfigSpace cs;
    build_q35(cs);
    FunctionList list;
    ASSERT_TRUE(enumerate(cs, 0, 0, 0xff, list).ok());
    const PciFunction* port = list.find(Bdf(0, 0, 2, 0));
    ASSERT_NE(port, nullptr);
    EXPECT_TRUE(port->is_bridge());
    EXPECT_EQ(port->secondary_bus, 1);
    EXPECT_EQ(port->subordinate_bus, 1);
    EXPECT_TRUE(port->walked_secondary);
    EXPECT_EQ(port->caps.pcie.port_type, PciePortType::kRootPort);
    EXPECT_FALSE(port->parent.has_value());
    const PciFunction* behind = list.find(Bdf(0, 1, 0, 0));
    ASSERT_NE(behind, nullptr);
    ASSERT_TRUE(behind->parent.has_value());
    EXPECT_EQ(*behind->parent, Bdf(0, 0, 2, 0));
    EXPECT_EQ(behind->bars.bar[0].base, 0xfe600000u);
}

TEST(Enumerate, FollowsNestedBridgesAndRecordsImmediateParent) {
    FakeConfigSpace cs;
    testing::add_root_port(cs, Bdf(0, 0, 1, 0), 1, 3);
    cs.add_bridge(Bdf(0, 1, 0, 0), 0x1b36, 0x000d, 2, 3);  // upstream switch port
    cs.add_bridge(Bdf(0, 2, 0, 0), 0x1b36, 0x000e, 3, 3);  // downstream switch port
    testing::add_nvme(cs, Bdf(0, 3, 0, 0));
    FunctionList list;
    ASSERT_TRUE(enumerate(cs, 0, 0, 0xff, list).ok());
    ASSERT_EQ(list.size(), 4u);
    EXPECT_EQ(*list.find(Bdf(0, 3, 0, 0))->parent, Bdf(0, 2, 0, 0));
    EXPECT_EQ(*list.find(Bdf(0, 2, 0, 0))->parent, Bdf(0, 1, 0, 0));
}

TEST(Enumerate, ScansFunctionsOneToSevenOnlyOfMultiFunctionDevices) {
    FakeConfigSpace cs;
    testing::add_edu(cs, Bdf(0, 0, 4, 0));
    // Some single-function devices answer on every function number; a ghost must not be listed.
    testing::add_edu(cs, Bdf(0, 0, 4, 1));
    testing::add_ich9(cs);
    FunctionList list;
    ASSERT_TRUE(enumerate(cs, 0, 0, 0xff, list).ok());
    EXPECT_EQ(list.find(Bdf(0, 0, 4, 1)), nullptr);
    EXPECT_NE(list.find(Bdf(0, 0, 0x1f, 2)), nullptr);
    EXPECT_NE(list.find(Bdf(0, 0, 0x1f, 3)), nullptr);
    EXPECT_EQ(list.size(), 4u);
}

TEST(Enumerate, SkipsDeviceWhoseFunctionZeroIsAbsent) {
    FakeConfigSpace cs;
    testing::add_edu(cs, Bdf(0, 0, 6, 1));
    FunctionList list;
    auto r = enumerate(cs, 0, 0, 0xff, list);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 0u);
    EXPECT_TRUE(list.empty());
}

TEST(Enumerate, SkipsBridgeWhoseSecondaryBusPointsBackToBusZero) {
    FakeConfigSpace cs;
    testing::add_root_port(cs, Bdf(0, 0, 2, 0), 0, 0);
    testing::add_edu(cs, Bdf(0, 0, 4, 0));
    FunctionList list;
    auto r = enumerate(cs, 0, 0, 0xff, list);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 2u);
    EXPECT_FALSE(list.find(Bdf(0, 0, 2, 0))->walked_secondary);
}

TEST(Enumerate, SkipsBridgeWhoseSecondaryBusWasAlreadyWalked) {
    FakeConfigSpace cs;
    testing::add_root_port(cs, Bdf(0, 0, 1, 0), 1, 1);
    testing::add_root_port(cs, Bdf(0, 0, 2, 0), 1, 1);  // misprogrammed: same bus again
    testing::add_edu(cs, Bdf(0, 1, 0, 0));
    FunctionList list;
    auto r = enumerate(cs, 0, 0, 0xff, list);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 3u);
    EXPECT_TRUE(list.find(Bdf(0, 0, 1, 0))->walked_secondary);
    EXPECT_FALSE(list.find(Bdf(0, 0, 2, 0))->walked_secondary);
}

TEST(Enumerate, SkipsBridgeLoopBackToAnAncestorBus) {
    FakeConfigSpace cs;
    testing::add_root_port(cs, Bdf(0, 0, 1, 0), 1, 2);
    cs.add_bridge(Bdf(0, 1, 0, 0), 0x1b36, 0x000d, 0, 0);
    cs.add_bridge(Bdf(0, 1, 1, 0), 0x1b36, 0x000d, 1, 1);
    FunctionList list;
    auto r = enumerate(cs, 0, 0, 0xff, list);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 3u);
}

TEST(Enumerate, SkipsBridgeWhoseSecondaryBusIsOutsideTheRange) {
    FakeConfigSpace cs;
    testing::add_root_port(cs, Bdf(0, 0x10, 1, 0), 0x40, 0x40);
    testing::add_edu(cs, Bdf(0, 0x40, 0, 0));
    FunctionList list;
    auto r = enumerate(cs, 0, 0x10, 0x3f, list);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 1u);
    EXPECT_FALSE(list[0].walked_secondary);
}

TEST(Enumerate, StartsAtTheGivenSegmentAndBus) {
    FakeConfigSpace cs;
    testing::add_edu(cs, Bdf(1, 0x80, 3, 0));
    testing::add_edu(cs, Bdf(0, 0x80, 3, 0));
    FunctionList list;
    ASSERT_TRUE(enumerate(cs, 1, 0x80, 0xff, list).ok());
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].bdf, Bdf(1, 0x80, 3, 0));
}

TEST(Enumerate, NeverReprogramsBridgeBusNumbers) {
    FakeConfigSpace cs;
    build_q35(cs);
    FunctionList list;
    ASSERT_TRUE(enumerate(cs, 0, 0, 0xff, list).ok());
    for (const auto& w : cs.writes()) {
        if (w.bdf == Bdf(0, 0, 2, 0)) {
            EXPECT_NE(w.offset, offset(Reg32::kBusNumbers));
        }
    }
    EXPECT_FALSE(cs.probed_while_decoding());
}

TEST(Enumerate, KeepsFirstFunctionsAndCountsDroppedWhenFull) {
    FakeConfigSpace cs;
    // 9 buses of 32 multi-function-less devices = 288 functions behind 8 root ports on bus 0.
    for (std::uint8_t port = 0; port < 8; ++port) {
        testing::add_root_port(cs, Bdf(0, 0, port, 0), port + 1, port + 1);
        for (std::uint8_t dev = 0; dev < 32; ++dev) {
            cs.add(Bdf(0, port + 1, dev, 0), 0x8086, 0x10d3, 0x020000);
        }
    }
    FunctionList list;
    auto r = enumerate(cs, 0, 0, 0xff, list);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
    EXPECT_EQ(list.size(), FunctionList::kCapacity);
    EXPECT_EQ(list.dropped(), 8u + 8u * 32u - FunctionList::kCapacity);
}

TEST(Enumerate, RejectsStartBusAfterEndBus) {
    FakeConfigSpace cs;
    FunctionList list;
    auto r = enumerate(cs, 0, 5, 4, list);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalid);
}

TEST(Enumerate, ClearsThePreviousResult) {
    FakeConfigSpace cs;
    build_q35(cs);
    FunctionList list;
    ASSERT_TRUE(enumerate(cs, 0, 0, 0xff, list).ok());
    FakeConfigSpace empty;
    auto r = enumerate(empty, 0, 0, 0xff, list);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(list.empty());
}

TEST(Enumerate, WorksThroughLegacyMechanismWithoutExtendedCapabilities) {
    FakeConfigSpace cs(/*extended=*/false);
    build_q35(cs);
    FunctionList list;
    ASSERT_TRUE(enumerate(cs, 0, 0, 0xff, list).ok());
    EXPECT_EQ(list.size(), 8u);
    const PciFunction* nvme = list.find(Bdf(0, 0, 5, 0));
    EXPECT_TRUE(nvme->caps.msix.present());
    EXPECT_FALSE(nvme->caps.sriov.present());
}

TEST(Enumerate, RecordsCardBusFunctionWithoutBars) {
    FakeConfigSpace cs;
    cs.add(Bdf(0, 0, 3, 0), 0x104c, 0xac56, 0x060700, header_type::kCardBus);
    FunctionList list;
    ASSERT_TRUE(enumerate(cs, 0, 0, 0xff, list).ok());
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].bars.slot_count, 0);
    EXPECT_FALSE(list[0].is_bridge());
}

}  // namespace
}  // namespace hv::pci
