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
    EXPECT_EQ(g.eax, 0x4000'0010u);
    char sig[13] = {};
    std::memcpy(sig, &g.ebx, 4);
    std::memcpy(sig + 4, &g.ecx, 4);
    std::memcpy(sig + 8, &g.edx, 4);
    EXPECT_STREQ(sig, "AIHypervisor");
    EXPECT_EQ(guest_cpuid(0x4000'0001, 0, CpuidValues{}, kCtx).eax, 2u);
}

TEST(CpuidPolicy, UnknownHypervisorLeavesAreZero) {
    const CpuidValues g = guest_cpuid(0x4000'0005, 0, CpuidValues{9, 9, 9, 9}, kCtx);
    EXPECT_EQ(g.eax | g.ebx | g.ecx | g.edx, 0u);
}

constexpr CpuidContext kTimed{1, 3, false, 2'500'000'000, 1'000'000'000};

TEST(CpuidPolicy, TimingLeavesGiveTheTscRate) {
    const CpuidValues t = guest_cpuid(0x4000'0010, 0, CpuidValues{9, 9, 9, 9}, kTimed);
    EXPECT_EQ(t.eax, 2'500'000u);
    EXPECT_EQ(t.ebx, 1'000'000u);
    // Leaf 15h: TSC = ECX * EBX / EAX.
    const CpuidValues c = guest_cpuid(0x15, 0, CpuidValues{}, kTimed);
    EXPECT_EQ(static_cast<std::uint64_t>(c.ecx) * c.ebx / c.eax, 2'500'000'000u);
    EXPECT_EQ(guest_cpuid(0x16, 0, CpuidValues{}, kTimed).eax, 2500u);
    EXPECT_NE(guest_cpuid(0x8000'0007, 0, CpuidValues{}, kTimed).edx & (1u << 8), 0u);
}

TEST(CpuidPolicy, LeafOneOffersX2apicAndTscDeadline) {
    const CpuidValues g = guest_cpuid(1, 0, CpuidValues{0, 0, 0, 0}, kTimed);
    EXPECT_NE(g.ecx & (1u << 21), 0u);
    EXPECT_NE(g.ecx & (1u << 24), 0u);
    EXPECT_EQ(g.ebx >> 24, 1u);
}

TEST(CpuidPolicy, TopologyNumbersVcpusAsCores) {
    const CpuidValues smt = guest_cpuid(0xB, 0, CpuidValues{9, 9, 9, 9}, kTimed);
    EXPECT_EQ(smt.ebx, 1u);
    EXPECT_EQ(smt.edx, 1u);  // x2APIC ID = vCPU index
    const CpuidValues core = guest_cpuid(0xB, 1, CpuidValues{9, 9, 9, 9}, kTimed);
    EXPECT_EQ(core.eax, 2u);  // 3 vCPUs need 2 ID bits
    EXPECT_EQ(core.ebx, 3u);
    EXPECT_EQ((core.ecx >> 8) & 0xFF, 2u);
    const CpuidValues end = guest_cpuid(0xB, 2, CpuidValues{9, 9, 9, 9}, kTimed);
    EXPECT_EQ(end.ebx, 0u);
    EXPECT_EQ((end.ecx >> 8) & 0xFF, 0u);
    EXPECT_EQ(guest_cpuid(0x8000'0008, 0, CpuidValues{}, kTimed).ecx & 0xFF, 2u);
}

}  // namespace
}  // namespace hv::vmm
