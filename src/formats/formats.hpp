// Front door of formats/: importers that turn documents vendors send us into plain values. Every importer
// takes untrusted bytes, never throws, and reports bad input as invalid_argument naming the path at fault.
#pragma once

#include "formats/cvss.hpp"
#include "formats/sbom.hpp"
