// Compiled with sockpit_events' include paths only: the include below must not be found.
#include "server/embeddedserver.h"
