#pragma once
// Enumeration: finding every function below a host bridge, as firmware left the bus numbers.
//
// We do not assign bus numbers or resources; firmware has done that (PCI Firmware 3.2 sec 3.5),
// and the hypervisor only needs to know what is there to hand devices to guests.
#include <cstddef>
#include <cstdint>
#include <span>

#include "drivers/pci/bar.hpp"
#include "drivers/pci/capabilities.hpp"
#include "drivers/pci/config_space.hpp"
#include "kernel/lib/optional.hpp"
#include "kernel/lib/result.hpp"

namespace hv::pci {

struct PciFunction {
    Bdf bdf;
    std::uint16_t vendor_id = 0;
    std::uint16_t device_id = 0;
    std::uint32_t class_code = 0;  // base class [23:16], subclass [15:8], prog-if [7:0]
    std::uint8_t revision = 0;
    std::uint8_t header_type = 0;  // raw register, multi-function bit included
    Bars bars;                     // empty (slot_count 0) for header layouts we do not decode
    Capabilities caps;
    // Type 1 only: the bus range firmware programmed (PPB 1.2 sec 3.2.5.3-3.2.5.4), and whether
    // the walk went below it (false when the numbers were unusable: zero, out of the range being
    // enumerated, or a bus already walked).
    std::uint8_t secondary_bus = 0;
    std::uint8_t subordinate_bus = 0;
    bool walked_secondary = false;
    // The type 1 function whose secondary bus this function sits on; none on the start bus.
    Optional<Bdf> parent;

    [[nodiscard]] constexpr std::uint8_t layout() const {
        return header_type & header_type::kLayoutMask;
    }
    [[nodiscard]] constexpr bool is_bridge() const { return layout() == header_type::kBridge; }
    [[nodiscard]] constexpr bool multi_function() const {
        return (header_type & header_type::kMultiFunction) != 0;
    }
    [[nodiscard]] constexpr std::uint8_t base_class() const {
        return static_cast<std::uint8_t>(class_code >> 16);
    }
    [[nodiscard]] constexpr std::uint8_t subclass() const {
        return static_cast<std::uint8_t>(class_code >> 8);
    }
    // Base class and subclass together (config_regs.hpp, class_subclass).
    [[nodiscard]] constexpr std::uint16_t class_subclass() const {
        return static_cast<std::uint16_t>(class_code >> 8);
    }
    [[nodiscard]] constexpr std::uint8_t prog_if() const {
        return static_cast<std::uint8_t>(class_code);
    }
};

// The function at `bdf` in `fns`, or nullptr.
[[nodiscard]] const PciFunction* find_function(std::span<const PciFunction> fns, Bdf bdf);

// Functions in discovery order (depth first). Fixed capacity; about 256 * sizeof(PciFunction)
// bytes, so the owner keeps it in reserved memory rather than on a stack.
class FunctionList {
  public:
    static constexpr std::size_t kCapacity = 256;

    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }
    // Functions found after the list was full, and so not recorded.
    [[nodiscard]] std::size_t dropped() const { return dropped_; }
    [[nodiscard]] const PciFunction& operator[](std::size_t i) const { return items_[i]; }
    [[nodiscard]] const PciFunction* begin() const { return items_; }
    [[nodiscard]] const PciFunction* end() const { return items_ + size_; }
    // nullptr when `bdf` was not found.
    [[nodiscard]] const PciFunction* find(Bdf bdf) const;

    // Appends, or counts the function as dropped when full. Returns whether it was kept.
    bool push(const PciFunction& fn);
    void clear();

  private:
    PciFunction items_[kCapacity]{};
    std::size_t size_ = 0;
    std::size_t dropped_ = 0;
};

// Clears `out`, then walks bus `start_bus` of `segment` and, depth first, the secondary bus of
// every type 1 function found, using the bus numbers firmware programmed (never rewriting them).
// A bridge is not followed when its secondary bus is 0, outside [start_bus, end_bus], or already
// walked. On each bus devices 0..31 are probed at function 0; functions 1..7 only when function
// 0 reports multi-function. Each found function gets its BARs sized (briefly disabling its
// decode, see probe_bars) and its capabilities read.
//
// Uses about 4 KiB of stack (a cursor per bus being walked). Returns the number of functions
// recorded. Errors: kInvalid when start_bus > end_bus; kTooMany when more than
// FunctionList::kCapacity functions exist, in which case `out` still holds the first kCapacity
// and out.dropped() counts the rest.
[[nodiscard]] Result<std::size_t> enumerate(ConfigSpace& cs, std::uint16_t segment,
                                            std::uint8_t start_bus, std::uint8_t end_bus,
                                            FunctionList& out);

}  // namespace hv::pci
