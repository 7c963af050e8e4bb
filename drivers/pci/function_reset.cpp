#include "drivers/pci/function_reset.hpp"

#include "drivers/pci/capabilities.hpp"

namespace hv::pci {
namespace {

constexpr std::uint64_t kUsPerMs = 1000;

// PCIe 5.0 sec 6.6.2: a function completes an FLR within 100 ms and may silently drop requests
// until then, so nothing is sent to it before.
constexpr std::uint64_t kFlrCompletionUs = 100 * kUsPerMs;
// PCIe 5.0 sec 6.6.1: after a Conventional Reset, software waits 100 ms before sending a
// configuration request to a function below a port of at most 5 GT/s. Faster ports allow it
// 100 ms after link training completes; we do not watch the link and wait 100 ms for both.
constexpr std::uint64_t kBusResetRecoveryUs = 100 * kUsPerMs;
// PCIe 5.0 sec 6.6.1: software allows 1.0 s after a reset before it decides that a function
// that does not complete configuration requests successfully is broken. (Linux waits up to 60 s,
// PCIE_RESET_READY_POLL_MS, for functions known to be slow.)
constexpr std::uint64_t kReadyTimeoutUs = 1000 * kUsPerMs;
// The first wait between readiness polls; each later one doubles (Linux pci_dev_wait()).
constexpr std::uint64_t kReadyFirstWaitUs = 1 * kUsPerMs;
// Linux pci_wait_for_pending(): Device Status is read up to 4 times, 100, 200 and 400 ms apart.
constexpr unsigned kPendingReads = 4;
constexpr std::uint64_t kPendingFirstWaitUs = 100 * kUsPerMs;
// PCI PM 1.2 sec 5.6.1: 10 ms after a transition to D3hot or from D3hot to D0 before the
// function may be accessed.
constexpr std::uint64_t kD3hotDelayUs = 10 * kUsPerMs;
// PCI 3.0 sec 4.3.2: RST# is asserted at least Trst = 1 ms; Linux pci_reset_secondary_bus()
// holds the secondary bus reset twice that to be sure.
constexpr std::uint64_t kBusResetHoldUs = 2 * kUsPerMs;

// Command bits a quiet function has clear (PCI 3.0 sec 6.2.2).
constexpr std::uint16_t kCommandActive =
    command::kIoSpace | command::kMemorySpace | command::kBusMaster;
// The BIST byte is the top of the dword at 0x0c (PCI 3.0 sec 6.2.4).
constexpr std::uint16_t kBistDword = offset(Reg8::kBist) & ~std::uint16_t{3};
constexpr unsigned kBistShift = (offset(Reg8::kBist) & 3u) * 8;
static_assert(kBistDword == 0x0c && kBistShift == 24);

// A function answers once a read of its Vendor ID returns neither all ones (nothing completed
// the request) nor the CRS Software Visibility value (still initialising).
[[nodiscard]] bool answers(std::uint16_t vendor) {
    return vendor != kVendorAbsent && vendor != kVendorCrs;
}

// Polls the Vendor ID with doubling waits until the function answers or kReadyTimeoutUs of
// waiting have passed. `what` is the error text, naming the reset.
[[nodiscard]] Result<void> wait_ready(ConfigSpace& cfg, Bdf bdf, Delay& delay, const char* what) {
    std::uint64_t waited = 0;
    std::uint64_t step = kReadyFirstWaitUs;
    while (true) {
        if (answers(cfg.read(bdf, Reg16::kVendorId))) return Ok{};
        if (waited >= kReadyTimeoutUs) return make_error(Errc::kTimeout, what);
        const std::uint64_t left = kReadyTimeoutUs - waited;
        const std::uint64_t wait = step < left ? step : left;
        delay.wait_us(wait);
        waited += wait;
        step *= 2;
    }
}

// Linux pci_wait_for_pending_transaction(). Gives up quietly: the FLR that follows discards
// whatever is still outstanding (PCIe 5.0 sec 6.6.2), which is what the caller wants anyway.
void wait_for_transactions(ConfigSpace& cfg, Bdf bdf, std::uint16_t pcie, Delay& delay) {
    std::uint64_t wait = kPendingFirstWaitUs;
    for (unsigned read = 1;; ++read) {
        const std::uint16_t status = cfg.read16(bdf, pcie + pcie_cap::kDeviceStatus);
        if ((status & pcie_cap::kTransactionsPending) == 0 || read == kPendingReads) return;
        delay.wait_us(wait);
        wait *= 2;
    }
}

// Writes a 16-bit control register of the PCIe capability whose upper neighbour is a status
// register with RW1C bits: those are written as zero and so keep their value.
void write_pcie_control(ConfigSpace& cfg, Bdf bdf, std::uint16_t off, std::uint16_t value) {
    cfg.write32(bdf, off, value);
}

// Link Control exists in every version 2 capability (where it is reserved when there is no
// link) and, in version 1, in functions with a link: all but Root Complex integrated endpoints
// and event collectors (PCIe 5.0 sec 7.5.3; Linux pcie_cap_has_lnkctl()).
[[nodiscard]] bool has_link_control(const PcieCap& pcie) {
    return pcie.version >= 2 || (pcie.port_type != PciePortType::kRcIntegratedEndpoint &&
                                 pcie.port_type != PciePortType::kRcEventCollector);
}

[[nodiscard]] std::uint16_t msi_data_offset(const SavedConfig& s) {
    return s.msi + (s.msi_64bit ? msi_cap::kData64 : msi_cap::kData32);
}
[[nodiscard]] std::uint16_t msi_mask_offset(const SavedConfig& s) {
    return s.msi + (s.msi_64bit ? msi_cap::kMask64 : msi_cap::kMask32);
}

// `parent` is set for ResetMethod::kBus (reset_function checks).
[[nodiscard]] Result<void> run_reset(ConfigSpace& cfg, Bdf bdf, ResetMethod method,
                                     Optional<Bdf> parent, Delay& delay) {
    switch (method) {
        case ResetMethod::kFlr:
            return reset_flr(cfg, bdf, delay);
        case ResetMethod::kPm:
            return reset_pm(cfg, bdf, delay);
        case ResetMethod::kBus:
            return reset_secondary_bus(cfg, *parent, bdf, delay);
        case ResetMethod::kNone:
            break;
    }
    return make_error(Errc::kUnsupported, "function has no reset method");
}

}  // namespace

const char* name(ResetMethod method) {
    switch (method) {
        case ResetMethod::kFlr:
            return "flr";
        case ResetMethod::kPm:
            return "pm";
        case ResetMethod::kBus:
            return "bus";
        case ResetMethod::kNone:
            return "none";
    }
    return "none";
}

Result<SavedConfig> save_state(ConfigSpace& cfg, Bdf bdf) {
    if (!answers(cfg.read(bdf, Reg16::kVendorId))) {
        return make_error(Errc::kNotFound, "function does not answer configuration reads");
    }
    if ((cfg.read(bdf, Reg8::kHeaderType) & header_type::kLayoutMask) != header_type::kEndpoint) {
        return make_error(Errc::kUnsupported, "only type 0 (endpoint) headers are saved");
    }
    SavedConfig s;
    for (unsigned i = 0; i < kSavedHeaderDwords; ++i) {
        s.header[i] = cfg.read32(bdf, static_cast<std::uint16_t>(kSavedHeaderFirst + 4 * i));
    }

    const Capabilities caps = read_capabilities(cfg, bdf);
    if (caps.pcie.present()) {
        s.pcie = caps.pcie.offset;
        s.pcie_link = has_link_control(caps.pcie);
        s.pcie_v2 = caps.pcie.version >= 2;
        s.device_control = cfg.read16(bdf, s.pcie + pcie_cap::kDeviceControl);
        if (s.pcie_link) s.link_control = cfg.read16(bdf, s.pcie + pcie_cap::kLinkControl);
        if (s.pcie_v2) s.device_control2 = cfg.read16(bdf, s.pcie + pcie_cap::kDeviceControl2);
    }
    if (caps.msi.present()) {
        s.msi = caps.msi.offset;
        s.msi_64bit = caps.msi.is_64bit;
        s.msi_masking = caps.msi.per_vector_masking;
        s.msi_control = cfg.read16(bdf, s.msi + msi_cap::kControl);
        s.msi_address_lo = cfg.read32(bdf, s.msi + msi_cap::kAddressLow);
        if (s.msi_64bit) s.msi_address_hi = cfg.read32(bdf, s.msi + msi_cap::kAddressHigh);
        s.msi_data = cfg.read16(bdf, msi_data_offset(s));
        if (s.msi_masking) s.msi_mask = cfg.read32(bdf, msi_mask_offset(s));
    }
    if (caps.msix.present()) {
        s.msix = caps.msix.offset;
        s.msix_control = cfg.read16(bdf, s.msix + msix_cap::kControl);
    }
    return s;
}

void restore_state(ConfigSpace& cfg, Bdf bdf, const SavedConfig& saved) {
    if (saved.pcie != 0) {
        write_pcie_control(cfg, bdf, saved.pcie + pcie_cap::kDeviceControl,
                           saved.device_control & ~pcie_cap::kInitiateFlr);
        if (saved.pcie_link) {
            write_pcie_control(cfg, bdf, saved.pcie + pcie_cap::kLinkControl, saved.link_control);
        }
        if (saved.pcie_v2) {
            write_pcie_control(cfg, bdf, saved.pcie + pcie_cap::kDeviceControl2,
                               saved.device_control2);
        }
    }

    // Header dwords from 0x3c down to 0x08; Command/Status (index 0) comes last.
    for (unsigned i = kSavedHeaderDwords - 1; i > 0; --i) {
        const auto off = static_cast<std::uint16_t>(kSavedHeaderFirst + 4 * i);
        std::uint32_t value = saved.header[i];
        if (off == kBistDword) value &= ~(std::uint32_t{bist::kStart} << kBistShift);
        if (cfg.read32(bdf, off) != value) cfg.write32(bdf, off, value);
    }

    // Linux __pci_restore_msi_state(): MSI off while its message is rewritten.
    if (saved.msi != 0) {
        const auto control = static_cast<std::uint16_t>(saved.msi + msi_cap::kControl);
        cfg.write16(bdf, control, saved.msi_control & ~msi_cap::kEnable);
        cfg.write32(bdf, saved.msi + msi_cap::kAddressLow, saved.msi_address_lo);
        if (saved.msi_64bit) {
            cfg.write32(bdf, saved.msi + msi_cap::kAddressHigh, saved.msi_address_hi);
        }
        cfg.write16(bdf, msi_data_offset(saved), saved.msi_data);
        if (saved.msi_masking) cfg.write32(bdf, msi_mask_offset(saved), saved.msi_mask);
        cfg.write16(bdf, control, saved.msi_control);
    }
    if (saved.msix != 0) {
        cfg.write16(bdf, saved.msix + msix_cap::kControl, saved.msix_control);
    }

    // Status, the upper half, is written as zero: its error bits are RW1C.
    cfg.write32(bdf, offset(Reg32::kCommandStatus), saved.command());
}

SavedConfig quiesced(const SavedConfig& saved) {
    SavedConfig q = saved;
    q.header[0] &= ~std::uint32_t{kCommandActive};
    q.msi_control &= ~msi_cap::kEnable;
    q.msix_control &= ~msix_cap::kEnable;
    return q;
}

Result<void> reset_flr(ConfigSpace& cfg, Bdf bdf, Delay& delay) {
    const PcieCap pcie = read_capabilities(cfg, bdf).pcie;
    if (!pcie.present()) {
        return make_error(Errc::kUnsupported, "FLR: function has no PCI Express capability");
    }
    if (!pcie.flr) {
        return make_error(Errc::kUnsupported,
                          "FLR: not supported (Device Capabilities bit 28 is clear)");
    }
    wait_for_transactions(cfg, bdf, pcie.offset, delay);
    const auto control_off = static_cast<std::uint16_t>(pcie.offset + pcie_cap::kDeviceControl);
    const std::uint16_t control = cfg.read16(bdf, control_off);
    write_pcie_control(cfg, bdf, control_off, control | pcie_cap::kInitiateFlr);
    delay.wait_us(kFlrCompletionUs);
    return wait_ready(cfg, bdf, delay, "FLR: function did not answer within 1 s of the reset");
}

bool pm_reset_works(ConfigSpace& cfg, Bdf bdf) {
    const PmCap pm = read_capabilities(cfg, bdf).pm;
    return pm.present() &&
           (cfg.read16(bdf, pm.offset + pm_cap::kControlStatus) & pm_cap::kNoSoftReset) == 0;
}

Result<void> reset_pm(ConfigSpace& cfg, Bdf bdf, Delay& delay) {
    const PmCap pm = read_capabilities(cfg, bdf).pm;
    if (!pm.present()) {
        return make_error(Errc::kUnsupported, "PM reset: function has no PM capability");
    }
    const auto pmcsr_off = static_cast<std::uint16_t>(pm.offset + pm_cap::kControlStatus);
    const std::uint16_t pmcsr = cfg.read16(bdf, pmcsr_off);
    if ((pmcsr & pm_cap::kNoSoftReset) != 0) {
        return make_error(Errc::kUnsupported,
                          "PM reset: No_Soft_Reset is set, D3hot->D0 keeps the function's state");
    }
    // PME_Status is RW1C: written as zero, a pending PME stays pending.
    const auto base =
        static_cast<std::uint16_t>(pmcsr & ~(pm_cap::kPowerStateMask | pm_cap::kPmeStatus));
    cfg.write16(bdf, pmcsr_off, base | pm_cap::kD3hot);
    delay.wait_us(kD3hotDelayUs);
    cfg.write16(bdf, pmcsr_off, base | pm_cap::kD0);
    delay.wait_us(kD3hotDelayUs);
    TRY(wait_ready(cfg, bdf, delay, "PM reset: function did not answer within 1 s of D0"));
    if ((cfg.read16(bdf, pmcsr_off) & pm_cap::kPowerStateMask) != pm_cap::kD0) {
        return make_error(Errc::kInvalid, "PM reset: function did not return to D0");
    }
    return Ok{};
}

Result<void> reset_secondary_bus(ConfigSpace& cfg, Bdf bridge, Bdf child, Delay& delay) {
    if ((cfg.read(bridge, Reg8::kHeaderType) & header_type::kLayoutMask) != header_type::kBridge) {
        return make_error(Errc::kInvalid, "bus reset: parent is not a PCI-to-PCI bridge");
    }
    const std::uint16_t control = cfg.read(bridge, Reg16::kBridgeControl);
    cfg.write(bridge, Reg16::kBridgeControl, control | bridge_control::kSecondaryBusReset);
    delay.wait_us(kBusResetHoldUs);
    cfg.write(bridge, Reg16::kBridgeControl,
              static_cast<std::uint16_t>(control & ~bridge_control::kSecondaryBusReset));
    delay.wait_us(kBusResetRecoveryUs);
    return wait_ready(cfg, child, delay, "bus reset: function did not answer within 1 s");
}

Result<void> reset_function(ConfigSpace& cfg, Bdf bdf, ResetMethod method, Optional<Bdf> parent,
                            Delay& delay, Quiesce quiesce) {
    if (method == ResetMethod::kNone) {
        return make_error(Errc::kUnsupported, "function has no reset method");
    }
    if (method == ResetMethod::kBus && !parent) {
        return make_error(Errc::kInvalid, "bus reset: function has no parent bridge");
    }
    const SavedConfig saved = TRY(save_state(cfg, bdf));

    // Linux pci_dev_save_and_disable(): no decoding, no DMA and no INTx while it resets.
    cfg.write32(bdf, offset(Reg32::kCommandStatus), command::kIntxDisable);
    const Result<void> reset = run_reset(cfg, bdf, method, parent, delay);
    restore_state(cfg, bdf, quiesce == Quiesce::kYes ? quiesced(saved) : saved);
    return reset;
}

}  // namespace hv::pci
