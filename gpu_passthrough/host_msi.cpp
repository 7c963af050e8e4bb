#include "gpu_passthrough/host_msi.hpp"

#include "arch/x86/cpu/interrupts.hpp"
#include "kernel/spinlock.hpp"

namespace hv::passthrough {
namespace {

struct Route {
    bool allocated = false;
    vmm::ApicBus* bus = nullptr;  // nullptr: drop
    vmm::ApicMessage message{};
};

// Taken by the handler with interrupts off and by the VM's CPU while it programs a device; no
// holder waits for an interrupt, so neither side can deadlock.
SpinLock g_lock;
Route g_routes[x86::kVectorCount];

void on_device_interrupt(x86::InterruptFrame& frame) {
    const auto vector = static_cast<std::uint8_t>(frame.vector);
    SpinGuard g(g_lock);
    const Route& r = g_routes[vector];
    if (r.bus == nullptr) return;  // freed while the interrupt was in flight
    r.bus->deliver(r.message, vmm::kSourceDevice);
}

}  // namespace

Result<std::uint8_t> allocate_vector() {
    SpinGuard g(g_lock);
    for (unsigned v = kFirstDeviceVector; v <= kLastDeviceVector; ++v) {
        if (g_routes[v].allocated) continue;
        g_routes[v] = Route{true, nullptr, {}};
        // Registering again is harmless: the handler is the same for every device vector.
        x86::set_interrupt_handler(static_cast<x86::Vector>(v), on_device_interrupt);
        return static_cast<std::uint8_t>(v);
    }
    return make_error(Errc::kTooMany, "no free host interrupt vector for a device");
}

void set_route(std::uint8_t vector, vmm::ApicBus& bus, const vmm::ApicMessage& message) {
    SpinGuard g(g_lock);
    if (!g_routes[vector].allocated) return;
    g_routes[vector].bus = &bus;
    g_routes[vector].message = message;
}

void clear_route(std::uint8_t vector) {
    SpinGuard g(g_lock);
    g_routes[vector].bus = nullptr;
}

void free_vector(std::uint8_t vector) {
    SpinGuard g(g_lock);
    g_routes[vector] = Route{};
}

}  // namespace hv::passthrough
