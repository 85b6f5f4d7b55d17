#pragma once
// Reads a whole gzip-compressed file, and writes gzip bytes (zlib). Errors name the file: missing, not gzip,
// truncated or corrupt.
#include <filesystem>
#include <string>

namespace deltaedit::text {

// Throws io::ModelFileError.
std::string read_gzip_file(const std::filesystem::path& path);

// `plain` as gzip bytes with mtime 0, so the same input always gives the same bytes (the demo
// bundle's vocabulary file is committed). Throws std::runtime_error if zlib fails.
std::string gzip_compress(const std::string& plain);

}  // namespace deltaedit::text
