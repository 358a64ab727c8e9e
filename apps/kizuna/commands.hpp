// Subcommands of `kizuna`. Each returns the process exit code.
#pragma once

#include <cstdint>
#include <string>

#include "center.hpp"

namespace kizuna::app {

struct ServeOptions {
    std::string listen;
    int port = -1;           // -1: from config
    std::string port_file;   // write the bound port here (for tests and scripts using --port 0)
};

int RunServe(const GlobalOptions& global, const ServeOptions& options);
int RunDemo(const GlobalOptions& global, const ServeOptions& options);
int RunMigrate(const GlobalOptions& global);

struct UserAddOptions {
    std::string name;
    std::string role;
    std::string display_name;
    std::string email;
    std::string organization;
};
int RunUserAdd(const GlobalOptions& global, const UserAddOptions& options);
int RunTokenCreate(const GlobalOptions& global, const std::string& user, const std::string& label);
int RunAuditVerify(const GlobalOptions& global);

// `kizuna mail ...` (commands_mail.cpp).
int RunMailInitKey(const GlobalOptions& global);
int RunMailPublicKey(const GlobalOptions& global);
int RunMailImport(const GlobalOptions& global, const std::string& path);
int RunMailReprocess(const GlobalOptions& global, std::int64_t id);
int RunMailSendOnce(const GlobalOptions& global);
struct ExportCveOptions {
    std::string advisory_id;    // "JVNVU#12345678" or its URL form "JVNVU12345678"
    std::string out_dir = ".";  // one <CVE id>.json per CVE id of the advisory
};
// Exit 0 when written; 1 when the advisory is not published, has no CVE id or a file cannot be written;
// 2 when the [publication] CNA settings are missing.
int RunExportCve(const GlobalOptions& global, const ExportCveOptions& options);

// The public origin ("https://jvn.example.jp"): server.public_url, else http(s)://listen:port.
std::string PublicOrigin(const core::Config& config);

// Demo accounts and data (see demo_data.cpp); returns false when the database already had users.
core::Result<bool> SeedDemoData(Center& center);
void PrintDemoAccounts(const std::string& url);

}  // namespace kizuna::app
