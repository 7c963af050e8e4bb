// PCI configuration space through configuration mechanism #1 (ports 0xCF8/0xCFC, PCI Local Bus
// spec 3.0 sec. 3.2.2.3.2), type 0 headers only (sec. 6.1). Single-threaded, like the rest of the
// runtime: an address write and its data access must not be interleaved with another.
#pragma once

#include <stdint.h>

namespace rt {

struct PciFunction {
    uint8_t bus, device, function;
};

// Type 0 header offsets (PCI spec 3.0 fig. 6-1).
constexpr uint8_t kPciVendorId = 0x00, kPciDeviceId = 0x02, kPciCommand = 0x04, kPciStatus = 0x06,
                  kPciHeaderType = 0x0E, kPciBar0 = 0x10, kPciCapabilityPointer = 0x34;
constexpr uint16_t kPciCommandIo = 1 << 0, kPciCommandMemory = 1 << 1,
                   kPciCommandBusMaster = 1 << 2;
constexpr uint16_t kPciStatusCapabilities = 1 << 4;
constexpr uint8_t kPciCapabilityMsi = 0x05;  // PCI spec 3.0 app. H
constexpr uint32_t kPciBarCount = 6;

uint32_t pci_read32(PciFunction f, uint8_t offset);
uint16_t pci_read16(PciFunction f, uint8_t offset);
uint8_t pci_read8(PciFunction f, uint8_t offset);
void pci_write32(PciFunction f, uint8_t offset, uint32_t value);
void pci_write16(PciFunction f, uint8_t offset, uint16_t value);

// The first function on `bus` with this vendor and device ID, scanning devices 0-31 and, on
// multi-function devices, functions 0-7.
bool pci_find(uint8_t bus, uint16_t vendor, uint16_t device, PciFunction* out);

// Config-space offset of the first capability with this ID, 0 if there is none (sec. 6.7).
uint8_t pci_find_capability(PciFunction f, uint8_t id);

struct PciBar {
    uint64_t base;  // as programmed; never reassigned here
    uint64_t size;  // 0 until pci_size_bar()
    bool memory, is_64bit, prefetchable;
};

// Decodes BAR `index` (a 64-bit memory BAR takes index and index + 1). False past the header or
// for the upper half of a 64-bit BAR.
bool pci_read_bar(PciFunction f, uint32_t index, PciBar* bar);
// Standard sizing (sec. 6.2.5.1): with memory and I/O decode off, writes all ones, reads the mask
// back, restores the BAR and then the command register. Fills bar->size (0: the function has no
// BAR in that slot).
void pci_size_bar(PciFunction f, uint32_t index, PciBar* bar);

}  // namespace rt
