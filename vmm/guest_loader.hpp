#pragma once
// Puts a guest kernel into a VM's memory and says how its boot vCPU starts. The kernel's format
// is detected from its headers (vmm/loader/kernel_format.hpp).
#include "kernel/lib/bytes.hpp"
#include "kernel/lib/str.hpp"
#include "vmm/guest_state.hpp"
#include "vmm/loader/guest_ram.hpp"
#include "vmm/loader/linux_boot.hpp"
#include "vmm/loader/load_error.hpp"

namespace hv::vmm {

struct KernelImages {
    Bytes kernel;
    Bytes initrd;  // empty: none
    StrView initrd_name;
    StrView cmdline;
    std::uint64_t acpi_rsdp_gpa = 0;  // the VM's ACPI tables, for guests that take them (Linux)
    std::uint64_t tsc_khz = 0;        // the TSC's rate, told to Linux guests (see load_kernel)
};

// Longest Linux command line after the hypervisor's additions.
inline constexpr std::size_t kMaxLinuxCmdline = 4096;

enum class GuestKind : std::uint8_t { kMultiboot, kLinux };

struct LoadedKernel {
    GuestKind kind;
    InitialState boot_state;  // the boot vCPU's state; application processors wait for SIPI
};

// A Linux guest's command line gets `tsc_early_khz=N` (the TSC rate) appended unless it sets it
// already: Linux reads the TSC rate from CPUID 15h only on Intel CPUs and otherwise calibrates
// against the PIT, which is slow and unreliable under virtualization.
[[nodiscard]] loader::LoadResult<LoadedKernel> load_kernel(loader::GuestRam& ram,
                                                           const KernelImages& images);

// True if `cmdline` has a token `name` or `name=...`.
[[nodiscard]] bool has_parameter(StrView cmdline, StrView name);

// The 64-bit Linux boot protocol's entry state for `load` (Documentation/arch/x86/boot.rst,
// "64-bit Boot Protocol"): long mode with paging on, an identity map of all RAM below 4 GiB in
// 2 MiB pages, a GDT with flat __BOOT_CS (0x10) and __BOOT_DS (0x18), interrupts off,
// RSI = boot_params. The page tables and the GDT are written into the boot scratch area
// (vmm/loader/guest_layout.hpp):
//
//   0x1000 PML4 -> 0x2000 PDPT -> 0x3000.. one page directory per GiB of RAM below 4 GiB (<= 3)
//   0x6000 GDT: null, null, __BOOT_CS, __BOOT_DS
[[nodiscard]] loader::LoadResult<InitialState> linux_entry_state(loader::GuestRam& ram,
                                                                 const loader::LinuxLoad& load);

}  // namespace hv::vmm
