// XML text and attribute escaping shared by every XML and SVG producer (feeds, IODEF, charts): the five
// markup characters become entities, control characters that XML 1.0 forbids and invalid UTF-8 become
// U+FFFD, so hostile input always yields a well-formed document.
#pragma once

#include <string>
#include <string_view>

namespace kizuna::formats {

std::string XmlEscape(std::string_view text);
void AppendXmlEscaped(std::string& out, std::string_view text);

}  // namespace kizuna::formats
