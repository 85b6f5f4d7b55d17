#include "core/face/ffhq_align.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace deltaedit::face {
namespace {

cv::Point2d mean_of(const Landmarks& lm, int from, int to) {
  cv::Point2d sum(0, 0);
  for (int i = from; i < to; ++i) sum += lm[i];
  return sum * (1.0 / (to - from));
}

cv::Point2d apply(const cv::Matx33d& m, cv::Point2d p) {
  return {m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2), m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2)};
}

// Pixel-centre convention scaling about the image origin corner: x -> (x + 0.5) * s - 0.5.
cv::Matx33d scale_about_corner(double sx, double sy) {
  return {sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5, 0, 0, 1};
}

cv::Matx33d translate(double dx, double dy) { return {1, 0, dx, 0, 1, dy, 0, 0, 1}; }

struct Bounds {
  double min_x, min_y, max_x, max_y;
};

Bounds bounds_of(const std::array<cv::Point2d, 4>& q) {
  Bounds b{q[0].x, q[0].y, q[0].x, q[0].y};
  for (const auto& p : q) {
    b.min_x = std::min(b.min_x, p.x), b.min_y = std::min(b.min_y, p.y);
    b.max_x = std::max(b.max_x, p.x), b.max_y = std::max(b.max_y, p.y);
  }
  return b;
}

int rint_int(double v) { return static_cast<int>(std::lrint(v)); }

// Per-channel median of a float image (numpy's: mean of the two middle values when even).
cv::Scalar channel_median(const cv::Mat& img) {
  cv::Scalar median;
  std::vector<cv::Mat> channels;
  cv::split(img, channels);
  for (int c = 0; c < img.channels(); ++c) {
    std::vector<float> v =
        channels[c].isContinuous()
            ? std::vector<float>(channels[c].begin<float>(), channels[c].end<float>())
            : std::vector<float>();
    const size_t half = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + half, v.end());
    double m = v[half];
    if (v.size() % 2 == 0) m = 0.5 * (m + *std::max_element(v.begin(), v.begin() + half));
    median[c] = m;
  }
  return median;
}

// FFHQ's padding: reflect-pad, then fade the padded band into a blurred copy and further
// into the image median, so the network never sees a hard mirrored edge.
cv::Mat pad_and_blur(const cv::Mat& work, int left, int top, int right, int bottom, double qsize) {
  cv::Mat img;
  work.convertTo(img, CV_32FC3);
  const int border =
      std::min(img.cols, img.rows) > 1 ? cv::BORDER_REFLECT_101 : cv::BORDER_REPLICATE;
  cv::copyMakeBorder(img, img, top, bottom, left, right, border);
  const int h = img.rows, w = img.cols;

  // mask = max(1 - min(x / left, (w-1-x) / right), 1 - min(y / top, (h-1-y) / bottom))
  cv::Mat mask(h, w, CV_32F);
  const float pl = std::max(left, 1), pr = std::max(right, 1);
  const float pt = std::max(top, 1), pb = std::max(bottom, 1);
  for (int y = 0; y < h; ++y) {
    float* m = mask.ptr<float>(y);
    const float my = 1.f - std::min(y / pt, (h - 1 - y) / pb);
    for (int x = 0; x < w; ++x) m[x] = std::max(1.f - std::min(x / pl, (w - 1 - x) / pr), my);
  }

  const double sigma = qsize * 0.02;
  const int radius = static_cast<int>(4.0 * sigma + 0.5);  // scipy's truncate=4
  if (radius > 0) {
    cv::Mat blurred;
    cv::GaussianBlur(img, blurred, cv::Size(2 * radius + 1, 2 * radius + 1), sigma, sigma,
                     cv::BORDER_REFLECT);  // scipy's 'reflect' repeats the edge pixel
    for (int y = 0; y < h; ++y) {
      cv::Vec3f* p = img.ptr<cv::Vec3f>(y);
      const cv::Vec3f* b = blurred.ptr<cv::Vec3f>(y);
      const float* m = mask.ptr<float>(y);
      for (int x = 0; x < w; ++x) p[x] += (b[x] - p[x]) * std::clamp(m[x] * 3.f + 1.f, 0.f, 1.f);
    }
  }
  const cv::Scalar median = channel_median(img);
  const cv::Vec3f med{float(median[0]), float(median[1]), float(median[2])};
  for (int y = 0; y < h; ++y) {
    cv::Vec3f* p = img.ptr<cv::Vec3f>(y);
    const float* m = mask.ptr<float>(y);
    for (int x = 0; x < w; ++x) p[x] += (med - p[x]) * std::clamp(m[x], 0.f, 1.f);
  }
  cv::Mat out;
  img.convertTo(out, CV_8UC3);  // rounds and saturates like np.clip(np.rint(img), 0, 255)
  return out;
}

}  // namespace

