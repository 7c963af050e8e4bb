#pragma once
// AMD nested page tables (APM vol. 2 15.25): the host-paging format with every guest access
// treated as a user access, so each level grants U/S (15.25.5).
#include "arch/x86/paging/hpt_format.hpp"
#include "arch/x86/paging/page_table.hpp"
#include "kernel/frame_table_memory.hpp"
#include "vmm/stage2.hpp"

namespace hv::svm {

class NestedPageTable final : public vmm::Stage2 {
  public:
    explicit NestedPageTable(bool gigabyte_pages) : table_(memory_, gigabyte_pages) {}
    [[nodiscard]] Result<void> init() { return table_.init(); }

    Result<void> map_ram(GuestPhys gpa, HostPhys hpa, std::uint64_t size) override;
    Optional<vmm::Stage2Mapping> lookup(GuestPhys gpa) const override;
    HostPhys root() const override { return table_.root(); }
    std::uint64_t table_bytes() const override { return table_.table_pages() * kPageSize; }
    void release() override { table_.destroy(); }

  private:
    FrameTableMemory memory_;
    paging::PageTable<paging::HptFormat, FrameTableMemory> table_;
};

}  // namespace hv::svm
