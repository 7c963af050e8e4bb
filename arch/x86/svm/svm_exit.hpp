#pragma once
// Decoding a #VMEXIT into the neutral vmm::Exit (AMD APM vol. 2 15.6, appendix C). Pure: reads
// only the VMCB control area it is given, so it is unit-tested against byte-level VMCBs.
#include <cstdint>

#include "arch/x86/svm/vmcb.hpp"
#include "vmm/exit.hpp"

namespace hv::svm {

// `rip` is the guest RIP at the exit; `nrip_valid` says the CPU fills next_rip (CPUID
// 8000_000Ah EDX bit 3, NRIPS).
vmm::Exit decode_exit(const VmcbControl& control, std::uint64_t rip, bool nrip_valid);

}  // namespace hv::svm
