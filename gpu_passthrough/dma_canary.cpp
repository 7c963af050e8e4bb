#include "gpu_passthrough/dma_canary.hpp"

#include "kernel/cmdline.hpp"
#include "kernel/console.hpp"
#include "kernel/direct_map.hpp"
#include "kernel/kernel_memory.hpp"

namespace hv::passthrough {
namespace {

HostPhys g_page{};
bool g_armed = false;

// The byte at `i`: not a constant, so a stray fill or a shifted copy shows up too.
constexpr std::uint8_t pattern(std::uint64_t i) { return static_cast<std::uint8_t>(i * 13 + 0xA5); }

}  // namespace

void arm_dma_canary(StrView cmdline) {
    const auto value = cmdline_value(cmdline, "dma_canary");
    if (!value) return;
    const auto addr = parse_cmdline_number(*value);
    if (!addr || *addr % kPageSize != 0) return log("dma canary: not a page address: ", *value);
    if (auto r = memory::take(HostPhys(*addr), kPageSize); !r)
        return log("dma canary hpa=0x", Hex{*addr}, " not armed: ", r.error().what);
    g_page = HostPhys(*addr);
    auto* bytes = static_cast<std::uint8_t*>(phys_to_virt(g_page));
    for (std::uint64_t i = 0; i < kPageSize; ++i) bytes[i] = pattern(i);
    g_armed = true;
    log("dma canary hpa=0x", Hex{*addr}, " armed");
}

void check_dma_canary() {
    if (!g_armed) return;
    const auto* bytes = static_cast<const volatile std::uint8_t*>(phys_to_virt(g_page));
    std::uint64_t changed = 0;
    for (std::uint64_t i = 0; i < kPageSize; ++i) changed += bytes[i] != pattern(i) ? 1 : 0;
    if (changed == 0)
        log("dma canary hpa=0x", Hex{g_page.raw()}, " intact");
    else
        log("dma canary hpa=0x", Hex{g_page.raw()}, " changed bytes=", changed);
}

}  // namespace hv::passthrough
