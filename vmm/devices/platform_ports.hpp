#pragma once
// The small power and reset ports of the guest platform (docs/guest_abi.md):
//   0xF4        debug exit: writing N powers the VM off with code N (QEMU isa-debug-exit)
//   0x604       ACPI PM1a control: SLP_TYP=5 with SLP_EN powers off (our DSDT's \_S5)
//   0xCF9       reset control: bit 2 (reset CPU) reboots
#include <cstdint>

#include "vmm/devices/device.hpp"

namespace hv::vmm {

inline constexpr std::uint16_t kDebugExitPort = 0xF4;
inline constexpr std::uint16_t kPm1aControlPort = 0x604;
inline constexpr std::uint16_t kResetControlPort = 0xCF9;
inline constexpr std::uint8_t kGuestS5SleepType = 5;

class PlatformPorts final : public PortDevice {
  public:
    explicit PlatformPorts(VmControl& vm) : vm_(vm) {}
    std::uint32_t port_read(std::uint16_t port, std::uint8_t size) override;
    void port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) override;

  private:
    VmControl& vm_;
    std::uint16_t pm1_control_ = 1;  // SCI_EN: ACPI mode is on from the start
};

}  // namespace hv::vmm
