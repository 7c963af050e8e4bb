#pragma once
// The hardware-virtualization backend as generic code sees it: SVM or VMX, picked once at boot
// from CPUID by arch/x86/virt_backend.cpp (the only file that knows both).
#include <cstdint>

#include "kernel/lib/result.hpp"
#include "vmm/stage2.hpp"
#include "vmm/vcpu.hpp"

namespace hv::vmm {

class VirtBackend {
  public:
    virtual const char* name() const = 0;
    // Once, on the BSP, before any VM exists.
    [[nodiscard]] virtual Result<void> init_global() = 0;
    // On each physical CPU before it runs a vCPU.
    [[nodiscard]] virtual Result<void> init_this_cpu() = 0;
    [[nodiscard]] virtual Result<Stage2*> create_stage2() = 0;
    virtual void destroy_stage2(Stage2* s) = 0;
    // `tag` is the VM's address-space tag (ASID/VPID), nonzero.
    [[nodiscard]] virtual Result<Vcpu*> create_vcpu(Stage2& stage2, std::uint32_t tag) = 0;
    virtual void destroy_vcpu(Vcpu* v) = 0;
    // Hypervisor memory one vCPU costs (object plus control structures), for the overhead report.
    virtual std::uint64_t vcpu_bytes() const = 0;

  protected:
    ~VirtBackend() = default;
};

}  // namespace hv::vmm
