#include "gpu_passthrough/iommu_groups.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "gpu_passthrough/assignability.hpp"

namespace hv::passthrough {
namespace {

using pci::Bdf;
using pci::PciePortType;
using pci::PciFunction;

constexpr std::uint8_t kMf = 0x80;
constexpr std::uint8_t kType1 = 0x01;

struct Fn {
    Bdf bdf;
    std::uint32_t class_code = 0x020000;
    std::uint8_t header = 0;
    Optional<Bdf> parent = {};
};

PciFunction conventional(Fn f) {
    PciFunction fn;
    fn.bdf = f.bdf;
    fn.class_code = f.class_code;
    fn.header_type = f.header;
    fn.parent = f.parent;
    return fn;
}

PciFunction pcie(Fn f, PciePortType type, bool acs = false, bool flr = false) {
    PciFunction fn = conventional(f);
    fn.caps.pcie.offset = 0x40;
    fn.caps.pcie.port_type = type;
    fn.caps.pcie.flr = flr;
    if (acs) {
        fn.caps.acs.offset = 0x100;
        fn.caps.acs.capability = 0x5f;  // SV, TB, RR, CR, UF, DT
    }
    return fn;
}

PciFunction bridge(PciFunction fn, std::uint8_t secondary, std::uint8_t subordinate) {
    fn.header_type |= kType1;
    fn.class_code = 0x060400;
    fn.secondary_bus = secondary;
    fn.subordinate_bus = subordinate;
    fn.walked_secondary = true;
    return fn;
}

std::vector<std::uint16_t> groups_of(const std::vector<PciFunction>& fns) {
    IommuGroups groups;
    groups.compute(fns);
    std::vector<std::uint16_t> out;
    for (std::size_t i = 0; i < groups.function_count(); ++i) out.push_back(groups.group_of(i));
    return out;
}

// QEMU q35: host bridge, VGA, e1000 and the ICH9 functions at 00:1f, all conventional on bus 0.
std::vector<PciFunction> q35() {
    return {
        conventional({Bdf(0, 0, 0, 0), 0x060000}),
        conventional({Bdf(0, 0, 1, 0), 0x030000}),
        conventional({Bdf(0, 0, 2, 0), 0x020000}),
        conventional({Bdf(0, 0, 0x1f, 0), 0x060100, kMf}),
        conventional({Bdf(0, 0, 0x1f, 2), 0x010601, kMf}),
        conventional({Bdf(0, 0, 0x1f, 3), 0x0c0500, kMf}),
    };
}

const Bdf kRootPort(0, 0, 0x1c, 0);

// A root port at 00:1c.0 leading to buses 1..`subordinate`.
PciFunction root_port(bool acs, std::uint8_t subordinate = 1) {
    return bridge(pcie({kRootPort}, PciePortType::kRootPort, acs), 1, subordinate);
}

std::vector<PciFunction> nvme_below_root_port(bool acs) {
    return {
        root_port(acs),
        pcie({Bdf(0, 1, 0, 0), 0x010802, 0, kRootPort}, PciePortType::kEndpoint, false, true),
    };
}

// QEMU x3130 switch: upstream port 01:00.0, downstream ports 02:00.0 and 02:01.0 without ACS,
// an endpoint below each.
const Bdf kUpstream(0, 1, 0, 0);
const Bdf kDown0(0, 2, 0, 0);
const Bdf kDown1(0, 2, 1, 0);
const Bdf kEndpointA(0, 3, 0, 0);
const Bdf kEndpointB(0, 4, 0, 0);

std::vector<PciFunction> xio3130(bool down_acs) {
    return {
        root_port(true, 4),
        bridge(pcie({kUpstream, 0, 0, kRootPort}, PciePortType::kUpstreamSwitchPort), 2, 4),
        bridge(pcie({kDown0, 0, 0, kUpstream}, PciePortType::kDownstreamSwitchPort, down_acs), 3,
               3),
        bridge(pcie({kDown1, 0, 0, kUpstream}, PciePortType::kDownstreamSwitchPort, down_acs), 4,
               4),
        pcie({kEndpointA, 0x020000, 0, kDown0}, PciePortType::kEndpoint, false, true),
        pcie({kEndpointB, 0x020000, 0, kDown1}, PciePortType::kEndpoint, false, true),
    };
}

// A PCIe-to-PCI bridge at 01:00.0 with two conventional devices on bus 2.
const Bdf kPciBridge(0, 1, 0, 0);
const Bdf kLegacyA(0, 2, 1, 0);
const Bdf kLegacyB(0, 2, 2, 0);

std::vector<PciFunction> behind_pci_bridge() {
    return {
        root_port(true, 2),
        bridge(pcie({kPciBridge, 0, 0, kRootPort}, PciePortType::kPcieToPciBridge), 2, 2),
        conventional({kLegacyA, 0x020000, 0, kPciBridge}),
        conventional({kLegacyB, 0x040100, 0, kPciBridge}),
    };
}

// An SR-IOV NIC: PF 01:00.0 and two VFs (ARI routing IDs 01:00.1, 01:00.2), root port with ACS.
std::vector<PciFunction> sriov() {
    PciFunction pf =
        pcie({Bdf(0, 1, 0, 0), 0x020000, 0, kRootPort}, PciePortType::kEndpoint, false, true);
    pf.caps.sriov.offset = 0x160;
    pf.caps.sriov.total_vfs = 2;
    pf.caps.ari.offset = 0x150;
    return {
        root_port(true),
        pf,
        pcie({Bdf(0, 1, 0, 1), 0x020000, 0, kRootPort}, PciePortType::kEndpoint, false, true),
        pcie({Bdf(0, 1, 0, 2), 0x020000, 0, kRootPort}, PciePortType::kEndpoint, false, true),
    };
}

using Groups = std::vector<std::uint16_t>;

TEST(IommuGroups, Q35GivesEachDeviceItsOwnGroupAndTheIch9SlotOne) {
    EXPECT_EQ(groups_of(q35()), (Groups{0, 1, 2, 3, 3, 3}));
}

TEST(IommuGroups, NvmeBelowRootPortWithAcsIsAlone) {
    EXPECT_EQ(groups_of(nvme_below_root_port(true)), (Groups{0, 1}));
}

TEST(IommuGroups, NvmeBelowRootPortWithoutAcsJoinsThePort) {
    EXPECT_EQ(groups_of(nvme_below_root_port(false)), (Groups{0, 0}));
}

TEST(IommuGroups, EndpointsBelowSwitchPortsWithoutAcsShareOneGroup) {
    EXPECT_EQ(groups_of(xio3130(false)), (Groups{0, 1, 2, 2, 2, 2}));
}

TEST(IommuGroups, EndpointsBelowSwitchPortsWithAcsAreApart) {
    EXPECT_EQ(groups_of(xio3130(true)), (Groups{0, 1, 2, 3, 4, 5}));
}

TEST(IommuGroups, OneSwitchPortWithoutAcsPullsInItsSiblingsSubtrees) {
    std::vector<PciFunction> fns = xio3130(true);
    fns[2].caps.acs.offset = 0;  // 02:00.0 loses ACS: 03:00.0 can reach 04:00.0 across the switch
    EXPECT_EQ(groups_of(fns), (Groups{0, 1, 2, 2, 2, 2}));
}

TEST(IommuGroups, ConventionalDevicesShareThePcieToPciBridgeGroup) {
    EXPECT_EQ(groups_of(behind_pci_bridge()), (Groups{0, 1, 1, 1}));
}

TEST(IommuGroups, SriovVirtualFunctionsBelowAcsPortAreApart) {
    EXPECT_EQ(groups_of(sriov()), (Groups{0, 1, 2, 3}));
}

TEST(IommuGroups, MultifunctionEndpointWithAcsOnEachFunctionIsSplit) {
    std::vector<PciFunction> fns = nvme_below_root_port(true);
    fns[1].header_type = kMf;
    fns.push_back(pcie({Bdf(0, 1, 0, 1), 0x040300, kMf, kRootPort}, PciePortType::kEndpoint));
    EXPECT_EQ(groups_of(fns), (Groups{0, 1, 1}));
    fns[1].caps.acs.offset = 0x100;
    fns[2].caps.acs.offset = 0x100;
    EXPECT_EQ(groups_of(fns), (Groups{0, 1, 2}));
}

TEST(IommuGroups, MembersListsTheGroupInInputOrder) {
    IommuGroups groups;
    const std::vector<PciFunction> fns = q35();
    groups.compute(fns);
    std::uint16_t out[4] = {};
    ASSERT_EQ(groups.members(3, out), 3u);
    EXPECT_EQ(out[0], 3);
    EXPECT_EQ(out[2], 5);
    EXPECT_EQ(groups.group_count(), 4);
}

class FakeIommu final : public Iommu {
  public:
    explicit FakeIommu(std::uint16_t uncovered_bus = 0xffff) : uncovered_bus_(uncovered_bus) {}
    const char* name() const override { return "fake"; }
    bool covers(Bdf bdf) const override { return bdf.bus() != uncovered_bus_; }
    Result<IommuDomain*> create_domain() override { return make_error(Errc::kUnsupported, ""); }
    void destroy_domain(IommuDomain*) override {}
    Result<void> attach(Bdf, IommuDomain&) override { return Ok{}; }
    void detach(Bdf) override {}
    std::uint32_t poll_faults(FaultSink&) override { return 0; }
    bool remaps_interrupts() const override { return false; }
    Result<MsiMessage> map_interrupt(Bdf, std::uint16_t, std::uint8_t, std::uint32_t) override {
        return make_error(Errc::kUnsupported, "fake");
    }
    void unmap_interrupt(Bdf, std::uint16_t) override {}

