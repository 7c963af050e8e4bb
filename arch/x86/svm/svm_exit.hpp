#pragma once
// Decoding a #VMEXIT into the neutral vmm::Exit (AMD APM vol. 2 15.6, appendix C). Pure: reads
// only the VMCB control area it is given, so it is unit-tested against byte-level VMCBs.
#include <cstdint>

#include "arch/x86/svm/vmcb.hpp"
#include "vmm/exit.hpp"

namespace hv::svm {

// `rip` is the guest RIP at the exit; `nrip_valid` says the CPU fills next_rip (CPUID
// 8000_000Ah EDX bit 3, NRIPS). Writes `out` in place: this runs on every exit. `raw_name` is
// filled only for the kinds whose handling logs it (invalid entry, unhandled).
void decode_exit(const VmcbControl& control, std::uint64_t rip, bool nrip_valid, vmm::Exit& out);

}  // namespace hv::svm
