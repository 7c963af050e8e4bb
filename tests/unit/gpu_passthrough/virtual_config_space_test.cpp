#include "gpu_passthrough/virtual_config_space.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace hv::passthrough {
namespace {

// A host function's configuration space as bytes, recording every dword written to it.
class FakeHost final : public HostConfig {
  public:
    std::uint32_t read32(std::uint16_t reg) override {
        return bytes[reg] | bytes[reg + 1] << 8 | bytes[reg + 2] << 16 |
               static_cast<std::uint32_t>(bytes[reg + 3]) << 24;
    }
    void write32(std::uint16_t reg, std::uint32_t value) override {
        writes.emplace_back(reg, value);
        if (reg == 0x04) {  // command: the only register this fake lets change
            bytes[4] = static_cast<std::uint8_t>(value);
            bytes[5] = static_cast<std::uint8_t>(value >> 8);
        }
    }
    void put(std::uint16_t reg, std::initializer_list<std::uint8_t> b) {
        for (std::uint8_t v : b) bytes[reg++] = v;
    }
    void put32(std::uint16_t reg, std::uint32_t v) {
        put(reg, {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                  static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)});
    }

    std::array<std::uint8_t, 4096> bytes{};
    std::vector<std::pair<std::uint16_t, std::uint32_t>> writes;
};

// QEMU's edu (hw/misc/edu.c): 1234:11e8 rev 0x10, class 00ff00, BAR0 1 MiB mem32, 64-bit MSI
// capability at 0x40 and nothing after it.
FakeHost edu_host() {
    FakeHost h;
    h.put(0x00, {0x34, 0x12, 0xe8, 0x11});  // vendor, device
    h.put(0x04, {0x06, 0x00, 0x10, 0x00});  // command: memory + bus master; status: cap list
    h.put(0x08, {0x10, 0x00, 0xff, 0x00});  // revision, prog-if, class
    h.put(0x0c, {0x00, 0x00, 0x00, 0x00});
    h.put(0x10, {0x00, 0x00, 0xa0, 0xfe});  // BAR0 0xfea00000, mem32
    h.put(0x2c, {0xf4, 0x1a, 0x00, 0x11});  // subsystem 1af4:1100
    h.put(0x34, {0x40});
    h.put(0x3c, {0x0b, 0x01});              // line 11, pin INTA
    h.put(0x40, {0x05, 0x00, 0x80, 0x00});  // MSI, end of list, 64-bit
    return h;
}

