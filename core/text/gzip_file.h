#pragma once
// Reads a whole gzip-compressed file (zlib). Errors name the file: missing, not gzip,
// truncated or corrupt.
#include <filesystem>
#include <string>

namespace deltaedit::text {

// Throws io::ModelFileError.
std::string read_gzip_file(const std::filesystem::path& path);

}  // namespace deltaedit::text
