#include "drivers/acpi/gas.hpp"

#include "drivers/acpi/field.hpp"

namespace hv::acpi {

Optional<Gas> parse_gas(Bytes bytes, std::size_t offset) {
    Bytes raw = subspan_or_empty(bytes, offset, kGasSize);
    if (raw.empty()) return kNone;
    // ACPI 6.5 table 5.2: id, bit width, bit offset, access size, then the 64-bit address.
    return Gas{static_cast<AddressSpace>(field<std::uint8_t>(raw, 0)), field<std::uint8_t>(raw, 1),
               field<std::uint8_t>(raw, 2), static_cast<AccessSize>(field<std::uint8_t>(raw, 3)),
               field<std::uint64_t>(raw, 4)};
}

}  // namespace hv::acpi
