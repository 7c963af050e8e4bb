#include "vmm/loader/guest_layout.hpp"

#include <gtest/gtest.h>

#include "tests/unit/vmm/loader/fake_guest_ram.hpp"
#include "vmm/loader/guest_write.hpp"

namespace hv::vmm::loader {
namespace {

TEST(LoaderGuestLayout, MemoryMapReportsLowRamHoleAndHighRam) {
    FakeGuestRam ram(64 * kMiB);
    const auto r = guest_memory_map(ram);
    ASSERT_TRUE(r.ok());
    const auto regions = r.value().regions();
    ASSERT_EQ(regions.size(), 3u);
    EXPECT_EQ(regions[0].base, 0u);
    EXPECT_EQ(regions[0].length, 0x9fc00u);
    EXPECT_EQ(regions[0].type, boot::MemoryType::kUsable);
    EXPECT_EQ(regions[1].base, 0x9fc00u);
    EXPECT_EQ(regions[1].length, 0x100000u - 0x9fc00u);
    EXPECT_EQ(regions[1].type, boot::MemoryType::kReserved);
    EXPECT_EQ(regions[2].base, kMiB);
    EXPECT_EQ(regions[2].length, 63 * kMiB);
    EXPECT_EQ(regions[2].type, boot::MemoryType::kUsable);
}

TEST(LoaderGuestLayout, MemoryMapAddsRamAbove4GiB) {
    FakeGuestRam ram(4 * kMiB, 2 * kMiB);
    const auto r = guest_memory_map(ram);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.value().regions().size(), 4u);
    EXPECT_EQ(r.value().regions()[3].base, k4GiB);
    EXPECT_EQ(r.value().regions()[3].length, 2 * kMiB);
}

// A GuestRam that claims sizes without backing them.
class SizeOnlyRam final : public GuestRam {
  public:
    SizeOnlyRam(std::uint64_t below, std::uint64_t above) : below_(below), above_(above) {}
    std::span<std::byte> bytes(std::uint64_t, std::uint64_t) override { return {}; }
    [[nodiscard]] std::uint64_t ram_top_below_4g() const override { return below_; }
    [[nodiscard]] std::uint64_t ram_above_4g() const override { return above_; }

  private:
    std::uint64_t below_, above_;
};

TEST(LoaderGuestLayout, MemoryMapRejectsRamEndingAt1MiB) {
    EXPECT_FALSE(guest_memory_map(SizeOnlyRam(kMiB, 0)).ok());
}

TEST(LoaderGuestLayout, MemoryMapRejectsRamBelow4GiBPast3GiB) {
    const auto r = guest_memory_map(SizeOnlyRam(3 * kGiB + kMiB, 0));
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().c_str(),
                 "guest RAM below 4 GiB ends at 0xc0100000, above the 3 GiB the guest ABI allows");
}

TEST(LoaderGuestLayout, MemoryMapRejectsRamAbove4GiBThatWraps) {
    EXPECT_FALSE(guest_memory_map(SizeOnlyRam(64 * kMiB, ~std::uint64_t{0})).ok());
}

TEST(LoaderGuestLayout, RecognisesRamRangesOnBothSidesOf4GiB) {
    FakeGuestRam ram(4 * kMiB, 2 * kMiB);
    EXPECT_TRUE(is_guest_ram(ram, 0, 4 * kMiB));
    EXPECT_TRUE(is_guest_ram(ram, 4 * kMiB, 0));
    EXPECT_FALSE(is_guest_ram(ram, 4 * kMiB - 1, 2));
    EXPECT_TRUE(is_guest_ram(ram, k4GiB, 2 * kMiB));
    EXPECT_FALSE(is_guest_ram(ram, k4GiB - 1, 2));
    EXPECT_FALSE(is_guest_ram(ram, k4GiB + kMiB, 2 * kMiB));
    EXPECT_FALSE(is_guest_ram(ram, ~std::uint64_t{0}, 2));
}

TEST(LoaderGuestLayout, CopyToGuestRejectsRangeOutsideRam) {
    FakeGuestRam ram(4 * kMiB);
    const std::byte data[4] = {};
    const auto r = copy_to_guest(ram, 4 * kMiB - 2, Bytes(data, 4));
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().c_str(), "guest range 0x3ffffe (size 0x4) is not guest RAM");
    EXPECT_EQ(ram.calls(), 0u);
}

TEST(LoaderGuestLayout, CopyToGuestFailsWhenRamRefusesASpan) {
    SizeOnlyRam ram(4 * kMiB, 0);
    const std::byte data[4] = {};
    EXPECT_FALSE(copy_to_guest(ram, 0x1000, Bytes(data, 4)).ok());
}

TEST(LoaderGuestLayout, ZeroGuestSplitsAtChunkBoundaries) {
    FakeGuestRam ram(8 * kMiB, 0, std::byte{0xff});
    ASSERT_TRUE(zero_guest(ram, kMiB, 4 * kMiB).ok());
    EXPECT_FALSE(ram.crossed_chunk());
    EXPECT_EQ(ram.calls(), 3u);  // [1,2) [2,4) [4,5) MiB
    EXPECT_EQ(ram.peek<std::uint8_t>(kMiB - 1), 0xff);
    EXPECT_EQ(ram.peek<std::uint8_t>(kMiB), 0);
    EXPECT_EQ(ram.peek<std::uint8_t>(5 * kMiB - 1), 0);
    EXPECT_EQ(ram.peek<std::uint8_t>(5 * kMiB), 0xff);
}

TEST(LoaderGuestLayout, DescribesLoadedRange) {
    BufferSink<64> out;
    print(out, LoadedRange{0x100000, 0x5000, "kernel"});
    EXPECT_STREQ(out.c_str(), "kernel 0x100000-0x105000");
}

}  // namespace
}  // namespace hv::vmm::loader
