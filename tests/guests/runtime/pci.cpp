#include "pci.hpp"

#include "cpu.hpp"

namespace rt {
namespace {

constexpr uint16_t kConfigAddress = 0xCF8, kConfigData = 0xCFC;
constexpr uint32_t kConfigEnable = 1u << 31;
constexpr uint8_t kHeaderMultiFunction = 1 << 7;
constexpr uint32_t kMaxCapabilities = 48;  // (256 - 64) / 4: bounds a looping list

// BAR bits (PCI spec 3.0 sec. 6.2.5.1).
constexpr uint32_t kBarIo = 1 << 0, kBarType64 = 2 << 1, kBarTypeMask = 3 << 1,
                   kBarPrefetchable = 1 << 3, kBarMemoryMask = ~uint32_t{0xF};

void select(PciFunction f, uint8_t offset) {
    outl(kConfigAddress, kConfigEnable | uint32_t{f.bus} << 16 | uint32_t{f.device} << 11 |
                             uint32_t{f.function} << 8 | (offset & 0xFCu));
}

uint8_t bar_offset(uint32_t index) { return static_cast<uint8_t>(kPciBar0 + 4 * index); }

}  // namespace

uint32_t pci_read32(PciFunction f, uint8_t offset) {
    select(f, offset);
    return inl(kConfigData);
}

uint16_t pci_read16(PciFunction f, uint8_t offset) {
    select(f, offset);
    return inw(static_cast<uint16_t>(kConfigData + (offset & 2)));
}

uint8_t pci_read8(PciFunction f, uint8_t offset) {
    select(f, offset);
    return inb(static_cast<uint16_t>(kConfigData + (offset & 3)));
}

void pci_write32(PciFunction f, uint8_t offset, uint32_t value) {
    select(f, offset);
    outl(kConfigData, value);
}

void pci_write16(PciFunction f, uint8_t offset, uint16_t value) {
    select(f, offset);
    outw(static_cast<uint16_t>(kConfigData + (offset & 2)), value);
}

bool pci_find(uint8_t bus, uint16_t vendor, uint16_t device, PciFunction* out) {
    for (uint8_t dev = 0; dev < 32; ++dev) {
        for (uint8_t fn = 0; fn < 8; ++fn) {
            PciFunction f{bus, dev, fn};
            uint32_t id = pci_read32(f, kPciVendorId);
            if ((id & 0xFFFF) == 0xFFFF) {
                if (fn == 0) break;  // no device: functions 1-7 cannot exist (sec. 6.2.1)
                continue;
            }
            if ((id & 0xFFFF) == vendor && (id >> 16) == device) {
                *out = f;
                return true;
            }
            if (fn == 0 && (pci_read8(f, kPciHeaderType) & kHeaderMultiFunction) == 0) break;
        }
    }
    return false;
}

uint8_t pci_find_capability(PciFunction f, uint8_t id) {
    if ((pci_read16(f, kPciStatus) & kPciStatusCapabilities) == 0) return 0;
    uint8_t offset = pci_read8(f, kPciCapabilityPointer) & 0xFC;
    for (uint32_t i = 0; i < kMaxCapabilities && offset >= 0x40; ++i) {
        uint16_t header = pci_read16(f, offset);
        if ((header & 0xFF) == id) return offset;
        offset = static_cast<uint8_t>(header >> 8) & 0xFC;
    }
    return 0;
}

bool pci_read_bar(PciFunction f, uint32_t index, PciBar* bar) {
    // Walk from BAR 0 so that the upper half of a 64-bit BAR is recognised as such.
    for (uint32_t i = 0; i < kPciBarCount; ++i) {
        uint32_t low = pci_read32(f, bar_offset(i));
        bool memory = (low & kBarIo) == 0;
        bool is_64bit = memory && (low & kBarTypeMask) == kBarType64 && i + 1 < kPciBarCount;
        if (i == index) {
            bar->memory = memory;
            bar->is_64bit = is_64bit;
            bar->prefetchable = memory && (low & kBarPrefetchable) != 0;
            bar->base = memory ? (low & kBarMemoryMask) : (low & ~uint32_t{3});
            if (is_64bit) bar->base |= uint64_t{pci_read32(f, bar_offset(i + 1))} << 32;
            bar->size = 0;
            return true;
        }
        if (is_64bit) {
            ++i;
            if (i == index) return false;
        }
    }
    return false;
}

void pci_size_bar(PciFunction f, uint32_t index, PciBar* bar) {
    uint16_t command = pci_read16(f, kPciCommand);
    pci_write16(f, kPciCommand, command & ~uint16_t{kPciCommandMemory | kPciCommandIo});
    uint8_t low_offset = bar_offset(index), high_offset = bar_offset(index + 1);
    uint32_t low = pci_read32(f, low_offset);
    pci_write32(f, low_offset, ~uint32_t{0});
    uint64_t bits = pci_read32(f, low_offset) & (bar->memory ? kBarMemoryMask : ~uint32_t{3});
    pci_write32(f, low_offset, low);
    if (bar->is_64bit) {
        uint32_t high = pci_read32(f, high_offset);
        pci_write32(f, high_offset, ~uint32_t{0});
        bits |= uint64_t{pci_read32(f, high_offset)} << 32;
        pci_write32(f, high_offset, high);
    }
    pci_write16(f, kPciCommand, command);
    // The size is the lowest writable address bit; this also covers I/O BARs that hardwire the
    // upper 16 bits to zero.
    bar->size = bits & (~bits + 1);
}

}  // namespace rt
