#include "vmm/loader/guest_layout.hpp"

namespace hv::vmm::loader {

void format_to(Sink& s, const LoadedRange& range) {
    print(s, range.what, ' ', Hex0x{range.gpa}, '-', Hex0x{range.gpa + range.size});
}

LoadResult<GuestMemoryMap> guest_memory_map(const GuestRam& ram) {
    const std::uint64_t top = ram.ram_top_below_4g();
    const std::uint64_t above = ram.ram_above_4g();
    if (top <= kHighRamStart) {
        return make_load_error(Errc::kUnsupported, "guest RAM below 4 GiB ends at ", Hex0x{top},
                               ", not above 1 MiB");
    }
    if (top > kMaxRamTopBelow4g) {
        return make_load_error(Errc::kInvalid, "guest RAM below 4 GiB ends at ", Hex0x{top},
                               ", above the 3 GiB the guest ABI allows");
    }
    if (above > ~std::uint64_t{0} - k4GiB) {
        return make_load_error(Errc::kInvalid, "guest RAM above 4 GiB (", Hex0x{above},
                               " bytes) wraps the address space");
    }
    GuestMemoryMap map;
    map.storage[map.count++] = {0, kLowRamEnd, boot::MemoryType::kUsable};
    map.storage[map.count++] = {kLowRamEnd, kHighRamStart - kLowRamEnd,
                                boot::MemoryType::kReserved};
    map.storage[map.count++] = {kHighRamStart, top - kHighRamStart, boot::MemoryType::kUsable};
    if (above != 0) map.storage[map.count++] = {k4GiB, above, boot::MemoryType::kUsable};
    return map;
}

}  // namespace hv::vmm::loader
