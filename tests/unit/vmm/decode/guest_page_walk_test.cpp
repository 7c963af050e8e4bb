#include "vmm/decode/guest_page_walk.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace hv::vmm::decode {
namespace {

constexpr std::uint64_t kP = 1u << 0;
constexpr std::uint64_t kRw = 1u << 1;
constexpr std::uint64_t kUs = 1u << 2;
constexpr std::uint64_t kPs = 1u << 7;
constexpr std::uint64_t kXd = 1ull << 63;
constexpr std::uint64_t kAll = kP | kRw | kUs;

constexpr std::uint64_t kCr0Pe = 1u << 0;
constexpr std::uint64_t kCr0Wp = 1u << 16;
constexpr std::uint64_t kCr0Pg = 1ull << 31;
constexpr std::uint64_t kCr4Pse = 1u << 4;
constexpr std::uint64_t kCr4Pae = 1u << 5;
constexpr std::uint64_t kCr4La57 = 1u << 12;
constexpr std::uint64_t kEferLme = 1u << 8;
constexpr std::uint64_t kEferLma = 1u << 10;
constexpr std::uint64_t kEferNxe = 1u << 11;

constexpr Access kRead{AccessType::kRead, false};
constexpr Access kWrite{AccessType::kWrite, false};
constexpr Access kFetch{AccessType::kFetch, false};
constexpr Access kUserRead{AccessType::kRead, true};
constexpr Access kUserWrite{AccessType::kWrite, true};

// 1 MiB of guest RAM at GPA 0; anything above reads as "not RAM".
class FakeMemory final : public GuestMemoryReader {
  public:
    FakeMemory() : ram_(1u << 20) {}
    void put64(std::uint64_t gpa, std::uint64_t v) { std::memcpy(&ram_.at(gpa), &v, 8); }
    void put32(std::uint64_t gpa, std::uint32_t v) { std::memcpy(&ram_.at(gpa), &v, 4); }
    Optional<std::uint32_t> read_u32(std::uint64_t gpa) const override {
        if (gpa + 4 > ram_.size()) return kNone;
        std::uint32_t v;
        std::memcpy(&v, &ram_[gpa], 4);
        return v;
    }
    Optional<std::uint64_t> read_u64(std::uint64_t gpa) const override {
        if (gpa + 8 > ram_.size()) return kNone;
        std::uint64_t v;
        std::memcpy(&v, &ram_[gpa], 8);
        return v;
    }

