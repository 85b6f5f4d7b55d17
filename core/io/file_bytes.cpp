#include "core/io/file_bytes.h"

#include <bit>
#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/io/model_file_error.h"

static_assert(std::endian::native == std::endian::little,
              "the model file readers assume a little-endian host");

namespace deltaedit::io {

std::shared_ptr<FileBytes> FileBytes::map(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw ModelFileError(file, "cannot open: " + std::generic_category().message(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw ModelFileError(file, "not a regular file");
  }
  std::shared_ptr<FileBytes> out(new FileBytes());
  out->name_ = file;
  out->size_ = static_cast<std::size_t>(st.st_size);
  if (out->size_ > 0) {
    // Private + writable: pages are shared with the page cache until someone writes to them.
    void* p = ::mmap(nullptr, out->size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      throw ModelFileError(file, "cannot map: " + std::generic_category().message(err));
    }
    out->data_ = static_cast<uint8_t*>(p);
    out->mapped_ = true;
  }
  ::close(fd);
  return out;
}

std::shared_ptr<FileBytes> FileBytes::copy_of(std::span<const uint8_t> bytes,
                                              const std::filesystem::path& name) {
  std::shared_ptr<FileBytes> out(new FileBytes());
  out->name_ = name;
  out->owned_.assign(bytes.begin(), bytes.end());
  out->data_ = out->owned_.data();
  out->size_ = out->owned_.size();
  return out;
}

FileBytes::~FileBytes() {
  if (mapped_) ::munmap(data_, size_);
}

}  // namespace deltaedit::io
