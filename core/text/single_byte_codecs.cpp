#include "core/text/single_byte_codecs.h"

#include <algorithm>
#include <stdexcept>

namespace deltaedit::text {
namespace {

struct SingleByteCodecData {
  const char* name;
  bool sloppy;
  int table[256];
};

#include "core/text/single_byte_codecs_data.inc"

const std::vector<SingleByteCodec>& all_codecs() {
  static const std::vector<SingleByteCodec> codecs = [] {
    std::vector<SingleByteCodec> list;
    for (const auto& data : kSingleByteCodecs)
      list.emplace_back(data.name, data.sloppy, data.table);
    return list;
  }();
  return codecs;
}

}  // namespace

SingleByteCodec::SingleByteCodec(std::string_view name, bool sloppy, const int (&table)[256])
    : name_(name), sloppy_(sloppy) {
  for (int b = 0; b < 256; ++b) {
    to_unicode_[b] = table[b];
    if (table[b] >= 0)
      from_unicode_.emplace_back(static_cast<char32_t>(table[b]), static_cast<unsigned char>(b));
  }
  std::sort(from_unicode_.begin(), from_unicode_.end());
}

const SingleByteCodec& SingleByteCodec::get(std::string_view name) {
  for (const auto& codec : all_codecs())
    if (codec.name() == name) return codec;
  throw std::out_of_range("unknown single-byte codec: " + std::string(name));
}

const std::vector<const SingleByteCodec*>& SingleByteCodec::mojibake_candidates() {
  static const std::vector<const SingleByteCodec*> order = [] {
    std::vector<const SingleByteCodec*> list;
    for (const char* name : {"latin-1", "sloppy-windows-1252", "sloppy-windows-1251",
                             "sloppy-windows-1250", "sloppy-windows-1253", "sloppy-windows-1254",
                             "sloppy-windows-1257", "iso-8859-2", "macroman", "cp437"})
      list.push_back(&get(name));
    return list;
  }();
  return order;
}

std::optional<char32_t> SingleByteCodec::decode_byte(unsigned char b) const {
  if (to_unicode_[b] < 0) return std::nullopt;
  return static_cast<char32_t>(to_unicode_[b]);
}

std::optional<std::string> SingleByteCodec::encode(std::u32string_view text) const {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    auto it = std::lower_bound(from_unicode_.begin(), from_unicode_.end(),
                               std::make_pair(c, static_cast<unsigned char>(0)));
    if (it == from_unicode_.end() || it->first != c) return std::nullopt;
    out.push_back(static_cast<char>(it->second));
  }
  return out;
}

std::optional<std::u32string> SingleByteCodec::decode(std::string_view bytes) const {
  std::u32string out;
  out.reserve(bytes.size());
  for (char b : bytes) {
    const int c = to_unicode_[static_cast<unsigned char>(b)];
    if (c < 0) return std::nullopt;
    out.push_back(static_cast<char32_t>(c));
  }
  return out;
}

bool SingleByteCodec::can_encode(std::u32string_view text) const {
  for (char32_t c : text) {
    if (c < 0x80 && c != 0x1A) continue;
    auto it = std::lower_bound(from_unicode_.begin(), from_unicode_.end(),
                               std::make_pair(c, static_cast<unsigned char>(0)));
    const bool from_high_byte =
        it != from_unicode_.end() && it->first == c && (it->second >= 0x80 || it->second == 0x1A);
    if (!from_high_byte) return false;
  }
  return true;
}

}  // namespace deltaedit::text
