#include "gpu_passthrough/msix_table.hpp"

#include <bit>

namespace hv::passthrough {
namespace {

constexpr std::uint32_t kAddressLowMask = ~std::uint32_t{3};  // PCI 3.0 sec 6.8.2.6: bits 1:0 zero
constexpr std::uint32_t kVectorControlMask = 1;               // bits 31:1 reserved, read zero

}  // namespace

MsixTable::MsixTable(std::span<MsixEntry> entries)
    : entries_(entries.size() > kMaxEntries ? entries.first(kMaxEntries) : entries) {
    for (MsixEntry& e : entries_) e = MsixEntry{};
}

Result<std::uint64_t> MsixTable::read(std::uint32_t offset, std::uint8_t size) const {
    if ((size != 4 && size != 8) || offset % size != 0) {
        return make_error(Errc::kInvalid, "msix table access not an aligned dword or qword");
    }
    if (offset / kEntryBytes >= entries_.size()) {
        return make_error(Errc::kInvalid, "msix table access past the last entry");
    }
    const MsixEntry& e = entries_[offset / kEntryBytes];
    const std::uint32_t words[4] = {e.address_low, e.address_high, e.data, e.vector_control};
    const std::uint32_t w = (offset % kEntryBytes) / 4;
    std::uint64_t value = words[w];
    if (size == 8) value |= static_cast<std::uint64_t>(words[w + 1]) << 32;
    return value;
}

Result<void> MsixTable::write(std::uint32_t offset, std::uint8_t size, std::uint64_t value) {
    if ((size != 4 && size != 8) || offset % size != 0) {
        return make_error(Errc::kInvalid, "msix table access not an aligned dword or qword");
    }
    if (offset / kEntryBytes >= entries_.size()) {
        return make_error(Errc::kInvalid, "msix table access past the last entry");
    }
    write_dword(offset, static_cast<std::uint32_t>(value));
    if (size == 8) write_dword(offset + 4, static_cast<std::uint32_t>(value >> 32));
    return Ok{};
}

void MsixTable::write_dword(std::uint32_t offset, std::uint32_t value) {
    const std::uint32_t index = offset / kEntryBytes;
    MsixEntry& e = entries_[index];
    const MsixEntry before = e;
    switch ((offset % kEntryBytes) / 4) {
        case 0:
            e.address_low = value & kAddressLowMask;
            break;
        case 1:
            e.address_high = value;
            break;
        case 2:
            e.data = value;
            break;
        default:
            e.vector_control = value & kVectorControlMask;
            break;
    }
    if (!(e == before)) changed_[index / 64] |= std::uint64_t{1} << (index % 64);
}

Optional<std::uint16_t> MsixTable::take_changed_entry() {
    for (std::size_t w = 0; w < changed_.size(); ++w) {
        if (changed_[w] == 0) continue;
        const auto bit = static_cast<unsigned>(std::countr_zero(changed_[w]));
        changed_[w] &= ~(std::uint64_t{1} << bit);
        return static_cast<std::uint16_t>(w * 64 + bit);
    }
    return kNone;
}

}  // namespace hv::passthrough
