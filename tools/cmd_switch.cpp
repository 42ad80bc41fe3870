// `caplnet switch DIR`: wired once netif/switch lands.
#include "tools/commands.hpp"

namespace caplnet::tools {
void add_switch_command(CLI::App&, int&) {}
}  // namespace caplnet::tools
