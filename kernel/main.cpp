// The boot sequence of the hypervisor, BSP side:
//   console -> CPU tables -> boot information -> memory -> ACPI -> LAPIC + time -> APs
//   -> virtualization and IOMMU detection -> PCI -> ready -> VMs (none yet) -> on_all_stopped.
#include <cstdint>

#include "arch/x86/cpu/cpuid.hpp"
#include "arch/x86/cpu/descriptors.hpp"
#include "arch/x86/cpu/lapic.hpp"
#include "arch/x86/cpu/msr.hpp"
#include "arch/x86/cpu/virt_support.hpp"
#include "arch/x86/virt_backend.hpp"
#include "boot/multiboot_info.hpp"
#include "drivers/acpi/platform.hpp"
#include "drivers/pci/inventory.hpp"
#include "gpu_passthrough/dma_canary.hpp"
#include "gpu_passthrough/edu_dma_bench.hpp"
#include "gpu_passthrough/inventory_report.hpp"
#include "gpu_passthrough/iommu_bench.hpp"
#include "gpu_passthrough/iommu_select.hpp"
#include "gpu_passthrough/iommu_selftest.hpp"
#include "kernel/cmdline.hpp"
#include "kernel/console.hpp"
#include "kernel/cpu_work.hpp"
#include "kernel/direct_map.hpp"
#include "kernel/kernel_memory.hpp"
#include "kernel/kmalloc.hpp"
#include "kernel/mmio.hpp"
#include "kernel/panic.hpp"
#include "kernel/percpu.hpp"
#include "kernel/smp.hpp"
#include "kernel/time.hpp"
#include "vmm/vm_manager.hpp"

namespace hv {
void run_global_constructors();

namespace {

boot::BootInfo g_boot_info;

// The xAPIC register page is 4 KiB (Intel SDM vol. 3A 12.4.1).
constexpr std::uint64_t kLapicMmioSize = 4096;
// VM, vCPU and device objects; guest RAM and page tables come from the frame allocator.
constexpr std::uint64_t kObjectHeapBytes = 8 * kMiB;

enum class WhenIdle : std::uint8_t { kHalt, kPowerOff };

WhenIdle parse_on_all_stopped(StrView cmdline) {
    auto v = cmdline_value(cmdline, "on_all_stopped");
    if (!v) return WhenIdle::kHalt;
    if (*v == StrView("poweroff")) return WhenIdle::kPowerOff;
    if (*v != StrView("halt")) log("ignoring on_all_stopped=", *v, " (expected poweroff or halt)");
    return WhenIdle::kHalt;
}

// `edu_dma_bench=N`: N edu DMA round trips (each ~200 ms of QEMU's virtual clock); 0 when absent
// or not a number in range.
std::uint32_t parse_edu_dma_bench(StrView cmdline) {
    constexpr std::uint32_t kMaxRoundTrips = 10'000;
    auto v = cmdline_value(cmdline, "edu_dma_bench");
    if (!v) return 0;
    const auto n = parse_cmdline_number(*v);
    if (n && *n >= 1 && *n <= kMaxRoundTrips) return static_cast<std::uint32_t>(*n);
    log("ignoring edu_dma_bench=", *v, " (expected 1 to ", kMaxRoundTrips, " round trips)");
    return 0;
}

[[noreturn]] void idle_forever() {
    for (;;) asm volatile("sti; hlt; cli" ::: "memory");
}

}  // namespace
}  // namespace hv

