#include "core/demo/portrait_renderer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

#include <opencv2/imgproc.hpp>

#include "core/demo/portrait_canvas.h"

namespace deltaedit::demo {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kSupersample = 4;

// The canonical face frame (unit image coordinates before pose): every part is placed
// relative to the head centre and radii, so face_width reshapes everything consistently.
constexpr double kHeadX = 0.5, kHeadY = 0.44;  // head centre
constexpr double kHeadRx = 0.18;
constexpr double kHeadRy = 0.235;
constexpr double kEyeDy = 0.01;  // eye line below the head centre
constexpr double kEyeDx = 0.08;  // eye centre from the midline
constexpr double kMouthDy = 0.158;
// The parts above are laid out in a frame with room to spare; the picture shows it enlarged by
// kFraming about the head centre (a portrait crop: head, neck, top of the shoulders).
constexpr double kFraming = 1.2;

double smoothstep(double e0, double e1, double x) {
  const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

cv::Scalar lerp_palette(const std::vector<cv::Scalar>& stops, double t) {
  const double f = std::clamp(t, 0.0, 1.0) * static_cast<double>(stops.size() - 1);
  const size_t i = std::min(static_cast<size_t>(f), stops.size() - 2);
  return mix(stops[i], stops[i + 1], f - static_cast<double>(i));
}

cv::Scalar skin_colour(float tone) {
  static const std::vector<cv::Scalar> stops = {rgb(255, 226, 206), rgb(241, 197, 162),
                                                rgb(213, 160, 118), rgb(160, 108, 72),
                                                rgb(96, 62, 42)};
  return lerp_palette(stops, tone);
}

cv::Scalar hair_colour(HairColour c, float variant) {
  static const std::array<cv::Scalar, kHairColourCount> base = {
      rgb(38, 32, 34),  rgb(104, 64, 34),   rgb(236, 204, 120),
      rgb(192, 74, 34), rgb(172, 172, 176), rgb(46, 96, 214)};
  const cv::Scalar b = base.at(static_cast<size_t>(c));
  return variant < 0 ? mix(b, rgb(0, 0, 0), -0.25 * variant)
                     : mix(b, rgb(255, 255, 255), 0.18 * variant);
}

cv::Scalar background_colour(Background bg, float variant) {
  static const std::array<cv::Scalar, kBackgroundCount> base = {
      rgb(238, 238, 232), rgb(112, 160, 226), rgb(120, 196, 126), rgb(246, 222, 102),
      rgb(246, 172, 202), rgb(162, 122, 212), rgb(246, 160, 82)};
  return shade(base.at(static_cast<size_t>(bg)), 1.0 + 0.1 * variant);
}

cv::Scalar iris_colour(int i) {
  static const std::array<cv::Scalar, 4> palette = {rgb(112, 70, 38), rgb(70, 122, 192),
                                                    rgb(78, 142, 88), rgb(120, 130, 140)};
  return palette.at(static_cast<size_t>(std::clamp(i, 0, 3)));
}

cv::Scalar frame_colour(int i) {
  static const std::array<cv::Scalar, 4> palette = {rgb(24, 24, 26), rgb(96, 58, 30),
                                                    rgb(200, 166, 70), rgb(176, 30, 42)};
  return palette.at(static_cast<size_t>(std::clamp(i, 0, 3)));
}

cv::Scalar hsv_colour(double hue, double sat, double val) {
  cv::Mat3b px(1, 1,
               cv::Vec3b(static_cast<uint8_t>(std::clamp(hue, 0.0, 1.0) * 179),
                         static_cast<uint8_t>(sat * 255), static_cast<uint8_t>(val * 255)));
  cv::cvtColor(px, px, cv::COLOR_HSV2BGR);
  return cv::Scalar(px(0, 0)[0], px(0, 0)[1], px(0, 0)[2]);
}

// Everything the parts need, derived once from the attributes.
struct Face {
  const FaceAttributes& a;
  cv::Point2d c{kHeadX, kHeadY};
  double rx, ry;
  double eye_y, eye_dx, eye_size;
  cv::Point2d mouth;
  double hair_volume, hair_end_y;
  cv::Scalar skin, hair, lips;

  explicit Face(const FaceAttributes& attrs) : a(attrs) {
    const Nuisance& n = a.nuisance;
    rx = kHeadRx * n.face_width;
    ry = kHeadRy;
    eye_y = c.y + kEyeDy;
    eye_dx = kEyeDx * n.face_width;
    eye_size = std::clamp(a.eye_size, 0.0f, 1.0f);
    mouth = {c.x, c.y + kMouthDy};
    const double len = std::clamp(a.hair_length, 0.0f, 1.0f);
    hair_volume = 0.015 + 0.035 * len;
    hair_end_y = c.y - 0.05 + 0.7 * len;
    skin = skin_colour(a.skin_tone);
    hair = hair_colour(a.hair_colour, n.hair_shade);
    lips = shade(mix(skin, rgb(190, 72, 84), 0.5), 0.95);
  }

  // The head outline: an ellipse whose lower half narrows towards the chin.
  Polygon head(double grow = 0.0) const {
    Polygon pts;
    const int n = 96;
    for (int i = 0; i < n; ++i) {
      const double t = 2 * kPi * i / n;
      const double s = std::sin(t);
      const double taper = 1.0 - a.nuisance.jaw_taper * std::pow(std::max(0.0, s), 3.0);
      pts.emplace_back(c.x + (rx + grow) * std::cos(t) * taper, c.y + (ry + grow) * s);
    }
    return pts;
  }

  double eye_half_width() const { return 0.031 + 0.017 * eye_size; }
  double eye_half_height() const { return 0.014 + 0.017 * eye_size; }

  // Height of the forehead hairline at x (the cap covers everything above it).
  double hairline_y(double x) const {
    const double dx = (x - c.x) / rx;
    const int parting = a.nuisance.hair_parting;
    double fore;
    if (parting == 0) {
      fore = c.y - 0.092 + 0.02 * dx * dx;  // straight fringe
    } else {
      fore = c.y - 0.118 - 0.035 * parting * dx + 0.02 * dx * dx;  // swept to one side
    }
    const double side = c.y + 0.012;  // sideburns reach the top of the ears
    return fore + (side - fore) * smoothstep(0.68, 1.0, std::abs(dx));
  }

  // Outline of the hair mass around the skull (the cap's outer edge).
  cv::Point2d hair_centre() const { return {c.x, c.y - 0.01}; }
  double hair_rx() const { return rx + hair_volume; }
  double hair_ry() const { return ry + 0.6 * hair_volume; }
  Polygon hair_outline() const { return ellipse_points(hair_centre(), hair_rx(), hair_ry()); }

  // Horizontal reach of the hair at height y: the cap's outline above its centre, then hanging
  // down and flaring a little towards the ends.
  double hanging_half_width(double y) const {
    const double dy = y - hair_centre().y;
    if (dy >= 0) return hair_rx() + 0.05 * dy;
    const double v = std::min(1.0, -dy / hair_ry());
    return hair_rx() * std::sqrt(1.0 - v * v);
  }
};

void draw_background(cv::Mat& img, const FaceAttributes& a) {
  const cv::Scalar bg = background_colour(a.background, a.nuisance.background_shade);
  for (int y = 0; y < img.rows; ++y) {
    const double f = 1.06 - 0.12 * y / std::max(1, img.rows - 1);  // lit from above
    img.row(y).setTo(shade(bg, f));
  }
}

// Hair hanging behind the head, neck and shoulders (medium and long hair).
void draw_back_hair(PortraitCanvas& cv, const Face& f) {
  if (f.hair_end_y <= f.c.y + 0.02) return;
  Polygon pts;
  const double ox = f.hair_centre().x, oy = f.hair_centre().y;
  const double rx = f.hair_rx(), ry = f.hair_ry();
  for (int i = 0; i <= 36; ++i) {  // upper half of the cap outline, left to right
    const double t = kPi + kPi * i / 36;
    pts.emplace_back(ox + rx * std::cos(t), oy + ry * std::sin(t));
  }
  const double w = f.hanging_half_width(f.hair_end_y);
  pts.emplace_back(ox + w, f.hair_end_y - 0.02);
  for (int i = 0; i <= 8; ++i) {  // uneven strand tips along the bottom
    const double u = 1.0 - 2.0 * i / 8;
    pts.emplace_back(ox + w * 0.92 * u, f.hair_end_y + 0.006 * ((i % 2) ? 1 : -1));
  }
  pts.emplace_back(ox - w, f.hair_end_y - 0.02);
  cv.fill(pts, shade(f.hair, 0.82));
}

void draw_body(PortraitCanvas& cv, const Face& f) {
  const FaceAttributes& a = f.a;
  const cv::Scalar shirt = hsv_colour(a.nuisance.shirt_hue, 0.5, a.nuisance.shirt_value);
  const double nw = 0.074 * a.nuisance.face_width;
  const double top = f.c.y + 0.12;
  // Shadow the head casts on the neck.
  const Polygon neck = {
      {f.c.x - nw, top}, {f.c.x + nw, top}, {f.c.x + nw * 1.1, 0.9}, {f.c.x - nw * 1.1, 0.9}};
  cv.fill(neck, shade(f.skin, 0.86));
  cv.paint(cv::min(cv.fill_mask(ellipse_points({f.c.x, f.c.y + f.ry - 0.01}, nw * 1.2, 0.05)),
                   cv.fill_mask(neck)),
           shade(f.skin, 0.7), 0.6);
  const Polygon shoulders = ellipse_points({0.5, 1.04}, 0.46, 0.28);
  cv.fill(shoulders, shirt);
  cv.stroke(shoulders, 0.006, shade(shirt, 0.7), true);
  // Collar: the neck continues into a round neckline.
  cv.fill(ellipse_points({f.c.x, 0.775}, nw * 1.2, 0.03), shade(f.skin, 0.86));
}

void draw_head(PortraitCanvas& cv, const Face& f) {
  // Ears, half hidden by the head and later by the hair.
  for (int s : {-1, 1}) {
    const cv::Point2d ear(f.c.x + s * f.rx * 0.97, f.c.y + 0.03);
    cv.fill(ellipse_points(ear, 0.03, 0.048), shade(f.skin, 0.93));
    cv.stroke(ellipse_points({ear.x + s * 0.004, ear.y}, 0.014, 0.028), 0.004, shade(f.skin, 0.75),
              true, 0.7);
  }
  const Polygon head = f.head();
  cv.fill(head, f.skin);
  cv.stroke(head, 0.003, shade(f.skin, 0.8), true, 0.6);
  for (int s : {-1, 1})  // blush
    cv.fill(ellipse_points({f.c.x + s * 0.098, f.c.y + 0.085}, 0.032, 0.019), rgb(236, 118, 118),
            0.16);
}

void draw_eyes(PortraitCanvas& cv, const Face& f) {
  // Eye size scales the opening more in height than in width, and the iris with it.
  const double ew = f.eye_half_width(), eh = f.eye_half_height();
  const double r = 0.011 + 0.011 * f.eye_size;
  for (int s : {-1, 1}) {
    const cv::Point2d e(f.c.x + s * f.eye_dx, f.eye_y);
    const Polygon white = ellipse_points(e, ew, eh);
    cv.fill(white, rgb(250, 250, 248));
    const cv::Mat inside = cv.fill_mask(white);
    cv.paint(cv::min(cv.fill_mask(ellipse_points(e, r, r)), inside),
             iris_colour(f.a.nuisance.iris_colour));
    cv.paint(cv::min(cv.fill_mask(ellipse_points(e, 0.45 * r, 0.45 * r)), inside), rgb(12, 10, 10));
    cv.fill(ellipse_points({e.x - 0.3 * r, e.y - 0.35 * r}, 0.22 * r, 0.22 * r),
            rgb(255, 255, 255));
    Polygon lid;  // upper eyelid: the top half of the outline, a little thicker
    for (int i = 0; i <= 24; ++i) {
      const double t = kPi + kPi * i / 24;
      lid.emplace_back(e.x + (ew + 0.002) * std::cos(t), e.y + (eh + 0.001) * std::sin(t));
    }
    cv.stroke(lid, 0.0055, rgb(44, 32, 30));
    Polygon lower;
    for (int i = 2; i <= 22; ++i) {
      const double t = kPi * i / 24;
      lower.emplace_back(e.x + ew * std::cos(t), e.y + (eh + 0.001) * std::sin(t));
    }
    cv.stroke(lower, 0.0025, shade(f.skin, 0.7), false, 0.6);
  }
}

void draw_brows(PortraitCanvas& cv, const Face& f) {
  const Nuisance& n = f.a.nuisance;
  const cv::Scalar colour = mix(f.hair, rgb(40, 30, 25), 0.35);
  const double frown = std::max(0.0f, -f.a.smile);
  const double base = f.eye_y - f.eye_half_height() - 0.026 - 0.008 * n.brow_raise;
  const double th = 0.009 * n.brow_thickness;
  for (int s : {-1, 1}) {
    const double inner = f.c.x + s * (f.eye_dx - 0.03), outer = f.c.x + s * (f.eye_dx + 0.038);
    Polygon top, bottom;
    for (int i = 0; i <= 12; ++i) {
      const double v = i / 12.0;  // 0 inner .. 1 outer
      const double x = inner + (outer - inner) * v;
      const double y = base - 0.012 * std::sin(kPi * (0.3 + 0.7 * v)) + 0.016 * frown * (1 - v);
      const double t = th * (1.0 - 0.45 * v);
      top.emplace_back(x, y - t / 2);
      bottom.emplace_back(x, y + t / 2);
    }
    top.insert(top.end(), bottom.rbegin(), bottom.rend());
    cv.fill(top, colour);
  }
}

void draw_nose(PortraitCanvas& cv, const Face& f) {
  const double ns = f.a.nuisance.nose_size;
  const double tip = f.eye_y + 0.082 * (0.85 + 0.15 * ns);
  Polygon under;
  for (int i = 0; i <= 16; ++i) {
    const double t = kPi * (0.15 + 0.7 * i / 16);
    under.emplace_back(f.c.x + 0.017 * ns * std::cos(t), tip - 0.006 + 0.011 * ns * std::sin(t));
  }
  cv.stroke(under, 0.0045, shade(f.skin, 0.68));
  cv.stroke({{f.c.x - 0.012, f.eye_y + 0.02}, {f.c.x - 0.016 * ns, tip - 0.01}}, 0.003,
            shade(f.skin, 0.75), false, 0.5);
  for (int s : {-1, 1})
    cv.fill(ellipse_points({f.c.x + s * 0.009 * ns, tip + 0.003}, 0.0045, 0.0028),
            shade(f.skin, 0.5));
}

// The beard covers the jaw and chin up to the cheeks, with a moustache under the nose.
void draw_beard(PortraitCanvas& cv, const Face& f) {
  if (!f.a.beard) return;
  Polygon upper;
  const double x0 = f.c.x - 1.4 * f.rx, x1 = f.c.x + 1.4 * f.rx;
  upper.emplace_back(x0, 0.0);
  for (int i = 0; i <= 48; ++i) {
    const double x = x0 + (x1 - x0) * i / 48;
    const double dx = std::abs(x - f.c.x) / f.rx;
    upper.emplace_back(x,
                       f.c.y + 0.126 - 0.008 * (1 - dx * dx) - 0.135 * smoothstep(0.45, 1.0, dx));
  }
  upper.emplace_back(x1, 0.0);
  cv::Mat mask = cv.fill_mask(f.head(0.006));
  mask -= cv.fill_mask(upper);
  const cv::Scalar colour = shade(f.hair, 0.85);
  cv.paint(mask, colour);
  // A few darker strokes give it texture.
  for (int i = -3; i <= 3; ++i) {
    const double x = f.c.x + i * 0.028;
    cv::Mat strand = cv.stroke_mask({{x, f.c.y + 0.17}, {x + 0.004 * i, f.c.y + f.ry}}, 0.004);
    cv.paint(cv::min(strand, mask), shade(colour, 0.8), 0.5);
  }
}

void draw_mouth(PortraitCanvas& cv, const Face& f) {
  const double smile = std::clamp(f.a.smile, -1.0f, 1.0f);
  const double w = 0.058 * f.a.nuisance.mouth_width * (1.0 + 0.2 * std::max(0.0, smile));
  const double bend = 0.032 * smile;  // > 0: corners up
  const double open = std::max(0.0, smile - 0.35) / 0.65 * 0.045;
  auto line_y = [&](double u) { return f.mouth.y + bend * (0.35 - u * u); };
  const int n = 24;
  Polygon upper, lower, teeth_lower;
  for (int i = 0; i <= n; ++i) {
    const double u = -1.0 + 2.0 * i / n;
    const double x = f.mouth.x + w * u;
    const double bulge = std::pow(1.0 - u * u, 0.7);
    upper.emplace_back(x, line_y(u));
    lower.emplace_back(x, line_y(u) + open * bulge);
    teeth_lower.emplace_back(x, line_y(u) + std::min(0.5 * open, 0.018) * bulge);
  }
  if (open > 0.002) {
    Polygon mouth = upper;
    mouth.insert(mouth.end(), lower.rbegin(), lower.rend());
    cv.fill(mouth, rgb(84, 22, 32));
    const cv::Mat inside = cv.fill_mask(mouth);
    Polygon teeth = upper;
    teeth.insert(teeth.end(), teeth_lower.rbegin(), teeth_lower.rend());
    cv.paint(cv::min(cv.fill_mask(teeth), inside), rgb(246, 246, 240));
    cv.stroke(mouth, 0.006, f.lips, true);
  } else {
    cv.stroke(upper, 0.011, f.lips);
    cv.stroke(upper, 0.003, shade(f.lips, 0.6));
  }
  if (smile > 0.5) {  // smile lines at the corners
    for (int s : {-1, 1}) {
      const double x = f.mouth.x + s * (w + 0.012);
      const double y = line_y(1.0);
      cv.stroke({{x - s * 0.004, y - 0.014}, {x, y}, {x - s * 0.005, y + 0.012}}, 0.003,
                shade(f.skin, 0.72), false, (smile - 0.5) * 1.6);
    }
  }
}

// Hair over the forehead and temples, and the locks that hang beside the face.
cv::Mat front_hair_mask(PortraitCanvas& cv, const Face& f) {
  Polygon above;
  const double x0 = f.c.x - 2 * f.rx, x1 = f.c.x + 2 * f.rx;
  above.emplace_back(x0, -0.5);
  for (int i = 0; i <= 64; ++i) {
    const double x = x0 + (x1 - x0) * i / 64;
    above.emplace_back(x, f.hairline_y(x));
  }
  above.emplace_back(x1, -0.5);
  cv::Mat mask = cv::min(cv.fill_mask(f.hair_outline()), cv.fill_mask(above));
  if (f.hair_end_y > f.c.y) {
    for (int s : {-1, 1}) {
      // Under the cap from the temple, then hanging beside the face to the hair's end.
      Polygon lock;
      const double top = f.c.y - 0.12;
      const double inner = f.rx * 0.9;
      const int n = 20;
      for (int i = 0; i <= n; ++i) {
        const double y = top + (f.hair_end_y - top) * i / n;
        lock.emplace_back(f.c.x + s * (inner + 0.01 * i / n), y);
      }
      lock.emplace_back(f.c.x + s * (f.hanging_half_width(f.hair_end_y) - 0.012),
                        f.hair_end_y + 0.004);
      for (int i = n; i >= 0; --i) {
        const double y = top + (f.hair_end_y - top) * i / n;
        lock.emplace_back(f.c.x + s * f.hanging_half_width(y), y);
      }
      mask = cv::max(mask, cv.fill_mask(lock));
    }
  }
  return mask;
}

void draw_front_hair(PortraitCanvas& cv, const Face& f) {
  const cv::Mat mask = front_hair_mask(cv, f);
  cv.paint(mask, f.hair);
  // Strands: curves sweeping from the crown, clipped to the hair.
  const double parting_x = f.c.x + f.a.nuisance.hair_parting * 0.05;
  const double crown_y = f.hair_centre().y - f.hair_ry();
  const cv::Scalar dark = shade(f.hair, 0.78);
  for (int i = -5; i <= 5; ++i) {
    if (i == 0) continue;
    const double end_x = f.c.x + i * f.hair_rx() / 5.2;
    const double end_y = std::max(f.hairline_y(end_x), f.c.y - 0.06) +
                         (std::abs(i) >= 4 ? std::max(0.0, f.hair_end_y - f.c.y) : 0.0);
    Polygon strand;
    for (int j = 0; j <= 12; ++j) {
      const double v = j / 12.0;
      strand.emplace_back(parting_x + (end_x - parting_x) * std::sqrt(v),
                          crown_y + 0.01 + (end_y - crown_y) * v);
    }
    cv.paint(cv::min(cv.stroke_mask(strand, 0.004), mask), dark, 0.45);
  }
  // A soft highlight where the light catches the top of the head.
  const cv::Mat shine = cv.stroke_mask(
      ellipse_points(f.hair_centre(), f.rx * 0.75, f.hair_ry() - 0.012, 0, 96), 0.01);
  cv::Mat top_only =
      cv.fill_mask({{0, 0}, {1, 0}, {1, f.c.y - f.ry * 0.7}, {0, f.c.y - f.ry * 0.7}});
  cv.paint(cv::min(cv::min(shine, top_only), mask), shade(f.hair, 1.25) + cv::Scalar::all(25),
           0.35);
}

void draw_glasses(PortraitCanvas& cv, const Face& f) {
  if (!f.a.eyeglasses) return;
  const Nuisance& n = f.a.nuisance;
  const cv::Scalar frame = frame_colour(n.glasses_colour);
  const double r = 0.058, h = 0.045;
  std::array<Polygon, 2> lenses;
  for (int s : {-1, 1}) {
    const cv::Point2d e(f.c.x + s * f.eye_dx, f.eye_y + 0.002);
    Polygon lens;
    if (n.glasses_style == 0) {
      lens = ellipse_points(e, r, r * 0.92);
    } else {  // rounded rectangle
      const double rr = 0.012;
      const std::array<cv::Point2d, 4> corners = {
          cv::Point2d(e.x + r - rr, e.y - h + rr), cv::Point2d(e.x + r - rr, e.y + h - rr),
          cv::Point2d(e.x - r + rr, e.y + h - rr), cv::Point2d(e.x - r + rr, e.y - h + rr)};
      for (int q = 0; q < 4; ++q)
        for (int i = 0; i <= 6; ++i) {
          const double t = -kPi / 2 + kPi / 2 * (q + i / 6.0);
          lens.emplace_back(corners[q].x + rr * std::cos(t), corners[q].y + rr * std::sin(t));
        }
    }
    cv.fill(lens, rgb(200, 225, 245), 0.14);
    lenses[s < 0 ? 0 : 1] = lens;
    // Temple arm towards the ear.
    cv.stroke({{e.x + s * r, e.y - 0.01}, {f.c.x + s * f.rx * 1.0, e.y - 0.004}}, 0.007, frame);
  }
  for (const Polygon& lens : lenses) cv.stroke(lens, 0.0075, frame, true);
  Polygon bridge;
  for (int i = 0; i <= 10; ++i) {
    const double u = -1.0 + 2.0 * i / 10;
    const double half = f.eye_dx - r * 0.98;
    bridge.emplace_back(f.c.x + half * u, f.eye_y - 0.008 - 0.007 * (1 - u * u));
  }
  cv.stroke(bridge, 0.007, frame);
}

// Directional light and exposure as a smooth gain over the whole picture.
void apply_lighting(cv::Mat& img, const Nuisance& n) {
  const double a = n.light_angle_deg * kPi / 180.0;
  const double lx = std::cos(a), ly = std::sin(a);
  const int s = img.rows;
  for (int y = 0; y < s; ++y) {
    uint8_t* p = img.ptr<uint8_t>(y);
    const double v = (y + 0.5) / s - 0.5;
    for (int x = 0; x < s; ++x, p += 3) {
      const double u = (x + 0.5) / s - 0.5;
      const double gain = n.exposure * (1.0 + 2.0 * n.light_strength * (lx * u + ly * v));
      for (int k = 0; k < 3; ++k) p[k] = cv::saturate_cast<uint8_t>(p[k] * gain);
    }
  }
}

}  // namespace

cv::Mat render_face(const FaceAttributes& attributes, int size) {
  if (size < 16 || size > 1024)
    throw std::invalid_argument("render_face: size " + std::to_string(size) +
                                " is outside [16, 1024]");
  const Face f(attributes);
  const Nuisance& n = attributes.nuisance;
  PortraitCanvas canvas(size * kSupersample);
  draw_background(canvas.image(), attributes);

  const cv::Matx23d body = compose(translate_scale({0.5, 0.6}, n.head_scale, {n.head_x, n.head_y}),
                                   translate_scale({kHeadX, kHeadY}, kFraming, {0, 0}));
  const cv::Matx23d head =
      compose(body, rotation_about({f.c.x, f.c.y + f.ry * 0.9}, n.head_roll_deg));
  canvas.set_pose(head);
  draw_back_hair(canvas, f);
  canvas.set_pose(body);
  draw_body(canvas, f);
  canvas.set_pose(head);
  draw_head(canvas, f);
  draw_eyes(canvas, f);
  draw_brows(canvas, f);
  draw_nose(canvas, f);
  draw_beard(canvas, f);
  draw_mouth(canvas, f);
  draw_front_hair(canvas, f);
  draw_glasses(canvas, f);
  apply_lighting(canvas.image(), n);

  cv::Mat out;
  cv::resize(canvas.image(), out, cv::Size(size, size), 0, 0, cv::INTER_AREA);
  return out;
}

FaceRegions canonical_regions() {
  const double cx = kHeadX, cy = kHeadY;
  const double eye_y = cy + kEyeDy, mouth_y = cy + kMouthDy;
  auto framed = [&](double x, double y, double w, double h) {
    return cv::Rect2d(cx + (x - cx) * kFraming, cy + (y - cy) * kFraming, w * kFraming,
                      h * kFraming);
  };
  FaceRegions r;
  r.eyes = framed(cx - kEyeDx - 0.055, eye_y - 0.035, 2 * (kEyeDx + 0.055), 0.07);
  r.mouth = framed(cx - 0.075, mouth_y - 0.035, 0.15, 0.08);
  r.hair_top = framed(cx - 0.06, cy - kHeadRy + 0.01, 0.12, 0.05);
  r.chin = framed(cx - 0.04, cy + kHeadRy - 0.028, 0.08, 0.024);
  r.hair_side = framed(cx - kHeadRx - 0.03, cy + 0.15, 0.025, 0.05);
  r.corner = {0.0, 0.0, 0.1, 0.1};
  return r;
}

}  // namespace deltaedit::demo
