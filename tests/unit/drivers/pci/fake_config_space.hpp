#pragma once
// FakeConfigSpace: configuration space in host memory with the register semantics enumeration
// depends on, plus builders for the QEMU devices the boot tests meet.
//
// Per dword it keeps a value, a mask of writable bits and a mask of RW1C bits; everything else
// is read-only. So writing all ones to a BAR reads back its size mask with the type bits intact
// (PCI 3.0 sec 6.2.5.1), Status keeps pending error bits unless a one is written to them, and
// read-only IDs ignore writes. Absent functions read as all ones.
#include <cstdint>
#include <map>
#include <vector>

#include "drivers/pci/config_regs.hpp"
#include "drivers/pci/config_space.hpp"

namespace hv::pci::testing {

class FakeFunction {
  public:
    static constexpr std::size_t kDwords = kExtendedConfigSize / 4;

    // Raw setters: read-only contents, no masks touched.
    void set32(std::uint16_t off, std::uint32_t v) { value_[off / 4] = v; }
    void set16(std::uint16_t off, std::uint16_t v) {
        const unsigned shift = (off & 2u) * 8;
        std::uint32_t& d = value_[off / 4];
        d = (d & ~(0xffffu << shift)) | static_cast<std::uint32_t>(v) << shift;
    }
    void set8(std::uint16_t off, std::uint8_t v) {
        const unsigned shift = (off & 3u) * 8;
        std::uint32_t& d = value_[off / 4];
        d = (d & ~(0xffu << shift)) | static_cast<std::uint32_t>(v) << shift;
    }
    void set_writable(std::uint16_t off, std::uint32_t mask) { writable_[off / 4] = mask; }
    void set_rw1c(std::uint16_t off, std::uint32_t mask) { rw1c_[off / 4] = mask; }
    [[nodiscard]] std::uint32_t get32(std::uint16_t off) const { return value_[off / 4]; }
    [[nodiscard]] std::uint16_t get16(std::uint16_t off) const {
        return static_cast<std::uint16_t>(value_[off / 4] >> ((off & 2u) * 8));
    }
    [[nodiscard]] std::uint8_t get8(std::uint16_t off) const {
        return static_cast<std::uint8_t>(value_[off / 4] >> ((off & 3u) * 8));
    }

    // What a config write does to the dword: writable bits take the value, RW1C bits written as
    // one clear, the rest stay.
    void write(std::uint16_t off, std::uint32_t v) {
        std::uint32_t& d = value_[off / 4];
        const std::uint32_t w = writable_[off / 4];
        d = (d & ~w) | (v & w);
        d &= ~(v & rw1c_[off / 4]);
    }

    // BARs as hardware implements them: the address bits below the size are hardwired to zero.
    void mem32_bar(unsigned slot, std::uint32_t base, std::uint32_t size, bool pref = false) {
        const std::uint16_t off = bar_off(slot);
        set32(off, base | (pref ? bar_bits::kMemPrefetchable : 0));
        set_writable(off, ~(size - 1) & bar_bits::kMemAddressMask);
    }
    void mem64_bar(unsigned slot, std::uint64_t base, std::uint64_t size, bool pref = false) {
        const std::uint16_t off = bar_off(slot);
        const std::uint64_t mask = ~(size - 1);
        set32(off, static_cast<std::uint32_t>(base) | bar_bits::kMemType64 |
                       (pref ? bar_bits::kMemPrefetchable : 0));
        set_writable(off, static_cast<std::uint32_t>(mask) & bar_bits::kMemAddressMask);
        set32(off + 4, static_cast<std::uint32_t>(base >> 32));
        set_writable(off + 4, static_cast<std::uint32_t>(mask >> 32));
    }
    // `decode16` models I/O BARs whose upper 16 address bits are hardwired to zero.
    void io_bar(unsigned slot, std::uint32_t base, std::uint32_t size, bool decode16 = false) {
        const std::uint16_t off = bar_off(slot);
        set32(off, base | bar_bits::kIoSpace);
        set_writable(off, ~(size - 1) & bar_bits::kIoAddressMask & (decode16 ? 0xffffu : ~0u));
    }
    void rom(std::uint16_t off, std::uint32_t base, std::uint32_t size) {
        set32(off, base);
        set_writable(off, (~(size - 1) & rom_bits::kAddressMask) | rom_bits::kEnable);
    }

