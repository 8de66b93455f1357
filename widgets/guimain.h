#pragma once

namespace sockpit {

// Starts the window: parses [--lang CODE] [WORKSPACE], installs translations and runs
// the event loop. Returns the process exit code.
int runGui(int argc, char *argv[]);

} // namespace sockpit
