#pragma once
// Type-safe text formatting for the console and for descriptions built by pure code.
//
//   print(sink, "hv: pci ", bdf, " class=", Hex{cls, 6});
//
// Each argument is appended by an `append` overload; a type joins the scheme by providing
// `void format_to(Sink&, const T&)`. No allocation, no varargs, works in the kernel and on the
// host.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace hv {

// Where characters go: the UART, a fixed buffer, a test string.
class Sink {
  public:
    virtual void put(char c) = 0;
    void write(const char* s) {
        while (*s) put(*s++);
    }
    void write(const char* s, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) put(s[i]);
    }

  protected:
    ~Sink() = default;
};

// A fixed-capacity buffer sink; output past the capacity is dropped, the text stays terminated.
template <std::size_t N>
class BufferSink final : public Sink {
  public:
    void put(char c) override {
        if (len_ + 1 < N) buf_[len_++] = c;
        buf_[len_] = '\0';
    }
    [[nodiscard]] const char* c_str() const { return buf_; }
    [[nodiscard]] std::size_t size() const { return len_; }
    void clear() {
        len_ = 0;
        buf_[0] = '\0';
    }

  private:
    char buf_[N] = {};
    std::size_t len_ = 0;
};

// Hexadecimal, zero-padded to `width` digits, without a prefix (console lines add "0x" where the
// contract wants it).
struct Hex {
    std::uint64_t value;
    int width = 0;
};

// Decimal, zero-padded to `width` digits.
struct Dec {
    std::uint64_t value;
    int width = 0;
};

inline void append_unsigned(Sink& s, std::uint64_t v, unsigned base, int width) {
    char digits[24];
    int n = 0;
    do {
        unsigned d = static_cast<unsigned>(v % base);
        digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0);
    for (int i = n; i < width; ++i) s.put('0');
    while (n > 0) s.put(digits[--n]);
}

inline void format_to(Sink& s, const char* text) { s.write(text ? text : "(null)"); }
inline void format_to(Sink& s, char c) { s.put(c); }
inline void format_to(Sink& s, bool b) { s.write(b ? "true" : "false"); }
inline void format_to(Sink& s, Hex h) { append_unsigned(s, h.value, 16, h.width); }
inline void format_to(Sink& s, Dec d) { append_unsigned(s, d.value, 10, d.width); }

template <std::integral T>
requires(!std::same_as<T, bool> && !std::same_as<T, char>) inline void format_to(Sink& s, T v) {
    if constexpr (std::is_signed_v<T>) {
        if (v < 0) {
            s.put('-');
            append_unsigned(s, static_cast<std::uint64_t>(-(static_cast<std::int64_t>(v))), 10, 0);
            return;
        }
    }
    append_unsigned(s, static_cast<std::uint64_t>(v), 10, 0);
}

template <typename... Args>
void print(Sink& sink, const Args&... args) {
    (format_to(sink, args), ...);
}

}  // namespace hv
