// ParseSbom over the documents in tests/data/sbom/ (golden expectations below) and over malformed variants:
// every bad input must come back as a value naming the path at fault, never as an exception or a crash.
#include "formats/sbom.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace kizuna::formats {
namespace {

std::string ReadData(const std::string& name) {
    std::ifstream in(std::string(KIZUNA_SOURCE_DIR) + "/tests/data/sbom/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << name;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

struct GoldenCase {
    std::string file;
    SbomFormat format;
    std::string spec_version;
    std::string subject;
    std::vector<SbomComponent> components;  // in order
};

class SbomGoldenTest : public testing::TestWithParam<GoldenCase> {};

TEST_P(SbomGoldenTest, ReadsSubjectAndComponents) {
    const GoldenCase& expected = GetParam();
    auto sbom = ParseSbom(ReadData(expected.file));
    ASSERT_TRUE(sbom.ok()) << sbom.error().ToString();
    EXPECT_EQ(sbom->format, expected.format);
    EXPECT_EQ(sbom->spec_version, expected.spec_version);
    EXPECT_EQ(sbom->subject, expected.subject);
    ASSERT_EQ(sbom->components.size(), expected.components.size());
    for (std::size_t index = 0; index < expected.components.size(); ++index) {
        const SbomComponent& got = sbom->components[index];
        const SbomComponent& want = expected.components[index];
        EXPECT_EQ(got.name, want.name) << index;
        EXPECT_EQ(got.version, want.version) << index;
        EXPECT_EQ(got.purl, want.purl) << index;
        EXPECT_EQ(got.supplier, want.supplier) << index;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Documents, SbomGoldenTest,
    testing::Values(
        // Nested components are walked depth first; metadata.component's own components come first; the
        // second zlib 1.2.13 is a duplicate (the nested one, with its purl, wins).
        GoldenCase{"cyclonedx-1.5-router.json",
                   SbomFormat::kCycloneDx,
                   "1.5",
                   "Hoshi RT-3200 firmware",
                   {{"Linux kernel", "5.15.120", "pkg:generic/linux@5.15.120", ""},
                    {"OpenSSL", "3.0.7", "pkg:generic/openssl@3.0.7", "OpenSSL Software Foundation"},
                    {"busybox", "1.36.1", "pkg:generic/busybox@1.36.1", ""},
                    {"lighttpd", "1.4.69", "pkg:generic/lighttpd@1.4.69", "lighttpd project"},
                    {"mod_openssl", "1.4.69", "pkg:generic/lighttpd-mod-openssl@1.4.69", ""},
                    {"pcre2", "10.42", "pkg:generic/pcre2@10.42", ""},
                    {"zlib", "1.2.13", "pkg:generic/zlib@1.2.13", ""},
                    {"miniupnpd", "2.3.3", "pkg:generic/miniupnpd@2.3.3", ""}}},
        // "version": null is "not given".
        GoldenCase{"cyclonedx-1.4-camera.json",
                   SbomFormat::kCycloneDx,
                   "1.4",
                   "Tsuki IPC-20 camera",
                   {{"openssl", "1.1.1t", "pkg:deb/debian/openssl@1.1.1t?arch=armhf", "Debian"},
                    {"dropbear", "2022.83", "pkg:generic/dropbear@2022.83", ""},
                    {"libcurl", "", "pkg:generic/curl", ""}}},
        // DESCRIBES relationship names the subject; "OpenSSL 3.0.7" duplicates "openssl 3.0.7" after
        // normalisation; NOASSERTION suppliers are empty.
        GoldenCase{"spdx-2.3-router.spdx.json",
                   SbomFormat::kSpdx,
                   "2.3",
                   "Hoshi RT-3200 firmware",
                   {{"openssl", "3.0.7", "pkg:generic/openssl@3.0.7", "OpenSSL Software Foundation"},
                    {"busybox", "1.36.1", "pkg:generic/busybox@1.36.1", ""},
                    {"lighttpd", "1.4.69", "pkg:generic/lighttpd@1.4.69", "Glenn Strauss"}}},
        // documentDescribes names the subject, which need not come first.
        GoldenCase{"spdx-2.2-describes.spdx.json",
                   SbomFormat::kSpdx,
                   "2.2",
                   "Tsuki NAS OS",
                   {{"samba", "4.17.12", "", ""}, {"BusyBox", "1.36.1", "", ""}}}),
    [](const testing::TestParamInfo<GoldenCase>& info) {
        std::string name;
        for (char c : info.param.file) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
        return name;
    });

struct MalformedCase {
    std::string label;
    std::string text;
    core::ErrorCode code;
    std::string field;
    std::string message_part;  // a substring of the message
};

class SbomMalformedTest : public testing::TestWithParam<MalformedCase> {};

TEST_P(SbomMalformedTest, IsRejectedNamingThePath) {
    const MalformedCase& expected = GetParam();
    auto sbom = ParseSbom(expected.text);
    ASSERT_FALSE(sbom.ok()) << expected.label;
    EXPECT_EQ(sbom.error().code(), expected.code) << sbom.error().ToString();
    EXPECT_EQ(sbom.error().field(), expected.field) << sbom.error().ToString();
    EXPECT_NE(sbom.error().message().find(expected.message_part), std::string::npos) << sbom.error().ToString();
}

constexpr auto kInvalid = core::ErrorCode::kInvalidArgument;
constexpr auto kTooLarge = core::ErrorCode::kTooLarge;
const std::string kCdx = R"("bomFormat":"CycloneDX","specVersion":"1.5")";
const std::string kSpdx = R"("spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"doc")";

template <std::size_t N>
std::string WithNul(const char (&literal)[N]) {
    return std::string(literal, N - 1);
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string NestedComponents(int depth) {
    std::string text = "{" + kCdx + R"(,"components":[)";
    for (int level = 0; level < depth; ++level) text += R"({"name":"c","components":[)";
    for (int level = 0; level < depth; ++level) text += "]}";
    return text + "]}";
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, SbomMalformedTest,
    testing::Values(
        MalformedCase{"empty", "", kInvalid, "sbom", "must not be empty"},
        MalformedCase{"blank", " \n\t", kInvalid, "sbom", "must not be empty"},
        MalformedCase{"not json", "openssl 3.0.7", kInvalid, "sbom", "not valid JSON: syntax error at byte 0"},
        MalformedCase{"truncated", "{" + kCdx + R"(,"components":[{"name":"x")", kInvalid, "sbom", "not valid JSON"},
        MalformedCase{"number overflow", "[[5555555555555555555555555555555004e53233344]]", kInvalid, "sbom",
                      "not valid JSON: number overflow"},
        MalformedCase{"xml", "<?xml version=\"1.0\"?><bom/>", kInvalid, "sbom", "looks like XML"},
        MalformedCase{"tag-value", "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", kInvalid, "sbom",
                      "SPDX tag-value"},
        MalformedCase{"array", "[" "{" + kCdx + "}" "]", kInvalid, "sbom", "must be a JSON object"},
        MalformedCase{"other object", R"({"name":"not an sbom"})", kInvalid, "bomFormat", "not an SBOM"},
        MalformedCase{"other bomFormat", R"({"bomFormat":"SWID","specVersion":"1.5"})", kInvalid, "bomFormat",
                      "expected CycloneDX or SPDX JSON"},
        MalformedCase{"bomFormat not string", R"({"bomFormat":1})", kInvalid, "bomFormat", "not an SBOM"},
        MalformedCase{"no specVersion", R"({"bomFormat":"CycloneDX"})", kInvalid, "specVersion", "is required"},
        MalformedCase{"specVersion 2", R"({"bomFormat":"CycloneDX","specVersion":"2.0"})", kInvalid, "specVersion",
                      "expected 1.x"},
        MalformedCase{"components object", "{" + kCdx + R"(,"components":{}})", kInvalid, "components",
                      "must be an array"},
        MalformedCase{"component not object", "{" + kCdx + R"(,"components":[{"name":"a"},"b"]})", kInvalid,
                      "components[1]", "must be an object"},
        MalformedCase{"name missing",
                      "{" + kCdx + R"(,"components":[{"name":"a"},{"name":"b"},{"name":"c"},{"version":"1"}]})",
                      kInvalid, "components[3].name", "is required"},
        MalformedCase{"name number", "{" + kCdx + R"(,"components":[{"name":"a"},{"name":1}]})", kInvalid,
                      "components[1].name", "must be a string"},
        MalformedCase{"name blank", "{" + kCdx + R"(,"components":[{"name":"  "}]})", kInvalid, "components[0].name",
                      "must not be empty"},
        MalformedCase{"version number", "{" + kCdx + R"(,"components":[{"name":"a","version":3.0}]})", kInvalid,
                      "components[0].version", "must be a string"},
        MalformedCase{"nested bad purl",
                      "{" + kCdx + R"(,"components":[{"name":"a","components":[{"name":"b","purl":[]}]}]})", kInvalid,
                      "components[0].components[0].purl", "must be a string"},
        MalformedCase{"supplier string", "{" + kCdx + R"(,"components":[{"name":"a","supplier":"ACME"}]})", kInvalid,
                      "components[0].supplier", "must be an object"},
        MalformedCase{"metadata component name", "{" + kCdx + R"(,"metadata":{"component":{"version":"1"}}})",
                      kInvalid, "metadata.component.name", "is required"},
        MalformedCase{"NUL in name", "{" + kCdx + R"(,"components":[{"name":"open\u0000ssl"}]})", kInvalid,
                      "components[0].name", "NUL"},
        MalformedCase{"raw NUL", "{" + kCdx + WithNul(",\"components\":[{\"name\":\"a\0b\"}]}"), kInvalid,
                      "sbom", "not valid JSON"},
        MalformedCase{"invalid UTF-8", "{" + kCdx + ",\"components\":[{\"name\":\"\xff\xfe\"}]}", kInvalid, "sbom",
                      "not valid JSON"},
        MalformedCase{"spdx without packages", "{" + kSpdx + "}", kInvalid, "packages", "is required"},
        MalformedCase{"spdx packages object", "{" + kSpdx + R"(,"packages":{"name":"a"}})", kInvalid, "packages",
                      "must be an array"},
        MalformedCase{"spdx version 3", R"({"spdxVersion":"SPDX-3.0","packages":[]})", kInvalid, "spdxVersion",
                      "expected SPDX-2.x"},
        MalformedCase{"spdx version number", R"({"spdxVersion":2.3,"packages":[]})", kInvalid, "spdxVersion",
                      "must be a string"},
        MalformedCase{"spdx name missing", "{" + kSpdx + R"(,"packages":[{"SPDXID":"SPDXRef-a"}]})", kInvalid,
                      "packages[0].name", "is required"},
        MalformedCase{"spdx bad ref",
                      "{" + kSpdx +
                          R"(,"packages":[{"name":"a","externalRefs":[{"referenceType":"purl","referenceLocator":5}]}]})",
                      kInvalid, "packages[0].externalRefs[0].referenceLocator", "must be a string"},
        MalformedCase{"spdx relationship not object", "{" + kSpdx + R"(,"packages":[],"relationships":[7]})", kInvalid,
                      "relationships[0]", "must be an object"},
        MalformedCase{"spdx describes number", "{" + kSpdx + R"(,"packages":[],"documentDescribes":[1]})", kInvalid,
                      "documentDescribes[0]", "must be a string"},
        MalformedCase{"deep arrays", Nested(65), kInvalid, "sbom", "nested deeper than 64"},
        MalformedCase{"deep components", NestedComponents(40), kInvalid, "sbom", "nested deeper than 64"},
        MalformedCase{"over 16 MiB", std::string(kMaxSbomBytes + 1, ' '), kTooLarge, "sbom", "larger than 16 MiB"}),
    [](const testing::TestParamInfo<MalformedCase>& info) {
        std::string name;
        for (char c : info.param.label) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
        return name;
    });

TEST(SbomTest, NestingAtTheLimitIsAccepted) {
    // 64 levels of arrays around a valid document's value are not an SBOM, but must reach the detector.
    auto sbom = ParseSbom("{\"x\":" + Nested(63) + "}");
    ASSERT_FALSE(sbom.ok());
    EXPECT_EQ(sbom.error().field(), "bomFormat");
}

TEST(SbomTest, BracketsInsideStringsDoNotCountAsNesting) {
    auto sbom = ParseSbom("{" + kCdx + R"(,"components":[{"name":")" + std::string(200, '[') + R"("}]})");
    ASSERT_TRUE(sbom.ok()) << sbom.error().ToString();
    EXPECT_EQ(sbom->components.size(), 1u);
}

std::string ManyComponents(const std::string& head, const std::string& array, std::size_t count) {
    std::string text = "{" + head + ",\"" + array + "\":[";
    for (std::size_t index = 0; index < count; ++index) {
        if (index > 0) text += ',';
        text += R"({"name":"c)" + std::to_string(index) + "\"}";
    }
    return text + "]}";
}

TEST(SbomTest, ComponentLimit) {
    auto at_limit = ParseSbom(ManyComponents(kCdx, "components", kMaxSbomComponents));
    ASSERT_TRUE(at_limit.ok()) << at_limit.error().ToString();
    EXPECT_EQ(at_limit->components.size(), kMaxSbomComponents);

    auto over = ParseSbom(ManyComponents(kCdx, "components", kMaxSbomComponents + 1));
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().code(), core::ErrorCode::kTooLarge);
    EXPECT_EQ(over.error().field(), "components");

    auto spdx_over = ParseSbom(ManyComponents(kSpdx, "packages", kMaxSbomComponents + 2));
    ASSERT_FALSE(spdx_over.ok());
    EXPECT_EQ(spdx_over.error().code(), core::ErrorCode::kTooLarge);
    EXPECT_EQ(spdx_over.error().field(), "packages");
}

TEST(SbomTest, EmptyCycloneDxHasNoComponents) {
    auto sbom = ParseSbom("{" + kCdx + "}");
    ASSERT_TRUE(sbom.ok()) << sbom.error().ToString();
    EXPECT_EQ(sbom->subject, "");
    EXPECT_TRUE(sbom->components.empty());
}

TEST(SbomTest, SpdxWithoutDescribedPackageUsesDocumentName) {
    auto sbom = ParseSbom("{" + kSpdx + R"(,"packages":[{"name":"zlib","versionInfo":"1.3"}]})");
    ASSERT_TRUE(sbom.ok()) << sbom.error().ToString();
    EXPECT_EQ(sbom->subject, "doc");
    ASSERT_EQ(sbom->components.size(), 1u);
    EXPECT_EQ(sbom->components[0].name, "zlib");
}

TEST(SbomTest, SameNameDifferentVersionsAreKept) {
    auto sbom = ParseSbom("{" + kCdx +
                          R"(,"components":[{"name":"openssl","version":"1.1.1t"},{"name":"openssl","version":"3.0.7"},
                              {"name":" OpenSSL","version":"3.0.7","purl":"pkg:generic/openssl@3.0.7"}]})");
    ASSERT_TRUE(sbom.ok()) << sbom.error().ToString();
    ASSERT_EQ(sbom->components.size(), 2u);
    EXPECT_EQ(sbom->components[1].version, "3.0.7");
    EXPECT_EQ(sbom->components[1].purl, "pkg:generic/openssl@3.0.7");  // filled in from the duplicate
}

struct NameCase {
    std::string input;
    std::string expected;
};

TEST(NormalizeComponentNameTest, Table) {
    const std::vector<NameCase> cases = {
        {"OpenSSL ", "openssl"},
        {"\t BusyBox\n", "busybox"},
        {"lighttpd", "lighttpd"},
        {"", ""},
        {"   ", ""},
        {"pkg:generic/openssl@3.0.7", "openssl"},
        {"pkg:deb/debian/OpenSSL@3.0.7?arch=mips#usr/lib", "openssl"},
        {"PKG:npm/%40angular/core@16.0.0", "core"},
        {"pkg:npm/%40scope%2Fodd-Name@1", "@scope/odd-name"},
        {"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "log4j-core"},
        {"pkg:generic/curl", "curl"},
        {"pkg:", ""},
        {"pkg:generic/bad%zzescape", "bad%zzescape"},
        {"Linux kernel", "linux kernel"},
    };
    for (const NameCase& test : cases) EXPECT_EQ(NormalizeComponentName(test.input), test.expected) << test.input;
}

}  // namespace
}  // namespace kizuna::formats
