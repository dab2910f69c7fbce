// Finding the image catalog file for an installed binary, a development build, or an override.
#pragma once

#include <string>

namespace rampart::exec {

// Which catalog file to use: `explicit_path` when given; else $RAMPART_IMAGE_CATALOG; else
// share/rampart/images.yaml above or next to the running binary (<bin>/../share/..., then
// <bin>/share/...); else the source tree's copy (development builds run build/rampart).
// Throws CatalogError listing the places tried when none exists.
std::string locate_image_catalog(const std::string& explicit_path = "");

}  // namespace rampart::exec
