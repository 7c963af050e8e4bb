#include "gpu_passthrough/msi_message.hpp"

#include "arch/x86/cpu/apic_delivery_mode.hpp"

namespace hv::passthrough {
namespace {

// SDM vol. 3A 12.11.2, table 12-2 ("Delivery Mode"): 011b and 110b are reserved in MSI data.
[[nodiscard]] constexpr bool reserved_mode(std::uint32_t mode) { return mode == 3 || mode == 6; }

}  // namespace

Result<vmm::ApicMessage> decode_msi(std::uint64_t address, std::uint32_t data) {
    if (address < msi::kAddressBase || address > msi::kAddressLimit) {
        return make_error(Errc::kInvalid, "msi address outside 0xfee00000-0xfeefffff");
    }
    const std::uint32_t mode = (data & msi::kDataModeMask) >> msi::kDataModeShift;
    if (reserved_mode(mode)) return make_error(Errc::kInvalid, "msi reserved delivery mode");
    const auto low = static_cast<std::uint32_t>(address);
    vmm::ApicMessage m;
    m.vector = static_cast<std::uint8_t>(data & msi::kDataVectorMask);
    m.mode = static_cast<vmm::DeliveryMode>(mode);
    m.logical = (low & msi::kAddressDestModeLogical) != 0;
    m.level_triggered = (data & msi::kDataTriggerLevel) != 0;
    m.assert_level = !m.level_triggered || (data & msi::kDataLevelAssert) != 0;
    m.shorthand = vmm::Shorthand::kNone;
    m.destination = (low & msi::kAddressDestMask) >> msi::kAddressDestShift;
    return m;
}

Result<MsiMessage> encode_msi(const vmm::ApicMessage& m) {
    if (m.destination > x86::kMaxXapicId)
        return make_error(Errc::kInvalid, "msi destination above 0xff");
    if (m.shorthand != vmm::Shorthand::kNone) {
        return make_error(Errc::kInvalid, "msi cannot carry a shorthand");
    }
    const auto mode = static_cast<std::uint32_t>(m.mode);
    if (mode > 7 || reserved_mode(mode)) {
        return make_error(Errc::kInvalid, "msi cannot carry this delivery mode");
    }
    MsiMessage out;
    out.address = msi::kAddressBase | m.destination << msi::kAddressDestShift;
    if (m.logical) out.address |= msi::kAddressDestModeLogical;
    if (m.mode == vmm::DeliveryMode::kLowestPriority) out.address |= msi::kAddressRedirectionHint;
    out.data = m.vector | mode << msi::kDataModeShift;
    if (m.level_triggered) {
        out.data |= msi::kDataTriggerLevel;
        if (m.assert_level) out.data |= msi::kDataLevelAssert;
    }
    return out;
}

Result<MsiMessage> compatibility_msi(std::uint8_t vector, std::uint32_t apic_id) {
    vmm::ApicMessage m{};
    m.vector = vector;
    m.mode = vmm::DeliveryMode::kFixed;
    m.destination = apic_id;
    m.assert_level = true;
    return encode_msi(m);
}

}  // namespace hv::passthrough