    // Appends a legacy capability at `at` to the list (setting Status bit 4) and returns `at`.
    std::uint16_t add_cap(CapId id, std::uint8_t at) {
        set8(at, static_cast<std::uint8_t>(id));
        set8(at + 1, 0);
        if (last_cap_ == 0) {
            set8(offset(Reg8::kCapabilitiesPointer), at);
        } else {
            set8(last_cap_ + 1, at);
        }
        last_cap_ = at;
        set16(offset(Reg16::kStatus), get16(offset(Reg16::kStatus)) | status::kCapabilitiesList);
        return at;
    }
    // Appends an extended capability at `at` (the first must be at 0x100) and returns `at`.
    std::uint16_t add_ext_cap(ExtCapId id, std::uint16_t at, std::uint8_t version = 1) {
        set32(at, static_cast<std::uint32_t>(id) | static_cast<std::uint32_t>(version) << 16);
        if (last_ext_cap_ != 0) {
            set32(last_ext_cap_,
                  (get32(last_ext_cap_) & 0x000fffffu) | static_cast<std::uint32_t>(at) << 20);
        }
        last_ext_cap_ = at;
        return at;
    }

  private:
    static constexpr std::uint16_t bar_off(unsigned slot) {
        return static_cast<std::uint16_t>(offset(Reg32::kBar0) + 4 * slot);
    }

    std::uint32_t value_[kDwords] = {};
    std::uint32_t writable_[kDwords] = {};
    std::uint32_t rw1c_[kDwords] = {};
    std::uint8_t last_cap_ = 0;
    std::uint16_t last_ext_cap_ = 0;
};

struct ConfigWrite {
    Bdf bdf;
    std::uint16_t offset;
    std::uint32_t value;
};

class FakeConfigSpace final : public ConfigSpace {
  public:
    explicit FakeConfigSpace(bool extended = true) : extended_(extended) {}

    // A function with its identity registers read-only, a command register whose decode, bus
    // master, SERR, parity and INTx-disable bits are writable, and RW1C Status error bits.
    FakeFunction& add(Bdf bdf, std::uint16_t vendor, std::uint16_t device, std::uint32_t class_code,
                      std::uint8_t header = header_type::kEndpoint, std::uint8_t revision = 0) {
        FakeFunction& fn = functions_[key(bdf)];
        fn.set16(offset(Reg16::kVendorId), vendor);
        fn.set16(offset(Reg16::kDeviceId), device);
        fn.set32(offset(Reg32::kClassRevision), class_code << 8 | revision);
        fn.set8(offset(Reg8::kHeaderType), header);
        fn.set_writable(offset(Reg32::kCommandStatus),
                        command::kIoSpace | command::kMemorySpace | command::kBusMaster |
                            command::kParityErrorResponse | command::kSerrEnable |
                            command::kIntxDisable);
        fn.set_rw1c(offset(Reg32::kCommandStatus), std::uint32_t{status::kRw1cMask} << 16);
        if ((header & header_type::kLayoutMask) == header_type::kBridge) {
            // PPB 1.2 sec 3.2.5.2-3.2.5.5: bus numbers and secondary latency are read/write.
            fn.set_writable(offset(Reg32::kBusNumbers), 0xffffffffu);
            fn.set_rw1c(offset(Reg16::kSecondaryStatus) - 2,
                        std::uint32_t{status::kRw1cMask} << 16);
            fn.set_writable(offset(Reg16::kSecondaryStatus) - 2, 0x0000ffffu);
        }
        return fn;
    }
    // A type 1 function with firmware-programmed bus numbers.
    FakeFunction& add_bridge(Bdf bdf, std::uint16_t vendor, std::uint16_t device,
                             std::uint8_t secondary, std::uint8_t subordinate,
                             std::uint8_t header = header_type::kBridge) {
        FakeFunction& fn = add(bdf, vendor, device, 0x060400, header);
        fn.set8(offset(Reg8::kPrimaryBus), bdf.bus());
        fn.set8(offset(Reg8::kSecondaryBus), secondary);
        fn.set8(offset(Reg8::kSubordinateBus), subordinate);
        return fn;
    }
    FakeFunction& at(Bdf bdf) { return functions_.at(key(bdf)); }

