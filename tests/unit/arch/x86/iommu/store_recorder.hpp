#pragma once
// A Store policy for the IOMMU entry types' write_to()/clear() (entry_store.hpp) that performs
// each store and records which word of the entry it went to, in order.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace hv::iommu::testing {

class StoreRecorder {
  public:
    explicit StoreRecorder(const std::uint64_t* entry) : entry_(entry) {}
    void operator()(std::uint64_t* word, std::uint64_t value) {
        stores.emplace_back(static_cast<std::size_t>(word - entry_), value);
        *word = value;
    }
    // The word indices, in store order.
    [[nodiscard]] std::vector<std::size_t> order() const {
        std::vector<std::size_t> o;
        for (const auto& s : stores) o.push_back(s.first);
        return o;
    }

    std::vector<std::pair<std::size_t, std::uint64_t>> stores;

  private:
    const std::uint64_t* entry_;
};

}  // namespace hv::iommu::testing
