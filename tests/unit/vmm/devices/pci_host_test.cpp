#include "vmm/devices/pci_host.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hv::vmm {
namespace {

constexpr std::uint16_t kCf8 = 0xCF8, kCfc = 0xCFC;
constexpr std::uint32_t kEnable = 0x8000'0000;

// CONFIG_ADDRESS for bus/device/function/register (PCI 3.0 fig. 3-2).
constexpr std::uint32_t cf8(std::uint8_t bus, std::uint8_t dev, std::uint8_t fn, std::uint8_t reg) {
    return kEnable | std::uint32_t{bus} << 16 | std::uint32_t{dev} << 11 | std::uint32_t{fn} << 8 |
           reg;
}
// ECAM offset (PCIe 5.0 sec 7.2.2).
constexpr std::uint64_t ecam(std::uint8_t bus, std::uint8_t dev, std::uint8_t fn,
                             std::uint16_t reg) {
    return std::uint64_t{bus} << 20 | std::uint64_t{dev} << 15 | std::uint64_t{fn} << 12 | reg;
}

struct Access {
    std::uint16_t reg;
    std::uint8_t size;
    std::uint32_t value;
    bool operator==(const Access&) const = default;
};

// A function whose configuration space is a byte array, logging every call.
struct FakeFunction final : PciFunction {
    std::uint8_t space[4096] = {};
    std::vector<Access> reads, writes;

