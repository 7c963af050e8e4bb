#include "drivers/pci/config_space.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/pci/fake_config_space.hpp"

namespace hv::pci {
namespace {

using testing::FakeConfigSpace;

constexpr Bdf kDev(0, 0, 4, 0);

TEST(ConfigSpace, ReadsNarrowRegistersOutOfTheirDword) {
    FakeConfigSpace cs;
    cs.add(kDev, 0x1234, 0x11e8, 0x00ff00, header_type::kEndpoint, 0x10);
    EXPECT_EQ(cs.read(kDev, Reg16::kVendorId), 0x1234);
    EXPECT_EQ(cs.read(kDev, Reg16::kDeviceId), 0x11e8);
    EXPECT_EQ(cs.read(kDev, Reg8::kRevisionId), 0x10);
    EXPECT_EQ(cs.read(kDev, Reg8::kSubclass), 0xff);
    EXPECT_EQ(cs.read(kDev, Reg8::kBaseClass), 0x00);
    EXPECT_EQ(cs.read8(kDev, 0x03), 0x11);
}

TEST(ConfigSpace, AbsentFunctionReadsAllOnes) {
    FakeConfigSpace cs;
    EXPECT_EQ(cs.read(kDev, Reg16::kVendorId), kVendorAbsent);
    EXPECT_EQ(cs.read(kDev, Reg8::kHeaderType), 0xff);
}

TEST(ConfigSpace, CommandWriteLeavesPendingStatusErrorsPending) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x1234, 0x11e8, 0x00ff00);
    fn.set16(offset(Reg16::kStatus), status::kReceivedMasterAbort | status::kCapabilitiesList);
    cs.write(kDev, Reg16::kCommand, command::kMemorySpace | command::kBusMaster);
    EXPECT_EQ(cs.read(kDev, Reg16::kCommand), command::kMemorySpace | command::kBusMaster);
    EXPECT_EQ(cs.read(kDev, Reg16::kStatus),
              status::kReceivedMasterAbort | status::kCapabilitiesList);
    ASSERT_EQ(cs.writes().size(), 1u);
    EXPECT_EQ(cs.writes()[0].value >> 16, 0u);
}

TEST(ConfigSpace, StatusWriteClearsOnlyTheBitsWrittenAndKeepsCommand) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x1234, 0x11e8, 0x00ff00);
    fn.set16(offset(Reg16::kStatus), status::kReceivedMasterAbort | status::kSignaledTargetAbort);
    fn.set16(offset(Reg16::kCommand), command::kMemorySpace);
    cs.write(kDev, Reg16::kStatus, status::kReceivedMasterAbort);
    EXPECT_EQ(cs.read(kDev, Reg16::kStatus), status::kSignaledTargetAbort);
    EXPECT_EQ(cs.read(kDev, Reg16::kCommand), command::kMemorySpace);
}

TEST(ConfigSpace, BridgeIoBaseWriteLeavesSecondaryStatusPending) {
    FakeConfigSpace cs;
    auto& fn = cs.add_bridge(kDev, 0x1b36, 0x000c, 1, 1);
    fn.set16(offset(Reg16::kSecondaryStatus), status::kReceivedMasterAbort);
    cs.write16(kDev, 0x1c, 0x2010);
    EXPECT_EQ(cs.read16(kDev, 0x1c), 0x2010);
    EXPECT_EQ(cs.read(kDev, Reg16::kSecondaryStatus), status::kReceivedMasterAbort);
}

TEST(ConfigSpace, Write16PreservesTheOtherHalfOfOrdinaryRegisters) {
    FakeConfigSpace cs;
    auto& fn = cs.add(kDev, 0x1234, 0x11e8, 0x00ff00);
    fn.set_writable(0x40, 0xffffffffu);
    fn.set32(0x40, 0xaaaa5555u);
    cs.write16(kDev, 0x42, 0x1234);
    EXPECT_EQ(cs.read32(kDev, 0x40), 0x12345555u);
    cs.write16(kDev, 0x40, 0x9876);
    EXPECT_EQ(cs.read32(kDev, 0x40), 0x12349876u);
}

}  // namespace
}  // namespace hv::pci
