#pragma once
// The hypercall ABI, version 1 (docs/guest_abi.md "Hypercalls"). Decoding and argument checks
// are pure; what a call does to the VM goes through HypercallEnv, which the VM implements and
// tests fake.
#include <cstdint>

#include "kernel/lib/optional.hpp"

namespace hv::vmm {

enum class Hypercall : std::uint64_t {
    kVersion = 0,
    kConsoleWrite = 1,
    kMemoryInfo = 2,
    kNop = 3,
    kPoweroff = 4,
    kVcpuInfo = 5,
};

inline constexpr std::int64_t kHypercallOk = 0;
inline constexpr std::int64_t kHypercallEinval = -22;
inline constexpr std::int64_t kHypercallEnosys = -38;
inline constexpr std::uint64_t kConsoleWriteMax = 256;

struct HypercallResult {
    std::int64_t status;
    std::uint64_t out0;  // RBX
    std::uint64_t out1;  // RCX
};

class HypercallEnv {
  public:
    // False if [gpa, gpa+len) is not guest RAM.
    virtual bool console_write(std::uint64_t gpa, std::uint64_t len) = 0;
    struct Backing {
        std::uint64_t page_size;
        bool ram;
    };
    virtual Backing memory_info(std::uint64_t gpa) = 0;
    virtual void poweroff(std::uint32_t code) = 0;
    virtual std::uint32_t vcpu_count() const = 0;

  protected:
    ~HypercallEnv() = default;
};

[[nodiscard]] HypercallResult handle_hypercall(HypercallEnv& env, std::uint32_t vcpu_index,
                                               std::uint64_t nr, std::uint64_t arg0,
                                               std::uint64_t arg1);

}  // namespace hv::vmm
