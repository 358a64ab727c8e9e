#include <chrono>

#include "store/store.hpp"

namespace kizuna::store {

Result<Statement*> Connection::Run(std::string_view sql, std::span<const Value> params) {
    KZ_ASSIGN(Statement* stmt, Prepare(sql));
    stmt->Reset();
    int index = 1;
    for (const Value& v : params) KZ_TRY(stmt->Bind(index++, v));
    return stmt;
}

Status Connection::Exec(std::string_view sql, std::initializer_list<Value> params) {
    return Exec(sql, std::span<const Value>(params.begin(), params.size()));
}

Status Connection::Exec(std::string_view sql, std::span<const Value> params) {
    const auto start = std::chrono::steady_clock::now();
    Status status = [&]() -> Status {
        KZ_ASSIGN(Statement* stmt, Run(sql, params));
        while (true) {
            KZ_ASSIGN(bool row, stmt->Step());
            if (!row) break;
        }
        stmt->Reset();
        return core::Ok();
    }();
    if (stats_) stats_->RecordQuery(std::chrono::steady_clock::now() - start, !status.ok());
    return status;
}

Result<std::vector<Row>> Connection::Query(std::string_view sql, std::initializer_list<Value> params) {
    return Query(sql, std::span<const Value>(params.begin(), params.size()));
}

Result<std::vector<Row>> Connection::Query(std::string_view sql, std::span<const Value> params) {
    const auto start = std::chrono::steady_clock::now();
    Result<std::vector<Row>> result = [&]() -> Result<std::vector<Row>> {
        KZ_ASSIGN(Statement* stmt, Run(sql, params));
        std::vector<Row> rows;
        while (true) {
            KZ_ASSIGN(bool has_row, stmt->Step());
            if (!has_row) break;
            std::vector<Value> values;
            const int n = stmt->ColumnCount();
            values.reserve(static_cast<std::size_t>(n));
            for (int i = 0; i < n; ++i) values.push_back(stmt->Column(i));
            rows.emplace_back(std::move(values));
        }
        stmt->Reset();
        return rows;
    }();
    if (stats_) stats_->RecordQuery(std::chrono::steady_clock::now() - start, !result.ok());
    return result;
}

Result<std::optional<Row>> Connection::QueryOne(std::string_view sql, std::initializer_list<Value> params) {
    KZ_ASSIGN(std::vector<Row> rows, Query(sql, params));
    if (rows.empty()) return std::optional<Row>();
    return std::optional<Row>(std::move(rows.front()));
}

Result<std::int64_t> Connection::QueryInt(std::string_view sql, std::initializer_list<Value> params) {
    KZ_ASSIGN(std::optional<Row> row, QueryOne(sql, params));
    if (!row || row->size() == 0) return core::NotFound("query returned no row");
    return row->Int(0);
}

Result<Transaction> Transaction::Begin(Connection& conn) {
    KZ_TRY(conn.BeginWrite());
    return Transaction(conn);
}

Transaction::Transaction(Transaction&& other) noexcept : conn_(other.conn_), done_(other.done_) {
    other.done_ = true;
}

Transaction::~Transaction() {
    if (!done_) (void)conn_->Rollback();
}

Status Transaction::Commit() {
    done_ = true;
    return conn_->Commit();
}

Lease::Lease(Database& db, std::unique_ptr<Connection> conn) : db_(&db), conn_(std::move(conn)) {}

Lease::~Lease() {
    if (conn_) db_->Release(std::move(conn_));
}

Status Database::InTransaction(const std::function<Status(Connection&)>& fn) {
    KZ_ASSIGN(Lease lease, Acquire());
    KZ_ASSIGN(Transaction tx, Transaction::Begin(*lease));
    KZ_TRY(fn(*lease));
    return tx.Commit();
}

}  // namespace kizuna::store
