// Front door of store/: a database handle behind a small backend-neutral API.
//
// Domain code sees only Database, Connection, Statement, Row, Transaction and Migration. SQL written by
// domain code uses '?' placeholders and the subset of SQL that SQLite and PostgreSQL share; a PostgreSQL
// backend (store/postgres/, later) implements the same interfaces and rewrites placeholders to $n.
//
// Threading: a Database is thread-safe and hands out pooled Connections; a Connection (and its
// Statements) belongs to one thread at a time, for as long as the Lease is held.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "store/stats.hpp"
#include "store/value.hpp"

namespace kizuna::store {

using core::Result;
using core::Status;

// A prepared statement, owned by its Connection's statement cache. Parameter indexes are 1-based,
// column indexes 0-based.
class Statement {
  public:
    virtual ~Statement() = default;
    virtual Status Bind(int index, const Value& value) = 0;
    // Advances to the next row; true when a row is available, false when done.
    virtual Result<bool> Step() = 0;
    virtual int ColumnCount() const = 0;
    virtual Value Column(int index) const = 0;
    virtual std::string_view ColumnName(int index) const = 0;
    // Clears bindings and rewinds, ready for the next execution.
    virtual void Reset() = 0;
};

class Connection {
  public:
    virtual ~Connection() = default;

    // Prepares (or finds in the cache) a statement. The pointer stays valid for the connection's life.
    virtual Result<Statement*> Prepare(std::string_view sql) = 0;
    // Runs several ';'-separated statements without parameters (migrations, pragmas).
    virtual Status ExecScript(std::string_view sql) = 0;
    virtual std::int64_t LastInsertId() const = 0;
    virtual std::int64_t ChangedRows() const = 0;

    // Transaction control; use Transaction (RAII) rather than these directly.
    virtual Status BeginWrite() = 0;  // takes the write lock up front (no upgrade deadlocks)
    virtual Status Commit() = 0;
    virtual Status Rollback() = 0;

    // Conveniences over Prepare/Bind/Step, timed into the database's Stats.
    Status Exec(std::string_view sql, std::initializer_list<Value> params = {});
    Status Exec(std::string_view sql, std::span<const Value> params);
    Result<std::vector<Row>> Query(std::string_view sql, std::initializer_list<Value> params = {});
    Result<std::vector<Row>> Query(std::string_view sql, std::span<const Value> params);
    Result<std::optional<Row>> QueryOne(std::string_view sql, std::initializer_list<Value> params = {});
    // The first column of the first row as an integer; NotFound when there is no row.
    Result<std::int64_t> QueryInt(std::string_view sql, std::initializer_list<Value> params = {});

    void set_stats(Stats* stats) { stats_ = stats; }

  private:
    Result<Statement*> Run(std::string_view sql, std::span<const Value> params);
    Stats* stats_ = nullptr;
};

// A write transaction that rolls back in its destructor unless committed.
class [[nodiscard]] Transaction {
  public:
    static Result<Transaction> Begin(Connection& conn);
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();
    Status Commit();
    Connection& conn() { return *conn_; }

  private:
    explicit Transaction(Connection& conn) : conn_(&conn) {}
    Connection* conn_;
    bool done_ = false;
};

class Database;

// A pooled connection; returns itself to the pool when destroyed.
class Lease {
  public:
    Lease(Database& db, std::unique_ptr<Connection> conn);
    Lease(Lease&& other) noexcept = default;
    ~Lease();
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

  private:
    Database* db_;
    std::unique_ptr<Connection> conn_;
};

class Database {
  public:
    virtual ~Database() = default;
    // Waits for a free connection (bounded by the backend's busy timeout).
    virtual Result<Lease> Acquire() = 0;
    // "sqlite" or "postgres", for logs and metrics.
    virtual std::string_view backend() const = 0;
    Stats& stats() { return stats_; }

    // Runs fn inside a write transaction on a pooled connection; commits when fn succeeds.
    template <typename T>
    Result<T> InTransaction(const std::function<Result<T>(Connection&)>& fn);
    Status InTransaction(const std::function<Status(Connection&)>& fn);

  protected:
    friend class Lease;
    virtual void Release(std::unique_ptr<Connection> conn) = 0;
    Stats stats_;
};

struct SqliteOptions {
    std::string path;                                         // ":memory:" for a private in-memory db
    int pool_size = 4;
    std::chrono::milliseconds busy_timeout{5000};
};

// Opens (creating if needed) an SQLite database in WAL mode with foreign keys on.
Result<std::unique_ptr<Database>> OpenSqlite(const SqliteOptions& options);

// A schema change. Versions are unique and ascending across the whole program; each module owns a
// range (auth 100-199, web 200-299, vuln 1000-1999, ...). The SQL must be idempotent only in the sense
// that it runs exactly once: schema_migrations records it.
struct Migration {
    int version;
    std::string_view name;
    std::string_view sql;
};

struct MigrationReport {
    int applied = 0;
    int current_version = 0;
};

// Applies pending migrations in version order, each in its own transaction. Fails when the database
// holds a version this binary does not know (it is newer) or a recorded name differs from the code.
Result<MigrationReport> Migrate(Database& db, std::span<const Migration> migrations);

template <typename T>
Result<T> Database::InTransaction(const std::function<Result<T>(Connection&)>& fn) {
    KZ_ASSIGN(Lease lease, Acquire());
    KZ_ASSIGN(Transaction tx, Transaction::Begin(*lease));
    Result<T> result = fn(*lease);
    if (!result.ok()) return result;
    KZ_TRY(tx.Commit());
    return result;
}

}  // namespace kizuna::store
