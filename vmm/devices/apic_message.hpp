#pragma once
// An interrupt message on the guest's APIC "bus": what an I/O APIC redirection entry, a local
// APIC's ICR or (later) an MSI address/data pair asks for. Interrupt controllers produce these;
// the VM routes them to the destination vCPUs' local APICs.
#include <cstdint>

#include "arch/x86/cpu/apic_delivery_mode.hpp"

namespace hv::vmm {

// Delivery mode, the same encoding in the ICR, the I/O APIC redirection entry and MSI data.
using DeliveryMode = x86::DeliveryMode;

// ICR destination shorthand (SDM vol. 3A 12.6.1, bits 19:18).
enum class Shorthand : std::uint8_t {
    kNone = 0,
    kSelf = 1,
    kAllIncludingSelf = 2,
    kAllExcludingSelf = 3,
};

// `source` of messages that come from a device rather than a vCPU's ICR.
inline constexpr std::uint32_t kSourceDevice = 0xFFFF'FFFF;

struct ApicMessage {
    std::uint8_t vector = 0;
    DeliveryMode mode = DeliveryMode::kFixed;
    bool logical = false;          // destination mode: logical (LDR match) or physical (APIC ID)
    bool level_triggered = false;  // level: the source wants an EOI notification
    bool assert_level = true;      // ICR level bit; an INIT "de-assert" has this false
    Shorthand shorthand = Shorthand::kNone;
    std::uint32_t destination = 0;  // 8 bits in xAPIC form, 32 in x2APIC form
};

// Takes messages to the destination local APICs. Implemented by the VM.
class ApicBus {
  public:
    // `source` is the sending vCPU's index for ICR messages (for the self shorthands).
    virtual void deliver(const ApicMessage& m, std::uint32_t source) = 0;
    // A local APIC took an EOI for a level-triggered `vector`: I/O APICs clear their remote IRR
    // for it (SDM vol. 3A 12.8.5, EOI broadcast).
    virtual void level_eoi(std::uint8_t vector) { static_cast<void>(vector); }

  protected:
    ~ApicBus() = default;
};

}  // namespace hv::vmm
