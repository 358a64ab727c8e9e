// The case page in human words: each timeline event as a translated sentence (who did what, to which
// vendor, for which instant in the viewer's zone), never the stored kind ("schedule.decided") or raw text
// ("vendor:1"); and the words for a message's author.
#pragma once

#include <string>

#include "core/time_zone.hpp"
#include "vuln/cases.hpp"
#include "web/i18n.hpp"

namespace kizuna::web::detail {

// The person shown for a stored actor name: the display name when known, "system"/"anonymous" in words.
std::string ActorWords(Lang lang, const std::string& actor, const std::string& display);

struct TimelineWords {
    std::string sentence;  // "山田 花子 decided to publish at 2026-12-27 10:00 JST"
    std::string detail;    // what the event recorded beside it (a reason, a note), in words; may be empty
};

// One sentence for a timeline event, instants in `zone` with the zone named.
TimelineWords TimelineSentence(Lang lang, const core::TimeZone& zone, const vuln::TimelineEvent& event);

}  // namespace kizuna::web::detail