AssignedBars edu_bars() {
    AssignedBars b;
    b.bar[0] = {pci::BarKind::kMem32, false, 1u << 20, 0xc000'0000};
    return b;
}

// QEMU's nvme (hw/nvme/ctrl.c): 1b36:0010 rev 2, class 010802, BAR0/1 16 KiB mem64 with the
// MSI-X table at 0x2000 and PBA at 0x3000, 65 vectors. Capabilities MSI-X 0x40, PM 0x60,
// a vendor-specific capability 0x70 (which must not show), PCIe 0x80; AER at 0x100.
FakeHost nvme_host() {
    FakeHost h;
    h.put(0x00, {0x36, 0x1b, 0x10, 0x00});
    h.put(0x04, {0x06, 0x00, 0x10, 0x00});
    h.put(0x08, {0x02, 0x02, 0x08, 0x01});
    h.put(0x0c, {0x00, 0x00, 0x80, 0x00});  // header type: multi-function bit set
    h.put(0x10, {0x04, 0x00, 0xbd, 0xfe});  // BAR0 0xfebd0000, mem64
    h.put(0x14, {0x00, 0x00, 0x00, 0x00});
    h.put(0x2c, {0xf4, 0x1a, 0x00, 0x11});
    h.put(0x30, {0x00, 0x00, 0xb8, 0xfe});  // an expansion ROM the guest must not see
    h.put(0x34, {0x40});
    h.put(0x40, {0x11, 0x60, 0x40, 0x00});  // MSI-X, next 0x60, table size 65
    h.put(0x44, {0x00, 0x20, 0x00, 0x00});  // table BIR 0 offset 0x2000
    h.put(0x48, {0x00, 0x30, 0x00, 0x00});  // PBA BIR 0 offset 0x3000
    h.put(0x60, {0x01, 0x70, 0x03, 0x00});  // PM, next 0x70, version 3
    h.put(0x64, {0x08, 0x00, 0x00, 0x00});  // PMCSR: D0, no soft reset
    h.put(0x70, {0x09, 0x80, 0x08, 0x00});  // vendor-specific, next 0x80
    h.put(0x80, {0x10, 0x00, 0x02, 0x00});  // PCIe v2 endpoint, end of list
    h.put(0x84, {0x00, 0x80, 0x00, 0x10});  // device capabilities: FLR
    h.put32(0x100, 0x00010001);             // AER, end of extended list
    return h;
}

AssignedBars nvme_bars() {
    AssignedBars b;
    b.bar[0] = {pci::BarKind::kMem64, false, 16u << 10, 0x1'0000'0000};
    return b;
}

bool wrote_to(const FakeHost& h, std::uint16_t lo, std::uint16_t hi) {
    for (const auto& [reg, value] : h.writes) {
        if (reg >= lo && reg < hi) return true;
    }
    return false;
}

TEST(VirtualConfigSpace, IdentityRegistersReadThrough) {
    FakeHost host = edu_host();
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    EXPECT_EQ(vcs.value().config_read(0x00, 2), 0x1234u);
    EXPECT_EQ(vcs.value().config_read(0x02, 2), 0x11e8u);
    EXPECT_EQ(vcs.value().config_read(0x08, 4), 0x00ff0010u);
    EXPECT_EQ(vcs.value().config_read(0x2c, 4), 0x11001af4u);
    vcs.value().config_write(0x00, 4, 0xffffffff);
    EXPECT_TRUE(host.writes.empty());
}

TEST(VirtualConfigSpace, HeaderTypeHidesMultiFunctionAndBist) {
    FakeHost host = nvme_host();
    host.put(0x0f, {0x80});  // BIST capable
    auto vcs = VirtualConfigSpace::create(host, nvme_bars());
    ASSERT_TRUE(vcs.ok());
    EXPECT_EQ(vcs.value().config_read(0x0e, 1), 0x00u);
    EXPECT_EQ(vcs.value().config_read(0x0f, 1), 0x00u);
    vcs.value().config_write(0x0f, 1, 0x40);  // start BIST: dropped
    EXPECT_TRUE(host.writes.empty());
}

TEST(VirtualConfigSpace, Mem32BarSizingAsLinuxDoesIt) {
    FakeHost host = edu_host();
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    auto& f = vcs.value();
    // drivers/pci/probe.c: decode off, then read, write ~0, read, restore for each BAR.
    const auto cmd = static_cast<std::uint16_t>(f.config_read(0x04, 2));
    f.config_write(0x04, 2, cmd & ~0x3u);
    const std::uint32_t orig = f.config_read(0x10, 4);
    EXPECT_EQ(orig, 0xc0000000u);
    f.config_write(0x10, 4, 0xffffffff);
    EXPECT_EQ(f.config_read(0x10, 4), 0xfff00000u);
    f.config_write(0x10, 4, orig);
    EXPECT_EQ(f.config_read(0x10, 4), 0xc0000000u);
    f.config_write(0x04, 2, cmd);
    EXPECT_EQ(f.guest_bar_base(0), 0xc0000000u);
    EXPECT_FALSE(wrote_to(host, 0x10, 0x28));
}

TEST(VirtualConfigSpace, AbsentBarsReadZeroEvenWhenSized) {
    FakeHost host = edu_host();
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    for (std::uint16_t reg = 0x14; reg < 0x28; reg += 4) {
        vcs.value().config_write(reg, 4, 0xffffffff);
        EXPECT_EQ(vcs.value().config_read(reg, 4), 0u) << reg;
    }
}

TEST(VirtualConfigSpace, Mem64BarPairSizesAndMoves) {
    FakeHost host = nvme_host();
    auto vcs = VirtualConfigSpace::create(host, nvme_bars());
    ASSERT_TRUE(vcs.ok());
    auto& f = vcs.value();
    EXPECT_EQ(f.config_read(0x10, 4), 0x00000004u);
    EXPECT_EQ(f.config_read(0x14, 4), 0x00000001u);
    const std::uint32_t lo = f.config_read(0x10, 4);
    f.config_write(0x10, 4, 0xffffffff);
    EXPECT_EQ(f.config_read(0x10, 4), 0xffffc004u);
    f.config_write(0x10, 4, lo);
    const std::uint32_t hi = f.config_read(0x14, 4);
    f.config_write(0x14, 4, 0xffffffff);
    EXPECT_EQ(f.config_read(0x14, 4), 0xffffffffu);
    f.config_write(0x14, 4, hi);
    EXPECT_EQ(f.guest_bar_base(0), 0x1'0000'0000u);
    EXPECT_EQ(f.guest_bar_base(1), 0u);
    (void)f.take_mapping_change();

    f.config_write(0x10, 4, 0xfe004000);
    f.config_write(0x14, 4, 0x0);
    EXPECT_EQ(f.guest_bar_base(0), 0xfe004000u);
    EXPECT_TRUE(f.take_mapping_change());
    EXPECT_FALSE(f.take_mapping_change());
    EXPECT_FALSE(wrote_to(host, 0x10, 0x28));
}

TEST(VirtualConfigSpace, BarByteWritesMergeAndKeepTypeBits) {
    FakeHost host = edu_host();
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    vcs.value().config_write(0x13, 1, 0xd0);
    EXPECT_EQ(vcs.value().config_read(0x10, 4), 0xd0000000u);
    vcs.value().config_write(0x10, 1, 0xff);  // bits below 1 MiB are hardwired zero
    EXPECT_EQ(vcs.value().config_read(0x10, 4), 0xd0000000u);
}

TEST(VirtualConfigSpace, ExpansionRomIsHidden) {
    FakeHost host = nvme_host();
    auto vcs = VirtualConfigSpace::create(host, nvme_bars());
    ASSERT_TRUE(vcs.ok());
    EXPECT_EQ(vcs.value().config_read(0x30, 4), 0u);
    vcs.value().config_write(0x30, 4, 0xfffff801);
    EXPECT_EQ(vcs.value().config_read(0x30, 4), 0u);
    EXPECT_TRUE(host.writes.empty());
}

TEST(VirtualConfigSpace, CommandKeepsGuestBitsAndForwardsOnlyBusMaster) {
    FakeHost host = edu_host();
    host.put(0x04, {0x02, 0x04});  // host: memory decode, INTx disabled, no bus master
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    auto& f = vcs.value();
    EXPECT_EQ(f.config_read(0x04, 2), 0u);  // the guest starts with everything off
    f.config_write(0x04, 2, 0xffff);
    EXPECT_EQ(f.config_read(0x04, 2), 0x0407u);
    EXPECT_EQ(f.guest_command(), 0x0407u);
    ASSERT_EQ(host.writes.size(), 1u);
    EXPECT_EQ(host.writes[0].first, 0x04u);
    EXPECT_EQ(host.writes[0].second, 0x00000406u);  // bus master on; status half zero
    EXPECT_TRUE(f.take_mapping_change());

    f.config_write(0x04, 2, 0x0000);
    EXPECT_EQ(f.config_read(0x04, 2), 0u);
    ASSERT_EQ(host.writes.size(), 2u);
    EXPECT_EQ(host.writes[1].second, 0x00000402u);  // memory decode stays on at the host
}

TEST(VirtualConfigSpace, CommandByteWriteLeavesTheOtherByte) {
    FakeHost host = edu_host();
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    vcs.value().config_write(0x05, 1, 0x04);  // INTx disable
    vcs.value().config_write(0x04, 1, 0x02);  // memory
    EXPECT_EQ(vcs.value().config_read(0x04, 2), 0x0402u);
    // Only the low byte carries bus master: the guest's "off" reaches the host once, memory
    // decode at the host untouched.
    ASSERT_EQ(host.writes.size(), 1u);
    EXPECT_EQ(host.writes[0].second, 0x00000002u);
}

TEST(VirtualConfigSpace, StatusReadsThroughAndIgnoresRw1cWrites) {
    FakeHost host = edu_host();
    host.put(0x06, {0x10, 0x20});  // cap list + received master abort
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    EXPECT_EQ(vcs.value().config_read(0x06, 2), 0x2010u);
    vcs.value().config_write(0x06, 2, 0xffff);
    EXPECT_TRUE(host.writes.empty());
    EXPECT_EQ(vcs.value().config_read(0x06, 2), 0x2010u);
}

TEST(VirtualConfigSpace, InterruptPinHiddenAndLineVirtual) {
    FakeHost host = edu_host();
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    EXPECT_EQ(vcs.value().config_read(0x3d, 1), 0u);
    vcs.value().config_write(0x3c, 1, 10);
    EXPECT_EQ(vcs.value().config_read(0x3c, 2), 10u);
    EXPECT_TRUE(host.writes.empty());
}

// Walks the list as Linux's __pci_find_next_cap_ttl does: byte reads of pointer and ID.
std::vector<std::pair<std::uint8_t, std::uint8_t>> guest_caps(vmm::PciFunction& f) {
    std::vector<std::pair<std::uint8_t, std::uint8_t>> caps;
    if ((f.config_read(0x06, 2) & 0x10) == 0) return caps;
    auto pos = static_cast<std::uint8_t>(f.config_read(0x34, 1));
    for (int ttl = 48; ttl > 0 && pos >= 0x40; --ttl) {
        pos &= ~3;
        const auto id = static_cast<std::uint8_t>(f.config_read(pos, 1));
        caps.emplace_back(pos, id);
        pos = static_cast<std::uint8_t>(f.config_read(pos + 1, 1));
    }
    return caps;
}

TEST(VirtualConfigSpace, GuestSeesOnlyTheSafeCapabilitiesInHostOrder) {
    FakeHost host = nvme_host();
    auto vcs = VirtualConfigSpace::create(host, nvme_bars());
    ASSERT_TRUE(vcs.ok());
    const std::vector<std::pair<std::uint8_t, std::uint8_t>> want = {
        {0x40, 0x11}, {0x60, 0x01}, {0x80, 0x10}};
    EXPECT_EQ(guest_caps(vcs.value()), want);
    EXPECT_EQ(vcs.value().config_read(0x70, 4), 0u);  // the skipped capability is gone
    EXPECT_EQ(vcs.value().config_read(0x84, 4), 0x10008000u);
    EXPECT_EQ(vcs.value().config_read(0x64, 2), 0x0008u);
}

TEST(VirtualConfigSpace, EduGuestSeesItsMsiCapability) {
    FakeHost host = edu_host();
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    const std::vector<std::pair<std::uint8_t, std::uint8_t>> want = {{0x40, 0x05}};
    EXPECT_EQ(guest_caps(vcs.value()), want);
    EXPECT_EQ(vcs.value().msi_offset(), 0x40u);
}

TEST(VirtualConfigSpace, NoSafeCapabilitiesClearsTheListBit) {
    FakeHost host = edu_host();
    host.put(0x40, {0x09, 0x00, 0x00, 0x00});  // only a vendor-specific capability
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    EXPECT_EQ(vcs.value().config_read(0x06, 2) & 0x10, 0u);
    EXPECT_EQ(vcs.value().config_read(0x34, 1), 0u);
}

TEST(VirtualConfigSpace, CapabilityLoopInHostListTerminates) {
    FakeHost host = edu_host();
    host.put(0x40, {0x05, 0x40, 0x80, 0x00});  // MSI pointing at itself
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    EXPECT_EQ(guest_caps(vcs.value()).size(), 1u);
}

TEST(VirtualConfigSpace, ExtendedSpaceReadsZero) {
    FakeHost host = nvme_host();
    auto vcs = VirtualConfigSpace::create(host, nvme_bars());
    ASSERT_TRUE(vcs.ok());
    EXPECT_EQ(vcs.value().config_read(0x100, 4), 0u);
    EXPECT_EQ(vcs.value().config_read(0xffc, 4), 0u);
    vcs.value().config_write(0x100, 4, 0xffffffff);
    EXPECT_TRUE(host.writes.empty());
}

TEST(VirtualConfigSpace, MsiControlAdvertisesOneVector) {
    FakeHost host = edu_host();
    host.put(0x42, {0x86, 0x00});  // 64-bit, 8 vectors capable
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    EXPECT_EQ(vcs.value().config_read(0x42, 2), 0x0080u);
    vcs.value().config_write(0x42, 2, 0x0070);  // ask for 128 vectors: MME stays 0
    EXPECT_EQ(vcs.value().config_read(0x42, 2), 0x0080u);
}

TEST(VirtualConfigSpace, MsiProgrammingProducesTheGuestMessage) {
    FakeHost host = edu_host();
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    auto& f = vcs.value();
    // drivers/pci/msi: address low, address high, data (16-bit), then enable.
    f.config_write(0x44, 4, 0xfee01000);
    f.config_write(0x48, 4, 0x0);
    f.config_write(0x4c, 2, 0x0025);
    EXPECT_FALSE(f.take_msi_change().has_value());  // not enabled yet
    f.config_write(0x42, 2, 0x0081);
    const auto c = f.take_msi_change();
    ASSERT_TRUE(c.has_value());
    EXPECT_TRUE(c->enabled);
    EXPECT_TRUE(c->valid);
    EXPECT_EQ(c->message.vector, 0x25);
    EXPECT_EQ(c->message.destination, 1u);
    EXPECT_EQ(c->message.mode, vmm::DeliveryMode::kFixed);
    EXPECT_FALSE(f.take_msi_change().has_value());
    EXPECT_EQ(f.config_read(0x44, 4), 0xfee01000u);
    EXPECT_EQ(f.config_read(0x4c, 2), 0x25u);
    EXPECT_EQ(f.config_read(0x42, 2), 0x0081u);
    EXPECT_TRUE(host.writes.empty());  // the host's MSI is the hypervisor's
}

TEST(VirtualConfigSpace, MsiRetargetWhileEnabledAndDisableAreEvents) {
    FakeHost host = edu_host();
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    auto& f = vcs.value();
    f.config_write(0x44, 4, 0xfee00000);
    f.config_write(0x4c, 2, 0x0030);
    f.config_write(0x40, 4, 0x00810005);  // dword write of the header: enable
    ASSERT_TRUE(f.take_msi_change().has_value());
    f.config_write(0x44, 4, 0xfee03000);
    const auto moved = f.take_msi_change();
    ASSERT_TRUE(moved.has_value());
    EXPECT_EQ(moved->message.destination, 3u);
    f.config_write(0x42, 2, 0x0080);
    const auto off = f.take_msi_change();
    ASSERT_TRUE(off.has_value());
    EXPECT_FALSE(off->enabled);
}

TEST(VirtualConfigSpace, MsiBadGuestAddressIsReportedNotDelivered) {
    FakeHost host = edu_host();
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    auto& f = vcs.value();
    f.config_write(0x44, 4, 0xc0000000);  // DMA into guest RAM, not an interrupt
    f.config_write(0x42, 2, 0x0081);
    const auto c = f.take_msi_change();
    ASSERT_TRUE(c.has_value());
    EXPECT_TRUE(c->enabled);
    EXPECT_FALSE(c->valid);
    EXPECT_STREQ(c->reason, "msi address outside 0xfee00000-0xfeefffff");
}

TEST(VirtualConfigSpace, MsiPerVectorMaskIsVirtual) {
    FakeHost host = edu_host();
    host.put(0x42, {0x80, 0x01});  // 64-bit, per-vector masking: mask 0x50, pending 0x54
    host.put(0x54, {0x01});
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    auto& f = vcs.value();
    f.config_write(0x44, 4, 0xfee00000);
    f.config_write(0x42, 2, 0x0181);
    (void)f.take_msi_change();
    f.config_write(0x50, 4, 0xffffffff);
    EXPECT_EQ(f.config_read(0x50, 4), 1u);
    const auto c = f.take_msi_change();
    ASSERT_TRUE(c.has_value());
    EXPECT_TRUE(c->masked);
    EXPECT_EQ(f.config_read(0x54, 4), 1u);
    EXPECT_TRUE(host.writes.empty());
}

TEST(VirtualConfigSpace, MsixControlIsVirtualAndTableLocationReadsThrough) {
    FakeHost host = nvme_host();
    auto vcs = VirtualConfigSpace::create(host, nvme_bars());
    ASSERT_TRUE(vcs.ok());
    auto& f = vcs.value();
    EXPECT_EQ(f.msix_offset(), 0x40u);
    EXPECT_EQ(f.config_read(0x42, 2), 0x0040u);  // 65 vectors, disabled
    EXPECT_EQ(f.config_read(0x44, 4), 0x00002000u);
    EXPECT_EQ(f.config_read(0x48, 4), 0x00003000u);
    // Linux's msix_capability_init: enable with the function masked, then unmask.
    f.config_write(0x42, 2, 0xc000);
    auto c = f.take_msix_change();
    ASSERT_TRUE(c.has_value());
    EXPECT_TRUE(c->enabled);
    EXPECT_TRUE(c->function_masked);
    EXPECT_EQ(f.config_read(0x42, 2), 0xc040u);
    f.config_write(0x43, 1, 0x80);
    c = f.take_msix_change();
    ASSERT_TRUE(c.has_value());
    EXPECT_FALSE(c->function_masked);
    EXPECT_FALSE(f.take_msix_change().has_value());
    f.config_write(0x44, 4, 0x0);  // table offset is read-only
    EXPECT_EQ(f.config_read(0x44, 4), 0x00002000u);
    EXPECT_TRUE(host.writes.empty());
}

TEST(VirtualConfigSpace, PmAndPcieWritesAreDropped) {
    FakeHost host = nvme_host();
    auto vcs = VirtualConfigSpace::create(host, nvme_bars());
    ASSERT_TRUE(vcs.ok());
    vcs.value().config_write(0x64, 2, 0x0003);  // D3hot
    vcs.value().config_write(0x88, 2, 0x8000);  // initiate FLR
    EXPECT_TRUE(host.writes.empty());
}

TEST(VirtualConfigSpace, AccessesOutsideTheContractReadOnesAndWriteNothing) {
    FakeHost host = edu_host();
    auto vcs = VirtualConfigSpace::create(host, edu_bars());
    ASSERT_TRUE(vcs.ok());
    auto& f = vcs.value();
    EXPECT_EQ(f.config_read(0x01, 2), 0xffffu);  // misaligned word
    EXPECT_EQ(f.config_read(0x02, 4), 0xffffffffu);
    EXPECT_EQ(f.config_read(0x00, 3), 0xffffffu);
    EXPECT_EQ(f.config_read(0x1000, 4), 0xffffffffu);
    f.config_write(0x05, 2, 0xffff);
    f.config_write(0x04, 3, 0xffffff);
    f.config_write(0x0f, 8, 0);
    EXPECT_EQ(f.guest_command(), 0u);
    EXPECT_TRUE(host.writes.empty());
}

TEST(VirtualConfigSpace, CreateRejectsABarDescriptionTheHostDisagreesWith) {
    FakeHost host = edu_host();
    AssignedBars b = edu_bars();
    b.bar[0].kind = pci::BarKind::kMem64;
    EXPECT_FALSE(VirtualConfigSpace::create(host, b).ok());
    b = edu_bars();
    b.bar[0].prefetchable = true;
    EXPECT_FALSE(VirtualConfigSpace::create(host, b).ok());
}

TEST(VirtualConfigSpace, CreateRejectsBadSizesAndPlacements) {
    FakeHost host = edu_host();
    AssignedBars b = edu_bars();
    b.bar[0].size = 3 << 20;
    EXPECT_FALSE(VirtualConfigSpace::create(host, b).ok());
    b = edu_bars();
    b.bar[0].guest_base = 0xc008'0000;  // not aligned to 1 MiB
    EXPECT_FALSE(VirtualConfigSpace::create(host, b).ok());
    b = edu_bars();
    b.bar[0].guest_base = 0xfff0'0000ull + (1ull << 20);  // past 4 GiB
    EXPECT_FALSE(VirtualConfigSpace::create(host, b).ok());

    FakeHost nvme = nvme_host();
    AssignedBars n = nvme_bars();
    n.bar[1] = {pci::BarKind::kMem32, false, 4096, 0xc000'0000};  // upper half of BAR0
    EXPECT_FALSE(VirtualConfigSpace::create(nvme, n).ok());
    nvme.put(0x24, {0x04});
    AssignedBars last;
    last.bar[5] = {pci::BarKind::kMem64, false, 4096, 0x1'0000'0000};
    EXPECT_FALSE(VirtualConfigSpace::create(nvme, last).ok());
}

TEST(VirtualConfigSpace, CreateRejectsBridges) {
    FakeHost host = edu_host();
    host.put(0x0e, {0x01});
    const auto r = VirtualConfigSpace::create(host, AssignedBars{});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kUnsupported);
}

}  // namespace
}  // namespace hv::passthrough
