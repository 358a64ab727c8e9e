// SQLite backend: WAL mode, foreign keys on, busy timeout, a pool of connections with cached
// prepared statements. C handles are owned by RAII wrappers at the line of acquisition.
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "store/store.hpp"

namespace kizuna::store {
namespace {

core::Error FromSqlite(int rc, sqlite3* db, std::string_view context) {
    std::string message(context);
    message += ": ";
    message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const int primary = rc & 0xFF;
    switch (primary) {
        case SQLITE_CONSTRAINT:
            if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
                return core::AlreadyExists(std::move(message));
            return core::FailedPrecondition(std::move(message));
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return core::Error(core::ErrorCode::kUnavailable, std::move(message));
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: return core::DataLoss(std::move(message));
        case SQLITE_FULL:
        case SQLITE_TOOBIG: return core::Error(core::ErrorCode::kResourceExhausted, std::move(message));
        default: return core::Internal(std::move(message));
    }
}

struct SqliteCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

class SqliteStatement final : public Statement {
  public:
    SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

    Status Bind(int index, const Value& value) override {
        int rc = SQLITE_OK;
        if (std::holds_alternative<std::monostate>(value)) {
            rc = sqlite3_bind_null(stmt_.get(), index);
        } else if (auto* i = std::get_if<std::int64_t>(&value)) {
            rc = sqlite3_bind_int64(stmt_.get(), index, *i);
        } else if (auto* d = std::get_if<double>(&value)) {
            rc = sqlite3_bind_double(stmt_.get(), index, *d);
        } else if (auto* s = std::get_if<std::string>(&value)) {
            rc = sqlite3_bind_text64(stmt_.get(), index, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        } else if (auto* b = std::get_if<Blob>(&value)) {
            rc = sqlite3_bind_blob64(stmt_.get(), index, b->bytes.data(), b->bytes.size(), SQLITE_TRANSIENT);
        }
        if (rc != SQLITE_OK) return FromSqlite(rc, db_, "bind parameter " + std::to_string(index));
        return core::Ok();
    }

    Result<bool> Step() override {
        const int rc = sqlite3_step(stmt_.get());
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        core::Error err = FromSqlite(sqlite3_extended_errcode(db_), db_, "step");
        sqlite3_reset(stmt_.get());
        return err;
    }

    int ColumnCount() const override { return sqlite3_column_count(stmt_.get()); }

    Value Column(int index) const override {
        sqlite3_stmt* s = stmt_.get();
        switch (sqlite3_column_type(s, index)) {
            case SQLITE_INTEGER: return std::int64_t{sqlite3_column_int64(s, index)};
            case SQLITE_FLOAT: return sqlite3_column_double(s, index);
            case SQLITE_TEXT: {
                const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, index));
                return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, index)));
            }
            case SQLITE_BLOB: {
                const auto* p = static_cast<const char*>(sqlite3_column_blob(s, index));
                const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, index));
                return Blob{std::string(p ? p : "", p ? n : 0)};
            }
            default: return std::monostate{};
        }
    }

    std::string_view ColumnName(int index) const override {
        const char* name = sqlite3_column_name(stmt_.get(), index);
        return name ? name : "";
    }

    void Reset() override {
        sqlite3_reset(stmt_.get());
        sqlite3_clear_bindings(stmt_.get());
    }

  private:
    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
};

class SqliteConnection final : public Connection {
  public:
    explicit SqliteConnection(sqlite3* db) : db_(db) {}

