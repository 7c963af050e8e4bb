#include "vmm/devices/platform_ports.hpp"

namespace hv::vmm {
namespace {
constexpr std::uint16_t kSlpTypShift = 10;  // ACPI 6.5 table 4.13
constexpr std::uint16_t kSlpTypMask = 0x7;
constexpr std::uint16_t kSlpEn = 1u << 13;
constexpr std::uint8_t kResetCpu = 1u << 2;  // Intel ICH9 datasheet 13.7.5 "RST_CNT"
}  // namespace

std::uint32_t PlatformPorts::port_read(std::uint16_t port, std::uint8_t size) {
    if (port == kPm1aControlPort) return pm1_control_;
    return size == 1 ? 0xFF : size == 2 ? 0xFFFF : 0xFFFF'FFFF;
}

void PlatformPorts::port_write(std::uint16_t port, std::uint8_t, std::uint32_t value) {
    switch (port) {
        case kDebugExitPort:
            vm_.request(VmControl::Request::kPowerOff, value, true);
            break;
        case kPm1aControlPort:
            pm1_control_ = static_cast<std::uint16_t>(value & ~kSlpEn);
            if ((value & kSlpEn) && ((value >> kSlpTypShift) & kSlpTypMask) == kGuestS5SleepType) {
                vm_.request(VmControl::Request::kPowerOff, 0, false);
            }
            break;
        case kResetControlPort:
            if (value & kResetCpu) vm_.request(VmControl::Request::kReboot, 0, false);
            break;
        default:
            break;
    }
}

}  // namespace hv::vmm
