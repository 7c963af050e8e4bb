#pragma once
// The VM manifest: which VMs the hypervisor starts, with what memory, CPUs, modules and devices.
// docs/manifest.md is the operator's reference; this header is the contract for code.
//
//   parse(text)            syntax and schema: the strict TOML subset (toml_reader.hpp), known keys,
//                          types, ranges, required keys, duplicate keys/tables/VM names.
//   validate(m, facts)     everything that needs the machine or looks across VMs: modules
//                          loaded, memory and CPUs sufficient, pinned CPUs, devices exclusive and
//                          present. The kernel runs both before starting any VM; tools/hvmanifest
//                          runs both with whatever host facts the operator gives it.
//
// Ownership: a Manifest owns copies of all its strings (fixed-size arrays, escapes decoded), so
// the text may be freed after parse(). A Manifest is about 30 KiB: the kernel keeps one in static
// storage and fills it with parse_into(); host code may use parse() and take it by value.
//
// Pure: no allocation, no globals, no hardware; builds unchanged in the kernel and host tests.
// Not thread-safe (nothing is shared, so callers need no locking for distinct objects).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "drivers/pci/bdf.hpp"
#include "kernel/lib/bytes.hpp"
#include "kernel/lib/optional.hpp"
#include "kernel/lib/result.hpp"
#include "kernel/lib/str.hpp"
#include "vmm/manifest/manifest_error.hpp"

namespace hv::manifest {

inline constexpr std::size_t kMaxManifestBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMaxVms = 16;
inline constexpr std::size_t kMaxNameLen = 31;        // [A-Za-z0-9_.-]
inline constexpr std::size_t kMaxModuleNameLen = 63;  // printable ASCII, no spaces
inline constexpr std::size_t kMaxCmdlineLen = 1024;   // bytes, after decoding escapes
inline constexpr std::size_t kMaxDevicesPerVm = 16;
inline constexpr std::uint32_t kMinVcpus = 1;
inline constexpr std::uint32_t kMaxVcpus = 64;  // capacity of per-vCPU arrays
// vCPUs one VM may have: APIC IDs 0-14, the VM's I/O APIC takes the next ID in its MADT.
inline constexpr std::uint32_t kMaxVmVcpus = 15;
inline constexpr std::uint64_t kMinMemoryMib = 2;
inline constexpr std::uint64_t kMaxMemoryMib = 1048576;  // 1 TiB
inline constexpr std::uint32_t kMaxCpuIndex = 4095;  // parse-time bound; validate() uses the host's
// Each vCPU runs on a physical CPU of its own, and CPU 0 is kept for the hypervisor's own work
// (console, timers, device assignment). So guests get host CPUs 1..N-1: the vcpus of all VMs
// together may not exceed host CPUs - kHypervisorCpus, and no VM may pin a vCPU to CPU 0.
inline constexpr std::uint32_t kHypervisorCpus = 1;

// A string of at most N bytes, stored in place and NUL-terminated.
template <std::size_t N>
class FixedString {
  public:
    static constexpr std::size_t kCapacity = N;

    [[nodiscard]] constexpr StrView view() const { return StrView(data_, size_); }
    [[nodiscard]] constexpr const char* c_str() const { return data_; }
    [[nodiscard]] constexpr std::size_t size() const { return size_; }
    [[nodiscard]] constexpr bool empty() const { return size_ == 0; }

    // False, leaving the string unchanged, when `text` is longer than N.
    constexpr bool assign(StrView text) {
        if (text.size() > N) return false;
        for (std::size_t i = 0; i < text.size(); ++i) data_[i] = text[i];
        data_[text.size()] = '\0';
        size_ = static_cast<std::uint16_t>(text.size());
        return true;
    }