  private:
    std::vector<std::uint8_t> ram_;
};

std::uint64_t gpa_of(const Result<Translation, WalkError>& r) {
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
    return r.ok() ? r.value().gpa.raw() : 0;
}

std::uint32_t fault_of(const Result<Translation, WalkError>& r) {
    EXPECT_FALSE(r.ok());
    if (r.ok()) return 0xffffffff;
    EXPECT_EQ(r.error().status, WalkStatus::kPageFault) << r.error().what;
    return r.error().error_code;
}

// --- Paging off
// -----------------------------------------------------------------------------------

TEST(GuestPageWalk, WithoutPagingTheLinearAddressIsTheGpa) {
    FakeMemory mem;
    const PagingState s{.cr0 = kCr0Pe};
    EXPECT_EQ(gpa_of(translate(s, 0xfee00030, kWrite, mem)), 0xfee00030u);
}

TEST(GuestPageWalk, WithoutPagingOnlyThirtyTwoBitsCount) {
    FakeMemory mem;
    EXPECT_EQ(gpa_of(translate(PagingState{}, 0x1'0000'1234, kRead, mem)), 0x1234u);
}

// --- 32-bit paging
// -------------------------------------------------------------------------------- PD at 0x1000, PT
// at 0x2000. Linear 0x00403abc: PD index 1, PT index 3.

constexpr std::uint64_t kLinear32 = 0x00403abc;

struct Legacy {
    FakeMemory mem;
    PagingState state{.cr0 = kCr0Pg | kCr0Pe | kCr0Wp, .cr3 = 0x1000};
    Legacy(std::uint32_t pde = 0x2000 | kAll, std::uint32_t pte = 0x00abc000 | kAll) {
        mem.put32(0x1000 + 1 * 4, pde);
        mem.put32(0x2000 + 3 * 4, pte);
    }
    Result<Translation, WalkError> walk(Access a, std::uint64_t linear = kLinear32) {
        return translate(state, linear, a, mem);
    }
};

TEST(GuestPageWalk, Legacy4KiBPageTranslates) {
    Legacy t;
    const auto r = t.walk(kRead);
    EXPECT_EQ(gpa_of(r), 0x00abcabcu);
    EXPECT_EQ(r.value().page_size, 4096u);
}

TEST(GuestPageWalk, Legacy4MiBPageWithPse) {
    Legacy t(0x00c00000 | kPs | kAll);
    t.state.cr4 = kCr4Pse;
    const auto r = t.walk(kRead);
    EXPECT_EQ(gpa_of(r), 0x00c03abcu);
    EXPECT_EQ(r.value().page_size, 4u << 20);
}

TEST(GuestPageWalk, Legacy4MiBPageReachesAbove4GiBWithPse36) {
    Legacy t(0x00c00000 | (0x5u << 13) | kPs | kAll);  // PDE bits 20:13 = PA bits 39:32
    t.state.cr4 = kCr4Pse;
    t.state.max_phys_addr_bits = 40;
    EXPECT_EQ(gpa_of(t.walk(kRead)), 0x5'00c0'3abcu);
}

TEST(GuestPageWalk, LegacyPsBitIsIgnoredWithoutPse) {
    Legacy t(0x2000 | kPs | kAll);
    EXPECT_EQ(gpa_of(t.walk(kRead)), 0x00abcabcu);
}

TEST(GuestPageWalk, Legacy4MiBPageBit21IsReserved) {
    Legacy t(0x00c00000 | (1u << 21) | kPs | kAll);
    t.state.cr4 = kCr4Pse;
    EXPECT_EQ(fault_of(t.walk(kRead)), kPfPresent | kPfReserved);
}

TEST(GuestPageWalk, LegacyPse36BitsAboveMaxPhyAddrAreReserved) {
    Legacy t(0x00c00000 | (1u << 17) | kPs | kAll);  // PA bit 36 with MAXPHYADDR 36
    t.state.cr4 = kCr4Pse;
    t.state.max_phys_addr_bits = 36;
    EXPECT_EQ(fault_of(t.walk(kRead)), kPfPresent | kPfReserved);
}

TEST(GuestPageWalk, LegacyNotPresentPdeFaultsWithPClear) {
    Legacy t(0x2000 | kRw);
    EXPECT_EQ(fault_of(t.walk(kRead)), 0u);
}

TEST(GuestPageWalk, LegacyNotPresentPteOnWriteReportsW) {
    Legacy t(0x2000 | kAll, 0);
    EXPECT_EQ(fault_of(t.walk(kWrite)), kPfWrite);
}

TEST(GuestPageWalk, LegacyFaultReportsTheLinearAddress) {
    Legacy t(0x2000 | kAll, 0);
    const auto r = t.walk(kRead);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().address, kLinear32);
}

TEST(GuestPageWalk, LegacyUserAccessToSupervisorPageFaults) {
    Legacy t(0x2000 | kAll, 0x00abc000 | kP | kRw);
    EXPECT_EQ(fault_of(t.walk(kUserRead)), kPfPresent | kPfUser);
}

TEST(GuestPageWalk, LegacySupervisorPdeMakesTheWholeRangeSupervisor) {
    Legacy t(0x2000 | kP | kRw);
    EXPECT_EQ(fault_of(t.walk(kUserRead)), kPfPresent | kPfUser);
}

TEST(GuestPageWalk, LegacyWriteToReadOnlyPageFaultsWithWp) {
    Legacy t(0x2000 | kAll, 0x00abc000 | kP | kUs);
    EXPECT_EQ(fault_of(t.walk(kWrite)), kPfPresent | kPfWrite);
}

