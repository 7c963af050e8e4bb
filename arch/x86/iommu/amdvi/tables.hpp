#pragma once
// The AMD-Vi device table entry (AMD IOMMU spec 48882, sec 2.2.2.1 "Device Table Entry
// Format"): one 256-bit entry per device ID (bus << 8 | dev << 3 | fn), naming the device's
// domain, its I/O page table (page_table_format.hpp) and its interrupt remapping table
// (interrupt_remapping.hpp).
//
//   bits   0 V    1 TV   11:9 Mode (page-table levels; 0 = no translation)
//   bits  51:12 page table root pointer      61 IR   62 IW  (DMA rights)
//   bits  79:64 DomainID
//   bits 128 IV   132:129 IntTabLen (2^n entries)   133 IG (ignore unmapped interrupts)
//   bits 179:134 interrupt table root pointer (bits 51:6 of its address)
//   bits 184 INIT pass   185 EIntPass   186 NMIPass   189:188 IntCtl   190 Lint0Pass   191
//   Lint1Pass (guest translation, IOTLB, SysMgt and other fields stay 0)
//
// write_to() stores words 3..1 first and word 0 (V) last; clear() the reverse (entry_store.hpp).
// Then the caller sends INVALIDATE_DEVTAB_ENTRY (commands.hpp) and, for an interrupt table
// change, INVALIDATE_INTERRUPT_TABLE.
#include <array>
#include <cstdint>

#include "arch/x86/iommu/entry_store.hpp"
#include "kernel/lib/addr.hpp"

namespace hv::amdvi {

inline constexpr std::uint64_t kAddressMask = 0x000ffffffffff000ull;  // bits 51:12

// Mode: the number of levels of the I/O page table (sec 2.2.2.1); 0 passes DMA through
// untranslated, subject to IR/IW.
enum class PagingMode : std::uint8_t {
    kNone = 0,
    kLevels1 = 1,
    kLevels2 = 2,
    kLevels3 = 3,
    kLevels4 = 4,
    kLevels5 = 5,
    kLevels6 = 6,
};

// IntCtl: what happens to fixed and arbitrated interrupts (sec 2.2.2.1).
enum class InterruptControl : std::uint8_t {
    kAbort = 0,    // target abort
    kForward = 1,  // forwarded unmapped
    kRemap = 2,    // translated through the interrupt remapping table
};

class DeviceTableEntry {
  public:
    static constexpr std::uint64_t kValid = 1ull << 0;
    static constexpr std::uint64_t kTranslationValid = 1ull << 1;
    static constexpr unsigned kModeShift = 9;
    static constexpr std::uint64_t kModeMask = 7ull << kModeShift;
    static constexpr std::uint64_t kReadPermission = 1ull << 61;
    static constexpr std::uint64_t kWritePermission = 1ull << 62;
    // Word 2 (bits 191:128).
    static constexpr std::uint64_t kInterruptMapValid = 1ull << 0;
    static constexpr unsigned kIntTabLenShift = 1;
    static constexpr std::uint64_t kIgnoreUnmapped = 1ull << 5;
    static constexpr std::uint64_t kInterruptTableMask = 0x000fffffffffffc0ull;  // bits 51:6
    static constexpr std::uint64_t kInitPass = 1ull << 56;
    static constexpr std::uint64_t kExtIntPass = 1ull << 57;
    static constexpr std::uint64_t kNmiPass = 1ull << 58;
    static constexpr unsigned kIntCtlShift = 60;
    static constexpr std::uint64_t kLint0Pass = 1ull << 62;
    static constexpr std::uint64_t kLint1Pass = 1ull << 63;
    // The interrupt remapping table is 128-byte aligned and at most 2048 entries (sec 2.2.5).
    static constexpr std::uint64_t kInterruptTableAlign = 128;
    static constexpr unsigned kMaxIntTabLen = 11;

    constexpr DeviceTableEntry() = default;
    constexpr explicit DeviceTableEntry(const std::array<std::uint64_t, 4>& words)
        : words_(words) {}

    // DMA from the device translated through `root` (a table of `mode` levels) in `domain`,
    // reads and writes allowed (the page table decides per page).
    [[nodiscard]] static constexpr DeviceTableEntry translated(HostPhys root, PagingMode mode,
                                                               std::uint16_t domain) {
        DeviceTableEntry e;
        e.set_page_table(root, mode);
        e.set_dma_permissions(true, true);
        e.set_domain_id(domain);
        e.set_valid(true);
        return e;
    }
    // Every DMA from the device aborted: translation valid, no levels, no rights.
    [[nodiscard]] static constexpr DeviceTableEntry blocked(std::uint16_t domain) {
        DeviceTableEntry e;
        e.set_page_table(HostPhys(0), PagingMode::kNone);
        e.set_domain_id(domain);
        e.set_valid(true);
        return e;
    }

    [[nodiscard]] constexpr const std::array<std::uint64_t, 4>& words() const { return words_; }

