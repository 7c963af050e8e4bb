#include "vmm/devices/pci_host.hpp"

#include "drivers/pci/config_regs.hpp"

namespace hv::vmm {
namespace {

// CONFIG_ADDRESS (PCI 3.0 sec 3.2.2.3.2, fig. 3-2): bits 30:24 and 1:0 are reserved and read 0.
constexpr std::uint32_t kAddressEnable = 1u << 31;
constexpr std::uint32_t kAddressWritable = kAddressEnable | 0x00FF'FFFC;
constexpr unsigned kAddressBusShift = 16;
constexpr unsigned kAddressDevfnShift = 8;
constexpr std::uint32_t kAddressRegisterMask = 0xFC;
constexpr std::uint16_t kDataPorts = 4;

// ECAM offset fields (PCIe 5.0 sec 7.2.2, table 7-1).
constexpr unsigned kEcamBusShift = 20;
constexpr unsigned kEcamDevfnShift = 12;
constexpr std::uint64_t kEcamRegisterMask = pci::kExtendedConfigSize - 1;

constexpr unsigned kByteBits = 8;
constexpr std::uint32_t kDword = 4;

// The ECAM offset CONFIG_ADDRESS selects, so both mechanisms share one access path.
[[nodiscard]] constexpr std::uint64_t ecam_offset(std::uint32_t config_address) {
    const std::uint64_t bus = (config_address >> kAddressBusShift) & 0xFF;
    const std::uint64_t devfn = (config_address >> kAddressDevfnShift) & 0xFF;
    return bus << kEcamBusShift | devfn << kEcamDevfnShift |
           (config_address & kAddressRegisterMask);
}
static_assert(ecam_offset(0x8012'FF3C) == 0x12F'F03C);

}  // namespace

PciHost::PciHost() { functions_[0] = &bridge_; }

Result<void> PciHost::attach(pci::Bdf bdf, PciFunction& function) {
    if (bdf.segment() != 0 || bdf.bus() != 0)
        return make_error(Errc::kInvalid, "pci: the guest has only bus 0");
    PciFunction*& slot = functions_[bdf.routing_id()];
    if (slot != nullptr) return make_error(Errc::kInvalid, "pci: function already attached");
    slot = &function;
    return Ok{};
}

void PciHost::detach(pci::Bdf bdf) {
    if (bdf.segment() != 0 || bdf.bus() != 0 || bdf.routing_id() == 0) return;
    functions_[bdf.routing_id()] = nullptr;
}

std::uint32_t PciHost::port_read(std::uint16_t port, std::uint8_t size) {
    if (port == kConfigAddressPort && size == kDword) return config_address_;
    const auto first = static_cast<std::uint16_t>(port - kConfigDataPort);
    if (first >= kDataPorts || !(config_address_ & kAddressEnable))
        return static_cast<std::uint32_t>(all_ones(size));
    const std::uint64_t base = ecam_offset(config_address_);
    if (first + size <= kDataPorts)
        return static_cast<std::uint32_t>(ecam_read(base + first, size));
    // The access runs past 0xCFF: only its bytes inside CONFIG_DATA are configuration data.
    std::uint32_t value = 0;
    for (std::uint8_t i = 0; i < size; ++i) {
        const std::uint64_t byte = first + i < kDataPorts ? ecam_read(base + first + i, 1) : 0xFF;
        value |= static_cast<std::uint32_t>(byte) << (i * kByteBits);
    }
    return value;
}

void PciHost::port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) {
    if (port == kConfigAddressPort && size == kDword) {
        config_address_ = value & kAddressWritable;
        return;
    }
    const auto first = static_cast<std::uint16_t>(port - kConfigDataPort);
    if (first >= kDataPorts || !(config_address_ & kAddressEnable)) return;
    const std::uint64_t base = ecam_offset(config_address_);
    if (first + size <= kDataPorts) return ecam_write(base + first, size, value);
    for (std::uint8_t i = 0; first + i < kDataPorts; ++i)
        ecam_write(base + first + i, 1, (value >> (i * kByteBits)) & 0xFF);
}

std::uint64_t PciHost::mmio_read(std::uint64_t offset, std::uint8_t size) {
    return ecam_read(offset, size);
}

void PciHost::mmio_write(std::uint64_t offset, std::uint8_t size, std::uint64_t value) {
    ecam_write(offset, size, value);
}

PciFunction* PciHost::function_at(std::uint64_t ecam_offset) const {
    if (ecam_offset >= kEcamSize || (ecam_offset >> kEcamBusShift) != 0) return nullptr;
    return functions_[(ecam_offset >> kEcamDevfnShift) & (kDevfnCount - 1)];
}

std::uint64_t PciHost::ecam_read(std::uint64_t offset, std::uint8_t size) const {
    if (size <= kDword && offset % size == 0) {
        PciFunction* fn = function_at(offset);
        if (fn == nullptr) return all_ones(size);
        return fn->config_read(static_cast<std::uint16_t>(offset & kEcamRegisterMask), size);
    }
    if (size == 2 * kDword && offset % size == 0)
        return ecam_read(offset, kDword) | ecam_read(offset + kDword, kDword) << 32;
    std::uint64_t value = 0;
    for (std::uint8_t i = 0; i < size; ++i) value |= ecam_read(offset + i, 1) << (i * kByteBits);
    return value;
}

void PciHost::ecam_write(std::uint64_t offset, std::uint8_t size, std::uint64_t value) {
    if (size <= kDword && offset % size == 0) {
        if (PciFunction* fn = function_at(offset))
            fn->config_write(static_cast<std::uint16_t>(offset & kEcamRegisterMask), size,
                             static_cast<std::uint32_t>(value));
        return;
    }
    if (size == 2 * kDword && offset % size == 0) {
        ecam_write(offset, kDword, value);
        ecam_write(offset + kDword, kDword, value >> 32);
        return;
    }
    for (std::uint8_t i = 0; i < size; ++i)
        ecam_write(offset + i, 1, (value >> (i * kByteBits)) & 0xFF);
}

}  // namespace hv::vmm
