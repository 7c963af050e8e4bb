#pragma once
// AMD-Vi interrupt remapping (AMD IOMMU spec 48882, sec 2.2.5 "Interrupt Remapping Tables"):
// the 32-bit remapping table entry (the basic format; GuestMode 0, no guest virtual APIC) and the
// MSI data a device behind a remapping IOMMU is programmed with. A device's table is named by
// its device table entry (tables.hpp, set_interrupt_remapping()).
//
//   IRTE  bit 0 RemapEn   1 SupIOPF   4:2 IntType   5 RqEoi   6 DM (0 physical, 1 logical)
//         bit 7 GuestMode (0)   15:8 Destination (xAPIC ID)   23:16 Vector   31:24 reserved
//
//   MSI   address: the usual 0FEEx_xxxxh (the destination fields are not used)
//         data:    bits 10:0 = the entry's index in the device's table
//
// An entry is one 32-bit store; after changing one, send INVALIDATE_INTERRUPT_TABLE for the
// device (commands.hpp).
#include <cstdint>

namespace hv::amdvi {

// IntType: the remapped interrupt's delivery mode. Only fixed and arbitrated interrupts are
// remapped; NMI, INIT, ExtInt and LINTx are passed or blocked by the device table entry.
enum class IntType : std::uint8_t { kFixed = 0, kArbitrated = 1 };

class Irte {
  public:
    static constexpr std::uint32_t kRemapEnable = 1u << 0;
    static constexpr std::uint32_t kSuppressIoPageFaults = 1u << 1;  // SupIOPF
    static constexpr unsigned kIntTypeShift = 2;
    static constexpr std::uint32_t kRequestEoi = 1u << 5;  // RqEoi
    static constexpr std::uint32_t kLogicalDestination = 1u << 6;
    static constexpr std::uint32_t kGuestMode = 1u << 7;
    static constexpr unsigned kDestinationShift = 8;
    static constexpr unsigned kVectorShift = 16;

    constexpr Irte() = default;
    constexpr explicit Irte(std::uint32_t raw) : raw_(raw) {}

    // The usual MSI entry: remapped, fixed delivery, physical destination `apic_id`.
    [[nodiscard]] static constexpr Irte fixed(std::uint8_t vector, std::uint8_t apic_id) {
        return Irte(kRemapEnable | (static_cast<std::uint32_t>(IntType::kFixed) << kIntTypeShift) |
                    (static_cast<std::uint32_t>(apic_id) << kDestinationShift) |
                    (static_cast<std::uint32_t>(vector) << kVectorShift));
    }

    [[nodiscard]] constexpr std::uint32_t raw() const { return raw_; }
    [[nodiscard]] constexpr bool remap_enabled() const { return raw_ & kRemapEnable; }
    [[nodiscard]] constexpr bool suppress_io_page_faults() const {
        return raw_ & kSuppressIoPageFaults;
    }
    [[nodiscard]] constexpr IntType int_type() const {
        return static_cast<IntType>((raw_ >> kIntTypeShift) & 7);
    }
    [[nodiscard]] constexpr bool request_eoi() const { return raw_ & kRequestEoi; }
    [[nodiscard]] constexpr bool logical_destination() const { return raw_ & kLogicalDestination; }
    [[nodiscard]] constexpr bool guest_mode() const { return raw_ & kGuestMode; }
    [[nodiscard]] constexpr std::uint8_t destination() const {
        return static_cast<std::uint8_t>(raw_ >> kDestinationShift);
    }
    [[nodiscard]] constexpr std::uint8_t vector() const {
        return static_cast<std::uint8_t>(raw_ >> kVectorShift);
    }

    constexpr void set_remap_enable(bool on) { set(kRemapEnable, on); }
    // SupIOPF: a request that hits this entry while it is disabled is not logged.
    constexpr void set_suppress_io_page_faults(bool on) { set(kSuppressIoPageFaults, on); }
    constexpr void set_int_type(IntType t) {
        raw_ = (raw_ & ~(7u << kIntTypeShift)) | (static_cast<std::uint32_t>(t) << kIntTypeShift);
    }
    constexpr void set_logical_destination(bool on) { set(kLogicalDestination, on); }
    constexpr void set_destination(std::uint8_t apic_id) {
        raw_ = (raw_ & ~(0xffu << kDestinationShift)) |
               (static_cast<std::uint32_t>(apic_id) << kDestinationShift);
    }
    constexpr void set_vector(std::uint8_t vector) {
        raw_ = (raw_ & ~(0xffu << kVectorShift)) |
               (static_cast<std::uint32_t>(vector) << kVectorShift);
    }

  private:
    constexpr void set(std::uint32_t bit, bool on) { raw_ = on ? raw_ | bit : raw_ & ~bit; }
    std::uint32_t raw_ = 0;
};
static_assert(sizeof(Irte) == 4, "AMD IOMMU spec 2.2.5: 32-bit basic-format entries");
static_assert(Irte::fixed(0x41, 0x02).raw() == 0x00410201);

// Entries per device table: the format allows 2048 (IntTabLen 1011b, data bits 10:0). Data bits
// 10:8 are also where a compatibility-format MSI keeps its delivery mode, so indices stay below
// 256 (IntTabLen 8): those bits stay 0, and one table of 1 KiB serves a device's MSI or its MSI-X
// entries 0-255.
inline constexpr unsigned kInterruptTableLengthLog2 = 8;
inline constexpr unsigned kInterruptTableEntries = 1u << kInterruptTableLengthLog2;

// The MSI data for the interrupt in entry `index` of the device's table.
[[nodiscard]] constexpr std::uint32_t remapped_msi_data(std::uint16_t index) {
    return index & 0x7ffu;
}

}  // namespace hv::amdvi
