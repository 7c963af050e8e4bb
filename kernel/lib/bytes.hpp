#pragma once
// Reading little-endian fields out of untrusted byte buffers (firmware tables, boot information,
// guest memory). Every read is bounds-checked so that parsers built on it stay total functions.
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "kernel/lib/optional.hpp"

namespace hv {

using Bytes = std::span<const std::byte>;

// x86 is little-endian, so a plain copy is the decode; memcpy avoids alignment traps and
// strict-aliasing problems on packed firmware structures.
template <typename T>
requires std::is_trivially_copyable_v<T>
[[nodiscard]] constexpr Optional<T> load_le(Bytes bytes, std::size_t offset) {
    if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return kNone;
    T value;
    __builtin_memcpy(&value, bytes.data() + offset, sizeof(T));
    return value;
}

// For callers that have already checked the length.
template <typename T>
requires std::is_trivially_copyable_v<T>
[[nodiscard]] constexpr T load_le_unchecked(Bytes bytes, std::size_t offset) {
    T value;
    __builtin_memcpy(&value, bytes.data() + offset, sizeof(T));
    return value;
}

[[nodiscard]] constexpr Bytes subspan_or_empty(Bytes bytes, std::size_t offset, std::size_t len) {
    if (offset > bytes.size() || bytes.size() - offset < len) return {};
    return bytes.subspan(offset, len);
}

// Sum of all bytes modulo 256; ACPI tables are valid when this is zero (ACPI 6.5, 5.2.5.3 / 5.2.6).
[[nodiscard]] constexpr std::uint8_t byte_sum(Bytes bytes) {
    std::uint8_t sum = 0;
    for (std::byte b : bytes) sum = static_cast<std::uint8_t>(sum + static_cast<std::uint8_t>(b));
    return sum;
}

[[nodiscard]] constexpr bool bytes_equal(Bytes bytes, std::size_t offset, const char* text,
                                         std::size_t len) {
    if (offset > bytes.size() || bytes.size() - offset < len) return false;
    for (std::size_t i = 0; i < len; ++i) {
        if (static_cast<char>(bytes[offset + i]) != text[i]) return false;
    }
    return true;
}

}  // namespace hv