Quad ffhq_quad(const Landmarks& lm) {
  const cv::Point2d eye_left = mean_of(lm, 36, 42), eye_right = mean_of(lm, 42, 48);
  const cv::Point2d eye_avg = (eye_left + eye_right) * 0.5;
  const cv::Point2d eye_to_eye = eye_right - eye_left;
  const cv::Point2d mouth_avg = (lm[48] + lm[54]) * 0.5;
  const cv::Point2d eye_to_mouth = mouth_avg - eye_avg;

  // x = eye_to_eye - flipud(eye_to_mouth) * [-1, 1]
  cv::Point2d x(eye_to_eye.x + eye_to_mouth.y, eye_to_eye.y - eye_to_mouth.x);
  x *= std::max(cv::norm(eye_to_eye) * 2.0, cv::norm(eye_to_mouth) * 1.8) / cv::norm(x);
  const cv::Point2d y(-x.y, x.x);
  const cv::Point2d c = eye_avg + eye_to_mouth * 0.1;
  return Quad{{c - x - y, c - x + y, c + x + y, c + x - y}};
}

cv::Matx33d photo_to_square(const Quad& quad, int size) {
  // aligned (u, v) -> photo: q0 + (u + 0.5) / size * (q3 - q0) + (v + 0.5) / size * (q1 - q0)
  const cv::Point2d ex = (quad.corners[3] - quad.corners[0]) * (1.0 / size);
  const cv::Point2d ey = (quad.corners[1] - quad.corners[0]) * (1.0 / size);
  const cv::Point2d t = quad.corners[0] + (ex + ey) * 0.5;
  const cv::Matx33d aligned_to_photo(ex.x, ey.x, t.x, ex.y, ey.y, t.y, 0, 0, 1);
  return aligned_to_photo.inv();
}

