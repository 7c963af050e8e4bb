#include "vmm/vm_manager.hpp"

#include <atomic>

#include "arch/x86/cpu/interrupts.hpp"
#include "arch/x86/cpu/lapic.hpp"
#include "arch/x86/cpu/msr.hpp"
#include "gpu_passthrough/fault_report.hpp"
#include "gpu_passthrough/vm_assignment.hpp"
#include "kernel/cmdline.hpp"
#include "kernel/console.hpp"
#include "kernel/cpu_work.hpp"
#include "kernel/direct_map.hpp"
#include "kernel/kmalloc.hpp"
#include "kernel/percpu.hpp"
#include "kernel/time.hpp"
#include "vmm/manifest/manifest.hpp"
#include "vmm/vm.hpp"

namespace hv::vmm {
namespace {

// How often CPU 0 drains IOMMU fault records while VMs run (10 ms: faults are reported, and an
// on_dma_fault = "stop" VM stopped, within that).
constexpr std::uint64_t kFaultPollUs = 10'000;

manifest::Manifest g_manifest;  // large: static, not on the boot stack
std::atomic<std::uint32_t> g_active_vms{0};
bool g_cpu_ready[kMaxCpus];

struct VcpuTask {
    Vm* vm;
    VirtBackend* backend;
    std::uint32_t index;
};
VcpuTask g_tasks[kMaxCpus];

Bytes module_bytes(const boot::Module& m) {
    return {static_cast<const std::byte*>(phys_to_virt(m.start)), m.end - m.start};
}

// `hv: vm NAME exits cpuid=N io=N ...`: the exit profile since the VM (re)started.
void report_exits(Vm& vm) {
    console::lock();
    Sink& s = console::locked_sink();
    print(s, "hv: vm ", vm.name(), " exits");
    for (unsigned k = 0; k < kExitKindCount; ++k) {
        const std::uint64_t n = vm.exit_count(static_cast<ExitKind>(k));
        if (n != 0) print(s, ' ', exit_kind_name(static_cast<ExitKind>(k)), '=', n);
    }
    s.put('\n');
    console::unlock();
}

void report_stop(Vm& vm) {
    const StopReason reason = vm.stop_reason();
    report_exits(vm);
    console::lock();
    Sink& s = console::locked_sink();
    print(s, "hv: vm ", vm.name(), " stopped reason=", stop_reason_name(reason));
    if (vm.stop_has_code()) print(s, " code=", vm.stop_code());
    s.put('\n');
    console::unlock();
}

// The last vCPU out reports the stop and frees the VM.
void finish(Vm& vm) {
    vm.flush_console();
    report_stop(vm);
    vm.release();
    destroy(&vm);
    g_active_vms.fetch_sub(1);
    kick_cpu(0);
}

void vcpu_thread(void* arg);

// The guest rebooted and its policy is "restart": the last vCPU out (`self`) resets the VM and
// hands the other vCPUs back to their CPUs, which are back in their idle loops or on their way.
bool restart(Vm& vm, std::uint32_t self) {
    vm.flush_console();
    report_exits(vm);
    if (auto r = vm.restart(); !r) {
        log("vm ", vm.name(), " cannot restart: ", r.error().what);
        vm.stop(StopReason::kInternalError);
        return false;
    }
    log("vm ", vm.name(), " restarted after reboot restarts=", vm.restarts());
    vm.begin(vm.vcpu_count());
    for (std::uint32_t v = 0; v < vm.vcpu_count(); ++v) {
        if (v == self) continue;
        const std::uint32_t c = vm.host_cpu(v);
        while (!post_work(c, vcpu_thread, &g_tasks[c])) asm volatile("pause");
    }
    return true;
}

void vcpu_thread(void* arg) {
    VcpuTask& task = *static_cast<VcpuTask*>(arg);
    const std::uint32_t me = this_cpu().index;
    if (!g_cpu_ready[me]) {
        if (auto r = task.backend->init_this_cpu(); !r) {
            log("vm ", task.vm->name(), ": cpu ", me, " cannot run guests: ", r.error().what);
            task.vm->stop(StopReason::kInternalError);
        } else {
            g_cpu_ready[me] = true;
        }
    }
    Vm& vm = *task.vm;
    for (;;) {
        vm.run_vcpu(task.index);
        // Make the VM's other vCPUs leave their guests and notice the stop.
        vm.kick_other_vcpus();
        if (!vm.leave()) return;
        if (!vm.restart_wanted() || !restart(vm, task.index)) {
            finish(vm);
            return;
        }
    }
}

void print_manifest_error(const boot::Module& m, const manifest::ManifestError& e) {
    log("manifest ", m.cmdline, ":", e.line, ": error: ", e.reason());
}

// Physical CPUs for a VM: the manifest's pinning, else the next unused ones (CPU 0 is the
// hypervisor's own).
bool place(const manifest::VmSpec& spec, bool (&used)[kMaxCpus], std::uint32_t cpus,
           std::uint32_t* out) {
    for (std::uint32_t v = 0; v < spec.vcpus; ++v) {
        std::uint32_t c = 0;
        if (spec.cpu_count != 0) {
            c = spec.cpus[v].cpu;
        } else {
            for (c = 1; c < cpus && used[c]; ++c) {
            }
        }
        if (c == 0 || c >= cpus || used[c]) return false;
        used[c] = true;
        out[v] = c;
    }
    return true;
}

}  // namespace

AfterVms run_manifest(const boot::BootInfo& boot, VirtBackend* backend, const HostResources& host) {
    const boot::Module* mod = boot.find_module("manifest");
    if (mod == nullptr) return AfterVms::kUseCmdline;
    if (auto r = manifest::parse_into(module_bytes(*mod), g_manifest); !r) {
        print_manifest_error(*mod, r.error());
        log("no VM started: the manifest is invalid");
        return AfterVms::kUseCmdline;
    }
    StrView names[boot::kMaxModules];
    std::size_t name_count = 0;
    for (const boot::Module& m : boot.modules()) names[name_count++] = module_name(m.cmdline);
    manifest::HostFacts facts;
    facts.modules = std::span<const StrView>(names, name_count);
    facts.memory_mib = host.free_memory_bytes / kMiB;
    facts.cpus = host.cpus;
    if (auto r = manifest::validate(g_manifest, facts); !r) {
        print_manifest_error(*mod, r.error());
        log("no VM started: the manifest is invalid");
        return AfterVms::kUseCmdline;
    }
    const AfterVms after = g_manifest.host.on_all_stopped_line == 0 ? AfterVms::kUseCmdline
                           : g_manifest.host.on_all_stopped == manifest::OnAllStopped::kPoweroff
                               ? AfterVms::kPowerOff
                               : AfterVms::kHalt;
    if (backend == nullptr) {
        log("no VM started: this CPU has no usable hardware virtualization");
        return after;
    }

    // Create every VM before starting any, so that a VM that cannot be built does not leave
    // others half-started on a machine that is short of memory.
    static Vm* vms[manifest::kMaxVms];
    bool used[kMaxCpus] = {};
    std::uint32_t vm_count = 0;
    for (const manifest::VmSpec& spec : g_manifest.vm_list()) {
        VmConfig cfg{};
        cfg.name = spec.name.view();
        cfg.vcpus = spec.vcpus;
        cfg.memory_bytes = spec.memory_mib * kMiB;
        cfg.cmdline = spec.cmdline.view();
        cfg.restart_on_reboot = spec.on_reboot == manifest::OnReboot::kRestart;
        cfg.kernel = module_bytes(*boot.find_module(spec.kernel.view()));
        if (!spec.initrd.empty()) {
            cfg.initrd = module_bytes(*boot.find_module(spec.initrd.view()));
            cfg.initrd_name = spec.initrd.view();
        }
        if (!place(spec, used, host.cpus, cfg.host_cpus)) {
            log("vm ", cfg.name, " not started: no free CPU for each of its ", spec.vcpus,
                " vCPUs");
            continue;
        }
        auto vm = make<Vm>();
        if (!vm) {
            log("vm ", cfg.name, " not started: ", vm.error().what);
            continue;
        }
        if (auto r = vm.value()->create(cfg, *backend, vm_count); !r) {
            log("vm ", cfg.name, " not started: ", r.error().what);
            vm.value()->release();
            destroy(vm.value());
            continue;
        }
        if (spec.device_count != 0) {
            pci::Bdf bdfs[manifest::kMaxDevicesPerVm];
            for (std::uint32_t d = 0; d < spec.device_count; ++d) bdfs[d] = spec.devices[d].bdf;
            const auto policy = spec.on_dma_fault == manifest::OnDmaFault::kReport
                                    ? passthrough::DmaFaultPolicy::kReport
                                    : passthrough::DmaFaultPolicy::kStop;
            if (auto r = passthrough::VmAssignment::assign(
                    *vm.value(), std::span<const pci::Bdf>(bdfs, spec.device_count), policy);
                !r) {
                log("vm ", cfg.name, " not started: ", r.error().what);
                vm.value()->release();
                destroy(vm.value());
                continue;
            }
        }
        vms[vm_count++] = vm.value();
    }

    g_active_vms.store(vm_count);
    for (std::uint32_t i = 0; i < vm_count; ++i) {
        Vm& vm = *vms[i];
        log("vm ", vm.name(), " started vcpus=", vm.vcpu_count(),
            " memory_mib=", vm.memory().size() / kMiB, " devices=", vm.device_count());
        log("vm ", vm.name(), " overhead hypervisor_bytes=", vm.overhead_bytes(),
            " page_table_bytes=", vm.stage2().table_bytes(),
            " backing_1g=", vm.memory().gigabyte_blocks(),
            " backing_2m=", vm.memory().two_megabyte_blocks(), " tsc_at_start=", x86::rdtsc(),
            " device_bytes=", vm.devices() != nullptr ? vm.devices()->bytes() : 0,
            " iommu_table_bytes=", vm.devices() != nullptr ? vm.devices()->iommu_table_bytes() : 0);
        vm.begin(vm.vcpu_count());
        for (std::uint32_t v = 0; v < vm.vcpu_count(); ++v) {
            const std::uint32_t c = vm.host_cpu(v);
            g_tasks[c] = VcpuTask{&vm, backend, v};
            if (!post_work(c, vcpu_thread, &g_tasks[c])) {
                log("vm ", vm.name(), ": cpu ", c, " is busy");
                vm.stop(StopReason::kInternalError);
                if (vm.leave()) finish(vm);
            }
        }
    }
    // Sleep until the last VM is gone; each stop kicks this CPU. DMA faults need no guest exit
    // to be seen: the IOMMU's fault records are drained here at least every kFaultPollUs.
    for (;;) {
        asm volatile("cli" ::: "memory");
        if (g_active_vms.load() == 0) break;
        passthrough::poll_iommu_faults();
        x86::lapic::timer_start_oneshot(
            static_cast<std::uint32_t>(time::lapic_timer_hz() * kFaultPollUs / 1'000'000),
            static_cast<std::uint8_t>(x86::Vector::kLapicTimer), false);
        asm volatile("sti; hlt" ::: "memory");
    }
    x86::lapic::timer_stop();
    return after;
}

}  // namespace hv::vmm
