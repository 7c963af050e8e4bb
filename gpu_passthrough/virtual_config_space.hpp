#pragma once
// VirtualConfigSpace: the configuration space a guest sees for a host PCI function assigned to
// it. The guest's root complex routes config accesses for the function's guest BDF here; what
// reaches the device goes through HostConfig.
//
//   0x00 vendor/device, 0x08 class/revision, 0x2c subsystem   read through, writes dropped
//   0x04 command      IO/memory/bus master/INTx disable kept virtually; only bus master goes to
//                     the host (the host BARs never move, so host decode stays as set up)
//   0x06 status       read through; writes (RW1C) dropped; capability bit per filtered list
//   0x0c              cache line size virtual; header type read through, single-function; BIST 0
//   0x10-0x24 BARs    emulated from the AssignedBars description (sizing included)
//   0x30 ROM          reads 0: hidden
//   0x34 cap pointer  the filtered list: PM, MSI, MSI-X, PCIe in host order, others skipped
//   0x3c              interrupt line virtual; pin 0 (INTx is not routed to guests)
//   capabilities      PM and PCIe read through, writes dropped; MSI virtual (one vector);
//                     MSI-X control word virtual, table/PBA offsets read through
//   elsewhere         reads 0, writes dropped (incl. 0x100+: an empty extended list)
//
// Guest writes never reach the host's MSI or MSI-X registers: the VM takes the guest's intent
// (take_msi_change, take_msix_change, take_mapping_change) and programs the host itself.
// Threading: the caller serialises all calls (the VM's platform lock).
#include <cstdint>

#include "drivers/pci/bar.hpp"
#include "drivers/pci/capabilities.hpp"
#include "drivers/pci/config_regs.hpp"
#include "gpu_passthrough/msi_message.hpp"
#include "kernel/lib/optional.hpp"
#include "kernel/lib/result.hpp"
#include "vmm/devices/pci_function.hpp"

namespace hv::passthrough {

// Dword access to the assigned function's host configuration space. `reg` is dword aligned and
// below 0x1000. The implementation holds the host config lock.
class HostConfig {
  public:
    virtual std::uint32_t read32(std::uint16_t reg) = 0;
    virtual void write32(std::uint16_t reg, std::uint32_t value) = 0;

  protected:
    ~HostConfig() = default;
};

// One host BAR as the guest gets it. A 64-bit BAR is described in its first slot; the next
// slot must be kAbsent.
struct AssignedBar {
    pci::BarKind kind = pci::BarKind::kAbsent;
    bool prefetchable = false;
    std::uint64_t size = 0;        // power of two: memory >= 16 bytes, I/O 4..256 bytes
    std::uint64_t guest_base = 0;  // initial guest address, aligned to `size`
};

struct AssignedBars {
    AssignedBar bar[pci::kType0BarCount]{};
};

// What the guest asked of its MSI capability; the VM reprograms its routing from it.
struct MsiChange {
    bool enabled = false;
    bool masked = false;  // per-vector mask bit 0 (always false without per-vector masking)
    // Decoded guest message when enabled; when decode failed, `reason` says why and the VM
    // delivers nothing.
    bool valid = false;
    vmm::ApicMessage message{};
    const char* reason = nullptr;
};

struct MsixControl {
    bool enabled = false;
    bool function_masked = false;
};

class VirtualConfigSpace final : public vmm::PciFunction {
  public:
    // Checks `bars` (sizes, alignment, 64-bit pairs, agreement with the host BAR type bits) and
    // walks the host's capability list once. Errors: kInvalid for a description that does not
    // fit; kUnsupported for a host function that is not a type 0 header.
    [[nodiscard]] static Result<VirtualConfigSpace> create(HostConfig& host,
                                                           const AssignedBars& bars);

    // vmm::PciFunction. Accesses outside the contract (size not 1, 2 or 4, `reg` not a multiple
    // of size, `reg` past 0xfff) read all ones in `size` bytes and write nothing.
    std::uint32_t config_read(std::uint16_t reg, std::uint8_t size) override;
    void config_write(std::uint16_t reg, std::uint8_t size, std::uint32_t value) override;

    [[nodiscard]] std::uint16_t guest_command() const { return command_; }
    // Guest address of the BAR in `slot` (0 for absent slots and the upper half of 64-bit BARs).
    [[nodiscard]] std::uint64_t guest_bar_base(unsigned slot) const;

    // Set when a BAR base or the guest's memory/IO decode bits changed: the VM re-reads
    // guest_bar_base() and guest_command() and moves its BAR mappings. Cleared by taking. A
    // sizing probe moves a BAR to the all-ones address for a moment; guests do it with decode
    // off, so the VM maps a BAR only while the guest's decode bit for it is set.
    [[nodiscard]] bool take_mapping_change();
    // The guest's MSI state, when enable, address, data or mask changed since last taken.
    [[nodiscard]] Optional<MsiChange> take_msi_change();
    // The guest's MSI-X enable and function mask, when either changed since last taken.
    [[nodiscard]] Optional<MsixControl> take_msix_change();

    // Filtered capability offsets (0: absent or hidden).
    [[nodiscard]] std::uint16_t msi_offset() const { return msi_.offset; }
    [[nodiscard]] std::uint16_t msix_offset() const { return msix_.offset; }

  private:
    struct Cap {
        std::uint16_t offset = 0;
        std::uint16_t length = 0;
        std::uint8_t id = 0;
        std::uint8_t next = 0;  // guest-visible next pointer
    };
    struct MsiState {
        std::uint16_t offset = 0;
        bool is_64bit = false;
        bool per_vector_masking = false;
        bool enabled = false;
        std::uint64_t address = 0;
        std::uint16_t data = 0;
        std::uint32_t mask = 0;
    };
    struct MsixState {
        std::uint16_t offset = 0;
        MsixControl control{};
    };
    static constexpr unsigned kMaxCaps = 4;

    explicit VirtualConfigSpace(HostConfig& host) : host_(&host) {}
    void scan_capabilities();

    [[nodiscard]] std::uint32_t read_dword(std::uint16_t reg);
    // `mask` has ones on the bytes the guest wrote (its byte enables).
    void write_dword(std::uint16_t reg, std::uint32_t value, std::uint32_t mask);
    [[nodiscard]] std::uint32_t read_bar(unsigned slot) const;
    void write_bar(unsigned slot, std::uint32_t value, std::uint32_t mask);
    void write_command(std::uint16_t value, std::uint16_t mask);
    [[nodiscard]] const Cap* cap_at(std::uint16_t reg) const;
    [[nodiscard]] std::uint32_t read_cap(const Cap& cap, std::uint16_t reg);
    void write_cap(const Cap& cap, std::uint16_t reg, std::uint32_t value, std::uint32_t mask);
    [[nodiscard]] std::uint32_t read_msi(std::uint16_t rel, std::uint32_t host) const;
    void write_msi(std::uint16_t rel, std::uint32_t value, std::uint32_t mask);
    [[nodiscard]] MsiChange msi_state() const;

    HostConfig* host_;
    AssignedBar bars_[pci::kType0BarCount]{};
    std::uint64_t bar_base_[pci::kType0BarCount]{};
    std::uint16_t command_ = 0;
    std::uint8_t cache_line_ = 0;
    std::uint8_t interrupt_line_ = 0;
    Cap caps_[kMaxCaps]{};
    std::uint8_t cap_count_ = 0;
    MsiState msi_{};
    MsixState msix_{};
    bool mapping_changed_ = false;
    bool msi_changed_ = false;
    bool msix_changed_ = false;
};

}  // namespace hv::passthrough
