#include "drivers/pci/describe.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/pci/fake_config_space.hpp"

namespace hv::pci {
namespace {

using testing::FakeConfigSpace;

PciFunction probe_one(FakeConfigSpace& cs) {
    FunctionList list;
    auto r = enumerate(cs, 0, 0, 0xff, list);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(list.size(), 1u);
    return list[0];
}

TEST(Describe, FunctionLineShowsBdfIdsAndClass) {
    FakeConfigSpace cs;
    testing::add_edu(cs, Bdf(0, 0, 4, 0));
    BufferSink<128> out;
    format_function_line(out, probe_one(cs));
    EXPECT_STREQ(out.c_str(), "0000:00:04.0 1234:11e8 class=00ff00");
}

TEST(Describe, BarsListEachPresentSlotWithKindBaseAndSize) {
    Bars bars;
    bars.slot_count = kType0BarCount;
    bars.bar[0] = Bar{BarKind::kMem32, false, 0xfea00000, 0x100000};
    bars.bar[2] = Bar{BarKind::kMem64, true, 0x800000000, 0x10000000};
    bars.bar[4] = Bar{BarKind::kIo, false, 0xc000, 0x20};
    BufferSink<256> out;
    format_bars(out, bars);
    EXPECT_STREQ(out.c_str(),
                 "bar0=mem32 0xfea00000 size=0x100000 bar2=mem64 pref 0x800000000 "
                 "size=0x10000000 bar4=io 0xc000 size=0x20");
}

TEST(Describe, BarsEndWithExpansionRom) {
    FakeConfigSpace cs;
    auto& fn = testing::add_edu(cs, Bdf(0, 0, 4, 0));
    fn.rom(offset(Reg32::kType0ExpansionRom), 0xfeb80000, 256u << 10);
    BufferSink<256> out;
    format_bars(out, probe_one(cs).bars);
    EXPECT_STREQ(out.c_str(), "bar0=mem32 0xfea00000 size=0x100000 rom=0xfeb80000 size=0x40000");
}

TEST(Describe, BarsSayNoneWhenNothingIsImplemented) {
    FakeConfigSpace cs;
    testing::add_q35_host_bridge(cs, Bdf(0, 0, 0, 0));
    BufferSink<64> out;
    format_bars(out, probe_one(cs).bars);
    EXPECT_STREQ(out.c_str(), "bars=none");
}

TEST(Describe, CapabilitiesOfEdu) {
    FakeConfigSpace cs;
    testing::add_edu(cs, Bdf(0, 0, 4, 0));
    BufferSink<128> out;
    format_capabilities(out, probe_one(cs).caps);
    EXPECT_STREQ(out.c_str(), "caps=msi(64bit,vectors=1)");
}

TEST(Describe, CapabilitiesOfNvme) {
    FakeConfigSpace cs;
    testing::add_nvme(cs, Bdf(0, 0, 5, 0));
    BufferSink<128> out;
    format_capabilities(out, probe_one(cs).caps);
    EXPECT_STREQ(out.c_str(), "caps=pm,msix(table=65),pcie(endpoint,flr),sriov(total_vfs=8),ari");
}

TEST(Describe, CapabilitiesInContractOrder) {
    Capabilities caps;
    caps.pm.offset = 0x40;
    caps.msi = MsiCap{0x50, true, true, 0};
    caps.msix.offset = 0x70;
    caps.msix.table_size = 8;
    caps.pcie = PcieCap{0x80, 2, PciePortType::kRootPort, true};
    caps.sriov.offset = 0x160;
    caps.sriov.total_vfs = 8;
    caps.acs.offset = 0x148;
    caps.ari.offset = 0x180;
    BufferSink<256> out;
    format_capabilities(out, caps);
    EXPECT_STREQ(out.c_str(),
                 "caps=pm,msi(64bit,maskable,vectors=1),msix(table=8),pcie(root-port,flr),"
                 "sriov(total_vfs=8),acs,ari");
}

TEST(Describe, CapabilitiesSayNoneWhenEmpty) {
    BufferSink<64> out;
    format_capabilities(out, Capabilities{});
    EXPECT_STREQ(out.c_str(), "caps=none");
}

TEST(Describe, CapabilitiesFlagMalformedLists) {
    Capabilities caps;
    caps.pm.offset = 0x40;
    caps.legacy_malformed = true;
    BufferSink<64> out;
    format_capabilities(out, caps);
    EXPECT_STREQ(out.c_str(), "caps=pm,malformed");
    out.clear();
    format_capabilities(out, Capabilities{.extended_malformed = true});
    EXPECT_STREQ(out.c_str(), "caps=malformed");
}

}  // namespace
}  // namespace hv::pci
