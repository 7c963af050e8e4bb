#include "arch/x86/iommu/vtd/regs.hpp"

#include <gtest/gtest.h>

namespace hv::vtd {
namespace {

// CAP_REG of the Intel 82Q45 GMCH's VT-d unit (its datasheet, "CAP_REG - Capability
// Register", default value): ND 2, RWBF, PLMR, PHMR, SAGAW 00010b, MGAW 23h, ZLR, FRO 20h,
// no SLLPS, PSI, NFR 0, MAMV 9, DWD, DRD.
constexpr Capability kQ45Cap{0x00C9008020E30272ull};

TEST(VtdCapability, DecodesQ45ChipsetValue) {
    EXPECT_EQ(kQ45Cap.domains(), 256u);
    EXPECT_TRUE(kQ45Cap.required_write_buffer_flush());
    EXPECT_TRUE(kQ45Cap.protected_low_memory());
    EXPECT_TRUE(kQ45Cap.protected_high_memory());
    EXPECT_FALSE(kQ45Cap.caching_mode());
    EXPECT_TRUE(kQ45Cap.supports(AddressWidth::k39Bit));
    EXPECT_FALSE(kQ45Cap.supports(AddressWidth::k48Bit));
    EXPECT_EQ(kQ45Cap.max_guest_address_width(), 36u);
    EXPECT_TRUE(kQ45Cap.zero_length_read());
    EXPECT_EQ(kQ45Cap.fault_recording_offset(), 0x200u);
    EXPECT_FALSE(kQ45Cap.second_level_2m());
    EXPECT_FALSE(kQ45Cap.second_level_1g());
    EXPECT_TRUE(kQ45Cap.page_selective_invalidation());
    EXPECT_EQ(kQ45Cap.fault_recording_count(), 1u);
    EXPECT_EQ(kQ45Cap.max_address_mask(), 9u);
    EXPECT_TRUE(kQ45Cap.write_draining());
    EXPECT_TRUE(kQ45Cap.read_draining());
}

TEST(VtdCapability, DecodesClientPlatformValue) {
    // ND 2, SAGAW 00100b (48-bit only), MGAW 26h, FRO 40h, SLLPS 0011b, NFR 0, DWD, DRD.
    constexpr Capability cap{0x01C0000C40660462ull};
    EXPECT_TRUE(cap.supports(AddressWidth::k48Bit));
    EXPECT_FALSE(cap.supports(AddressWidth::k39Bit));
    EXPECT_EQ(cap.max_guest_address_width(), 39u);
    EXPECT_EQ(cap.fault_recording_offset(), 0x400u);
    EXPECT_TRUE(cap.second_level_2m());
    EXPECT_TRUE(cap.second_level_1g());
    EXPECT_FALSE(cap.page_selective_invalidation());
    EXPECT_TRUE(cap.write_draining());
    EXPECT_TRUE(cap.read_draining());
}

TEST(VtdCapability, DomainCountIsFourToThePowerOfNdTimesSixteen) {
    EXPECT_EQ(Capability(0).domains(), 16u);
    EXPECT_EQ(Capability(6).domains(), 65536u);
}

TEST(VtdCapability, CachingModeIsBit7) { EXPECT_TRUE(Capability(1ull << 7).caching_mode()); }

TEST(VtdCapability, MaxPageFollowsSllps) {
    EXPECT_EQ(Capability(0).max_page(), paging::MaxPage::k4K);
    EXPECT_EQ(Capability(1ull << 34).max_page(), paging::MaxPage::k2M);
    EXPECT_EQ(Capability(3ull << 34).max_page(), paging::MaxPage::k1G);
    EXPECT_EQ(Capability(1ull << 35).max_page(), paging::MaxPage::k4K);
}

TEST(VtdCapability, AddressWidthNamesLevels) {
    EXPECT_EQ(levels(AddressWidth::k39Bit), 3u);
    EXPECT_EQ(levels(AddressWidth::k48Bit), 4u);
    EXPECT_EQ(levels(AddressWidth::k57Bit), 5u);
    EXPECT_TRUE(Capability(1ull << 11).supports(AddressWidth::k57Bit));
}

// ECAP 0xF050DA: QI, IR, EIM, PT, SC, IRO 050h, not coherent.
constexpr ExtendedCapability kEcap{0xF050DAull};

TEST(VtdExtendedCapability, DecodesFeatureBits) {
    EXPECT_FALSE(kEcap.coherent());
    EXPECT_TRUE(kEcap.queued_invalidation());
    EXPECT_FALSE(kEcap.device_tlb());
    EXPECT_TRUE(kEcap.interrupt_remapping());
    EXPECT_TRUE(kEcap.extended_interrupt_mode());
    EXPECT_TRUE(kEcap.pass_through());
    EXPECT_TRUE(kEcap.snoop_control());
    EXPECT_EQ(kEcap.iotlb_offset(), 0x500u);
    EXPECT_TRUE(ExtendedCapability(1).coherent());
}

TEST(VtdRegs, IotlbRegistersSitAtIro) {
    EXPECT_EQ(static_cast<std::uint32_t>(invalidate_address_register(kEcap)), 0x500u);
    EXPECT_EQ(static_cast<std::uint32_t>(iotlb_register(kEcap)), 0x508u);
}

TEST(VtdRegs, FaultRecordingRegistersSitAtFro) {
    EXPECT_EQ(static_cast<std::uint32_t>(fault_recording_register(kQ45Cap, 0, false)), 0x200u);
    EXPECT_EQ(static_cast<std::uint32_t>(fault_recording_register(kQ45Cap, 0, true)), 0x208u);
    EXPECT_EQ(static_cast<std::uint32_t>(fault_recording_register(kQ45Cap, 2, true)), 0x228u);
}

TEST(VtdRegs, OffsetsMatchTheSpec) {
    EXPECT_EQ(static_cast<std::uint32_t>(Reg32::kGlobalCommand), 0x18u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg32::kGlobalStatus), 0x1Cu);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg32::kFaultStatus), 0x34u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg32::kInvalidationCompletionStatus), 0x9Cu);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kRootTableAddress), 0x20u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kInvalidationQueueAddress), 0x90u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kInterruptRemappingTableAddress), 0xB8u);
}

