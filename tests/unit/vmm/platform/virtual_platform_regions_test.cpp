// Regions and PCI functions added to a VirtualPlatform at run time (assigned devices): the
// dispatch to them, and the fixed devices keeping precedence.
#include "vmm/platform/virtual_platform.hpp"

#include <gtest/gtest.h>

#include "platform_fakes.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hv::vmm {
namespace {

using platform_fakes::FakeClock;
using platform_fakes::FakeVm;
using platform_fakes::RecordingBus;

struct Access {
    std::uint64_t offset;
    std::uint8_t size;
    std::uint64_t value;
    bool operator==(const Access&) const = default;
};

// Reads return a tag in the top bits plus the offset, so a test sees which device answered and
// with what offset.
struct FakeMmio final : MmioDevice {
    std::vector<Access> reads, writes;
    std::uint64_t mmio_read(std::uint64_t offset, std::uint8_t size) override {
        reads.push_back({offset, size, 0});
        return 0xD000'0000 | offset;
    }
    void mmio_write(std::uint64_t offset, std::uint8_t size, std::uint64_t value) override {
        writes.push_back({offset, size, value});
    }
};

struct FakePorts final : PortDevice {
    std::vector<Access> reads, writes;
    std::uint32_t port_read(std::uint16_t port, std::uint8_t size) override {
        reads.push_back({port, size, 0});
        return 0xA500u | port;
    }
    void port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) override {
        writes.push_back({port, size, value});
    }
};

struct FakeFunction final : PciFunction {
    struct Call {
        std::uint16_t reg;
        std::uint8_t size;
        std::uint32_t value;
        bool operator==(const Call&) const = default;
    };
    std::vector<Call> reads, writes;
    std::uint32_t config_read(std::uint16_t reg, std::uint8_t size) override {
        reads.push_back({reg, size, 0});
        // Vendor 0x1002, device 0x73BF at register 0; the register number elsewhere.
        const std::uint32_t dword = reg < 4 ? 0x73BF'1002u : 0x5500'0000u | (reg & ~3u);
        const std::uint32_t v = dword >> (8 * (reg & 3));
        return size == 4 ? v : v & ((1u << (8 * size)) - 1);
    }
    void config_write(std::uint16_t reg, std::uint8_t size, std::uint32_t value) override {
        writes.push_back({reg, size, value});
    }
};

constexpr std::uint64_t kBarBase = 0xC000'0000;  // a trapped MMIO range, below the ECAM window
constexpr std::uint64_t kBarSize = 0x4000;
constexpr std::uint16_t kIoBar = 0xC000;  // an I/O BAR no fixed device uses
constexpr std::uint16_t kIoBarSize = 0x40;

constexpr std::uint32_t cf8(std::uint8_t device, std::uint8_t function, std::uint8_t reg) {
    return 0x8000'0000u | std::uint32_t{device} << 11 | std::uint32_t{function} << 8 | reg;
}

