// The mail gateway's schema (migrations 400-499; see migrations.cpp for the tables).
#pragma once

#include <span>

#include "store/store.hpp"

namespace kizuna::mail {

std::span<const store::Migration> Migrations();

}  // namespace kizuna::mail
