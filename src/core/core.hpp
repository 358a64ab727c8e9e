// Front door of core/: errors, time, ids, configuration, logging. Everything else builds on these.
#pragma once

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "core/time_zone.hpp"
