#include "arch/x86/vmx/ept.hpp"

namespace hv::vmx {

Result<void> ExtendedPageTable::map_ram(GuestPhys gpa, HostPhys hpa, std::uint64_t size) {
    constexpr paging::Attributes kGuestRam{.read = true,
                                           .write = true,
                                           .execute = true,
                                           .user = false,
                                           .global = false,
                                           .cache = paging::CacheType::kWriteBack};
    return table_.map(gpa.raw(), hpa, size, kGuestRam);
}

Optional<vmm::Stage2Mapping> ExtendedPageTable::lookup(GuestPhys gpa) const {
    auto t = table_.lookup(gpa.raw());
    if (!t) return kNone;
    return vmm::Stage2Mapping{t->pa, t->page_size, t->attrs.write};
}

}  // namespace hv::vmx
