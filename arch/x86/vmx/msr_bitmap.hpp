#pragma once
// The VMX MSR bitmap and I/O bitmaps (Intel SDM vol. 3C 25.6.4, 25.6.9): pages the CPU consults
// on RDMSR/WRMSR and IN/OUT in the guest; a set bit means "exit". Pure builders over
// caller-provided memory, so they are unit-tested and the kernel places them in frames.
#include <cstddef>
#include <cstdint>
#include <span>

namespace hv::vmx {

// One 4 KiB page of four 1 KiB bitmaps (SDM vol. 3C 25.6.9):
//   0x000 read  MSRs 0000_0000h-0000_1FFFh    0x800 write MSRs 0000_0000h-0000_1FFFh
//   0x400 read  MSRs C000_0000h-C000_1FFFh    0xC00 write MSRs C000_0000h-C000_1FFFh
// RDMSR/WRMSR of any MSR outside both ranges always exits.
inline constexpr std::size_t kMsrBitmapSize = 4096;
// I/O bitmap A covers ports 0000h-7FFFh, B ports 8000h-FFFFh, one bit per port (25.6.4).
inline constexpr std::size_t kIoBitmapSize = 4096;

class MsrBitmap {
  public:
    // `page` must be kMsrBitmapSize bytes. Starts with every MSR exiting.
    explicit MsrBitmap(std::span<std::uint8_t> page);
    // Let the guest read and/or write `msr` without an exit. Returns false for MSRs outside the
    // two ranges (those always exit).
    bool allow(std::uint32_t msr, bool read, bool write);
    [[nodiscard]] bool exits_on_read(std::uint32_t msr) const;
    [[nodiscard]] bool exits_on_write(std::uint32_t msr) const;

  private:
    // Bit index of `msr` in the read bitmap (the write bitmap is 0x800 bytes further), or -1.
    [[nodiscard]] static long read_bit(std::uint32_t msr);
    [[nodiscard]] bool test(long bit) const;
    void clear(long bit);
    std::span<std::uint8_t> page_;
};

// Every port exits: all port I/O goes to device models. `bitmap` is one of A or B.
void exit_on_all_ports(std::span<std::uint8_t> bitmap);

}  // namespace hv::vmx
