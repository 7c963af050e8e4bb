#pragma once
// The SVM I/O and MSR permission maps (AMD APM vol. 2 15.10.1 and 15.11): bitmaps the CPU
// consults on every IN/OUT and RDMSR/WRMSR; a set bit means "intercept". Pure builders over
// caller-provided memory, so they are unit-tested and the kernel places them in frames.
#include <cstddef>
#include <cstdint>
#include <span>

namespace hv::svm {

// 12 KiB: one bit per port 0-0xFFFF plus the bits an access crossing 0xFFFF reaches.
inline constexpr std::size_t kIopmSize = 12 * 1024;
// 8 KiB: two bits (read, write) per MSR in three 8K-MSR ranges.
inline constexpr std::size_t kMsrpmSize = 8 * 1024;

class MsrPermissionMap {
  public:
    // `map` must be kMsrpmSize bytes. Starts with every MSR intercepted.
    explicit MsrPermissionMap(std::span<std::uint8_t> map);
    // Let the guest read and/or write `msr` without an exit. Returns false for MSRs outside the
    // three ranges the map covers (those always exit).
    bool allow(std::uint32_t msr, bool read, bool write);
    [[nodiscard]] bool intercepts_read(std::uint32_t msr) const;
    [[nodiscard]] bool intercepts_write(std::uint32_t msr) const;

  private:
    // Bit index of the read bit for `msr`, or -1 when not covered.
    [[nodiscard]] static long bit_of(std::uint32_t msr);
    std::span<std::uint8_t> map_;
};

// Every port intercepted: all port I/O goes to device models.
void intercept_all_ports(std::span<std::uint8_t> iopm);

}  // namespace hv::svm
