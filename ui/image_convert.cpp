#include "ui/image_convert.h"

#include <cstring>
#include <stdexcept>

#include <opencv2/core.hpp>

namespace deltaedit::ui {

QImage to_qimage(const face::RgbImage& image) {
  if (image.empty()) return {};
  if (image.pixels.type() != CV_8UC3) throw std::invalid_argument("to_qimage: expected CV_8UC3");
  QImage out(image.width(), image.height(), QImage::Format_RGB888);
  const size_t row_bytes = size_t(image.width()) * 3;
  for (int y = 0; y < image.height(); ++y)
    std::memcpy(out.scanLine(y), image.pixels.ptr<unsigned char>(y), row_bytes);
  return out;
}

face::RgbImage to_rgb_image(const QImage& image) {
  face::RgbImage out;
  if (image.isNull()) return out;
  const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
  out.pixels.create(rgb.height(), rgb.width(), CV_8UC3);
  const size_t row_bytes = size_t(rgb.width()) * 3;
  for (int y = 0; y < rgb.height(); ++y)
    std::memcpy(out.pixels.ptr<unsigned char>(y), rgb.constScanLine(y), row_bytes);
  return out;
}

}  // namespace deltaedit::ui
