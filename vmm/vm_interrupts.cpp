// Interrupt routing inside a VM: messages from local APICs (IPIs) and from the I/O APIC reach the
// destination vCPUs' local APICs, INIT and start-up IPIs start application processors, and a
// vCPU running on another physical CPU is kicked out of its guest to take what it was sent.
#include "kernel/console.hpp"
#include "kernel/cpu_work.hpp"
#include "kernel/percpu.hpp"
#include "vmm/vm.hpp"

namespace hv::vmm {
namespace {

// Physical broadcast destinations (SDM vol. 3A 12.6.2.1, 12.12.9).
constexpr std::uint32_t kXapicBroadcast = 0xFF;
constexpr std::uint32_t kX2apicBroadcast = 0xFFFF'FFFF;

}  // namespace

bool Vm::selects(const ApicMessage& m, std::uint32_t vcpu, std::uint32_t source) const {
    switch (m.shorthand) {
        case Shorthand::kSelf:
            return vcpu == source;
        case Shorthand::kAllIncludingSelf:
            return true;
        case Shorthand::kAllExcludingSelf:
            return vcpu != source;
        case Shorthand::kNone:
            break;
    }
    const Lapic& lapic = lapics_[vcpu];
    const std::uint32_t broadcast = lapic.x2apic() ? kX2apicBroadcast : kXapicBroadcast;
    if (m.destination == broadcast) return true;
    if (!m.logical) return lapic.id() == m.destination;
    return lapic.logical_match(m.destination);
}

void Vm::deliver(const ApicMessage& m, std::uint32_t source) {
    const std::uint32_t here = this_cpu().index;
    for (std::uint32_t i = 0; i < vcpu_count_; ++i) {
        if (!selects(m, i, source)) continue;
        switch (m.mode) {
            case DeliveryMode::kFixed:
            case DeliveryMode::kLowestPriority:
                lapics_[i].post(m.vector, m.level_triggered);
                break;
            case DeliveryMode::kInit:
                // The level-triggered de-assert form only synchronises arbitration IDs (SDM
                // vol. 3A 12.6.1); the boot vCPU ignores INIT from its own guest.
                if (m.level_triggered && !m.assert_level) continue;
                if (i == 0) continue;
                sipi_vector_[i].store(-1);
                wait_for_sipi_[i].store(true);
                break;
            case DeliveryMode::kStartup:
                // Only a vCPU waiting after INIT takes a start-up IPI (SDM vol. 3A 10.4.4.1).
                if (!wait_for_sipi_[i].load()) continue;
                sipi_vector_[i].store(m.vector);
                break;
            case DeliveryMode::kNmi:
            case DeliveryMode::kSmi:
            case DeliveryMode::kExtInt:
                // Not modelled: no NMI source or SMM in this platform. Counted, not delivered.
                nmis_dropped_.fetch_add(1, std::memory_order_relaxed);
                continue;
        }
        if (host_cpus_[i] != here) kick_cpu(host_cpus_[i]);
        // Lowest priority picks one destination: the first that matches.
        if (m.mode == DeliveryMode::kLowestPriority) return;
    }
}

void Vm::kick_other_vcpus() const {
    const std::uint32_t here = this_cpu().index;
    for (std::uint32_t i = 0; i < vcpu_count_; ++i) {
        if (host_cpus_[i] != here) kick_cpu(host_cpus_[i]);
    }
}

void Vm::flush_translations() {
    translation_generation_.fetch_add(1, std::memory_order_acq_rel);
    kick_other_vcpus();
}

void Vm::acknowledge_translations(std::uint32_t index, Vcpu& vcpu, std::uint32_t& seen) {
    seen = translation_generation_.load(std::memory_order_acquire);
    vcpu.flush_translations();  // takes effect before this vCPU's next entry
    acked_generation_[index].store(seen, std::memory_order_release);
    if (stage2_->held_tables() == 0) return;
    std::uint32_t oldest = seen;
    for (std::uint32_t i = 0; i < vcpu_count_; ++i) {
        const std::uint32_t a = acked_generation_[i].load(std::memory_order_acquire);
        if (static_cast<std::int32_t>(a - oldest) < 0) oldest = a;
    }
    stage2_->release_tables(oldest);
}

void Vm::level_eoi(std::uint8_t vector) { platform_.level_eoi(vector); }

bool Vm::wait_for_sipi(std::uint32_t index, Vcpu& vcpu) {
    const int vector = sipi_vector_[index].exchange(-1);
    if (vector < 0) return false;
    vcpu.load_state(startup_ipi_state(static_cast<std::uint8_t>(vector)));
    halted_[index] = false;
    wait_for_sipi_[index].store(false);
    return true;
}

}  // namespace hv::vmm