TEST(VtdGlobalCommand, KeepsEnablesAndChangesOneBit) {
    const std::uint32_t status = 0x80000000u | 0x04000000u;  // TES | QIES
    EXPECT_EQ(global_command(status, GlobalBit::kInterruptRemappingEnable, true), 0x86000000u);
    EXPECT_EQ(global_command(status, GlobalBit::kTranslationEnable, false), 0x04000000u);
}

TEST(VtdGlobalCommand, DropsOneShotStatusBits) {
    // TES | RTPS | FLS | WBFS | IRTPS: only TE survives into the next command.
    const std::uint32_t status =
        0x80000000u | 0x40000000u | 0x20000000u | 0x08000000u | 0x01000000u;
    EXPECT_EQ(global_command(status, GlobalBit::kQueuedInvalidationEnable, true), 0x84000000u);
    EXPECT_EQ(global_command(0, GlobalBit::kSetRootTablePointer, true), 0x40000000u);
}

TEST(VtdFaultStatus, DecodesIndexAndClearsOnlyErrorBits) {
    const FaultStatus fsts(0x0300u | 0x40u | 0x02u | 0x01u);  // FRI 3, ITE, PPF, PFO
    EXPECT_EQ(fsts.fault_record_index(), 3u);
    EXPECT_TRUE(fsts.pending());
    EXPECT_TRUE(fsts.overflow());
    EXPECT_FALSE(fsts.queue_error());
    EXPECT_EQ(fsts.clear_errors(), 0x41u);
}

TEST(VtdRegs, EncodesTableAddressRegisters) {
    EXPECT_EQ(root_table_address(HostPhys(0x12345000)), 0x12345000u);
    EXPECT_EQ(invalidation_queue_address(HostPhys(0x200000), 1), 0x200001u);
    EXPECT_EQ(invalidation_queue_offset(5), 0x50u);
    EXPECT_EQ(invalidation_queue_index(0x7fff0), 0x7fffu);
    // 256 entries (S = 7), x2APIC IDs (EIME, bit 11).
    EXPECT_EQ(interrupt_remapping_table_address(HostPhys(0x300000), 8, true), 0x300807u);
    EXPECT_EQ(interrupt_remapping_table_address(HostPhys(0x300000), 16, false), 0x30000Fu);
}

TEST(VtdRegs, EncodesRegisterBasedInvalidations) {
    // CCMD: ICC (63), CIRG (62:61), SID (31:16), DID (15:0).
    EXPECT_EQ(context_command(InvalidationGranularity::kGlobal), 0xA000000000000000ull);
    EXPECT_EQ(context_command(InvalidationGranularity::kDevice, 5, 0x0108), 0xE000000001080005ull);
    // IOTLB_REG: IVT (63), IIRG (61:60), DR (49), DW (48), DID (47:32).
    EXPECT_EQ(iotlb_command(InvalidationGranularity::kDomain, 7, true, true),
              0xA003000700000000ull);
    EXPECT_EQ(iotlb_command(InvalidationGranularity::kGlobal, 0, false, false),
              0x9000000000000000ull);
}

TEST(VtdRegs, EventControlAndProtectedMemoryBits) {
    EXPECT_EQ(kEventInterruptMask, 0x80000000u);
    EXPECT_EQ(kEventInterruptPending, 0x40000000u);
    EXPECT_EQ(kEnableProtectedMemory, 0x80000000u);
    EXPECT_EQ(kProtectedRegionStatus, 1u);
    EXPECT_EQ(kInvalidationWaitComplete, 1u);
}

}  // namespace
}  // namespace hv::vtd
