// Compile-time checks that every format fits the engine and encodes what the manuals say; built
// into the kernel and the host tests so a format change that breaks either fails the build.
#include "arch/x86/paging/ept_format.hpp"
#include "arch/x86/paging/hpt_format.hpp"
#include "arch/x86/paging/page_table.hpp"

namespace hv::paging {
namespace {

static_assert(PageTableFormat<HptFormat>);
static_assert(PageTableFormat<EptFormat>);

constexpr Attributes kRwx{.read = true, .write = true, .execute = true};

// SDM vol. 3A, table 4-19: a PTE for a writable, executable WB page is P | RW.
static_assert(HptFormat::make_leaf(HostPhys(0x1000), 0, kRwx) == 0x1003);
// Table 4-17: a 2 MiB PDE adds PS (bit 7).
static_assert(HptFormat::make_leaf(HostPhys(0x200000), 1, kRwx) == 0x200083);
// SDM vol. 3C, sec 29.3.2: a 4 KiB EPT PTE with RWX and memory type WB (6) in bits 5:3.
static_assert(EptFormat::make_leaf(HostPhys(0x1000), 0, kRwx) == 0x1037);
static_assert(EptFormat::make_table(HostPhys(0x5000)) == 0x5007);

}  // namespace
}  // namespace hv::paging
