#pragma once
// Extended page tables (Intel SDM vol. 3C, sec 29.3.2, tables 29-1..29-6 and the PTE table that
// follows). Same 4-level, 9-bits-per-level shape as host paging, different bits: R/W/X instead of
// P/RW/NX, an explicit memory type in leaves instead of PAT indices, no user or global bit.
//
// Leaves leave "ignore PAT" clear, so the guest's PAT still combines with the EPT memory type
// (SDM vol. 3C, sec 29.3.7.2): a guest that maps a passed-through BAR UC gets UC.
#include <cstdint>

#include "arch/x86/paging/attributes.hpp"
#include "kernel/lib/addr.hpp"

namespace hv::paging {

// EPT memory types (SDM vol. 3C, sec 29.3.7; the same encodings as the MTRRs and PAT).
enum class EptMemoryType : std::uint8_t { kUc = 0, kWc = 1, kWt = 4, kWp = 5, kWb = 6 };

class EptEntry {
  public:
    static constexpr std::uint64_t kRead = 1ull << 0;
    static constexpr std::uint64_t kWrite = 1ull << 1;
    static constexpr std::uint64_t kExecute = 1ull << 2;  // supervisor-mode execute under MBEC
    static constexpr unsigned kMemoryTypeShift = 3;       // bits 5:3, leaves only
    static constexpr std::uint64_t kMemoryTypeMask = 7ull << kMemoryTypeShift;
    static constexpr std::uint64_t kIgnorePat = 1ull << 6;
    static constexpr std::uint64_t kLargePage = 1ull << 7;  // PDPTE/PDE: maps a page
    static constexpr std::uint64_t kAccessed = 1ull << 8;   // when EPTP bit 6 enables A/D
    static constexpr std::uint64_t kDirty = 1ull << 9;
    static constexpr std::uint64_t kAddressMask = 0x000ffffffffff000ull;  // bits 51:12

    constexpr EptEntry() = default;
    constexpr explicit EptEntry(std::uint64_t raw) : raw_(raw) {}
    [[nodiscard]] constexpr std::uint64_t raw() const { return raw_; }

    // An entry with none of R/W/X set is not present (SDM vol. 3C, sec 29.3.2).
    [[nodiscard]] constexpr bool present() const { return raw_ & (kRead | kWrite | kExecute); }
    [[nodiscard]] constexpr bool readable() const { return raw_ & kRead; }
    [[nodiscard]] constexpr bool writable() const { return raw_ & kWrite; }
    [[nodiscard]] constexpr bool executable() const { return raw_ & kExecute; }
    [[nodiscard]] constexpr bool leaf(unsigned level) const {
        return level == 0 || ((level == 1 || level == 2) && (raw_ & kLargePage));
    }
    [[nodiscard]] constexpr EptMemoryType memory_type() const {
        return static_cast<EptMemoryType>((raw_ & kMemoryTypeMask) >> kMemoryTypeShift);
    }
    [[nodiscard]] constexpr std::uint64_t address(unsigned level) const {
        return entry_address(raw_, kAddressMask, level, leaf(level));
    }

  private:
    std::uint64_t raw_ = 0;
};
static_assert(sizeof(EptEntry) == 8, "SDM vol. 3C, sec 29.3.2: 64-bit entries");

// The EPT pointer for the VMCS (SDM vol. 3C, VM-execution controls, "Extended-Page-Table
// Pointer (EPTP)"): memory type of the
// paging structures (WB), page-walk length minus one, A/D enable, PML4 address.
[[nodiscard]] constexpr std::uint64_t make_eptp(HostPhys pml4, bool accessed_dirty) {
    constexpr std::uint64_t kWalkLengthMinusOne = 3ull << 3;
    constexpr std::uint64_t kAccessedDirtyEnable = 1ull << 6;
    return (pml4.raw() & EptEntry::kAddressMask) | static_cast<std::uint64_t>(EptMemoryType::kWb) |
           kWalkLengthMinusOne | (accessed_dirty ? kAccessedDirtyEnable : 0);
}

struct EptFormat {
    static constexpr unsigned kLevels = 4;
    static constexpr unsigned kMaxLeafLevel = 2;  // 1 GiB needs IA32_VMX_EPT_VPID_CAP bit 17
    static constexpr bool kSignExtended = false;  // guest-physical addresses
    static constexpr std::uint64_t kHardwareBits = EptEntry::kAccessed | EptEntry::kDirty;

    static constexpr bool present(std::uint64_t e) { return EptEntry(e).present(); }
    static constexpr bool is_leaf(std::uint64_t e, unsigned level) {
        return EptEntry(e).leaf(level);
    }
    static constexpr std::uint64_t address(std::uint64_t e, unsigned level) {
        return EptEntry(e).address(level);
    }

    // Non-leaf entries: bits 7:3 are reserved (must be zero); rights are granted in full and
    // decided at the leaf.
    static constexpr std::uint64_t make_table(HostPhys table) {
        return (table.raw() & EptEntry::kAddressMask) | EptEntry::kRead | EptEntry::kWrite |
               EptEntry::kExecute;
    }

    // Write without read is an EPT misconfiguration (SDM vol. 3C, sec 29.3.3.1); no rights at
    // all would be "not present", which is what unmap is for. Execute-only additionally needs
    // IA32_VMX_EPT_VPID_CAP bit 0, which the caller checks.
    static constexpr bool supports(const Attributes& a) {
        return (a.read || a.write || a.execute) && !(a.write && !a.read);
    }

    static constexpr std::uint64_t make_leaf(HostPhys pa, unsigned level, const Attributes& a) {
        std::uint64_t e = pa.raw() & EptEntry::kAddressMask;
        if (level != 0) e |= EptEntry::kLargePage;
        if (a.read) e |= EptEntry::kRead;
        if (a.write) e |= EptEntry::kWrite;
        if (a.execute) e |= EptEntry::kExecute;
        e |= static_cast<std::uint64_t>(memory_type(a.cache)) << EptEntry::kMemoryTypeShift;
        return e;
    }

    static constexpr Attributes attributes(std::uint64_t raw, unsigned) {
        const EptEntry e(raw);
        Attributes a;
        a.read = e.readable();
        a.write = e.writable();
        a.execute = e.executable();
        switch (e.memory_type()) {
            case EptMemoryType::kWb:
                a.cache = CacheType::kWriteBack;
                break;
            case EptMemoryType::kWt:
                a.cache = CacheType::kWriteThrough;
                break;
            case EptMemoryType::kWc:
                a.cache = CacheType::kWriteCombining;
                break;
            default:
                a.cache = CacheType::kUncached;
                break;
        }
        return a;
    }

    static constexpr EptMemoryType memory_type(CacheType c) {
        switch (c) {
            case CacheType::kWriteBack:
                return EptMemoryType::kWb;
            case CacheType::kWriteThrough:
                return EptMemoryType::kWt;
            case CacheType::kWriteCombining:
                return EptMemoryType::kWc;
            case CacheType::kUncached:
                return EptMemoryType::kUc;
        }
        return EptMemoryType::kUc;
    }
};

}  // namespace hv::paging