    std::uint32_t config_read(std::uint16_t reg, std::uint8_t size) override {
        std::uint32_t v = 0;
        for (std::uint8_t i = 0; i < size; ++i) v |= std::uint32_t{space[reg + i]} << (8 * i);
        reads.push_back({reg, size, v});
        return v;
    }
    void config_write(std::uint16_t reg, std::uint8_t size, std::uint32_t value) override {
        writes.push_back({reg, size, value});
        for (std::uint8_t i = 0; i < size; ++i)
            space[reg + i] = static_cast<std::uint8_t>(value >> (8 * i));
    }
};

struct Host {
    PciHost pci;
    std::uint32_t in(std::uint16_t port, std::uint8_t size) { return pci.port_read(port, size); }
    void out(std::uint16_t port, std::uint8_t size, std::uint32_t v) {
        pci.port_write(port, size, v);
    }
    std::uint32_t read_cf8(std::uint32_t address, std::uint8_t size = 4, std::uint8_t off = 0) {
        out(kCf8, 4, address);
        return in(static_cast<std::uint16_t>(kCfc + off), size);
    }
};

TEST(PciHost, ConfigAddressLatchesDwordWritesAndZeroesReservedBits) {
    Host h;
    h.out(kCf8, 4, 0xFFFF'FFFF);
    EXPECT_EQ(h.in(kCf8, 4), 0x80FF'FFFCu);
}

TEST(PciHost, NarrowAccessesToConfigAddressAreNotConfigAddress) {
    Host h;
    h.out(kCf8, 4, cf8(0, 0, 0, 0));
    h.out(kCf8, 1, 0x12);
    h.out(kCf8 + 2, 2, 0x3456);
    EXPECT_EQ(h.in(kCf8, 4), cf8(0, 0, 0, 0));
    EXPECT_EQ(h.in(kCf8, 1), 0xFFu);
    EXPECT_EQ(h.in(kCf8 + 1, 1), 0xFFu);
}

TEST(PciHost, DataReadsAllOnesWithoutTheEnableBit) {
    Host h;
    EXPECT_EQ(h.read_cf8(cf8(0, 0, 0, 0) & ~kEnable), 0xFFFF'FFFFu);
    EXPECT_EQ(h.read_cf8(cf8(0, 0, 0, 0) & ~kEnable, 1, 2), 0xFFu);
    EXPECT_EQ(h.read_cf8(cf8(0, 0, 0, 0)), 0x29C0'8086u);
}

TEST(PciHost, DataWritesWithoutTheEnableBitVanish) {
    Host h;
    FakeFunction f;
    ASSERT_TRUE(h.pci.attach(pci::Bdf(0, 0, 1, 0), f).ok());
    h.out(kCf8, 4, cf8(0, 1, 0, 0x40) & ~kEnable);
    h.out(kCfc, 4, 0x1234'5678);
    EXPECT_TRUE(f.writes.empty());
}

TEST(PciHost, HostBridgeIdentityThroughMechanismOne) {
    Host h;
    EXPECT_EQ(h.read_cf8(cf8(0, 0, 0, 0x00)), 0x29C0'8086u);
    EXPECT_EQ(h.read_cf8(cf8(0, 0, 0, 0x08)) >> 8, 0x06'00'00u);  // host bridge class
    EXPECT_EQ(h.read_cf8(cf8(0, 0, 0, 0x0C), 1, 2), 0x00u);       // header type 0
}

TEST(PciHost, HostBridgeIdentityThroughEcam) {
    Host h;
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 0, 0, 0x00), 4), 0x29C0'8086u);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 0, 0, 0x00), 2), 0x8086u);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 0, 0, 0x02), 2), 0x29C0u);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 0, 0, 0x0A), 2), 0x0600u);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 0, 0, 0x0B), 1), 0x06u);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 0, 0, 0x00), 8), 0x0000'0006'29C0'8086u);  // + command
}

TEST(PciHost, DataPortOffsetsSelectTheBytesOfTheRegister) {
    Host h;
    h.out(kCf8, 4, cf8(0, 0, 0, 0x00));
    EXPECT_EQ(h.in(kCfc, 1), 0x86u);
    EXPECT_EQ(h.in(kCfc + 1, 1), 0x80u);
    EXPECT_EQ(h.in(kCfc + 2, 1), 0xC0u);
    EXPECT_EQ(h.in(kCfc + 3, 1), 0x29u);
    EXPECT_EQ(h.in(kCfc, 2), 0x8086u);
    EXPECT_EQ(h.in(kCfc + 2, 2), 0x29C0u);
    EXPECT_EQ(h.in(kCfc + 1, 2), 0xC080u);  // misaligned but inside the dword
    h.out(kCf8, 4, cf8(0, 0, 0, 0x08));
    EXPECT_EQ(h.in(kCfc + 3, 1), 0x06u);
}

TEST(PciHost, BytesPastTheDataPortsReadAllOnes) {
    Host h;
    h.out(kCf8, 4, cf8(0, 0, 0, 0x00));
    EXPECT_EQ(h.in(kCfc + 3, 2), 0xFF29u);
    EXPECT_EQ(h.in(kCfc + 2, 4), 0xFFFF'29C0u);
}

TEST(PciHost, AttachedFunctionSeesWritesAtTheAddressedRegister) {
    Host h;
    FakeFunction f;
    ASSERT_TRUE(h.pci.attach(pci::Bdf(0, 0, 3, 0), f).ok());
    h.out(kCf8, 4, cf8(0, 3, 0, 0x3C));
    h.out(kCfc + 2, 1, 0xAB);
    h.out(kCfc, 2, 0x1234);
    h.out(kCfc, 4, 0xDEAD'BEEF);
    h.pci.mmio_write(ecam(0, 3, 0, 0x10), 4, 0xFFFF'FFFF);
    h.pci.mmio_write(ecam(0, 3, 0, 0x104), 2, 0x5555);
    const std::vector<Access> want = {{0x3E, 1, 0xAB},
                                      {0x3C, 2, 0x1234},
                                      {0x3C, 4, 0xDEAD'BEEF},
                                      {0x10, 4, 0xFFFF'FFFF},
                                      {0x104, 2, 0x5555}};
    EXPECT_EQ(f.writes, want);
}

TEST(PciHost, FunctionNumberSelectsTheFunction) {
    Host h;
    FakeFunction f0, f2;
    f0.space[0] = 0x10;
    f2.space[0] = 0x12;
    ASSERT_TRUE(h.pci.attach(pci::Bdf(0, 0, 7, 0), f0).ok());
    ASSERT_TRUE(h.pci.attach(pci::Bdf(0, 0, 7, 2), f2).ok());
    EXPECT_EQ(h.read_cf8(cf8(0, 7, 2, 0), 1), 0x12u);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 7, 0, 0), 1), 0x10u);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 7, 1, 0), 1), 0xFFu);
}

TEST(PciHost, MisalignedAccessesReachTheFunctionAsBytes) {
    Host h;
    FakeFunction f;
    ASSERT_TRUE(h.pci.attach(pci::Bdf(0, 0, 1, 0), f).ok());
    h.pci.mmio_write(ecam(0, 1, 0, 0x41), 2, 0xBBAA);
    const std::vector<Access> want = {{0x41, 1, 0xAA}, {0x42, 1, 0xBB}};
    EXPECT_EQ(f.writes, want);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 1, 0, 0x41), 2), 0xBBAAu);
    EXPECT_EQ(f.reads.size(), 2u);
}

TEST(PciHost, AlignedQwordEcamAccessIsTwoDwords) {
    Host h;
    FakeFunction f;
    ASSERT_TRUE(h.pci.attach(pci::Bdf(0, 0, 1, 0), f).ok());
    h.pci.mmio_write(ecam(0, 1, 0, 0x18), 8, 0x1111'2222'3333'4444);
    const std::vector<Access> want = {{0x18, 4, 0x3333'4444}, {0x1C, 4, 0x1111'2222}};
    EXPECT_EQ(f.writes, want);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 1, 0, 0x18), 8), 0x1111'2222'3333'4444u);
}

TEST(PciHost, AbsentFunctionsReadAllOnes) {
    Host h;
    EXPECT_EQ(h.read_cf8(cf8(0, 5, 0, 0)), 0xFFFF'FFFFu);
    EXPECT_EQ(h.read_cf8(cf8(0, 5, 0, 0), 2, 2), 0xFFFFu);
    EXPECT_EQ(h.read_cf8(cf8(0, 0, 1, 0)), 0xFFFF'FFFFu);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 5, 0, 0), 1), 0xFFu);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 5, 0, 0), 2), 0xFFFFu);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 31, 7, 0xFFC), 4), 0xFFFF'FFFFu);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 5, 0, 0), 8), ~std::uint64_t{0});
    h.pci.mmio_write(ecam(0, 5, 0, 0x04), 4, 0x7);  // dropped
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 5, 0, 0x04), 4), 0xFFFF'FFFFu);
}

