#pragma once
// PhysReader: how pure parsers reach bytes that live at physical addresses (firmware tables,
// boot information) without touching page tables themselves. The kernel implements it over its
// direct map; host tests implement it over a fake memory.
#include <cstdint>

#include "kernel/lib/bytes.hpp"

namespace hv {

class PhysReader {
  public:
    // The `len` bytes at physical address `phys`, or an empty span if that range is not readable
    // (outside RAM/firmware areas, or overflowing).
    virtual Bytes read(std::uint64_t phys, std::uint64_t len) const = 0;

  protected:
    ~PhysReader() = default;
};

}  // namespace hv
