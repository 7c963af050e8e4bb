#pragma once
// One host PCI function assigned to a VM, as that VM sees and drives it:
//
//   configuration space  VirtualConfigSpace on the guest's bus 0 at `guest_bdf`; what reaches
//                        the device goes through the host's configuration space (HostConfig)
//   memory BARs          mapped into the second stage at the guest's BAR address (uncached),
//                        except the pages holding the MSI-X table and PBA, and BARs smaller than
//                        a page, which trap and are forwarded (bar_regions.hpp)
//   I/O BARs             trapped port ranges, forwarded to the host's ports
//   MSI / MSI-X          the guest's messages are kept here; the device gets host messages with
//                        host vectors (host_msi.hpp) whose handler delivers the guest's message
//
// A guest that moves a BAR to another valid address in its PCI windows gets its mapping moved;
// a BAR value outside the windows (the all-ones of a sizing probe, say) leaves the last mapping in
// place: the guest turned decode off for the probe, and the old range is still its own device.
//
// Threading: init/release/reset run while none of the VM's vCPUs runs; the PciFunction, trap and
// interrupt-programming paths run under the VM's platform lock (they are reached only through
// the platform's dispatch). Kernel only.
#include <cstdint>

#include "drivers/pci/enumerate.hpp"
#include "gpu_passthrough/msix_table.hpp"
#include "gpu_passthrough/virtual_config_space.hpp"
#include "kernel/lib/optional.hpp"
#include "kernel/lib/result.hpp"
#include "vmm/devices/device.hpp"
#include "vmm/devices/pci_function.hpp"

namespace hv::vmm {
class Vm;
}

namespace hv::passthrough {

class AssignedDevice final : public vmm::PciFunction, public HostConfig {
  public:
    AssignedDevice() = default;
    AssignedDevice(const AssignedDevice&) = delete;
    AssignedDevice& operator=(const AssignedDevice&) = delete;

    // Builds the guest's view of `host` at `guest_bdf` with BARs at `bars`' guest addresses, maps
    // them, and attaches the function to the VM's bus. The device must be reset and attached to
    // the VM's IOMMU domain by the caller.
    [[nodiscard]] Result<void> init(vmm::Vm& vm, const pci::PciFunction& host, pci::Bdf guest_bdf,
                                    const AssignedBars& bars);
    // The guest rebooted: interrupts off, BARs back at their first addresses, a fresh view.
    [[nodiscard]] Result<void> reset_guest_view();
    // Interrupts off and vectors freed, mappings and traps removed, detached from the guest bus.
    void release();

    [[nodiscard]] const pci::PciFunction& host() const { return *host_; }
    [[nodiscard]] pci::Bdf guest_bdf() const { return guest_bdf_; }
    // The guest's MSI-X table and its host vectors, on the heap.
    [[nodiscard]] std::uint64_t heap_bytes() const {
        return msix_entries_ == nullptr
                   ? 0
                   : std::uint64_t{host_->caps.msix.table_size} * (sizeof(MsixEntry) + 1);
    }

    // vmm::PciFunction (under the platform lock)
    std::uint32_t config_read(std::uint16_t reg, std::uint8_t size) override;
    void config_write(std::uint16_t reg, std::uint8_t size, std::uint32_t value) override;

    // HostConfig
    std::uint32_t read32(std::uint16_t reg) override;
    void write32(std::uint16_t reg, std::uint32_t value) override;

  private:
    // A trapped piece of a memory BAR: offsets from the region's base arrive here.
    class MmioTrap final : public vmm::MmioDevice {
      public:
        std::uint64_t mmio_read(std::uint64_t offset, std::uint8_t size) override;
        void mmio_write(std::uint64_t offset, std::uint8_t size, std::uint64_t value) override;

        AssignedDevice* device = nullptr;
        unsigned slot = 0;
        std::uint64_t bar_offset = 0;  // where the region starts inside the BAR
        std::uint64_t size = 0;
        volatile std::uint8_t* host = nullptr;  // the same bytes of the host BAR
        std::uint32_t id = 0;                   // in the platform's region table
        bool active = false;
    };
    class PortTrap final : public vmm::PortDevice {
      public:
        std::uint32_t port_read(std::uint16_t offset, std::uint8_t size) override;
        void port_write(std::uint16_t offset, std::uint8_t size, std::uint32_t value) override;

        std::uint16_t host_base = 0;
        std::uint32_t id = 0;
        bool active = false;
    };
    struct Mapped {
        bool present = false;
        std::uint64_t guest_base = 0;
    };
    // Per MSI-X entry: the host vector behind it (0: none yet).
    struct MsixVector {
        std::uint8_t vector = 0;
    };
    static constexpr unsigned kMaxTraps = pci::kType0BarCount * 2;

    // Host command register: memory and I/O decoding for the BARs, bus mastering off, INTx off.
    void decode_host_bars();
    [[nodiscard]] Result<void> build_view();
    // One console line per BAR: guest and host address, size, and what backs it.
    void report_bars() const;
    void apply_guest_changes();
    void update_mappings();
    [[nodiscard]] bool valid_guest_base(unsigned slot, std::uint64_t base) const;
    [[nodiscard]] Result<void> map_bar(unsigned slot, std::uint64_t guest_base);
    [[nodiscard]] Result<void> unmap_bar(unsigned slot);
    void unmap_all();

    // Interrupts.
    void apply_msi(const MsiChange& change);
    void disable_msi();
    void apply_msix_control(const MsixControl& control);
    void program_msix_entry(std::uint16_t index);
    void mask_host_msix_entry(std::uint16_t index);
    [[nodiscard]] Result<std::uint8_t> route(std::uint8_t& vector, const vmm::ApicMessage& m);
    // What the device is programmed with for its message `index` (kMsiIndex or an MSI-X entry).
    [[nodiscard]] Result<MsiMessage> host_message(std::uint16_t index, std::uint8_t vector,
                                                  const vmm::ApicMessage& m) const;
    void interrupts_off();
    // Read-modify-write of the host's MSI or MSI-X Message Control at capability `cap`.
    void update_message_control(std::uint16_t cap, std::uint16_t clear, std::uint16_t set);

    std::uint64_t table_read(std::uint32_t offset, std::uint8_t size);
    void table_write(std::uint32_t offset, std::uint8_t size, std::uint64_t value);

    vmm::Vm* vm_ = nullptr;
    const pci::PciFunction* host_ = nullptr;
    pci::Bdf guest_bdf_;
    AssignedBars first_bars_{};
    Optional<VirtualConfigSpace> view_;
    Mapped mapped_[pci::kType0BarCount]{};
    MmioTrap traps_[kMaxTraps]{};
    PortTrap port_traps_[pci::kType0BarCount]{};

    // MSI: one vector (multiple message enable stays 0).
    std::uint8_t msi_vector_ = 0;
    // MSI-X: the guest's table and the host vectors behind it (heap arrays of table_size).
    MsixEntry* msix_entries_ = nullptr;
    MsixVector* msix_vectors_ = nullptr;
    Optional<MsixTable> msix_table_;
    volatile std::uint8_t* host_msix_table_ = nullptr;
    MsixControl msix_control_{};
};

}  // namespace hv::passthrough
