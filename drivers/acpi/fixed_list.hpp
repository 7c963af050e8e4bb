#pragma once
// FixedList<T, N>: a std::array plus a count, the list type of every ACPI parser. The tables are
// firmware input of unbounded size, the kernel has no heap when it reads them, so each list has a
// capacity chosen from real machines and the parser says what happens when it is exceeded.
#include <array>
#include <cstddef>
#include <span>

namespace hv::acpi {

template <typename T, std::size_t N>
struct FixedList {
    std::array<T, N> items{};
    std::size_t count = 0;

    [[nodiscard]] static constexpr std::size_t capacity() { return N; }
    [[nodiscard]] constexpr std::size_t size() const { return count; }
    [[nodiscard]] constexpr bool empty() const { return count == 0; }

    // False (and the list unchanged) when full.
    [[nodiscard]] constexpr bool push(const T& value) {
        if (count == N) return false;
        items[count++] = value;
        return true;
    }

    // Callers index below size(); like std::array, this is not checked.
    constexpr T& operator[](std::size_t i) { return items[i]; }
    constexpr const T& operator[](std::size_t i) const { return items[i]; }

    [[nodiscard]] constexpr std::span<const T> view() const { return {items.data(), count}; }
    constexpr const T* begin() const { return items.data(); }
    constexpr const T* end() const { return items.data() + count; }
};

}  // namespace hv::acpi
