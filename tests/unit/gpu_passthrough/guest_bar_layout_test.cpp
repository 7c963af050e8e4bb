#include "gpu_passthrough/guest_bar_layout.hpp"

#include <gtest/gtest.h>

namespace hv::passthrough {
namespace {

constexpr GuestWindows kWindows{.mmio32_base = 0xC000'0000,
                                .mmio32_size = 0x2000'0000,
                                .mmio64_base = 512ull << 30,
                                .mmio64_size = 256ull << 30,
                                .io_base = 0x1000,
                                .io_size = 0xF000};

pci::Bars bars(std::initializer_list<std::pair<unsigned, pci::Bar>> list) {
    pci::Bars b;
    b.slot_count = pci::kType0BarCount;
    for (const auto& [slot, bar] : list) b.bar[slot] = bar;
    return b;
}

TEST(GuestBarLayout, EduThenNvmeShareThe32BitWindowAligned) {
    GuestBarLayout layout(kWindows);
    // edu: BAR0 1 MiB mem32. nvme: BAR0 16 KiB mem64 non-prefetchable.
    auto edu = layout.place(bars({{0, {pci::BarKind::kMem32, false, 0xFEA00000, 1 << 20}}}));
    ASSERT_TRUE(edu);
    EXPECT_EQ(edu.value().bar[0].guest_base, 0xC000'0000u);
    EXPECT_EQ(edu.value().bar[0].size, 1u << 20);
    auto nvme = layout.place(bars({{0, {pci::BarKind::kMem64, false, 0xFEB00000, 0x4000}}}));
    ASSERT_TRUE(nvme);
    EXPECT_EQ(nvme.value().bar[0].kind, pci::BarKind::kMem64);
    EXPECT_EQ(nvme.value().bar[0].guest_base, 0xC010'0000u);
    EXPECT_EQ(nvme.value().bar[1].kind, pci::BarKind::kAbsent);
}

TEST(GuestBarLayout, LargePrefetchableBarGoesAbove4GAndSmallOnesGetAPage) {
    GuestBarLayout layout(kWindows);
    // ivshmem-plain: BAR0 256 B registers, BAR2 4 GiB 64-bit prefetchable shared memory.
    auto r = layout.place(bars({{0, {pci::BarKind::kMem32, false, 0xFEB00000, 256}},
                                {2, {pci::BarKind::kMem64, true, 0x8'0000'0000, 4ull << 30}}}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r.value().bar[2].guest_base, 512ull << 30);
    EXPECT_EQ(r.value().bar[0].guest_base, 0xC000'0000u);
    EXPECT_EQ(r.value().bar[0].size, 256u);  // the guest sizes the real BAR
    auto next = layout.place(bars({{0, {pci::BarKind::kMem32, false, 0, 0x1000}}}));
    ASSERT_TRUE(next);
    EXPECT_EQ(next.value().bar[0].guest_base,
              0xC000'1000u);  // a whole page went to the 256-byte BAR
}

TEST(GuestBarLayout, BiggestFirstWithinAFunction) {
    GuestBarLayout layout(kWindows);
    auto r = layout.place(bars({{0, {pci::BarKind::kMem32, false, 0, 0x1000}},
                                {1, {pci::BarKind::kMem32, false, 0, 0x100000}},
                                {4, {pci::BarKind::kIo, false, 0xc000, 0x20}}}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r.value().bar[1].guest_base, 0xC000'0000u);
    EXPECT_EQ(r.value().bar[0].guest_base, 0xC010'0000u);
    EXPECT_EQ(r.value().bar[4].guest_base, 0x1000u);
    EXPECT_EQ(r.value().bar[4].kind, pci::BarKind::kIo);
}

TEST(GuestBarLayout, FullWindowIsRefusedAndTakesNothing) {
    GuestBarLayout layout(kWindows);
    auto big = layout.place(bars({{0, {pci::BarKind::kMem32, false, 0, 0x4000'0000}}}));
    EXPECT_FALSE(big);
    auto small = layout.place(bars({{0, {pci::BarKind::kMem32, false, 0, 0x1000}},
                                    {1, {pci::BarKind::kMem64, true, 0, 512ull << 30}}}));
    EXPECT_FALSE(small);  // the 512 GiB BAR does not fit in 256 GiB
    auto after = layout.place(bars({{0, {pci::BarKind::kMem32, false, 0, 0x1000}}}));
    ASSERT_TRUE(after);
    EXPECT_EQ(after.value().bar[0].guest_base, 0xC000'0000u);
}

// Where a guest may move a BAR (guest-controlled bases).
TEST(GuestBarWindows, MemoryBarsStayInsideTheirWindowsAligned) {
    using pci::BarKind;
    EXPECT_TRUE(fits_window(kWindows, BarKind::kMem32, 1 << 20, 0xC010'0000));
    EXPECT_FALSE(fits_window(kWindows, BarKind::kMem32, 1 << 20, 0xC000'8000));   // unaligned
    EXPECT_TRUE(fits_window(kWindows, BarKind::kMem32, 1 << 20, 0xDFF0'0000));    // last MiB
    EXPECT_FALSE(fits_window(kWindows, BarKind::kMem32, 1 << 20, 0xE000'0000));   // ECAM
    EXPECT_FALSE(fits_window(kWindows, BarKind::kMem32, 1 << 20, 0x0010'0000));   // guest RAM
    EXPECT_FALSE(fits_window(kWindows, BarKind::kMem32, 1 << 20, 0xFFF0'0000));   // sizing probe
    EXPECT_FALSE(fits_window(kWindows, BarKind::kMem32, 1 << 20, 512ull << 30));  // 32-bit only
    EXPECT_TRUE(fits_window(kWindows, BarKind::kMem64, 4ull << 30, 516ull << 30));
    EXPECT_TRUE(fits_window(kWindows, BarKind::kMem64, 0x4000, 0xC000'4000));
    EXPECT_FALSE(fits_window(kWindows, BarKind::kMem64, 4ull << 30, 766ull << 30));  // past end
}

TEST(GuestBarWindows, SmallBarsNeedAWholePageAndIoBarsTheIoWindow) {
    using pci::BarKind;
    EXPECT_FALSE(fits_window(kWindows, BarKind::kMem32, 0x100, 0xC000'0100));
    EXPECT_TRUE(fits_window(kWindows, BarKind::kMem32, 0x100, 0xC000'1000));
    EXPECT_TRUE(fits_window(kWindows, BarKind::kIo, 0x20, 0x1020));
    EXPECT_FALSE(fits_window(kWindows, BarKind::kIo, 0x20, 0x0020));  // legacy ISA ports
    EXPECT_FALSE(fits_window(kWindows, BarKind::kIo, 0x20, 0x1010));  // unaligned
    EXPECT_FALSE(fits_window(kWindows, BarKind::kIo, 0x20, 0xFFF0));  // runs past 0xFFFF
    EXPECT_FALSE(fits_window(kWindows, BarKind::kAbsent, 0x1000, 0xC000'0000));
    EXPECT_FALSE(fits_window(kWindows, BarKind::kMem32, 0, 0xC000'0000));
}

TEST(GuestBarWindows, BasesNearTheTopOfTheAddressSpaceDoNotWrap) {
    using pci::BarKind;
    EXPECT_FALSE(fits_window(kWindows, BarKind::kMem64, 1ull << 30, ~std::uint64_t{0} << 30));
    EXPECT_FALSE(fits_window(kWindows, BarKind::kMem64, 0x1000, ~std::uint64_t{0xFFF}));
}

TEST(GuestBarWindows, EveryVmGetsThePlatformWindows) {
    const GuestWindows w = vm_guest_windows();
    EXPECT_EQ(w.mmio32_base, 0xC000'0000u);
    EXPECT_EQ(w.mmio32_size, 0x2000'0000u);
    EXPECT_EQ(w.mmio64_base, 512ull << 30);
    EXPECT_EQ(w.mmio64_size, 256ull << 30);
    EXPECT_EQ(w.io_base, 0x1000u);
    EXPECT_EQ(w.io_base + w.io_size, 0x10000u);
}

}  // namespace
}  // namespace hv::passthrough