    Result<Statement*> Prepare(std::string_view sql) override {
        auto it = cache_.find(std::string(sql));
        if (it != cache_.end()) return it->second.get();
        sqlite3_stmt* raw = nullptr;
        const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(raw);
            return FromSqlite(rc, db_.get(), "prepare '" + std::string(sql.substr(0, 80)) + "'");
        }
        auto stmt = std::make_unique<SqliteStatement>(db_.get(), raw);
        Statement* ptr = stmt.get();
        cache_.emplace(std::string(sql), std::move(stmt));
        return ptr;
    }

    Status ExecScript(std::string_view sql) override {
        char* err = nullptr;
        const std::string text(sql);
        const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
        if (rc != SQLITE_OK) {
            std::string message = err ? err : sqlite3_errstr(rc);
            sqlite3_free(err);
            return FromSqlite(rc, nullptr, message);
        }
        return core::Ok();
    }

    std::int64_t LastInsertId() const override { return sqlite3_last_insert_rowid(db_.get()); }
    std::int64_t ChangedRows() const override { return sqlite3_changes64(db_.get()); }

    Status BeginWrite() override { return Script("BEGIN IMMEDIATE"); }
    Status Commit() override {
        const auto start = std::chrono::steady_clock::now();
        Status st = Script("COMMIT");
        if (st.ok() && stats_) stats_->RecordCommit(std::chrono::steady_clock::now() - start);
        if (!st.ok()) (void)Script("ROLLBACK");
        return st;
    }
    Status Rollback() override {
        if (stats_) stats_->RecordRollback();
        return Script("ROLLBACK");
    }

    void set_db_stats(Stats* stats) {
        stats_ = stats;
        set_stats(stats);
    }

  private:
    Status Script(const char* sql) {
        const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) return FromSqlite(rc, db_.get(), sql);
        return core::Ok();
    }

    std::unique_ptr<sqlite3, SqliteCloser> db_;
    std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> cache_;
    Stats* stats_ = nullptr;
};

class SqliteDatabase final : public Database {
  public:
    explicit SqliteDatabase(SqliteOptions options) : options_(std::move(options)) {}

    Status Open() {
        if (options_.path != ":memory:") {
            std::error_code ec;
            auto parent = std::filesystem::path(options_.path).parent_path();
            if (!parent.empty()) std::filesystem::create_directories(parent, ec);
            if (ec) return core::Internal("create directory " + parent.string() + ": " + ec.message());
        } else {
            // Each connection to ":memory:" would be its own database; share one through a named URI.
            options_.path = "file:kizuna-mem-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) +
                            "?mode=memory&cache=shared";
        }
        for (int i = 0; i < std::max(1, options_.pool_size); ++i) {
            KZ_ASSIGN(auto conn, OpenOne());
            idle_.push_back(std::move(conn));
        }
        return core::Ok();
    }

    Result<Lease> Acquire() override {
        const auto start = std::chrono::steady_clock::now();
        std::unique_lock lock(mu_);
        if (!cv_.wait_for(lock, options_.busy_timeout, [&] { return !idle_.empty(); }))
            return core::Error(core::ErrorCode::kUnavailable, "database: no free connection");
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        lock.unlock();
        stats_.RecordPoolWait(std::chrono::steady_clock::now() - start);
        return Lease(*this, std::move(conn));
    }

    std::string_view backend() const override { return "sqlite"; }

  protected:
    void Release(std::unique_ptr<Connection> conn) override {
        {
            std::lock_guard lock(mu_);
            idle_.push_back(std::move(conn));
        }
        cv_.notify_one();
    }

  private:
    Result<std::unique_ptr<Connection>> OpenOne() {
        sqlite3* raw = nullptr;
        const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
        const int rc = sqlite3_open_v2(options_.path.c_str(), &raw, flags, nullptr);
        std::unique_ptr<sqlite3, SqliteCloser> guard(raw);
        if (rc != SQLITE_OK) return FromSqlite(rc, raw, "open " + options_.path);
        sqlite3_busy_timeout(raw, static_cast<int>(options_.busy_timeout.count()));
        sqlite3_extended_result_codes(raw, 1);
        auto conn = std::make_unique<SqliteConnection>(guard.release());
        conn->set_db_stats(&stats_);
        // WAL: readers never block the writer; synchronous=NORMAL is durable across process crashes
        // (a power loss may lose the last commits, never corrupt). foreign_keys is per connection.
        KZ_TRY(conn->ExecScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
        KZ_ASSIGN(auto fk, conn->QueryInt("PRAGMA foreign_keys"));
        if (fk != 1) return core::Internal("sqlite: foreign keys could not be enabled");
        return std::unique_ptr<Connection>(std::move(conn));
    }

    SqliteOptions options_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const SqliteOptions& options) {
    auto db = std::make_unique<SqliteDatabase>(options);
    KZ_TRY(db->Open());
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace kizuna::store
