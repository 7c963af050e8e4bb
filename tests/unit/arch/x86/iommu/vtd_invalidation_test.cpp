#include "arch/x86/iommu/vtd/invalidation.hpp"

#include <gtest/gtest.h>

namespace hv::vtd {
namespace {

using D = InvalidationDescriptor;

TEST(VtdInvalidation, ContextCacheGranularities) {
    // Type 1, G in 5:4, DID 31:16, SID 47:32, FM 49:48.
    EXPECT_EQ(D::context_global().low(), 0x11u);
    EXPECT_EQ(D::context_domain(5).low(), 0x50021u);
    EXPECT_EQ(D::context_device(5, 0x0108).low(), 0x0000010800050031ull);
    EXPECT_EQ(D::context_device(5, 0x0108, 3).low(), 0x0003010800050031ull);
    EXPECT_EQ(D::context_device(5, 0x0108).high(), 0u);
    EXPECT_EQ(D::context_global().type(), DescriptorType::kContextCache);
}

TEST(VtdInvalidation, IotlbGlobalAndDomainWithDrains) {
    // Type 2, G in 5:4, DW bit 6, DR bit 7, DID 31:16.
    EXPECT_EQ(D::iotlb_global().low(), 0x12u);
    EXPECT_EQ(D::iotlb_global({.reads = true, .writes = true}).low(), 0xD2u);
    EXPECT_EQ(D::iotlb_domain(7).low(), 0x70022u);
    EXPECT_EQ(D::iotlb_domain(7, {.writes = true}).low(), 0x70062u);
    EXPECT_EQ(D::iotlb_domain(7).high(), 0u);
}

TEST(VtdInvalidation, IotlbPageSelectiveCarriesAddressMaskAndHint) {
    const auto one = D::iotlb_pages(7, 0x12345000, 0, false, {.reads = true});
    EXPECT_EQ(one.low(), 0x700B2u);
    EXPECT_EQ(one.high(), 0x12345000u);
    // A 2 MiB range: AM 9 in 69:64, IH in 70.
    const auto large = D::iotlb_pages(7, 0x40000000, 9, true);
    EXPECT_EQ(large.low(), 0x70032u);
    EXPECT_EQ(large.high(), 0x40000049u);
}

TEST(VtdInvalidation, InterruptEntryCache) {
    // Type 4, G bit 4, IM 31:27, IIDX 47:32.
    EXPECT_EQ(D::interrupt_entries_global().low(), 0x4u);
    EXPECT_EQ(D::interrupt_entries(0x1234).low(), 0x0000123400000014ull);
    EXPECT_EQ(D::interrupt_entries(0x20, 5).low(), 0x0000002028000014ull);
}

TEST(VtdInvalidation, WaitWritesStatusData) {
    // Type 5, SW bit 5, FN bit 6, status data 63:32; status address in the high word.
    const auto w = D::wait(HostPhys(0x5008), 0xCAFE);
    EXPECT_EQ(w.low(), 0x0000CAFE00000025ull);
    EXPECT_EQ(w.high(), 0x5008u);
    EXPECT_EQ(D::wait(HostPhys(0x5008), 1, true).low(), 0x0000000100000065ull);
    EXPECT_EQ(D::wait_interrupt().low(), 0x15u);  // IF bit 4
    EXPECT_EQ(w.type(), DescriptorType::kInvalidationWait);
}

}  // namespace
}  // namespace hv::vtd
