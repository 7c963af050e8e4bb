#include "vmm/devices/uart16550.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hv::vmm {
namespace {

// Register offsets and bits as Linux's include/uapi/linux/serial_reg.h names them, so the tests
// replay the driver's own sequences.
constexpr std::uint16_t kRx = 0, kTx = 0, kDll = 0, kIer = 1, kDlm = 1, kIir = 2, kFcr = 2,
                        kEfr = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7;
constexpr std::uint8_t kIerRdi = 0x01, kIerThri = 0x02, kIerRlsi = 0x04, kIerMsi = 0x08,
                       kIerAll = 0x0F, kIerUue = 0x40;
constexpr std::uint8_t kIirNoInt = 0x01, kIirId = 0x0E, kIirThri = 0x02, kIirRdi = 0x04,
                       kIirRlsi = 0x06, kIirRxTimeout = 0x0C, kIirMsi = 0x00, kIirFifo16750 = 0x20;
constexpr std::uint8_t kFcrEnableFifo = 0x01, kFcrClearRcvr = 0x02, kFcrClearXmit = 0x04,
                       kFcr64Byte = 0x20, kFcrTrigger4 = 0x40, kFcrTrigger14 = 0xC0;
constexpr std::uint8_t kLcrWlen8 = 0x03, kLcrConfModeA = 0x80, kLcrConfModeB = 0xBF;
constexpr std::uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08,
                       kMcrLoop = 0x10;
constexpr std::uint8_t kLsrDr = 0x01, kLsrOe = 0x02, kLsrThre = 0x20, kLsrTemt = 0x40;
constexpr std::uint8_t kMsrDcts = 0x01, kMsrDdsr = 0x02, kMsrTeri = 0x04, kMsrDdcd = 0x08,
                       kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80,
                       kMsrStatusBits = 0xF0;

struct FakeVm final : VmControl {
    std::vector<std::string> lines;
    void request(Request, std::uint32_t, bool) override {}
    void console_line(const char* text, std::uint32_t len) override {
        lines.emplace_back(text, len);
    }
};

struct Com1 {
    FakeVm vm;
    Uart16550 uart{vm};

