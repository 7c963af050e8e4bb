#pragma once
// Intel extended page tables (SDM vol. 3C 29.3) as a VM's second stage: 4-level, write-back
// paging structures, RAM mapped read/write/execute write-back with 2 MiB or 1 GiB leaves.
// Threading: mapped only at VM creation, before any vCPU runs (vmm/stage2.hpp). Flushing: each
// vCPU invalidates this EPTP (INVEPT single-context) when it sets up its VMCS on a CPU, so
// translations a CPU cached for a previous owner of these table pages never apply.
#include <cstdint>

#include "arch/x86/paging/ept_format.hpp"
#include "arch/x86/paging/page_table.hpp"
#include "kernel/frame_table_memory.hpp"
#include "vmm/stage2.hpp"

namespace hv::vmx {

class ExtendedPageTable final : public vmm::Stage2 {
  public:
    // `gigabyte_pages`: IA32_VMX_EPT_VPID_CAP[17].
    explicit ExtendedPageTable(bool gigabyte_pages) : table_(memory_, gigabyte_pages) {}
    [[nodiscard]] Result<void> init() { return table_.init(); }

    Result<void> map_ram(GuestPhys gpa, HostPhys hpa, std::uint64_t size) override;
    Optional<vmm::Stage2Mapping> lookup(GuestPhys gpa) const override;
    HostPhys root() const override { return table_.root(); }
    std::uint64_t table_bytes() const override { return table_.table_pages() * kPageSize; }
    void release() override { table_.destroy(); }

    // The VMCS EPT pointer (SDM vol. 3C 25.6.11): WB structures, 4-level walk, no A/D flags.
    [[nodiscard]] std::uint64_t eptp() const { return paging::make_eptp(table_.root(), false); }

  private:
    FrameTableMemory memory_;
    paging::PageTable<paging::EptFormat, FrameTableMemory> table_;
};

}  // namespace hv::vmx
