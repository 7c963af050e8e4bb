#pragma once
// Guest address ranges claimed at run time — the trapped pages and I/O-port BARs of assigned PCI
// functions, which the guest may move by reprogramming a BAR — and the device behind each. A
// fixed number of slots, no allocation; lookups scan them (a VM has a handful).
//
// Pure; the owner serialises calls (the VM's platform lock).
#include <array>
#include <cstdint>

#include "kernel/lib/optional.hpp"
#include "kernel/lib/result.hpp"

namespace hv::vmm {

template <typename Device>
class RegionTable {
  public:
    static constexpr std::uint32_t kSlots = 32;

    struct Hit {
        Device* device;
        std::uint64_t offset;  // from the region's base
    };

    // Claims [base, base + size) for `device`; the id names the region for move() and remove().
    // Errors: kInvalid for an empty or wrapping range or one overlapping another region;
    // kTooMany when every slot is taken.
    [[nodiscard]] Result<std::uint32_t> add(std::uint64_t base, std::uint64_t size,
                                            Device& device) {
        if (size == 0 || base + size < base)
            return make_error(Errc::kInvalid, "region is empty or wraps");
        if (overlaps(base, size, kSlots)) return make_error(Errc::kInvalid, "regions overlap");
        for (std::uint32_t i = 0; i < kSlots; ++i) {
            if (slots_[i].device != nullptr) continue;
            slots_[i] = {base, size, &device};
            return i;
        }
        return make_error(Errc::kTooMany, "no free region slot");
    }

    // Moves region `id` to `base`; refused (nothing changes) when it would overlap another.
    [[nodiscard]] Result<void> move(std::uint32_t id, std::uint64_t base) {
        if (id >= kSlots || slots_[id].device == nullptr)
            return make_error(Errc::kInvalid, "no such region");
        const std::uint64_t size = slots_[id].size;
        if (base + size < base) return make_error(Errc::kInvalid, "region wraps");
        if (overlaps(base, size, id)) return make_error(Errc::kInvalid, "regions overlap");
        slots_[id].base = base;
        return {};
    }

    void remove(std::uint32_t id) {
        if (id < kSlots) slots_[id] = {};
    }

    [[nodiscard]] Optional<Hit> find(std::uint64_t address) const {
        for (const Slot& s : slots_) {
            if (s.device != nullptr && address >= s.base && address - s.base < s.size)
                return Hit{s.device, address - s.base};
        }
        return kNone;
    }

  private:
    struct Slot {
        std::uint64_t base = 0;
        std::uint64_t size = 0;
        Device* device = nullptr;
    };

    [[nodiscard]] bool overlaps(std::uint64_t base, std::uint64_t size,
                                std::uint32_t except) const {
        for (std::uint32_t i = 0; i < kSlots; ++i) {
            const Slot& s = slots_[i];
            if (i == except || s.device == nullptr) continue;
            if (base < s.base + s.size && s.base < base + size) return true;
        }
        return false;
    }

    std::array<Slot, kSlots> slots_{};
};

}  // namespace hv::vmm
