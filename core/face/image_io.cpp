#include "core/face/image_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "core/face/image_header.h"

namespace deltaedit::face {
namespace {

namespace fs = std::filesystem;

std::vector<unsigned char> read_file(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) throw ImageError(path, "file not found");
  if (fs::is_directory(status)) throw ImageError(path, "is a directory, not an image");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImageError(path, std::string("cannot open: ") + std::strerror(errno));
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw ImageError(path, "cannot read");
  if (size == 0) throw ImageError(path, "file is empty");
  std::vector<unsigned char> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) throw ImageError(path, "cannot read");
  return bytes;
}

void check_dimensions(const ImageHeader& h, const fs::path& path) {
  const std::string size = std::to_string(h.width) + "x" + std::to_string(h.height);
  if (h.width <= 0 || h.height <= 0) throw ImageError(path, "image has zero size (" + size + ")");
  if (h.width > kMaxPhotoSide || h.height > kMaxPhotoSide)
    throw ImageError(path, h.format + " image is " + size + " pixels: sides over " +
                               std::to_string(kMaxPhotoSide) + " are refused");
  if (h.width * h.height > kMaxPhotoPixels)
    throw ImageError(path, h.format + " image is " + size + " pixels: more than " +
                               std::to_string(kMaxPhotoPixels / 1'000'000) +
                               " megapixels are refused");
}

// Scales any depth to 8 bits and any channel layout (OpenCV's BGR/BGRA/gray) to RGB.
cv::Mat to_rgb8(cv::Mat& decoded) {
  cv::Mat img = decoded;
  if (img.depth() == CV_16U) {
    img.convertTo(img, CV_8U, 1.0 / 257.0);  // 65535 / 257 = 255 exactly; rounds to nearest
  } else if (img.depth() == CV_32F) {
    img.convertTo(img, CV_8U, 255.0);
  } else if (img.depth() != CV_8U) {
    img.convertTo(img, CV_8U);
  }
  cv::Mat rgb;
  switch (img.channels()) {
    case 1:
      cv::cvtColor(img, rgb, cv::COLOR_GRAY2RGB);
      break;
    case 2: {  // gray + alpha: expand to BGRA and composite below
      std::vector<cv::Mat> ga;
      cv::split(img, ga);
      cv::merge(std::vector<cv::Mat>{ga[0], ga[0], ga[0], ga[1]}, img);
      [[fallthrough]];
    }
    case 4: {
      // Over white: out = c * a + 255 * (1 - a), rounded.
      rgb.create(img.size(), CV_8UC3);
      for (int y = 0; y < img.rows; ++y) {
        const cv::Vec4b* src = img.ptr<cv::Vec4b>(y);
        cv::Vec3b* dst = rgb.ptr<cv::Vec3b>(y);
        for (int x = 0; x < img.cols; ++x) {
          const int a = src[x][3];
          for (int c = 0; c < 3; ++c)
            dst[x][2 - c] = static_cast<uchar>((src[x][c] * a + 255 * (255 - a) + 127) / 255);
        }
      }
      break;
    }
    default:      // BGR: swap in place, a huge photo must not be held twice
      rgb = img;  // may share `decoded`, which the caller drops
      for (int y = 0; y < rgb.rows; ++y) {
        cv::Vec3b* row = rgb.ptr<cv::Vec3b>(y);
        for (int x = 0; x < rgb.cols; ++x) std::swap(row[x][0], row[x][2]);
      }
  }
  return rgb;
}

// EXIF orientation 1..8 -> upright, as the EXIF specification defines the tag.
void apply_orientation(cv::Mat& img, int orientation) {
  switch (orientation) {
    case 2:
      cv::flip(img, img, 1);
      break;
    case 3:
      cv::rotate(img, img, cv::ROTATE_180);
      break;
    case 4:
      cv::flip(img, img, 0);
      break;
    case 5:
      cv::transpose(img, img);
      break;
    case 6:
      cv::rotate(img, img, cv::ROTATE_90_CLOCKWISE);
      break;
    case 7:
      cv::transpose(img, img);
      cv::rotate(img, img, cv::ROTATE_180);
      break;
    case 8:
      cv::rotate(img, img, cv::ROTATE_90_COUNTERCLOCKWISE);
      break;
    default:
      break;
  }
}

