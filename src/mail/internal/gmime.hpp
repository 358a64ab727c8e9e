// The seam to GMime 3: one-time initialisation and owners for GObjects. Include only from .cpp files of mail/.
#pragma once

#include <gmime/gmime.h>

#include <memory>
#include <string>
#include <string_view>

namespace kizuna::mail::detail {

// g_mime_init() exactly once, thread-safely.
void EnsureGmimeInitialized();

struct GObjectUnref {
    void operator()(void* object) const {
        if (object) g_object_unref(object);
    }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct GFree {
    void operator()(void* memory) const { g_free(memory); }
};
using GString = std::unique_ptr<char, GFree>;

// Bytes written by g_mime_object_write_to_stream (NULL format options: as parsed).
std::string WriteObject(GMimeObject* object);
// Content of a leaf part with its transfer encoding removed.
std::string DecodedContent(GMimePart* part);

}  // namespace kizuna::mail::detail
