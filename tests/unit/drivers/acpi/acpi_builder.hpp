#pragma once
// Byte-by-byte builders for ACPI test fixtures, and a fake physical memory. Tables are laid out
// field by field in the order the spec lists them, so a fixture reads like the spec's table.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "kernel/lib/bytes.hpp"
#include "kernel/lib/phys_reader.hpp"

namespace hv::acpi::test {

class Builder {
  public:
    Builder& u8(std::uint64_t v) { return put(v, 1); }
    Builder& u16(std::uint64_t v) { return put(v, 2); }
    Builder& u32(std::uint64_t v) { return put(v, 4); }
    Builder& u64(std::uint64_t v) { return put(v, 8); }
    Builder& zeros(std::size_t n) {
        bytes_.insert(bytes_.end(), n, std::byte{0});
        return *this;
    }
    // The characters of `text`, without a terminator.
    Builder& chars(std::string_view text) {
        for (char c : text) bytes_.push_back(static_cast<std::byte>(c));
        return *this;
    }
    Builder& append(const Builder& other) { return append(other.bytes_); }
    Builder& append(const std::vector<std::byte>& other) {
        bytes_.insert(bytes_.end(), other.begin(), other.end());
        return *this;
    }
    // ACPI 6.5 sec 5.2.3.2 Generic Address Structure.
    Builder& gas(std::uint8_t space, std::uint8_t width, std::uint8_t offset, std::uint8_t access,
                 std::uint64_t address) {
        return u8(space).u8(width).u8(offset).u8(access).u64(address);
    }

    void patch(std::size_t offset, std::uint64_t v, std::size_t width) {
        for (std::size_t i = 0; i < width; ++i) {
            bytes_.at(offset + i) = static_cast<std::byte>((v >> (8 * i)) & 0xFF);
        }
    }

    [[nodiscard]] std::size_t size() const { return bytes_.size(); }
    [[nodiscard]] const std::vector<std::byte>& bytes() const { return bytes_; }
    [[nodiscard]] std::vector<std::byte>& bytes() { return bytes_; }

  private:
    Builder& put(std::uint64_t v, std::size_t width) {
        for (std::size_t i = 0; i < width; ++i) {
            bytes_.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
        }
        return *this;
    }
    std::vector<std::byte> bytes_;
};

// Sets the byte at `checksum_offset` so that the first `length` bytes sum to zero.
inline void fix_checksum(std::vector<std::byte>& t, std::size_t checksum_offset,
                         std::size_t length) {
    t.at(checksum_offset) = std::byte{0};
    std::uint8_t sum = 0;
    for (std::size_t i = 0; i < length; ++i)
        sum = static_cast<std::uint8_t>(sum + std::uint8_t(t[i]));
    t[checksum_offset] = static_cast<std::byte>(static_cast<std::uint8_t>(0x100 - sum));
}

inline void fix_table_checksum(std::vector<std::byte>& t) { fix_checksum(t, 9, t.size()); }

// A whole table: the 36-byte header (ACPI 6.5 table 5.4) with the OEM fields QEMU writes, then
// `body`; the length and checksum are filled in.
inline std::vector<std::byte> make_table(std::string_view signature, std::uint8_t revision,
                                         const Builder& body) {
    Builder t;
    t.chars(signature.substr(0, 4))
        .u32(36 + body.size())
        .u8(revision)
        .u8(0)  // checksum, fixed below
        .chars("BOCHS ")
        .chars("BXPC    ")
        .u32(1)
        .chars("BXPC")
        .u32(1)
        .append(body);
    std::vector<std::byte> out = t.bytes();
    fix_table_checksum(out);
    return out;
}

inline Bytes as_bytes(const std::vector<std::byte>& v) { return Bytes(v.data(), v.size()); }

// Physical memory made of separate readable regions; anything else is unreadable.
class FakeMemory final : public PhysReader {
  public:
    void place(std::uint64_t phys, std::vector<std::byte> bytes) {
        regions_[phys] = std::move(bytes);
    }
    Bytes read(std::uint64_t phys, std::uint64_t len) const override {
        for (const auto& [base, bytes] : regions_) {
            if (phys >= base && phys - base <= bytes.size() &&
                bytes.size() - (phys - base) >= len) {
                return Bytes(bytes.data() + (phys - base), static_cast<std::size_t>(len));
            }
        }
        return {};
    }

  private:
    std::map<std::uint64_t, std::vector<std::byte>> regions_;
};

}  // namespace hv::acpi::test
