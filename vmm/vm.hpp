#pragma once
// A virtual machine: guest memory and its stage-2 tables, vCPUs, device models, and its life
// (created -> running -> stopping -> stopped). Generic: the hardware is behind Vcpu/Stage2.
#include <atomic>
#include <cstdint>

#include "kernel/lib/bytes.hpp"
#include "kernel/lib/result.hpp"
#include "kernel/lib/str.hpp"
#include "vmm/devices/apic_message.hpp"
#include "vmm/devices/clock.hpp"
#include "vmm/devices/device.hpp"
#include "vmm/devices/lapic.hpp"
#include "vmm/exit.hpp"
#include "vmm/guest_memory.hpp"
#include "vmm/hypercall.hpp"
#include "vmm/platform/virtual_platform.hpp"
#include "vmm/stage2.hpp"
#include "vmm/vcpu.hpp"
#include "vmm/virt_backend.hpp"

namespace hv::vmm {

inline constexpr std::uint32_t kMaxVcpusPerVm = 15;  // APIC IDs 0-14; the I/O APIC's ID follows
inline constexpr std::uint32_t kMaxNameLength = 31;

enum class StopReason : std::uint8_t {
    kNone,
    kPoweroff,
    kReboot,
    kTripleFault,
    kMemoryViolation,
    kInvalidState,
    kUnhandledExit,
    kHalted,
    kKilled,
    kInternalError,
    kDmaFault,  // an assigned device's DMA faulted and the VM's on_dma_fault is "stop"
};
[[nodiscard]] const char* stop_reason_name(StopReason r);

struct VmConfig {
    StrView name;
    std::uint32_t vcpus;
    std::uint64_t memory_bytes;
    Bytes kernel;
    Bytes initrd;
    StrView initrd_name;
    StrView cmdline;
    std::uint32_t host_cpus[kMaxVcpusPerVm];  // physical CPU of each vCPU
    bool restart_on_reboot;                   // manifest on_reboot = "restart"
};

// The PCI functions assigned to a VM (gpu_passthrough/ implements it): the VM tells them about
// its life. Both calls come while none of the VM's vCPUs runs.
class VmDevices {
  public:
    // The guest rebooted and the VM restarts: reset the functions and the guest's view of them.
    virtual void on_restart() = 0;
    // The VM is being released: quiesce and reset the functions and take them back.
    virtual void on_release() = 0;
    [[nodiscard]] virtual std::uint32_t count() const = 0;
    // Hypervisor memory the assignment costs (objects, guest MSI-X tables) and the bytes of the
    // VM's IOMMU page tables, for the overhead line.
    [[nodiscard]] virtual std::uint64_t bytes() const = 0;
    [[nodiscard]] virtual std::uint64_t iommu_table_bytes() const = 0;

  protected:
    ~VmDevices() = default;
};

// The host TSC as device models' clock.
class TscClock final : public Clock {
  public:
    [[nodiscard]] std::uint64_t now() const override;
    [[nodiscard]] std::uint64_t hz() const override;
};

class Vm final : public VmControl, public HypercallEnv, public ApicBus {
  public:
    Vm();
    // Builds everything (memory, tables, vCPUs, devices) and loads the guest; nothing runs yet.
    [[nodiscard]] Result<void> create(const VmConfig& config, VirtBackend& backend,
                                      std::uint32_t slot);
    void release();
    // After a guest reboot (all vCPUs out): RAM zeroed, images loaded again, vCPUs and devices
    // reset as after power-on, except the CMOS RAM, which survives as on a PC.
    [[nodiscard]] Result<void> restart();
    [[nodiscard]] bool restart_wanted() const {
        return stop_reason() == StopReason::kReboot && config_.restart_on_reboot;
    }
    [[nodiscard]] std::uint32_t restarts() const { return restarts_; }

    // VmControl
    void request(Request r, std::uint32_t code, bool has_code) override;
    void console_line(const char* text, std::uint32_t len) override;

    // ApicBus: IPIs from a local APIC's ICR, interrupts from the I/O APIC.
    void deliver(const ApicMessage& m, std::uint32_t source) override;
    void level_eoi(std::uint8_t vector) override;

    // HypercallEnv
    bool console_write(std::uint64_t gpa, std::uint64_t len) override;
    Backing memory_info(std::uint64_t gpa) override;
    void poweroff(std::uint32_t code) override { stop(StopReason::kPoweroff, code, true); }
    std::uint32_t vcpu_count() const override { return vcpu_count_; }

    // First caller wins; the other vCPUs are kicked out of the guest by the caller's manager.
    void stop(StopReason reason, std::uint32_t code = 0, bool has_code = false);
    // Interrupts every physical CPU running one of this VM's vCPUs except the calling CPU, so
    // that a vCPU in its guest or asleep comes back to its run loop (a stop, a flush).
    void kick_other_vcpus() const;
    [[nodiscard]] bool stopping() const {
        return stop_reason_.load(std::memory_order_acquire) != StopReason::kNone;
    }
    [[nodiscard]] StopReason stop_reason() const { return stop_reason_.load(); }
    [[nodiscard]] bool stop_has_code() const { return stop_has_code_; }
    [[nodiscard]] std::uint32_t stop_code() const { return stop_code_; }
    void flush_console() { platform_.flush_console(); }