TEST(GuestPageWalk, LegacySupervisorWriteToReadOnlyPageSucceedsWithoutWp) {
    Legacy t(0x2000 | kAll, 0x00abc000 | kP | kUs);
    t.state.cr0 &= ~kCr0Wp;
    EXPECT_EQ(gpa_of(t.walk(kWrite)), 0x00abcabcu);
}

TEST(GuestPageWalk, LegacyUserWriteToReadOnlyPageFaultsEvenWithoutWp) {
    Legacy t(0x2000 | kAll, 0x00abc000 | kP | kUs);
    t.state.cr0 &= ~kCr0Wp;
    EXPECT_EQ(fault_of(t.walk(kUserWrite)), kPfPresent | kPfWrite | kPfUser);
}

TEST(GuestPageWalk, LegacyFetchFaultHasNoInstructionBit) {
    Legacy t(0x2000 | kAll, 0);
    EXPECT_EQ(fault_of(t.walk(kFetch)), 0u);
}

TEST(GuestPageWalk, LegacyUsesOnlyThirtyTwoBitsOfTheAddress) {
    Legacy t;
    EXPECT_EQ(gpa_of(t.walk(kRead, 0xffff'ffff'0000'0000 | kLinear32)), 0x00abcabcu);
}

// --- PAE paging
// ----------------------------------------------------------------------------------- PDPT at
// 0x1020 (32-byte aligned), PD at 0x2000, PT at 0x3000. Linear 0x40603abc: PDPT index 1, PD index
// 3, PT index 3.

constexpr std::uint64_t kLinearPae = 0x40603abc;

struct Pae {
    FakeMemory mem;
    PagingState state{.cr0 = kCr0Pg | kCr0Pe | kCr0Wp,
                      .cr3 = 0x1020,
                      .cr4 = kCr4Pae,
                      .efer = kEferNxe,
                      .max_phys_addr_bits = 36};
    Pae(std::uint64_t pdpte = 0x2000 | kP, std::uint64_t pde = 0x3000 | kAll,
        std::uint64_t pte = 0x00abc000 | kAll) {
        mem.put64(0x1020 + 1 * 8, pdpte);
        mem.put64(0x2000 + 3 * 8, pde);
        mem.put64(0x3000 + 3 * 8, pte);
    }
    Result<Translation, WalkError> walk(Access a) { return translate(state, kLinearPae, a, mem); }
};

TEST(GuestPageWalk, Pae4KiBPageTranslates) {
    Pae t;
    EXPECT_EQ(gpa_of(t.walk(kRead)), 0x00abcabcu);
}

TEST(GuestPageWalk, Pae2MiBPageTranslates) {
    Pae t(0x2000 | kP, 0x0fe00000 | kPs | kAll);
    const auto r = t.walk(kRead);
    EXPECT_EQ(gpa_of(r), 0x0fe03abcu);
    EXPECT_EQ(r.value().page_size, 2u << 20);
}

TEST(GuestPageWalk, PaeReachesAbove4GiB) {
    Pae t(0x2000 | kP, 0x3000 | kAll, 0x8'0000'0000 | kAll);
    EXPECT_EQ(gpa_of(t.walk(kRead)), 0x8'0000'0abcu);
}

TEST(GuestPageWalk, PaeNotPresentPdpteFaults) {
    Pae t(0);
    EXPECT_EQ(fault_of(t.walk(kRead)), 0u);
}

TEST(GuestPageWalk, PaePdpteWithReadWriteBitIsReserved) {
    Pae t(0x2000 | kP | kRw);
    EXPECT_EQ(fault_of(t.walk(kRead)), kPfPresent | kPfReserved);
}

// QEMU's TCG sets the accessed bit (5) in PDPTEs it walks under nested paging; the guest ran with
// such an entry, so the walker accepts it.
TEST(GuestPageWalk, PaePdpteWithAccessedBitTranslates) {
    Pae t(0x2000 | kP | (1u << 5));
    auto r = t.walk(kRead);
    ASSERT_TRUE(r);
}

TEST(GuestPageWalk, Pae2MiBPageLowBitsAreReserved) {
    Pae t(0x2000 | kP, 0x0fe00000 | (1u << 13) | kPs | kAll);
    EXPECT_EQ(fault_of(t.walk(kRead)), kPfPresent | kPfReserved);
}

TEST(GuestPageWalk, PaeAddressBitAboveMaxPhyAddrIsReserved) {
    Pae t(0x2000 | kP, 0x3000 | kAll, (1ull << 36) | kAll);
    EXPECT_EQ(fault_of(t.walk(kRead)), kPfPresent | kPfReserved);
}

TEST(GuestPageWalk, PaeFetchFromExecuteDisablePageFaultsWithInstructionBit) {
    Pae t(0x2000 | kP, 0x3000 | kAll, 0x00abc000 | kAll | kXd);
    EXPECT_EQ(fault_of(t.walk(kFetch)), kPfPresent | kPfFetch);
}

TEST(GuestPageWalk, PaeReadFromExecuteDisablePageSucceeds) {
    Pae t(0x2000 | kP, 0x3000 | kAll, 0x00abc000 | kAll | kXd);
    EXPECT_EQ(gpa_of(t.walk(kRead)), 0x00abcabcu);
}

TEST(GuestPageWalk, PaeExecuteDisableBitIsReservedWithoutNxe) {
    Pae t(0x2000 | kP, 0x3000 | kAll, 0x00abc000 | kAll | kXd);
    t.state.efer = 0;
    EXPECT_EQ(fault_of(t.walk(kRead)), kPfPresent | kPfReserved);
}

TEST(GuestPageWalk, PaeTableOutsideGuestRamIsReported) {
    Pae t(0x2000 | kP, 0x4000'0000 | kAll);
    const auto r = t.walk(kRead);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, WalkStatus::kTableUnreadable);
    EXPECT_EQ(r.error().address, 0x4000'0000u + 3 * 8);
}

// --- 4-level paging
// -------------------------------------------------------------------------------- PML4 at 0x1000,
// PDPT at 0x2000, PD at 0x3000, PT at 0x4000. Linear: PML4 index 1, PDPT index 2, PD index 3, PT
// index 4, offset 0x567.

constexpr std::uint64_t kLinear64 =
    (1ull << 39) | (2ull << 30) | (3ull << 21) | (4ull << 12) | 0x567;

struct FourLevel {
    FakeMemory mem;
    PagingState state{.cr0 = kCr0Pg | kCr0Pe | kCr0Wp,
                      .cr3 = 0x1000,
                      .cr4 = kCr4Pae,
                      .efer = kEferLme | kEferLma | kEferNxe,
                      .max_phys_addr_bits = 46};
    FourLevel() {
        pml4e(0x2000 | kAll);
        pdpte(0x3000 | kAll);
        pde(0x4000 | kAll);
        pte(0x00abc000 | kAll);
    }
    void pml4e(std::uint64_t e) { mem.put64(0x1000 + 1 * 8, e); }
    void pdpte(std::uint64_t e) { mem.put64(0x2000 + 2 * 8, e); }
    void pde(std::uint64_t e) { mem.put64(0x3000 + 3 * 8, e); }
    void pte(std::uint64_t e) { mem.put64(0x4000 + 4 * 8, e); }
    Result<Translation, WalkError> walk(Access a, std::uint64_t linear = kLinear64) {
        return translate(state, linear, a, mem);
    }
};

TEST(GuestPageWalk, FourLevel4KiBPageTranslates) {
    FourLevel t;
    const auto r = t.walk(kRead);
    EXPECT_EQ(gpa_of(r), 0x00abc567u);
    EXPECT_EQ(r.value().page_size, 4096u);
}

TEST(GuestPageWalk, FourLevel2MiBPageTranslates) {
    FourLevel t;
    t.pde(0x7fe00000 | kPs | kAll);
    EXPECT_EQ(gpa_of(t.walk(kRead)), 0x7fe00000u + (4u << 12) + 0x567);
}

TEST(GuestPageWalk, FourLevel1GiBPageTranslates) {
    FourLevel t;
    t.pdpte(0x1'4000'0000 | kPs | kAll);
    const auto r = t.walk(kRead);
    EXPECT_EQ(gpa_of(r), 0x1'4000'0000u + (3u << 21) + (4u << 12) + 0x567);
    EXPECT_EQ(r.value().page_size, 1u << 30);
}

TEST(GuestPageWalk, FourLevelPatBitOfLargePageIsNotAnAddressBit) {
    FourLevel t;
    t.pde(0x7fe00000 | (1u << 12) | kPs | kAll);  // bit 12 is PAT in a 2 MiB PDE
    EXPECT_EQ(gpa_of(t.walk(kRead)), 0x7fe00000u + (4u << 12) + 0x567);
}

TEST(GuestPageWalk, FourLevelIgnoresPcidBitsOfCr3) {
    FourLevel t;
    t.state.cr3 |= 0x123;
    EXPECT_EQ(gpa_of(t.walk(kRead)), 0x00abc567u);
}

TEST(GuestPageWalk, FourLevelHigherHalfAddressIsCanonical) {
    FourLevel t;
    t.mem.put64(0x1000 + 511 * 8, 0x2000 | kAll);
    EXPECT_EQ(gpa_of(t.walk(kRead, 0xffff'ff80'0000'0000 | (kLinear64 & ((1ull << 39) - 1)))),
              0x00abc567u);
}

TEST(GuestPageWalk, FourLevelNonCanonicalAddressIsAGeneralProtectionFault) {
    FourLevel t;
    const auto r = t.walk(kRead, 0x0000'8000'0000'0000);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, WalkStatus::kNonCanonical);
}

TEST(GuestPageWalk, FourLevelNotPresentPteOnFetchReportsInstructionBit) {
    FourLevel t;
    t.pte(0);
    EXPECT_EQ(fault_of(t.walk(kFetch)), kPfFetch);
}

TEST(GuestPageWalk, FourLevelNotPresentPml4eFaults) {
    FourLevel t;
    t.pml4e(0x2000 | kRw | kUs);
    EXPECT_EQ(fault_of(t.walk(kUserWrite)), kPfWrite | kPfUser);
}

TEST(GuestPageWalk, FourLevelPageSizeBitInPml4eIsReserved) {
    FourLevel t;
    t.pml4e(0x2000 | kPs | kAll);
    EXPECT_EQ(fault_of(t.walk(kRead)), kPfPresent | kPfReserved);
}

TEST(GuestPageWalk, FourLevel2MiBPageLowBitsAreReserved) {
    FourLevel t;
    t.pde(0x7fe00000 | (1u << 20) | kPs | kAll);
    EXPECT_EQ(fault_of(t.walk(kRead)), kPfPresent | kPfReserved);
}

TEST(GuestPageWalk, FourLevel1GiBPageLowBitsAreReserved) {
    FourLevel t;
    t.pdpte(0x1'4000'0000 | (1u << 29) | kPs | kAll);
    EXPECT_EQ(fault_of(t.walk(kRead)), kPfPresent | kPfReserved);
}

TEST(GuestPageWalk, FourLevelAddressBitAboveMaxPhyAddrIsReserved) {
    FourLevel t;
    t.pdpte((1ull << 46) | 0x3000 | kAll);
    EXPECT_EQ(fault_of(t.walk(kRead)), kPfPresent | kPfReserved);
}

TEST(GuestPageWalk, FourLevelReservedFaultOnFetchAlsoReportsInstructionBit) {
    FourLevel t;
    t.pte((1ull << 50) | 0x00abc000 | kAll);
    EXPECT_EQ(fault_of(t.walk(kFetch)), kPfPresent | kPfReserved | kPfFetch);
}

TEST(GuestPageWalk, FourLevelIgnoredHighBitsAreNotReserved) {
    FourLevel t;
    t.pte((0x7full << 52) | 0x00abc000 | kAll);  // bits 58:52 are available to software
    EXPECT_EQ(gpa_of(t.walk(kRead)), 0x00abc567u);
}

TEST(GuestPageWalk, FourLevelExecuteDisableInUpperLevelBlocksFetch) {
    FourLevel t;
    t.pdpte(0x3000 | kAll | kXd);
    EXPECT_EQ(fault_of(t.walk(kFetch)), kPfPresent | kPfFetch);
}

TEST(GuestPageWalk, FourLevelFetchFromExecutablePageSucceeds) {
    FourLevel t;
    EXPECT_EQ(gpa_of(t.walk(kFetch)), 0x00abc567u);
}

TEST(GuestPageWalk, FourLevelUserAccessToSupervisorPdeFaults) {
    FourLevel t;
    t.pde(0x4000 | kP | kRw);
    EXPECT_EQ(fault_of(t.walk(kUserRead)), kPfPresent | kPfUser);
}

TEST(GuestPageWalk, FourLevelSupervisorReadOfUserPageSucceeds) {
    FourLevel t;
    EXPECT_EQ(gpa_of(t.walk(kRead)), 0x00abc567u);
}

TEST(GuestPageWalk, FourLevelReadOnlyUpperLevelBlocksSupervisorWriteWithWp) {
    FourLevel t;
    t.pml4e(0x2000 | kP | kUs);
    EXPECT_EQ(fault_of(t.walk(kWrite)), kPfPresent | kPfWrite);
}

TEST(GuestPageWalk, FourLevelReadOnlyPageAllowsSupervisorWriteWithoutWp) {
    FourLevel t;
    t.pte(0x00abc000 | kP | kUs);
    t.state.cr0 &= ~kCr0Wp;
    EXPECT_EQ(gpa_of(t.walk(kWrite)), 0x00abc567u);
}

TEST(GuestPageWalk, FourLevelUserWriteToReadOnlyPageFaults) {
    FourLevel t;
    t.pte(0x00abc000 | kP | kUs);
    EXPECT_EQ(fault_of(t.walk(kUserWrite)), kPfPresent | kPfWrite | kPfUser);
}

TEST(GuestPageWalk, FourLevelTableOutsideGuestRamIsReported) {
    FourLevel t;
    t.pdpte(0x10'0000'0000 | kAll);
    const auto r = t.walk(kRead);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, WalkStatus::kTableUnreadable);
    EXPECT_EQ(r.error().address, 0x10'0000'0000u + 3 * 8);
}

TEST(GuestPageWalk, FiveLevelPagingWalksOneMoreLevel) {
    // Linux on a CPU with LA57 runs with 5-level paging. A PML5 at 0x8000 whose entry for
    // linear bits 56:48 = 0x1FF (a kernel address) points at the 4-level test tables.
    FourLevel t;
    const std::uint64_t pml4 = t.state.cr3;
    t.state.cr4 |= kCr4La57;
    t.state.cr3 = 0x8000;
    t.mem.put64(0x8000 + 0x1FF * 8, pml4 | kAll);
    const std::uint64_t kernel_linear = 0xFFFF'0000'0000'0000ull | kLinear64;
    const auto r = t.walk(kRead, kernel_linear);
    EXPECT_EQ(gpa_of(r), gpa_of(FourLevel().walk(kRead)));
    // 57-bit canonical: bits 63:57 must copy bit 56.
    const auto bad = t.walk(kRead, 0x0100'0000'0000'0000ull | kLinear64);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().status, WalkStatus::kNonCanonical);
}

TEST(GuestPageWalk, LongModeWithoutPaeIsUnsupported) {
    FourLevel t;
    t.state.cr4 = 0;
    const auto r = t.walk(kRead);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, WalkStatus::kUnsupported);
}

}  // namespace
}  // namespace hv::vmm::decode
