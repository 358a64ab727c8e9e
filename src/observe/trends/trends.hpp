// Front door of observe/trends/: when scanning of a port starts, goes on and dies down (MISSION O4). The
// detector (detection.hpp) classifies one port's daily series — per-sensor level and, where known, unique
// sources and targets — against a robust baseline (onset, sustained, subsiding, quiet; DShield's score beside
// it for reference); the trends list (trend_list.hpp) runs it over every active port for the pages and the
// CLI. PortNotes keeps what the coordinators know about a port (product, vulnerability, related cases),
// audited like every other change.
#pragma once

#include "observe/trends/detection.hpp"
#include "observe/trends/trend_list.hpp"
