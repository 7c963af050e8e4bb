#include "drivers/pci/inventory.hpp"

#include "drivers/pci/describe.hpp"
#include "drivers/pci/ecam_config_space.hpp"
#include "drivers/pci/port_config_space.hpp"
#include "kernel/console.hpp"
#include "kernel/lib/optional.hpp"
#include "kernel/mmio.hpp"
#include "kernel/spinlock.hpp"

namespace hv::pci {
namespace {

FunctionList g_functions;

// ECAM windows kept mapped after the scan, for host_config().
constexpr std::size_t kMaxKeptWindows = 4;
Optional<EcamConfigSpace> g_ecam[kMaxKeptWindows];
std::size_t g_ecam_count = 0;

class HostConfigSpace final : public ConfigSpace {
  public:
    std::uint32_t read32(Bdf bdf, std::uint16_t off) override {
        SpinGuard g(lock_);
        if (ConfigSpace* cs = route(bdf)) return cs->read32(bdf, off);
        return 0xFFFF'FFFF;
    }
    void write32(Bdf bdf, std::uint16_t off, std::uint32_t value) override {
        SpinGuard g(lock_);
        if (ConfigSpace* cs = route(bdf)) cs->write32(bdf, off, value);
    }
    [[nodiscard]] bool has_extended() const override { return g_ecam_count != 0; }

  private:
    // The ECAM window covering `bdf`; else the legacy mechanism for segment 0.
    ConfigSpace* route(Bdf bdf) {
        for (std::size_t i = 0; i < g_ecam_count; ++i) {
            if (g_ecam[i]->covers(bdf)) return &*g_ecam[i];
        }
        if (bdf.segment() == 0) return &port_;
        return nullptr;
    }
    SpinLock lock_;
    PortConfigSpace port_;
};
HostConfigSpace g_host_config;
// Each bus has 32 devices x 8 functions x 4 KiB of configuration space (PCIe Base 5.0 7.2.2).
constexpr std::uint64_t kEcamBytesPerBus = 1ull << 20;
constexpr std::uint8_t kLegacyLastBus = 255;

void print_function(const PciFunction& fn) {
    console::lock();
    Sink& s = console::locked_sink();
    s.write("hv: pci ");
    format_function_line(s, fn);
    if (fn.bars.slot_count != 0) {
        s.put(' ');
        format_bars(s, fn.bars);
    }
    s.put(' ');
    format_capabilities(s, fn.caps);
    if (fn.is_bridge())
        print(s, " bridge=", Hex{fn.secondary_bus, 2}, "-", Hex{fn.subordinate_bus, 2});
    s.put('\n');
    console::unlock();
}

void scan_ecam(const acpi::EcamWindow& w) {
    const std::uint64_t first = w.base + w.start_bus * kEcamBytesPerBus;
    const std::uint64_t size =
        (static_cast<std::uint64_t>(w.end_bus) - w.start_bus + 1) * kEcamBytesPerBus;
    auto mapped = mmio_map(HostPhys(first), size);
    if (!mapped) {
        log("pci: cannot map ECAM segment ", w.segment, " at 0x", Hex{first}, ": ",
            mapped.error().what);
        return;
    }
    EcamConfigSpace cs(mapped.value(), w.segment, w.start_bus, w.end_bus);
    if (g_ecam_count < kMaxKeptWindows) g_ecam[g_ecam_count++] = cs;
    auto r = enumerate(cs, w.segment, w.start_bus, w.end_bus, g_functions);
    if (!r) log("pci: segment ", w.segment, " enumeration stopped: ", r.error().what);
}

}  // namespace

const FunctionList& scan(const acpi::Platform& platform) {
    g_functions.clear();
    if (platform.have_mcfg && !platform.mcfg.windows.empty()) {
        for (const acpi::EcamWindow& w : platform.mcfg.windows) scan_ecam(w);
    } else {
        log("pci: no MCFG, using configuration mechanism #1 (no extended capabilities)");
        PortConfigSpace cs;
        auto r = enumerate(cs, 0, 0, kLegacyLastBus, g_functions);
        if (!r) log("pci: enumeration stopped: ", r.error().what);
    }
    for (const PciFunction& fn : g_functions) print_function(fn);
    if (g_functions.dropped() != 0)
        log("pci: ", g_functions.dropped(), " functions beyond capacity not listed");
    return g_functions;
}

const FunctionList& functions() { return g_functions; }

ConfigSpace& host_config() { return g_host_config; }

}  // namespace hv::pci
