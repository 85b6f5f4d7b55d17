#pragma once
// The texts the demo CLIP is trained on, in the style of core/demo/captions.cpp: a portrait's
// full caption (any phrasing), or a partial one naming a random non-empty subset of its
// attributes ("face with a smile", "a person with blond hair and glasses"), or rarely a plain
// "a face"; half of them wrapped in a template of DeltaEdit's prompt ensemble. Partial captions
// teach CLIP single attributes, which is what DeltaEdit's text directions ("face with a smile"
// minus "face") measure.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/demo/face_attributes.h"

namespace deltaedit::demo_train {

// A caption naming a random non-empty subset of the attributes that have words at this
// portrait's levels (hair colour and length may be named alone or together).
std::string partial_caption(const demo::FaceAttributes& attributes, std::mt19937_64& rng);

// One training caption, freshly drawn: plain (2 %), full caption with a random phrasing (49 %)
// or partial (49 %); then wrapped in a random prompt template half of the time.
std::string training_caption(const demo::FaceAttributes& attributes, std::mt19937_64& rng);

// The BPE corpus: for every portrait, its full caption in `variants` phrasings and as many
// partial captions, each alone and inside a prompt template; plus every template around
// "face" and the plain captions. Every caption and template word occurs many times.
std::vector<std::string> caption_corpus(const std::vector<demo::FaceAttributes>& portraits,
                                        int variants);

}  // namespace deltaedit::demo_train
