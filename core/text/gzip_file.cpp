#include "core/text/gzip_file.h"

#include <zlib.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "core/io/model_file_error.h"

namespace deltaedit::text {

std::string read_gzip_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw io::ModelFileError(path, "cannot open the file (missing or unreadable)");
  const std::string compressed((std::istreambuf_iterator<char>(file)),
                               std::istreambuf_iterator<char>());
  if (compressed.size() < 18 || static_cast<unsigned char>(compressed[0]) != 0x1F ||
      static_cast<unsigned char>(compressed[1]) != 0x8B)
    throw io::ModelFileError(path, "not a gzip file (bad magic bytes)");

  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
    throw io::ModelFileError(path, "zlib could not start decompressing");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buffer[1 << 16];
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      const std::string reason = status == Z_BUF_ERROR ? "truncated gzip data"
                                 : stream.msg ? std::string("corrupt gzip data: ") + stream.msg
                                              : "corrupt gzip data";
      inflateEnd(&stream);
      throw io::ModelFileError(path, reason);
    }
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  return out;
}

std::string gzip_compress(const std::string& plain) {
  z_stream s{};
  // windowBits 16 + 15: a gzip wrapper; zlib writes mtime 0.
  if (deflateInit2(&s, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    throw std::runtime_error("zlib could not start compressing");
  std::string out(deflateBound(&s, static_cast<uLong>(plain.size())), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  s.avail_in = static_cast<uInt>(plain.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  if (status != Z_STREAM_END) throw std::runtime_error("zlib could not compress");
  return out;
}


}  // namespace deltaedit::text
