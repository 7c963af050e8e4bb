#include "vmm/cpuid_policy.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace hv::vmm {
namespace {

constexpr CpuidContext kCtx{2, 4, false};

TEST(CpuidPolicy, LeafOneHidesVmxAndSetsTheHypervisorBit) {
    const CpuidValues host{0x000806F8, 0x00010800, 0xFFFA'3223 | (1u << 5), 0x178B'FBFF};
    const CpuidValues g = guest_cpuid(1, 0, host, kCtx);
    EXPECT_EQ(g.ecx & (1u << 5), 0u);
    EXPECT_NE(g.ecx & (1u << 31), 0u);
    EXPECT_EQ(g.ebx >> 24, 2u);
    EXPECT_EQ((g.ebx >> 16) & 0xFF, 4u);
}

TEST(CpuidPolicy, LeafOneMirrorsGuestOsxsave) {
    const CpuidValues host{0, 0, 0, 0};
    EXPECT_EQ(guest_cpuid(1, 0, host, kCtx).ecx & (1u << 27), 0u);
    EXPECT_NE(guest_cpuid(1, 0, host, CpuidContext{0, 1, true}).ecx & (1u << 27), 0u);
}

TEST(CpuidPolicy, ExtendedLeafHidesSvm) {
    const CpuidValues host{0, 0, 0xFFFF'FFFF, 0};
    EXPECT_EQ(guest_cpuid(0x8000'0001, 0, host, kCtx).ecx & (1u << 2), 0u);
    const CpuidValues svm = guest_cpuid(0x8000'000A, 0, CpuidValues{1, 2, 3, 4}, kCtx);
    EXPECT_EQ(svm.eax | svm.ebx | svm.ecx | svm.edx, 0u);
}

TEST(CpuidPolicy, HypervisorLeafCarriesTheSignature) {
    const CpuidValues g = guest_cpuid(0x4000'0000, 0, CpuidValues{}, kCtx);
    EXPECT_EQ(g.eax, 0x4000'0001u);
    char sig[13] = {};
    std::memcpy(sig, &g.ebx, 4);
    std::memcpy(sig + 4, &g.ecx, 4);
    std::memcpy(sig + 8, &g.edx, 4);
    EXPECT_STREQ(sig, "AIHypervisor");
    EXPECT_EQ(guest_cpuid(0x4000'0001, 0, CpuidValues{}, kCtx).eax, 1u);
}

TEST(CpuidPolicy, UnknownHypervisorLeavesAreZero) {
    const CpuidValues g = guest_cpuid(0x4000'0010, 0, CpuidValues{9, 9, 9, 9}, kCtx);
    EXPECT_EQ(g.eax | g.ebx | g.ecx | g.edx, 0u);
}

}  // namespace
}  // namespace hv::vmm
