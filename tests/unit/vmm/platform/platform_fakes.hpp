#pragma once
// Fakes the virtual platform's tests share: a settable clock, a VM that records console lines and
// power requests, and an APIC bus that records what the I/O APIC sent.
#include <cstdint>
#include <string>
#include <vector>

#include "vmm/devices/apic_message.hpp"
#include "vmm/devices/clock.hpp"
#include "vmm/devices/device.hpp"

namespace hv::vmm::platform_fakes {

struct FakeClock final : Clock {
    std::uint64_t ticks = 0;
    std::uint64_t now() const override { return ticks; }
    std::uint64_t hz() const override { return 1'000'000'000; }
};

struct FakeVm final : VmControl {
    std::vector<std::string> lines;
    int poweroffs = 0, reboots = 0;
    void request(Request r, std::uint32_t, bool) override {
        (r == Request::kPowerOff ? poweroffs : reboots)++;
    }
    void console_line(const char* text, std::uint32_t len) override {
        lines.emplace_back(text, len);
    }
};

struct RecordingBus final : ApicBus {
    std::vector<ApicMessage> sent;
    void deliver(const ApicMessage& m, std::uint32_t) override { sent.push_back(m); }
};

}  // namespace hv::vmm::platform_fakes
