#pragma once
// VT-d legacy-mode (RTADDR_REG.TTM = 00) translation structures: the root table (one entry per
// bus) points at context tables (one entry per device/function), whose entries name a domain
// and its second-level page table (page_table_format.hpp).
//
//   RTADDR -> root table [bus] -> context table [dev << 3 | fn] -> second-level PML4 (or PDPT)
//              256 x 16 B            256 x 16 B                      page_table_format.hpp
//
// Entries are 128 bits, written with write_to() (present word last) and removed with clear()
// (present word first); see entry_store.hpp. After either, the caller invalidates the context
// cache (and after a removal the IOTLB) before relying on it; with CAP.CM set that includes
// making an entry present.
#include <array>
#include <cstdint>

#include "arch/x86/iommu/entry_store.hpp"
#include "arch/x86/iommu/vtd/regs.hpp"
#include "kernel/lib/addr.hpp"

namespace hv::vtd {

inline constexpr unsigned kRootEntries = 256;     // one per bus
inline constexpr unsigned kContextEntries = 256;  // one per device/function
inline constexpr std::uint64_t kTablePointerMask = 0x000ffffffffff000ull;  // bits 51:12 (HAW)

// Root entry (VT-d spec 9.1): P in bit 0, context-table pointer in 63:12; bits 127:64 are
// reserved in legacy mode.
class RootEntry {
  public:
    static constexpr std::uint64_t kPresent = 1ull << 0;

    constexpr RootEntry() = default;
    constexpr RootEntry(std::uint64_t low, std::uint64_t high) : words_{low, high} {}
    [[nodiscard]] static constexpr RootEntry pointing_to(HostPhys context_table) {
        return RootEntry((context_table.raw() & kTablePointerMask) | kPresent, 0);
    }

    [[nodiscard]] constexpr std::uint64_t low() const { return words_[0]; }
    [[nodiscard]] constexpr std::uint64_t high() const { return words_[1]; }
    [[nodiscard]] constexpr bool present() const { return words_[0] & kPresent; }
    [[nodiscard]] constexpr HostPhys context_table() const {
        return HostPhys(words_[0] & kTablePointerMask);
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
    std::array<std::uint64_t, 2> words_{};
};
static_assert(sizeof(RootEntry) == 16, "VT-d spec 9.1: 128-bit root entries");

// Context entry TT field (VT-d spec 9.3).
enum class TranslationType : std::uint8_t {
    kUntranslated = 0,  // untranslated requests go through the second-level table; ATS blocked
    kDeviceTlb = 1,     // as 0, and translation requests (ATS) answered; needs ECAP.DT
    kPassThrough = 2,   // untranslated requests pass unchanged; needs ECAP.PT
};

// Legacy context entry (VT-d spec 9.3):
//   bits 0 P, 1 FPD, 3:2 TT, 63:12 second-level page-table pointer,
//   bits 66:64 AW, 87:72 domain ID; the rest reserved (zero).
class ContextEntry {
  public:
    static constexpr std::uint64_t kPresent = 1ull << 0;
    static constexpr std::uint64_t kFaultProcessingDisable = 1ull << 1;
    static constexpr unsigned kTranslationTypeShift = 2;
    static constexpr std::uint64_t kTranslationTypeMask = 3ull << kTranslationTypeShift;
    static constexpr std::uint64_t kAddressWidthMask = 7;  // high word bits 2:0
    static constexpr unsigned kDomainShift = 8;            // high word bits 23:8

    constexpr ContextEntry() = default;
    constexpr ContextEntry(std::uint64_t low, std::uint64_t high) : words_{low, high} {}

    // A present entry that translates the device's DMA through `second_level_root` (a table of
    // levels(aw) levels) in domain `domain`.
    [[nodiscard]] static constexpr ContextEntry translated(HostPhys second_level_root,
                                                           AddressWidth aw, std::uint16_t domain) {
        ContextEntry e;
        e.set_second_level_root(second_level_root);
        e.set_address_width(aw);
        e.set_domain_id(domain);
        e.set_translation_type(TranslationType::kUntranslated);
        e.set_present(true);
        return e;
    }

    [[nodiscard]] constexpr std::uint64_t low() const { return words_[0]; }
    [[nodiscard]] constexpr std::uint64_t high() const { return words_[1]; }

    [[nodiscard]] constexpr bool present() const { return words_[0] & kPresent; }
    [[nodiscard]] constexpr bool fault_processing_disabled() const {
        return words_[0] & kFaultProcessingDisable;
    }
    [[nodiscard]] constexpr TranslationType translation_type() const {
        return static_cast<TranslationType>((words_[0] & kTranslationTypeMask) >>
                                            kTranslationTypeShift);
    }
    [[nodiscard]] constexpr HostPhys second_level_root() const {
        return HostPhys(words_[0] & kTablePointerMask);
    }
    [[nodiscard]] constexpr AddressWidth address_width() const {
        return static_cast<AddressWidth>(words_[1] & kAddressWidthMask);
    }
    [[nodiscard]] constexpr std::uint16_t domain_id() const {
        return static_cast<std::uint16_t>(words_[1] >> kDomainShift);
    }

    constexpr void set_present(bool on) { set(words_[0], kPresent, on); }
    // FPD: faults from this device are not recorded (a device known to misbehave).
    constexpr void set_fault_processing_disable(bool on) {
        set(words_[0], kFaultProcessingDisable, on);
    }
    constexpr void set_translation_type(TranslationType t) {
        words_[0] = (words_[0] & ~kTranslationTypeMask) |
                    (static_cast<std::uint64_t>(t) << kTranslationTypeShift);
    }
    constexpr void set_second_level_root(HostPhys root) {
        words_[0] = (words_[0] & ~kTablePointerMask) | (root.raw() & kTablePointerMask);
    }
    constexpr void set_address_width(AddressWidth aw) {
        words_[1] = (words_[1] & ~kAddressWidthMask) | static_cast<std::uint64_t>(aw);
    }
    constexpr void set_domain_id(std::uint16_t domain) {
        words_[1] = (words_[1] & ~(0xffffull << kDomainShift)) |
                    (static_cast<std::uint64_t>(domain) << kDomainShift);
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
    static constexpr void set(std::uint64_t& w, std::uint64_t bit, bool on) {
        w = on ? w | bit : w & ~bit;
    }
    std::array<std::uint64_t, 2> words_{};
};
static_assert(sizeof(ContextEntry) == 16, "VT-d spec 9.3: 128-bit context entries");
// VT-d spec 9.3: a 4-level (AW 010b) entry for domain 1 at 0x5000: DID in 87:72.
static_assert(ContextEntry::translated(HostPhys(0x5000), AddressWidth::k48Bit, 1).low() == 0x5001);
static_assert(ContextEntry::translated(HostPhys(0x5000), AddressWidth::k48Bit, 1).high() == 0x102);

// Context-table index of a requester: device << 3 | function, the low byte of its routing ID.
[[nodiscard]] constexpr unsigned context_index(std::uint16_t routing_id) {
    return routing_id & 0xff;
}
[[nodiscard]] constexpr unsigned root_index(std::uint16_t routing_id) { return routing_id >> 8; }

}  // namespace hv::vtd
