#pragma once
// The prompt ensemble DeltaEdit averages a text's CLIP embedding over.
#include <string>
#include <vector>

namespace deltaedit::text {

// The 79 templates of DeltaEdit's utils/map_tool.py, in order; each holds one "{}".
const std::vector<std::string>& prompt_templates();

// Python's template.format(prompt) for these templates: the first "{}" replaced by `prompt`.
std::string fill_template(const std::string& tmpl, const std::string& prompt);

}  // namespace deltaedit::text
