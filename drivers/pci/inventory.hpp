#pragma once
// The host's PCI functions, found once at boot: through every ECAM window of the MCFG, or through
// the legacy CF8/CFC mechanism (segment 0 only) when there is none. Kernel only.
#include "drivers/acpi/platform.hpp"
#include "drivers/pci/enumerate.hpp"

namespace hv::pci {

// Enumerates and prints one `hv: pci ...` line per function (contract: docs/console.md).
const FunctionList& scan(const acpi::Platform& platform);
const FunctionList& functions();

// The host's configuration space after scan(): ECAM where the MCFG gives it (extended space
// reachable), else configuration mechanism #1. Every access takes one lock, so device assignment
// on several CPUs and the legacy address port never interleave.
ConfigSpace& host_config();

}  // namespace hv::pci
