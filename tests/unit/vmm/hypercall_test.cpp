#include "vmm/hypercall.hpp"

#include "vmm/cpuid_policy.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hv::vmm {
namespace {

struct FakeEnv final : HypercallEnv {
    std::string written;
    std::uint32_t off_code = ~0u;
    bool console_write(std::uint64_t gpa, std::uint64_t len) override {
        if (gpa != 0x1000) return false;
        written.assign(len, 'x');
        return true;
    }
    Backing memory_info(std::uint64_t gpa) override {
        return gpa < 0x4000'0000 ? Backing{1u << 21, true} : Backing{0, false};
    }
    void poweroff(std::uint32_t code) override { off_code = code; }
    std::uint32_t vcpu_count() const override { return 3; }
};

TEST(Hypercall, VersionReportsTheAbiVersion) {
    FakeEnv env;
    const HypercallResult r = handle_hypercall(env, 0, 0, 0, 0);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out0, kGuestAbiVersion);
}

TEST(Hypercall, UnknownNumberReturnsEnosys) {
    FakeEnv env;
    EXPECT_EQ(handle_hypercall(env, 0, 0x7777, 0, 0).status, -38);
}

TEST(Hypercall, ConsoleWriteRefusesOversizedBuffers) {
    FakeEnv env;
    EXPECT_EQ(handle_hypercall(env, 0, 1, 0x1000, 257).status, -22);
    EXPECT_EQ(handle_hypercall(env, 0, 1, 0x1000, 5).status, 0);
    EXPECT_EQ(env.written.size(), 5u);
}

TEST(Hypercall, ConsoleWriteRefusesMemoryOutsideTheGuest) {
    FakeEnv env;
    EXPECT_EQ(handle_hypercall(env, 0, 1, 0xdead000, 5).status, -22);
}

TEST(Hypercall, MemoryInfoReportsBackingAndRam) {
    FakeEnv env;
    const HypercallResult r = handle_hypercall(env, 0, 2, 0x100000, 0);
    EXPECT_EQ(r.out0, 1u << 21);
    EXPECT_EQ(r.out1, 1u);
    EXPECT_EQ(handle_hypercall(env, 0, 2, 0xFEE00000, 0).out1, 0u);
}

TEST(Hypercall, PoweroffPassesTheCode) {
    FakeEnv env;
    EXPECT_EQ(handle_hypercall(env, 0, 4, 7, 0).status, 0);
    EXPECT_EQ(env.off_code, 7u);
}

TEST(Hypercall, VcpuInfoGivesIndexAndCount) {
    FakeEnv env;
    const HypercallResult r = handle_hypercall(env, 2, 5, 0, 0);
    EXPECT_EQ(r.out0, 2u);
    EXPECT_EQ(r.out1, 3u);
}

}  // namespace
}  // namespace hv::vmm
