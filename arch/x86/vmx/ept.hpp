#pragma once
// Intel extended page tables (SDM vol. 3C 29.3) as a VM's second stage: 4-level, write-back
// paging structures, RAM mapped read/write/execute write-back with 2 MiB or 1 GiB leaves.
// Flushing: each vCPU invalidates this EPTP (INVEPT single-context) when it sets up its VMCS on a
// CPU, so translations a CPU cached for a previous owner of these table pages never apply.
#include <cstdint>

#include "arch/x86/paging/ept_format.hpp"
#include "arch/x86/paging/paging_stage2.hpp"

namespace hv::vmx {

class ExtendedPageTable final : public paging::PagingStage2<paging::EptFormat, /*user=*/false> {
  public:
    // `gigabyte_pages`: IA32_VMX_EPT_VPID_CAP[17].
    using PagingStage2::PagingStage2;
    // The VMCS EPT pointer (SDM vol. 3C 25.6.11): WB structures, 4-level walk, no A/D flags.
    [[nodiscard]] std::uint64_t eptp() const { return paging::make_eptp(root(), false); }
};

}  // namespace hv::vmx