    std::uint8_t in(std::uint16_t reg) {
        return static_cast<std::uint8_t>(uart.port_read(Uart16550::kCom1Base + reg, 1));
    }
    void out(std::uint16_t reg, std::uint8_t value) {
        uart.port_write(Uart16550::kCom1Base + reg, 1, value);
    }
    void send(const std::string& s) {
        for (char c : s) out(kTx, static_cast<std::uint8_t>(c));
    }
};

TEST(Uart16550, ScratchRegisterHoldsAnyByte) {
    Com1 c;
    for (const std::uint8_t v : {0x00, 0x55, 0xAA, 0xFF}) {
        c.out(kScr, v);
        EXPECT_EQ(c.in(kScr), v);
    }
}

// drivers/tty/serial/8250/8250_port.c autoconfig(), then autoconfig_16550a() with
// CONFIG_SERIAL_8250_16550A_VARIANTS, then size_fifo(): every probe must see a plain 16550A.
TEST(Uart16550, LinuxAutoconfigIdentifiesA16550A) {
    Com1 c;
    // Existence test: IER reads back what was written, low nibble only.
    const std::uint8_t scratch = c.in(kIer);
    c.out(kIer, 0);
    EXPECT_EQ(c.in(kIer)&kIerAll, 0);
    c.out(kIer, kIerAll);
    EXPECT_EQ(c.in(kIer)&kIerAll, kIerAll);
    c.out(kIer, scratch);

    // Loopback test: RTS|OUT2 come back as CTS|DCD.
    const std::uint8_t save_mcr = c.in(kMcr);
    const std::uint8_t save_lcr = c.in(kLcr);
    c.out(kMcr, kMcrLoop | 0x0A);
    EXPECT_EQ(c.in(kMsr)&kMsrStatusBits, kMsrDcd | kMsrCts);
    c.out(kMcr, save_mcr);

    // FIFO test: IIR bits 7:6 = 11b means 16550A.
    c.out(kLcr, kLcrConfModeB);
    c.out(kEfr, 0);
    c.out(kLcr, 0);
    c.out(kFcr, kFcrEnableFifo);
    EXPECT_EQ(c.in(kIir) >> 6, 3);

    // No EFR behind LCR=0x80 or LCR=0xBF: offset 2 keeps reading IIR, which is never zero.
    c.out(kLcr, kLcrConfModeA);
    EXPECT_NE(c.in(kEfr), 0);
    c.out(kLcr, kLcrConfModeB);
    EXPECT_NE(c.in(kEfr), 0);

    // Not a National SuperIO: LCR=0xE0 offset 2 does not mirror MCR.LOOP.
    c.out(kLcr, 0);
    const std::uint8_t mcr = c.in(kMcr);
    c.out(kLcr, 0xE0);
    EXPECT_EQ((c.in(2) ^ mcr) & kMcrLoop, 0);
    c.out(kLcr, 0);
    c.out(kMcr, mcr ^ kMcrLoop);
    c.out(kLcr, 0xE0);
    EXPECT_EQ((c.in(2) ^ mcr) & kMcrLoop, 0);
    c.out(kLcr, 0);
    c.out(kMcr, mcr);

    // Not a TI16750: no 64-byte FIFO bit in IIR with or without DLAB.
    c.out(kFcr, kFcrEnableFifo | kFcr64Byte);
    EXPECT_EQ(c.in(kIir)&kIirFifo16750, 0);
    c.out(kFcr, kFcrEnableFifo);
    c.out(kLcr, kLcrConfModeA);
    c.out(kFcr, kFcrEnableFifo | kFcr64Byte);
    EXPECT_EQ(c.in(kIir)&kIirFifo16750, 0);
    c.out(kFcr, kFcrEnableFifo);
    c.out(kLcr, 0);

    // Not an XScale: IER bit 6 (UUE) does not stick.
    const std::uint8_t iersave = c.in(kIer);
    c.out(kIer, iersave | kIerUue);
    EXPECT_EQ(c.in(kIer)&kIerUue, 0);
    c.out(kIer, iersave);

    // size_fifo(): 256 bytes through loopback leave 16 in the receive FIFO, so not a U6 16550A.
    const std::uint8_t old_fcr = c.in(kFcr);  // really IIR, as in the driver
    c.out(kFcr, kFcrEnableFifo | kFcrClearRcvr | kFcrClearXmit);
    c.out(kMcr, kMcrLoop);
    c.out(kLcr, kLcrConfModeA);
    c.out(kDll, 1);
    c.out(kDlm, 0);
    c.out(kLcr, kLcrWlen8);
    for (int i = 0; i < 256; ++i) c.out(kTx, static_cast<std::uint8_t>(i));
    int count = 0;
    while ((c.in(kLsr)&kLsrDr) && count < 256) {
        EXPECT_EQ(c.in(kRx), count);
        ++count;
    }
    EXPECT_EQ(count, 16);
    c.out(kFcr, old_fcr);
    c.out(kMcr, mcr);
    c.out(kLcr, save_lcr);
    EXPECT_TRUE(c.vm.lines.empty());
}

TEST(Uart16550, LoopbackWiresModemOutputsToInputs) {
    Com1 c;
    c.out(kMcr, kMcrLoop | kMcrDtr);
    EXPECT_EQ(c.in(kMsr)&kMsrStatusBits, kMsrDsr);
    c.out(kMcr, kMcrLoop | kMcrRts);
    EXPECT_EQ(c.in(kMsr)&kMsrStatusBits, kMsrCts);
    c.out(kMcr, kMcrLoop | kMcrOut1);
    EXPECT_EQ(c.in(kMsr)&kMsrStatusBits, kMsrRi);
    c.out(kMcr, kMcrLoop | kMcrOut2);
    EXPECT_EQ(c.in(kMsr)&kMsrStatusBits, kMsrDcd);
}

TEST(Uart16550, OutsideLoopbackThePeerLooksConnected) {
    Com1 c;
    EXPECT_EQ(c.in(kMsr), kMsrDcd | kMsrDsr | kMsrCts);
}

TEST(Uart16550, ModemInputChangesLatchDeltaBitsUntilMsrIsRead) {
    Com1 c;
    c.out(kMcr, kMcrLoop | kMcrOut1 | kMcrOut2 | kMcrDtr | kMcrRts);
    c.in(kMsr);
    c.out(kMcr, kMcrLoop);  // every input drops, RI on its trailing edge
    EXPECT_EQ(c.in(kMsr), kMsrDcts | kMsrDdsr | kMsrTeri | kMsrDdcd);
    EXPECT_EQ(c.in(kMsr), 0);
}

TEST(Uart16550, RisingRiIsNotATrailingEdge) {
    Com1 c;
    c.out(kMcr, kMcrLoop);
    c.in(kMsr);
    c.out(kMcr, kMcrLoop | kMcrOut1);
    EXPECT_EQ(c.in(kMsr), kMsrRi);
}

TEST(Uart16550, LoopbackSendsTransmittedBytesToTheReceiver) {
    Com1 c;
    c.out(kMcr, kMcrLoop);
    c.out(kFcr, kFcrEnableFifo);
    c.send("hi\n");
    EXPECT_TRUE(c.vm.lines.empty());
    EXPECT_EQ(c.in(kLsr)&kLsrDr, kLsrDr);
    EXPECT_EQ(c.in(kRx), 'h');
    EXPECT_EQ(c.in(kRx), 'i');
    EXPECT_EQ(c.in(kRx), '\n');
    EXPECT_EQ(c.in(kLsr)&kLsrDr, 0);
}

TEST(Uart16550, FullFifoDropsTheNewByteAndFlagsOverrunOnce) {
    Com1 c;
    c.out(kMcr, kMcrLoop);
    c.out(kFcr, kFcrEnableFifo);
    for (int i = 0; i < 17; ++i) c.out(kTx, static_cast<std::uint8_t>(i));
    EXPECT_EQ(c.in(kLsr) & (kLsrOe | kLsrDr), kLsrOe | kLsrDr);
    EXPECT_EQ(c.in(kLsr)&kLsrOe, 0);  // reading LSR cleared it
    for (int i = 0; i < 16; ++i) EXPECT_EQ(c.in(kRx), i);
    EXPECT_EQ(c.in(kLsr)&kLsrDr, 0);
}

TEST(Uart16550, WithoutFifosTheHoldingRegisterIsOverwritten) {
    Com1 c;
    c.out(kMcr, kMcrLoop);
    c.send("ab");
    EXPECT_EQ(c.in(kLsr) & (kLsrOe | kLsrDr), kLsrOe | kLsrDr);
    EXPECT_EQ(c.in(kRx), 'b');
    EXPECT_EQ(c.in(kLsr)&kLsrDr, 0);
}

TEST(Uart16550, ClearingTheReceiveFifoEmptiesIt) {
    Com1 c;
    c.out(kMcr, kMcrLoop);
    c.out(kFcr, kFcrEnableFifo);
    c.send("abc");
    c.out(kFcr, kFcrEnableFifo | kFcrClearRcvr);
    EXPECT_EQ(c.in(kLsr)&kLsrDr, 0);
}

TEST(Uart16550, IirFifoBitsFollowFcrEnable) {
    Com1 c;
    EXPECT_EQ(c.in(kIir), kIirNoInt);
    c.out(kFcr, kFcrEnableFifo);
    EXPECT_EQ(c.in(kIir), 0xC0 | kIirNoInt);
    c.out(kFcr, 0);
    EXPECT_EQ(c.in(kIir), kIirNoInt);
}

TEST(Uart16550, TransmitterAlwaysReadsEmpty) {
    Com1 c;
    EXPECT_EQ(c.in(kLsr), kLsrThre | kLsrTemt);
    c.send("x");
    EXPECT_EQ(c.in(kLsr), kLsrThre | kLsrTemt);
}

// serial8250_do_startup(): enable THRI, read IIR, disable, enable again, read IIR. A UART that
// does not re-assert THRE gets UART_BUG_THRE and is run from a timer instead.
TEST(Uart16550, ReassertsThreWhenTheInterruptIsEnabledAgain) {
    Com1 c;
    c.out(kIer, kIerThri);
    const std::uint8_t iir1 = c.in(kIir);
    c.out(kIer, 0);
    c.out(kIer, kIerThri);
    const std::uint8_t iir = c.in(kIir);
    c.out(kIer, 0);
    EXPECT_EQ(iir1 & kIirId, kIirThri);
    EXPECT_EQ(iir & kIirNoInt, 0);
    EXPECT_EQ(iir & kIirId, kIirThri);
}

TEST(Uart16550, ReadingIirAcknowledgesThre) {
    Com1 c;
    c.out(kIer, kIerThri);
    EXPECT_EQ(c.in(kIir), kIirThri);
    EXPECT_EQ(c.in(kIir), kIirNoInt);
}

TEST(Uart16550, WritingThrRaisesThreAgain) {
    Com1 c;
    c.out(kIer, kIerThri);
    c.in(kIir);
    c.send("x");
    EXPECT_EQ(c.in(kIir), kIirThri);
}

TEST(Uart16550, ThreIsNotReportedWhileDisabled) {
    Com1 c;
    c.send("x");
    EXPECT_EQ(c.in(kIir), kIirNoInt);
}

TEST(Uart16550, ReadingIirDoesNotAcknowledgeThreBehindAHigherSource) {
    Com1 c;
    c.out(kMcr, kMcrLoop);
    c.out(kIer, kIerThri | kIerRdi);
    c.send("x");
    EXPECT_EQ(c.in(kIir)&kIirId, kIirRdi);
    c.in(kRx);
    EXPECT_EQ(c.in(kIir)&kIirId, kIirThri);
}

TEST(Uart16550, LineStatusOutranksReceivedDataAndThre) {
    Com1 c;
    c.out(kMcr, kMcrLoop);
    c.out(kIer, kIerAll);
    c.send("ab");  // overruns the one-byte holding register
    EXPECT_EQ(c.in(kIir)&kIirId, kIirRlsi);
    c.in(kLsr);
    EXPECT_EQ(c.in(kIir)&kIirId, kIirRdi);
    c.in(kRx);
    EXPECT_EQ(c.in(kIir)&kIirId, kIirThri);
    EXPECT_EQ(c.in(kIir), kIirMsi);  // entering loopback changed every modem input
    c.in(kMsr);
    EXPECT_EQ(c.in(kIir), kIirNoInt);
}

TEST(Uart16550, FifoBelowTriggerLevelReportsTimeout) {
    Com1 c;
    c.out(kMcr, kMcrLoop);
    c.out(kFcr, kFcrEnableFifo | kFcrTrigger4);
    c.out(kIer, kIerRdi);
    c.send("abc");
    EXPECT_EQ(c.in(kIir), 0xC0 | kIirRxTimeout);
    c.send("d");
    EXPECT_EQ(c.in(kIir), 0xC0 | kIirRdi);
}

TEST(Uart16550, FifoTriggerLevelFourteen) {
    Com1 c;
    c.out(kMcr, kMcrLoop);
    c.out(kFcr, kFcrEnableFifo | kFcrTrigger14);
    c.out(kIer, kIerRdi);
    c.send("0123456789abc");
    EXPECT_EQ(c.in(kIir)&kIirId, kIirRxTimeout);
    c.send("d");
    EXPECT_EQ(c.in(kIir)&kIirId, kIirRdi);
}

TEST(Uart16550, ModemStatusInterruptClearsOnMsrRead) {
    Com1 c;
    c.out(kIer, kIerMsi);
    EXPECT_EQ(c.in(kIir), kIirNoInt);
    c.out(kMcr, kMcrLoop | kMcrDtr);
    EXPECT_EQ(c.in(kIir), kIirMsi);
    c.in(kMsr);
    EXPECT_EQ(c.in(kIir), kIirNoInt);
}

TEST(Uart16550, LineStatusInterruptNeedsItsEnable) {
    Com1 c;
    c.out(kMcr, kMcrLoop);
    c.out(kIer, kIerRlsi);
    c.send("ab");
    EXPECT_EQ(c.in(kIir), kIirRlsi);
    c.in(kLsr);
    EXPECT_EQ(c.in(kIir), kIirNoInt);
}

TEST(Uart16550, IrqLineIsGatedByOut2) {
    Com1 c;
    c.out(kIer, kIerThri);
    EXPECT_FALSE(c.uart.irq_line());
    c.out(kMcr, kMcrOut2 | kMcrDtr | kMcrRts);
    EXPECT_TRUE(c.uart.irq_line());
}

TEST(Uart16550, IrqLineFollowsThePendingInterrupt) {
    Com1 c;
    c.out(kMcr, kMcrOut2);
    EXPECT_FALSE(c.uart.irq_line());
    c.out(kIer, kIerThri);
    EXPECT_TRUE(c.uart.irq_line());
    c.in(kIir);
    EXPECT_FALSE(c.uart.irq_line());
    c.send("x");
    EXPECT_TRUE(c.uart.irq_line());
    c.out(kIer, 0);
    EXPECT_FALSE(c.uart.irq_line());
}

TEST(Uart16550, IrqLineIsLowInLoopback) {
    Com1 c;
    c.out(kMcr, kMcrLoop | kMcrOut2);
    c.out(kIer, kIerThri);
    EXPECT_EQ(c.in(kIir), kIirThri);  // pending inside the chip ...
    c.send("x");
    EXPECT_FALSE(c.uart.irq_line());  // ... but the OUT2 pin is forced off
}

TEST(Uart16550, DivisorLatchSharesTheDataAndIerOffsets) {
    Com1 c;
    c.out(kLcr, kLcrConfModeA | kLcrWlen8);
    c.out(kDll, 0x0C);
    c.out(kDlm, 0x01);
    EXPECT_EQ(c.in(kDll), 0x0C);
    EXPECT_EQ(c.in(kDlm), 0x01);
    c.out(kLcr, kLcrWlen8);
    EXPECT_EQ(c.in(kIer), 0);
    EXPECT_EQ(c.in(kLcr), kLcrWlen8);
    EXPECT_TRUE(c.vm.lines.empty());
}

TEST(Uart16550, McrKeepsItsFiveBits) {
    Com1 c;
    c.out(kMcr, 0xFF);
    EXPECT_EQ(c.in(kMcr), 0x1F);
}

TEST(Uart16550, ForwardsLinesSplitAtNewline) {
    Com1 c;
    c.send("hello\r\nworld\n");
    ASSERT_EQ(c.vm.lines.size(), 2u);
    EXPECT_EQ(c.vm.lines[0], "hello");
    EXPECT_EQ(c.vm.lines[1], "world");
}

TEST(Uart16550, ReplacesControlCharacters) {
    Com1 c;
    c.send("a\x01\tb\n");
    ASSERT_EQ(c.vm.lines.size(), 1u);
    EXPECT_EQ(c.vm.lines[0], "a?\tb");
}

TEST(Uart16550, SplitsLinesLongerThanTheCap) {
    Com1 c;
    c.send(std::string(Uart16550::kLineMax + 3, 'x') + "\n");
    ASSERT_EQ(c.vm.lines.size(), 2u);
    EXPECT_EQ(c.vm.lines[0].size(), Uart16550::kLineMax);
    EXPECT_EQ(c.vm.lines[1], "xxx");
}

TEST(Uart16550, FlushForwardsAPartialLine) {
    Com1 c;
    c.send("tail");
    EXPECT_TRUE(c.vm.lines.empty());
    c.uart.flush();
    ASSERT_EQ(c.vm.lines.size(), 1u);
    EXPECT_EQ(c.vm.lines[0], "tail");
    c.uart.flush();
    EXPECT_EQ(c.vm.lines.size(), 1u);
}

TEST(Uart16550, WideAccessesActAsConsecutiveByteAccesses) {
    Com1 c;
    c.uart.port_write(Uart16550::kCom1Base + kMcr, 2, 0x0B00 | kMcrOut2);  // MCR, then LSR
    EXPECT_EQ(c.in(kMcr), kMcrOut2);
    c.out(kScr, 0x5A);
    // LSR, MSR, scratch, then a port past the UART.
    EXPECT_EQ(c.uart.port_read(Uart16550::kCom1Base + kLsr, 4),
              0xFF5A'0000u | (kMsrDcd | kMsrDsr | kMsrCts) << 8 | kLsrThre | kLsrTemt);
}

}  // namespace
}  // namespace hv::vmm
