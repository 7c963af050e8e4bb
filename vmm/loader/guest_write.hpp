#pragma once
// Range checks and copies into guest RAM, shared by the loaders.
//
// Copies are split at kGuestRamChunk boundaries: guest RAM is backed by 2 MiB or 1 GiB host pages
// (docs/guest_abi.md), so every span a GuestRam is asked for lies within one host page.
#include <cstdint>
#include <type_traits>

#include "kernel/lib/addr.hpp"
#include "kernel/lib/bytes.hpp"
#include "vmm/loader/guest_ram.hpp"
#include "vmm/loader/load_error.hpp"

namespace hv::vmm::loader {

inline constexpr std::uint64_t kGuestRamChunk = kLargePageSize;

// True if [gpa, gpa + len) lies entirely in one RAM range of `ram` (an empty range at the end of
// RAM counts as inside). False on overflow.
[[nodiscard]] bool is_guest_ram(const GuestRam& ram, std::uint64_t gpa, std::uint64_t len);

// True if [a, a + a_len) and [b, b + b_len) share a byte (empty ranges share none). Callers pass
// ranges that do not wrap.
[[nodiscard]] constexpr bool ranges_overlap(std::uint64_t a, std::uint64_t a_len, std::uint64_t b,
                                            std::uint64_t b_len) {
    return a_len != 0 && b_len != 0 && a < b + b_len && b < a + a_len;
}

// Copies `src` to guest-physical `gpa`. Fails, naming the address, if the range is not RAM.
[[nodiscard]] LoadResult<void> copy_to_guest(GuestRam& ram, std::uint64_t gpa, Bytes src);

// Zeroes guest-physical [gpa, gpa + len). Fails, naming the address, if the range is not RAM.
[[nodiscard]] LoadResult<void> zero_guest(GuestRam& ram, std::uint64_t gpa, std::uint64_t len);

// Stores `value` little-endian at guest-physical `gpa`.
template <typename T>
requires std::is_integral_v<T>
[[nodiscard]] LoadResult<void> store_guest(GuestRam& ram, std::uint64_t gpa, T value) {
    std::byte raw[sizeof(T)];
    __builtin_memcpy(raw, &value, sizeof(T));  // x86 is little-endian
    return copy_to_guest(ram, gpa, Bytes(raw, sizeof(T)));
}

}  // namespace hv::vmm::loader
