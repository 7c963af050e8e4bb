#pragma once
// VT-d second-level page tables as a format of the page-table engine (arch/x86/paging/
// page_table.hpp): what a context entry's second-level page-table pointer names
// (VT-d spec 9.8, "Second-Level Paging Entries").
//
//   bit  0 R     read allowed            bit  7 PS   SL-PDPE / SL-PDE maps a 1 GiB / 2 MiB page
//   bit  1 W     write allowed           bit 11 SNP  leaf: force snooping (needs ECAP.SC)
//   bit  2 X     execute (scalable mode with SLEE only; never set here)
//   bits 5:3 EMT, bit 6 IPAT  memory type (only with snoop control / EMT; left 0)
//   bits 51:12   address of the next table or of the page
//
// An entry with R and W both clear is not present. Levels: a context entry's AW picks 3 levels
// (39-bit, SAGAW bit 1, as on older chipsets) or 4 (48-bit, SAGAW bit 2); the engine builds
// either. 1 GiB and 2 MiB leaves need CAP.SLLPS (Capability::max_page()). There is no user,
// global, execute or cache attribute for DMA: those requested are dropped, and lookups report
// write-back, no execute.
#include <cstdint>

#include "arch/x86/iommu/vtd/regs.hpp"
#include "arch/x86/paging/attributes.hpp"
#include "kernel/lib/addr.hpp"

namespace hv::vtd {

class SlEntry {
  public:
    static constexpr std::uint64_t kRead = 1ull << 0;
    static constexpr std::uint64_t kWrite = 1ull << 1;
    static constexpr std::uint64_t kExecute = 1ull << 2;
    static constexpr std::uint64_t kPageSize = 1ull << 7;
    static constexpr std::uint64_t kAccessed = 1ull << 8;  // scalable mode with SLADE only
    static constexpr std::uint64_t kDirty = 1ull << 9;     // scalable mode with SLADE only
    static constexpr std::uint64_t kSnoop = 1ull << 11;
    static constexpr std::uint64_t kAddressMask = 0x000ffffffffff000ull;  // bits 51:12

    constexpr SlEntry() = default;
    constexpr explicit SlEntry(std::uint64_t raw) : raw_(raw) {}
    [[nodiscard]] constexpr std::uint64_t raw() const { return raw_; }

    [[nodiscard]] constexpr bool present() const { return raw_ & (kRead | kWrite); }
    [[nodiscard]] constexpr bool readable() const { return raw_ & kRead; }
    [[nodiscard]] constexpr bool writable() const { return raw_ & kWrite; }
    [[nodiscard]] constexpr bool snoop() const { return raw_ & kSnoop; }
    // PS exists in SL-PDPEs and SL-PDEs only (levels 2 and 1); SL-PTEs are always leaves.
    [[nodiscard]] constexpr bool leaf(unsigned level) const {
        return level == 0 || ((level == 1 || level == 2) && (raw_ & kPageSize));
    }
    [[nodiscard]] constexpr std::uint64_t address(unsigned level) const {
        return paging::entry_address(raw_, kAddressMask, level, leaf(level));
    }

  private:
    std::uint64_t raw_ = 0;
};
static_assert(sizeof(SlEntry) == 8, "VT-d spec 9.8: 64-bit second-level entries");

// `Levels`: 4 for AGAW 48 (context AW 010b), 3 for AGAW 39 (AW 001b).
// `ForceSnoop`: set SNP in leaves, so DMA the device marks no-snoop is still coherent with the
// CPU caches; only for units reporting ECAP.SC.
template <unsigned Levels, bool ForceSnoop>
struct SecondLevelFormat {
    static_assert(Levels == 3 || Levels == 4, "VT-d spec 9.8: 3- or 4-level tables");
    static constexpr unsigned kLevels = Levels;
    static constexpr AddressWidth kAddressWidth =
        Levels == 4 ? AddressWidth::k48Bit : AddressWidth::k39Bit;
    static constexpr unsigned kMaxLeafLevel = 2;  // 1 GiB: CAP.SLLPS bit 35
    static constexpr bool kSignExtended = false;  // I/O virtual addresses
    static constexpr std::uint64_t kHardwareBits = SlEntry::kAccessed | SlEntry::kDirty;

    static constexpr bool present(std::uint64_t e) { return SlEntry(e).present(); }
    static constexpr bool is_leaf(std::uint64_t e, unsigned level) {
        return SlEntry(e).leaf(level);
    }
    static constexpr std::uint64_t address(std::uint64_t e, unsigned level) {
        return SlEntry(e).address(level);
    }

    // Rights are the AND of all levels (VT-d spec 3.7, second-level translation), so tables grant
    // R and W and the leaf decides.
    static constexpr std::uint64_t make_table(HostPhys table) {
        return (table.raw() & SlEntry::kAddressMask) | SlEntry::kRead | SlEntry::kWrite;
    }

    // A leaf with neither right would read as not present.
    static constexpr bool supports(const paging::Attributes& a) { return a.read || a.write; }

    static constexpr std::uint64_t make_leaf(HostPhys pa, unsigned level,
                                             const paging::Attributes& a) {
        std::uint64_t e = pa.raw() & SlEntry::kAddressMask;
        if (level != 0) e |= SlEntry::kPageSize;
        if (a.read) e |= SlEntry::kRead;
        if (a.write) e |= SlEntry::kWrite;
        if (ForceSnoop) e |= SlEntry::kSnoop;
        return e;
    }

    static constexpr paging::Attributes attributes(std::uint64_t raw, unsigned) {
        const SlEntry e(raw);
        paging::Attributes a;
        a.read = e.readable();
        a.write = e.writable();
        a.execute = false;
        a.cache = paging::CacheType::kWriteBack;
        return a;
    }
};

using SlFormat4 = SecondLevelFormat<4, false>;
using SlFormat4Snoop = SecondLevelFormat<4, true>;
using SlFormat3 = SecondLevelFormat<3, false>;

}  // namespace hv::vtd