    // Before any vCPU runs: how many will leave().
    void begin(std::uint32_t vcpus) { running_.store(vcpus); }
    // Runs vCPU `index` on the calling physical CPU until the VM stops.
    void run_vcpu(std::uint32_t index);
    // A vCPU is done (or never started); true for the last one, which reports and frees the VM.
    [[nodiscard]] bool leave() { return running_.fetch_sub(1) == 1; }

    [[nodiscard]] StrView name() const { return {name_, name_len_}; }
    [[nodiscard]] std::uint32_t host_cpu(std::uint32_t vcpu) const { return host_cpus_[vcpu]; }
    [[nodiscard]] GuestMemory& memory() { return memory_; }
    [[nodiscard]] const Stage2& stage2() const { return *stage2_; }

    // Device assignment (gpu_passthrough/). The assigned functions and their guest-visible parts
    // live in the platform; their BARs in the second stage. `set_devices` before the VM starts.
    void set_devices(VmDevices* devices) { devices_ = devices; }
    [[nodiscard]] std::uint32_t device_count() const {
        return devices_ != nullptr ? devices_->count() : 0;
    }
    [[nodiscard]] const VmDevices* devices() const { return devices_; }
    [[nodiscard]] VirtualPlatform& platform() { return platform_; }
    [[nodiscard]] Stage2& device_stage2() { return *stage2_; }
    // After device mappings changed while vCPUs may run: each vCPU drops its cached second-stage
    // translations before it enters the guest again; running ones are kicked out first. Tables
    // an unmap freed (tagged with next_translation_generation()) go back to the allocator once
    // every vCPU has acknowledged the flush.
    void flush_translations();
    [[nodiscard]] std::uint32_t next_translation_generation() const {
        return translation_generation_.load(std::memory_order_acquire) + 1;
    }
    // Hypervisor memory this VM costs besides its RAM: objects, control blocks (page tables are
    // stage2().table_bytes()).
    [[nodiscard]] std::uint64_t overhead_bytes() const {
        return sizeof(Vm) + vcpu_count_ * backend_->vcpu_bytes();
    }
    [[nodiscard]] std::uint64_t exit_count(ExitKind k) const {
        return exits_[static_cast<unsigned>(k)].load();
    }

    // Per-exit work, called by the run loop (vm_exits.cpp).
    void handle_exit(std::uint32_t index, Vcpu& vcpu, const Exit& exit);

  private:
    void handle_io(Vcpu& vcpu, const Exit& exit);
    void handle_memory(std::uint32_t index, Vcpu& vcpu, const Exit& exit);
    void handle_msr(std::uint32_t index, Vcpu& vcpu, const Exit& exit);
    void handle_cpuid(std::uint32_t index, Vcpu& vcpu, const Exit& exit);
    void handle_hypercall(std::uint32_t index, Vcpu& vcpu, const Exit& exit);
    void handle_xsetbv(Vcpu& vcpu, const Exit& exit);
    void deliver_interrupts(std::uint32_t index, Vcpu& vcpu);
    [[nodiscard]] bool selects(const ApicMessage& m, std::uint32_t vcpu,
                               std::uint32_t source) const;
    // An application processor between INIT and its start-up IPI: false if it should keep
    // waiting.
    [[nodiscard]] bool wait_for_sipi(std::uint32_t index, Vcpu& vcpu);
    [[nodiscard]] Result<void> load_guest(const VmConfig& config);
    // The platform's power-on state and the ACPI tables for this VM's shape.
    [[nodiscard]] Result<std::uint64_t> build_platform();

    VmConfig config_{};
    std::uint32_t restarts_ = 0;
    char name_[kMaxNameLength + 1] = {};
    std::uint32_t name_len_ = 0;
    VirtBackend* backend_ = nullptr;
    Stage2* stage2_ = nullptr;
    GuestMemory memory_;
    Vcpu* vcpus_[kMaxVcpusPerVm] = {};
    Lapic lapics_[kMaxVcpusPerVm];
    bool halted_[kMaxVcpusPerVm] = {};
    // INIT received: the vCPU waits for a start-up IPI (SDM vol. 3A 10.4.2, "wait-for-SIPI").
    std::atomic<bool> wait_for_sipi_[kMaxVcpusPerVm] = {};
    // Vector of a start-up IPI not yet taken, or -1.
    std::atomic<int> sipi_vector_[kMaxVcpusPerVm] = {};
    std::uint32_t vcpu_count_ = 0;
    std::uint32_t host_cpus_[kMaxVcpusPerVm] = {};
    std::uint64_t memory_mib_ = 0;
    TscClock clock_;
    VirtualPlatform platform_;
    std::atomic<StopReason> stop_reason_{StopReason::kNone};
    std::uint32_t stop_code_ = 0;
    bool stop_has_code_ = false;
    std::atomic<std::uint32_t> running_{0};
    std::atomic<std::uint64_t> exits_[kExitKindCount] = {};
    std::atomic<std::uint64_t> nmis_dropped_{0};
    VmDevices* devices_ = nullptr;
    // Bumped by flush_translations(); each vCPU flushes when it sees a new value and then
    // acknowledges it here.
    std::atomic<std::uint32_t> translation_generation_{0};
    std::atomic<std::uint32_t> acked_generation_[kMaxVcpusPerVm] = {};
    // Acknowledges the current generation for vCPU `index` (flushing first) and frees the
    // second-stage tables every vCPU is done with.
    void acknowledge_translations(std::uint32_t index, Vcpu& vcpu, std::uint32_t& seen);
};

}  // namespace hv::vmm
