// IODEF exchange (I8) against the shared schemas and examples (../shared/data/iodef).
#include "incident/iodef.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/temp_dir.hpp"

namespace kizuna::incident {
namespace {

std::string Read(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::filesystem::path Iodef() { return std::filesystem::path(testing::SharedDataDir()) / "iodef"; }

TEST(IodefTest, EveryValidExampleIsAcceptedAndEveryInvalidOneNamesItsElement) {
    int valid = 0, invalid = 0;
    for (const auto& entry : std::filesystem::directory_iterator(Iodef() / "examples-v2" / "valid")) {
        auto doc = ParseIodef(Read(entry.path()));
        ASSERT_TRUE(doc.ok()) << entry.path() << ": " << doc.error().ToString();
        EXPECT_EQ(doc->version, 2);
        EXPECT_FALSE(doc->incidents.empty()) << entry.path();
        ++valid;
    }
    for (const auto& entry : std::filesystem::directory_iterator(Iodef() / "examples-v2" / "invalid")) {
        auto doc = ParseIodef(Read(entry.path()));
        ASSERT_FALSE(doc.ok()) << entry.path();
        EXPECT_EQ(doc.error().code(), core::ErrorCode::kInvalidArgument);
        EXPECT_TRUE(doc.error().field().starts_with("iodef.")) << doc.error().field();
        EXPECT_GT(doc.error().field().size(), 6u);
        ++invalid;
    }
    for (const auto& entry : std::filesystem::directory_iterator(Iodef() / "examples-v1")) {
        auto doc = ParseIodef(Read(entry.path()));
        ASSERT_TRUE(doc.ok()) << entry.path() << ": " << doc.error().ToString();
        EXPECT_EQ(doc->version, 1);
        ++valid;
    }
    EXPECT_GE(valid, 10);
    EXPECT_GE(invalid, 3);
    auto ddos = ParseIodef(Read(Iodef() / "examples-v2" / "invalid" / "infiles_ddos.xml"));
    EXPECT_EQ(ddos.error().field(), "iodef.Confidence");
}

TEST(IodefTest, ReadsWhatAReportNeeds) {
    auto doc = ParseIodef(Read(Iodef() / "examples-v2" / "valid" / "infiles_spear_phishing.xml"));
    ASSERT_TRUE(doc.ok());
    const IodefIncident& i = doc->incidents.at(0);
    EXPECT_EQ(i.id, "189601");
    EXPECT_EQ(i.id_name, "csirt.example.com");
    EXPECT_EQ(i.generation_time, "2013-01-04T09:15:45+00:00");
    EXPECT_NE(i.description.find("Zeus Spear Phishing"), std::string::npos);
    EXPECT_EQ(i.contact_emails.at(0), "contact@csirt.example.com");
    bool found = false;
    for (const auto& s : i.systems)
        for (const auto& a : s.addresses) found |= a == "192.0.2.166" && s.category == "source";
    EXPECT_TRUE(found);
    auto v1 = ParseIodef(Read(Iodef() / "examples-v1" / "ex-marknl.xml"));
    ASSERT_TRUE(v1.ok());
    EXPECT_EQ(v1->incidents.at(0).impact_types.at(0), "dos");
    EXPECT_EQ(v1->incidents.at(0).contact_emails.at(0), "jsmith@csirt.example.com");
    EXPECT_EQ(v1->incidents.at(0).generation_time, "2006-06-08T05:44:53-05:00");
}

TEST(IodefTest, WrittenDocumentsValidateAndReadBack) {
    IodefIncident in;
    in.id = "KZ-IR-2026-0042";
    in.id_name = "csirt.example.jp";
    in.generation_time = "2026-12-07T01:00:00Z";
    in.start_time = "2026-12-01T03:00:00Z";
    in.description = "Scans <from> \"your\" network & more";
    in.impact_types = {"takeover-system"};
    in.rsit = "information-gathering/scanner";
    in.contact_name = "Kizuna CSIRT";
    in.contact_emails = {"incident@csirt.example.jp"};
    in.systems.push_back(IodefSystem{"source", {"198.51.100.7", "2001:db8::7", "203.0.113.0/24"}, {"scan.example.net"}, {"22", "23"}, "6"});
    in.systems.push_back(IodefSystem{"target", {"192.0.2.9"}, {}, {"22"}, "6"});
    const std::string xml = RenderIodef2(in);
    auto back = ParseIodef(xml);
    ASSERT_TRUE(back.ok()) << back.error().ToString() << "\n" << xml;
    const IodefIncident& out = back->incidents.at(0);
    EXPECT_EQ(out.id, in.id);
    EXPECT_EQ(out.description, in.description);
    EXPECT_EQ(out.rsit, in.rsit);
    EXPECT_EQ(out.systems.size(), 2u);
    EXPECT_EQ(out.systems[0].addresses, in.systems[0].addresses);
    EXPECT_EQ(out.systems[0].ports, std::vector<std::string>{"22,23"});

    // And xmllint agrees (the real validator, as CI uses it).
    testing::TempDir dir;
    std::ofstream(dir.File("out.xml")) << xml;
    const std::string cmd = "xmllint --noout --nonet --schema '" + (Iodef() / "iodef-2.0.local.xsd").string() + "' '" +
                            dir.File("out.xml") + "' 2>/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << xml;
}

TEST(IodefTest, HostileDocumentsAreRefused) {
    EXPECT_EQ(ParseIodef("not xml").error().field(), "iodef");
    EXPECT_EQ(ParseIodef("<x/>").error().field(), "iodef");
    EXPECT_EQ(ParseIodef("<IODEF-Document xmlns=\"urn:example\"/>").error().field(), "iodef");
    const std::string xxe = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                            "<IODEF-Document xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\" version=\"2.00\">&x;</IODEF-Document>";
    EXPECT_EQ(ParseIodef(xxe).error().field(), "iodef");
    EXPECT_EQ(ParseIodef(std::string(9u << 20, ' ')).error().code(), core::ErrorCode::kTooLarge);
    auto missing = ParseIodef("<IODEF-Document xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\" version=\"2.00\">"
                              "<Incident purpose=\"reporting\"><IncidentID name=\"x\">1</IncidentID></Incident></IODEF-Document>");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().field(), "iodef.Incident");
}

}  // namespace
}  // namespace kizuna::incident
