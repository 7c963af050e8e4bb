#include "kernel/heap.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace hv {
namespace {

class HeapTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(heap.init(std::span<std::byte>(region, sizeof(region))).ok());
    }
    void* alloc(std::size_t size, std::size_t align = Heap::kMinAlignment) {
        auto r = heap.allocate(size, align);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
        return r.ok() ? r.value() : nullptr;
    }

    alignas(64) std::byte region[64 * 1024];
    Heap heap;
};

TEST_F(HeapTest, AllocationsAreInsideRegionAndAligned) {
    void* p = alloc(100);
    ASSERT_NE(p, nullptr);
    EXPECT_GE(static_cast<std::byte*>(p), region);
    EXPECT_LE(static_cast<std::byte*>(p) + 100, region + sizeof(region));
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 16, 0u);
}

TEST_F(HeapTest, AllocationsDoNotOverlap) {
    auto* a = static_cast<std::byte*>(alloc(100));
    auto* b = static_cast<std::byte*>(alloc(100));
    std::memset(a, 0xaa, 100);
    std::memset(b, 0xbb, 100);
    EXPECT_TRUE(a + 100 <= b || b + 100 <= a);
    EXPECT_EQ(a[99], std::byte{0xaa});
    EXPECT_TRUE(heap.check().ok());
}

TEST_F(HeapTest, HonoursLargeAlignment) {
    alloc(24);
    void* p = alloc(256, 4096);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 4096, 0u);
    EXPECT_TRUE(heap.check().ok());
}

TEST_F(HeapTest, RejectsZeroSizeAndBadAlignment) {
    EXPECT_FALSE(heap.allocate(0).ok());
    EXPECT_FALSE(heap.allocate(16, 48).ok());
}

TEST_F(HeapTest, ReportsOutOfMemory) {
    auto r = heap.allocate(sizeof(region));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kNoMemory);
}

TEST_F(HeapTest, FreeCoalescesBackToOneBlock) {
    void* a = alloc(100);
    void* b = alloc(200);
    void* c = alloc(300);
    ASSERT_TRUE(heap.free(a).ok());
    ASSERT_TRUE(heap.free(c).ok());
    ASSERT_TRUE(heap.free(b).ok());
    const Heap::Stats s = heap.stats();
    EXPECT_EQ(s.free_blocks, 1u);
    EXPECT_EQ(s.allocations, 0u);
    EXPECT_EQ(s.used_bytes, 0u);
    EXPECT_EQ(s.free_bytes, s.total_bytes);
    EXPECT_TRUE(heap.check().ok());
}

TEST_F(HeapTest, FirstFitReusesEarliestHole) {
    void* a = alloc(256);
    alloc(256);
    ASSERT_TRUE(heap.free(a).ok());
    EXPECT_EQ(alloc(128), a);
}

TEST_F(HeapTest, DetectsDoubleFree) {
    void* a = alloc(64);
    alloc(64);
    ASSERT_TRUE(heap.free(a).ok());
    auto r = heap.free(a);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "heap: double free");
}

TEST_F(HeapTest, DetectsDoubleFreeAfterMerge) {
    void* a = alloc(64);
    void* b = alloc(64);
    ASSERT_TRUE(heap.free(a).ok());
    ASSERT_TRUE(heap.free(b).ok());  // merges into a's block
    EXPECT_FALSE(heap.free(b).ok());
}

TEST_F(HeapTest, DetectsOverrunIntoNextHeader) {
    auto* a = static_cast<std::byte*>(alloc(64));
    alloc(64);
    std::memset(a, 0x41, 64 + 8);  // eight bytes too many
    auto r = heap.free(a);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "heap: corrupted block header");
    EXPECT_FALSE(heap.check().ok());
}

TEST_F(HeapTest, DetectsForeignPointer) {
    int outside = 0;
    EXPECT_FALSE(heap.free(&outside).ok());
    auto* a = static_cast<std::byte*>(alloc(64));
    EXPECT_FALSE(heap.free(a + 16).ok());
    EXPECT_FALSE(heap.free(nullptr).ok());
}

TEST_F(HeapTest, FailedFreeChangesNothing) {
    void* a = alloc(64);
    const Heap::Stats before = heap.stats();
    EXPECT_FALSE(heap.free(static_cast<std::byte*>(a) + 32).ok());
    EXPECT_EQ(heap.stats().allocations, before.allocations);
    EXPECT_TRUE(heap.free(a).ok());
}

TEST_F(HeapTest, StatsTrackUsage) {
    alloc(1000);
    const Heap::Stats s = heap.stats();
    EXPECT_EQ(s.allocations, 1u);
    EXPECT_GE(s.used_bytes, 1000u);
    EXPECT_EQ(s.used_bytes + s.free_bytes, s.total_bytes);
    EXPECT_EQ(s.largest_free, s.free_bytes - 32);
}

TEST_F(HeapTest, SurvivesRandomizedAllocateFreeSequence) {
    std::vector<std::pair<std::byte*, std::size_t>> live;
    std::uint32_t seed = 12345;
    const auto rnd = [&] { return seed = seed * 1103515245 + 12345, (seed >> 16) & 0x7fff; };
    for (int i = 0; i < 4000; ++i) {
        if (live.empty() || rnd() % 3 != 0) {
            const std::size_t size = 1 + rnd() % 700;
            const std::size_t align = std::size_t{16} << (rnd() % 4);
            auto r = heap.allocate(size, align);
            if (!r.ok()) continue;
            auto* p = static_cast<std::byte*>(r.value());
            ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % align, 0u);
            std::memset(p, static_cast<int>(size & 0xff), size);
            live.push_back({p, size});
        } else {
            const std::size_t k = rnd() % live.size();
            auto [p, size] = live[k];
            for (std::size_t j = 0; j < size; ++j)
                ASSERT_EQ(p[j], std::byte(size & 0xff)) << "payload clobbered";
            ASSERT_TRUE(heap.free(p).ok());
            live[k] = live.back();
            live.pop_back();
        }
        ASSERT_TRUE(heap.check().ok()) << "iteration " << i;
    }
    for (auto [p, size] : live) ASSERT_TRUE(heap.free(p).ok());
    EXPECT_EQ(heap.stats().free_blocks, 1u);
}

TEST(Heap, RejectsTinyRegion) {
    alignas(16) std::byte small[32];
    Heap heap;
    EXPECT_FALSE(heap.init(std::span<std::byte>(small, sizeof(small))).ok());
}

TEST(Heap, TrimsUnalignedRegion) {
    alignas(16) std::byte raw[1024];
    Heap heap;
    ASSERT_TRUE(heap.init(std::span<std::byte>(raw + 3, 1000)).ok());
    EXPECT_EQ(heap.stats().total_bytes, 992u - 16u);  // [raw + 16, raw + 992)
}

}  // namespace
}  // namespace hv
