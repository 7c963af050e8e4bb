#pragma once
// A VM's second stage (vmm::Stage2) on the page-table engine, for any table format: AMD nested
// paging uses the host format, Intel EPT its own. Guest RAM is mapped read/write/execute,
// write-back, with the largest leaves alignment allows; device memory uncached. Threading as in
// vmm/stage2.hpp; flushing is the backend's (ASID / INVEPT).
#include <cstdint>

#include "arch/x86/paging/page_table.hpp"
#include "kernel/deferred_table_memory.hpp"
#include "kernel/lib/result.hpp"
#include "vmm/stage2.hpp"

namespace hv::paging {

// `kGuestAccessIsUser`: the format's walker treats every guest access as a user-mode access, so
// leaves must grant U/S (AMD APM vol. 2 15.25.5); EPT has no such bit.
template <PageTableFormat Format, bool kGuestAccessIsUser>
class PagingStage2 : public vmm::Stage2 {
  public:
    explicit PagingStage2(bool gigabyte_pages) : table_(memory_, gigabyte_pages) {}
    [[nodiscard]] Result<void> init() { return table_.init(); }

    Result<void> map_ram(GuestPhys gpa, HostPhys hpa, std::uint64_t size) override {
        constexpr Attributes kGuestRam{.read = true,
                                       .write = true,
                                       .execute = true,
                                       .user = kGuestAccessIsUser,
                                       .global = false,
                                       .cache = CacheType::kWriteBack};
        return table_.map(gpa.raw(), hpa, size, kGuestRam);
    }
    Result<void> map_mmio(GuestPhys gpa, HostPhys hpa, std::uint64_t size) override {
        constexpr Attributes kDeviceMemory{.read = true,
                                           .write = true,
                                           .execute = false,
                                           .user = kGuestAccessIsUser,
                                           .global = false,
                                           .cache = CacheType::kUncached};
        return table_.map(gpa.raw(), hpa, size, kDeviceMemory);
    }
    Result<void> unmap(GuestPhys gpa, std::uint64_t size, std::uint32_t generation) override {
        // One unmap of a naturally aligned BAR frees at most a table per level.
        if (!memory_.room(kMaxTablesPerUnmap))
            return make_error(Errc::kTooMany, "stage 2: freed tables still wait for a flush");
        memory_.defer_until(generation);
        auto r = table_.unmap(gpa.raw(), size);
        memory_.defer_until(0);
        return r;
    }
    void release_tables(std::uint32_t acked) override { memory_.release(acked); }
    std::size_t held_tables() override { return memory_.held(); }
    Optional<vmm::Stage2Mapping> lookup(GuestPhys gpa) const override {
        auto t = table_.lookup(gpa.raw());
        if (!t) return kNone;
        return vmm::Stage2Mapping{t->pa, t->page_size, t->attrs.write};
    }
    HostPhys root() const override { return table_.root(); }
    std::uint64_t table_bytes() const override { return table_.table_pages() * kPageSize; }
    void release() override {
        table_.destroy();
        memory_.release_all();
    }

  private:
    static constexpr std::size_t kMaxTablesPerUnmap = 4;
    DeferredTableMemory<> memory_;
    PageTable<Format, DeferredTableMemory<>> table_;
};

}  // namespace hv::paging
