#include "vmm/msr_emulation.hpp"

#include <gtest/gtest.h>

namespace hv::vmm {
namespace {

// A vCPU with only the MSR-like state; the rest is unused by the MSR emulation.
class FakeVcpu final : public Vcpu {
  public:
    void load_state(const InitialState&) override {}
    const Exit& run() override { return exit_; }
    GuestRegisters& regs() override { return regs_; }
    ControlState control_state() const override { return {}; }
    void skip_instruction(const Exit&) override {}
    void inject_exception(std::uint8_t, bool, std::uint32_t) override {}
    bool interrupt_window_open() const override { return false; }
    void inject_interrupt(std::uint8_t) override {}
    void request_interrupt_window(bool) override {}
    std::uint64_t efer() const override { return efer_; }
    void set_efer(std::uint64_t v) override { efer_ = v; }
    std::uint64_t pat() const override { return pat_; }
    void set_pat(std::uint64_t v) override { pat_ = v; }
    std::uint64_t tsc_offset() const override { return offset_; }
    void set_tsc_offset(std::uint64_t v) override { offset_ = v; }
    void flush_translations() override {}

    std::uint64_t efer_ = 0, pat_ = 0x0007040600070406, offset_ = 0;

  private:
    Exit exit_{};
    GuestRegisters regs_{};
};

TEST(MsrEmulation, PatRejectsReservedMemoryTypes) {
    EXPECT_TRUE(pat_valid(0x0007040600070406));
    EXPECT_FALSE(pat_valid(0x0007040600070402));  // type 2 is reserved
    EXPECT_FALSE(pat_valid(0x0800000000000000));
}

TEST(MsrEmulation, PatWriteRoundTrips) {
    FakeVcpu v;
    ASSERT_TRUE(write_guest_msr(v, msr::kPat, 0x0106, 0));
    std::uint64_t out = 0;
    ASSERT_TRUE(read_guest_msr(v, 0, msr::kPat, out, 0));
    EXPECT_EQ(out, 0x0106u);
}

TEST(MsrEmulation, EferWriteKeepsLmaAndRejectsReservedBits) {
    FakeVcpu v;
    v.efer_ = 1ull << 10;  // LMA
    EXPECT_TRUE(write_guest_msr(v, msr::kEfer, (1ull << 8) | 1, 0));
    EXPECT_EQ(v.efer_, (1ull << 10) | (1ull << 8) | 1);
    EXPECT_FALSE(write_guest_msr(v, msr::kEfer, 1ull << 12, 0));  // SVME: not the guest's
}

TEST(MsrEmulation, TscWriteBecomesAnOffset) {
    FakeVcpu v;
    ASSERT_TRUE(write_guest_msr(v, msr::kTsc, 1000, 400));
    std::uint64_t out = 0;
    ASSERT_TRUE(read_guest_msr(v, 0, msr::kTsc, out, 500));
    EXPECT_EQ(out, 1100u);
}

TEST(MsrEmulation, UnlistedMsrsFault) {
    FakeVcpu v;
    std::uint64_t out = 0;
    EXPECT_FALSE(read_guest_msr(v, 0, 0xC001'0114, out, 0));  // VM_CR
    EXPECT_FALSE(write_guest_msr(v, msr::kFeatureControl, 5, 0));
    EXPECT_FALSE(read_guest_msr(v, 0, 0x1234'5678, out, 0));
}

}  // namespace
}  // namespace hv::vmm
