// Compiled with sockpit_wire's include path only: the include below must not be found.
#include "events/event.h"
