#pragma once
// One PCI function as the guest's configuration space accesses see it. The guest's root complex
// (vmm/devices/pci_host.hpp) routes configuration reads and writes for an attached bus/device/
// function here: the host bridge's own 00:00.0 today, the virtualised configuration space of an
// assigned device later.
//
// Contract: `size` is 1, 2 or 4 and `reg` is a multiple of `size` below 4096 (PCIe Base 5.0 sec
// 7.2.2: 4 KiB per function); the root complex splits any other guest access into such pieces
// before calling. Reads return the value zero-extended. The caller serialises calls (the VM's
// platform lock).
#include <cstdint>

namespace hv::vmm {

class PciFunction {
  public:
    virtual std::uint32_t config_read(std::uint16_t reg, std::uint8_t size) = 0;
    virtual void config_write(std::uint16_t reg, std::uint8_t size, std::uint32_t value) = 0;

  protected:
    ~PciFunction() = default;
};

}  // namespace hv::vmm