extern "C" [[noreturn]] void kernel_main(std::uint32_t magic, std::uint32_t info_phys) {
    using namespace hv;
    const std::uint64_t tsc_at_entry = x86::rdtsc();
    run_global_constructors();
    console::init();
    x86::init_idt();
    init_this_cpu(0, x86::lapic::current_id());

    if ((x86::cpuid(1).edx & x86::cpuid_bits::kLeaf1EdxApic) == 0) {
        panic("cpu lacks a local APIC (CPUID.1:EDX.APIC=0)");
    }

    DirectMapReader mem;
    if (auto r = boot::parse_boot_info(magic, info_phys, mem, g_boot_info); !r) {
        panic("no usable boot information: ", r.error().what, " (magic=0x", Hex{magic}, ")");
    }
    const boot::BootInfo& boot = g_boot_info;
    log("boot ", magic == boot::kMultiboot2Magic ? "multiboot2" : "multiboot1",
        boot.efi ? " uefi" : " bios", " loader=\"", boot.loader_name, "\" cmdline=\"", boot.cmdline,
        "\"");
    const WhenIdle when_idle = parse_on_all_stopped(boot.cmdline);
    // Boot tests check that a fault inside the hypervisor produces a readable panic.
    if (cmdline_value(boot.cmdline, "fault_test").value_or("") == StrView("page-fault")) {
        constexpr std::uint64_t kUnmapped = 0x4000'0000'0000;  // canonical (< 2^47), never mapped
        *reinterpret_cast<volatile std::uint64_t*>(kUnmapped) = 1;
    }

    auto memory = memory::init(boot);
    if (!memory) panic("memory setup failed: ", memory.error().what);
    if (auto r = kmalloc_init(kObjectHeapBytes); !r) panic("object heap: ", r.error().what);
    // The boot information's strings pointed into the boot identity map, which is gone: read it
    // again through the direct map (same bytes, new addresses).
    if (auto r = boot::parse_boot_info(magic, info_phys, mem, g_boot_info); !r) {
        panic("boot information unreadable after the switch to the kernel page tables: ",
              r.error().what);
    }

    auto platform_result = acpi::discover(boot, mem);
    if (!platform_result) panic("no ACPI tables: ", platform_result.error().what);
    const acpi::Platform& platform = *platform_result.value();

    auto lapic_mmio = mmio_map(HostPhys(platform.madt.local_apic_base), kLapicMmioSize);
    if (!lapic_mmio) panic("cannot map the local APIC: ", lapic_mmio.error().what);
    x86::lapic::init_bsp(lapic_mmio.value());
    x86::lapic::init_this_cpu();
    init_cpu_work();

    std::uint16_t pm_timer = 0;
    if (platform.have_fadt) {
        if (auto port = acpi::io_port(platform.fadt.pm_timer)) pm_timer = *port;
    }
    const time::Calibration clock =
        time::calibrate(pm_timer, platform.have_fadt && platform.fadt.timer_32bit());
    log("time tsc_mhz=", clock.tsc_hz / 1'000'000, " lapic_timer_khz=", clock.lapic_timer_hz / 1000,
        " reference=", clock.reference);

    const acpi::UsableCpus cpus = acpi::usable_cpus(platform.madt);
    const smp::StartResult smp = smp::start_aps(
        cpus.apic_ids.view(), memory.value().trampoline_page, memory.value().kernel_cr3);
    if (smp.dropped != 0)
        log("smp: ", smp.dropped, " CPUs beyond the supported ", kMaxCpus, " left offline");

    const x86::VirtSupport virt = x86::classify_virt_support(x86::probe_virt_inputs());
    if (virt.kind == x86::VirtKind::kNone) log("virt: unavailable: ", virt.reason);
    vmm::VirtBackend* backend = arch::select_backend(virt.kind);
    if (backend != nullptr) {
        if (auto r = backend->init_global(); !r) {
            log("virt: ", backend->name(), " set-up failed: ", r.error().what);
            backend = nullptr;
        }
    }

    pci::scan(platform);
    passthrough::Iommu* iommu = passthrough::init_iommu(platform);
    passthrough::report_assignable(iommu);
    if (cmdline_flag(boot.cmdline, "iommu_selftest")) passthrough::run_iommu_selftest(iommu);
    if (cmdline_flag(boot.cmdline, "iommu_bench")) passthrough::run_iommu_bench(iommu);
    if (const std::uint32_t n = parse_edu_dma_bench(boot.cmdline); n != 0)
        passthrough::run_edu_dma_bench(iommu, n);
    passthrough::arm_dma_canary(boot.cmdline);

    log("ready cpus=", online_cpu_count(), " mem_mib=", memory.value().usable_bytes / kMiB,
        " virt=", x86::virt_name(virt.kind), " iommu=", iommu != nullptr ? iommu->name() : "none");
    // Under QEMU -icount shift=0 the TSC counts instructions since power-on (firmware and loader
    // included), which makes this a deterministic boot-cost figure.
    log("boot tsc_at_entry=", tsc_at_entry, " tsc_at_ready=", x86::rdtsc());

    const vmm::AfterVms after = vmm::run_manifest(
        boot, backend, vmm::HostResources{memory::free_bytes(), online_cpu_count()});
    passthrough::check_dma_canary();
    log("all vms stopped");
    const WhenIdle policy = after == vmm::AfterVms::kPowerOff ? WhenIdle::kPowerOff
                            : after == vmm::AfterVms::kHalt   ? WhenIdle::kHalt
                                                              : when_idle;
    if (policy == WhenIdle::kPowerOff) {
        acpi::power_off(platform);
        panic("power-off failed; halting");
    }
    idle_forever();
}
