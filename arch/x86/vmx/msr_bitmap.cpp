#include "arch/x86/vmx/msr_bitmap.hpp"

namespace hv::vmx {
namespace {

constexpr std::uint32_t kLowFirst = 0x0000'0000;
constexpr std::uint32_t kHighFirst = 0xC000'0000;
constexpr std::uint32_t kMsrsPerRange = 0x2000;
constexpr long kHighReadOffset = 0x400;
constexpr long kWriteOffset = 0x800;

}  // namespace

MsrBitmap::MsrBitmap(std::span<std::uint8_t> page) : page_(page) {
    for (auto& b : page_) b = 0xFF;
}

long MsrBitmap::read_bit(std::uint32_t msr) {
    if (msr - kLowFirst < kMsrsPerRange) return static_cast<long>(msr - kLowFirst);
    if (msr - kHighFirst < kMsrsPerRange)
        return kHighReadOffset * 8 + static_cast<long>(msr - kHighFirst);
    return -1;
}

bool MsrBitmap::test(long bit) const {
    return (page_[static_cast<std::size_t>(bit / 8)] >> (bit % 8)) & 1;
}

void MsrBitmap::clear(long bit) {
    page_[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(1u << (bit % 8)));
}

bool MsrBitmap::allow(std::uint32_t msr, bool read, bool write) {
    const long bit = read_bit(msr);
    if (bit < 0) return false;
    if (read) clear(bit);
    if (write) clear(bit + kWriteOffset * 8);
    return true;
}

bool MsrBitmap::exits_on_read(std::uint32_t msr) const {
    const long bit = read_bit(msr);
    return bit < 0 || test(bit);
}

bool MsrBitmap::exits_on_write(std::uint32_t msr) const {
    const long bit = read_bit(msr);
    return bit < 0 || test(bit + kWriteOffset * 8);
}

void exit_on_all_ports(std::span<std::uint8_t> bitmap) {
    for (auto& b : bitmap) b = 0xFF;
}

}  // namespace hv::vmx
