#include "kernel/deferred_table_memory.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hv {
namespace {

// Frames handed out and given back, by address.
struct FakeFrames {
    std::uint64_t next = 0x10000;
    std::vector<std::uint64_t> freed;
    std::uint64_t storage[512]{};
    Result<HostPhys> allocate_table() {
        next += kPageSize;
        return HostPhys(next);
    }
    void free_table(HostPhys p) { freed.push_back(p.raw()); }
    std::uint64_t* table(HostPhys) { return storage; }
};

TEST(DeferredTableMemory, FreesAtOnceWhenNotDeferring) {
    DeferredTableMemory<FakeFrames> m;
    m.free_table(HostPhys(0x5000));
    EXPECT_EQ(m.frames().freed, std::vector<std::uint64_t>{0x5000});
    EXPECT_EQ(m.held(), 0u);
}

TEST(DeferredTableMemory, HoldsFreesUntilTheirGenerationIsAcknowledged) {
    DeferredTableMemory<FakeFrames> m;
    m.defer_until(7);
    m.free_table(HostPhys(0x5000));
    m.free_table(HostPhys(0x6000));
    m.defer_until(8);
    m.free_table(HostPhys(0x7000));
    m.defer_until(0);
    EXPECT_EQ(m.held(), 3u);
    EXPECT_TRUE(m.frames().freed.empty());
    m.release(6);  // one vCPU has not flushed generation 7 yet
    EXPECT_TRUE(m.frames().freed.empty());
    m.release(7);
    EXPECT_EQ(m.frames().freed, (std::vector<std::uint64_t>{0x5000, 0x6000}));
    EXPECT_EQ(m.held(), 1u);
    m.release(9);
    EXPECT_EQ(m.frames().freed.back(), 0x7000u);
    EXPECT_EQ(m.held(), 0u);
}

TEST(DeferredTableMemory, GenerationsCompareAcrossWrapAround) {
    DeferredTableMemory<FakeFrames> m;
    m.defer_until(0xFFFF'FFFF);
    m.free_table(HostPhys(0x5000));
    m.defer_until(1);
    m.free_table(HostPhys(0x6000));
    m.release(0xFFFF'FFFE);
    EXPECT_TRUE(m.frames().freed.empty());
    m.release(0);  // 0xFFFFFFFF is acknowledged by 0, generation 1 is not
    EXPECT_EQ(m.frames().freed, std::vector<std::uint64_t>{0x5000});
    m.release(1);
    EXPECT_EQ(m.held(), 0u);
}

TEST(DeferredTableMemory, RoomAndReleaseAll) {
    DeferredTableMemory<FakeFrames> m;
    m.defer_until(3);
    for (std::size_t i = 0; i < DeferredTableMemory<FakeFrames>::kCapacity - 2; ++i)
        m.free_table(HostPhys(0x100000 + i * kPageSize));
    EXPECT_TRUE(m.room(2));
    EXPECT_FALSE(m.room(3));
    m.release_all();
    EXPECT_EQ(m.held(), 0u);
    EXPECT_EQ(m.frames().freed.size(), DeferredTableMemory<FakeFrames>::kCapacity - 2);
    m.free_table(HostPhys(0x5000));  // release_all also ends deferral
    EXPECT_EQ(m.frames().freed.back(), 0x5000u);
}

}  // namespace
}  // namespace hv
