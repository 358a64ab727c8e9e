// Starts a Server on an ephemeral loopback port in a background thread for the duration of a test.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "http/http.hpp"

namespace kizuna::http::testing {

class RunningServer {
  public:
    RunningServer(ServerOptions options, Handler handler)
        : logger_(clock_, core::LogLevel::kWarn), server_(std::move(options), std::move(handler), metrics_, logger_) {}

    ~RunningServer() { StopAndWait(); }

    // Starts and runs the server; returns false (with a test failure) when Start() fails.
    bool Start() {
        auto status = server_.Start();
        EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().ToString());
        if (!status.ok()) return false;
        done_ = std::async(std::launch::async, [this] { server_.Run(); });
        return true;
    }

    // Stops the server and waits (generously) for Run() to return; false when it did not.
    bool StopAndWait(std::chrono::seconds timeout = std::chrono::seconds(30)) {
        if (!done_.valid()) return true;
        server_.Stop();
        bool finished = done_.wait_for(timeout) == std::future_status::ready;
        if (finished) done_.get();
        return finished;
    }

    // True once Run() has returned (without stopping the server).
    bool Finished(std::chrono::seconds timeout) {
        return done_.valid() && done_.wait_for(timeout) == std::future_status::ready;
    }

    Server& server() { return server_; }
    Metrics& metrics() { return metrics_; }
    std::uint16_t port() const { return server_.port(); }

  private:
    core::SystemClock clock_;
    core::Logger logger_;
    Metrics metrics_;
    Server server_;
    std::future<void> done_;
};

inline ServerOptions LoopbackOptions() {
    ServerOptions options;
    options.listen = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    return options;
}

}  // namespace kizuna::http::testing
