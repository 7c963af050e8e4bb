#pragma once
// Bring-up of the application processors listed in the MADT (INIT-SIPI-SIPI, Intel SDM vol. 3A
// sec 9.4.4.1). All APs are started together: one INIT round, one 10 ms wait, then start-ups.
#include <cstdint>
#include <span>

namespace hv::smp {

struct StartResult {
    std::uint32_t online;   // CPUs online afterwards, BSP included
    std::uint32_t missing;  // APs listed but not answering
    std::uint32_t dropped;  // APs beyond kMaxCpus
};

// `apic_ids`: the usable CPUs from the MADT (the BSP's own ID may be among them; it is skipped).
// `trampoline_page`: a free, identity-mapped page below 1 MiB. `kernel_cr3`: the tables APs
// switch to.
StartResult start_aps(std::span<const std::uint32_t> apic_ids, std::uint64_t trampoline_page,
                      std::uint64_t kernel_cr3);

}  // namespace hv::smp
