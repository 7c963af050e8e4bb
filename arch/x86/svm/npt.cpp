#include "arch/x86/svm/npt.hpp"

namespace hv::svm {

Result<void> NestedPageTable::map_ram(GuestPhys gpa, HostPhys hpa, std::uint64_t size) {
    constexpr paging::Attributes kGuestRam{.read = true,
                                           .write = true,
                                           .execute = true,
                                           .user = true,
                                           .global = false,
                                           .cache = paging::CacheType::kWriteBack};
    return table_.map(gpa.raw(), hpa, size, kGuestRam);
}

Optional<vmm::Stage2Mapping> NestedPageTable::lookup(GuestPhys gpa) const {
    auto t = table_.lookup(gpa.raw());
    if (!t) return kNone;
    return vmm::Stage2Mapping{t->pa, t->page_size, t->attrs.write};
}

}  // namespace hv::svm
