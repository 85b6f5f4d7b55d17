#include "core/train/code_shards.h"

#include <cstdio>
#include <numeric>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/train/train_errors.h"
#include "core/train/train_files.h"

namespace deltaedit::train {

namespace fs = std::filesystem;
using nlohmann::json;

int64_t CodeSetInfo::s_dim() const {
  return std::accumulate(s_widths.begin(), s_widths.end(), int64_t{0});
}

std::string CodeSetInfo::to_json() const {
  json j = {{"format", "deltaedit-codes"},
            {"version", kFormatVersion},
            {"source", source},
            {"generator", generator},
            {"clip", clip},
            {"e4e", e4e},
            {"s_widths", s_widths},
            {"s_dim", s_dim()},
            {"n_latent", n_latent},
            {"style_dim", style_dim},
            {"image_size", image_size},
            {"embed_dim", embed_dim},
            {"clip_kernel", clip_kernel},
            {"shard_size", shard_size},
            {"count", count},
            {"seed", seed},
            {"truncation", truncation},
            {"has_wplus", has_wplus},
            {"images_dir", images_dir},
            {"image_list_sha256", image_list_sha256},
            {"aligned", aligned},
            {"pairing", pairing},
            {"arrays",
             {{"s", "[n, s_dim] float32 StyleSpace codes"},
              {"clip", "[n, embed_dim] float32 CLIP image embeddings, not normalized"},
              {"wplus", "[n, n_latent, style_dim] float32 W+ codes (when has_wplus)"}}}};
  return j.dump(2) + "\n";
}

CodeSetInfo CodeSetInfo::from_json(const std::string& text, const fs::path& file) {
  CodeSetInfo info;
  try {
    const json j = json::parse(text);
    if (j.value("format", "") != "deltaedit-codes")
      throw DataFileError(
          file, "is not the meta.json of a code set (no \"format\": \"deltaedit-codes\")");
    if (j.at("version").get<int>() > kFormatVersion)
      throw DataFileError(file, "was written by a newer version (format " +
                                    std::to_string(j.at("version").get<int>()) + ")");
    j.at("source").get_to(info.source);
    j.at("generator").get_to(info.generator);
    j.at("clip").get_to(info.clip);
    j.at("e4e").get_to(info.e4e);
    j.at("s_widths").get_to(info.s_widths);
    j.at("n_latent").get_to(info.n_latent);
    j.at("style_dim").get_to(info.style_dim);
    j.at("image_size").get_to(info.image_size);
    j.at("embed_dim").get_to(info.embed_dim);
    j.at("clip_kernel").get_to(info.clip_kernel);
    j.at("shard_size").get_to(info.shard_size);
    j.at("count").get_to(info.count);
    j.at("seed").get_to(info.seed);
    j.at("truncation").get_to(info.truncation);
    j.at("has_wplus").get_to(info.has_wplus);
    j.at("images_dir").get_to(info.images_dir);
    j.at("image_list_sha256").get_to(info.image_list_sha256);
    j.at("aligned").get_to(info.aligned);
    info.pairing = j.value("pairing", "");  // absent in sets written before pairs existed
  } catch (const json::exception& e) {
    throw DataFileError(file, std::string("bad code-set description: ") + e.what());
  }
  if (info.s_widths.empty() || info.embed_dim <= 0 || info.shard_size <= 0 || info.count < 0 ||
      (info.source != "sampled" && info.source != "images"))
    throw DataFileError(file, "bad code-set description (sizes or source out of range)");
  if (!info.pairing.empty() && (info.source != "sampled" || info.count % 2 || info.shard_size % 2))
    throw DataFileError(file, "bad code-set description (pairs need sampled codes and even counts)");
  return info;
}

std::string CodeSetInfo::differences(const CodeSetInfo& o) const {
  std::ostringstream d;
  auto cmp = [&](const char* name, const auto& a, const auto& b) {
    if (a != b) d << (d.tellp() > 0 ? ", " : "") << name;
  };
  cmp("source", source, o.source);
  cmp("generator", generator, o.generator);
  cmp("clip", clip, o.clip);
  cmp("e4e", e4e, o.e4e);
  cmp("S widths", s_widths, o.s_widths);
  cmp("n_latent", n_latent, o.n_latent);
  cmp("style_dim", style_dim, o.style_dim);
  cmp("image size", image_size, o.image_size);
  cmp("embed_dim", embed_dim, o.embed_dim);
  cmp("CLIP kernel", clip_kernel, o.clip_kernel);
  cmp("shard size", shard_size, o.shard_size);
  cmp("count", count, o.count);
  cmp("seed", seed, o.seed);
  cmp("truncation", truncation, o.truncation);
  cmp("W+ kept", has_wplus, o.has_wplus);
  cmp("images folder", images_dir, o.images_dir);
  cmp("image list", image_list_sha256, o.image_list_sha256);
  cmp("aligned", aligned, o.aligned);
  cmp("pairing", pairing, o.pairing);
  return d.str();
}

CodeShard concat_shards(const std::vector<CodeShard>& shards) {
  CodeShard all;
  if (shards.empty()) return all;
  std::vector<torch::Tensor> s, c, w;
  for (const auto& sh : shards) {
    s.push_back(sh.s);
    c.push_back(sh.clip);
    if (sh.wplus.defined()) w.push_back(sh.wplus);
    all.names.insert(all.names.end(), sh.names.begin(), sh.names.end());
  }
  all.s = torch::cat(s, 0);
  all.clip = torch::cat(c, 0);
  if (w.size() == shards.size()) all.wplus = torch::cat(w, 0);
  return all;
}

CodeSet CodeSet::open(const fs::path& dir) {
  const fs::path meta = dir / "meta.json";
  if (!fs::is_directory(dir)) throw DataFileError(dir, "is not a code folder (no such directory)");
  if (!fs::exists(meta))
    throw DataFileError(meta,
                        "does not exist: the folder was not made by `deltaedit generate-codes`");
  return CodeSet(dir, CodeSetInfo::from_json(read_text_file(meta), meta));
}

CodeSet CodeSet::create_or_resume(const fs::path& dir, const CodeSetInfo& info) {
  const fs::path meta = dir / "meta.json";
  if (fs::exists(meta)) {
    CodeSet existing = open(dir);
    const std::string diff = existing.info().differences(info);
    if (!diff.empty())
      throw OutputConflict(meta,
                           "holds codes made with other settings (" + diff +
                               "): give the same options to resume, or another output folder");
    return existing;
  }
  if (!is_missing_or_empty(dir))
    throw OutputConflict(
        dir, "exists and is not a code folder (no meta.json): refusing to write into it");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw OutputConflict(dir, "cannot be created (" + ec.message() + ")");
  write_text_atomically(meta, info.to_json());
  return CodeSet(dir, info);
}

fs::path CodeSet::shard_file(int64_t index, const std::string& array) const {
  char name[64];
  std::snprintf(name, sizeof(name), "shard_%05lld.%s.%s", static_cast<long long>(index),
                array.c_str(), array == "names" ? "txt" : "npy");
  return dir_ / name;
}

int64_t CodeSet::complete_shards() const {
  int64_t k = 0;
  while (k < info_.num_shards() && fs::exists(shard_file(k, "s"))) ++k;
  return k;
}

void CodeSet::write_shard(int64_t index, const CodeShard& shard) const {
  const int64_t n = shard.rows();
  const bool images = info_.source == "images";
  TORCH_CHECK(shard.s.dim() == 2 && shard.s.size(1) == info_.s_dim(), "shard S has shape ",
              shard.s.sizes(), ", the set's S width is ", info_.s_dim());
  TORCH_CHECK(
      shard.clip.dim() == 2 && shard.clip.size(0) == n && shard.clip.size(1) == info_.embed_dim,
      "shard CLIP embeddings have shape ", shard.clip.sizes());
  TORCH_CHECK(!info_.has_wplus || (shard.wplus.defined() && shard.wplus.size(0) == n),
              "shard W+ missing or of the wrong length");
  TORCH_CHECK(!images || static_cast<int64_t>(shard.names.size()) == n,
              "shard names do not match its rows");
  save_float_array(shard_file(index, "clip"), shard.clip);
  if (info_.has_wplus) save_float_array(shard_file(index, "wplus"), shard.wplus);
  if (images) {
    std::string text;
    for (const auto& name : shard.names) text += name + "\n";
    write_text_atomically(shard_file(index, "names"), text);
  }
  save_float_array(shard_file(index, "s"), shard.s);  // last: marks the shard complete
}

CodeShard CodeSet::read_shard(int64_t index) const {
  CodeShard sh;
  const fs::path s_file = shard_file(index, "s");
  sh.s = load_float_array(s_file, 2);
  const int64_t n = sh.s.size(0);
  const int64_t expected_max = std::min(info_.shard_size, info_.count - index * info_.shard_size);
  if (sh.s.size(1) != info_.s_dim() || n > expected_max ||
      (info_.source == "sampled" && n != expected_max))
    throw DataFileError(s_file, "has shape " + c10::str(sh.s.sizes()) + ", expected [" +
                                    std::to_string(expected_max) + ", " +
                                    std::to_string(info_.s_dim()) + "] (see meta.json)");
  const fs::path c_file = shard_file(index, "clip");
  sh.clip = load_float_array(c_file, 2);
  if (sh.clip.size(0) != n || sh.clip.size(1) != info_.embed_dim)
    throw DataFileError(c_file, "has shape " + c10::str(sh.clip.sizes()) + ", expected [" +
                                    std::to_string(n) + ", " + std::to_string(info_.embed_dim) +
                                    "]");
  if (info_.has_wplus) {
    const fs::path w_file = shard_file(index, "wplus");
    sh.wplus = load_float_array(w_file, 3);
    if (sh.wplus.size(0) != n || sh.wplus.size(1) != info_.n_latent ||
        sh.wplus.size(2) != info_.style_dim)
      throw DataFileError(w_file, "has shape " + c10::str(sh.wplus.sizes()) + ", expected [" +
                                      std::to_string(n) + ", " + std::to_string(info_.n_latent) +
                                      ", " + std::to_string(info_.style_dim) + "]");
  }
  if (info_.source == "images") {
    const fs::path n_file = shard_file(index, "names");
    std::istringstream in(read_text_file(n_file));
    for (std::string line; std::getline(in, line);) sh.names.push_back(line);
    if (static_cast<int64_t>(sh.names.size()) != n)
      throw DataFileError(n_file, "lists " + std::to_string(sh.names.size()) + " images for " +
                                      std::to_string(n) + " codes");
  }
  return sh;
}

CodeShard CodeSet::read_all() const {
  const int64_t done = complete_shards();
  if (done < info_.num_shards())
    throw DataFileError(dir_, "is incomplete (" + std::to_string(done) + " of " +
                                  std::to_string(info_.num_shards()) +
                                  " shards): finish it by running the same generate-codes command");
  std::vector<CodeShard> shards;
  for (int64_t k = 0; k < done; ++k) shards.push_back(read_shard(k));
  return concat_shards(shards);
}

}  // namespace deltaedit::train
