// The nesting pre-scan every JSON entry point runs before handing hostile text to nlohmann: it counts
// '[' and '{' outside strings, so "[[[[…" never reaches a recursive parser or destructor. Byte-level, no
// JSON library needed. Malformed input passes through for the parser to report.
#pragma once

#include <string_view>

namespace kizuna::core {

bool JsonNestingWithin(std::string_view text, int max_depth);

}  // namespace kizuna::core