    [[nodiscard]] constexpr bool valid() const { return words_[0] & kValid; }
    [[nodiscard]] constexpr bool translation_valid() const { return words_[0] & kTranslationValid; }
    [[nodiscard]] constexpr PagingMode mode() const {
        return static_cast<PagingMode>((words_[0] & kModeMask) >> kModeShift);
    }
    [[nodiscard]] constexpr HostPhys page_table_root() const {
        return HostPhys(words_[0] & kAddressMask);
    }
    [[nodiscard]] constexpr bool read_permission() const { return words_[0] & kReadPermission; }
    [[nodiscard]] constexpr bool write_permission() const { return words_[0] & kWritePermission; }
    [[nodiscard]] constexpr std::uint16_t domain_id() const {
        return static_cast<std::uint16_t>(words_[1]);
    }
    [[nodiscard]] constexpr bool interrupt_map_valid() const {
        return words_[2] & kInterruptMapValid;
    }
    [[nodiscard]] constexpr unsigned interrupt_table_length_log2() const {
        return static_cast<unsigned>((words_[2] >> kIntTabLenShift) & 0xf);
    }
    [[nodiscard]] constexpr bool ignore_unmapped_interrupts() const {
        return words_[2] & kIgnoreUnmapped;
    }
    [[nodiscard]] constexpr HostPhys interrupt_table_root() const {
        return HostPhys(words_[2] & kInterruptTableMask);
    }
    [[nodiscard]] constexpr InterruptControl interrupt_control() const {
        return static_cast<InterruptControl>((words_[2] >> kIntCtlShift) & 3);
    }
    [[nodiscard]] constexpr bool passes(std::uint64_t pass_bit) const {
        return words_[2] & pass_bit;
    }

    constexpr void set_valid(bool on) { set(words_[0], kValid, on); }
    // TV and Mode together: Mode is meaningful only with TV set.
    constexpr void set_page_table(HostPhys root, PagingMode mode) {
        words_[0] = (words_[0] & ~(kAddressMask | kModeMask)) | kTranslationValid |
                    (root.raw() & kAddressMask) | (static_cast<std::uint64_t>(mode) << kModeShift);
    }
    constexpr void set_dma_permissions(bool read, bool write) {
        set(words_[0], kReadPermission, read);
        set(words_[0], kWritePermission, write);
    }
    constexpr void set_domain_id(std::uint16_t domain) {
        words_[1] = (words_[1] & ~0xffffull) | domain;
    }
    // Fixed and arbitrated interrupts remapped through a table of 2^length_log2 entries at
    // `table` (128-byte aligned, length_log2 <= 11); others aborted unless passed below.
    constexpr void set_interrupt_remapping(HostPhys table, unsigned length_log2,
                                           bool ignore_unmapped) {
        words_[2] = (words_[2] & ~(kInterruptTableMask | (0xfull << kIntTabLenShift) |
                                   kIgnoreUnmapped | (3ull << kIntCtlShift))) |
                    kInterruptMapValid | (table.raw() & kInterruptTableMask) |
                    (static_cast<std::uint64_t>(length_log2 & 0xf) << kIntTabLenShift) |
                    (ignore_unmapped ? kIgnoreUnmapped : 0) |
                    (static_cast<std::uint64_t>(InterruptControl::kRemap) << kIntCtlShift);
    }
    // IV = 1 with IntCtl = abort: the device's fixed and arbitrated interrupts are dropped
    // (sec 2.2.2.1), and the other kinds too while their pass bits stay clear.
    constexpr void set_interrupts_aborted() {
        words_[2] = (words_[2] & ~(3ull << kIntCtlShift)) | kInterruptMapValid |
                    (static_cast<std::uint64_t>(InterruptControl::kAbort) << kIntCtlShift);
    }
    // INIT, ExtInt, NMI, LINT0, LINT1 from the device: passed unmapped when set, aborted when
    // clear (only read with IV set).
    constexpr void set_pass(std::uint64_t pass_bit, bool on) { set(words_[2], pass_bit, on); }

    template <typename Store = iommu::AtomicStore>
    void write_to(std::uint64_t* slot, Store&& store = {}) const {
        iommu::write_entry(slot, words_, 0, store);
    }
    template <typename Store = iommu::AtomicStore>
    static void clear(std::uint64_t* slot, Store&& store = {}) {
        iommu::clear_entry<4>(slot, 0, store);
    }

  private:
    static constexpr void set(std::uint64_t& w, std::uint64_t bit, bool on) {
        w = on ? w | bit : w & ~bit;
    }
    std::array<std::uint64_t, 4> words_{};
};
static_assert(sizeof(DeviceTableEntry) == 32, "AMD IOMMU spec 2.2.2.1: 256-bit entries");
// V | TV | Mode 4 (bits 11:9) | root | IR | IW.
static_assert(DeviceTableEntry::translated(HostPhys(0x123000), PagingMode::kLevels4, 1)
                  .words()[0] == 0x6000000000123803ull);

inline constexpr unsigned kDeviceTableEntries = 65536;  // one per 16-bit device ID

}  // namespace hv::amdvi
