#pragma once
// The demo domain's procedural portraits: front-facing cartoon faces drawn from FaceAttributes.
#include <opencv2/core.hpp>

#include "core/demo/face_attributes.h"

namespace deltaedit::demo {

// A size x size 8-bit BGR portrait (OpenCV's channel order, as cv::imwrite expects). Drawn at
// 4x with anti-aliased shapes and reduced with INTER_AREA, so edges are smooth. Deterministic:
// the same attributes give the same bytes. size must be in [16, 1024].
cv::Mat render_face(const FaceAttributes& attributes, int size);

// Regions of the canonical (un-posed) picture where each attribute acts, in unit coordinates
// of the image: for tests and the attribute predictor's sanity checks. With the default
// nuisance (no jitter) they are exact; with jitter the face moves by a few percent.
struct FaceRegions {
  cv::Rect2d eyes;       // both eyes and the glasses around them
  cv::Rect2d mouth;      // lips and the open mouth
  cv::Rect2d hair_top;   // the hair above the forehead (present at every hair length)
  cv::Rect2d chin;       // jaw and chin (the beard)
  cv::Rect2d hair_side;  // beside the jaw, left: background with short hair, hair when longer
  cv::Rect2d corner;     // top-left corner: background only
};
FaceRegions canonical_regions();

}  // namespace deltaedit::demo
