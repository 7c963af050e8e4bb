#pragma once
// The small power, reset and ACPI fixed-hardware ports of the guest platform (docs/guest_abi.md):
//   0xF4        debug exit: writing N powers the VM off with code N (QEMU isa-debug-exit)
//   0x600       ACPI PM1a event block: PM1_STS (write 1 to clear) and PM1_EN, 2 bytes each
//   0x604       ACPI PM1a control: SLP_TYP=5 with SLP_EN powers off (our DSDT's \_S5)
//   0x608       ACPI PM timer: 24 bits at 3.579545 MHz (ACPI 6.5 sec 4.8.3.3)
//   0xCF9       reset control: bit 2 (reset CPU) reboots
// Pure; no locking (the VM's platform lock serialises calls).
#include <cstdint>

#include "vmm/devices/clock.hpp"
#include "vmm/devices/device.hpp"
#include "vmm/platform/guest_platform.hpp"

namespace hv::vmm {

inline constexpr std::uint16_t kDebugExitPort = 0xF4;
inline constexpr std::uint16_t kPm1aEventPort = platform::kPm1aEventPort;
inline constexpr std::uint16_t kPm1aControlPort = platform::kPm1aControlPort;
inline constexpr std::uint16_t kPmTimerPort = platform::kPmTimerPort;
inline constexpr std::uint16_t kResetControlPort = platform::kResetPort;
inline constexpr std::uint8_t kGuestS5SleepType = platform::kS5SleepType;

class PlatformPorts final : public PortDevice {
  public:
    PlatformPorts(VmControl& vm, const Clock& clock) : vm_(vm), clock_(clock) {}
    // Does `port` belong to these registers?
    [[nodiscard]] static bool claims(std::uint16_t port);
    void reset();
    std::uint32_t port_read(std::uint16_t port, std::uint8_t size) override;
    void port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) override;

  private:
    VmControl& vm_;
    const Clock& clock_;
    std::uint16_t pm1_status_ = 0;
    std::uint16_t pm1_enable_ = 0;
    std::uint16_t pm1_control_ = 1;  // SCI_EN: ACPI mode is on from the start
};

}  // namespace hv::vmm
