#pragma once
// LoadError: why a guest kernel could not be recognised, parsed or placed in guest RAM.
//
// Loader errors carry numbers (addresses, sizes, segment indices) so that an operator can tell
// which part of which image is wrong without a debugger:
//
//   segment 1 at 0x100000 (size 0x8000000) is outside guest RAM (0x4000000 bytes below 4 GiB)
//
// The reason is formatted into a fixed buffer inside the error (no heap, no globals), so the error
// outlives the image and prints on the kernel console and in host tests alike.
#include <cstddef>
#include <cstdint>

#include "kernel/lib/format.hpp"
#include "kernel/lib/result.hpp"
#include "kernel/lib/str.hpp"

namespace hv::vmm::loader {

// Longer reasons are cut and end in "...".
inline constexpr std::size_t kMaxLoadReasonLen = 175;

struct LoadError {
    Errc code = Errc::kInvalid;
    char reason_text[kMaxLoadReasonLen + 1] = {};
    std::uint16_t reason_size = 0;

    [[nodiscard]] constexpr StrView reason() const { return StrView(reason_text, reason_size); }
    [[nodiscard]] constexpr const char* c_str() const { return reason_text; }
};

template <typename T>
using LoadResult = Result<T, LoadError>;

// Writes into an error's reason; output past the capacity is replaced by "...".
class LoadReasonSink final : public Sink {
  public:
    explicit LoadReasonSink(LoadError& error) : error_(error) {}
    void put(char c) override {
        if (error_.reason_size < kMaxLoadReasonLen) {
            error_.reason_text[error_.reason_size++] = c;
            error_.reason_text[error_.reason_size] = '\0';
            return;
        }
        for (std::size_t i = kMaxLoadReasonLen - 3; i < kMaxLoadReasonLen; ++i) {
            error_.reason_text[i] = '.';
        }
    }

  private:
    LoadError& error_;
};

// An address or size as the console shows it: "0x" and lower-case hex digits.
struct Hex0x {
    std::uint64_t value;
};

inline void format_to(Sink& s, Hex0x h) {
    s.write("0x");
    append_unsigned(s, h.value, 16, 0);
}

template <typename... Args>
[[nodiscard]] LoadError make_load_error(Errc code, const Args&... args) {
    LoadError error;
    error.code = code;
    LoadReasonSink sink(error);
    print(sink, args...);
    return error;
}

}  // namespace hv::vmm::loader