    std::uint32_t read32(Bdf bdf, std::uint16_t off) override {
        ++reads_;
        auto it = functions_.find(key(bdf));
        if (it == functions_.end() || off >= limit()) return 0xffffffffu;
        return it->second.get32(off);
    }
    void write32(Bdf bdf, std::uint16_t off, std::uint32_t value) override {
        writes_.push_back({bdf, off, value});
        auto it = functions_.find(key(bdf));
        if (it == functions_.end() || off >= limit()) return;
        FakeFunction& fn = it->second;
        const bool decoding =
            (fn.get16(offset(Reg16::kCommand)) & (command::kIoSpace | command::kMemorySpace)) != 0;
        if (decoding && is_bar_probe(fn, off, value)) probed_while_decoding_ = true;
        fn.write(off, value);
    }
    [[nodiscard]] bool has_extended() const override { return extended_; }

    [[nodiscard]] const std::vector<ConfigWrite>& writes() const { return writes_; }
    [[nodiscard]] std::size_t reads() const { return reads_; }
    // Set when all ones went into a BAR or ROM BAR while the function decoded I/O or memory.
    [[nodiscard]] bool probed_while_decoding() const { return probed_while_decoding_; }

  private:
    static std::uint32_t key(Bdf bdf) {
        return static_cast<std::uint32_t>(bdf.segment()) << 16 | bdf.routing_id();
    }
    [[nodiscard]] std::uint16_t limit() const {
        return extended_ ? kExtendedConfigSize : kLegacyConfigSize;
    }
    static bool is_bar_probe(const FakeFunction& fn, std::uint16_t off, std::uint32_t value) {
        const bool bridge =
            (fn.get8(offset(Reg8::kHeaderType)) & header_type::kLayoutMask) == header_type::kBridge;
        const std::uint16_t bar_end =
            offset(Reg32::kBar0) + 4 * (bridge ? kType1BarCount : kType0BarCount);
        const std::uint16_t rom =
            offset(bridge ? Reg32::kType1ExpansionRom : Reg32::kType0ExpansionRom);
        if (off >= offset(Reg32::kBar0) && off < bar_end) return value == 0xffffffffu;
        return off == rom && (value & rom_bits::kAddressMask) == rom_bits::kAddressMask;
    }

