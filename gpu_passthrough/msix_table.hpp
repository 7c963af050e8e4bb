#pragma once
// The guest's view of an assigned function's MSI-X table (PCI 3.0 sec 6.8.2.6-6.8.2.9): the
// MMIO trap for the table's page hands guest accesses here; the table the guest programs is kept
// here and never written to the device, and the VM asks which entries changed to reprogram the
// host's entries with its own vectors.
//
//   entry i at offset 16 * i:  +0 message address | +4 upper address | +8 data | +12 vector control
//
// Storage is the caller's (per-VM memory reserved at assignment); nothing is allocated. Entries
// start masked (PCI 3.0 sec 6.8.2.9: vector control bit 0 is set at reset). The caller serialises
// calls. Pure; host-tested in tests/unit/gpu_passthrough/msix_table_test.cpp.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "gpu_passthrough/msi_message.hpp"
#include "kernel/lib/optional.hpp"
#include "kernel/lib/result.hpp"

namespace hv::passthrough {

struct MsixEntry {
    static constexpr std::uint32_t kMasked = 1u << 0;  // vector control (PCI 3.0 sec 6.8.2.9)

    std::uint32_t address_low = 0;
    std::uint32_t address_high = 0;
    std::uint32_t data = 0;
    std::uint32_t vector_control = kMasked;

    [[nodiscard]] constexpr bool masked() const { return (vector_control & kMasked) != 0; }
    [[nodiscard]] constexpr MsiMessage message() const {
        return {static_cast<std::uint64_t>(address_high) << 32 | address_low, data};
    }
    friend constexpr bool operator==(const MsixEntry&, const MsixEntry&) = default;
};
// PCI 3.0 sec 6.8.2, figure 6-11: the layout of a table entry in the device's BAR.
static_assert(sizeof(MsixEntry) == 16);
static_assert(offsetof(MsixEntry, address_low) == 0 && offsetof(MsixEntry, address_high) == 4 &&
              offsetof(MsixEntry, data) == 8 && offsetof(MsixEntry, vector_control) == 12);

class MsixTable {
  public:
    static constexpr std::size_t kEntryBytes = 16;
    static constexpr std::size_t kMaxEntries = 2048;  // table size field is 11 bits

    // `entries` is the table (1..2048 entries, the capability's table size); reset to masked.
    explicit MsixTable(std::span<MsixEntry> entries);

    // `offset` is from the table's start; `size` 4 or 8 and naturally aligned (PCI 3.0 sec
    // 6.8.2: software accesses the table by aligned dword or qword). Errors (kInvalid): any other
    // size or alignment, or an offset past the table. The MMIO trap then reads all ones / drops.
    [[nodiscard]] Result<std::uint64_t> read(std::uint32_t offset, std::uint8_t size) const;
    [[nodiscard]] Result<void> write(std::uint32_t offset, std::uint8_t size, std::uint64_t value);

    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    [[nodiscard]] const MsixEntry& entry(std::size_t i) const { return entries_[i]; }

    // The lowest-numbered entry whose address, data or mask bit changed since it was last taken;
    // taking it clears the mark. Writes that leave an entry as it was mark nothing.
    [[nodiscard]] Optional<std::uint16_t> take_changed_entry();

  private:
    void write_dword(std::uint32_t offset, std::uint32_t value);

    std::span<MsixEntry> entries_;
    std::array<std::uint64_t, kMaxEntries / 64> changed_{};
};

}  // namespace hv::passthrough
