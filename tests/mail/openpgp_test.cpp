// InspectPublicKey against keys made by the real gpg CLI in a scratch GNUPGHOME: what it reports must agree
// with `gpg --with-colons`, every time flag must be judged at the `now` passed in, and everything that is
// not exactly one public key must be refused on field "key". No gpg-agent may outlive a test.
#include <dirent.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "mail/mail.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::mail {
namespace {

using namespace std::chrono_literals;
using testing::RunCommand;

constexpr char kGpg[] = "/usr/bin/gpg";
constexpr char kGpgconf[] = "/usr/bin/gpgconf";

core::WallTime RealNow() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::vector<std::string> SplitColons(const std::string& line) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    for (std::string field; std::getline(stream, field, ':');) fields.push_back(field);
    return fields;
}

// Command lines of running gpg-agent processes.
std::vector<std::string> GpgAgentCommandLines() {
    std::vector<std::string> lines;
    std::unique_ptr<DIR, int (*)(DIR*)> proc(opendir("/proc"), closedir);
    if (!proc) return lines;
    while (dirent* entry = readdir(proc.get())) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        std::ifstream file(std::string("/proc/") + entry->d_name + "/cmdline", std::ios::binary);
        std::string cmdline((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        for (char& c : cmdline) c = c == '\0' ? ' ' : c;
        if (cmdline.rfind("gpg-agent", 0) == 0 || cmdline.find("/gpg-agent ") != std::string::npos) {
            lines.push_back(cmdline);
        }
    }
    return lines;
}

// Agents whose command line mentions `needle` (gpg passes --homedir when it autostarts one), waiting up to
// two seconds for agents that were just told to stop.
std::vector<std::string> AgentsMentioning(const std::string& needle) {
    std::vector<std::string> found;
    for (int attempt = 0; attempt < 40; ++attempt) {
        found.clear();
        for (const auto& line : GpgAgentCommandLines()) {
            if (line.find(needle) != std::string::npos) found.push_back(line);
        }
        if (found.empty()) break;
        std::this_thread::sleep_for(50ms);
    }
    return found;
}

struct GeneratedKey {
    std::string fingerprint;  // from `gpg --with-colons --fingerprint`
    long expires = 0;         // primary key expiry, seconds since the epoch; 0 = never
    std::string armored;      // gpg --armor --export
    std::string binary;       // gpg --export
    std::string armored_secret;
};

// A scratch GNUPGHOME where the gpg CLI makes the test keys. Keys are made on first use and kept for the
// rest of the process (RSA generation takes a second). StopAgent() ends the gpg-agent that key generation
// starts; the next generation starts a new one.
class TestKeyring {
  public:
    static TestKeyring& Get() {
        static TestKeyring keyring;
        return keyring;
    }
    ~TestKeyring() { StopAgent(); }

    const std::string& home() const { return dir_.path(); }
    void StopAgent() const { RunCommand({kGpgconf, "--homedir", home(), "--kill", "all"}); }

    testing::CommandResult Gpg(std::vector<std::string> args, const std::string& input = "") const {
        args.insert(args.begin(), {kGpg, "--batch", "--pinentry-mode", "loopback", "--passphrase", ""});
        return RunCommand(args, input, {"GNUPGHOME=" + home()});
    }

    // The key with user ID `uid`, made on first use: `gpg --quick-gen-key uid <generate...>`, then, when
    // `subkey` is not empty, `gpg --quick-add-key FPR <subkey...>`.
    const GeneratedKey& Key(const std::string& uid, const std::vector<std::string>& generate,
                            const std::vector<std::string>& subkey = {}) {
        if (auto it = keys_.find(uid); it != keys_.end()) return it->second;
        std::vector<std::string> args = {"--quick-gen-key", uid};
        args.insert(args.end(), generate.begin(), generate.end());
        auto made = Gpg(args);
        EXPECT_EQ(made.exit_code, 0) << made.err;
        if (!subkey.empty()) {
            args = {"--quick-add-key", Fingerprint(uid)};
            args.insert(args.end(), subkey.begin(), subkey.end());
            auto added = Gpg(args);
            EXPECT_EQ(added.exit_code, 0) << added.err;
        }
        return Export(uid);
    }

    // Exports an existing key (made by the caller) under `uid` and remembers it.
    const GeneratedKey& Export(const std::string& uid) {
        if (auto it = keys_.find(uid); it != keys_.end()) return it->second;
        GeneratedKey key;
        auto listing = Gpg({"--with-colons", "--fingerprint", "=" + uid});
        EXPECT_EQ(listing.exit_code, 0) << listing.err;
        std::stringstream lines(listing.out);
        for (std::string line; std::getline(lines, line);) {
            auto fields = SplitColons(line);
            if (fields.size() > 6 && fields[0] == "pub" && !fields[6].empty()) key.expires = std::stol(fields[6]);
            if (fields.size() > 9 && fields[0] == "fpr" && key.fingerprint.empty()) key.fingerprint = fields[9];
        }
        EXPECT_EQ(key.fingerprint.size(), 40u) << listing.out;
        key.armored = Gpg({"--armor", "--export", key.fingerprint}).out;
        key.binary = Gpg({"--export", key.fingerprint}).out;
        key.armored_secret = Gpg({"--armor", "--export-secret-keys", key.fingerprint}).out;
        EXPECT_NE(key.armored.find("BEGIN PGP PUBLIC KEY BLOCK"), std::string::npos);
        EXPECT_NE(key.armored_secret.find("BEGIN PGP PRIVATE KEY BLOCK"), std::string::npos);
        return keys_.emplace(uid, std::move(key)).first->second;
    }

    std::string Fingerprint(const std::string& uid) const {
        auto listing = Gpg({"--with-colons", "--fingerprint", "=" + uid});
        std::stringstream lines(listing.out);
        for (std::string line; std::getline(lines, line);) {
            auto fields = SplitColons(line);
            if (fields.size() > 9 && fields[0] == "fpr") return fields[9];
        }
        return {};
    }

  private:
    TestKeyring() = default;
    testing::TempDir dir_;
    std::map<std::string, GeneratedKey> keys_;
};

constexpr char kRsaUid[] = "Sakura PSIRT <psirt@sakura.example.jp>";
constexpr char kSignOnlyUid[] = "Momiji Signing <sign@momiji.example.jp>";
constexpr char kEccUid[] = "Kaede CERT <cert@kaede.example.jp>";
constexpr char kSubkeyUid[] = "Ume PSIRT <psirt@ume.example.jp>";
constexpr char kRevokedUid[] = "Old Vendor <security@old.example.jp>";

// `--quick-gen-key UID rsa3072 default 2y` alone makes a sign+certify primary without an encryption subkey
// (usage "default" with an explicit algorithm adds no subkey), so the usual rsa3072 encryption subkey is
// added as `gpg --full-gen-key` would.
const GeneratedKey& RsaKey() {
    return TestKeyring::Get().Key(kRsaUid, {"rsa3072", "default", "2y"}, {"rsa3072", "encr", "2y"});
}
const GeneratedKey& SignOnlyKey() { return TestKeyring::Get().Key(kSignOnlyUid, {"ed25519", "sign", "1y"}); }
const GeneratedKey& EccKey() { return TestKeyring::Get().Key(kEccUid, {"future-default", "default", "never"}); }

// Primary never expires; its only encryption subkey expires in a year.
const GeneratedKey& ExpiringSubkeyKey() {
    return TestKeyring::Get().Key(kSubkeyUid, {"ed25519", "sign", "never"}, {"cv25519", "encr", "1y"});
}

// Made with an encryption subkey, then revoked with the certificate gpg stored at generation.
const GeneratedKey& RevokedKey() {
    auto& keyring = TestKeyring::Get();
    if (!keyring.Fingerprint(kRevokedUid).empty()) return keyring.Export(kRevokedUid);
    auto made = keyring.Gpg({"--quick-gen-key", kRevokedUid, "future-default", "default", "never"});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    std::ifstream file(keyring.home() + "/openpgp-revocs.d/" + keyring.Fingerprint(kRevokedUid) + ".rev");
    std::string certificate((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    // gpg stores it with a leading ':' on the armor line so that it is not imported by accident.
    const auto begin = certificate.find(":-----BEGIN");
    EXPECT_NE(begin, std::string::npos) << certificate;
    if (begin != std::string::npos) certificate.erase(begin, 1);
    auto imported = keyring.Gpg({"--import"}, certificate);
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
    return keyring.Export(kRevokedUid);
}

class OpenPgpTest : public ::testing::Test {
  protected:
    void TearDown() override {
        // Key generation starts an agent for the test keyring; InspectPublicKey must never start one.
        TestKeyring::Get().StopAgent();
        EXPECT_EQ(AgentsMentioning(TestKeyring::Get().home()), std::vector<std::string>{});
        EXPECT_EQ(AgentsMentioning("kizuna-gpg-"), std::vector<std::string>{});
    }
};

void ExpectKeyError(const core::Result<PublicKeyInfo>& result, const std::string& message_part) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code(), core::ErrorCode::kInvalidArgument) << result.error().ToString();
    EXPECT_EQ(result.error().field(), "key");
    EXPECT_NE(result.error().message().find(message_part), std::string::npos) << result.error().ToString();
}

TEST_F(OpenPgpTest, RsaKeyWithDefaultSubkeyCanEncrypt) {
    const auto& key = RsaKey();
    auto info = InspectPublicKey(key.armored, RealNow());
    ASSERT_TRUE(info.ok()) << info.error().ToString();
    EXPECT_EQ(info->fingerprint, key.fingerprint);
    EXPECT_EQ(info->user_ids, std::vector<std::string>{kRsaUid});
    ASSERT_TRUE(info->expires.has_value());
    EXPECT_EQ(*info->expires, core::WallTime(std::chrono::seconds(key.expires)));
    EXPECT_GT(*info->expires, RealNow() + 24h * 365);
    EXPECT_TRUE(info->can_encrypt);
    EXPECT_FALSE(info->revoked);
    EXPECT_FALSE(info->expired);
    EXPECT_EQ(info->algorithm, "rsa3072");
}

TEST_F(OpenPgpTest, BinaryExportGivesTheSameAnswer) {
    const auto& key = RsaKey();
    auto armored = InspectPublicKey(key.armored, RealNow());
    auto binary = InspectPublicKey(key.binary, RealNow());
    ASSERT_TRUE(armored.ok()) << armored.error().ToString();
    ASSERT_TRUE(binary.ok()) << binary.error().ToString();
    EXPECT_EQ(binary->fingerprint, armored->fingerprint);
    EXPECT_EQ(binary->user_ids, armored->user_ids);
    EXPECT_EQ(binary->expires, armored->expires);
    EXPECT_TRUE(binary->can_encrypt);
}

TEST_F(OpenPgpTest, ExpiryIsJudgedAtTheGivenNow) {
    const auto& key = RsaKey();
    const core::WallTime expiry{std::chrono::seconds(key.expires)};
    struct Case {
        core::WallTime now;
        bool expired;
    } cases[] = {
        {expiry - 1s, false},
        {expiry, true},
        {expiry + 24h * 365 * 3, true},
    };
    for (const Case& c : cases) {
        auto info = InspectPublicKey(key.armored, c.now);
        ASSERT_TRUE(info.ok()) << info.error().ToString();
        EXPECT_EQ(info->expired, c.expired) << core::FormatRfc3339(c.now);
        EXPECT_EQ(info->can_encrypt, !c.expired) << core::FormatRfc3339(c.now);
        EXPECT_FALSE(info->revoked);
    }
}

TEST_F(OpenPgpTest, SignOnlyEd25519KeyCannotEncrypt) {
    const auto& key = SignOnlyKey();
    auto info = InspectPublicKey(key.armored, RealNow());
    ASSERT_TRUE(info.ok()) << info.error().ToString();
    EXPECT_EQ(info->fingerprint, key.fingerprint);
    EXPECT_EQ(info->user_ids, std::vector<std::string>{kSignOnlyUid});
    ASSERT_TRUE(info->expires.has_value());
    EXPECT_EQ(*info->expires, core::WallTime(std::chrono::seconds(key.expires)));
    EXPECT_FALSE(info->can_encrypt);
    EXPECT_FALSE(info->expired);
    EXPECT_EQ(info->algorithm, "ed25519");
}

TEST_F(OpenPgpTest, EccKeyThatNeverExpires) {
    const auto& key = EccKey();
    auto info = InspectPublicKey(key.armored, RealNow() + 24h * 365 * 50);
    ASSERT_TRUE(info.ok()) << info.error().ToString();
    EXPECT_EQ(info->fingerprint, key.fingerprint);
    EXPECT_FALSE(info->expires.has_value());
    EXPECT_FALSE(info->expired);
    EXPECT_TRUE(info->can_encrypt);
    EXPECT_EQ(info->algorithm, "ed25519/cv25519");
}

TEST_F(OpenPgpTest, ExpiredEncryptionSubkeyOnAValidPrimary) {
    const auto& key = ExpiringSubkeyKey();
    auto today = InspectPublicKey(key.armored, RealNow());
    ASSERT_TRUE(today.ok()) << today.error().ToString();
    EXPECT_TRUE(today->can_encrypt);
    EXPECT_EQ(today->algorithm, "ed25519/cv25519");

    auto later = InspectPublicKey(key.armored, RealNow() + 24h * 365 * 2);
    ASSERT_TRUE(later.ok()) << later.error().ToString();
    EXPECT_FALSE(later->expires.has_value());
    EXPECT_FALSE(later->expired);
    EXPECT_FALSE(later->can_encrypt);
}

TEST_F(OpenPgpTest, RevokedKeyCannotEncrypt) {
    const auto& key = RevokedKey();
    auto info = InspectPublicKey(key.armored, RealNow());
    ASSERT_TRUE(info.ok()) << info.error().ToString();
    EXPECT_EQ(info->fingerprint, key.fingerprint);
    EXPECT_TRUE(info->revoked);
    EXPECT_FALSE(info->expired);
    EXPECT_FALSE(info->can_encrypt);
}

TEST_F(OpenPgpTest, TwoKeysAreRefused) {
    ExpectKeyError(InspectPublicKey(RsaKey().armored + SignOnlyKey().armored, RealNow()),
                   "contains 2 keys; register one at a time");
    // One armor block holding both keys.
    auto both = TestKeyring::Get().Gpg({"--armor", "--export", RsaKey().fingerprint, SignOnlyKey().fingerprint});
    ExpectKeyError(InspectPublicKey(both.out, RealNow()), "contains 2 keys");
}

TEST_F(OpenPgpTest, SecretKeyIsRefusedWithoutStartingAnAgent) {
    ExpectKeyError(InspectPublicKey(SignOnlyKey().armored_secret, RealNow()), "secret key material");
    ExpectKeyError(InspectPublicKey(RsaKey().armored_secret, RealNow()), "secret key material");
    // Only agents of InspectPublicKey's own scratch homes count: other tests running in parallel (the mail
    // gateway's real GnuPG homes) start agents of their own, so a machine-wide count would be a race.
    EXPECT_EQ(AgentsMentioning("kizuna-gpg-"), std::vector<std::string>{});
    TestKeyring::Get().StopAgent();
}

TEST_F(OpenPgpTest, WhatIsNotAKeyIsRefusedOnFieldKey) {
    const std::string armored = RsaKey().armored;
    struct Case {
        std::string name;
        std::string data;
        std::string message_part;
    } cases[] = {
        {"empty", "", "is empty"},
        {"text", "hello, this is my key", "not an OpenPGP public key"},
        {"binary junk", std::string("\x99\x01\x0d\x04\xff\xff\x00\x00\x01\x02\x03", 11), "not an OpenPGP public key"},
        {"nul bytes", std::string(64, '\0'), "not an OpenPGP public key"},
        {"armor with junk body",
         "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n=AAAA\n-----END PGP PUBLIC KEY BLOCK-----\n",
         "not an OpenPGP public key"},
        {"truncated key", armored.substr(0, armored.size() / 2), ""},
        {"too large", std::string(kMaxPublicKeyBytes + 1, 'A'), "larger than"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        ExpectKeyError(InspectPublicKey(c.data, RealNow()), c.message_part);
    }
}

TEST_F(OpenPgpTest, ConcurrentCallsAreIndependent) {
    const GeneratedKey* keys[] = {&RsaKey(), &SignOnlyKey(), &EccKey()};
    std::vector<std::thread> threads;
    std::vector<std::string> fingerprints(6);
    for (std::size_t i = 0; i < fingerprints.size(); ++i) {
        threads.emplace_back([&, i]() {
            auto info = InspectPublicKey(keys[i % 3]->armored, RealNow());
            fingerprints[i] = info.ok() ? info->fingerprint : info.error().ToString();
        });
    }
    for (auto& thread : threads) thread.join();
    for (std::size_t i = 0; i < fingerprints.size(); ++i) EXPECT_EQ(fingerprints[i], keys[i % 3]->fingerprint);
}

TEST_F(OpenPgpTest, TemporaryHomesAreRemoved) {
    const auto& key = RsaKey();  // made before TMPDIR changes
    testing::TempDir tmp;
    ::setenv("TMPDIR", tmp.path().c_str(), 1);
    auto ok = InspectPublicKey(key.armored, RealNow());
    auto refused = InspectPublicKey(key.armored_secret, RealNow());
    ::unsetenv("TMPDIR");
    EXPECT_TRUE(ok.ok());
    EXPECT_FALSE(refused.ok());
    std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(tmp.path().c_str()), closedir);
    ASSERT_TRUE(dir);
    std::vector<std::string> left;
    while (dirent* entry = readdir(dir.get())) {
        if (std::string(entry->d_name) != "." && std::string(entry->d_name) != "..") left.push_back(entry->d_name);
    }
    EXPECT_EQ(left, std::vector<std::string>{});
}

}  // namespace
}  // namespace kizuna::mail
