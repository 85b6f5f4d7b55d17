#include "core/text/byte_level_alphabet.h"

#include "core/text/utf8_codec.h"

namespace deltaedit::text {
namespace {

bool printable(int b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

struct Alphabet {
  std::array<char32_t, 256> in_vocab_order{};
  std::array<std::string, 256> utf8_of_byte;  // byte -> UTF-8 of its code point
};

const Alphabet& alphabet() {
  static const Alphabet table = [] {
    Alphabet a;
    size_t slot = 0;
    for (int b = 0; b < 256; ++b)
      if (printable(b)) a.in_vocab_order[slot++] = static_cast<char32_t>(b);
    int shifted = 0;
    for (int b = 0; b < 256; ++b)
      if (!printable(b)) a.in_vocab_order[slot++] = static_cast<char32_t>(256 + shifted++);
    slot = 0;
    shifted = 0;
    for (int b = 0; b < 256; ++b) {
      const char32_t c =
          printable(b) ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + shifted++);
      append_utf8(a.utf8_of_byte[b], c);
    }
    return a;
  }();
  return table;
}

}  // namespace

const std::array<char32_t, 256>& byte_alphabet_in_vocab_order() {
  return alphabet().in_vocab_order;
}

std::string bytes_to_printable(std::string_view utf8_bytes) {
  const Alphabet& a = alphabet();
  std::string out;
  out.reserve(utf8_bytes.size() * 2);
  for (char b : utf8_bytes) out += a.utf8_of_byte[static_cast<unsigned char>(b)];
  return out;
}

}  // namespace deltaedit::text
