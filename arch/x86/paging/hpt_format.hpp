#pragma once
// Host page tables: x86-64 4-level paging (Intel SDM vol. 3A, sec 4.5, tables 4-15..4-20).
// One entry format serves all four levels; PS makes a PDPTE or PDE a 1 GiB or 2 MiB leaf.
//
// Caching goes through the PAT (SDM vol. 3A, Memory Cache Control, "Page Attribute Table"):
// PAT:PCD:PWT form an index into the IA32_PAT MSR. kHostPat keeps the power-up values in entries
// 0..3 (so WB and UC mean the same before and after the kernel writes the MSR) and puts
// write-combining in entry 4.
#include <concepts>
#include <cstdint>

#include "arch/x86/paging/attributes.hpp"
#include "kernel/lib/addr.hpp"

namespace hv::paging {

// IA32_PAT memory-type encodings (SDM vol. 3A, "IA32_PAT MSR", memory types table).
enum class PatType : std::uint8_t { kUc = 0, kWc = 1, kWt = 4, kWp = 5, kWb = 6, kUcMinus = 7 };

// Value for IA32_PAT (MSR 0x277): PA0 WB, PA1 WT, PA2 UC-, PA3 UC (the power-up defaults,
// SDM vol. 3A, "PAT Initialization"), PA4 WC, PA5 WT, PA6 UC-, PA7 UC.
inline constexpr std::uint64_t kHostPat = 0x0007040100070406ull;

class HptEntry {
  public:
    // Bit positions: SDM vol. 3A, tables 4-15..4-20.
    static constexpr std::uint64_t kPresent = 1ull << 0;
    static constexpr std::uint64_t kWritable = 1ull << 1;
    static constexpr std::uint64_t kUser = 1ull << 2;
    static constexpr std::uint64_t kPwt = 1ull << 3;
    static constexpr std::uint64_t kPcd = 1ull << 4;
    static constexpr std::uint64_t kAccessed = 1ull << 5;
    static constexpr std::uint64_t kDirty = 1ull << 6;
    static constexpr std::uint64_t kPageSize = 1ull << 7;  // PDPTE/PDE: maps a page
    static constexpr std::uint64_t kPat4K = 1ull << 7;     // PTE: the PAT bit sits where PS is
    static constexpr std::uint64_t kGlobal = 1ull << 8;
    static constexpr std::uint64_t kPatLarge = 1ull << 12;
    static constexpr std::uint64_t kNoExecute = 1ull << 63;  // needs IA32_EFER.NXE
    // Bits 51:12 (the architectural maximum MAXPHYADDR, sec 4.1.4).
    static constexpr std::uint64_t kAddressMask = 0x000ffffffffff000ull;

    constexpr HptEntry() = default;
    constexpr explicit HptEntry(std::uint64_t raw) : raw_(raw) {}
    [[nodiscard]] constexpr std::uint64_t raw() const { return raw_; }

    [[nodiscard]] constexpr bool present() const { return raw_ & kPresent; }
    [[nodiscard]] constexpr bool writable() const { return raw_ & kWritable; }
    [[nodiscard]] constexpr bool user() const { return raw_ & kUser; }
    [[nodiscard]] constexpr bool global() const { return raw_ & kGlobal; }
    [[nodiscard]] constexpr bool no_execute() const { return raw_ & kNoExecute; }
    // Level 0 entries are always leaves; PS exists only in PDPTEs and PDEs (levels 2 and 1).
    [[nodiscard]] constexpr bool leaf(unsigned level) const {
        return level == 0 || ((level == 1 || level == 2) && (raw_ & kPageSize));
    }
    // A large page's address starts at bit 21 or 30; bit 12 is then PAT, not address.
    [[nodiscard]] constexpr std::uint64_t address(unsigned level) const {
        return entry_address(raw_, kAddressMask, level, leaf(level));
    }
    [[nodiscard]] constexpr unsigned pat_index(unsigned level) const {
        const std::uint64_t pat = level == 0 ? kPat4K : kPatLarge;
        return ((raw_ & pat) ? 4u : 0u) | ((raw_ & kPcd) ? 2u : 0u) | ((raw_ & kPwt) ? 1u : 0u);
    }

