#pragma once
// AMD nested page tables (APM vol. 2 15.25): the host-paging format with every guest access
// treated as a user access, so each level grants U/S (15.25.5).
#include "arch/x86/paging/hpt_format.hpp"
#include "arch/x86/paging/paging_stage2.hpp"

namespace hv::svm {

class NestedPageTable final : public paging::PagingStage2<paging::HptFormat, /*user=*/true> {
  public:
    using PagingStage2::PagingStage2;
};

}  // namespace hv::svm
