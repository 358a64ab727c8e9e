// Helpers shared by the ClickHouse store and its queries (clickhouse.cpp, clickhouse_queries.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "observe/storage/event_store.hpp"
#include "observe/capture/scan_event.hpp"

namespace kizuna::observe::detail {

// A ClickHouse string literal with quotes and backslashes escaped.
std::string SqlString(std::string_view s);
// toDate('YYYY-MM-DD') of the UTC day containing `micros`.
std::string DateLiteral(std::int64_t micros);
std::int64_t FloorDiv(std::int64_t a, std::int64_t b);
std::int64_t CeilDiv(std::int64_t a, std::int64_t b);
// TabSeparated response body into rows of fields (views into `body`).
std::vector<std::vector<std::string_view>> ParseTsv(std::string_view body);
// One events-table row in RowBinary (column order of the CREATE TABLE in clickhouse.cpp).
void PutRowBinary(std::string& out, std::int64_t day, const ScanEvent& e, std::string_view sensor, std::uint64_t seq,
                  const CountryCode& country);

}  // namespace kizuna::observe::detail
