#include "drivers/pci/describe.hpp"

namespace hv::pci {
namespace {

// Writes the separator before every item but the first.
class ListWriter {
  public:
    ListWriter(Sink& sink, char separator) : sink_(sink), separator_(separator) {}
    Sink& next() {
        if (any_) sink_.put(separator_);
        any_ = true;
        return sink_;
    }
    [[nodiscard]] bool any() const { return any_; }

  private:
    Sink& sink_;
    char separator_;
    bool any_ = false;
};

}  // namespace

void format_function_line(Sink& sink, const PciFunction& fn) {
    print(sink, fn.bdf, ' ', Hex{fn.vendor_id, 4}, ':', Hex{fn.device_id, 4},
          " class=", Hex{fn.class_code, 6});
}

void format_bars(Sink& sink, const Bars& bars) {
    ListWriter items(sink, ' ');
    for (unsigned slot = 0; slot < bars.slot_count; ++slot) {
        const Bar& bar = bars.bar[slot];
        if (!bar.present()) continue;
        print(items.next(), "bar", slot, '=', name(bar.kind), ' ', bar.prefetchable ? "pref " : "",
              "0x", Hex{bar.base}, " size=0x", Hex{bar.size});
    }
    if (bars.rom.present()) {
        print(items.next(), "rom=0x", Hex{bars.rom.base}, " size=0x", Hex{bars.rom.size});
    }
    if (!items.any()) sink.write("bars=none");
}

void format_capabilities(Sink& sink, const Capabilities& caps) {
    sink.write("caps=");
    ListWriter items(sink, ',');
    if (caps.pm.present()) items.next().write("pm");
    if (caps.msi.present()) {
        print(items.next(), "msi(", caps.msi.is_64bit ? "64bit," : "",
              caps.msi.per_vector_masking ? "maskable," : "", "vectors=", caps.msi.max_vectors(),
              ')');
    }
    if (caps.msix.present()) print(items.next(), "msix(table=", caps.msix.table_size, ')');
    if (caps.pcie.present()) {
        print(items.next(), "pcie(", name(caps.pcie.port_type), caps.pcie.flr ? ",flr" : "", ')');
    }
    if (caps.sriov.present()) print(items.next(), "sriov(total_vfs=", caps.sriov.total_vfs, ')');
    if (caps.acs.present()) items.next().write("acs");
    if (caps.ari.present()) items.next().write("ari");
    if (caps.malformed()) items.next().write("malformed");
    if (!items.any()) sink.write("none");
}

}  // namespace hv::pci
