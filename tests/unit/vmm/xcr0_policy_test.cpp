#include "vmm/xcr0_policy.hpp"

#include <gtest/gtest.h>

namespace hv::vmm {
namespace {

constexpr std::uint64_t kSkylakeX = 0x2FF;  // x87 SSE AVX MPX(2) AVX-512(3) PKRU

TEST(Xcr0Policy, AcceptsWhatLinuxWrites) {
    EXPECT_TRUE(xsetbv_allowed(0, kXcr0X87 | kXcr0Sse | kXcr0Avx, kSkylakeX));
    EXPECT_TRUE(xsetbv_allowed(0, 0xE7, kSkylakeX));  // x87 SSE AVX AVX-512
    EXPECT_TRUE(xsetbv_allowed(0, kXcr0X87, kSkylakeX));
}

TEST(Xcr0Policy, RefusesArchitecturallyInvalidValues) {
    EXPECT_FALSE(xsetbv_allowed(1, kXcr0X87, kSkylakeX));             // XCR1 is not writable
    EXPECT_FALSE(xsetbv_allowed(0, kXcr0Sse, kSkylakeX));             // x87 cleared
    EXPECT_FALSE(xsetbv_allowed(0, kXcr0X87 | kXcr0Avx, kSkylakeX));  // AVX without SSE
    EXPECT_FALSE(xsetbv_allowed(0, kXcr0X87 | kXcr0Bndregs, kSkylakeX));
    EXPECT_FALSE(xsetbv_allowed(0, 0x67, kSkylakeX));  // part of AVX-512
    EXPECT_FALSE(xsetbv_allowed(0, 0xE3, kSkylakeX));  // AVX-512 without AVX
}

TEST(Xcr0Policy, RefusesComponentsTheCpuLacks) {
    EXPECT_FALSE(xsetbv_allowed(0, kXcr0X87 | kXcr0Sse | kXcr0Avx, kXcr0X87 | kXcr0Sse));
    EXPECT_FALSE(xsetbv_allowed(0, kXcr0X87 | (1ull << 62), ~0ull >> 2));
}

}  // namespace
}  // namespace hv::vmm
