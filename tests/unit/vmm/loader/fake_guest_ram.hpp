#pragma once
// FakeGuestRam: guest RAM over host vectors, for loader tests and the loader fuzz target.
// Records whether a loader ever asked for a span crossing a kGuestRamChunk boundary, which a
// GuestRam backed by separate 2 MiB host pages could not serve.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "vmm/loader/guest_layout.hpp"
#include "vmm/loader/guest_ram.hpp"
#include "vmm/loader/guest_write.hpp"

namespace hv::vmm::loader {

class FakeGuestRam final : public GuestRam {
  public:
    explicit FakeGuestRam(std::uint64_t below_4g, std::uint64_t above_4g = 0,
                          std::byte fill = std::byte{0})
        : low_(below_4g, fill), high_(above_4g, fill) {}

    std::span<std::byte> bytes(std::uint64_t gpa, std::uint64_t len) override {
        ++calls_;
        if (len != 0 && (gpa / kGuestRamChunk) != ((gpa + len - 1) / kGuestRamChunk)) {
            crossed_chunk_ = true;
        }
        std::byte* p = find(gpa, len);
        return p ? std::span<std::byte>(p, len) : std::span<std::byte>();
    }
    [[nodiscard]] std::uint64_t ram_top_below_4g() const override { return low_.size(); }
    [[nodiscard]] std::uint64_t ram_above_4g() const override { return high_.size(); }

    [[nodiscard]] bool crossed_chunk() const { return crossed_chunk_; }
    [[nodiscard]] std::size_t calls() const { return calls_; }

    // Test-side reads (not counted); out-of-range reads return zeros.
    template <typename T>
    [[nodiscard]] T peek(std::uint64_t gpa) {
        T v{};
        if (std::byte* p = find(gpa, sizeof(T))) std::memcpy(&v, p, sizeof(T));
        return v;
    }
    [[nodiscard]] std::vector<std::byte> peek_bytes(std::uint64_t gpa, std::uint64_t len) {
        std::byte* p = find(gpa, len);
        return p ? std::vector<std::byte>(p, p + len) : std::vector<std::byte>();
    }
    [[nodiscard]] std::string peek_string(std::uint64_t gpa) {
        std::string s;
        for (std::uint64_t at = gpa;; ++at) {
            std::byte* p = find(at, 1);
            if (!p || *p == std::byte{0}) return s;
            s.push_back(static_cast<char>(*p));
        }
    }

  private:
    std::byte* find(std::uint64_t gpa, std::uint64_t len) {
        if (gpa > ~std::uint64_t{0} - len) return nullptr;
        if (gpa + len <= low_.size()) return low_.data() + gpa;
        if (gpa >= k4GiB && gpa - k4GiB + len <= high_.size()) return high_.data() + (gpa - k4GiB);
        return nullptr;
    }

    std::vector<std::byte> low_;
    std::vector<std::byte> high_;
    bool crossed_chunk_ = false;
    std::size_t calls_ = 0;
};

}  // namespace hv::vmm::loader
