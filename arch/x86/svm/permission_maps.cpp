#include "arch/x86/svm/permission_maps.hpp"

namespace hv::svm {
namespace {

// MSR ranges and where their bits start in the map (APM vol. 2, table 15-5).
struct MsrRange {
    std::uint32_t first;
    std::uint32_t byte_offset;
};
constexpr MsrRange kRanges[] = {
    {0x0000'0000, 0x0000},
    {0xC000'0000, 0x0800},
    {0xC001'0000, 0x1000},
};
constexpr std::uint32_t kMsrsPerRange = 0x2000;

}  // namespace

MsrPermissionMap::MsrPermissionMap(std::span<std::uint8_t> map) : map_(map) {
    for (auto& b : map_) b = 0xFF;
}

long MsrPermissionMap::bit_of(std::uint32_t msr) {
    for (const MsrRange& r : kRanges) {
        if (msr >= r.first && msr - r.first < kMsrsPerRange) {
            return static_cast<long>(r.byte_offset) * 8 + static_cast<long>(msr - r.first) * 2;
        }
    }
    return -1;
}

bool MsrPermissionMap::allow(std::uint32_t msr, bool read, bool write) {
    const long bit = bit_of(msr);
    if (bit < 0) return false;
    auto clear = [this](long b) {
        map_[static_cast<std::size_t>(b / 8)] &= static_cast<std::uint8_t>(~(1u << (b % 8)));
    };
    if (read) clear(bit);
    if (write) clear(bit + 1);
    return true;
}

bool MsrPermissionMap::intercepts_read(std::uint32_t msr) const {
    const long bit = bit_of(msr);
    return bit < 0 || (map_[static_cast<std::size_t>(bit / 8)] >> (bit % 8)) & 1;
}

bool MsrPermissionMap::intercepts_write(std::uint32_t msr) const {
    const long bit = bit_of(msr);
    return bit < 0 || (map_[static_cast<std::size_t>((bit + 1) / 8)] >> ((bit + 1) % 8)) & 1;
}

void intercept_all_ports(std::span<std::uint8_t> iopm) {
    for (auto& b : iopm) b = 0xFF;
}

}  // namespace hv::svm
