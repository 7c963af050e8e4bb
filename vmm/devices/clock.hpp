#pragma once
// A monotonic time source for device models (PIT, RTC, ACPI PM timer, LAPIC). In the kernel it
// is the invariant host TSC; unit tests drive a fake one.
#include <cstdint>

namespace hv::vmm {

class Clock {
  public:
    [[nodiscard]] virtual std::uint64_t now() const = 0;  // ticks since some fixed point
    [[nodiscard]] virtual std::uint64_t hz() const = 0;   // ticks per second, never 0

  protected:
    ~Clock() = default;
};

// `ticks` of a clock running at `from_hz` expressed in a clock at `to_hz`, rounded down.
[[nodiscard]] constexpr std::uint64_t convert_ticks(std::uint64_t ticks, std::uint64_t from_hz,
                                                    std::uint64_t to_hz) {
    return static_cast<std::uint64_t>(static_cast<unsigned __int128>(ticks) * to_hz / from_hz);
}

}  // namespace hv::vmm
