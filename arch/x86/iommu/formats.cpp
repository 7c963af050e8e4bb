// Compile-time checks that the IOMMU page-table formats fit the page-table engine and encode
// what the specs say; built into the kernel and the host tests.
#include "arch/x86/iommu/amdvi/page_table_format.hpp"
#include "arch/x86/iommu/vtd/page_table_format.hpp"
#include "arch/x86/paging/page_table.hpp"

namespace hv::iommu {
namespace {

static_assert(paging::PageTableFormat<vtd::SlFormat4>);
static_assert(paging::PageTableFormat<vtd::SlFormat4Snoop>);
static_assert(paging::PageTableFormat<vtd::SlFormat3>);
static_assert(paging::PageTableFormat<amdvi::IoPageTableFormat>);

constexpr paging::Attributes kRw{.read = true, .write = true};

// VT-d spec 9.8: a read/write SL-PTE is R | W; a 2 MiB SL-PDE adds PS (bit 7); SNP is bit 11.
static_assert(vtd::SlFormat4::make_leaf(HostPhys(0x1000), 0, kRw) == 0x1003);
static_assert(vtd::SlFormat4::make_leaf(HostPhys(0x200000), 1, kRw) == 0x200083);
static_assert(vtd::SlFormat4Snoop::make_leaf(HostPhys(0x1000), 0, kRw) == 0x1803);
static_assert(vtd::SlFormat4::make_table(HostPhys(0x5000)) == 0x5003);
// AMD IOMMU spec 2.2.3: a PTE is PR | FC (60) | IR (61) | IW (62) with Next Level 0; a PDE
// linking a level-1 table has Next Level 1 (bits 11:9).
static_assert(amdvi::IoPageTableFormat::make_leaf(HostPhys(0x1000), 0, kRw) ==
              0x7000000000001001ull);
static_assert(amdvi::IoPageTableFormat::make_table(HostPhys(0x5000), 1) == 0x6000000000005201ull);

}  // namespace
}  // namespace hv::iommu