// Writes all bytes to a fresh file and flushes it to disk; throws naming `path`.
void write_new_file(const fs::path& path, const std::vector<unsigned char>& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw ImageError(path, std::string("cannot create: ") + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(path.c_str());
      throw ImageError(path, "cannot write: " + why);
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  if (::close(fd) != 0 || !synced) {
    ::unlink(path.c_str());
    throw ImageError(path, std::string("cannot write: ") + std::strerror(errno));
  }
}

fs::path temp_name_next_to(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  return tmp;
}

// Moves `tmp` to `path`. Without overwrite, link() makes "create only if absent" atomic.
void publish(const fs::path& tmp, const fs::path& path, bool overwrite) {
  if (overwrite) {
    if (::rename(tmp.c_str(), path.c_str()) == 0) return;
  } else if (::link(tmp.c_str(), path.c_str()) == 0) {
    ::unlink(tmp.c_str());
    return;
  } else if (errno != EEXIST && !fs::exists(path)) {
    // File systems without hard links: check, then rename (a small race is unavoidable there).
    if (::rename(tmp.c_str(), path.c_str()) == 0) return;
  }
  const int error = errno;
  ::unlink(tmp.c_str());
  if (error == EEXIST) throw ImageError(path, "file already exists (not overwriting it)");
  throw ImageError(path, std::string("cannot write: ") + std::strerror(error));
}

}  // namespace

RgbImage load_photo(const fs::path& path) {
  const std::vector<unsigned char> bytes = read_file(path);
  const ImageHeader header = read_image_header(bytes, path);
  check_dimensions(header, path);
  if (header.format == "PNG") check_png_structure(bytes, path);

  cv::Mat decoded;
  try {
    // UNCHANGED keeps 16 bits and alpha; orientation is then ours to apply.
    decoded = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw ImageError(path, "corrupt " + header.format + " data (" + e.err + ")");
  }
  if (decoded.empty()) throw ImageError(path, "corrupt " + header.format + " data (cannot decode)");
  if (decoded.cols != header.width || decoded.rows != header.height)
    throw ImageError(path, "corrupt " + header.format + " data (decoded size differs from header)");

  RgbImage out{to_rgb8(decoded)};
  decoded.release();
  apply_orientation(out.pixels, header.exif_orientation);
  return out;
}

void save_png(const fs::path& path, const RgbImage& rgb, const TextChunks& metadata,
              bool overwrite) {
  if (rgb.empty() || rgb.pixels.type() != CV_8UC3)
    throw ImageError(path, "save_png needs a non-empty 8-bit RGB image");
  if (!overwrite && fs::exists(path))
    throw ImageError(path, "file already exists (not overwriting it)");

  cv::Mat bgr;
  cv::cvtColor(rgb.pixels, bgr, cv::COLOR_RGB2BGR);
  std::vector<unsigned char> encoded;
  if (!cv::imencode(".png", bgr, encoded)) throw ImageError(path, "PNG encoding failed");
  bgr.release();
  std::vector<unsigned char> with_text;
  try {
    with_text = insert_png_text(encoded, metadata);
  } catch (const std::invalid_argument& e) {
    throw ImageError(path, e.what());
  }
  encoded = {};

  const fs::path tmp = temp_name_next_to(path);
  write_new_file(tmp, with_text);
  publish(tmp, path, overwrite);
}

TextChunks read_png_text(const fs::path& path) { return parse_png_text(read_file(path), path); }

}  // namespace deltaedit::face