    std::map<std::uint32_t, FakeFunction> functions_;
    std::vector<ConfigWrite> writes_;
    std::size_t reads_ = 0;
    bool extended_;
    bool probed_while_decoding_ = false;
};

// QEMU devices, with the IDs and layouts QEMU 8 gives them.

// Q35 host bridge (hw/pci-host/q35.c): 8086:29c0, class 060000, no BARs.
inline FakeFunction& add_q35_host_bridge(FakeConfigSpace& cs, Bdf bdf) {
    return cs.add(bdf, 0x8086, 0x29c0, 0x060000);
}

// edu (hw/misc/edu.c): 1234:11e8 rev 0x10, class 00ff00, BAR0 mem32 1 MiB, MSI (64-bit, one
// vector, no masking) at 0x40.
inline FakeFunction& add_edu(FakeConfigSpace& cs, Bdf bdf, std::uint32_t bar0 = 0xfea00000) {
    FakeFunction& fn = cs.add(bdf, 0x1234, 0x11e8, 0x00ff00, header_type::kEndpoint, 0x10);
    fn.mem32_bar(0, bar0, 1u << 20);
    fn.set16(fn.add_cap(CapId::kMsi, 0x40) + 2, 0x0080);  // 64-bit, MMC 0
    return fn;
}

// nvme (hw/nvme/ctrl.c) with sriov_max_vfs=8: 1b36:0010 class 010802, BAR0 mem64 16 KiB,
// PM at 0x60, MSI-X (65 entries, table at BAR0+0x2000, PBA at BAR0+0x3000) at 0x70, PCIe
// endpoint with FLR at 0x80; extended: AER at 0x100, SR-IOV at 0x148 (VF offset 1, stride 1,
// VF device 0x0010), ARI at 0x188.
inline FakeFunction& add_nvme(FakeConfigSpace& cs, Bdf bdf, std::uint64_t bar0 = 0xfebd0000) {
    FakeFunction& fn = cs.add(bdf, 0x1b36, 0x0010, 0x010802, header_type::kEndpoint, 0x02);
    fn.mem64_bar(0, bar0, 16u << 10);
    fn.add_cap(CapId::kPowerManagement, 0x60);
    const std::uint16_t msix = fn.add_cap(CapId::kMsiX, 0x70);
    fn.set16(msix + 2, 65 - 1);
    fn.set32(msix + 4, 0x2000 | 0);
    fn.set32(msix + 8, 0x3000 | 0);
    const std::uint16_t pcie = fn.add_cap(CapId::kPciExpress, 0x80);
    fn.set16(pcie + 2, 0x0002);    // version 2, endpoint
    fn.set32(pcie + 4, 1u << 28);  // FLR capable
    fn.add_ext_cap(ExtCapId::kAer, 0x100, 2);
    const std::uint16_t sriov = fn.add_ext_cap(ExtCapId::kSrIov, 0x148);
    fn.set16(sriov + 0x0c, 8);       // InitialVFs
    fn.set16(sriov + 0x0e, 8);       // TotalVFs
    fn.set16(sriov + 0x14, 1);       // First VF Offset
    fn.set16(sriov + 0x16, 1);       // VF Stride
    fn.set16(sriov + 0x1a, 0x0010);  // VF Device ID
    fn.set16(fn.add_ext_cap(ExtCapId::kAri, 0x188) + 4, 0x0000);
    return fn;
}

// pcie-root-port (hw/pci-bridge/pcie_root_port.c, gen_pcie_root_port.c): 1b36:000c class
// 060400, BAR0 mem32 4 KiB (MSI-X table), PCIe root port cap at 0x40 (version 2), MSI-X at 0x7c,
// PM at 0x48; extended: AER at 0x100, ACS at 0x148 (source validation, request/completion
// redirect, upstream forwarding).
inline FakeFunction& add_root_port(FakeConfigSpace& cs, Bdf bdf, std::uint8_t secondary,
                                   std::uint8_t subordinate,
                                   std::uint8_t header = header_type::kBridge) {
    FakeFunction& fn = cs.add_bridge(bdf, 0x1b36, 0x000c, secondary, subordinate, header);
    fn.mem32_bar(0, 0xfe800000, 4u << 10);
    const std::uint16_t pcie = fn.add_cap(CapId::kPciExpress, 0x40);
    fn.set16(pcie + 2, 0x0042);  // version 2, root port
    fn.add_cap(CapId::kPowerManagement, 0x48);
    const std::uint16_t msix = fn.add_cap(CapId::kMsiX, 0x7c);
    fn.set16(msix + 2, 1 - 1);
    fn.set32(msix + 4, 0x0000);
    fn.set32(msix + 8, 0x0800);
    fn.add_ext_cap(ExtCapId::kAer, 0x100, 2);
    fn.set16(fn.add_ext_cap(ExtCapId::kAcs, 0x148) + 4, 0x001d);
    return fn;
}

// ICH9 on Q35 at 00:1f: LPC 8086:2918 (class 060100, multi-function), AHCI 8086:2922 (class
// 010601, I/O BAR4 0x20 bytes, mem32 BAR5 ABAR 4 KiB, MSI at 0x80), SMBus 8086:2930 (class
// 0c0500, I/O BAR4 64 bytes).
inline void add_ich9(FakeConfigSpace& cs, std::uint8_t bus = 0, std::uint8_t device = 0x1f) {
    cs.add(Bdf(0, bus, device, 0), 0x8086, 0x2918, 0x060100,
           header_type::kEndpoint | header_type::kMultiFunction, 0x02);
    FakeFunction& ahci =
        cs.add(Bdf(0, bus, device, 2), 0x8086, 0x2922, 0x010601, header_type::kEndpoint, 0x02);
    ahci.io_bar(4, 0xc040, 0x20);
    ahci.mem32_bar(5, 0xfebd1000, 4u << 10);
    ahci.add_cap(CapId::kMsi, 0x80);
    FakeFunction& smbus =
        cs.add(Bdf(0, bus, device, 3), 0x8086, 0x2930, 0x0c0500, header_type::kEndpoint, 0x02);
    smbus.io_bar(4, 0x0700, 0x40);
}

}  // namespace hv::pci::testing
