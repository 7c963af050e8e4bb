#pragma once
// AMD-Vi I/O page tables for host translation as a format of the page-table engine
// (arch/x86/paging/page_table.hpp): what a device table entry's page table root pointer names
// (AMD IOMMU spec 48882, sec 2.2.3 "I/O Page Tables for Host Translations").
//
//   bit   0 PR    present                 bits 11:9  Next Level
//   bit   5 A, 6 D (with DTE.HAD only)    bits 51:12 address of the next table or of the page
//   bit  59 U     ATS: untranslated only  bit  60    FC  force coherent (PTE)
//   bit  61 IR    read allowed            bit  62    IW  write allowed
//
// Levels count from 1 at the 4 KiB PTE level; the DTE's Mode is the root's level. A PDE's Next
// Level is the level of the table it points to: the engine's level L (0-based) entry links a
// level-L table, so it carries Next Level = L. Next Level = 0 makes the entry a PTE at any
// level: at level 2 it maps a 2 MiB page, at level 3 a 1 GiB page (sec 2.2.3, "default page
// size" PTEs). Tables built here never use Next Level = 7 (page size encoded in the address) or
// level skipping (Next Level below the level minus one).
//
// Rights: IR/IW of every level are ANDed, so PDEs grant both and the leaf decides. FC is set in
// every leaf, making DMA snooped even when the device asks for no-snoop. No execute, user,
// global or cache attribute exists for host translation: those requested are dropped, and
// lookups report write-back, no execute.
#include <cstdint>

#include "arch/x86/paging/attributes.hpp"
#include "kernel/lib/addr.hpp"

namespace hv::amdvi {

class IoPte {
  public:
    static constexpr std::uint64_t kPresent = 1ull << 0;
    static constexpr std::uint64_t kAccessed = 1ull << 5;
    static constexpr std::uint64_t kDirty = 1ull << 6;
    static constexpr unsigned kNextLevelShift = 9;
    static constexpr std::uint64_t kNextLevelMask = 7ull << kNextLevelShift;
    static constexpr std::uint64_t kAddressMask = 0x000ffffffffff000ull;  // bits 51:12
    static constexpr std::uint64_t kUntranslatedOnly = 1ull << 59;        // U
    static constexpr std::uint64_t kForceCoherent = 1ull << 60;           // FC
    static constexpr std::uint64_t kRead = 1ull << 61;                    // IR
    static constexpr std::uint64_t kWrite = 1ull << 62;                   // IW

    constexpr IoPte() = default;
    constexpr explicit IoPte(std::uint64_t raw) : raw_(raw) {}
    [[nodiscard]] constexpr std::uint64_t raw() const { return raw_; }

    [[nodiscard]] constexpr bool present() const { return raw_ & kPresent; }
    [[nodiscard]] constexpr unsigned next_level() const {
        return static_cast<unsigned>((raw_ & kNextLevelMask) >> kNextLevelShift);
    }
    [[nodiscard]] constexpr bool readable() const { return raw_ & kRead; }
    [[nodiscard]] constexpr bool writable() const { return raw_ & kWrite; }
    [[nodiscard]] constexpr bool force_coherent() const { return raw_ & kForceCoherent; }
    // `level` counts from 0 at the 4 KiB level, as in the engine.
    [[nodiscard]] constexpr bool leaf(unsigned level) const {
        return level == 0 || next_level() == 0;
    }
    [[nodiscard]] constexpr std::uint64_t address(unsigned level) const {
        return paging::entry_address(raw_, kAddressMask, level, leaf(level));
    }

  private:
    std::uint64_t raw_ = 0;
};
static_assert(sizeof(IoPte) == 8, "AMD IOMMU spec 2.2.3: 64-bit PDEs and PTEs");

struct IoPageTableFormat {
    static constexpr unsigned kLevels = 4;  // DTE Mode 4: 48-bit I/O virtual addresses
    // 1 GiB: Next Level 0 at level 3. Larger default-size pages exist (512 GiB at level 4) but
    // are not used.
    static constexpr unsigned kMaxLeafLevel = 2;
    static constexpr bool kSignExtended = false;  // I/O virtual addresses
    static constexpr std::uint64_t kHardwareBits = IoPte::kAccessed | IoPte::kDirty;

    static constexpr bool present(std::uint64_t e) { return IoPte(e).present(); }
    static constexpr bool is_leaf(std::uint64_t e, unsigned level) { return IoPte(e).leaf(level); }
    static constexpr std::uint64_t address(std::uint64_t e, unsigned level) {
        return IoPte(e).address(level);
    }

    // The entry at engine level `level` linking `table`, a table of engine level `level` - 1 =
    // IOMMU level `level`.
    static constexpr std::uint64_t make_table(HostPhys table, unsigned level) {
        return (table.raw() & IoPte::kAddressMask) |
               (static_cast<std::uint64_t>(level) << IoPte::kNextLevelShift) | IoPte::kPresent |
               IoPte::kRead | IoPte::kWrite;
    }

    // PR with neither IR nor IW is a present page nothing may access; unmap is for that.
    static constexpr bool supports(const paging::Attributes& a) { return a.read || a.write; }

    static constexpr std::uint64_t make_leaf(HostPhys pa, unsigned, const paging::Attributes& a) {
        std::uint64_t e = (pa.raw() & IoPte::kAddressMask) | IoPte::kPresent |
                          IoPte::kForceCoherent;  // Next Level 0
        if (a.read) e |= IoPte::kRead;
        if (a.write) e |= IoPte::kWrite;
        return e;
    }

    static constexpr paging::Attributes attributes(std::uint64_t raw, unsigned) {
        const IoPte e(raw);
        paging::Attributes a;
        a.read = e.readable();
        a.write = e.writable();
        a.execute = false;
        a.cache = paging::CacheType::kWriteBack;
        return a;
    }
};

}  // namespace hv::amdvi
