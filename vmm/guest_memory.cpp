#include "vmm/guest_memory.hpp"

#include "kernel/direct_map.hpp"
#include "kernel/kernel_memory.hpp"

namespace hv::vmm {

void GuestMemory::zero() {
    for (std::size_t i = 0; i < chunk_count_; ++i)
        __builtin_memset(phys_to_virt(chunks_[i].hpa), 0, chunks_[i].size);
}

Result<void> GuestMemory::add_region(std::uint64_t gpa, std::uint64_t size, Stage2& stage2) {
    std::uint64_t done = 0;
    while (done < size) {
        const std::uint64_t at = gpa + done;
        const std::uint64_t left = size - done;
        // A 1 GiB block only where the guest-physical side is 1 GiB-aligned too, so the stage-2
        // tables can map it with one entry.
        std::uint64_t block = kLargePageSize;
        HostPhys hpa;
        bool got = false;
        if (left >= kHugePageSize && (at % kHugePageSize) == 0) {
            if (auto r = memory::allocate(kHugePageSize, kHugePageSize)) {
                hpa = r.value();
                block = kHugePageSize;
                got = true;
            }
        }
        if (!got) hpa = TRY(memory::allocate(kLargePageSize, kLargePageSize));
        if (chunk_count_ == kMaxRamChunks) {
            memory::free(hpa, block);
            return make_error(Errc::kTooMany, "guest memory too fragmented (over 1024 blocks)");
        }
        chunks_[chunk_count_++] = Chunk{at, hpa, block};
        (block == kHugePageSize ? huge_ : large_)++;
        // Guests must not see what the memory held before (another VM's data).
        __builtin_memset(phys_to_virt(hpa), 0, block);
        TRY(stage2.map_ram(GuestPhys(at), hpa, block));
        TRY(memory::map_kernel_range(window_ + at, hpa, block));
        done += block;
    }
    return {};
}

Result<void> GuestMemory::create(std::uint64_t bytes, Stage2& stage2, std::uint64_t window) {
    window_ = window;
    const std::uint64_t total = align_up(bytes, kLargePageSize);
    low_bytes_ = total < kLowRamLimit ? total : kLowRamLimit;
    high_bytes_ = total - low_bytes_;
    if (auto r = add_region(0, low_bytes_, stage2); !r) {
        release();
        return r.error();
    }
    if (high_bytes_ != 0) {
        if (auto r = add_region(kHighRamBase, high_bytes_, stage2); !r) {
            release();
            return r.error();
        }
    }
    return {};
}

void GuestMemory::release() {
    for (std::size_t i = 0; i < chunk_count_; ++i) {
        const Chunk& c = chunks_[i];
        (void)memory::unmap_kernel_range(window_ + c.gpa, c.size);
        memory::free(c.hpa, c.size);
    }
    chunk_count_ = huge_ = large_ = 0;
    low_bytes_ = high_bytes_ = 0;
}

bool GuestMemory::is_ram(std::uint64_t gpa) const {
    return gpa < low_bytes_ || (gpa >= kHighRamBase && gpa - kHighRamBase < high_bytes_);
}

std::span<std::byte> GuestMemory::bytes(std::uint64_t gpa, std::uint64_t len) {
    const bool low = gpa <= low_bytes_ && len <= low_bytes_ - gpa;
    const bool high = gpa >= kHighRamBase && gpa - kHighRamBase <= high_bytes_ &&
                      len <= high_bytes_ - (gpa - kHighRamBase);
    if (!low && !high) return {};
    return {reinterpret_cast<std::byte*>(window_ + gpa), len};
}

}  // namespace hv::vmm
