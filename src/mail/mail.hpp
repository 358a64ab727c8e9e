// Front door of mail/: OpenPGP key inspection for vendor registration (openpgp.hpp).
#pragma once

#include "mail/openpgp.hpp"
