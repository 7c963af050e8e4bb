#include "vmm/devices/pci_host_bridge.hpp"

namespace hv::vmm {
namespace {

// Class code dword: base class 06h (bridge), sub-class 00h (host), programming interface 00h,
// revision 0.
constexpr std::uint32_t kClassRevision = 0x0600'0000;
constexpr std::uint16_t kCommandWritable =
    pci::command::kParityErrorResponse | pci::command::kSerrEnable;
constexpr std::uint32_t kByteBits = 8;

[[nodiscard]] constexpr std::uint32_t low_bytes(std::uint8_t size) {
    return size >= 4 ? 0xFFFF'FFFFu : (1u << (size * kByteBits)) - 1;
}

}  // namespace

std::uint32_t PciHostBridge::config_read(std::uint16_t reg, std::uint8_t size) {
    const std::uint32_t dword = read_dword(static_cast<std::uint16_t>(reg & ~3u));
    return (dword >> ((reg & 3u) * kByteBits)) & low_bytes(size);
}

void PciHostBridge::config_write(std::uint16_t reg, std::uint8_t size, std::uint32_t value) {
    // Gather the written bytes that land on the command register. Status (0x06) is RW1C, but
    // this bridge never sets a status bit, so nothing else can take a write.
    const std::uint16_t command = pci::offset(pci::Reg16::kCommand);
    std::uint16_t written = 0, bits = 0;
    for (std::uint8_t i = 0; i < size; ++i) {
        const unsigned offset = reg + i;
        if (offset < command || offset >= command + sizeof(command_)) continue;
        const unsigned shift = (offset - command) * kByteBits;
        written = static_cast<std::uint16_t>(written | 0xFFu << shift);
        bits = static_cast<std::uint16_t>(bits | ((value >> (i * kByteBits)) & 0xFFu) << shift);
    }
    const auto writable = static_cast<std::uint16_t>(written & kCommandWritable);
    command_ = static_cast<std::uint16_t>((command_ & ~writable) | (bits & writable));
}

std::uint32_t PciHostBridge::read_dword(std::uint16_t reg) const {
    switch (reg) {
        case pci::offset(pci::Reg32::kVendorDevice):
            return static_cast<std::uint32_t>(kDeviceId) << 16 | kVendorId;
        case pci::offset(pci::Reg32::kCommandStatus):
            return command_;  // status 0: no capability list, no errors
        case pci::offset(pci::Reg32::kClassRevision):
            return kClassRevision;
        default:
            // Header type 0 single-function, no BARs, no ROM, no interrupt pin; an all-zero
            // header at 0x100 ends the (empty) extended capability list (PCIe 5.0 sec 7.6.3).
            return 0;
    }
}

}  // namespace hv::vmm
