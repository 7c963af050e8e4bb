#pragma once
// VT-d interrupt remapping: the table entry for remapped (not posted) interrupts (VT-d spec
// 9.10) and the remappable-format MSI a device is programmed with instead of a compatibility
// one (5.1.2.2, programming 5.1.5.2). The table is IRTA_REG's (regs.hpp); an MSI names its
// entry by handle, so a device can only raise the interrupts its entries allow.
//
//   IRTE   bits  0 P   1 FPD   2 DM (0 physical, 1 logical)   3 RH   4 TM (0 edge, 1 level)
//          bits  7:5 DLM   15 IM (0 = remapped format)   23:16 vector
//          bits 63:32 DST (xAPIC: APIC ID in 47:40; x2APIC: all 32 bits)
//          bits 79:64 SID   81:80 SQ   83:82 SVT       the rest reserved
//
//   MSI address  31:20 0FEEh   19:5 handle[14:0]   4 interrupt format = 1   3 SHV
//                2 handle[15]  1:0 don't care;      upper address 0
//   MSI data     with SHV: subhandle in 15:0 (entry = handle + subhandle); else unused (0)
//
// After changing an entry, invalidate it in the interrupt entry cache (invalidation.hpp).
#include <array>
#include <cstdint>

#include "arch/x86/cpu/apic_delivery_mode.hpp"
#include "arch/x86/iommu/entry_store.hpp"

namespace hv::vtd {

// DLM (VT-d spec 9.10) takes the local APIC delivery modes.
using DeliveryMode = x86::DeliveryMode;

// SVT: how the requester of an interrupt is checked against SID (VT-d spec 9.10).
enum class SourceValidation : std::uint8_t {
    kNone = 0,
    kRequesterId = 1,  // requester ID must equal SID, under the SQ mask
    kBusRange = 2,     // requester bus within SID[15:8]..SID[7:0] (behind a PCIe-to-PCI bridge)
};
// SQ: which function bits of SID are ignored for kRequesterId.
enum class SourceQualifier : std::uint8_t {
    kAllBits = 0,
    kIgnoreFunctionBit2 = 1,
    kIgnoreFunctionBits2To1 = 2,
    kIgnoreFunction = 3,
};

class Irte {
  public:
    static constexpr std::uint64_t kPresent = 1ull << 0;
    static constexpr std::uint64_t kFaultProcessingDisable = 1ull << 1;
    static constexpr std::uint64_t kLogicalDestination = 1ull << 2;
    static constexpr std::uint64_t kRedirectionHint = 1ull << 3;
    static constexpr std::uint64_t kLevelTriggered = 1ull << 4;
    static constexpr unsigned kDeliveryModeShift = 5;
    static constexpr std::uint64_t kPostedMode = 1ull << 15;  // IM; never set here
    static constexpr unsigned kVectorShift = 16;
    static constexpr unsigned kDestinationShift = 32;

    constexpr Irte() = default;
    constexpr Irte(std::uint64_t low, std::uint64_t high) : words_{low, high} {}

    // The usual MSI entry: present, fixed delivery, edge, physical destination `apic_id`, and
    // only `requester_id` may raise it.
    [[nodiscard]] static constexpr Irte fixed(std::uint8_t vector, std::uint32_t apic_id,
                                              bool x2apic, std::uint16_t requester_id) {
        Irte e;
        e.set_vector(vector);
        e.set_delivery_mode(DeliveryMode::kFixed);
        if (x2apic)
            e.set_destination_x2apic(apic_id);
        else
            e.set_destination_xapic(static_cast<std::uint8_t>(apic_id));
        e.set_source_validation(SourceValidation::kRequesterId, requester_id,
                                SourceQualifier::kAllBits);
        e.set_present(true);
        return e;
    }

    [[nodiscard]] constexpr std::uint64_t low() const { return words_[0]; }
    [[nodiscard]] constexpr std::uint64_t high() const { return words_[1]; }

    [[nodiscard]] constexpr bool present() const { return words_[0] & kPresent; }
    [[nodiscard]] constexpr bool fault_processing_disabled() const {
        return words_[0] & kFaultProcessingDisable;
    }
    [[nodiscard]] constexpr bool logical_destination() const {
        return words_[0] & kLogicalDestination;
    }
    [[nodiscard]] constexpr bool redirection_hint() const { return words_[0] & kRedirectionHint; }
    [[nodiscard]] constexpr bool level_triggered() const { return words_[0] & kLevelTriggered; }
    [[nodiscard]] constexpr DeliveryMode delivery_mode() const {
        return static_cast<DeliveryMode>((words_[0] >> kDeliveryModeShift) & 7);
    }
    [[nodiscard]] constexpr std::uint8_t vector() const {
        return static_cast<std::uint8_t>(words_[0] >> kVectorShift);
    }
    [[nodiscard]] constexpr std::uint32_t destination() const {
        return static_cast<std::uint32_t>(words_[0] >> kDestinationShift);
    }
    [[nodiscard]] constexpr std::uint8_t destination_xapic() const {
        return static_cast<std::uint8_t>(destination() >> 8);
    }
    [[nodiscard]] constexpr std::uint16_t source_id() const {
        return static_cast<std::uint16_t>(words_[1]);
    }
    [[nodiscard]] constexpr SourceQualifier source_qualifier() const {
        return static_cast<SourceQualifier>((words_[1] >> 16) & 3);
    }
    [[nodiscard]] constexpr SourceValidation source_validation() const {
        return static_cast<SourceValidation>((words_[1] >> 18) & 3);
    }

