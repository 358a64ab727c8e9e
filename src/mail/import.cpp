#include "mail/import.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace kizuna::mail {
namespace {

core::Result<std::string> ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return core::InvalidArgument("cannot read " + path.string(), "path");
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

core::Status Count(ImportReport& report, const core::Result<ProcessResult>& r) {
    if (!r.ok()) return r.error();
    ++report.messages;
    if (r->state == "duplicate") ++report.duplicates;
    else if (r->state == "quarantined") ++report.quarantined;
    else ++report.routed;
    return core::Ok();
}

}  // namespace

std::vector<std::string> SplitMbox(std::string_view mbox) {
    std::vector<std::string> out;
    std::string current;
    bool in_message = false;
    std::size_t pos = 0;
    while (pos < mbox.size()) {
        std::size_t eol = mbox.find('\n', pos);
        const std::size_t next = eol == std::string_view::npos ? mbox.size() : eol + 1;
        std::string_view line = mbox.substr(pos, next - pos);
        if (line.rfind("From ", 0) == 0) {
            if (in_message && !current.empty()) {
                if (current.size() >= 1 && current.back() == '\n') current.pop_back();  // the separator's blank line
                out.push_back(std::move(current));
            }
            current.clear();
            in_message = true;
        } else if (in_message) {
            // mboxrd: ">From ", ">>From " ... lose one '>'.
            std::size_t quotes = 0;
            while (quotes < line.size() && line[quotes] == '>') ++quotes;
            if (quotes > 0 && line.substr(quotes).rfind("From ", 0) == 0) line.remove_prefix(1);
            current.append(line);
        }
        pos = next;
    }
    if (in_message && !current.empty()) out.push_back(std::move(current));
    return out;
}

core::Result<ImportReport> ImportPath(InboundService& inbound, const std::string& path) {
    namespace fs = std::filesystem;
    ImportReport report;
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        std::vector<fs::path> files;
        for (const char* sub : {"new", "cur"}) {
            const fs::path dir = fs::path(path) / sub;
            if (!fs::is_directory(dir, ec)) continue;
            for (const auto& entry : fs::directory_iterator(dir, ec))
                if (entry.is_regular_file()) files.push_back(entry.path());
        }
        if (files.empty() && !fs::is_directory(fs::path(path) / "cur", ec) && !fs::is_directory(fs::path(path) / "new", ec))
            return core::InvalidArgument(path + " is a directory but not a Maildir (no cur/ or new/)", "path");
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            KZ_ASSIGN(std::string raw, ReadFile(f));
            KZ_TRY(Count(report, inbound.Deliver(raw, "import")));
        }
        return report;
    }
    KZ_ASSIGN(std::string mbox, ReadFile(path));
    if (mbox.rfind("From ", 0) != 0)
        return core::InvalidArgument(path + " is neither a Maildir nor an mbox (does not start with \"From \")", "path");
    for (const auto& raw : SplitMbox(mbox)) KZ_TRY(Count(report, inbound.Deliver(raw, "import")));
    return report;
}

}  // namespace kizuna::mail
