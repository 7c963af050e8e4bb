#include "drivers/pci/function_reset.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tests/unit/drivers/pci/fake_config_space.hpp"
#include "tests/unit/drivers/pci/fake_reset_hardware.hpp"

namespace hv::pci {
namespace {

using testing::FakeFunction;
using testing::FakeResetHardware;
using testing::HwEvent;
using testing::ResetBehaviour;

constexpr Bdf kRootPort(0, 0, 0x1c, 0);
constexpr Bdf kGpu(0, 1, 0, 0);

// The fake GPU's capabilities: PM, MSI (64-bit, per-vector masking), PCIe v2 endpoint with FLR,
// MSI-X; AER in extended space.
constexpr std::uint8_t kPmAt = 0x60;
constexpr std::uint8_t kMsiAt = 0x68;
constexpr std::uint8_t kPcieAt = 0x80;  // after MSI's 0x18 bytes
constexpr std::uint8_t kMsixAt = 0xc0;  // after the 0x3c bytes of a version 2 PCIe capability

constexpr std::uint16_t kPmcsr = kPmAt + pm_cap::kControlStatus;
constexpr std::uint16_t kDeviceControl = kPcieAt + pcie_cap::kDeviceControl;
constexpr std::uint16_t kLinkControl = kPcieAt + pcie_cap::kLinkControl;
constexpr std::uint16_t kDeviceControl2 = kPcieAt + pcie_cap::kDeviceControl2;
constexpr std::uint16_t kMsiControlDword = kMsiAt;  // Message Control is its upper half
constexpr std::uint16_t kMsixControlDword = kMsixAt;
constexpr std::uint16_t kCommandDword = offset(Reg32::kCommandStatus);
constexpr std::uint16_t kBridgeControlDword = offset(Reg16::kBridgeControl) - 2;

// What firmware programmed, the state a reset must preserve.
constexpr std::uint32_t kBar0 = 0xfd000000;          // mem32, 16 MiB
constexpr std::uint32_t kBar1 = 0xe0000000;          // mem64 prefetchable, 256 MiB, low dword
constexpr std::uint32_t kBar2 = 0x00000038;          // its high dword
constexpr std::uint32_t kBar3 = 0xf0000000;          // mem64 prefetchable, 32 MiB
constexpr std::uint32_t kBar4 = 0x00000040;          // its high dword
constexpr std::uint32_t kBar5 = 0x0000e000;          // I/O, 128 bytes
constexpr std::uint32_t kRom = 0xfe000000;           // 512 KiB, not enabled
constexpr std::uint16_t kCacheLineLatency = 0x4010;  // 16 dwords, latency 0x40
constexpr std::uint8_t kInterruptLine = 0x0b;
constexpr std::uint16_t kCommand =
    command::kIoSpace | command::kMemorySpace | command::kBusMaster | command::kSerrEnable;
// MPS 256, MRRS 4096, relaxed ordering, extended tags, no snoop, all error reporting.
constexpr std::uint16_t kDevCtl = 0x593f;
constexpr std::uint16_t kLnkCtl = 0x0042;   // ASPM L1, common clock
constexpr std::uint16_t kDevCtl2 = 0x0406;  // completion timeout range B, LTR
constexpr std::uint32_t kMsiAddress = 0xfee02000;
constexpr std::uint16_t kMsiData = 0x0041;
constexpr std::uint32_t kMsiMask = 0x0000000e;
constexpr std::uint16_t kMsiMme4 = 2u << 4;  // Multiple Message Enable: 4 vectors

// The registers a reset clears, at their reset values, with the writable bits real hardware has.
FakeFunction& add_gpu(testing::FakeConfigSpace& regs, Bdf bdf) {
    FakeFunction& fn = regs.add(bdf, 0x10de, 0x1eb8, 0x030200, header_type::kEndpoint, 0xa1);
    fn.mem32_bar(0, 0, 16u << 20);
    fn.mem64_bar(1, 0, std::uint64_t{256} << 20, true);
    fn.mem64_bar(3, 0, 32u << 20, true);
    fn.io_bar(5, 0, 0x80);
    fn.rom(offset(Reg32::kType0ExpansionRom), 0, 512u << 10);
    fn.set16(offset(Reg16::kSubsystemVendorId), 0x10de);
    fn.set16(offset(Reg16::kSubsystemId), 0x12a2);
    fn.set8(offset(Reg8::kInterruptPin), 1);
    fn.set_writable(offset(Reg8::kCacheLineSize), 0x0000ffff);  // cache line size, latency
    fn.set_writable(offset(Reg8::kInterruptLine), 0x000000ff);

    const std::uint16_t pm = fn.add_cap(CapId::kPowerManagement, kPmAt);
    fn.set16(pm + 2, 0x0003);  // PMC: version 3
    fn.set_writable(kPmcsr, pm_cap::kPowerStateMask | pm_cap::kPmeEnable);
    fn.set_rw1c(kPmcsr, pm_cap::kPmeStatus);

    const std::uint16_t msi = fn.add_cap(CapId::kMsi, kMsiAt);
    fn.set16(msi + msi_cap::kControl, msi_cap::k64Bit | msi_cap::kPerVectorMasking | 2u << 1);
    fn.set_writable(kMsiControlDword, std::uint32_t{msi_cap::kEnable | 0x70} << 16);
    fn.set_writable(msi + msi_cap::kAddressLow, 0xfffffffc);
    fn.set_writable(msi + msi_cap::kAddressHigh, 0xffffffff);
    fn.set_writable(msi + msi_cap::kData64, 0x0000ffff);
    fn.set_writable(msi + msi_cap::kMask64, 0x0000000f);

    const std::uint16_t pcie = fn.add_cap(CapId::kPciExpress, kPcieAt);
    fn.set16(pcie + pcie_cap::kCapabilities, 0x0002);  // version 2, endpoint
    fn.set32(pcie + pcie_cap::kDeviceCapabilities, pcie_cap::kFlrCapable | 0x2);
    fn.set16(kDeviceControl, 0x2810);  // reset value: MRRS 512, relaxed ordering, no snoop
    fn.set_writable(kDeviceControl, 0x00007fff);  // Initiate FLR always reads 0
    fn.set_rw1c(kDeviceControl, 0x000f0000);      // Device Status error bits
    fn.set_writable(kLinkControl, 0x00000fcf);
    fn.set_rw1c(kLinkControl, 0xc0000000);  // Link Status bandwidth bits
    fn.set_writable(kDeviceControl2, 0x0000ffff);

    const std::uint16_t msix = fn.add_cap(CapId::kMsiX, kMsixAt);
    fn.set16(msix + msix_cap::kControl, 8 - 1);
    fn.set32(msix + msix_cap::kTable, 0x00b90000);
    fn.set32(msix + msix_cap::kPba, 0x00ba0000);
    fn.set_writable(kMsixControlDword,
                    std::uint32_t{msix_cap::kEnable | msix_cap::kFunctionMask} << 16);

    fn.add_ext_cap(ExtCapId::kAer, 0x100, 2);
    return fn;
}

// What firmware and then a driver using MSI leave in the function.
void program_gpu(testing::FakeConfigSpace& regs, Bdf bdf) {
    regs.write32(bdf, 0x10, kBar0);
    regs.write32(bdf, 0x14, kBar1);
    regs.write32(bdf, 0x18, kBar2);
    regs.write32(bdf, 0x1c, kBar3);
    regs.write32(bdf, 0x20, kBar4);
    regs.write32(bdf, 0x24, kBar5);
    regs.write32(bdf, offset(Reg32::kType0ExpansionRom), kRom);
    regs.write32(bdf, offset(Reg8::kCacheLineSize), kCacheLineLatency);
    regs.write32(bdf, offset(Reg8::kInterruptLine), kInterruptLine);
    regs.write32(bdf, kDeviceControl, kDevCtl);
    regs.write32(bdf, kLinkControl, kLnkCtl);
    regs.write32(bdf, kDeviceControl2, kDevCtl2);
    regs.write32(bdf, kMsiAt + msi_cap::kAddressLow, kMsiAddress);
    regs.write32(bdf, kMsiAt + msi_cap::kAddressHigh, 0);
    regs.write32(bdf, kMsiAt + msi_cap::kData64, kMsiData);
    regs.write32(bdf, kMsiAt + msi_cap::kMask64, kMsiMask);
    regs.write32(bdf, kMsiControlDword, std::uint32_t{msi_cap::kEnable | kMsiMme4} << 16);
    regs.write32(bdf, kCommandDword, kCommand);
}

// A root port with the GPU alone on its secondary bus, the GPU at its reset values registered
// with `gpu` as its behaviour, then programmed.
struct Rig {
    FakeResetHardware hw;

