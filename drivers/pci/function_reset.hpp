#pragma once
// Resetting one PCI function so that it can change hands (host to VM, VM to host), with its
// configuration saved before and written back after.
//
//   save_state ─► disable (Command = INTx disable) ─► reset ─► wait until ready ─► restore_state
//                                                     FLR / PM D3hot->D0 / secondary bus
//
// The order and the waits follow the specifications cited beside each constant in
// function_reset.cpp and Linux drivers/pci/pci.c (pci_reset_function, pcie_flr, pci_pm_reset,
// pci_reset_secondary_bus, pci_restore_state).
//
// Pure: everything goes through a ConfigSpace and a Delay, so the same code runs in the kernel
// and against a fake in tests/unit. Threading: none; the caller owns the function (nothing else
// may touch its configuration space or BARs during a reset) and holds the ConfigSpace's lock.
// Waits are long (100 ms to over 1 s): call this from a context that may block that long.
#include <array>
#include <cstdint>

#include "drivers/pci/bdf.hpp"
#include "drivers/pci/config_space.hpp"
#include "kernel/lib/optional.hpp"
#include "kernel/lib/result.hpp"

namespace hv::pci {

// How a function is reset, best first.
enum class ResetMethod : std::uint8_t {
    kFlr,   // Function Level Reset (PCIe 5.0 sec 6.6.2)
    kPm,    // D0 -> D3hot -> D0 with No_Soft_Reset clear (PCI PM 1.2 sec 5.6.1)
    kBus,   // secondary bus reset on the parent bridge (PPB 1.2 sec 3.2.5.18)
    kNone,  // none of the above works
};
// "flr", "pm", "bus", "none".
[[nodiscard]] const char* name(ResetMethod method);

// The caller's clock. The kernel passes one that calls time::delay_us; tests record the waits.
class Delay {
  public:
    virtual void wait_us(std::uint64_t us) = 0;

  protected:
    ~Delay() = default;
};

// Type 0 header dwords 0x04..0x3c (Command/Status through Interrupt Line/Pin/Min_Gnt/Max_Lat).
inline constexpr std::uint16_t kSavedHeaderFirst = 0x04;
inline constexpr std::uint16_t kSavedHeaderEnd = 0x40;
inline constexpr unsigned kSavedHeaderDwords = (kSavedHeaderEnd - kSavedHeaderFirst) / 4;
static_assert(kSavedHeaderDwords == 15);

// What save_state read and restore_state writes back. Capability offsets of 0 mean absent.
struct SavedConfig {
    // header[i] is the dword at kSavedHeaderFirst + 4 * i, as read (Status included; it is
    // never written back).
    std::array<std::uint32_t, kSavedHeaderDwords> header{};

    std::uint16_t pcie = 0;  // PCI Express capability (PCIe 5.0 sec 7.5.3)
    bool pcie_link = false;  // Link Control is implemented (sec 7.5.3.7)
    bool pcie_v2 = false;    // Device Control 2 is implemented (sec 7.5.3.16, version 2)
    std::uint16_t device_control = 0;
    std::uint16_t device_control2 = 0;
    std::uint16_t link_control = 0;

    std::uint16_t msi = 0;  // MSI capability (PCI 3.0 sec 6.8.1)
    bool msi_64bit = false;
    bool msi_masking = false;  // per-vector masking: the Mask Bits register exists
    std::uint16_t msi_control = 0;
    std::uint32_t msi_address_lo = 0;
    std::uint32_t msi_address_hi = 0;
    std::uint16_t msi_data = 0;
    std::uint32_t msi_mask = 0;

    // MSI-X capability (PCI 3.0 sec 6.8.2). Only Message Control lives in configuration space;
    // the table and PBA are in a BAR and are the owner's to rewrite after a reset (every entry
    // comes back masked, PCI 3.0 sec 6.8.2.9).
    std::uint16_t msix = 0;
    std::uint16_t msix_control = 0;

