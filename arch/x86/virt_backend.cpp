#include "arch/x86/virt_backend.hpp"

#include "arch/x86/cpu/cpuid.hpp"
#include "arch/x86/svm/npt.hpp"
#include "arch/x86/svm/svm_vcpu.hpp"
#include "kernel/kmalloc.hpp"

namespace hv::arch {
namespace {

bool gigabyte_pages() { return (x86::cpuid(0x8000'0001).edx & x86::cpuid_bits::kExt1EdxPage1Gb) != 0; }

class SvmBackend final : public vmm::VirtBackend {
public:
    const char* name() const override { return "svm"; }
    Result<void> init_global() override { return svm::init_global(); }
    Result<void> init_this_cpu() override { return svm::init_this_cpu(); }
    Result<vmm::Stage2*> create_stage2() override {
        svm::NestedPageTable* npt = TRY(make<svm::NestedPageTable>(gigabyte_pages()));
        if (auto r = npt->init(); !r) {
            destroy(npt);
            return r.error();
        }
        return static_cast<vmm::Stage2*>(npt);
    }
    void destroy_stage2(vmm::Stage2* s) override {
        s->release();
        destroy(static_cast<svm::NestedPageTable*>(s));
    }
    Result<vmm::Vcpu*> create_vcpu(vmm::Stage2& stage2, std::uint32_t tag) override {
        svm::SvmVcpu* v = TRY(make<svm::SvmVcpu>());
        if (auto r = v->init(stage2.root(), tag); !r) {
            destroy(v);
            return r.error();
        }
        return static_cast<vmm::Vcpu*>(v);
    }
    void destroy_vcpu(vmm::Vcpu* v) override { destroy(static_cast<svm::SvmVcpu*>(v)); }
    std::uint64_t vcpu_bytes() const override { return sizeof(svm::SvmVcpu) + sizeof(svm::Vmcb); }
};

SvmBackend g_svm;

}  // namespace

vmm::VirtBackend* select_backend(x86::VirtKind kind) {
    switch (kind) {
        case x86::VirtKind::kSvm: return &g_svm;
        case x86::VirtKind::kVmx: return nullptr;  // the VMX backend comes with its own issue
        case x86::VirtKind::kNone: break;
    }
    return nullptr;
}

}  // namespace hv::arch
