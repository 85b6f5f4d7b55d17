#pragma once
// Captions of demo portraits, built from their attributes: what a small CLIP learns from.
//
// Every caption names every attribute that has a word at the portrait's level (see the
// categories in face_attributes.h) and nothing else:
//   smile        frown: "a frown" / "frowning";  smile: "a smile" / "smiling";
//                big smile: "a big smile" / "broadly smiling";  neutral: not mentioned
//   hair         always: "<short|medium-length|long> <colour> hair"
//   eyeglasses   when worn: "glasses" or "eyeglasses"
//   beard        when present: "a beard"
//   skin         light: "light skin" or "fair skin";  dark: "dark skin";  medium: not mentioned
//   eyes         small: "small eyes";  big: "big eyes" or "large eyes";  average: not mentioned
//   background   always: "<colour> background"
// The phrasing (template, order of the items, synonyms) is chosen by a variant number, so one
// portrait can be described several ways.
#include <cstdint>
#include <string>
#include <vector>

#include "core/demo/face_attributes.h"

namespace deltaedit::demo {

// The caption with the portrait's own phrasing (attributes.nuisance.caption_variant).
std::string caption_for(const FaceAttributes& attributes);

// "short", "medium-length" or "long": the captions' word for a hair length class.
std::string hair_length_word(HairLength length);

// "a, b and c" (the caption's list of items).
std::string join_list(const std::vector<std::string>& items);
// The same facts phrased by `variant` (any number; different numbers usually differ).
std::string caption_for(const FaceAttributes& attributes, uint64_t variant);

}  // namespace deltaedit::demo