AlignedFace align_face(const RgbImage& photo, const Landmarks& landmarks, const AlignOptions& opt) {
  if (photo.empty() || photo.pixels.type() != CV_8UC3)
    throw std::invalid_argument("align_face: photo must be a non-empty 8-bit RGB image");
  if (opt.output_size < 1) throw std::invalid_argument("align_face: output_size must be >= 1");
  const int n = opt.output_size;
  const Quad quad = ffhq_quad(landmarks);
  if (!(quad.side() > 1.0)) throw std::invalid_argument("align_face: degenerate landmarks");

  // Shrink: big faces are first reduced by an integer factor (antialiased).
  const int shrink = static_cast<int>(std::floor(quad.side() / n * 0.5));
  const int s = shrink > 1 ? shrink : 1;
  const int shrunk_w = s > 1 ? rint_int(double(photo.width()) / s) : photo.width();
  const int shrunk_h = s > 1 ? rint_int(double(photo.height()) / s) : photo.height();
  const cv::Matx33d photo_to_shrunk = scale_about_corner(1.0 / s, 1.0 / s);
  std::array<cv::Point2d, 4> q;
  for (int i = 0; i < 4; ++i) q[i] = apply(photo_to_shrunk, quad.corners[i]);
  const double qsize = quad.side() / s;

  // Crop (in shrunk coordinates) the quad plus a border; only that part is ever resampled.
  const int border = std::max(rint_int(qsize * 0.1), 3);
  Bounds b = bounds_of(q);
  const int c0 = std::max(int(std::floor(b.min_x)) - border, 0);
  const int c1 = std::max(int(std::floor(b.min_y)) - border, 0);
  const int c2 = std::min(int(std::ceil(b.max_x)) + border, shrunk_w);
  const int c3 = std::min(int(std::ceil(b.max_y)) + border, shrunk_h);
  if (c2 <= c0 || c3 <= c1) throw std::invalid_argument("align_face: face lies outside the photo");
  const int x0 = c0 * s, y0 = c1 * s;
  const int x1 = std::min(photo.width(), c2 * s), y1 = std::min(photo.height(), c3 * s);
  const cv::Mat region = photo.pixels(cv::Rect(x0, y0, x1 - x0, y1 - y0));
  cv::Mat work;
  cv::Matx33d photo_to_work = translate(-x0, -y0);
  if (s > 1) {
    cv::resize(region, work, cv::Size(c2 - c0, c3 - c1), 0, 0, cv::INTER_AREA);
    photo_to_work =
        scale_about_corner(double(work.cols) / region.cols, double(work.rows) / region.rows) *
        photo_to_work;
  } else {
    work = region;
  }

  // Pad where the quad leaves the photo (by more than a few pixels).
  for (int i = 0; i < 4; ++i) q[i] = apply(photo_to_work, quad.corners[i]);
  b = bounds_of(q);
  int pad[4] = {std::max(-int(std::floor(b.min_x)) + border, 0),
                std::max(-int(std::floor(b.min_y)) + border, 0),
                std::max(int(std::ceil(b.max_x)) - work.cols + border, 0),
                std::max(int(std::ceil(b.max_y)) - work.rows + border, 0)};
  if (opt.enable_padding && *std::max_element(pad, pad + 4) > border - 4) {
    for (int& p : pad) p = std::max(p, rint_int(qsize * 0.3));
    work = pad_and_blur(work, pad[0], pad[1], pad[2], pad[3], qsize);
    photo_to_work = translate(pad[0], pad[1]) * photo_to_work;
  }

  // Transform: sample the quad at up to max_supersampling x the output size (FFHQ renders
  // 4096 for 1024), then shrink with area averaging so a large face does not alias.
  const int k =
      std::clamp(static_cast<int>(std::ceil(qsize / n)), 1, std::max(opt.max_supersampling, 1));
  AlignedFace out;
  out.quad = quad;
  out.photo_to_aligned = photo_to_square(quad, n);
  const cv::Matx33d super_to_work =
      photo_to_work * out.aligned_to_photo() * scale_about_corner(1.0 / k, 1.0 / k);
  cv::Mat super;
  cv::warpAffine(work, super, cv::Mat(super_to_work).rowRange(0, 2), cv::Size(k * n, k * n),
                 cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT, cv::Scalar());
  if (k > 1)
    cv::resize(super, out.image.pixels, cv::Size(n, n), 0, 0, cv::INTER_AREA);
  else
    out.image.pixels = super;
  return out;
}

AlignedFace treat_as_aligned(const RgbImage& image, int size) {
  if (image.empty() || image.pixels.type() != CV_8UC3)
    throw std::invalid_argument("treat_as_aligned: image must be a non-empty 8-bit RGB image");
  if (size < 1) throw std::invalid_argument("treat_as_aligned: size must be >= 1");
  const double w = image.width(), h = image.height();
  AlignedFace out;
  const bool shrinking = size < image.width() || size < image.height();
  cv::resize(image.pixels, out.image.pixels, cv::Size(size, size), 0, 0,
             shrinking ? cv::INTER_AREA : cv::INTER_CUBIC);
  out.quad = Quad{{cv::Point2d(-0.5, -0.5), cv::Point2d(-0.5, h - 0.5),
                   cv::Point2d(w - 0.5, h - 0.5), cv::Point2d(w - 0.5, -0.5)}};
  out.photo_to_aligned = scale_about_corner(size / w, size / h);
  return out;
}

}  // namespace deltaedit::face
