// The Windows headers for SSPI, included the same way by every file of licensing/auth/windows:
// no min/max macros, the user-mode (SECURITY_WIN32) declarations of secur32.
#pragma once

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef SECURITY_WIN32
#define SECURITY_WIN32
#endif
#include <windows.h>
// windows.h first: security.h needs its types.
#include <security.h>
#include <sspi.h>
