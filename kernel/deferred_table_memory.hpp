#pragma once
// Table memory for second-stage tables that change while vCPUs may run (device BARs moved by a
// guest, vmm/stage2.hpp): a table the engine frees during such an unmap may still sit in another
// CPU's paging-structure caches until that CPU flushes (AMD APM vol. 2 15.16.1, Intel SDM vol. 3C
// 29.4.3). So while deferral is on, frees are held with the flush generation that covers them and
// returned only once every vCPU has acknowledged that generation (release()).
//
// Threading: frees happen under the VM's platform lock (the only writer of device mappings);
// release() may run on any vCPU's CPU, so the list has its own lock.
#include <cstddef>
#include <cstdint>

#include "kernel/frame_table_memory.hpp"
#include "kernel/spinlock.hpp"

namespace hv {

// `Frames` supplies zeroed table frames (FrameTableMemory in the kernel; a fake in tests).
template <typename Frames = FrameTableMemory>
class DeferredTableMemory {
  public:
    static constexpr std::size_t kCapacity = 64;

    Result<HostPhys> allocate_table() { return frames_.allocate_table(); }
    std::uint64_t* table(HostPhys p) { return frames_.table(p); }
    [[nodiscard]] Frames& frames() { return frames_; }
    void free_table(HostPhys p) {
        SpinGuard g(lock_);
        if (tag_ != 0 && count_ < kCapacity) {
            held_[count_++] = {p, tag_};
            return;
        }
        frames_.free_table(p);  // not deferring (creation, release), or see room()
    }

    // Frees from now on wait for flush generation `generation` (0: free at once).
    void defer_until(std::uint32_t generation) {
        SpinGuard g(lock_);
        tag_ = generation;
    }
    // Whether `tables` more frees fit in the list (callers refuse an unmap that might not).
    [[nodiscard]] bool room(std::size_t tables) {
        SpinGuard g(lock_);
        return kCapacity - count_ >= tables;
    }
    [[nodiscard]] std::size_t held() {
        SpinGuard g(lock_);
        return count_;
    }
    // Frees every held table whose generation every vCPU has acknowledged (`acked` is the
    // oldest acknowledgement; generations compare modulo 2^32).
    void release(std::uint32_t acked) {
        SpinGuard g(lock_);
        std::size_t kept = 0;
        for (std::size_t i = 0; i < count_; ++i) {
            if (static_cast<std::int32_t>(acked - held_[i].generation) >= 0)
                frames_.free_table(held_[i].frame);
            else
                held_[kept++] = held_[i];
        }
        count_ = kept;
    }
    // Everything, when no vCPU can run any more (the tables are being destroyed).
    void release_all() {
        SpinGuard g(lock_);
        for (std::size_t i = 0; i < count_; ++i) frames_.free_table(held_[i].frame);
        count_ = 0;
        tag_ = 0;
    }

  private:
    struct Held {
        HostPhys frame;
        std::uint32_t generation;
    };
    Frames frames_;
    SpinLock lock_;
    Held held_[kCapacity]{};
    std::size_t count_ = 0;
    std::uint32_t tag_ = 0;
};

}  // namespace hv
