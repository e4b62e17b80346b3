// The Windows headers, included the same way by every file of this backend: no min/max macros,
// none of the rarely used APIs. Only this backend and its tests include them.
#pragma once

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
