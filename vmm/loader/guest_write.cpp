#include "vmm/loader/guest_write.hpp"

#include "vmm/loader/guest_layout.hpp"

namespace hv::vmm::loader {
namespace {

LoadError not_ram(std::uint64_t gpa, std::uint64_t len) {
    return make_load_error(Errc::kInvalid, "guest range ", Hex0x{gpa}, " (size ", Hex0x{len},
                           ") is not guest RAM");
}

// Calls `fn(dst, done)` for each piece of [gpa, gpa + len), split at chunk boundaries, where `dst`
// is the host view of the piece and `done` the bytes before it.
template <typename Fn>
LoadResult<void> for_each_chunk(GuestRam& ram, std::uint64_t gpa, std::uint64_t len, Fn fn) {
    if (!is_guest_ram(ram, gpa, len)) return not_ram(gpa, len);
    std::uint64_t done = 0;
    while (done < len) {
        const std::uint64_t at = gpa + done;
        const std::uint64_t chunk_left = kGuestRamChunk - (at & (kGuestRamChunk - 1));
        const std::uint64_t n = len - done < chunk_left ? len - done : chunk_left;
        std::span<std::byte> dst = ram.bytes(at, n);
        if (dst.size() != n) return not_ram(at, n);
        fn(dst, done);
        done += n;
    }
    return Ok{};
}

}  // namespace

bool is_guest_ram(const GuestRam& ram, std::uint64_t gpa, std::uint64_t len) {
    if (gpa > ~std::uint64_t{0} - len) return false;
    const std::uint64_t end = gpa + len;
    if (end <= ram.ram_top_below_4g()) return true;
    const std::uint64_t above = ram.ram_above_4g();
    return above != 0 && gpa >= k4GiB && end - k4GiB <= above;
}

LoadResult<void> copy_to_guest(GuestRam& ram, std::uint64_t gpa, Bytes src) {
    return for_each_chunk(ram, gpa, src.size(), [&](std::span<std::byte> dst, std::uint64_t done) {
        __builtin_memcpy(dst.data(), src.data() + done, dst.size());
    });
}

LoadResult<void> zero_guest(GuestRam& ram, std::uint64_t gpa, std::uint64_t len) {
    return for_each_chunk(ram, gpa, len, [](std::span<std::byte> dst, std::uint64_t) {
        __builtin_memset(dst.data(), 0, dst.size());
    });
}

}  // namespace hv::vmm::loader
