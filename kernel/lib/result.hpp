#pragma once
// Result<T, E>: the one error-return type of the hypervisor. Freestanding (no exceptions, no
// allocation); the same header builds in the kernel and in host unit tests.
#include <type_traits>
#include <utility>

namespace hv {

// What went wrong, as a category a caller can branch on plus a static message for the console.
enum class Errc : unsigned char {
    kInvalid,      // malformed input (bad checksum, bad length, bad value)
    kNotFound,     // a thing that was looked up is absent
    kUnsupported,  // valid, but not something we handle
    kNoMemory,     // an allocator ran dry
    kTooMany,      // a fixed-capacity table is full
    kTimeout,      // hardware did not answer in time
};

// `what` is always a string literal (static storage), so an Error is two words and copyable.
struct Error {
    Errc code;
    const char* what;
};

[[nodiscard]] constexpr Error make_error(Errc code, const char* what) { return Error{code, what}; }

template <typename T, typename E = Error>
class [[nodiscard]] Result {
  public:
    constexpr Result(const T& v) : ok_(true) { new (&storage_.value) T(v); }
    constexpr Result(T&& v) : ok_(true) { new (&storage_.value) T(std::move(v)); }
    constexpr Result(const E& e) : ok_(false) { new (&storage_.error) E(e); }

    constexpr Result(const Result& o) : ok_(o.ok_) {
        if (ok_)
            new (&storage_.value) T(o.storage_.value);
        else
            new (&storage_.error) E(o.storage_.error);
    }
    constexpr Result(Result&& o) : ok_(o.ok_) {
        if (ok_)
            new (&storage_.value) T(std::move(o.storage_.value));
        else
            new (&storage_.error) E(std::move(o.storage_.error));
    }
    Result& operator=(const Result&) = delete;
    Result& operator=(Result&&) = delete;
    constexpr ~Result() {
        if (ok_)
            storage_.value.~T();
        else
            storage_.error.~E();
    }

    [[nodiscard]] constexpr bool ok() const { return ok_; }
    constexpr explicit operator bool() const { return ok_; }

    // Callers check ok() first; the accessors do not (a wrong call is a programming error the
    // unit tests catch, and the kernel has no exception to throw).
    constexpr T& value() & { return storage_.value; }
    constexpr const T& value() const& { return storage_.value; }
    constexpr T&& value() && { return std::move(storage_.value); }
    constexpr const E& error() const { return storage_.error; }

    constexpr T value_or(T fallback) const { return ok_ ? storage_.value : fallback; }

  private:
    union Storage {
        constexpr Storage() {}
        constexpr ~Storage() {}
        T value;
        E error;
    } storage_;
    bool ok_;
};

// Result<void>: success carries nothing.
struct Ok {};

template <typename E>
class [[nodiscard]] Result<void, E> {
  public:
    constexpr Result() : ok_(true), error_{} {}
    constexpr Result(Ok) : ok_(true), error_{} {}
    constexpr Result(const E& e) : ok_(false), error_(e) {}
    [[nodiscard]] constexpr bool ok() const { return ok_; }
    constexpr explicit operator bool() const { return ok_; }
    constexpr const E& error() const { return error_; }
    constexpr void value() const {}

  private:
    bool ok_;
    E error_;
};

}  // namespace hv

// Placement new: <new> is part of the freestanding library (its placement forms are inline).
#include <new>

// TRY(expr): evaluate a Result; on error return that error from the enclosing function, otherwise
// yield the value. A macro because C++ has no other way to return from the caller.
#define TRY(expr)                                          \
    ({                                                     \
        auto&& try_result_ = (expr);                       \
        if (!try_result_.ok()) return try_result_.error(); \
        std::move(try_result_).value();                    \
    })