    constexpr void set_present(bool on) { set(kPresent, on); }
    constexpr void set_fault_processing_disable(bool on) { set(kFaultProcessingDisable, on); }
    constexpr void set_logical_destination(bool on) { set(kLogicalDestination, on); }
    constexpr void set_redirection_hint(bool on) { set(kRedirectionHint, on); }
    constexpr void set_level_triggered(bool on) { set(kLevelTriggered, on); }
    constexpr void set_delivery_mode(DeliveryMode m) {
        words_[0] = (words_[0] & ~(7ull << kDeliveryModeShift)) |
                    (static_cast<std::uint64_t>(m) << kDeliveryModeShift);
    }
    constexpr void set_vector(std::uint8_t v) {
        words_[0] = (words_[0] & ~(0xffull << kVectorShift)) |
                    (static_cast<std::uint64_t>(v) << kVectorShift);
    }
    // IRTA_REG.EIME clear: an 8-bit xAPIC ID in DST bits 15:8 (IRTE bits 47:40), the rest 0.
    constexpr void set_destination_xapic(std::uint8_t apic_id) {
        set_destination(static_cast<std::uint32_t>(apic_id) << 8);
    }
    // IRTA_REG.EIME set: the 32-bit x2APIC ID.
    constexpr void set_destination_x2apic(std::uint32_t apic_id) { set_destination(apic_id); }
    constexpr void set_source_validation(SourceValidation svt, std::uint16_t source_id,
                                         SourceQualifier sq) {
        words_[1] = static_cast<std::uint64_t>(source_id) | (static_cast<std::uint64_t>(sq) << 16) |
                    (static_cast<std::uint64_t>(svt) << 18);
    }

    template <typename Store = iommu::AtomicStore>
    void write_to(std::uint64_t* slot, Store&& store = {}) const {
        iommu::write_entry(slot, words_, 0, store);
    }
    template <typename Store = iommu::AtomicStore>
    static void clear(std::uint64_t* slot, Store&& store = {}) {
        iommu::clear_entry<2>(slot, 0, store);
    }

  private:
    constexpr void set(std::uint64_t bit, bool on) {
        words_[0] = on ? words_[0] | bit : words_[0] & ~bit;
    }
    constexpr void set_destination(std::uint32_t dst) {
        words_[0] =
            (words_[0] & 0xffffffffull) | (static_cast<std::uint64_t>(dst) << kDestinationShift);
    }
    std::array<std::uint64_t, 2> words_{};
};
static_assert(sizeof(Irte) == 16, "VT-d spec 9.10: 128-bit interrupt remapping entries");

inline constexpr std::uint32_t kMsiAddressBase = 0xFEE00000;  // bits 31:20 = 0FEEh
inline constexpr std::uint32_t kMsiRemappableFormat = 1u << 4;
inline constexpr std::uint32_t kMsiSubhandleValid = 1u << 3;

// The MSI address that makes a device's interrupt use entry `handle` (5.1.5.2). With
// `subhandle_valid`, the entry is handle + the MSI data's low 16 bits (multi-message MSI, where
// the device puts the message number in the data).
[[nodiscard]] constexpr std::uint32_t remappable_msi_address(std::uint16_t handle,
                                                             bool subhandle_valid = false) {
    return kMsiAddressBase | (static_cast<std::uint32_t>(handle & 0x7fff) << 5) |
           kMsiRemappableFormat | (subhandle_valid ? kMsiSubhandleValid : 0) |
           (static_cast<std::uint32_t>(handle >> 15) << 2);
}

[[nodiscard]] constexpr bool is_remappable_msi(std::uint32_t address) {
    return address & kMsiRemappableFormat;
}

// The entry a remappable-format request selects (5.1.4): handle, plus data[15:0] with SHV.
[[nodiscard]] constexpr std::uint32_t remapped_index(std::uint32_t address, std::uint32_t data) {
    const std::uint32_t handle = ((address >> 5) & 0x7fff) | (((address >> 2) & 1) << 15);
    return handle + ((address & kMsiSubhandleValid) ? (data & 0xffff) : 0);
}

}  // namespace hv::vtd