  private:
    char data_[N + 1] = {};
    std::uint16_t size_ = 0;
};

enum class OnAllStopped : std::uint8_t { kHalt, kPoweroff };
enum class OnReboot : std::uint8_t { kRestart, kStop };
enum class OnDmaFault : std::uint8_t { kStop, kReport };

// The manifest spelling of each value ("halt", "restart", "report", ...).
[[nodiscard]] const char* name(OnAllStopped v);
[[nodiscard]] const char* name(OnReboot v);
[[nodiscard]] const char* name(OnDmaFault v);

// An element of `devices` or `cpus`, with the line it was written on (arrays may span lines).
struct DeviceEntry {
    pci::Bdf bdf;
    std::uint32_t line = 0;
};
struct CpuPin {
    std::uint16_t cpu = 0;
    std::uint32_t line = 0;
};

// The line of each key of one [[vm]]; a key left out carries the line of its [[vm]] header, so
// every error has a line to point at.
struct VmLines {
    std::uint32_t table = 0;
    std::uint32_t name = 0;
    std::uint32_t vcpus = 0;
    std::uint32_t memory_mib = 0;
    std::uint32_t kernel = 0;
    std::uint32_t initrd = 0;
    std::uint32_t cmdline = 0;
    std::uint32_t devices = 0;
    std::uint32_t cpus = 0;
    std::uint32_t on_reboot = 0;
    std::uint32_t on_dma_fault = 0;
};

struct VmSpec {
    FixedString<kMaxNameLen> name;
    std::uint32_t vcpus = 1;
    std::uint64_t memory_mib = 0;
    FixedString<kMaxModuleNameLen> kernel;
    FixedString<kMaxModuleNameLen> initrd;  // empty: no initrd
    FixedString<kMaxCmdlineLen> cmdline;    // empty when not given
    std::array<DeviceEntry, kMaxDevicesPerVm> devices{};
    std::uint32_t device_count = 0;
    std::array<CpuPin, kMaxVcpus> cpus{};  // vCPU i runs on cpus[i].cpu
    std::uint32_t cpu_count = 0;           // 0: not pinned (the scheduler picks); else == vcpus
    OnReboot on_reboot = OnReboot::kRestart;
    OnDmaFault on_dma_fault = OnDmaFault::kStop;
    VmLines lines;

    [[nodiscard]] std::span<const DeviceEntry> device_list() const {
        return std::span<const DeviceEntry>(devices.data(), device_count);
    }
    [[nodiscard]] std::span<const CpuPin> cpu_list() const {
        return std::span<const CpuPin>(cpus.data(), cpu_count);
    }
};

struct HostSpec {
    OnAllStopped on_all_stopped = OnAllStopped::kHalt;
    std::uint32_t line = 0;                 // of the [host] header; 0 when there is none
    std::uint32_t on_all_stopped_line = 0;  // 0 when the key is left out (the kernel command
                                            // line's on_all_stopped= may then decide)
};

struct Manifest {
    HostSpec host;
    std::array<VmSpec, kMaxVms> vms{};
    std::uint32_t vm_count = 0;  // at least 1 after a successful parse

    [[nodiscard]] std::span<const VmSpec> vm_list() const {
        return std::span<const VmSpec>(vms.data(), vm_count);
    }
};

// Parses and checks the schema. On error `out` holds a partial manifest and must not be used.
[[nodiscard]] Result<void, ManifestError> parse_into(StrView text, Manifest& out);
[[nodiscard]] Result<void, ManifestError> parse_into(Bytes text, Manifest& out);
// The same, returning the manifest by value (for host code; about 30 KiB of stack).
[[nodiscard]] Result<Manifest, ManifestError> parse(StrView text);
[[nodiscard]] Result<Manifest, ManifestError> parse(Bytes text);

// What validate() checks the manifest against. Each fact may be unknown, and then its checks are
// skipped; the checks between VMs (a device or CPU given twice, CPU 0 pinned) always run.
struct HostFacts {
    Optional<std::span<const StrView>> modules;  // names of the loaded boot modules
    Optional<std::uint64_t> memory_mib;          // memory the host can give to VMs, in MiB
    Optional<std::uint32_t> cpus;                // host CPUs, CPU 0 included
    std::span<const pci::Bdf> devices;           // PCI functions present; empty: unknown
};

// First failed check in manifest order, with the line of the offending key.
[[nodiscard]] Result<void, ManifestError> validate(const Manifest& manifest,
                                                   const HostFacts& facts);

}  // namespace hv::manifest