    [[nodiscard]] constexpr std::uint32_t header_at(std::uint16_t off) const {
        return header[(off - kSavedHeaderFirst) / 4];
    }
    [[nodiscard]] constexpr std::uint16_t command() const {
        return static_cast<std::uint16_t>(header[0]);
    }
};

// Reads the header and capability registers listed in SavedConfig. Fails (kNotFound) when the
// function does not answer (Vendor ID all ones) and (kUnsupported) when its header is not type 0:
// assignable functions are endpoints, and bridges have a different layout to restore.
[[nodiscard]] Result<SavedConfig> save_state(ConfigSpace& cfg, Bdf bdf);

// Writes `saved` back, in an order that cannot let the function decode or master anything
// before it is configured (Linux pci_restore_state):
//   1. PCIe Device Control, Link Control, Device Control 2;
//   2. header dwords 0x3c down to 0x08, so the ROM and the BARs (high dword of a 64-bit BAR
//      first) are in place before decoding is enabled; a dword that already reads as saved is
//      not written, which also leaves read-only ones (IDs, class) alone;
//   3. MSI (disabled while address, data and mask are written, then its saved control) and
//      MSI-X Message Control;
//   4. Command, last.
// RW1C status bits (Status, Device Status, Link Status) are written as zero so that pending error
// bits survive, and Initiate FLR and Start BIST are never written as one. Call it with the
// function not decoding (Command I/O and memory clear, as after a reset): BARs are rewritten one
// dword at a time.
void restore_state(ConfigSpace& cfg, Bdf bdf, const SavedConfig& saved);

// `saved` as a function handed back quiet: Command without I/O, memory decoding and bus mastering,
// MSI and MSI-X disabled.
[[nodiscard]] SavedConfig quiesced(const SavedConfig& saved);

// Function Level Reset (PCIe 5.0 sec 6.6.2). Fails (kUnsupported) when the function has no PCI
// Express capability or Device Capabilities bit 28 is clear, and (kTimeout) when it does not
// answer within 1 s after the 100 ms the FLR may take. Waits up to 700 ms first for Transactions
// Pending to clear and, like Linux, initiates the FLR even if it does not (the FLR discards them).
// Does not save or restore anything: configuration registers come back at their reset values.
[[nodiscard]] Result<void> reset_flr(ConfigSpace& cfg, Bdf bdf, Delay& delay);

// Whether D3hot -> D0 resets `bdf`: it has a PM capability and PMCSR No_Soft_Reset is clear
// (PCI PM 1.2 sec 3.2.4). What HostDevices::pm_reset_works (gpu_passthrough/assignability.hpp)
// asks.
[[nodiscard]] bool pm_reset_works(ConfigSpace& cfg, Bdf bdf);

// Power-management reset (PCI PM 1.2 sec 5.6.1): D3hot, 10 ms, D0, 10 ms, then waits until the
// function answers. Fails (kUnsupported) without a PM capability or with No_Soft_Reset set,
// (kTimeout) when the function does not answer within 1 s, and (kInvalid) when it answers but is
// not back in D0.
[[nodiscard]] Result<void> reset_pm(ConfigSpace& cfg, Bdf bdf, Delay& delay);

// Secondary bus reset through `bridge` (PPB 1.2 sec 3.2.5.18): resets every function below it.
// Holds the reset 2 ms, waits 100 ms (PCIe 5.0 sec 6.6.1), then until `child` answers (up to
// 1 s). Fails (kInvalid) when `bridge` is not a type 1 function and (kTimeout) when `child` does
// not answer. Other functions on the bus lose their configuration too; saving theirs is the
// caller's job (assignability allows this method only for a function alone on its bus).
[[nodiscard]] Result<void> reset_secondary_bus(ConfigSpace& cfg, Bdf bridge, Bdf child,
                                               Delay& delay);

enum class Quiesce : bool { kNo, kYes };

// The whole sequence: save_state, Command = INTx disable (no DMA, no decoding, no INTx during
// the reset), the reset `method` names, restore_state (of quiesced() state with Quiesce::kYes).
// `parent` is the bridge above `bdf`, needed for ResetMethod::kBus only. The saved state is
// written back even when the reset fails (as Linux does), and the reset's error is returned.
// Fails (kUnsupported) for ResetMethod::kNone and (kInvalid) for kBus without a parent, before
// touching the function.
[[nodiscard]] Result<void> reset_function(ConfigSpace& cfg, Bdf bdf, ResetMethod method,
                                          Optional<Bdf> parent, Delay& delay,
                                          Quiesce quiesce = Quiesce::kNo);

}  // namespace hv::pci
