// libFuzzer target for the passthrough layer's guest-facing parsers: the virtual config space of
// an assigned function (every guest config write), the MSI-X table model (every guest write to
// the trapped table page), MSI address/data decoding, and the check a moved BAR's new base must
// pass (fits_window). All take guest-controlled values.
//
// Input layout: byte 0 bit 0 picks the host function (0: QEMU edu, one mem32 BAR and MSI;
// 1: QEMU nvme, a mem64 BAR and MSI-X). Then 8-byte operations:
//   byte 0 op (bits 1:0: 0 config read, 1 config write, 2 MSI-X table read, 3 MSI-X write),
//   bytes 1-2 register / table offset, byte 3 size, bytes 4-7 value (low half for 8-byte MSI-X
//   writes; the high half repeats it).
// Besides crashes and sanitizer reports, the target aborts when a documented property breaks.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gpu_passthrough/guest_bar_layout.hpp"
#include "gpu_passthrough/msi_message.hpp"
#include "gpu_passthrough/msix_table.hpp"
#include "gpu_passthrough/virtual_config_space.hpp"

namespace hv::passthrough {
namespace {

void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "passthrough_fuzz: invariant broken: %s\n", what);
    std::abort();
}

// A host config space in dwords; writes land (the device would accept them).
struct FakeHost final : HostConfig {
    std::array<std::uint32_t, 1024> dw{};
    std::uint32_t read32(std::uint16_t reg) override { return dw[(reg & 0xFFC) / 4]; }
    void write32(std::uint16_t reg, std::uint32_t v) override { dw[(reg & 0xFFC) / 4] = v; }
};

// QEMU edu (1234:11e8): BAR0 mem32 1 MiB, 64-bit MSI at 0x40 (PCI 3.0 sec 6.8.1).
void make_edu(FakeHost& h, AssignedBars& bars) {
    h.dw[0] = 0x11E8'1234;
    h.dw[1] = 0x0010'0000;  // status: capabilities list
    h.dw[2] = 0x00FF'0010;
    h.dw[4] = 0xFE80'0000;
    h.dw[0x34 / 4] = 0x40;
    h.dw[0x40 / 4] = 0x0080'0005;  // MSI, 64-bit capable, next 0
    bars.bar[0] = AssignedBar{pci::BarKind::kMem32, false, 1u << 20, 0xC000'0000};
}

// QEMU nvme (1b36:0010): BAR0/1 mem64 16 KiB, MSI-X (65 vectors, table 0x2000, PBA 0x3000) at
// 0x40, PCIe at 0x80.
void make_nvme(FakeHost& h, AssignedBars& bars) {
    h.dw[0] = 0x0010'1B36;
    h.dw[1] = 0x0010'0000;
    h.dw[2] = 0x0108'0202;
    h.dw[4] = 0xFE60'0004;
    h.dw[5] = 0;
    h.dw[0x34 / 4] = 0x40;
    h.dw[0x40 / 4] = 0x0040'8011;  // MSI-X, next 0x80, table size 65
    h.dw[0x44 / 4] = 0x2000;       // table in BAR0 at 0x2000
    h.dw[0x48 / 4] = 0x3000;       // PBA
    h.dw[0x80 / 4] = 0x0002'0010;  // PCIe, next 0
    bars.bar[0] = AssignedBar{pci::BarKind::kMem64, false, 16u << 10, 0xC010'0000};
}

std::uint32_t get32(const std::uint8_t* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

}  // namespace
}  // namespace hv::passthrough

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hv::passthrough;
    if (size < 1) return 0;
    FakeHost host;
    AssignedBars bars;
    if (data[0] & 1)
        make_nvme(host, bars);
    else
        make_edu(host, bars);
    auto vcs = VirtualConfigSpace::create(host, bars);
    check(vcs.ok(), "the fixture is a valid assignment");
    VirtualConfigSpace& f = vcs.value();
    static MsixEntry storage[MsixTable::kMaxEntries];
    MsixTable table(std::span<MsixEntry>(storage, 65));

    for (std::size_t at = 1; at + 8 <= size; at += 8) {
        const std::uint8_t* op = data + at;
        const std::uint16_t reg = static_cast<std::uint16_t>(op[1] | (op[2] << 8));
        const std::uint8_t width = op[3];
        const std::uint32_t value = hv::passthrough::get32(op + 4);
        switch (op[0] & 3) {
            case 0: {
                const std::uint32_t v = f.config_read(reg, width);
                if (width == 1 || width == 2 || width == 4) {
                    const std::uint64_t mask = (1ull << (8 * width)) - 1;
                    check((v & ~mask) == 0, "config reads are zero-extended to their size");
                }
                break;
            }
            case 1:
                f.config_write(reg, width, value);
                break;
            case 2:
                static_cast<void>(table.read(reg, width));
                break;
            case 3:
                static_cast<void>(table.write(reg, width, (std::uint64_t{value} << 32) | value));
                break;
        }
        // What the VM would do after the access: drain the events and decode any message.
        if (f.take_mapping_change()) {
            // The VM maps a moved BAR only where fits_window() allows: inside a window, aligned.
            const GuestWindows w = vm_guest_windows();
            for (unsigned slot = 0; slot < hv::pci::kType0BarCount; ++slot) {
                const AssignedBar& b = bars.bar[slot];
                const std::uint64_t base = f.guest_bar_base(slot);
                if (b.kind == hv::pci::BarKind::kAbsent || !fits_window(w, b.kind, b.size, base))
                    continue;
                check(base % b.size == 0 && base >= w.mmio32_base, "an accepted BAR is placed");
            }
        }
        if (auto c = f.take_msi_change())
            check(!c->enabled || c->valid || c->reason != nullptr, "an undeliverable MSI says why");
        static_cast<void>(f.take_msix_change());
        while (auto e = table.take_changed_entry())
            static_cast<void>(decode_msi(table.entry(*e).message()));
        // The identity registers always read through from the host.
        check(f.config_read(0, 4) == host.dw[0], "vendor/device read through");
    }
    return 0;
}
