// Front door of incident/: incident handling (seed 002; MISSION.md I1-I9). Today: indicator extraction
// from reports (I3) and the address scopes it flags.
#pragma once

#include "incident/address.hpp"
#include "incident/category.hpp"
#include "incident/indicators.hpp"
