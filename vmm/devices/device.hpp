#pragma once
// Device models see guest accesses through these two interfaces. Handlers run on the vCPU's
// physical CPU during its exit; a model shared by several vCPUs locks internally.
#include <cstdint>

namespace hv::vmm {

// What a register no device implements reads: all ones in `size` bytes (1, 2, 4 or 8), as on a
// PC bus where nothing drives the data lines.
[[nodiscard]] constexpr std::uint64_t all_ones(std::uint8_t size) {
    return size >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * size)) - 1;
}

class PortDevice {
  public:
    // `size` is 1, 2 or 4; reads return the value zero-extended.
    virtual std::uint32_t port_read(std::uint16_t port, std::uint8_t size) = 0;
    virtual void port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) = 0;

  protected:
    ~PortDevice() = default;
};

class MmioDevice {
  public:
    // `offset` is from the start of the device's region; `size` is 1, 2, 4 or 8.
    virtual std::uint64_t mmio_read(std::uint64_t offset, std::uint8_t size) = 0;
    virtual void mmio_write(std::uint64_t offset, std::uint8_t size, std::uint64_t value) = 0;

  protected:
    ~MmioDevice() = default;
};

// What a device may ask of its VM.
class VmControl {
  public:
    enum class Request : std::uint8_t { kPowerOff, kReboot };
    virtual void request(Request r, std::uint32_t code, bool has_code) = 0;
    // A complete line of guest console output (without the newline).
    virtual void console_line(const char* text, std::uint32_t len) = 0;

  protected:
    ~VmControl() = default;
};

}  // namespace hv::vmm
