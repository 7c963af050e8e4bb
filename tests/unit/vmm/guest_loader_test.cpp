#include "vmm/guest_loader.hpp"

#include <gtest/gtest.h>

#include "tests/unit/vmm/loader/fake_guest_ram.hpp"
#include "tests/unit/vmm/loader/image_builders.hpp"

namespace hv::vmm {
namespace {

using loader::FakeGuestRam;
using loader::test::bytes_of;
using loader::test::make_bzimage;

constexpr std::uint64_t k256MiB = 256ull << 20;

KernelImages linux_images(const loader::test::Image& image, const char* cmdline) {
    KernelImages k{};
    k.kernel = bytes_of(image);
    k.cmdline = cmdline;
    k.acpi_rsdp_gpa = 0xE0000;
    k.tsc_khz = 2'500'000;
    return k;
}

TEST(GuestLoader, LinuxEntersLongModeAtEntry64WithBootParamsInRsi) {
    FakeGuestRam ram(k256MiB);
    const auto image = make_bzimage();
    const auto r = load_kernel(ram, linux_images(image, "console=ttyS0"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().kind, GuestKind::kLinux);
    const InitialState& s = r.value().boot_state;
    EXPECT_EQ(s.regs.rip, 0x1000000u + 0x200);  // pref_address + the 64-bit entry offset
    EXPECT_EQ(s.regs[Gpr::kRsi], 0x7000u);
    EXPECT_EQ(s.regs.rflags & kRflagsIf, 0u);
    EXPECT_EQ(s.cr0 & (kCr0Pe | kCr0Pg), kCr0Pe | kCr0Pg);
    EXPECT_NE(s.cr4 & kCr4Pae, 0u);
    EXPECT_EQ(s.efer & (kEferLme | kEferLma), kEferLme | kEferLma);
    EXPECT_EQ(s.cs.selector, 0x10);  // __BOOT_CS
    EXPECT_EQ(s.ds.selector, 0x18);  // __BOOT_DS
    EXPECT_EQ(s.cs.attrib, kAttrCode64);
    // boot_params carries the RSDP.
    EXPECT_EQ(ram.peek<std::uint64_t>(0x7000 + loader::boot_params::kAcpiRsdpAddr), 0xE0000u);
}

TEST(GuestLoader, LinuxIdentityMapCoversRamIn2MiBPages) {
    FakeGuestRam ram(k256MiB);
    const auto r = load_kernel(ram, linux_images(make_bzimage(), ""));
    ASSERT_TRUE(r.ok());
    const std::uint64_t cr3 = r.value().boot_state.cr3;
    const std::uint64_t pml4e = ram.peek<std::uint64_t>(cr3);
    ASSERT_EQ(pml4e & 1, 1u);
    const std::uint64_t pdpte = ram.peek<std::uint64_t>(pml4e & ~0xFFFull);
    ASSERT_EQ(pdpte & 1, 1u);
    const std::uint64_t pd = pdpte & ~0xFFFull;
    // Entry 8 maps 16 MiB (where the kernel sits) as a present, writable 2 MiB page.
    EXPECT_EQ(ram.peek<std::uint64_t>(pd + 8 * 8), 0x1000000u | 0x83);
    EXPECT_EQ(ram.peek<std::uint64_t>(pd + 511 * 8), 0x3FE00000u | 0x83);
    // The GDT's boot code segment is a 64-bit one (L set, D clear).
    const std::uint64_t cs = ram.peek<std::uint64_t>(r.value().boot_state.gdtr_base + 0x10);
    EXPECT_NE(cs & (1ull << 53), 0u);
    EXPECT_EQ(cs & (1ull << 54), 0u);
}

TEST(GuestLoader, LinuxCommandLineGetsTheTscRate) {
    FakeGuestRam ram(k256MiB);
    ASSERT_TRUE(load_kernel(ram, linux_images(make_bzimage(), "console=ttyS0 quiet")).ok());
    EXPECT_EQ(ram.peek_string(0x20000), "console=ttyS0 quiet tsc_early_khz=2500000");
}

TEST(GuestLoader, LinuxCommandLineKeepsTheGuestsOwnTscRate) {
    FakeGuestRam ram(k256MiB);
    ASSERT_TRUE(load_kernel(ram, linux_images(make_bzimage(), "tsc_early_khz=1000 quiet")).ok());
    EXPECT_EQ(ram.peek_string(0x20000), "tsc_early_khz=1000 quiet");
}

TEST(GuestLoader, HasParameterMatchesWholeTokens) {
    EXPECT_TRUE(has_parameter("a tsc_early_khz=5 b", "tsc_early_khz"));
    EXPECT_TRUE(has_parameter("quiet", "quiet"));
    EXPECT_FALSE(has_parameter("tsc_early_khzz=5", "tsc_early_khz"));
    EXPECT_FALSE(has_parameter("xtsc_early_khz=5", "tsc_early_khz"));
    EXPECT_FALSE(has_parameter("", "quiet"));
}

TEST(GuestLoader, NotAKernelIsRefused) {
    FakeGuestRam ram(k256MiB);
    const std::byte junk[64] = {};
    KernelImages k{};
    k.kernel = Bytes(junk, sizeof junk);
    const auto r = load_kernel(ram, k);
    ASSERT_FALSE(r.ok());
}

TEST(GuestState, StartupIpiStartsInRealModeAtTheVectorsPage) {
    const InitialState s = startup_ipi_state(0x9A);
    EXPECT_EQ(s.cs.selector, 0x9A00);
    EXPECT_EQ(s.cs.base, 0x9A000u);
    EXPECT_EQ(s.regs.rip, 0u);
    EXPECT_EQ(s.cr0 & (kCr0Pe | kCr0Pg), 0u);
    EXPECT_EQ(s.efer, 0u);
}

}  // namespace
}  // namespace hv::vmm
