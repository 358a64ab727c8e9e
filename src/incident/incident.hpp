// Front door of incident/: incident handling (seed 002; MISSION.md I1-I9). Built so far: the pure parts —
// indicator extraction from reports (I3) with the address scopes it flags, the seven categories with their
// RSIT mapping and the rule-based suggestion (I2), reading registry answers, whois and RDAP, and the
// contact directory that groups a report's addresses by party (I4, I5), IODEF 2/1 exchange (I8), and
// the stored reports and incidents with their history and quarterly figures (I1, I6, I9).
#pragma once

#include "incident/address.hpp"
#include "incident/category.hpp"
#include "incident/contacts.hpp"
#include "incident/incidents.hpp"
#include "incident/indicators.hpp"
#include "incident/iodef.hpp"
#include "incident/whois.hpp"
#include "incident/whois_client.hpp"
