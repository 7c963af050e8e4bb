#include "drivers/pci/config_regs.hpp"

#include <gtest/gtest.h>

namespace hv::pci {
namespace {

// PCI 3.0 sec 6.1, fig. 6-1 and PPB 1.2 sec 3.2, fig. 3-2.
TEST(ConfigRegs, HeaderOffsetsMatchTheSpecification) {
    EXPECT_EQ(offset(Reg16::kVendorId), 0x00);
    EXPECT_EQ(offset(Reg16::kCommand), 0x04);
    EXPECT_EQ(offset(Reg16::kStatus), 0x06);
    EXPECT_EQ(offset(Reg32::kClassRevision), 0x08);
    EXPECT_EQ(offset(Reg8::kHeaderType), 0x0e);
    EXPECT_EQ(offset(Reg32::kBar0), 0x10);
    EXPECT_EQ(offset(Reg8::kSecondaryBus), 0x19);
    EXPECT_EQ(offset(Reg8::kSubordinateBus), 0x1a);
    EXPECT_EQ(offset(Reg8::kCapabilitiesPointer), 0x34);
    EXPECT_EQ(offset(Reg16::kBridgeControl), 0x3e);
}

TEST(ConfigRegs, RegisterBitsMatchTheSpecification) {
    EXPECT_EQ(command::kIoSpace | command::kMemorySpace | command::kBusMaster, 0x7);
    EXPECT_EQ(command::kIntxDisable, 0x400);
    EXPECT_EQ(status::kCapabilitiesList, 0x10);
    EXPECT_EQ(header_type::kMultiFunction, 0x80);
    EXPECT_EQ(bridge_control::kSecondaryBusReset, 0x40);
}

TEST(ConfigRegs, CapabilityIdsMatchTheAssignments) {
    EXPECT_EQ(static_cast<int>(CapId::kPowerManagement), 0x01);
    EXPECT_EQ(static_cast<int>(CapId::kMsi), 0x05);
    EXPECT_EQ(static_cast<int>(CapId::kVendorSpecific), 0x09);
    EXPECT_EQ(static_cast<int>(CapId::kPciExpress), 0x10);
    EXPECT_EQ(static_cast<int>(CapId::kMsiX), 0x11);
    EXPECT_EQ(static_cast<int>(ExtCapId::kAer), 0x0001);
    EXPECT_EQ(static_cast<int>(ExtCapId::kAcs), 0x000d);
    EXPECT_EQ(static_cast<int>(ExtCapId::kAri), 0x000e);
    EXPECT_EQ(static_cast<int>(ExtCapId::kSrIov), 0x0010);
}

TEST(ConfigRegs, SplitsExtendedCapabilityHeader) {
    EXPECT_EQ(ext_cap_id(0x14820010), 0x0010);
    EXPECT_EQ(ext_cap_version(0x14820010), 2);
    EXPECT_EQ(ext_cap_next(0x14820010), 0x148);
    EXPECT_EQ(ext_cap_next(0xfff00001), 0xffc);
}

// PCI PM 1.2 sec 3.2.4, PCI 3.0 sec 6.8.1-6.8.2, PCIe 5.0 sec 7.5.3.
TEST(ConfigRegs, CapabilityRegistersMatchTheSpecifications) {
    EXPECT_EQ(pm_cap::kControlStatus, 0x04);
    EXPECT_EQ(pm_cap::kNoSoftReset, 0x0008);
    EXPECT_EQ(pm_cap::kPmeStatus, 0x8000);
    EXPECT_EQ(msi_cap::kData64 - msi_cap::kData32, 4);
    EXPECT_EQ(msi_cap::kMask64, 0x10);
    EXPECT_EQ(msix_cap::kEnable | msix_cap::kFunctionMask, 0xc000);
    EXPECT_EQ(pcie_cap::kDeviceControl, 0x08);
    EXPECT_EQ(pcie_cap::kLinkControl, 0x10);
    EXPECT_EQ(pcie_cap::kDeviceControl2, 0x28);
    EXPECT_EQ(pcie_cap::kFlrCapable, 0x10000000u);
    EXPECT_EQ(pcie_cap::kInitiateFlr, 0x8000);
    EXPECT_EQ(pcie_cap::kTransactionsPending, 0x0020);
}

}  // namespace
}  // namespace hv::pci
