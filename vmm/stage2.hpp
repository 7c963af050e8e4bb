#pragma once
// Second-stage address translation of a VM (AMD NPT or Intel EPT): guest-physical to
// host-physical. Generic code maps guest RAM and asks what backs an address; the format lives in
// the backend. Threading: RAM is mapped only while none of the VM's vCPUs runs (at creation);
// device memory (assigned BARs) may also change while they run, under the VM's platform lock, and
// the VM then has every vCPU flush its cached translations before it next enters the guest.
#include <cstddef>
#include <cstdint>

#include "kernel/lib/addr.hpp"
#include "kernel/lib/optional.hpp"
#include "kernel/lib/result.hpp"

namespace hv::vmm {

struct Stage2Mapping {
    HostPhys hpa;
    std::uint64_t page_size;
    bool write;
};

class Stage2 {
  public:
    // RAM: readable, writable, executable, write-back. Uses the largest pages alignment allows.
    [[nodiscard]] virtual Result<void> map_ram(GuestPhys gpa, HostPhys hpa, std::uint64_t size) = 0;
    // A BAR of an assigned device: readable and writable, not executable, uncached in the second
    // stage (the guest's own PAT may ask for write-combining; AMD APM vol. 2 15.25.8 and Intel SDM
    // vol. 3C 29.3.7 combine the two to the stronger type, so device memory is never cached).
    [[nodiscard]] virtual Result<void> map_mmio(GuestPhys gpa, HostPhys hpa,
                                                std::uint64_t size) = 0;
    // Removes mappings of device memory; unmapped parts are skipped. Tables it frees are held
    // until every vCPU has acknowledged flush generation `generation` (release_tables()), since
    // other CPUs may still cache them. Errors (kTooMany): too many frees are still held; nothing
    // changed, try again after the vCPUs have flushed.
    [[nodiscard]] virtual Result<void> unmap(GuestPhys gpa, std::uint64_t size,
                                             std::uint32_t generation) = 0;
    // Frees held tables of generations up to `acked` (the oldest every vCPU acknowledged).
    virtual void release_tables(std::uint32_t acked) = 0;
    [[nodiscard]] virtual std::size_t held_tables() = 0;
    [[nodiscard]] virtual Optional<Stage2Mapping> lookup(GuestPhys gpa) const = 0;
    [[nodiscard]] virtual HostPhys root() const = 0;
    [[nodiscard]] virtual std::uint64_t table_bytes() const = 0;
    // Frees every table. The caller has stopped all vCPUs and flushes TLBs before reuse.
    virtual void release() = 0;

  protected:
    ~Stage2() = default;
};

}  // namespace hv::vmm
