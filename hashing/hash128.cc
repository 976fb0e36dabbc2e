#include "hashing/hash128.h"

#include <cstdio>

namespace evo {

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string Hash128::hex() const { return hex64(hi) + hex64(lo); }

std::optional<Hash128> Hash128::from_hex(std::string_view s) {
  if (s.size() != 32) return std::nullopt;
  auto word = [](std::string_view w) -> std::optional<std::uint64_t> {
    std::uint64_t v = 0;
    for (char c : w) {
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return std::nullopt;
      v = v << 4 | static_cast<std::uint64_t>(d);
    }
    return v;
  };
  auto hi = word(s.substr(0, 16)), lo = word(s.substr(16));
  if (!hi || !lo) return std::nullopt;
  return Hash128{*lo, *hi};
}

std::array<unsigned char, 16> Hash128::bytes() const {
  std::array<unsigned char, 16> b{};
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
    b[8 + i] = static_cast<unsigned char>(lo >> (56 - 8 * i));
  }
  return b;
}

Hash128 Hash128::from_bytes(const unsigned char* b) {
  Hash128 h;
  for (int i = 0; i < 8; ++i) {
    h.hi = h.hi << 8 | b[i];
    h.lo = h.lo << 8 | b[8 + i];
  }
  return h;
}

}  // namespace evo
