#pragma once
// field<T>(bytes, offset): a little-endian field of a firmware structure. Parsers check every
// structure's length against its table before reading it, so the zero fallback is never taken in
// practice; it exists so that a missed check reads zero instead of past the buffer.
#include <array>
#include <cstddef>

#include "kernel/lib/bytes.hpp"

namespace hv::acpi {

template <typename T>
requires std::is_trivially_copyable_v<T>
[[nodiscard]] constexpr T field(Bytes bytes, std::size_t offset) {
    return load_le<T>(bytes, offset).value_or(T{});
}

// `N` characters starting at `offset` (OEM IDs, signatures), not terminated; zeros if out of range.
template <std::size_t N>
[[nodiscard]] constexpr std::array<char, N> chars_at(Bytes bytes, std::size_t offset) {
    std::array<char, N> out{};
    if (offset > bytes.size() || bytes.size() - offset < N) return out;
    for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<char>(bytes[offset + i]);
    return out;
}

}  // namespace hv::acpi
