#pragma once
// Contrastive pairs for the demo CLIP: a portrait and its counterpart, the same portrait with one
// named attribute moved to another level, captioned so that the two captions differ only in that
// attribute ("face with a smile" / "face"). In one batch they are hard negatives of each other:
// CLIP can only tell them apart by the attribute itself, which is what DeltaEdit's text
// directions ("face with a smile" minus "face") must find in the image embeddings.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <utility>

#include "core/demo/face_attributes.h"

namespace deltaedit::demo_train {

enum class AttributeFamily { kSmile, kHairColour, kHairLength, kGlasses, kBeard, kSkin, kEyes };
inline constexpr int kAttributeFamilies = 7;

// `a` with `family` moved to a different caption level (smiling <-> not, glasses toggled, short
// <-> long hair, another hair colour, ...); everything else, nuisance included, unchanged.
demo::FaceAttributes counterpart(const demo::FaceAttributes& a, AttributeFamily family,
                                 std::mt19937_64& rng);

// The words for `family` at a's level ("a smile", "blond hair", "glasses"), or "" where the
// level has none (neutral mouth, no glasses, medium skin, average eyes).
std::string family_phrase(const demo::FaceAttributes& a, AttributeFamily family);

// Captions of a pair that differ only in `family`: half the time both full captions in the same
// phrasing, otherwise "face with <phrase>" / "face" style captions naming just that attribute;
// half of the pairs wrapped in the same prompt template.
// Where both levels have a phrase (every hair colour and length; a frown and a smile; light and
// dark skin), the short captions never say plain "face", the source prompt of an edit, for the
// side an edit starts from. With `neutral_share` > 0, that share of such short caption pairs
// names the attribute on one side only (drawn at random) and leaves the other the bare subject,
// a true if vaguer caption: "face with blond hair" / "face" for a blond and a red-haired
// portrait. The text delta from "face" is then trained to mean "from whatever the face has",
// as edits use it.
std::pair<std::string, std::string> counterpart_captions(const demo::FaceAttributes& a,
                                                         const demo::FaceAttributes& b,
                                                         AttributeFamily family,
                                                         std::mt19937_64& rng,
                                                         double neutral_share = 0.0);

// Writes `count` pairs of size x size PNGs into `dir`: NNNNNNa.png is training portrait N of the
// dataset drawn from `dataset_seed` (the same picture `demo dataset` wrote), NNNNNNb.png its
// counterpart in family N mod 7, so that the sorted file list alternates a, b (what
// `train-mapper --paired` reads after generate-codes). Complete existing pairs are kept, so an
// interrupted run resumes. Throws demo::DatasetError naming a file that cannot be written.
void write_counterpart_pairs(const std::filesystem::path& dir, uint64_t dataset_seed, int64_t count,
                             int size, const std::function<void(int64_t, int64_t)>& progress = {});

}  // namespace deltaedit::demo_train
