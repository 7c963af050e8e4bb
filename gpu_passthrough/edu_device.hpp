#pragma once
// QEMU's `edu` test device (hw/misc/edu.c, docs/specs/edu.rst) as the hypervisor itself drives it:
// the DMA master of the IOMMU self-test and of the edu DMA benchmark. Kernel only; the caller
// owns the device (BSP at boot, before any VM can be given it) and has enabled memory decode and,
// for DMA, bus mastering.
//
// edu runs a DMA from a QEMU timer 100 ms (virtual clock) after the command is written, then
// clears the command's run bit. QEMU 7.2's range check stops the whole machine on a DMA that ends
// exactly at the end of the 4 KiB buffer: keep transfers shorter than the buffer.
#include <cstdint>

#include "drivers/pci/inventory.hpp"
#include "kernel/lib/addr.hpp"
#include "kernel/time.hpp"

namespace hv::passthrough {

constexpr std::uint16_t kEduVendor = 0x1234;
constexpr std::uint16_t kEduDevice = 0x11e8;
constexpr std::uint64_t kEduBar0Bytes = kMiB;
enum class EduReg : std::uint32_t {
    kLiveness = 0x04,    // reads back the complement of what was written
    kDmaSource = 0x80,   // 8 bytes
    kDmaDest = 0x88,     // 8 bytes
    kDmaCount = 0x90,    // 8 bytes
    kDmaCommand = 0x98,  // 8 bytes
};
constexpr std::uint64_t kEduDmaRun = 1u << 0;    // set to start, cleared when done
constexpr std::uint64_t kEduDmaToRam = 1u << 1;  // 0: RAM -> edu buffer, 1: edu buffer -> RAM
constexpr std::uint64_t kEduBuffer = 0x40000;    // the 4 KiB device buffer, as a DMA address
constexpr std::uint64_t kEduDmaMask = (1ull << 28) - 1;  // edu's default dma_mask property
// What the hypervisor's own edu runs move per DMA: less than the whole buffer, because QEMU
// 7.2's edu range check rejects a DMA that ends exactly at the buffer's end (and stops the
// machine).
constexpr std::uint64_t kEduTransferBytes = kPageSize / 2;
// The I/O virtual address those runs map their two host pages at (any page-aligned IOVA below
// edu's 28-bit DMA mask would do).
constexpr std::uint64_t kEduTestIova = 0x10000;
// Twenty times edu's 100 ms DMA timer.
constexpr std::uint64_t kEduDmaTimeoutNs = 2'000'000'000;

// BAR0 registers, mapped uncached by the caller.
class Edu {
  public:
    explicit Edu(volatile void* regs) : regs_(static_cast<volatile std::uint8_t*>(regs)) {}
    std::uint32_t read32(EduReg r) const {
        return *reinterpret_cast<volatile std::uint32_t*>(regs_ + static_cast<std::uint32_t>(r));
    }
    void write32(EduReg r, std::uint32_t v) {
        *reinterpret_cast<volatile std::uint32_t*>(regs_ + static_cast<std::uint32_t>(r)) = v;
    }
    std::uint64_t read64(EduReg r) const {
        return *reinterpret_cast<volatile std::uint64_t*>(regs_ + static_cast<std::uint32_t>(r));
    }
    void write64(EduReg r, std::uint64_t v) {
        *reinterpret_cast<volatile std::uint64_t*>(regs_ + static_cast<std::uint32_t>(r)) = v;
    }
    bool alive() {
        write32(EduReg::kLiveness, 0x5a5aa5a5);
        return read32(EduReg::kLiveness) == ~0x5a5aa5a5u;
    }
    // Programs and starts one DMA. edu ignores these writes while a DMA runs.
    void start_dma(std::uint64_t src, std::uint64_t dst, std::uint64_t count, bool to_ram) {
        write64(EduReg::kDmaSource, src);
        write64(EduReg::kDmaDest, dst);
        write64(EduReg::kDmaCount, count);
        write64(EduReg::kDmaCommand, kEduDmaRun | (to_ram ? kEduDmaToRam : 0));
    }
    bool dma_running() const { return (read64(EduReg::kDmaCommand) & kEduDmaRun) != 0; }
    // One DMA, polled every 100 us; false when edu did not finish it in time. edu completes a DMA
    // whose translation failed as if it had worked; only the IOMMU's fault records tell.
    bool dma(std::uint64_t src, std::uint64_t dst, std::uint64_t count, bool to_ram) {
        start_dma(src, dst, count, to_ram);
        const std::uint64_t deadline = time::now_ns() + kEduDmaTimeoutNs;
        while (dma_running()) {
            if (time::now_ns() > deadline) return false;
            time::delay_us(100);
        }
        return true;
    }

  private:
    volatile std::uint8_t* regs_;
};

// The first edu function the PCI scan found, wherever it sits (root bus or behind a bridge).
inline const pci::PciFunction* find_edu() {
    for (const pci::PciFunction& fn : pci::functions())
        if (fn.vendor_id == kEduVendor && fn.device_id == kEduDevice) return &fn;
    return nullptr;
}

}  // namespace hv::passthrough
