#pragma once
#include "netif/link/link.hpp"

namespace caplnet::netif {

/// Any other vdeplug4 URL (vxvde://, udp://, ptp://, ...) through libvdeplug. Not available in
/// sanitizer builds: libvdeplug dlopens with RTLD_DEEPBIND, which the sanitizer runtime aborts on.
Expected<std::unique_ptr<Link>, LinkError> open_vdeplug_link(const std::string& url);

}  // namespace caplnet::netif
