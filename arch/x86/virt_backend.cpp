#include "arch/x86/virt_backend.hpp"

#include "arch/x86/cpu/cpuid.hpp"
#include "arch/x86/svm/npt.hpp"
#include "arch/x86/svm/svm_vcpu.hpp"
#include "arch/x86/vmx/ept.hpp"
#include "arch/x86/vmx/vmx_vcpu.hpp"
#include "kernel/kmalloc.hpp"

namespace hv::arch {
namespace {

bool gigabyte_pages() {
    return (x86::cpuid(0x8000'0001).edx & x86::cpuid_bits::kExt1EdxPage1Gb) != 0;
}

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

class VmxBackend final : public vmm::VirtBackend {
  public:
    const char* name() const override { return "vmx"; }
    Result<void> init_global() override { return vmx::init_global(); }
    Result<void> init_this_cpu() override { return vmx::init_this_cpu(); }
    Result<vmm::Stage2*> create_stage2() override {
        vmx::ExtendedPageTable* ept = TRY(make<vmx::ExtendedPageTable>(vmx::ept_gigabyte_pages()));
        if (auto r = ept->init(); !r) {
            destroy(ept);
            return r.error();
        }
        return static_cast<vmm::Stage2*>(ept);
    }
    void destroy_stage2(vmm::Stage2* s) override {
        s->release();
        destroy(static_cast<vmx::ExtendedPageTable*>(s));
    }
    Result<vmm::Vcpu*> create_vcpu(vmm::Stage2& stage2, std::uint32_t tag) override {
        // Every Stage2 this backend hands out is an EPT (create_stage2 above).
        const std::uint64_t eptp = static_cast<vmx::ExtendedPageTable&>(stage2).eptp();
        if (tag == 0 || tag > 0xFFFF) return make_error(Errc::kInvalid, "VPID out of range");
        vmx::VmxVcpu* v = TRY(make<vmx::VmxVcpu>());
        if (auto r = v->init(eptp, static_cast<std::uint16_t>(tag)); !r) {
            v->release();
            destroy(v);
            return r.error();
        }
        return static_cast<vmm::Vcpu*>(v);
    }
    void destroy_vcpu(vmm::Vcpu* v) override {
        auto* vcpu = static_cast<vmx::VmxVcpu*>(v);
        vcpu->release();
        destroy(vcpu);
    }
    // The VmxVcpu object plus its VMCS page (SDM vol. 3C 25.2: one 4 KiB region).
    std::uint64_t vcpu_bytes() const override { return sizeof(vmx::VmxVcpu) + kPageSize; }
};

SvmBackend g_svm;
VmxBackend g_vmx;

}  // namespace

vmm::VirtBackend* select_backend(x86::VirtKind kind) {
    switch (kind) {
        case x86::VirtKind::kSvm:
            return &g_svm;
        case x86::VirtKind::kVmx:
            return &g_vmx;
        case x86::VirtKind::kNone:
            break;
    }
    return nullptr;
}

}  // namespace hv::arch
