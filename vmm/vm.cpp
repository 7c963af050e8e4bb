#include "vmm/vm.hpp"

#include "arch/x86/cpu/control_regs.hpp"
#include "arch/x86/cpu/lapic.hpp"
#include "arch/x86/cpu/msr.hpp"
#include "kernel/console.hpp"
#include "kernel/direct_map.hpp"
#include "kernel/time.hpp"
#include "kernel/wall_clock.hpp"
#include "vmm/guest_loader.hpp"
#include "vmm/platform/acpi_tables.hpp"

namespace hv::vmm {

const char* stop_reason_name(StopReason r) {
    switch (r) {
        case StopReason::kNone:
            return "none";
        case StopReason::kPoweroff:
            return "poweroff";
        case StopReason::kReboot:
            return "reboot";
        case StopReason::kTripleFault:
            return "triple-fault";
        case StopReason::kMemoryViolation:
            return "memory-violation";
        case StopReason::kInvalidState:
            return "invalid-state";
        case StopReason::kUnhandledExit:
            return "unhandled-exit";
        case StopReason::kHalted:
            return "halted";
        case StopReason::kKilled:
            return "killed";
        case StopReason::kInternalError:
            return "internal-error";
        case StopReason::kDmaFault:
            return "dma-fault";
    }
    return "?";
}

std::uint64_t TscClock::now() const { return x86::rdtsc(); }
std::uint64_t TscClock::hz() const { return time::tsc_hz(); }

Vm::Vm() : platform_(*this, *this, clock_, time::wall_clock_now()) {}

Result<std::uint64_t> Vm::build_platform() {
    // The I/O APIC's ID follows the vCPUs' APIC IDs 0..n-1 (the MADT wants them distinct).
    const auto ioapic_id = static_cast<std::uint8_t>(vcpu_count_);
    platform_.reset(ioapic_id, memory_.ram_top_below_4g(), memory_.ram_above_4g());
    const std::span<std::byte> area =
        memory_.bytes(platform::kAcpiTablesBase, platform::kAcpiTablesSize);
    if (area.size() != platform::kAcpiTablesSize)
        return make_error(Errc::kInvalid, "no guest RAM for the ACPI tables");
    const platform::GuestAcpiConfig acpi{vcpu_count_, ioapic_id, platform::kPciMmio64Base,
                                         platform::kPciMmio64Size};
    const GuestPhys rsdp = TRY(platform::build_acpi_tables(acpi, area));
    return rsdp.raw();
}

Result<void> Vm::create(const VmConfig& config, VirtBackend& backend, std::uint32_t slot) {
    name_len_ = static_cast<std::uint32_t>(config.name.size() < kMaxNameLength ? config.name.size()
                                                                               : kMaxNameLength);
    __builtin_memcpy(name_, config.name.data(), name_len_);
    if (config.vcpus == 0 || config.vcpus > kMaxVcpusPerVm)
        return make_error(Errc::kInvalid, "vcpus out of range");
    backend_ = &backend;
    config_ = config;
    config_.name = name();
    memory_mib_ = config.memory_bytes / kMiB;
    stage2_ = TRY(backend.create_stage2());
    TRY(memory_.create(config.memory_bytes, *stage2_, kGuestWindowBase + slot * kGuestWindowSize));
    for (std::uint32_t i = 0; i < config.vcpus; ++i) {
        // The tag (ASID) is the VM slot + 1: unique among VMs, shared by a VM's vCPUs, which run
        // on different physical CPUs and so never share a TLB.
        vcpus_[i] = TRY(backend.create_vcpu(*stage2_, slot + 1));
        host_cpus_[i] = config.host_cpus[i];
        lapics_[i].reset(i, time::tsc_hz(), this);
        ++vcpu_count_;
    }
    TRY(load_guest(config));
    return {};
}

Result<void> Vm::restart() {
    ++restarts_;
    stop_code_ = 0;
    stop_has_code_ = false;
    platform_.flush_console();
    for (auto& e : exits_) e.store(0);
    // Devices first: a function still doing DMA must not write into RAM after it is zeroed.
    if (devices_ != nullptr) devices_->on_restart();
    memory_.zero();
    for (std::uint32_t i = 0; i < vcpu_count_; ++i) {
        lapics_[i].reset(i, time::tsc_hz(), this);
        halted_[i] = false;
        vcpus_[i]->request_interrupt_window(false);
        vcpus_[i]->set_tsc_offset(0);
    }
    TRY(load_guest(config_));
    stop_reason_.store(StopReason::kNone, std::memory_order_release);
    return {};
}

void Vm::release() {
    // Before the RAM goes back to the allocator: the devices stop DMA and leave the domain.
    if (devices_ != nullptr) devices_->on_release();
    devices_ = nullptr;
    for (std::uint32_t i = 0; i < vcpu_count_; ++i) backend_->destroy_vcpu(vcpus_[i]);
    vcpu_count_ = 0;
    memory_.release();
    if (stage2_) backend_->destroy_stage2(stage2_);
    stage2_ = nullptr;
}

Result<void> Vm::load_guest(const VmConfig& config) {
    const std::uint64_t rsdp = TRY(build_platform());
    const KernelImages images{config.kernel,  config.initrd, config.initrd_name,
                              config.cmdline, rsdp,          time::tsc_hz() / 1000};
    auto boot = load_kernel(memory_, images);
    if (!boot) {
        log("vm ", name(), " cannot load its kernel: ", boot.error().reason());
        return make_error(Errc::kInvalid, "guest kernel could not be loaded");
    }
    vcpus_[0]->load_state(boot.value().boot_state);
    // Application processors wait for INIT and a start-up IPI from the boot vCPU, as on a PC
    // after firmware (SDM vol. 3A 10.4.1).
    for (std::uint32_t i = 1; i < vcpu_count_; ++i) {
        wait_for_sipi_[i] = true;
        sipi_vector_[i] = -1;
    }
    return {};
}

void Vm::request(Request r, std::uint32_t code, bool has_code) {
    stop(r == Request::kPowerOff ? StopReason::kPoweroff : StopReason::kReboot, code, has_code);
}

void Vm::console_line(const char* text, std::uint32_t len) {
    console::lock();
    Sink& s = console::locked_sink();
    s.put('[');
    format_to(s, name());
    s.write("] ");
    s.write(text, len);
    s.put('\n');
    console::unlock();
}

bool Vm::console_write(std::uint64_t gpa, std::uint64_t len) {
    const std::span<std::byte> text = memory_.bytes(gpa, len);
    if (text.size() != len) return false;
    for (std::byte b : text) platform_.console_write(static_cast<std::uint8_t>(b));
    return true;
}

HypercallEnv::Backing Vm::memory_info(std::uint64_t gpa) {
    if (!memory_.is_ram(gpa)) return {0, false};
    auto m = stage2_->lookup(GuestPhys(gpa));
    return {m ? m->page_size : 0, true};
}

void Vm::stop(StopReason reason, std::uint32_t code, bool has_code) {
    StopReason expected = StopReason::kNone;
    if (stop_reason_.compare_exchange_strong(expected, reason)) {
        stop_code_ = code;
        stop_has_code_ = has_code;
    }
}

}  // namespace hv::vmm