TEST(PciHost, OtherBusesAreAbsentThroughBothMechanisms) {
    Host h;
    FakeFunction f;
    ASSERT_TRUE(h.pci.attach(pci::Bdf(0, 0, 2, 0), f).ok());
    EXPECT_EQ(h.read_cf8(cf8(1, 2, 0, 0)), 0xFFFF'FFFFu);
    EXPECT_EQ(h.read_cf8(cf8(1, 0, 0, 0)), 0xFFFF'FFFFu);
    EXPECT_EQ(h.pci.mmio_read(ecam(1, 0, 0, 0), 4), 0xFFFF'FFFFu);  // beyond the one-bus window
    EXPECT_EQ(h.pci.mmio_read(ecam(255, 2, 0, 0), 2), 0xFFFFu);
    h.out(kCf8, 4, cf8(1, 2, 0, 0));
    h.out(kCfc, 4, 0);
    h.pci.mmio_write(ecam(1, 2, 0, 0), 4, 0);
    EXPECT_TRUE(f.writes.empty());
}

TEST(PciHost, MechanismOneCannotReachExtendedSpace) {
    Host h;
    FakeFunction f;
    ASSERT_TRUE(h.pci.attach(pci::Bdf(0, 0, 1, 0), f).ok());
    // AMD's extended-register bits 27:24 are reserved here: the access goes to register 0x00.
    h.out(kCf8, 4, cf8(0, 1, 0, 0x00) | 0x0F00'0000);
    EXPECT_EQ(h.in(kCf8, 4), cf8(0, 1, 0, 0x00));
    h.out(kCfc, 4, 1);
    const std::vector<Access> want = {{0x00, 4, 1}};
    EXPECT_EQ(f.writes, want);
}

TEST(PciHost, AttachRefusesOtherBusesAndTakenSlots) {
    Host h;
    FakeFunction f, g;
    EXPECT_FALSE(h.pci.attach(pci::Bdf(0, 1, 0, 0), f).ok());
    EXPECT_FALSE(h.pci.attach(pci::Bdf(1, 0, 0, 0), f).ok());
    EXPECT_FALSE(h.pci.attach(pci::Bdf(0, 0, 0, 0), f).ok());  // the host bridge
    EXPECT_TRUE(h.pci.attach(pci::Bdf(0, 0, 4, 0), f).ok());
    EXPECT_FALSE(h.pci.attach(pci::Bdf(0, 0, 4, 0), g).ok());
}

TEST(PciHost, DetachMakesAFunctionAbsentButKeepsTheHostBridge) {
    Host h;
    FakeFunction f;
    ASSERT_TRUE(h.pci.attach(pci::Bdf(0, 0, 4, 0), f).ok());
    h.pci.detach(pci::Bdf(0, 0, 4, 0));
    h.pci.detach(pci::Bdf(0, 0, 0, 0));
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 4, 0, 0), 4), 0xFFFF'FFFFu);
    EXPECT_EQ(h.pci.mmio_read(ecam(0, 0, 0, 0), 4), 0x29C0'8086u);
}

TEST(PciHostBridge, CommandKeepsDecodingOnAndTakesOnlyErrorEnables) {
    PciHostBridge b;
    EXPECT_EQ(b.config_read(0x04, 2), 0x0006u);
    b.config_write(0x04, 4, 0xFFFF'FFFF);
    EXPECT_EQ(b.config_read(0x04, 4), 0x0000'0146u);  // status stays 0
    b.config_write(0x05, 1, 0x00);
    EXPECT_EQ(b.config_read(0x04, 2), 0x0046u);
    b.config_write(0x04, 1, 0x00);
    EXPECT_EQ(b.config_read(0x04, 2), 0x0006u);
}

TEST(PciHostBridge, BarsAndRomAreNotImplemented) {
    PciHostBridge b;
    for (std::uint16_t bar = 0x10; bar <= 0x24; bar += 4) {
        b.config_write(bar, 4, 0xFFFF'FFFF);  // Linux's BAR sizing probe
        EXPECT_EQ(b.config_read(bar, 4), 0u);
    }
    b.config_write(0x30, 4, 0xFFFF'F800);
    EXPECT_EQ(b.config_read(0x30, 4), 0u);
}

TEST(PciHostBridge, HasNoInterruptPinCapabilitiesOrExtendedCapabilities) {
    PciHostBridge b;
    EXPECT_EQ(b.config_read(0x06, 2) & 0x0010, 0u);  // status: no capability list
    EXPECT_EQ(b.config_read(0x3D, 1), 0u);
    EXPECT_EQ(b.config_read(0x100, 4), 0u);
}

}  // namespace
}  // namespace hv::vmm
