#pragma once
// Host interrupt vectors for the MSI and MSI-X messages of assigned functions. The hypervisor, not
// the guest, chooses what a device's message looks like on the host: a fixed, edge-triggered
// vector on the physical CPU that runs the destination vCPU. The vector's handler forwards the
// guest's message (what the guest programmed, decoded) to that VM's interrupt routing, which sets
// the vCPU's IRR and kicks it if it runs elsewhere. Kernel only.
//
// Vectors kFirst..kLast are shared by all CPUs: a vector names one (device, message) pair. The
// LAPIC timer (0x20) and the cross-CPU IPIs (0xF0-0xFF) stay outside the range.
#include <cstdint>

#include "arch/x86/cpu/interrupts.hpp"
#include "kernel/lib/result.hpp"
#include "vmm/devices/apic_message.hpp"

namespace hv::passthrough {

inline constexpr std::uint8_t kFirstDeviceVector = 0x30;
inline constexpr std::uint8_t kLastDeviceVector =
    static_cast<std::uint8_t>(x86::Vector::kCallFunction) - 1;
static_assert(kFirstDeviceVector > static_cast<std::uint8_t>(x86::Vector::kLapicTimer));

// Takes a free vector that delivers nothing until set_route(). Errors: kTooMany.
[[nodiscard]] Result<std::uint8_t> allocate_vector();
// From now on an interrupt on `vector` delivers `message` onto `bus` (a VM).
void set_route(std::uint8_t vector, vmm::ApicBus& bus, const vmm::ApicMessage& message);
// Interrupts on `vector` are dropped (counted) until the next set_route().
void clear_route(std::uint8_t vector);
// Makes `vector` free again; any interrupt still in flight is dropped.
void free_vector(std::uint8_t vector);

}  // namespace hv::passthrough
