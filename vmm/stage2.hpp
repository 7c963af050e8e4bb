#pragma once
// Second-stage address translation of a VM (AMD NPT or Intel EPT): guest-physical to
// host-physical. Generic code maps guest RAM and asks what backs an address; the format lives in
// the backend. Threading: changed only while none of the VM's vCPUs runs (at creation).
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
    [[nodiscard]] virtual Optional<Stage2Mapping> lookup(GuestPhys gpa) const = 0;
    [[nodiscard]] virtual HostPhys root() const = 0;
    [[nodiscard]] virtual std::uint64_t table_bytes() const = 0;
    // Frees every table. The caller has stopped all vCPUs and flushes TLBs before reuse.
    virtual void release() = 0;

  protected:
    ~Stage2() = default;
};

}  // namespace hv::vmm
