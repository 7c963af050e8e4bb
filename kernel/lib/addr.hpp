#pragma once
// Strong address types: a host-physical address is never silently used as a virtual one.
#include <compare>
#include <cstdint>

namespace hv {

template <typename Tag>
class Address {
  public:
    constexpr Address() = default;
    constexpr explicit Address(std::uint64_t raw) : raw_(raw) {}
    [[nodiscard]] constexpr std::uint64_t raw() const { return raw_; }
    constexpr Address operator+(std::uint64_t off) const { return Address(raw_ + off); }
    constexpr Address operator-(std::uint64_t off) const { return Address(raw_ - off); }
    constexpr std::uint64_t operator-(Address other) const { return raw_ - other.raw_; }
    constexpr Address& operator+=(std::uint64_t off) {
        raw_ += off;
        return *this;
    }
    constexpr auto operator<=>(const Address&) const = default;
    [[nodiscard]] constexpr bool aligned(std::uint64_t align) const {
        return (raw_ & (align - 1)) == 0;
    }
    [[nodiscard]] constexpr Address align_down(std::uint64_t align) const {
        return Address(raw_ & ~(align - 1));
    }
    [[nodiscard]] constexpr Address align_up(std::uint64_t align) const {
        return Address((raw_ + align - 1) & ~(align - 1));
    }

  private:
    std::uint64_t raw_ = 0;
};

using HostPhys = Address<struct HostPhysTag>;
using HostVirt = Address<struct HostVirtTag>;
using GuestPhys = Address<struct GuestPhysTag>;

inline constexpr std::uint64_t kPageSize = 4096;
inline constexpr std::uint64_t kLargePageSize = 2ull << 20;
inline constexpr std::uint64_t kHugePageSize = 1ull << 30;
inline constexpr std::uint64_t kKiB = 1ull << 10;
inline constexpr std::uint64_t kMiB = 1ull << 20;
inline constexpr std::uint64_t kGiB = 1ull << 30;

[[nodiscard]] constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t a) {
    return (v + a - 1) & ~(a - 1);
}
[[nodiscard]] constexpr std::uint64_t align_down(std::uint64_t v, std::uint64_t a) {
    return v & ~(a - 1);
}

}  // namespace hv
