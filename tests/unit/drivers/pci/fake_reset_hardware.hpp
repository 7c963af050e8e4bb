#pragma once
// FakeResetHardware: FakeConfigSpace plus a clock, modelling what a reset does to a function.
//
// A function registered with power_on() gets its registers at that moment as its reset values.
// Then
//   - writing Initiate FLR (Device Control bit 15) resets it, and for 100 ms it answers nothing
//     (PCIe 5.0 sec 6.6.2);
//   - writing PMCSR to D3hot makes it unreachable for 10 ms, and D3hot -> D0 with No_Soft_Reset
//     clear resets it, unreachable for another 10 ms (PCI PM 1.2 sec 5.6.1);
//   - setting Secondary Bus Reset on a bridge resets its children and holds them until the bit
//     is cleared, after which they answer nothing for 100 ms (PCIe 5.0 sec 6.6.1).
// Touching a function while it is unreachable sets early_access(): reads return all ones and
// writes are dropped. After each reset a function can answer Vendor ID reads with CRS a number
// of times, or never answer again; Device Status can show Transactions Pending for a number of
// reads. Time passes only through wait_us(); writes and waits are logged in order.
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "drivers/pci/function_reset.hpp"
#include "tests/unit/drivers/pci/fake_config_space.hpp"

namespace hv::pci::testing {

struct ResetBehaviour {
    std::uint16_t pcie = 0;          // PCI Express capability offset, 0: none
    std::uint16_t pm = 0;            // PM capability offset, 0: none
    unsigned pending_reads = 0;      // Device Status reads showing Transactions Pending
    unsigned crs_reads = 0;          // Vendor ID reads answered with CRS after each reset
    bool dead_after_reset = false;   // answers nothing after a reset
    std::vector<Bdf> children = {};  // bridge: functions its secondary bus reset resets
};

struct HwEvent {
    enum class Kind : std::uint8_t { kWrite, kWait };
    Kind kind;
    Bdf bdf;
    std::uint16_t off = 0;
    std::uint64_t value = 0;  // the dword written, or the wait in microseconds
};

class FakeResetHardware final : public ConfigSpace, public Delay {
  public:
    static constexpr std::uint64_t kFlrUs = 100'000;
    static constexpr std::uint64_t kD3hotUs = 10'000;
    static constexpr std::uint64_t kBusResetUs = 100'000;
    static constexpr std::uint32_t kCrsVendorRead = 0xffff0000u | kVendorCrs;

    FakeConfigSpace regs;

    void power_on(Bdf bdf, ResetBehaviour behaviour = {}) {
        Model& m = models_[bdf];
        m.reset_image = regs.at(bdf);
        m.pending_left = behaviour.pending_reads;
        m.behaviour = std::move(behaviour);
    }

    std::uint32_t read32(Bdf bdf, std::uint16_t off) override {
        auto it = models_.find(bdf);
        if (it == models_.end()) return regs.read32(bdf, off);
        Model& m = it->second;
        if (!reachable(m)) return 0xffffffffu;
        if (m.crs_left > 0) {
            if (off != offset(Reg32::kVendorDevice)) return 0xffffffffu;
            --m.crs_left;
            return kCrsVendorRead;
        }
        std::uint32_t value = regs.read32(bdf, off);
        if (m.behaviour.pcie != 0 && off == m.behaviour.pcie + pcie_cap::kDeviceControl &&
            m.pending_left > 0) {
            --m.pending_left;
            value |= std::uint32_t{pcie_cap::kTransactionsPending} << 16;
        }
        return value;
    }

    void write32(Bdf bdf, std::uint16_t off, std::uint32_t value) override {
        events_.push_back({HwEvent::Kind::kWrite, bdf, off, value});
        auto it = models_.find(bdf);
        if (it == models_.end()) return regs.write32(bdf, off, value);
        Model& m = it->second;
        if (!reachable(m)) return;
        const ResetBehaviour& b = m.behaviour;
        const std::uint16_t pmcsr_off = b.pm + pm_cap::kControlStatus;
        const std::uint16_t old_pmcsr = b.pm != 0 ? regs.at(bdf).get16(pmcsr_off) : 0;
        regs.write32(bdf, off, value);

        if (b.pcie != 0 && off == b.pcie + pcie_cap::kDeviceControl &&
            (value & pcie_cap::kInitiateFlr) != 0) {
            reset(bdf, m, now_ + kFlrUs);
        } else if (b.pm != 0 && off == pmcsr_off) {
            // The state the register holds now: PowerState may be read-only.
            const std::uint16_t state = regs.at(bdf).get16(pmcsr_off) & pm_cap::kPowerStateMask;
            const bool soft_reset = (old_pmcsr & pm_cap::kNoSoftReset) == 0;
            if ((old_pmcsr & pm_cap::kPowerStateMask) == pm_cap::kD3hot && state == pm_cap::kD0 &&
                soft_reset) {
                reset(bdf, m, now_ + kD3hotUs);
            } else if (state == pm_cap::kD3hot) {
                m.ready_at = now_ + kD3hotUs;
            }
        } else if (off == offset(Reg16::kBridgeControl) - 2 && !b.children.empty()) {
            const bool asserted = ((value >> 16) & bridge_control::kSecondaryBusReset) != 0;
            for (Bdf child : b.children) {
                Model& c = models_.at(child);
                if (asserted) {
                    reset(child, c, kHeld);
                } else if (c.ready_at == kHeld) {
                    c.ready_at = now_ + kBusResetUs;
                }
            }
        }
    }

    [[nodiscard]] bool has_extended() const override { return true; }

    void wait_us(std::uint64_t us) override {
        events_.push_back({HwEvent::Kind::kWait, Bdf(), 0, us});
        now_ += us;
    }

    [[nodiscard]] const std::vector<HwEvent>& events() const { return events_; }
    void clear_events() { events_.clear(); }
    [[nodiscard]] std::uint64_t now_us() const { return now_; }
    [[nodiscard]] bool early_access() const { return early_access_; }
    [[nodiscard]] unsigned resets(Bdf bdf) const { return models_.at(bdf).resets; }

  private:
    static constexpr std::uint64_t kHeld = ~std::uint64_t{0};

    struct Model {
        FakeFunction reset_image;
        ResetBehaviour behaviour;
        std::uint64_t ready_at = 0;
        unsigned pending_left = 0;
        unsigned crs_left = 0;
        bool dead = false;
        unsigned resets = 0;
    };

    bool reachable(Model& m) {
        if (m.dead) return false;
        if (now_ < m.ready_at) {
            early_access_ = true;
            return false;
        }
        return true;
    }

    void reset(Bdf bdf, Model& m, std::uint64_t ready_at) {
        regs.at(bdf) = m.reset_image;
        m.ready_at = ready_at;
        m.pending_left = 0;
        m.crs_left = m.behaviour.crs_reads;
        m.dead = m.behaviour.dead_after_reset;
        ++m.resets;
    }

    std::map<Bdf, Model> models_;
    std::vector<HwEvent> events_;
    std::uint64_t now_ = 0;
    bool early_access_ = false;
};

}  // namespace hv::pci::testing
