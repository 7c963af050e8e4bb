#include "vmm/devices/platform_ports.hpp"

namespace hv::vmm {
namespace {
constexpr std::uint16_t kSlpTypShift = 10;  // ACPI 6.5 table 4.13
constexpr std::uint16_t kSlpTypMask = 0x7;
constexpr std::uint16_t kSlpEn = 1u << 13;
constexpr std::uint16_t kSciEn = 1u << 0;
constexpr std::uint8_t kResetCpu = 1u << 2;        // Intel ICH9 datasheet 13.7.5 "RST_CNT"
constexpr std::uint32_t kPmTimerMask = 0xFF'FFFF;  // 24-bit counter (FADT TMR_VAL_EXT clear)
constexpr std::uint16_t kPm1EventBytes = 4;

}  // namespace

bool PlatformPorts::claims(std::uint16_t port) {
    return port == kDebugExitPort || port == kResetControlPort ||
           (port >= kPm1aEventPort && port < kPm1aEventPort + kPm1EventBytes) ||
           port == kPm1aControlPort || port == kPm1aControlPort + 1 ||
           (port >= kPmTimerPort && port < kPmTimerPort + 4);
}

void PlatformPorts::reset() {
    pm1_status_ = 0;
    pm1_enable_ = 0;
    pm1_control_ = kSciEn;
}

std::uint32_t PlatformPorts::port_read(std::uint16_t port, std::uint8_t size) {
    if (port >= kPmTimerPort && port < kPmTimerPort + 4) {
        const std::uint64_t ticks = convert_ticks(clock_.now(), clock_.hz(), platform::kPmTimerHz);
        return static_cast<std::uint32_t>(ticks & kPmTimerMask) >> (8 * (port - kPmTimerPort));
    }
    switch (port) {
        case kPm1aEventPort:
            return size >= 4 ? pm1_status_ | static_cast<std::uint32_t>(pm1_enable_) << 16
                             : pm1_status_;
        case kPm1aEventPort + 2:
            return pm1_enable_;
        case kPm1aControlPort:
            return pm1_control_;
        default:
            return static_cast<std::uint32_t>(all_ones(size));
    }
}

void PlatformPorts::port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) {
    switch (port) {
        case kDebugExitPort:
            vm_.request(VmControl::Request::kPowerOff, value, true);
            break;
        case kPm1aEventPort:
            pm1_status_ &= static_cast<std::uint16_t>(~value);  // write 1 to clear
            if (size >= 4) pm1_enable_ = static_cast<std::uint16_t>(value >> 16);
            break;
        case kPm1aEventPort + 2:
            pm1_enable_ = static_cast<std::uint16_t>(value);
            break;
        case kPm1aControlPort:
            pm1_control_ = static_cast<std::uint16_t>((value & ~kSlpEn) | kSciEn);
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