  private:
    std::uint16_t uncovered_bus_;
};

class Assignment : public ::testing::Test {
  protected:
    HostDevices host(const std::vector<PciFunction>& fns) {
        fns_ = fns;
        groups_.compute(fns_);
        return HostDevices{.functions = fns_, .groups = &groups_, .iommu = &iommu_};
    }
    static std::string refusal(const HostDevices& h, std::initializer_list<Bdf> vm) {
        const std::vector<Bdf> devices(vm);
        auto r = check_assignment(h, devices);
        if (r) return "ok";
        BufferSink<256> s;
        format_to(s, r.error());
        return s.c_str();
    }
    static std::string line(const HostDevices& h, std::size_t index) {
        BufferSink<256> s;
        format_inventory_line(s, h, index);
        return s.c_str();
    }

    std::vector<PciFunction> fns_;
    IommuGroups groups_;
    FakeIommu iommu_;
};

TEST_F(Assignment, RefusesOneEndpointOfASharedGroupNamingTheOther) {
    const HostDevices h = host(xio3130(false));
    EXPECT_EQ(refusal(h, {kEndpointA}),
              "device 0000:03:00.0: shares IOMMU group 2 with 0000:04:00.0, which is not "
              "assigned to this VM");
}

TEST_F(Assignment, AcceptsTheWholeGroupLeavingItsBridgesToTheHost) {
    const HostDevices h = host(xio3130(false));
    EXPECT_EQ(refusal(h, {kEndpointA, kEndpointB}), "ok");
}

TEST_F(Assignment, RefusesOneFunctionOfTheIch9Slot) {
    const HostDevices h = host(q35());
    EXPECT_EQ(refusal(h, {Bdf(0, 0, 0x1f, 2)}),
              "device 0000:00:1f.2: shares IOMMU group 3 with 0000:00:1f.0, which is not "
              "assigned to this VM");
}

TEST_F(Assignment, RefusesBridgesAndHostBridges) {
    EXPECT_EQ(refusal(host(nvme_below_root_port(true)), {kRootPort}),
              "device 0000:00:1c.0: is a bridge");
    EXPECT_EQ(refusal(host(q35()), {Bdf(0, 0, 0, 0)}), "device 0000:00:00.0: is a host bridge");
}

TEST_F(Assignment, RefusesTheIommuItself) {
    std::vector<PciFunction> fns = q35();
    fns.push_back(conventional({Bdf(0, 0, 0x14, 0), 0x080600}));
    EXPECT_EQ(refusal(host(fns), {Bdf(0, 0, 0x14, 0)}), "device 0000:00:14.0: is the IOMMU");
}

TEST_F(Assignment, RefusesDevicesTheIommuDoesNotCover) {
    iommu_ = FakeIommu(1);
    EXPECT_EQ(refusal(host(nvme_below_root_port(true)), {Bdf(0, 1, 0, 0)}),
              "device 0000:01:00.0: not translated by the IOMMU");
}

TEST_F(Assignment, RefusesEverythingWithoutAnIommu) {
    HostDevices h = host(nvme_below_root_port(true));
    h.iommu = nullptr;
    EXPECT_EQ(refusal(h, {Bdf(0, 1, 0, 0)}), "device 0000:01:00.0: no IOMMU is enabled");
}

TEST_F(Assignment, RefusesUnknownDevices) {
    EXPECT_EQ(refusal(host(q35()), {Bdf(0, 9, 0, 0)}),
              "device 0000:09:00.0: not found on the host");
}

TEST_F(Assignment, RefusesFunctionsWithoutResetMethod) {
    EXPECT_EQ(refusal(host(behind_pci_bridge()), {kLegacyA, kLegacyB}),
              "device 0000:02:01.0: no reset method (no FLR, no PM reset, not alone below a "
              "bridge)");
}

TEST_F(Assignment, PrefersFlrThenPmThenBusReset) {
    std::vector<PciFunction> fns = behind_pci_bridge();
    fns.pop_back();  // 02:01.0 is now alone on its bus
    HostDevices h = host(fns);
    EXPECT_EQ(reset_method(h, 2), ResetMethod::kBus);
    fns_[2].caps.pm.offset = 0x50;
    EXPECT_EQ(reset_method(h, 2), ResetMethod::kBus);  // No_Soft_Reset unknown
    h.pm_reset_works = [](const PciFunction&) { return true; };
    EXPECT_EQ(reset_method(h, 2), ResetMethod::kPm);
    EXPECT_EQ(reset_method(h, 0), ResetMethod::kNone);  // a bridge
    EXPECT_EQ(reset_method(host(nvme_below_root_port(true)), 1), ResetMethod::kFlr);
}

TEST_F(Assignment, AcceptsSriovVirtualFunctionsOneByOne) {
    EXPECT_EQ(refusal(host(sriov()), {Bdf(0, 1, 0, 2)}), "ok");
}

TEST_F(Assignment, InventoryLineForAnAssignableEndpoint) {
    EXPECT_EQ(line(host(nvme_below_root_port(true)), 1),
              "passthrough 0000:01:00.0 group=1 reset=flr assignable=yes");
}

TEST_F(Assignment, InventoryLineTreatsTheWholeGroupAsOneVm) {
    EXPECT_EQ(line(host(xio3130(false)), 4),
              "passthrough 0000:03:00.0 group=2 reset=flr assignable=yes");
    EXPECT_EQ(line(host(q35()), 4),
              "passthrough 0000:00:1f.2 group=3 reset=none assignable=no reason=no reset method "
              "(no FLR, no PM reset, not alone below a bridge)");
}

TEST_F(Assignment, InventoryLineNotesLegacyVga) {
    std::vector<PciFunction> fns = q35();
    fns[1] = pcie({Bdf(0, 0, 1, 0), 0x030000}, PciePortType::kRcIntegratedEndpoint, false, true);
    EXPECT_EQ(line(host(fns), 1),
              "passthrough 0000:00:01.0 group=1 reset=flr assignable=yes note=vga-legacy");
}

}  // namespace
}  // namespace hv::passthrough
