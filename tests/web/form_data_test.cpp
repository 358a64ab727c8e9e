// The report form's multipart/form-data parsing: fields and files, paths stripped from file names, and
// hostile bodies (no closing delimiter, too many parts, a boundary that is not there) yield no fields.
#include <gtest/gtest.h>

#include "web/internal/form_data.hpp"

namespace kizuna::web::detail {
namespace {

http::Request Multipart(const std::string& boundary, const std::string& body) {
    auto req = http::Request::Make("POST", "/report",
                                   {{"Content-Type", "multipart/form-data; boundary=\"" + boundary + "\""}}, body);
    EXPECT_TRUE(req.ok());
    return std::move(req).value();
}

std::string Part(const std::string& boundary, const std::string& disposition, const std::string& content) {
    return "--" + boundary + "\r\nContent-Disposition: form-data; " + disposition + "\r\n\r\n" + content + "\r\n";
}

TEST(FormDataTest, FieldsAndFilesWithPathsStripped) {
    const std::string b = "xyz";
    const auto req = Multipart(b, Part(b, "name=\"title\"", "件名\r\nwith CRLF") +
                                      Part(b, "name=\"attachments\"; filename=\"C:\\\\tmp\\\\poc.py\"", "print(1)") +
                                      Part(b, "name=\"attachments\"; filename=\"\"", "") + "--" + b + "--\r\n");
    const FormData form(req);
    EXPECT_TRUE(form.multipart());
    EXPECT_EQ(form.Value("title"), "件名\r\nwith CRLF");
    EXPECT_FALSE(form.Field("missing"));
    const auto files = form.Files("attachments");
    ASSERT_EQ(files.size(), 1u);  // the empty file input is not a file
    EXPECT_EQ(files[0]->filename, "poc.py");
    EXPECT_EQ(files[0]->content, "print(1)");
}

TEST(FormDataTest, HostileBodiesYieldNothing) {
    const std::string b = "xyz";
    EXPECT_FALSE(FormData(Multipart(b, Part(b, "name=\"title\"", "x"))).Field("title"));  // never closed
    std::string many;
    for (std::size_t i = 0; i <= FormData::kMaxParts; ++i) many += Part(b, "name=\"f" + std::to_string(i) + "\"", "v");
    EXPECT_FALSE(FormData(Multipart(b, many + "--" + b + "--\r\n")).Field("f0"));
    EXPECT_FALSE(FormData(Multipart(b, "no delimiter at all")).Field("title"));
    EXPECT_EQ(MultipartBoundary("text/plain; boundary=x"), "");
    EXPECT_EQ(MultipartBoundary("multipart/form-data"), "");
    EXPECT_EQ(MultipartBoundary(std::string("multipart/form-data; boundary=") + std::string(71, 'a')), "");
}

TEST(FormDataTest, UrlencodedBodiesAreReadAsBefore) {
    auto req = http::Request::Make("POST", "/report", {{"Content-Type", "application/x-www-form-urlencoded"}},
                                   "title=a+b&csrf=t");
    ASSERT_TRUE(req.ok());
    const FormData form(*req);
    EXPECT_FALSE(form.multipart());
    EXPECT_EQ(form.Value("title"), "a b");
    EXPECT_TRUE(form.Files("attachments").empty());
}

}  // namespace
}  // namespace kizuna::web::detail
