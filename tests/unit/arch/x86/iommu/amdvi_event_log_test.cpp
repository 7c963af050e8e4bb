#include "arch/x86/iommu/amdvi/event_log.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace hv::amdvi {
namespace {

// IO_PAGE_FAULT (2h in 63:60) | flags PE, RW, PR (54, 53, 52) | DomainID 5 (47:32) |
// DeviceID 01:01.0; address 0xDEAD000.
constexpr EventLogEntry kWriteFault{0x2070000500000108ull, 0xDEAD000ull};

TEST(AmdViEventLog, DecodesIoPageFault) {
    EXPECT_EQ(kWriteFault.code(), EventCode::kIoPageFault);
    EXPECT_EQ(kWriteFault.device_id(), 0x0108u);
    EXPECT_EQ(kWriteFault.domain_id(), 5u);
    EXPECT_EQ(kWriteFault.flags(), 0x070u);
    EXPECT_TRUE(kWriteFault.has(EventLogEntry::kWrite));
    EXPECT_TRUE(kWriteFault.has(EventLogEntry::kPresent));
    EXPECT_TRUE(kWriteFault.has(EventLogEntry::kPermission));
    EXPECT_FALSE(kWriteFault.has(EventLogEntry::kInterrupt));
    EXPECT_EQ(kWriteFault.address(), 0xDEAD000u);
    EXPECT_FALSE(kWriteFault.empty());
    EXPECT_TRUE(EventLogEntry(0, 0).empty());
}

TEST(AmdViEventLog, DecodesPasidWithGuestFlag) {
    // GN (48), PASID[19:16] = 3 in 19:16, PASID[15:0] = 0x4567 in 47:32.
    const EventLogEntry e(0x2001456700030108ull, 0);
    EXPECT_TRUE(e.has(EventLogEntry::kGuest));
    EXPECT_EQ(e.pasid(), 0x34567u);
    EXPECT_EQ(e.device_id(), 0x0108u);
}

TEST(AmdViEventLog, EventNamesFollowTheSpec) {
    EXPECT_STREQ(event_name(EventCode::kIoPageFault), "IO_PAGE_FAULT");
    EXPECT_STREQ(event_name(EventCode::kIllegalDeviceTableEntry), "ILLEGAL_DEV_TABLE_ENTRY");
    EXPECT_STREQ(event_name(EventCode::kCommandHardwareError), "COMMAND_HARDWARE_ERROR");
    std::set<std::string> names;
    for (unsigned c = 0x1; c <= 0xA; ++c) names.insert(event_name(static_cast<EventCode>(c)));
    EXPECT_EQ(names.size(), 10u);
    EXPECT_EQ(names.count("UNKNOWN_EVENT"), 0u);
    EXPECT_STREQ(event_name(static_cast<EventCode>(0xF)), "UNKNOWN_EVENT");
    EXPECT_STREQ(event_name(static_cast<EventCode>(0x0)), "UNKNOWN_EVENT");
}

TEST(AmdViEventLog, PageFaultConvertsToIommuFault) {
    const auto f = to_fault(kWriteFault, 0);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->bdf, pci::Bdf(0, 1, 1, 0));
    EXPECT_EQ(f->address, 0xDEAD000u);
    EXPECT_TRUE(f->write);
    EXPECT_FALSE(f->interrupt);
    EXPECT_STREQ(f->reason, "I/O page access not permitted");
    EXPECT_EQ(f->vendor, iommu::Vendor::kAmdVi);
    EXPECT_EQ(f->vendor_code, 0x2u);
    EXPECT_EQ(to_fault(kWriteFault, 1)->bdf, pci::Bdf(1, 1, 1, 0));
}

TEST(AmdViEventLog, NotPresentReadFault) {
    const auto f = to_fault(EventLogEntry(0x2000000500000108ull, 0x1000), 0);
    ASSERT_TRUE(f.has_value());
    EXPECT_FALSE(f->write);
    EXPECT_STREQ(f->reason, "I/O page not present");
}

TEST(AmdViEventLog, ReservedBitFault) {
    const auto f = to_fault(EventLogEntry(0x2090000500000108ull, 0x1000), 0);  // RZ, PR
    ASSERT_TRUE(f.has_value());
    EXPECT_STREQ(f->reason, "reserved bit set in an I/O page table");
}

TEST(AmdViEventLog, InterruptRequestFault) {
    // I (51) | RW (53); the address is the MSI's.
    const auto f = to_fault(EventLogEntry(0x2028000500000108ull, 0xFEE00000ull), 0);
    ASSERT_TRUE(f.has_value());
    EXPECT_TRUE(f->interrupt);
    EXPECT_TRUE(f->write);
    EXPECT_EQ(f->address, 0xFEE00000u);
    EXPECT_STREQ(f->reason, "interrupt request blocked");
}

TEST(AmdViEventLog, IllegalDeviceTableEntryIsADeviceFault) {
    const auto f = to_fault(EventLogEntry(0x1000000000000210ull, 0x2000), 0);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->bdf, pci::Bdf(0, 2, 2, 0));
    EXPECT_EQ(f->vendor_code, 0x1u);
    EXPECT_STREQ(f->reason, "illegal device table entry");
}

TEST(AmdViEventLog, IommuErrorsAreNotDeviceFaults) {
    EXPECT_FALSE(to_fault(EventLogEntry(0x5000000000000000ull, 0x10000), 0).has_value());
    EXPECT_FALSE(to_fault(EventLogEntry(0x6000000000000000ull, 0x10000), 0).has_value());
    EXPECT_FALSE(to_fault(EventLogEntry(0x7000000000000108ull, 0), 0).has_value());
    EXPECT_FALSE(to_fault(EventLogEntry(0, 0), 0).has_value());
}

}  // namespace
}  // namespace hv::amdvi
