#pragma once
// Positions in an AMD-Vi ring (the command buffer and the event log, AMD IOMMU spec 48882,
// sec 2.4 and 2.5): 2^n 16-byte entries, a head and a tail index.
//
//   command buffer:  software writes at tail and moves tail; the IOMMU executes at head
//   event log:       the IOMMU writes at tail and moves tail; software reads at head
//
//        head               tail
//   [ . | X | X | X | X | . | . | . ]     X: written, not yet consumed
//
// head == tail means empty, so a ring of 2^n entries holds at most 2^n - 1: the writer stops
// one entry short of the head. Pure arithmetic on indices; regs.hpp turns them into the byte
// offsets the head and tail registers hold.
#include <cstdint>

namespace hv::amdvi {

class Ring {
  public:
    // ComLen / EventLen: 8 (256 entries, 4 KiB) to 15 (32768 entries, 512 KiB).
    static constexpr unsigned kMinEntriesLog2 = 8;
    static constexpr unsigned kMaxEntriesLog2 = 15;

    constexpr explicit Ring(unsigned entries_log2) : entries_log2_(entries_log2) {}

    [[nodiscard]] constexpr unsigned entries_log2() const { return entries_log2_; }
    [[nodiscard]] constexpr unsigned entries() const { return 1u << entries_log2_; }
    [[nodiscard]] constexpr std::uint64_t bytes() const { return std::uint64_t{entries()} * 16; }

    [[nodiscard]] constexpr unsigned next(unsigned index) const {
        return (index + 1) & (entries() - 1);
    }
    // Entries written and not yet consumed.
    [[nodiscard]] constexpr unsigned used(unsigned head, unsigned tail) const {
        return (tail - head) & (entries() - 1);
    }
    // Entries the writer may still add before it would catch up with the head.
    [[nodiscard]] constexpr unsigned free(unsigned head, unsigned tail) const {
        return entries() - 1 - used(head, tail);
    }
    [[nodiscard]] constexpr bool full(unsigned head, unsigned tail) const {
        return next(tail) == (head & (entries() - 1));
    }

  private:
    unsigned entries_log2_;
};

static_assert(Ring(8).entries() == 256 && Ring(8).bytes() == 4096);
static_assert(Ring(8).full(0, 255) && !Ring(8).full(0, 254));

}  // namespace hv::amdvi
