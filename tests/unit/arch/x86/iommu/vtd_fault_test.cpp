#include "arch/x86/iommu/vtd/fault.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

namespace hv::vtd {
namespace {

// F (127) | T = 0, write (126) | FR 05h (103:96) | SID 01:01.0 (79:64); page 0xDEAD5000.
constexpr FaultRecord kWriteFault{0xDEAD5000ull, 0x8000000500000108ull};

TEST(VtdFaultRecord, DecodesDmaWriteFault) {
    EXPECT_TRUE(kWriteFault.valid());
    EXPECT_EQ(kWriteFault.reason(), 0x05u);
    EXPECT_EQ(kWriteFault.source_id(), 0x0108u);
    EXPECT_FALSE(kWriteFault.read());
    EXPECT_EQ(kWriteFault.address(), 0xDEAD5000u);
    EXPECT_FALSE(kWriteFault.interrupt());
    EXPECT_FALSE(kWriteFault.pasid_present());
}

TEST(VtdFaultRecord, TypeBitMarksReads) {
    const FaultRecord r(0x1000, 0xC000000600000108ull);  // T set, FR 06h
    EXPECT_TRUE(r.read());
    EXPECT_STREQ(reason_name(r.reason()), "read from a page without read permission");
}

TEST(VtdFaultRecord, DecodesPasidAndAddressType) {
    // PP (95), PV 0x12345 (123:104), AT 10b (125:124).
    const FaultRecord r(0x2000, 0xA123450500000000ull | (1ull << 31) | 0x0010);
    EXPECT_TRUE(r.pasid_present());
    EXPECT_EQ(r.pasid(), 0x12345u);
    EXPECT_EQ(r.address_type(), 2u);
    EXPECT_EQ(r.reason(), 0x05u);
    EXPECT_EQ(r.source_id(), 0x0010u);
}

TEST(VtdFaultRecord, InterruptFaultCarriesIndex) {
    // FR 22h (IRTE not present); FI 63:48 = interrupt index 0x2A.
    const FaultRecord r(0x002A000000000000ull, 0x8000002200000300ull);
    EXPECT_TRUE(r.interrupt());
    EXPECT_EQ(r.interrupt_index(), 0x2Au);
}

TEST(VtdFaultRecord, ReasonNamesCoverAppendixA) {
    std::set<std::string> names;
    for (unsigned r = 0x1; r <= 0xD; ++r) names.insert(reason_name(static_cast<std::uint8_t>(r)));
    for (unsigned r = 0x20; r <= 0x27; ++r) names.insert(reason_name(static_cast<std::uint8_t>(r)));
    EXPECT_EQ(names.size(), 13u + 8u);  // all distinct
    EXPECT_EQ(names.count("unknown fault reason"), 0u);
    EXPECT_STREQ(reason_name(0x00), "unknown fault reason");
    EXPECT_STREQ(reason_name(0x0E), "unknown fault reason");
    EXPECT_STREQ(reason_name(0x28), "unknown fault reason");
    EXPECT_STREQ(reason_name(0x02), "context entry not present");
}

TEST(VtdFaultRecord, ConvertsToIommuFault) {
    const auto f = to_fault(kWriteFault, 0);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->bdf, pci::Bdf(0, 1, 1, 0));
    EXPECT_EQ(f->address, 0xDEAD5000u);
    EXPECT_TRUE(f->write);
    EXPECT_FALSE(f->interrupt);
    EXPECT_STREQ(f->reason, "write to a page without write permission");
    EXPECT_EQ(f->vendor, iommu::Vendor::kVtd);
    EXPECT_EQ(f->vendor_code, 0x05u);
}

TEST(VtdFaultRecord, IommuFaultKeepsTheUnitsSegment) {
    const auto f = to_fault(kWriteFault, 2);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->bdf, pci::Bdf(2, 1, 1, 0));
}

TEST(VtdFaultRecord, InterruptFaultBecomesWriteWithIndexAsAddress) {
    const auto f = to_fault(FaultRecord(0x002A000000000000ull, 0xC000002200000300ull), 0);
    ASSERT_TRUE(f.has_value());
    EXPECT_TRUE(f->interrupt);
    EXPECT_TRUE(f->write);
    EXPECT_EQ(f->address, 0x2Au);
    EXPECT_EQ(f->bdf, pci::Bdf(0, 3, 0, 0));
    EXPECT_STREQ(f->reason, "interrupt remapping entry not present");
}

TEST(VtdFaultRecord, NoFaultWhenFIsClear) {
    EXPECT_FALSE(to_fault(FaultRecord(0xDEAD5000ull, 0x0000000500000108ull), 0).has_value());
}

}  // namespace
}  // namespace hv::vtd