    explicit Rig(ResetBehaviour gpu = {}) {
        FakeFunction& port = hw.regs.add_bridge(kRootPort, 0x8086, 0xa110, 1, 1);
        port.set8(offset(Reg8::kInterruptLine), 0x0a);
        port.set_writable(kBridgeControlDword, 0xffff00ff);
        add_gpu(hw.regs, kGpu);
        gpu.pcie = kPcieAt;
        gpu.pm = kPmAt;
        hw.power_on(kGpu, gpu);
        hw.power_on(kRootPort, {.children = {kGpu}});
        program_gpu(hw.regs, kGpu);
    }

    FakeFunction& gpu() { return hw.regs.at(kGpu); }
};

// The waits among events[from, to), in order.
std::vector<std::uint64_t> waits(const std::vector<HwEvent>& events, std::size_t from = 0,
                                 std::size_t to = SIZE_MAX) {
    std::vector<std::uint64_t> out;
    for (std::size_t i = from; i < events.size() && i < to; ++i) {
        if (events[i].kind == HwEvent::Kind::kWait) out.push_back(events[i].value);
    }
    return out;
}

// The values written to one dword, in order.
std::vector<std::uint32_t> writes_to(const std::vector<HwEvent>& events, Bdf bdf,
                                     std::uint16_t off) {
    std::vector<std::uint32_t> out;
    for (const HwEvent& e : events) {
        if (e.kind == HwEvent::Kind::kWrite && e.bdf == bdf && e.off == off)
            out.push_back(static_cast<std::uint32_t>(e.value));
    }
    return out;
}

// Index in `events` of the first write to `off`, or events.size().
std::size_t first_write(const std::vector<HwEvent>& events, std::uint16_t off) {
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (events[i].kind == HwEvent::Kind::kWrite && events[i].off == off) return i;
    }
    return events.size();
}

// Every saved register of kGpu reads as before `before` was taken (Status aside).
void expect_restored(FakeFunction& now, const FakeFunction& before) {
    EXPECT_EQ(now.get16(kCommandDword), before.get16(kCommandDword));
    for (std::uint16_t off = 0x08; off < 0x40; off += 4) {
        EXPECT_EQ(now.get32(off), before.get32(off)) << "header dword 0x" << std::hex << off;
    }
    EXPECT_EQ(now.get16(kDeviceControl), before.get16(kDeviceControl));
    EXPECT_EQ(now.get16(kLinkControl), before.get16(kLinkControl));
    EXPECT_EQ(now.get16(kDeviceControl2), before.get16(kDeviceControl2));
    for (std::uint16_t off = kMsiAt; off < kMsiAt + 0x14; off += 4) {
        EXPECT_EQ(now.get32(off), before.get32(off)) << "MSI dword 0x" << std::hex << off;
    }
    EXPECT_EQ(now.get32(kMsixControlDword), before.get32(kMsixControlDword));
}

// One reset of kGpu by `method`: it succeeds, resets the function once, leaves every saved
// register as it was and touches nothing before the function is ready again.
void expect_restoring_reset(Rig& rig, ResetMethod method, Optional<Bdf> parent) {
    const FakeFunction before = rig.gpu();
    ASSERT_TRUE(reset_function(rig.hw, kGpu, method, parent, rig.hw).ok());
    EXPECT_EQ(rig.hw.resets(kGpu), 1u);
    expect_restored(rig.gpu(), before);
    EXPECT_FALSE(rig.hw.early_access());
}

TEST(FunctionReset, MethodNamesAreTheInventoryWords) {
    EXPECT_STREQ(name(ResetMethod::kFlr), "flr");
    EXPECT_STREQ(name(ResetMethod::kPm), "pm");
    EXPECT_STREQ(name(ResetMethod::kBus), "bus");
    EXPECT_STREQ(name(ResetMethod::kNone), "none");
}

TEST(FunctionReset, SaveReadsEveryHeaderDwordAsProgrammed) {
    Rig rig;
    const Result<SavedConfig> saved = save_state(rig.hw, kGpu);
    ASSERT_TRUE(saved.ok());
    for (std::uint16_t off = kSavedHeaderFirst; off < kSavedHeaderEnd; off += 4) {
        EXPECT_EQ(saved.value().header_at(off), rig.gpu().get32(off)) << std::hex << off;
    }
    EXPECT_EQ(saved.value().command(), kCommand);
    EXPECT_EQ(saved.value().header_at(0x10), kBar0);
    EXPECT_EQ(saved.value().header_at(0x14), kBar1 | 0xc);  // 64-bit prefetchable type bits
    EXPECT_EQ(saved.value().header_at(0x18), kBar2);
    EXPECT_EQ(saved.value().header_at(0x24), kBar5 | bar_bits::kIoSpace);
    EXPECT_EQ(saved.value().header_at(0x30), kRom);
    EXPECT_EQ(saved.value().header_at(0x0c), kCacheLineLatency);
    EXPECT_EQ(saved.value().header_at(0x3c), 0x0100u | kInterruptLine);
}

TEST(FunctionReset, SaveReadsPcieControlRegisters) {
    Rig rig;
    const Result<SavedConfig> saved = save_state(rig.hw, kGpu);
    ASSERT_TRUE(saved.ok());
    EXPECT_EQ(saved.value().pcie, kPcieAt);
    EXPECT_TRUE(saved.value().pcie_link);
    EXPECT_TRUE(saved.value().pcie_v2);
    EXPECT_EQ(saved.value().device_control, kDevCtl);
    EXPECT_EQ(saved.value().link_control, kLnkCtl);
    EXPECT_EQ(saved.value().device_control2, kDevCtl2);
}

TEST(FunctionReset, SaveReadsMsiMessageAndMsixControl) {
    Rig rig;
    const Result<SavedConfig> saved = save_state(rig.hw, kGpu);
    ASSERT_TRUE(saved.ok());
    const SavedConfig& s = saved.value();
    EXPECT_EQ(s.msi, kMsiAt);
    EXPECT_TRUE(s.msi_64bit);
    EXPECT_TRUE(s.msi_masking);
    EXPECT_EQ(s.msi_control,
              msi_cap::kEnable | kMsiMme4 | msi_cap::k64Bit | msi_cap::kPerVectorMasking | 2u << 1);
    EXPECT_EQ(s.msi_address_lo, kMsiAddress);
    EXPECT_EQ(s.msi_address_hi, 0u);
    EXPECT_EQ(s.msi_data, kMsiData);
    EXPECT_EQ(s.msi_mask, kMsiMask);
    EXPECT_EQ(s.msix, kMsixAt);
    EXPECT_EQ(s.msix_control, 8 - 1);
}

TEST(FunctionReset, SaveRefusesAnAbsentFunction) {
    Rig rig;
    const Result<SavedConfig> saved = save_state(rig.hw, Bdf(0, 1, 1, 0));
    ASSERT_FALSE(saved.ok());
    EXPECT_EQ(saved.error().code, Errc::kNotFound);
}

TEST(FunctionReset, SaveRefusesABridge) {
    Rig rig;
    const Result<SavedConfig> saved = save_state(rig.hw, kRootPort);
    ASSERT_FALSE(saved.ok());
    EXPECT_EQ(saved.error().code, Errc::kUnsupported);
}

TEST(FunctionReset, FlrLeavesTheFunctionAtItsResetValues) {
    Rig rig;
    ASSERT_TRUE(reset_flr(rig.hw, kGpu, rig.hw).ok());
    EXPECT_EQ(rig.hw.resets(kGpu), 1u);
    EXPECT_EQ(rig.gpu().get16(kCommandDword), 0);
    EXPECT_EQ(rig.gpu().get32(0x10), 0u);
    EXPECT_EQ(rig.gpu().get32(0x14), bar_bits::kMemType64 | bar_bits::kMemPrefetchable);
    EXPECT_EQ(rig.gpu().get16(kDeviceControl), 0x2810);
}

TEST(FunctionReset, FlrSetsInitiateFlrOverDeviceControlWithStatusWrittenZero) {
    Rig rig;
    rig.gpu().set16(kDeviceControl + 2, 0x0008);  // Unsupported Request Detected pending
    ASSERT_TRUE(reset_flr(rig.hw, kGpu, rig.hw).ok());
    EXPECT_EQ(writes_to(rig.hw.events(), kGpu, kDeviceControl),
              std::vector<std::uint32_t>{kDevCtl | pcie_cap::kInitiateFlr});
}

TEST(FunctionReset, FlrWaitsHundredMillisecondsBeforeTouchingTheFunction) {
    Rig rig;
    ASSERT_TRUE(reset_flr(rig.hw, kGpu, rig.hw).ok());
    EXPECT_EQ(waits(rig.hw.events()), std::vector<std::uint64_t>{100'000});
    EXPECT_FALSE(rig.hw.early_access());
}

TEST(FunctionReset, FlrWaitsForTransactionsPendingWithGrowingDelays) {
    Rig rig({.pending_reads = 2});
    ASSERT_TRUE(reset_flr(rig.hw, kGpu, rig.hw).ok());
    const std::size_t flr = first_write(rig.hw.events(), kDeviceControl);
    ASSERT_LT(flr, rig.hw.events().size());
    EXPECT_EQ(waits(rig.hw.events(), 0, flr), (std::vector<std::uint64_t>{100'000, 200'000}));
    EXPECT_EQ(waits(rig.hw.events(), flr), std::vector<std::uint64_t>{100'000});
}

TEST(FunctionReset, FlrGoesAheadWhenTransactionsStayPending) {
    Rig rig({.pending_reads = 1000});
    ASSERT_TRUE(reset_flr(rig.hw, kGpu, rig.hw).ok());
    EXPECT_EQ(waits(rig.hw.events()),
              (std::vector<std::uint64_t>{100'000, 200'000, 400'000, 100'000}));
    EXPECT_EQ(rig.hw.resets(kGpu), 1u);
}

TEST(FunctionReset, FlrPollsThroughCrsWithDoublingWaits) {
    Rig rig({.crs_reads = 3});
    ASSERT_TRUE(reset_flr(rig.hw, kGpu, rig.hw).ok());
    EXPECT_EQ(waits(rig.hw.events()), (std::vector<std::uint64_t>{100'000, 1000, 2000, 4000}));
    EXPECT_FALSE(rig.hw.early_access());
}

TEST(FunctionReset, FlrTimesOutOneSecondAfterTheResetWhenTheFunctionStaysAway) {
    Rig rig({.dead_after_reset = true});
    const Result<void> r = reset_flr(rig.hw, kGpu, rig.hw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTimeout);
    EXPECT_STREQ(r.error().what, "FLR: function did not answer within 1 s of the reset");
    EXPECT_EQ(rig.hw.now_us(), 100'000u + 1'000'000u);
}

TEST(FunctionReset, FlrTimesOutWhenTheFunctionNeverStopsAnsweringCrs) {
    Rig rig({.crs_reads = 1000});
    const Result<void> r = reset_flr(rig.hw, kGpu, rig.hw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTimeout);
    EXPECT_EQ(rig.hw.now_us(), 100'000u + 1'000'000u);
}

TEST(FunctionReset, FlrRefusesAFunctionWithoutTheCapabilityBit) {
    Rig rig;
    rig.gpu().set32(kPcieAt + pcie_cap::kDeviceCapabilities, 0x2);
    const Result<void> r = reset_flr(rig.hw, kGpu, rig.hw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kUnsupported);
    EXPECT_STREQ(r.error().what, "FLR: not supported (Device Capabilities bit 28 is clear)");
    EXPECT_TRUE(rig.hw.events().empty());
}

TEST(FunctionReset, FlrRefusesAConventionalFunction) {
    FakeResetHardware hw;
    testing::add_edu(hw.regs, kGpu);
    const Result<void> r = reset_flr(hw, kGpu, hw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kUnsupported);
    EXPECT_TRUE(hw.events().empty());
}

TEST(FunctionReset, PmResetGoesThroughD3hotWithTenMillisecondWaits) {
    Rig rig;
    ASSERT_TRUE(reset_pm(rig.hw, kGpu, rig.hw).ok());
    const std::vector<HwEvent>& ev = rig.hw.events();
    ASSERT_EQ(ev.size(), 4u);
    EXPECT_EQ(ev[0].off, kPmcsr);
    EXPECT_EQ(ev[0].value & pm_cap::kPowerStateMask, pm_cap::kD3hot);
    EXPECT_EQ(ev[1].kind, HwEvent::Kind::kWait);
    EXPECT_EQ(ev[1].value, 10'000u);
    EXPECT_EQ(ev[2].off, kPmcsr);
    EXPECT_EQ(ev[2].value & pm_cap::kPowerStateMask, pm_cap::kD0);
    EXPECT_EQ(ev[3].kind, HwEvent::Kind::kWait);
    EXPECT_EQ(ev[3].value, 10'000u);
    EXPECT_EQ(rig.hw.resets(kGpu), 1u);
    EXPECT_EQ(rig.gpu().get32(0x10), 0u);
    EXPECT_FALSE(rig.hw.early_access());
}

TEST(FunctionReset, PmResetWritesPmcsrWithPmeStatusZero) {
    Rig rig;
    rig.gpu().set16(kPmcsr, pm_cap::kPmeStatus | pm_cap::kPmeEnable);
    ASSERT_TRUE(reset_pm(rig.hw, kGpu, rig.hw).ok());
    EXPECT_EQ(writes_to(rig.hw.events(), kGpu, kPmcsr),
              (std::vector<std::uint32_t>{pm_cap::kPmeEnable | pm_cap::kD3hot,
                                          pm_cap::kPmeEnable | pm_cap::kD0}));
}

TEST(FunctionReset, PmResetRefusesAFunctionWithNoSoftResetSet) {
    Rig rig;
    rig.gpu().set16(kPmcsr, pm_cap::kNoSoftReset);
    EXPECT_FALSE(pm_reset_works(rig.hw, kGpu));
    const Result<void> r = reset_pm(rig.hw, kGpu, rig.hw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kUnsupported);
    EXPECT_TRUE(rig.hw.events().empty());
}

TEST(FunctionReset, PmResetWorksWithNoSoftResetClear) {
    Rig rig;
    EXPECT_TRUE(pm_reset_works(rig.hw, kGpu));
}

TEST(FunctionReset, PmResetRefusesAFunctionWithoutPmCapability) {
    FakeResetHardware hw;
    testing::add_edu(hw.regs, kGpu);
    EXPECT_FALSE(pm_reset_works(hw, kGpu));
    const Result<void> r = reset_pm(hw, kGpu, hw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kUnsupported);
}

TEST(FunctionReset, PmResetFailsWhenTheFunctionStaysOutOfD0) {
    Rig rig;
    rig.gpu().set16(kPmcsr, pm_cap::kD3hot);
    rig.gpu().set_writable(kPmcsr, pm_cap::kPmeEnable);  // PowerState stuck at D3hot
    const Result<void> r = reset_pm(rig.hw, kGpu, rig.hw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalid);
    EXPECT_STREQ(r.error().what, "PM reset: function did not return to D0");
}

TEST(FunctionReset, BusResetHoldsTwoMillisecondsThenWaitsHundred) {
    Rig rig;
    ASSERT_TRUE(reset_secondary_bus(rig.hw, kRootPort, kGpu, rig.hw).ok());
    const std::vector<std::uint32_t> control =
        writes_to(rig.hw.events(), kRootPort, kBridgeControlDword);
    ASSERT_EQ(control.size(), 2u);
    EXPECT_EQ(control[0], (std::uint32_t{bridge_control::kSecondaryBusReset} << 16) | 0x0a);
    EXPECT_EQ(control[1], 0x0au);  // interrupt line kept, reset released
    EXPECT_EQ(waits(rig.hw.events()), (std::vector<std::uint64_t>{2000, 100'000}));
    EXPECT_EQ(rig.hw.resets(kGpu), 1u);
    EXPECT_EQ(rig.gpu().get32(0x10), 0u);
    EXPECT_FALSE(rig.hw.early_access());
}

TEST(FunctionReset, BusResetPollsTheChildThroughCrs) {
    Rig rig({.crs_reads = 2});
    ASSERT_TRUE(reset_secondary_bus(rig.hw, kRootPort, kGpu, rig.hw).ok());
    EXPECT_EQ(waits(rig.hw.events()), (std::vector<std::uint64_t>{2000, 100'000, 1000, 2000}));
}

TEST(FunctionReset, BusResetRefusesAParentThatIsNotABridge) {
    Rig rig;
    const Result<void> r = reset_secondary_bus(rig.hw, kGpu, kGpu, rig.hw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalid);
    EXPECT_TRUE(rig.hw.events().empty());
}

TEST(FunctionReset, BusResetTimesOutWhenTheChildStaysAway) {
    Rig rig({.dead_after_reset = true});
    const Result<void> r = reset_secondary_bus(rig.hw, kRootPort, kGpu, rig.hw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTimeout);
    EXPECT_STREQ(r.error().what, "bus reset: function did not answer within 1 s");
    EXPECT_EQ(rig.hw.now_us(), 2000u + 100'000u + 1'000'000u);
}

TEST(FunctionReset, RestoreWritesBarsBeforeCommandAndCommandLast) {
    Rig rig;
    const Result<SavedConfig> saved = save_state(rig.hw, kGpu);
    ASSERT_TRUE(saved.ok());
    ASSERT_TRUE(reset_flr(rig.hw, kGpu, rig.hw).ok());
    rig.hw.clear_events();
    restore_state(rig.hw, kGpu, saved.value());
    const std::vector<HwEvent>& ev = rig.hw.events();
    ASSERT_FALSE(ev.empty());
    EXPECT_EQ(ev.back().off, kCommandDword);
    EXPECT_EQ(ev.back().value, kCommand);  // Status half written as zero
    EXPECT_EQ(first_write(ev, kCommandDword), ev.size() - 1);
    for (std::uint16_t bar = 0x10; bar <= 0x24; bar += 4) {
        EXPECT_LT(first_write(ev, bar), ev.size() - 1) << "BAR at 0x" << std::hex << bar;
    }
    // High dword of the 64-bit BAR before its low dword.
    EXPECT_LT(first_write(ev, 0x18), first_write(ev, 0x14));
}

TEST(FunctionReset, RestoreSkipsDwordsThatAlreadyHoldTheSavedValue) {
    Rig rig;
    const Result<SavedConfig> saved = save_state(rig.hw, kGpu);
    ASSERT_TRUE(saved.ok());
    restore_state(rig.hw, kGpu, saved.value());
    for (std::uint16_t off = 0x08; off < 0x40; off += 4) {
        EXPECT_TRUE(writes_to(rig.hw.events(), kGpu, off).empty()) << std::hex << off;
    }
}

TEST(FunctionReset, RestoreLeavesPendingStatusErrorBitsPending) {
    Rig rig;
    rig.gpu().set16(offset(Reg16::kStatus),
                    status::kCapabilitiesList | status::kReceivedMasterAbort);
    rig.gpu().set16(kDeviceControl + 2, 0x0008);  // Unsupported Request Detected
    rig.gpu().set16(kLinkControl + 2, 0x8000);    // Link Autonomous Bandwidth Status
    const Result<SavedConfig> saved = save_state(rig.hw, kGpu);
    ASSERT_TRUE(saved.ok());
    restore_state(rig.hw, kGpu, saved.value());
    EXPECT_EQ(rig.gpu().get16(offset(Reg16::kStatus)),
              status::kCapabilitiesList | status::kReceivedMasterAbort);
    EXPECT_EQ(rig.gpu().get16(kDeviceControl + 2), 0x0008);
    EXPECT_EQ(rig.gpu().get16(kLinkControl + 2), 0x8000);
}

TEST(FunctionReset, RestoreRewritesMsiWithMsiDisabledThenEnables) {
    Rig rig;
    const Result<SavedConfig> saved = save_state(rig.hw, kGpu);
    ASSERT_TRUE(saved.ok());
    ASSERT_TRUE(reset_flr(rig.hw, kGpu, rig.hw).ok());
    rig.hw.clear_events();
    restore_state(rig.hw, kGpu, saved.value());
    const std::vector<std::uint32_t> control = writes_to(rig.hw.events(), kGpu, kMsiControlDword);
    ASSERT_EQ(control.size(), 2u);
    EXPECT_EQ((control[0] >> 16) & msi_cap::kEnable, 0u);
    EXPECT_EQ((control[1] >> 16) & msi_cap::kEnable, msi_cap::kEnable);
    const auto& ev = rig.hw.events();
    const std::size_t address = first_write(ev, kMsiAt + msi_cap::kAddressLow);
    const std::size_t data = first_write(ev, kMsiAt + msi_cap::kData64);
    const std::size_t mask = first_write(ev, kMsiAt + msi_cap::kMask64);
    EXPECT_LT(first_write(ev, kMsiControlDword), address);
    EXPECT_LT(address, data);
    EXPECT_LT(data, mask);
    EXPECT_EQ(rig.gpu().get32(kMsiAt + msi_cap::kAddressLow), kMsiAddress);
    EXPECT_EQ(rig.gpu().get16(kMsiAt + msi_cap::kData64), kMsiData);
    EXPECT_EQ(rig.gpu().get32(kMsiAt + msi_cap::kMask64), kMsiMask);
}

TEST(FunctionReset, ResetFunctionRestoresEverySavedRegisterAfterFlr) {
    Rig rig;
    expect_restoring_reset(rig, ResetMethod::kFlr, kNone);
}

TEST(FunctionReset, ResetFunctionRestoresEverySavedRegisterAfterPmReset) {
    Rig rig;
    expect_restoring_reset(rig, ResetMethod::kPm, kNone);
}

TEST(FunctionReset, ResetFunctionRestoresEverySavedRegisterAfterBusReset) {
    Rig rig({.crs_reads = 4});
    expect_restoring_reset(rig, ResetMethod::kBus, kRootPort);
}

TEST(FunctionReset, ResetFunctionStopsDecodingAndDmaBeforeTheReset) {
    Rig rig;
    ASSERT_TRUE(reset_function(rig.hw, kGpu, ResetMethod::kFlr, kNone, rig.hw).ok());
    const std::vector<HwEvent>& ev = rig.hw.events();
    ASSERT_FALSE(ev.empty());
    EXPECT_EQ(ev.front().off, kCommandDword);
    EXPECT_EQ(ev.front().value, command::kIntxDisable);
    EXPECT_LT(0u, first_write(ev, kDeviceControl));
}

TEST(FunctionReset, QuiescedHandBackLeavesDecodingBusMasterAndMsiOff) {
    Rig rig;
    const FakeFunction before = rig.gpu();
    ASSERT_TRUE(reset_function(rig.hw, kGpu, ResetMethod::kFlr, kNone, rig.hw, Quiesce::kYes).ok());
    EXPECT_EQ(rig.gpu().get16(kCommandDword), command::kSerrEnable);
    EXPECT_EQ((rig.gpu().get32(kMsiControlDword) >> 16) & msi_cap::kEnable, 0u);
    EXPECT_EQ(rig.gpu().get32(kMsiAt + msi_cap::kAddressLow), kMsiAddress);
    for (std::uint16_t off = 0x10; off <= 0x30; off += 4) {
        EXPECT_EQ(rig.gpu().get32(off), before.get32(off)) << std::hex << off;
    }
}

TEST(FunctionReset, QuiescedClearsOnlyTheEnableBits) {
    SavedConfig s;
    s.header[0] = 0x00100000u | kCommand | command::kIntxDisable;
    s.msi = kMsiAt;
    s.msi_control = msi_cap::kEnable | kMsiMme4 | msi_cap::k64Bit;
    s.msix = kMsixAt;
    s.msix_control = msix_cap::kEnable | msix_cap::kFunctionMask | 7;
    const SavedConfig q = quiesced(s);
    EXPECT_EQ(q.command(), command::kSerrEnable | command::kIntxDisable);
    EXPECT_EQ(q.header[0] >> 16, 0x0010u);
    EXPECT_EQ(q.msi_control, kMsiMme4 | msi_cap::k64Bit);
    EXPECT_EQ(q.msix_control, msix_cap::kFunctionMask | 7);
}

TEST(FunctionReset, ResetFunctionRestoresEvenWhenTheResetFails) {
    Rig rig;
    const FakeFunction before = rig.gpu();
    const Result<void> r = reset_function(rig.hw, kGpu, ResetMethod::kBus, kGpu, rig.hw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalid);
    EXPECT_EQ(rig.hw.resets(kGpu), 0u);
    expect_restored(rig.gpu(), before);
}

TEST(FunctionReset, ResetFunctionRefusesMethodNoneWithoutTouchingTheFunction) {
    Rig rig;
    const Result<void> none = reset_function(rig.hw, kGpu, ResetMethod::kNone, kNone, rig.hw);
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, Errc::kUnsupported);
    EXPECT_TRUE(rig.hw.events().empty());
}

TEST(FunctionReset, ResetFunctionRefusesBusResetWithoutAParentBridge) {
    Rig rig;
    const Result<void> bus = reset_function(rig.hw, kGpu, ResetMethod::kBus, kNone, rig.hw);
    ASSERT_FALSE(bus.ok());
    EXPECT_EQ(bus.error().code, Errc::kInvalid);
    EXPECT_TRUE(rig.hw.events().empty());
}

}  // namespace
}  // namespace hv::pci