struct VirtualPlatformRegions : ::testing::Test {
    FakeClock clock;
    FakeVm vm;
    RecordingBus bus;
    VirtualPlatform p{vm, bus, clock, 1'700'000'000};
    FakeMmio mmio;
    FakePorts ports;
    FakeFunction fn;
    void SetUp() override { p.reset(2, 256ull << 20, 0); }
    std::uint32_t config_read(std::uint32_t address, std::uint8_t size = 4,
                              std::uint8_t data_offset = 0) {
        p.port_write(platform::kPciConfigAddressPort, 4, address);
        return p.port_read(static_cast<std::uint16_t>(platform::kPciConfigDataPort + data_offset),
                           size);
    }
};

TEST_F(VirtualPlatformRegions, ClaimsMmioOnlyInsideAnAddedRegion) {
    EXPECT_FALSE(p.claims_mmio(kBarBase));
    ASSERT_TRUE(p.mmio_regions().add(kBarBase, kBarSize, mmio).ok());
    EXPECT_TRUE(p.claims_mmio(kBarBase));
    EXPECT_TRUE(p.claims_mmio(kBarBase + kBarSize - 1));
    EXPECT_FALSE(p.claims_mmio(kBarBase - 1));
    EXPECT_FALSE(p.claims_mmio(kBarBase + kBarSize));
    // The fixed windows are claimed regardless.
    EXPECT_TRUE(p.claims_mmio(platform::kIoapicBase));
    EXPECT_TRUE(p.claims_mmio(platform::kEcamBase));
}

TEST_F(VirtualPlatformRegions, MmioReachesTheDeviceWithTheOffsetFromTheRegionBase) {
    ASSERT_TRUE(p.mmio_regions().add(kBarBase, kBarSize, mmio).ok());
    EXPECT_EQ(p.mmio_read(kBarBase + 0x1234, 4), 0xD000'1234u);
    ASSERT_EQ(mmio.reads.size(), 1u);
    EXPECT_EQ(mmio.reads[0], (Access{0x1234, 4, 0}));

    p.mmio_write(kBarBase + 0x3FF8, 8, 0x0123'4567'89AB'CDEFull);
    ASSERT_EQ(mmio.writes.size(), 1u);
    EXPECT_EQ(mmio.writes[0], (Access{0x3FF8, 8, 0x0123'4567'89AB'CDEFull}));
}

TEST_F(VirtualPlatformRegions, MmioOutsideEveryRegionReadsAllOnesAndIsDropped) {
    ASSERT_TRUE(p.mmio_regions().add(kBarBase, kBarSize, mmio).ok());
    EXPECT_EQ(p.mmio_read(kBarBase + kBarSize, 4), 0xFFFF'FFFFu);
    EXPECT_EQ(p.mmio_read(kBarBase - 2, 2), 0xFFFFu);
    p.mmio_write(kBarBase + kBarSize, 4, 1);
    EXPECT_TRUE(mmio.reads.empty());
    EXPECT_TRUE(mmio.writes.empty());
}

TEST_F(VirtualPlatformRegions, MovedAndRemovedMmioRegionsFollowTheTable) {
    auto id = p.mmio_regions().add(kBarBase, kBarSize, mmio);
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(p.mmio_regions().move(id.value(), kBarBase + 0x10'0000).ok());
    EXPECT_FALSE(p.claims_mmio(kBarBase));
    EXPECT_EQ(p.mmio_read(kBarBase + 0x10'0010, 4), 0xD000'0010u);
    p.mmio_regions().remove(id.value());
    EXPECT_FALSE(p.claims_mmio(kBarBase + 0x10'0010));
    EXPECT_EQ(p.mmio_read(kBarBase + 0x10'0010, 4), 0xFFFF'FFFFu);
    EXPECT_EQ(mmio.reads.size(), 1u);
}

TEST_F(VirtualPlatformRegions, IoapicWinsOverAnMmioRegionOnTopOfIt) {
    ASSERT_TRUE(p.mmio_regions().add(platform::kIoapicBase, 0x2000, mmio).ok());
    p.mmio_write(platform::kIoapicBase, 4, 0);  // IOREGSEL = ID
    EXPECT_EQ(p.mmio_read(platform::kIoapicBase + 0x10, 4) >> 24, 2u);
    EXPECT_TRUE(mmio.reads.empty());
    EXPECT_TRUE(mmio.writes.empty());
    // Past the I/O APIC page the region answers, with its own offset.
    EXPECT_EQ(p.mmio_read(platform::kIoapicBase + 0x1008, 4), 0xD000'1008u);
}

TEST_F(VirtualPlatformRegions, PortsReachTheDeviceWithTheOffsetFromTheRegionBase) {
    ASSERT_TRUE(p.port_regions().add(kIoBar, kIoBarSize, ports).ok());
    EXPECT_EQ(p.port_read(kIoBar + 0x10, 2), 0xA510u);
    ASSERT_EQ(ports.reads.size(), 1u);
    EXPECT_EQ(ports.reads[0], (Access{0x10, 2, 0}));

    p.port_write(kIoBar + kIoBarSize - 4, 4, 0xCAFE'F00D);
    ASSERT_EQ(ports.writes.size(), 1u);
    EXPECT_EQ(ports.writes[0], (Access{kIoBarSize - 4, 4, 0xCAFE'F00D}));
}

TEST_F(VirtualPlatformRegions, UnclaimedPortsStillReadAllOnes) {
    ASSERT_TRUE(p.port_regions().add(kIoBar, kIoBarSize, ports).ok());
    EXPECT_EQ(p.port_read(kIoBar + kIoBarSize, 1), 0xFFu);
    EXPECT_EQ(p.port_read(kIoBar - 2, 2), 0xFFFFu);
    EXPECT_EQ(p.port_read(0x1234, 4), 0xFFFF'FFFFu);
    p.port_write(kIoBar + kIoBarSize, 1, 0x55);
    EXPECT_TRUE(ports.reads.empty());
    EXPECT_TRUE(ports.writes.empty());
}

TEST_F(VirtualPlatformRegions, Com1WinsOverAPortRegionOnTopOfIt) {
    ASSERT_TRUE(p.port_regions().add(0x3F0, 0x10, ports).ok());
    for (char c : std::string("hi\n"))
        p.port_write(platform::kCom1Port, 1, static_cast<std::uint8_t>(c));
    ASSERT_EQ(vm.lines.size(), 1u);
    EXPECT_EQ(vm.lines[0], "hi");
    EXPECT_NE(p.port_read(platform::kCom1Port + 5, 1), 0xA500u + 0x3FDu);  // LSR from the UART
    EXPECT_TRUE(ports.reads.empty());
    EXPECT_TRUE(ports.writes.empty());
    // Below COM1 the region answers.
    EXPECT_EQ(p.port_read(0x3F0 + 2, 1), 0xA502u);
}

TEST_F(VirtualPlatformRegions, PciHostBridgeWinsOverAPortRegionOnTopOfIt) {
    ASSERT_TRUE(p.port_regions().add(0xCF8, 8, ports).ok());
    EXPECT_EQ(config_read(cf8(0, 0, 0)), 0x29C0'8086u);
    EXPECT_TRUE(ports.reads.empty());
    EXPECT_TRUE(ports.writes.empty());
}

TEST_F(VirtualPlatformRegions, AttachedFunctionAnswersConfigReadsThroughCf8) {
    EXPECT_EQ(config_read(cf8(1, 0, 0)), 0xFFFF'FFFFu);  // absent before
    ASSERT_TRUE(p.attach_pci(pci::Bdf(0, 0, 1, 0), fn).ok());
    EXPECT_EQ(config_read(cf8(1, 0, 0)), 0x73BF'1002u);
    ASSERT_EQ(fn.reads.size(), 1u);
    EXPECT_EQ(fn.reads[0], (FakeFunction::Call{0, 4, 0}));
    // A word at 0xCFE is register + 2.
    EXPECT_EQ(config_read(cf8(1, 0, 0), 2, 2), 0x73BFu);
    EXPECT_EQ(fn.reads.back(), (FakeFunction::Call{2, 2, 0}));
    EXPECT_EQ(config_read(cf8(1, 0, 0x10)), 0x5500'0010u);
    // And through ECAM: 00:01.0 is at 1 << 15.
    EXPECT_EQ(p.mmio_read(platform::kEcamBase + (1u << 15) + 0x10, 4), 0x5500'0010u);
    // Writes reach it too.
    p.port_write(platform::kPciConfigAddressPort, 4, cf8(1, 0, 0x04));
    p.port_write(platform::kPciConfigDataPort, 2, 0x0006);
    ASSERT_EQ(fn.writes.size(), 1u);
    EXPECT_EQ(fn.writes[0], (FakeFunction::Call{4, 2, 0x0006}));
    // Other functions are still absent; the host bridge is still there.
    EXPECT_EQ(config_read(cf8(2, 0, 0)), 0xFFFF'FFFFu);
    EXPECT_EQ(config_read(cf8(0, 0, 0)), 0x29C0'8086u);
}

TEST_F(VirtualPlatformRegions, DetachedFunctionReadsAllOnes) {
    ASSERT_TRUE(p.attach_pci(pci::Bdf(0, 0, 1, 0), fn).ok());
    ASSERT_EQ(config_read(cf8(1, 0, 0)), 0x73BF'1002u);
    p.detach_pci(pci::Bdf(0, 0, 1, 0));
    const std::size_t reads = fn.reads.size();
    EXPECT_EQ(config_read(cf8(1, 0, 0)), 0xFFFF'FFFFu);
    EXPECT_EQ(p.mmio_read(platform::kEcamBase + (1u << 15), 4), 0xFFFF'FFFFu);
    EXPECT_EQ(fn.reads.size(), reads);
    // The slot is free again.
    EXPECT_TRUE(p.attach_pci(pci::Bdf(0, 0, 1, 0), fn).ok());
}

TEST_F(VirtualPlatformRegions, AttachRefusesTakenSlotsAndOtherBuses) {
    ASSERT_TRUE(p.attach_pci(pci::Bdf(0, 0, 1, 0), fn).ok());
    FakeFunction other;
    EXPECT_FALSE(p.attach_pci(pci::Bdf(0, 0, 1, 0), other).ok());
    EXPECT_FALSE(p.attach_pci(pci::Bdf(0, 0, 0, 0), other).ok());  // the host bridge
    EXPECT_FALSE(p.attach_pci(pci::Bdf(0, 1, 0, 0), other).ok());
    EXPECT_EQ(config_read(cf8(1, 0, 0)), 0x73BF'1002u);  // still the first one
    EXPECT_TRUE(other.reads.empty());
    // Detaching the host bridge is ignored.
    p.detach_pci(pci::Bdf(0, 0, 0, 0));
    EXPECT_EQ(config_read(cf8(0, 0, 0)), 0x29C0'8086u);
}

}  // namespace
}  // namespace hv::vmm
