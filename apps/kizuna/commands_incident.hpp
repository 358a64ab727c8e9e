// `kizuna incident ...` (commands_incident.cpp): incident handling from the command line.
#pragma once

#include <optional>

#include "center.hpp"

namespace CLI {
class App;
}

namespace kizuna::app {

void RegisterIncidentCommands(CLI::App& app, GlobalOptions& global);
// After parsing: the exit code of the incident subcommand that was parsed, or nullopt.
std::optional<int> RunIncidentCommand();

}  // namespace kizuna::app