  private:
    std::uint64_t raw_ = 0;
};
static_assert(sizeof(HptEntry) == 8, "SDM vol. 3A, sec 4.5: 64-bit entries");

struct HptFormat {
    static constexpr unsigned kLevels = 4;        // PML4, PDPT, PD, PT
    static constexpr unsigned kMaxLeafLevel = 2;  // 1 GiB PDPTE leaves (CPUID 80000001h:EDX[26])
    static constexpr bool kSignExtended = true;   // canonical addresses (SDM vol. 3A, sec 3.3.7.1)
    // Set by the CPU (A, D); ignored when comparing an existing mapping with a requested one.
    static constexpr std::uint64_t kHardwareBits = HptEntry::kAccessed | HptEntry::kDirty;

    static constexpr bool present(std::uint64_t e) { return HptEntry(e).present(); }
    static constexpr bool is_leaf(std::uint64_t e, unsigned level) {
        return HptEntry(e).leaf(level);
    }
    static constexpr std::uint64_t address(std::uint64_t e, unsigned level) {
        return HptEntry(e).address(level);
    }

    // Rights are the AND of all levels (SDM vol. 3A, sec 4.6), so tables grant everything and
    // the leaf decides.
    static constexpr std::uint64_t make_table(HostPhys table) {
        return (table.raw() & HptEntry::kAddressMask) | HptEntry::kPresent | HptEntry::kWritable |
               HptEntry::kUser;
    }

    // A present page is always readable here.
    static constexpr bool supports(const Attributes& a) { return a.read; }

    static constexpr std::uint64_t make_leaf(HostPhys pa, unsigned level, const Attributes& a) {
        std::uint64_t e = (pa.raw() & HptEntry::kAddressMask) | HptEntry::kPresent;
        if (level != 0) e |= HptEntry::kPageSize;
        if (a.write) e |= HptEntry::kWritable;
        if (a.user) e |= HptEntry::kUser;
        if (a.global) e |= HptEntry::kGlobal;
        if (!a.execute) e |= HptEntry::kNoExecute;
        const unsigned index = pat_index(a.cache);
        if (index & 1) e |= HptEntry::kPwt;
        if (index & 2) e |= HptEntry::kPcd;
        if (index & 4) e |= level == 0 ? HptEntry::kPat4K : HptEntry::kPatLarge;
        return e;
    }

    static constexpr Attributes attributes(std::uint64_t raw, unsigned level) {
        const HptEntry e(raw);
        Attributes a;
        a.read = true;
        a.write = e.writable();
        a.execute = !e.no_execute();
        a.user = e.user();
        a.global = e.global();
        a.cache = cache_type(e.pat_index(level));
        return a;
    }

    // Indices into kHostPat.
    static constexpr unsigned pat_index(CacheType c) {
        switch (c) {
            case CacheType::kWriteBack:
                return 0;
            case CacheType::kWriteThrough:
                return 1;
            case CacheType::kUncached:
                return 3;
            case CacheType::kWriteCombining:
                return 4;
        }
        return 3;
    }
    static constexpr CacheType cache_type(unsigned pat_index) {
        switch (pat_index) {
            case 0:
                return CacheType::kWriteBack;
            case 1:
            case 5:
                return CacheType::kWriteThrough;
            case 4:
                return CacheType::kWriteCombining;
            default:
                return CacheType::kUncached;  // UC- and UC
        }
    }
};

static_assert(((kHostPat >> (8 * HptFormat::pat_index(CacheType::kWriteBack))) & 0xff) ==
              static_cast<std::uint64_t>(PatType::kWb));
static_assert(((kHostPat >> (8 * HptFormat::pat_index(CacheType::kWriteThrough))) & 0xff) ==
              static_cast<std::uint64_t>(PatType::kWt));
static_assert(((kHostPat >> (8 * HptFormat::pat_index(CacheType::kUncached))) & 0xff) ==
              static_cast<std::uint64_t>(PatType::kUc));
static_assert(((kHostPat >> (8 * HptFormat::pat_index(CacheType::kWriteCombining))) & 0xff) ==
              static_cast<std::uint64_t>(PatType::kWc));

}  // namespace hv::paging
