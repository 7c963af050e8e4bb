#pragma once
// A Memory policy for PageTable tests: table pages on the host heap at made-up physical
// addresses, with every allocation, free and entry store recorded.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "kernel/lib/addr.hpp"
#include "kernel/lib/result.hpp"

namespace hv::paging::testing {

class FakeTableMemory {
  public:
    // Far above any address the tests map, so a table address never looks like a leaf's.
    static constexpr std::uint64_t kTableBase = 0x80'0000'0000;

    struct Write {
        std::uint64_t table;  // physical address of the page the slot is in
        unsigned index;
        std::uint64_t value;
    };

    Result<HostPhys> allocate_table() {
        if (fail_after >= 0 && allocations >= fail_after)
            return make_error(Errc::kNoMemory, "fake: out of tables");
        const std::uint64_t pa = kTableBase + next_++ * kPageSize;
        pages_[pa] = std::make_unique<Page>();  // value-initialised: zeroed
        ++allocations;
        return HostPhys(pa);
    }
    void free_table(HostPhys pa) {
        ASSERT_EQ(pages_.erase(pa.raw()), 1u) << "freeing a table that is not live";
        freed.push_back(pa.raw());
    }
    std::uint64_t* table(HostPhys pa) {
        auto it = pages_.find(pa.raw());
        if (it == pages_.end()) {
            ADD_FAILURE() << "table() of a page that is not live";
            return scratch_.data();
        }
        return it->second->data();
    }
    void write_entry(std::uint64_t* slot, std::uint64_t value) {
        for (auto& [pa, page] : pages_) {
            if (slot >= page->data() && slot < page->data() + page->size()) {
                writes.push_back({pa, static_cast<unsigned>(slot - page->data()), value});
                break;
            }
        }
        *slot = value;
    }
    [[nodiscard]] std::size_t live() const { return pages_.size(); }
    [[nodiscard]] bool is_table(std::uint64_t pa) const { return pa >= kTableBase; }

    int fail_after = -1;  // refuse allocations once this many succeeded
    int allocations = 0;
    std::vector<std::uint64_t> freed;
    std::vector<Write> writes;

  private:
    using Page = std::array<std::uint64_t, 512>;
    std::map<std::uint64_t, std::unique_ptr<Page>> pages_;
    Page scratch_{};
    std::uint64_t next_ = 0;
};

}  // namespace hv::paging::testing
