#pragma once
// face::RgbImage (OpenCV RGB8) <-> QImage (RGB888). Both copy: a QImage must not point into a
// cv::Mat that the engine may free, and vice versa.
#include <QImage>

#include "core/face/rgb_image.h"

namespace deltaedit::ui {

QImage to_qimage(const face::RgbImage& image);
// Any QImage format; alpha is dropped (composited over nothing: RGB888 conversion).
face::RgbImage to_rgb_image(const QImage& image);

}  // namespace deltaedit::ui
